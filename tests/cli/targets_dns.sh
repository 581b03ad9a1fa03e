# targets_dns.sh: --dns NAME gives one target per address NAME resolves to
# (A and AAAA), named by its reverse name when it has one, else the
# address. Only loopback: localhost, as this machine's resolver sees it.
. "$(dirname "$0")/../lib.sh"

export HOME=$SCRATCH/home
unset WRIT_CONFIG WRIT_INVENTORY

# What getaddrinfo and the reverse lookup give here, through getent (the
# same NSS calls), so the test holds on a machine with or without ::1.
: > want
for addr in $(getent ahosts localhost | awk '$2 == "STREAM" && !seen[$1]++ { print $1 }'); do
	name=$(getent hosts "$addr" | awk '{ print $2; exit }')
	case $name in
	''|*[!A-Za-z0-9._:-]*) name=$addr ;;
	esac
	grep -q "^$name	" want && name=$addr
	printf '%s\t%s\t-\t-\t%s\n' "$name" "$addr" "$name" >> want
done

t "$WRIT" hosts --dns localhost
if [ "$rc" = 0 ] && cmp -s want out && grep -q '	127\.0\.0\.1	' out; then
	pass dns_localhost_gives_loopback
else
	fail dns_localhost_gives_loopback "exit $rc; want $(cat want); got $(cat out)"
fi

# Each address once, and the names dedupe with other targets'.
first=$(head -n 1 want | cut -f 1)
t "$WRIT" hosts --dns localhost -H "$first" --dns localhost
[ "$rc" = 0 ] && cmp -s want out && pass dns_targets_dedupe ||
	fail dns_targets_dedupe "exit $rc: $(cat out)"

t "$WRIT" hosts --dns localhost -x "$first"
if [ "$(wc -l < want)" = 1 ]; then
	expect dns_targets_exclude 2 'no targets'
elif [ "$rc" = 0 ] && ! grep -q "^$first	" out; then
	pass dns_targets_exclude
else
	fail dns_targets_exclude "exit $rc: $(cat out)"
fi

t "$WRIT" hosts --dns nothing-here.invalid
if [ "$rc" != 0 ] && grep -q '^writ: --dns nothing-here.invalid: ' out; then
	pass unresolvable_name_is_an_error
else
	fail unresolvable_name_is_an_error "exit $rc: $(cat out)"
fi

t "$WRIT" hosts --dns ''
expect empty_name_is_refused 2 'writ: --dns : not a host name'

t "$WRIT" run --dry-run --dns localhost -k none.key --realm prod uptime
expect dns_in_run_resolves_before_keys 1 'none.key'
"$WRIT" keygen -W ci >/dev/null 2>&1
t "$WRIT" run --dry-run --dns localhost -k ci.key --realm prod uptime
expect dns_targets_in_dry_run 0 "$first: request: realm prod, host id $first, op uptime"
