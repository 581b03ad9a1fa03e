# run_dry.sh: `writ run --dry-run` resolves targets, loads the keys, prints
# each request that would be signed and, with the policy copy, the verdict
# each host's gate would give; it contacts no host (the targets are closed
# ports on loopback: a real run would exit 4, unreachable).
. "$(dirname "$0")/../lib.sh"

export HOME=$SCRATCH/home
unset WRIT_CONFIG WRIT_KEY WRIT_REALM WRIT_INVENTORY WRIT_PASSPHRASE_FILE
"$WRIT" keygen -W --authority authority >/dev/null 2>&1 ||
	fail keygen_authority "writ keygen -W --authority failed"
for k in ci rm; do
	"$WRIT" keygen -W "$k" >/dev/null 2>&1 ||
		fail "keygen_$k" "writ keygen -W $k failed"
done
cat > policy.ini <<POLICY
[policy]
realm   = prod
serial  = 9
issued  = $(date -u -d '-1 day' +%Y-%m-%dT00:00:00Z)
expires = $(date -u -d '+30 days' +%Y-%m-%dT00:00:00Z)

[signer ci]
key   = $(tail -n 1 ci.pub)
roles = deployer

[signer rm]
key   = $(tail -n 1 rm.pub)
roles = deployer

[role deployer]
ops   = uptime, restart, fetch, ship
hosts = web*

[op fetch]
download   = /etc/{name}
param.name = hostname
max_size   = 1K
timeout    = 10

[op ship]
upload     = /srv/{name}
param.name = [a-z.]+
max_size   = 1M
timeout    = 10

[op uptime]
exec    = /usr/bin/uptime
timeout = 10

[op restart]
exec       = /usr/bin/systemctl restart {unit}
param.unit = (nginx|php-fpm)\.service
timeout    = 120
approvals  = 2
POLICY
"$WRIT" policy sign -s authority.key policy.ini >/dev/null 2>&1 ||
	fail policy_signs "writ policy sign failed"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf '[host web01]\naddress = 127.0.0.1\nport = %s\n\n[host db1]\naddress = 127.0.0.1\nport = %s\n' \
    "$PORT" "$PORT" > inv.ini
export WRIT_INVENTORY=$SCRATCH/inv.ini
P=(--policy policy.ini --authority authority.pub)
# has NAME 'exact line': the last output holds that line.
has() {
	if grep -qxF -- "$2" "$SCRATCH/out"; then pass "$1"
	else fail "$1" "no line '$2' in: $(head -c 600 "$SCRATCH/out")"; fi
}

t "$WRIT" run --dry-run -H web01 -k ci.key --realm prod -m 'CHG 1' restart unit=nginx.service
expect prints_request_without_connecting 0 \
    "web01: request: realm prod, host id web01, op restart unit=nginx.service, message 'CHG 1', window 300 s"
has says_no_policy_was_checked 'writ: dry run: 1 host; no policy copy checked (--policy); nothing sent'
# minisign's comment drops leading zeros of the key id; writ prints 16 digits.
has names_the_signing_key "signer: key $(printf '%16s' "$(sed -n '1s/.* //p' ci.pub)" | tr ' ' 0) (ci.key)"

t "$WRIT" run --dry-run -H web01 -k ci.key -k rm.key --realm prod "${P[@]}" restart unit=nginx.service
expect policy_copy_accepts 0 'web01: policy: accept: /usr/bin/systemctl restart nginx.service'
has summary_counts_refusals 'writ: dry run: 0 of 1 host would refuse (policy policy.ini serial 9); nothing sent'

t "$WRIT" run --dry-run -H web01,db1 -k ci.key --realm prod "${P[@]}" uptime
expect refusal_exits_6 6 'db1: policy: refuse: not-authorized: op uptime on db1 needs 1 approval, has 0: signer ci holds no role granting it'
has accepted_host_beside_refused 'web01: policy: accept: /usr/bin/uptime'

t "$WRIT" run --dry-run -H web01 -k ci.key --realm prod "${P[@]}" restart unit=nginx.service
expect missing_approval_is_refused 6 'web01: policy: refuse: not-authorized: op restart on web01 needs 2 approvals, has 1'

t "$WRIT" run --dry-run -H web01 -k ci.key -k rm.key --realm prod "${P[@]}" restart unit=apache.service
expect bad_param_is_refused 6 'web01: policy: refuse: bad-param: '

t "$WRIT" run --dry-run -H web01 -k ci.key --realm staging "${P[@]}" uptime
expect wrong_realm_is_refused 6 'web01: policy: refuse: wrong-realm: '

t "$WRIT" run --dry-run -H web01 -k ci.key --realm prod --ttl 900 "${P[@]}" uptime
expect long_window_is_refused 6 'web01: policy: refuse: window-too-long: '

# A rolling run's health check is a request too: printed, and judged.
t "$WRIT" run --dry-run -H web01 -k ci.key -k rm.key --realm prod "${P[@]}" \
    --mode rolling --batch 1 --health 'restart unit=apache.service' uptime
expect health_check_is_judged 6 'web01: health policy: refuse: bad-param: '
has health_check_is_printed 'web01: health check: realm prod, host id web01, op restart unit=apache.service, message -, window 300 s'
has main_op_still_accepted 'web01: policy: accept: /usr/bin/uptime'
has health_counts_once 'writ: dry run: 1 of 1 host would refuse (policy policy.ini serial 9); nothing sent'

# An op of another command is refused before anything else, with the
# command to use (a download op has no file to go to in writ run).
t "$WRIT" run --dry-run -H web01 -k ci.key --realm prod "${P[@]}" fetch name=hostname
expect run_of_download_op_says_use_get 2 \
    'writ: run: op fetch sends a file (policy policy.ini): use writ get'
t "$WRIT" run -H web01 -k ci.key --realm prod "${P[@]}" fetch name=hostname
expect run_of_download_op_refused_before_connecting 2 'use writ get'
echo data > ship.txt
t "$WRIT" get --dest "$SCRATCH" -H web01 -k ci.key --realm prod "${P[@]}" ship name=a.txt
expect get_of_upload_op_says_use_put 2 \
    'writ: get: op ship takes an upload (policy policy.ini): use writ put'
t "$WRIT" put -H web01 -k ci.key --realm prod "${P[@]}" uptime ship.txt
expect put_of_plain_op_says_use_run 2 \
    'writ: put: op uptime takes no file (policy policy.ini): use writ run'
t "$WRIT" run --dry-run -H web01 -k ci.key --realm prod "${P[@]}" \
    --mode rolling --batch 1 --health 'fetch name=hostname' uptime
expect health_op_must_be_plain 2 \
    'writ: run: --health: op fetch sends a file (policy policy.ini): a health op is a plain run'
# A policy copy that expires within 14 days: one warning on stderr, however
# many hosts; the 30-day copy of the runs above gave none.
grep -q 'warning: policy' "$SCRATCH/out" &&
	fail no_warning_for_a_30_day_copy "$(cat "$SCRATCH/out")" ||
	pass no_warning_for_a_30_day_copy
SOON=$(date -u -d '+5 days' +%Y-%m-%dT%H:%M:%SZ)
sed "s/^expires = .*/expires = $SOON/" policy.ini > soon.ini
"$WRIT" policy sign -s authority.key soon.ini >/dev/null 2>&1 ||
	fail soon_policy_signs "writ policy sign failed"
timeout 60 "$WRIT" run --dry-run -H web01,web02,db1 -k ci.key --realm prod \
    --policy soon.ini --authority authority.pub uptime > soon.out 2> soon.err
rc=$?
if [ "$rc" = 6 ] && [ "$(grep -c 'warning: policy' soon.err)" = 1 ] &&
    grep -q "^writ: warning: policy soon.ini expires at $SOON, in 5 days; gates refuse every request after that\$" soon.err; then
	pass warns_once_when_policy_copy_expires_soon
else
	fail warns_once_when_policy_copy_expires_soon "exit $rc: $(cat soon.err)"
fi
HOURS=$(date -u -d '+3 hours' +%Y-%m-%dT%H:%M:%SZ)
sed "s/^expires = .*/expires = $HOURS/" policy.ini > hours.ini
"$WRIT" policy sign -s authority.key hours.ini >/dev/null 2>&1 ||
	fail hours_policy_signs "writ policy sign failed"
t "$WRIT" run --dry-run -H web01 -k ci.key --realm prod --policy hours.ini \
    --authority authority.pub uptime
expect warns_policy_copy_expires_within_a_day 0 \
    "writ: warning: policy hours.ini expires at $HOURS, in less than a day"

t "$WRIT" run --dry-run -H web01 -k ci.key --realm prod --policy policy.ini uptime
expect policy_without_authority_is_usage 2 'writ: run: --policy policy.ini needs --authority PUB'

cp policy.ini bad.ini && cp policy.ini.minisig bad.ini.minisig
sed -i 's/^hosts = web\*/hosts = */' bad.ini
t "$WRIT" run --dry-run -H db1 -k ci.key --realm prod --policy bad.ini --authority authority.pub uptime
if [ "$rc" = 1 ] && ! grep -q 'policy: accept' "$SCRATCH/out"; then pass tampered_policy_is_refused
else fail tampered_policy_is_refused "exit $rc: $(cat "$SCRATCH/out")"; fi

printf 'not a key\n' > junk.key
chmod 600 junk.key
t "$WRIT" run --dry-run -H web01 -k junk.key --realm prod uptime
expect bad_key_fails 1 'writ: run: '

t "$WRIT" run --dry-run -H web01 -k ci.key --realm 'no good' uptime
expect bad_realm_is_usage 2 "writ: run: --realm no good: not a realm name"

# The same run without --dry-run reaches for the closed port: exit 4.
t "$WRIT" run -H web01 -k ci.key --realm prod --connect-timeout 2 uptime
expect without_dry_run_it_connects 4 'web01: unreachable'
