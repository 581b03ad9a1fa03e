# policy_rollback.sh: an attacker who can write the gate's policy files (but
# holds no authority key) puts back an older signed policy, to bring back a
# signer that the newer one removed. The gate must refuse it once it has
# seen the newer one, even if every request under the newer one was refused
# and even when many sessions saw it at once.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/attack.sh"

attack_setup

# sign_policy: the edited policy.ini signed again by the authority.
sign_policy() {
	(cd "$GATE_DIR" && "$WRIT" policy sign -s authority.key policy.ini >/dev/null) ||
		fail sign_policy "writ policy sign failed"
	gate_own "$GATE_DIR/policy.ini" "$GATE_DIR/policy.ini.minisig"
}
# keep NAME / put_back NAME: a copy of both policy files, and the copy
# copied back over them (what the attacker does).
keep() {
	cp "$GATE_DIR/policy.ini" "$SCRATCH/$1.ini"
	cp "$GATE_DIR/policy.ini.minisig" "$SCRATCH/$1.ini.minisig"
}
put_back() {
	cp "$SCRATCH/$1.ini" "$GATE_DIR/policy.ini"
	cp "$SCRATCH/$1.ini.minisig" "$GATE_DIR/policy.ini.minisig"
	gate_own "$GATE_DIR/policy.ini" "$GATE_DIR/policy.ini.minisig"
}

# Serial 1 lists rm as a signer; serial 2 removes rm (and the two-approval
# rule that needed rm).
keep serial1
write_policy 2
python3 - "$GATE_DIR/policy.ini" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = re.sub(r'\[signer rm\]\n(?:[^\[\n][^\n]*\n)*\n?', '', s)
# With one signer left, no op can ask for two approvals.
s = re.sub(r'(?m)^approvals(\s*)= 2$', r'approvals\1= 1', s)
open(p, 'w').write(s)
PY
grep -q '^\[signer rm\]' "$GATE_DIR/policy.ini" &&
	fail serial2_removes_rm "the edit left [signer rm]"
sign_policy
keep serial2

# Under serial 2, rm's request is refused (its key is no signer there), and
# no request at all is accepted.
refused_attack removed_signer_under_serial2 unauthenticated unknown-signer \
    -k "$(k rm)" $(req)

# The attacker puts serial 1 back: rm would be a signer again.
put_back serial1
refused_attack rolled_back_policy_refused unavailable policy-rollback \
    -k "$(k rm)" $(req)
refused_attack rolled_back_policy_refused_for_all unavailable policy-rollback \
    -k "$(k ci)" $(req)

# Serial 3 seen only by eight sessions at once, all refused (an unknown
# signer), then serial 2 put back: still a rollback.
put_back serial2
write_policy 3
pids=()
for i in 1 2 3 4 5 6 7 8; do
	send "burst$i" -k "$(k outsider)" $(req) uptime &
	pids+=($!)
done
wait "${pids[@]}"
n=$(cat "$SCRATCH"/burst*.verdict 2>/dev/null | grep -c '^refused unauthenticated ')
[ "$n" = 8 ] && pass concurrent_sessions_refused ||
	fail concurrent_sessions_refused "$n of 8 refused unauthenticated"
put_back serial2
refused_attack rollback_after_concurrent_sessions unavailable policy-rollback \
    -k "$(k ci)" $(req)
grep -q '^serial 3$' "$GATE_DIR/state/state" && pass floor_recorded_is_3 ||
	fail floor_recorded_is_3 "$(cat "$GATE_DIR/state/state")"
