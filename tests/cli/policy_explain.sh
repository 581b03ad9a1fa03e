# policy_explain.sh: `writ policy explain` gives the gate's decision, word
# for word, for accepted and refused requests, from public keys only.
. "$(dirname "$0")/../lib.sh"

"$WRIT" keygen -W --authority authority >/dev/null 2>&1 ||
	fail keygen_authority "writ keygen -W --authority failed"
for k in ci rm outsider; do
	"$WRIT" keygen -W "$k" >/dev/null 2>&1 ||
		fail "keygen_$k" "writ keygen -W $k failed"
done
ISSUED=$(date -u -d '-1 day' +%Y-%m-%dT00:00:00Z)
EXPIRES=$(date -u -d '+30 days' +%Y-%m-%dT00:00:00Z)
cat > policy.ini <<POLICY
[policy]
realm   = prod
serial  = 7
issued  = $ISSUED
expires = $EXPIRES

[signer ci]
key   = $(tail -n 1 ci.pub)
roles = deployer

[signer rm]
key   = $(tail -n 1 rm.pub)
roles = deployer

[role deployer]
ops   = uptime, restart, deploy-note, fetch-log
hosts = web*

[op uptime]
exec    = /usr/bin/uptime
timeout = 10

[op restart]
exec       = /usr/bin/systemctl restart {unit}
param.unit = (nginx|php-fpm)\.service
timeout    = 120
approvals  = 2
lock       = service

[op deploy-note]
exec    = /usr/bin/logger -t deploy {text}
param.text = [a-z ]+
message = required
timeout = 10

[op fetch-log]
download  = /var/log/app/{day}.log
param.day = [0-9]{4}-[0-9]{2}-[0-9]{2}
max_size  = 50M
timeout   = 60
POLICY
"$WRIT" policy sign -s authority.key policy.ini >/dev/null 2>&1 ||
	fail policy_signs "writ policy sign failed"

# decides NAME STATUS 'exact first line' ARGS...
decides() {
	local name=$1 want_rc=$2 want=$3
	shift 3
	t "$WRIT" policy explain -p authority.pub policy.ini "$@"
	if [ "$rc" != "$want_rc" ]; then
		fail "$name" "exit $rc, want $want_rc: $(head -c 300 "$SCRATCH/out")"
	elif [ "$(head -n 1 "$SCRATCH/out")" != "$want" ]; then
		fail "$name" "got '$(head -n 1 "$SCRATCH/out")', want '$want'"
	else
		pass "$name"
	fi
}
# shows NAME 'exact line': the last output holds that line.
shows() {
	if grep -qxF -- "$2" "$SCRATCH/out"; then
		pass "$1"
	else
		fail "$1" "no line '$2' in: $(head -c 300 "$SCRATCH/out")"
	fi
}

decides accepts_granted_op 0 "accept: op uptime on web01" \
	--signer ci.pub --host web01 uptime
shows shows_argv_that_would_run '  would run: /usr/bin/uptime'
decides refuses_host_outside_role_globs 1 \
	"refuse: not-authorized: op uptime on db01 needs 1 approval, has 0: signer ci holds no role granting it" \
	--signer ci.pub --host db01 uptime
decides refuses_one_of_two_approvals 1 \
	"refuse: not-authorized: op restart on web01 needs 2 approvals, has 1" \
	--signer ci.pub --host web01 restart unit=nginx.service
decides accepts_two_distinct_approvals 0 "accept: op restart on web01" \
	--signer ci.pub --signer rm.pub --host web01 restart unit=nginx.service
shows substitutes_param_into_one_element \
	'  would run: /usr/bin/systemctl restart nginx.service'
shows names_the_lock '  under lock: service'
t "$WRIT" policy explain -p authority.pub policy.ini --signer ci.pub \
	--signer ci.pub --host web01 restart unit=nginx.service
expect refuses_same_signer_twice 1 "refuse: duplicate-signer: "
outsider_hex=$(tail -n 1 outsider.pub | base64 -d | tail -c 32 | od -An -tx1 | tr -d ' \n')
decides refuses_unknown_signer 1 \
	"refuse: unknown-signer: key $outsider_hex is not a signer in policy serial 7" \
	--signer outsider.pub --host web01 uptime
decides refuses_unknown_op 1 "refuse: unknown-op: op reboot is not in the policy" \
	--signer ci.pub --host web01 reboot
decides refuses_param_with_shell_text 1 \
	"refuse: bad-param: param unit holds '/' (param.unit.allow has no slash)" \
	--signer ci.pub --signer rm.pub --host web01 restart 'unit=nginx.service; rm -rf /'
decides refuses_partial_regex_match 1 \
	"refuse: bad-param: param unit does not match (nginx|php-fpm)\.service" \
	--signer ci.pub --signer rm.pub --host web01 restart unit=nginx.servicex
t "$WRIT" policy explain -p authority.pub policy.ini --signer ci.pub \
	--signer rm.pub --host web01 restart
expect refuses_missing_param 1 "refuse: bad-param: "
decides refuses_missing_message 1 \
	"refuse: message-required: op deploy-note requires a message (-m)" \
	--signer ci.pub --host web01 deploy-note 'text=hello world'
decides accepts_with_message 0 "accept: op deploy-note on web01" \
	--signer ci.pub --host web01 -m 'CHG-1234' deploy-note 'text=hello world'
shows keeps_value_with_space_as_one_element \
	"  would run: /usr/bin/logger -t deploy 'hello world'"
decides accepts_download_op 0 "accept: op fetch-log on web01" \
	--signer ci.pub --host web01 fetch-log day=2026-11-24
shows names_download_path '  download from: /var/log/app/2026-11-24.log'
decides refuses_after_policy_expiry 1 \
	"refuse: policy-expired: policy expired at $EXPIRES, now is 2030-01-01T00:00:00Z" \
	--at 2030-01-01T00:00:00Z --signer ci.pub --host web01 uptime
decides refuses_window_longer_than_max_ttl 1 \
	"refuse: window-too-long: request window is 301 s, op uptime allows 300 s" \
	--ttl 301 --signer ci.pub --host web01 uptime

# The signature is checked before anything is decided.
cp policy.ini tampered.ini
cp policy.ini.minisig tampered.ini.minisig
sed -i 's/^serial  = 7/serial  = 8/' tampered.ini
t "$WRIT" policy explain -p authority.pub tampered.ini --signer ci.pub --host web01 uptime
expect refuses_tampered_policy 1 "tampered.ini.minisig: signature does not verify"

t "$WRIT" policy explain policy.ini --host web01 uptime
expect usage_needs_a_signer 2 "usage: writ policy explain"
t "$WRIT" policy explain policy.ini --signer ci.pub --host web01 --at yesterday uptime
expect usage_refuses_bad_time 2 "--at yesterday: not YYYY-MM-DDTHH:MM:SSZ"
t "$WRIT" policy explain policy.ini --signer ci.pub --host web01 uptime novalue
expect refuses_param_without_equals 1 "'novalue' is not NAME=VALUE"
t "$WRIT" policy explain --help
expect help_shows_example 0 "Example:"
