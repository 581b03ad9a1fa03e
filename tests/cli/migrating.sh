# migrating.sh: every `writ` command line in the `sh` blocks of
# docs/MIGRATING.md is one writ accepts. Each runs as written (in a
# directory with the files and hosts lists it names) with --dry-run added,
# against a client config naming an inventory, a signer key and a signed
# policy copy with the page's ops: it must exit 0, no option unknown, and
# the dry run must say the gate would allow it. A page with no such line,
# or fewer than the tools it covers, fails too.
. "$(dirname "$0")/../lib.sh"

export HOME=$SCRATCH/home PATH=$WRIT_BUILD:$PATH
unset WRIT_CONFIG WRIT_KEY WRIT_REALM WRIT_INVENTORY SSH_AUTH_SOCK
mkdir -p "$HOME/.config/writ" "$SCRATCH/work/logs" "$SCRATCH/work/out" \
    "$SCRATCH/work/err" "$SCRATCH/work/logs-err"
cd "$HOME" || exit 1
"$WRIT" keygen -W --authority authority >/dev/null 2>&1 &&
    "$WRIT" keygen -W ci >/dev/null 2>&1 || { fail keys "writ keygen"; exit 1; }
cat > policy.ini <<INI
[policy]
realm   = prod
serial  = 1
issued  = $(date -u +%Y-%m-%dT00:00:00Z)
expires = $(date -u -d '+30 days' +%Y-%m-%dT00:00:00Z)

[signer ci]
key   = $(tail -n 1 ci.pub)
roles = ci

[role ci]
ops   = uptime, restart, health, copy, release, fetch-log, kill
hosts = web*

[op uptime]
exec    = /usr/bin/uptime
timeout = 10

[op restart]
exec       = /usr/bin/sudo -n /usr/bin/systemctl restart {unit}
param.unit = nginx\.service
timeout    = 60

[op health]
exec       = /usr/bin/systemctl is-active --quiet {unit}
param.unit = nginx\.service
timeout    = 10

[op copy]
upload     = /srv/files/{name}
param.name = [A-Za-z0-9][A-Za-z0-9._-]*
max_size   = 1M
timeout    = 10

[op release]
upload        = /srv/app/releases/{version}.tar.gz
param.version = [0-9]+\.[0-9]+\.[0-9]+
max_size      = 1M
exec          = /usr/local/lib/writ/release.sh {upload} {version}
timeout       = 60

[op fetch-log]
download  = /var/log/app/{day}.log
param.day = [0-9]{4}-[0-9]{2}-[0-9]{2}
max_size  = 1M
timeout   = 10

[op kill]
exec       = /usr/bin/pkill -x {name}
param.name = [A-Za-z0-9_][A-Za-z0-9_-]{0,14}
message    = required
timeout    = 10
INI
"$WRIT" policy sign -s authority.key policy.ini >/dev/null ||
	{ fail policy "writ policy sign"; exit 1; }
printf '[group web]\nhosts = web[01-12]\n' > fleet.ini
cat > .config/writ/writ.ini <<INI
[defaults]
inventory = ~/fleet.ini
realm     = prod
key       = ~/ci.key
policy    = ~/policy.ini
authority = ~/authority.pub
INI
cd "$SCRATCH/work" || exit 1
printf 'web01\nweb02\nweb03\n' > hosts.txt
printf 'web02\n' > failed.txt
echo motd > motd.txt
echo tar > app-1.4.2.tar.gz

awk '/^```sh$/ { on = 1; next } on && /^```$/ { on = 0 } on && /^writ /' \
    "$SRC/docs/MIGRATING.md" > "$SCRATCH/lines"
n=$(wc -l < "$SCRATCH/lines")
[ "$n" -ge 10 ] && pass page_has_writ_commands ||
	fail page_has_writ_commands "only $n writ lines in sh blocks"
i=0
while IFS= read -r line; do
	i=$((i + 1))
	# The line as written, then --dry-run: options end before the OP, so
	# --dry-run goes right after the command word.
	cmd=${line#writ }
	sub=${cmd%% *}
	rest=${cmd#"$sub" }
	timeout 30 bash -c "\"\$0\" $sub --dry-run $rest" "$WRIT" \
	    > "$SCRATCH/out" 2>&1 </dev/null
	rc=$?
	if [ "$rc" = 0 ] && ! grep -q 'unknown\|usage' "$SCRATCH/out" &&
	    grep -q ' 0 of [0-9]* hosts\{0,1\} would refuse (policy ' "$SCRATCH/out"; then
		pass "line_${i}_accepted"
	else
		fail "line_${i}_accepted" "$line: exit $rc: $(head -c 400 "$SCRATCH/out")"
	fi
done < "$SCRATCH/lines"
