# ops.sh: `writ ops` lists, per host id, the ops the given signers' roles
# grant there, with params and needs, from the client's policy copy, used
# only once its signature verifies with the authority key.
. "$(dirname "$0")/../lib.sh"

export HOME=$SCRATCH/home
unset WRIT_CONFIG WRIT_KEY WRIT_REALM WRIT_INVENTORY WRIT_PASSPHRASE_FILE
"$WRIT" keygen -W --authority authority >/dev/null 2>&1 ||
	fail keygen_authority "writ keygen -W --authority failed"
for k in ci rm dba outsider; do
	"$WRIT" keygen -W "$k" >/dev/null 2>&1 ||
		fail "keygen_$k" "writ keygen -W $k failed"
done
cat > policy.ini <<POLICY
[policy]
realm   = prod
serial  = 3
issued  = $(date -u -d '-1 day' +%Y-%m-%dT00:00:00Z)
expires = $(date -u -d '+30 days' +%Y-%m-%dT00:00:00Z)

[signer ci]
key   = $(tail -n 1 ci.pub)
roles = deployer

[signer rm]
key   = $(tail -n 1 rm.pub)
roles = deployer

[signer dba]
key   = $(tail -n 1 dba.pub)
roles = dbadmin

[role deployer]
ops   = uptime, restart, deploy-note, fetch-log
hosts = web*

[role dbadmin]
ops   = uptime, vacuum
hosts = db*

[op uptime]
exec    = /usr/bin/uptime
timeout = 10

[op restart]
exec       = /usr/bin/systemctl restart {unit}
param.unit = (nginx|php-fpm)\.service
timeout    = 120
approvals  = 2

[op deploy-note]
exec       = /usr/bin/logger -t deploy {text}
param.text = [a-z ]+
message    = required
timeout    = 10

[op fetch-log]
download  = /var/log/app/{day}.log
param.day = [0-9]{4}-[0-9]{2}-[0-9]{2}
max_size  = 50M
timeout   = 60

[op vacuum]
exec    = /usr/bin/vacuumdb --all
timeout = 600
POLICY
"$WRIT" policy sign -s authority.key policy.ini >/dev/null 2>&1 ||
	fail policy_signs "writ policy sign failed"

# exact NAME STATUS: the last `t` exited STATUS and printed exactly stdin.
exact() {
	cat > "$SCRATCH/want"
	if [ "$rc" != "$2" ]; then
		fail "$1" "exit $rc, want $2: $(head -c 300 "$SCRATCH/out")"
	elif ! cmp -s "$SCRATCH/want" "$SCRATCH/out"; then
		fail "$1" "output differs: $(diff "$SCRATCH/want" "$SCRATCH/out" | head -c 400)"
	else
		pass "$1"
	fi
}
P=(--policy policy.ini --authority authority.pub)

t "$WRIT" ops -H web01,db1 -k ci.pub "${P[@]}"
exact lists_granted_ops_with_params_per_host 0 <<'OUT'
web01: uptime
web01: restart unit=(nginx|php-fpm)\.service (approvals 2)
web01: deploy-note text=[a-z ]+ (message required)
web01: fetch-log day=[0-9]{4}-[0-9]{2}-[0-9]{2} (download)
db1: (no ops)
OUT

t "$WRIT" ops -H 'web01,db[1-2]' -k ci.key -k dba.pub "${P[@]}"
exact several_signers_give_the_union 0 <<'OUT'
web01: uptime
web01: restart unit=(nginx|php-fpm)\.service (approvals 2)
web01: deploy-note text=[a-z ]+ (message required)
web01: fetch-log day=[0-9]{4}-[0-9]{2}-[0-9]{2} (download)
db1: uptime
db1: vacuum
db2: uptime
db2: vacuum
OUT

# One line set per host id: web01 on two ports is one gate.
t "$WRIT" ops -H web01,web01:2222 -k dba.key "${P[@]}"
exact one_answer_per_host_id 0 <<'OUT'
web01: (no ops)
OUT

t "$WRIT" ops -H web01 -k outsider.pub "${P[@]}"
expect unknown_signer_is_an_error 1 "writ: ops: outsider.pub: key $(printf '%16s' "$(sed -n '1s/.* //p' outsider.pub)" | tr ' ' 0) is not a signer in policy policy.ini (serial 3)"

t "$WRIT" ops -H web01 -k ci.pub --policy policy.ini
expect policy_needs_authority 1 'writ: ops: policy policy.ini: --authority PUB'

cp policy.ini tampered.ini
cp policy.ini.minisig tampered.ini.minisig
sed -i 's/^hosts = db\*/hosts = */' tampered.ini
t "$WRIT" ops -H web01 -k dba.pub --policy tampered.ini --authority authority.pub
if [ "$rc" = 1 ] && ! grep -q vacuum "$SCRATCH/out"; then pass tampered_policy_is_refused
else fail tampered_policy_is_refused "exit $rc: $(cat "$SCRATCH/out")"; fi

t "$WRIT" ops -H web01 -k ci.pub --policy policy.ini --authority ci.pub
expect wrong_authority_is_refused 1 'writ: ops: '

printf '[defaults]\npolicy = %s/policy.ini\nauthority = %s/authority.pub\nkey = %s/dba.pub\n' \
    "$SCRATCH" "$SCRATCH" "$SCRATCH" > writ.ini
WRIT_CONFIG=$SCRATCH/writ.ini t "$WRIT" ops -H db1
exact config_gives_policy_authority_and_key 0 <<'OUT'
db1: uptime
db1: vacuum
OUT
WRIT_CONFIG=$SCRATCH/writ.ini t "$WRIT" ops -H db1 -k ci.pub
exact key_option_replaces_config_key 0 <<'OUT'
db1: (no ops)
OUT

# A copy that expires within 14 days: one warning line on stderr, the
# listing as before. (The 30-day copy above gave none: exact output.)
SOON=$(date -u -d '+5 days' +%Y-%m-%dT%H:%M:%SZ)
sed "s/^expires = .*/expires = $SOON/" policy.ini > soon.ini
"$WRIT" policy sign -s authority.key soon.ini >/dev/null 2>&1 ||
	fail soon_policy_signs "writ policy sign failed"
timeout 60 "$WRIT" ops -H web01 -k ci.pub --policy soon.ini \
    --authority authority.pub > soon.out 2> soon.err
rc=$?
if [ "$rc" = 0 ] && [ "$(wc -l < soon.err)" = 1 ] &&
    grep -q "^writ: warning: policy soon.ini expires at $SOON, in 5 days; gates refuse every request after that\$" soon.err &&
    grep -qx 'web01: uptime' soon.out; then
	pass warns_policy_copy_expires_soon
else
	fail warns_policy_copy_expires_soon "exit $rc: $(cat soon.err soon.out)"
fi

t "$WRIT" ops -k ci.pub "${P[@]}"
expect targets_are_required 2 'writ: ops: want targets'

t "$WRIT" ops --help
expect ops_help_has_example 0 'writ ops -H web01,db1 -k ci.pub'
