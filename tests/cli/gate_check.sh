# gate_check.sh: writ-gate --check says, like sshd -t, whether the gate
# would serve: config, policy signature, expiry, serial, state directory,
# file permissions, and which files ops could write.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_setup
CHECK=("${AS_GATE[@]}" "$GATE" --check -c "$GATE_DIR/gate.ini")

t "${CHECK[@]}"
expect check_passes_a_good_gate 0 "gate.ini: ok (0 errors"
grep -qF "host web01, realm test, policy serial 1" "$SCRATCH/out" &&
	pass check_summarises || fail check_summarises "$(cat "$SCRATCH/out")"
grep -qF "warning: ops run as" "$SCRATCH/out" &&
	pass check_warns_ops_can_write_gate_files ||
	fail check_warns_ops_can_write_gate_files "$(cat "$SCRATCH/out")"

if [ "$(id -u)" -eq 0 ]; then
	write_gate_ini "run_as = nobody"
	t "${CHECK[@]}"
	if [ "$rc" = 0 ] && ! grep -qF "warning: ops run as nobody" "$SCRATCH/out"; then
		pass check_accepts_run_as_that_cannot_write
	else
		fail check_accepts_run_as_that_cannot_write "$(cat "$SCRATCH/out")"
	fi
	chmod 0666 "$GATE_DIR/policy.ini"
	t "${CHECK[@]}"
	expect check_refuses_world_writable_policy 1 "policy $GATE_DIR/policy.ini is writable by others"
	chmod 0644 "$GATE_DIR/policy.ini"
else
	skip check_run_as "needs root to have a user that cannot write the files"
fi

write_gate_ini "run_as = no-such-user-here"
t "${CHECK[@]}"
expect check_refuses_unknown_run_as 1 "run_as: no user 'no-such-user-here'"
write_gate_ini

echo '; edited' >> "$GATE_DIR/policy.ini"
t "${CHECK[@]}"
expect check_refuses_tampered_policy 1 "signature does not verify"
POLICY_ISSUED=2020-01-01T00:00:00Z POLICY_EXPIRES=2020-02-01T00:00:00Z write_policy 1
t "${CHECK[@]}"
expect check_refuses_expired_policy 1 "policy-expired"
write_policy 1

write_gate_ini "min_serial = 9"
t "${CHECK[@]}"
expect check_refuses_serial_below_min 1 "policy-rollback"
write_gate_ini

chmod 0777 "$GATE_DIR/state"
t "${CHECK[@]}"
expect check_refuses_shared_state_dir 1 "state_dir:"
chmod 0700 "$GATE_DIR/state"

printf '[gate]\nrealm = test\n' > "$GATE_DIR/gate.ini"
t "${CHECK[@]}"
expect check_names_missing_host_id 1 "gate.ini:1: [gate]: missing host_id"
printf '[gate]\nhost_id = web01\nrealm = test\nclock_skew = lots\n' > "$GATE_DIR/gate.ini"
t "${CHECK[@]}"
expect check_names_bad_value_line 1 "gate.ini:4: clock_skew:"

t "$GATE" --help
expect help_shows_example 0 "Example:"
t "$GATE" --bogus
expect unknown_option_is_usage_error 2 "option '--bogus' is unknown"
