# attack.sh: sourced after lib.sh and sshd.sh by every tests/attack script.
# An attack test proves three things of each attack it makes: nothing ran
# (a canary file the op would have made is absent), the gate said the
# expected refusal word, and the gate's audit log holds a record of it.
#
#   attack_setup            gate_setup, a canary directory the gate may
#                           write, sshd_start
#   canary_path NAME        where the canary op of attack NAME would write
#   no_canary TEST NAME     PASS when NAME's canary was never made
#   audited TEST REASON [TEXT]
#                           PASS when a line of the audit log has
#                           reason="REASON" (and the fixed string TEXT)
#   refused_attack TEST WORD REASON MKREQUEST-ARGS...
#                           sends a canary request built from the args (the
#                           canary param is added), expects a verdict that
#                           starts "refused WORD", the audit reason and no
#                           canary: the three proofs in one call

attack_setup() {
	gate_setup
	mkdir -p "$GATE_DIR/canary"
	gate_own "$GATE_DIR/canary"
	sshd_start
}

canary_path() { echo "$GATE_DIR/canary/$1"; }

no_canary() {
	if [ -e "$(canary_path "$2")" ]; then
		fail "$1" "the canary of $2 was made: the op ran"
	else
		pass "$1"
	fi
}

audited() {
	local test=$1 reason=$2 text=${3:-}
	if grep -F "reason=\"$reason\"" "$GATE_DIR/audit.log" 2>/dev/null |
	    grep -qF -- "$text"; then
		pass "$test"
	else
		fail "$test" "no audit record with reason=\"$reason\" ${text:+and '$text'}: $(tail -n 2 "$GATE_DIR/audit.log" 2>/dev/null | cut -c 1-300)"
	fi
}

refused_attack() {
	local test=$1 word=$2 reason=$3
	shift 3
	send "$test" "$@" canary "path=$(canary_path "$test")"
	verdict_is "${test}_refused_$word" "$test" "refused $word "
	no_canary "${test}_runs_nothing" "$test"
	audited "${test}_is_audited" "$reason" "$(canary_path "$test")"
}
