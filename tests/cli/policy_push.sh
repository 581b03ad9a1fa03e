# policy_push.sh: @policy-update and writ policy push end to end, on three
# gates: a newer policy is installed (both files, minisign verifies the
# pair) and raises the floor; the same policy again is ok; an older,
# same-serial-other-file, foreign-realm, expired, unsigned or tampered one
# is refused and audited, and leaves the files as they were and the gate
# working; a rolling push halts at the gate that refuses; sessions running
# while a push swaps the pair never see bad-policy.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_setup
PUSH=$SCRATCH/push
mkdir -p "$PUSH"
(cd "$GATE_DIR" && "$WRIT" keygen -W --authority other >/dev/null 2>&1)
# mkpush NAME SERIAL: the test policy at SERIAL with the built-ins, signed,
# as PUSH/NAME.ini (made before any push: write_policy writes the gate's
# own file, which a push turns into a link).
mkpush() {
	local name=$1
	write_policy "$2"
	grant_builtins
	cp "$GATE_DIR/policy.ini" "$PUSH/$name.ini"
	cp "$GATE_DIR/policy.ini.minisig" "$PUSH/$name.ini.minisig"
}
mkpush p1 1
mkpush p2 2
mkpush p3 3
mkpush p5 5
POLICY_NOTE="serial 2, another file" mkpush p2b 2
POLICY_ISSUED=2020-01-01T00:00:00Z POLICY_EXPIRES=2020-02-01T00:00:00Z \
    mkpush expired 6
mkpush foreign 7
sed -i 's/^realm   = test$/realm   = other/' "$PUSH/foreign.ini"
"$WRIT" policy sign -s "$GATE_DIR/authority.key" "$PUSH/foreign.ini" >/dev/null
mkpush unsigned 8
"$WRIT" policy sign -s "$GATE_DIR/other.key" "$PUSH/unsigned.ini" >/dev/null
mkpush tampered 9
sed -i 's/^; test policy$/; test policy, edited after signing/' "$PUSH/tampered.ini"
chmod 0644 "$PUSH"/*

# Gates: web01 and web03 on serial 1, web02 already on serial 5.
for n in 2 3; do
	gate_ini_for "$n"
done
cp "$PUSH/p5.ini" "$GATE_DIR/policy2.ini"
cp "$PUSH/p5.ini.minisig" "$GATE_DIR/policy2.ini.minisig"
for f in policy.ini policy3.ini; do
	cp "$PUSH/p1.ini" "$GATE_DIR/$f"
	cp "$PUSH/p1.ini.minisig" "$GATE_DIR/$f.minisig"
done
gate_own "$GATE_DIR"
chmod 0700 "$GATE_DIR/state2" "$GATE_DIR/state3"
three_gates_start

# push NAME FILE ARGS...: writ policy push with the test's settings.
push() {
	local name=$1 file=$2
	shift 2
	RUN_CMD="policy push" r "$name" "$@" "$file"
}
# unchanged TEST GATE-POLICY PUSHED: the gate's policy and its signature
# are byte for byte PUSHED's.
same_pair() {
	if cmp -s "$2" "$3" && cmp -s "$2.minisig" "$3.minisig"; then
		pass "$1"
	else
		fail "$1" "$2 is not $3 (rc $rc: $(head -c 300 "$SCRATCH/$1.err" 2>/dev/null))"
	fi
}
# refused TEST NAME WORD [HOST]: the push exited 6, HOST refused WORD.
refused() {
	if [ "$rc" = 6 ] && grep -q "${4:-web01}: refused $3" "$SCRATCH/$2.err"; then
		pass "$1"
	else
		fail "$1" "rc $rc: $(head -c 400 "$SCRATCH/$2.err")"
	fi
}
# still_runs TEST: a normal op still runs on web01.
still_runs() {
	r "$1" -H web01 echo word=alive
	[ "$rc" = 0 ] && grep -q 'alive' "$SCRATCH/$1.out" && pass "$1" ||
		fail "$1" "rc $rc: $(head -c 300 "$SCRATCH/$1.err")"
}

# A newer policy: installed, both files, and minisign verifies the pair.
push newer "$PUSH/p2.ini" -H web01
[ "$rc" = 0 ] && grep -q 'installed policy serial 2 (was 1)' "$SCRATCH/newer.out" &&
    pass push_installs_newer || fail push_installs_newer "rc $rc: $(head -c 400 "$SCRATCH/newer.err")"
same_pair push_writes_both_files "$GATE_DIR/policy.ini" "$PUSH/p2.ini"
if command -v minisign >/dev/null; then
	t minisign -Vq -p "$GATE_DIR/authority.pub" -m "$GATE_DIR/policy.ini"
	expect installed_pair_verifies_with_minisign 0
else
	skip installed_pair_verifies_with_minisign "no minisign"
fi
t "${AS_GATE[@]}" "$GATE" --check -c "$GATE_DIR/gate.ini"
expect check_accepts_installed_policy 0
expect check_says_policy_update_works 0 '@policy-update can install policies'
expect check_warns_trust_beside_policy 0 'authority.pub is in the policy'"'"'s directory'
RUN_CMD=status r st2 -H web01 --json
grep -q '"policy_serial":2,.*"serial_floor":2' "$SCRATCH/st2.out" &&
    pass push_raises_floor || fail push_raises_floor "$(head -c 400 "$SCRATCH/st2.out" "$SCRATCH/st2.err")"
grep -q 'event="finished".* op="@policy-update" .*exit=0 ' "$GATE_DIR/audit.log" &&
    pass push_is_audited || fail push_is_audited "$(tail -n 2 "$GATE_DIR/audit.log")"
still_runs op_runs_after_install

# The same policy again: ok, nothing to do.
push again "$PUSH/p2.ini" -H web01
[ "$rc" = 0 ] && grep -q 'already installed; nothing to do' "$SCRATCH/again.out" &&
    pass push_same_again_is_ok || fail push_same_again_is_ok "rc $rc: $(head -c 400 "$SCRATCH/again.err")"

# Refusals: each audited, the pair left as it was, the gate working.
n=0
for c in "p1 policy-rollback older" "p2b policy-rollback same_serial_other_file" \
    "foreign policy-realm foreign_realm" "expired policy-expired expired" \
    "unsigned unauthenticated-or-bad-policy unsigned" "tampered bad-policy tampered"; do
	set -- $c
	n=$((n + 1))
	push "bad$n" "$PUSH/$1.ini" -H web01
	word=$2
	[ "$1" = unsigned ] && word=bad-policy
	refused "push_refuses_$3" "bad$n" "$word"
	grep -q "event=\"refused\".* op=\"@policy-update\" .*reason=\"$word\"" \
	    "$GATE_DIR/audit.log" && pass "refusal_audited_$3" ||
	    fail "refusal_audited_$3" "$(tail -n 1 "$GATE_DIR/audit.log")"
	same_pair "refusal_leaves_pair_$3" "$GATE_DIR/policy.ini" "$PUSH/p2.ini"
done
still_runs op_runs_after_refusals

# --authority: a policy of another realm is refused here, before any host.
push local "$PUSH/foreign.ini" -H web01 --authority "$GATE_DIR/authority.pub"
[ "$rc" = 1 ] && grep -q 'realm other, not --realm test' "$SCRATCH/local.err" &&
    pass push_checks_realm_locally || fail push_checks_realm_locally "rc $rc: $(head -c 300 "$SCRATCH/local.err")"

# Rolling, one host a batch: web01 installs serial 3, web02 (on serial 5)
# refuses it, the push halts and web03 is never contacted.
push rolling "$PUSH/p3.ini" -H web01,web02,web03 --mode rolling --batch 1 \
    --json "$SCRATCH/rolling.jsonl"
if [ "$rc" = 6 ] && grep -q 'web02: refused policy-rollback' "$SCRATCH/rolling.err" &&
    grep -q '"target":"web03".*"status":"skipped"' "$SCRATCH/rolling.jsonl" &&
    grep -q '"target":"web01".*"status":"ok"' "$SCRATCH/rolling.jsonl"; then
	pass rolling_push_halts_at_refusal
else
	fail rolling_push_halts_at_refusal "rc $rc: $(head -c 500 "$SCRATCH/rolling.err")"
fi
same_pair rolling_installed_first "$GATE_DIR/policy.ini" "$PUSH/p3.ini"
same_pair rolling_left_refusing_gate "$GATE_DIR/policy2.ini" "$PUSH/p5.ini"
same_pair rolling_skipped_last "$GATE_DIR/policy3.ini" "$PUSH/p1.ini"
[ ! -e "$GATE_DIR/audit3.log" ] || ! grep -q '@policy-update' "$GATE_DIR/audit3.log" &&
    pass skipped_gate_saw_nothing || fail skipped_gate_saw_nothing "$(tail -n 1 "$GATE_DIR/audit3.log")"

# Sessions in a loop on web03 while two pushes swap its pair (the first
# also moves its plain files into versions): none sees bad-policy.
stop=$SCRATCH/stop
(
	i=0
	while [ ! -e "$stop" ] && [ $i -lt 200 ]; do
		i=$((i + 1))
		r "loop$((i % 4))" -H web03 echo word=loop
		[ "$rc" = 0 ] || cat "$SCRATCH/loop$((i % 4)).err" >> "$SCRATCH/loop.bad"
	done
	echo $i > "$SCRATCH/loop.count"
) &
loop_pid=$!
sleep 1
push swap1 "$PUSH/p2.ini" -H web03
rc1=$rc
push swap2 "$PUSH/p3.ini" -H web03
rc2=$rc
sleep 1
touch "$stop"
wait "$loop_pid"
if [ "$rc1" = 0 ] && [ "$rc2" = 0 ] && [ ! -e "$SCRATCH/loop.bad" ] &&
    ! grep -q 'bad-policy' "$GATE_DIR/audit3.log"; then
	pass concurrent_sessions_never_see_a_torn_pair
else
	fail concurrent_sessions_never_see_a_torn_pair "push $rc1 $rc2; $(head -c 400 "$SCRATCH/loop.bad" 2>/dev/null) $(grep -c bad-policy "$GATE_DIR/audit3.log")"
fi
same_pair concurrent_push_installed "$GATE_DIR/policy3.ini" "$PUSH/p3.ini"
[ "$(cat "$SCRATCH/loop.count")" -gt 2 ] && pass concurrent_loop_ran ||
    fail concurrent_loop_ran "$(cat "$SCRATCH/loop.count") sessions"
