# param_smuggling.sh: a signer allowed an op with a permissive regex (.*)
# tries to smuggle more than a value through it: a path escape, an option,
# a control byte, an empty value, a param the op does not declare, or none.
# The value rules hold whatever the regex says: each is refused bad-param,
# audited, and the op (touch of a file under the canary directory) never
# runs.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/attack.sh"

attack_setup
sed -i -e '0,/^ops   = /s//ops   = touchy, /' "$GATE_DIR/policy.ini"
cat >> "$GATE_DIR/policy.ini" <<POLICY

[op touchy]
exec       = /usr/bin/touch $GATE_DIR/canary/{file}
param.file = .*
timeout    = 10
POLICY
(cd "$GATE_DIR" && "$WRIT" policy sign -s authority.key policy.ini >/dev/null) ||
	fail sign_policy "writ policy sign failed"
gate_own "$GATE_DIR/policy.ini" "$GATE_DIR/policy.ini.minisig"

# smuggle TEST VALUE-ARGS...: touchy with these params is refused bad-param.
smuggle() {
	local test=$1
	shift
	send "$test" -k "$(k ci)" $(req) touchy "$@"
	verdict_is "${test}_refused" "$test" "refused bad-param "
	grep -F 'reason="bad-param"' "$GATE_DIR/audit.log" |
	    grep -qF "$(grep -o '^refused bad-param [0-9a-f]*' "$SCRATCH/$test.verdict" | cut -d' ' -f3)" &&
		pass "${test}_is_audited" || fail "${test}_is_audited" "no bad-param record"
}

send plain_value_runs -k "$(k ci)" $(req) touchy file=ok
verdict_is plain_value_runs plain_value_runs "accepted "
[ -e "$GATE_DIR/canary/ok" ] && pass permissive_op_works ||
	fail permissive_op_works "canary/ok was not made"

smuggle path_escape 'file=../escaped'
[ -e "$GATE_DIR/escaped" ] && fail path_escape_runs_nothing "made" ||
	pass path_escape_runs_nothing
smuggle dotdot_value 'file=..'
smuggle option_value 'file=-r/etc/passwd'
smuggle newline_value "file=a$(printf '\nb')"
smuggle escape_value "file=a$(printf '\033')[2J"
smuggle empty_value 'file='
smuggle extra_param file=x2 also=1
smuggle missing_param
ls "$GATE_DIR/canary" > "$SCRATCH/made"
[ "$(cat "$SCRATCH/made")" = ok ] && pass only_the_plain_value_ran ||
	fail only_the_plain_value_ran "canary dir: $(tr '\n' ' ' < "$SCRATCH/made")"
