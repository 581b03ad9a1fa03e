# gate_policy.sh: the gate's own footing (the policy checks that come
# first, its config and state directory): a policy that does not verify,
# has expired, is not yet valid, belongs to another realm, rolls back, or
# names a denied key is not used; a doubtful state directory, audit log or
# config refuses everything. Each refusal is audited, tells the client only
# a class, and runs nothing.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_setup
mkdir -p "$GATE_DIR/canary"
gate_own "$GATE_DIR/canary"
sshd_start
n=0

# refused_class TEST AUDIT_REASON: a canary request is refused with the
# class "unavailable", audited with AUDIT_REASON, and runs nothing.
refused_class() {
	local test=$1 reason=$2 path=$GATE_DIR/canary/$1
	send "$test" -k "$(k ci)" $(req) canary "path=$path"
	verdict_is "$test" "$test" "refused unavailable "
	[ -e "$path" ] && fail "${test}_runs_nothing" "canary made" ||
		pass "${test}_runs_nothing"
	grep -F "reason=\"$reason\"" "$GATE_DIR/audit.log" | grep -qF "$path" &&
		pass "${test}_is_audited" ||
		fail "${test}_is_audited" "no record with reason $reason"
}
accepted() {
	send "$1" -k "$(k ci)" $(req) uptime
	verdict_is "$1" "$1" "accepted "
}

cp "$GATE_DIR/policy.ini" "$GATE_DIR/policy.good"
cp "$GATE_DIR/policy.ini.minisig" "$GATE_DIR/policy.good.minisig"
sed -i 's/^timeout = 10$/timeout = 11/' "$GATE_DIR/policy.ini"
refused_class refuses_tampered_policy bad-policy
printf 'not a request' | send_raw policy_rule_comes_before_request_parse "$SSH_DIR/client_key"
verdict_is policy_rule_comes_before_request_parse policy_rule_comes_before_request_parse "refused unavailable - -"
tail -n 1 "$GATE_DIR/audit.log" | grep -qF 'reason="bad-policy"' &&
	pass bad_policy_is_audited_before_bad_request ||
	fail bad_policy_is_audited_before_bad_request "$(tail -n 1 "$GATE_DIR/audit.log")"
rm -f "$GATE_DIR/policy.ini.minisig"
refused_class refuses_unsigned_policy bad-policy
cp "$GATE_DIR/policy.good" "$GATE_DIR/policy.ini"
cp "$GATE_DIR/policy.good.minisig" "$GATE_DIR/policy.ini.minisig"

POLICY_ISSUED=2020-01-01T00:00:00Z POLICY_EXPIRES=2020-02-01T00:00:00Z write_policy 2
refused_class refuses_expired_policy policy-expired
POLICY_ISSUED=$(date -u -d '+2 days' +%Y-%m-%dT00:00:00Z) \
POLICY_EXPIRES=$(date -u -d '+20 days' +%Y-%m-%dT00:00:00Z) write_policy 2
refused_class refuses_policy_not_yet_valid policy-not-yet-valid

write_policy 5
accepted accepts_serial_5
write_policy 4
refused_class refuses_older_serial policy-rollback
POLICY_NOTE="same serial, other bytes" write_policy 5
refused_class refuses_same_serial_other_file policy-rollback
write_policy 6
accepted accepts_newer_serial

# The floor rises as soon as a newer policy verifies, before any request is
# judged under it: serial 7 is seen only by refused sessions (one that does
# not even parse, one by an unknown key), and serial 6 put back is refused.
cp "$GATE_DIR/policy.ini" "$GATE_DIR/policy.6"
cp "$GATE_DIR/policy.ini.minisig" "$GATE_DIR/policy.6.minisig"
write_policy 7
printf 'not a request' | send_raw floor_session_unparsed "$SSH_DIR/client_key"
verdict_is floor_unparsed_request_is_refused floor_session_unparsed "refused bad-request "
send floor_session_unknown -k "$(k outsider)" $(req) uptime
verdict_is floor_unknown_signer_is_refused floor_session_unknown "refused unauthenticated "
cp "$GATE_DIR/policy.6" "$GATE_DIR/policy.ini"
cp "$GATE_DIR/policy.6.minisig" "$GATE_DIR/policy.ini.minisig"
refused_class refuses_serial_seen_only_by_refused_sessions policy-rollback
write_policy 7
accepted accepts_serial_7_again

write_gate_ini "min_serial = 100"
refused_class refuses_serial_below_min_serial policy-rollback
# deny_keys revokes one signer: its requests are refused, denied-key, and
# every other signer keeps working under the same policy.
write_gate_ini "deny_keys = $(tail -n 1 "$GATE_DIR/rm.pub")"
accepted denied_key_leaves_other_signers_working
path=$GATE_DIR/canary/denied
send denied_signer_is_refused -k "$(k rm)" $(req) canary "path=$path"
verdict_is denied_signer_is_refused denied_signer_is_refused "refused denied-key "
[ -e "$path" ] && fail denied_signer_runs_nothing "canary made" ||
	pass denied_signer_runs_nothing
grep -F 'reason="denied-key"' "$GATE_DIR/audit.log" | grep -qF "$path" &&
	pass denied_signer_is_audited ||
	fail denied_signer_is_audited "no denied-key record for $path"
# A denied key co-signs nothing, even where the other signature would count.
send denied_cosigner_is_refused -k "$(k ci)" -k "$(k rm)" $(req) restart unit=nginx.service
verdict_is denied_cosigner_is_refused denied_cosigner_is_refused "refused denied-key "
write_gate_ini
sed -i 's/^realm .*/realm     = other/' "$GATE_DIR/gate.ini"
gate_ini_changed
refused_class refuses_policy_of_other_realm policy-realm
write_gate_ini
accepted accepts_again_with_plain_config

# A doubtful state directory: fail closed.
chmod 0770 "$GATE_DIR/state"
refused_class refuses_group_writable_state_dir gate-error
chmod 0700 "$GATE_DIR/state"
mv "$GATE_DIR/state" "$GATE_DIR/state.away"
refused_class refuses_missing_state_dir gate-error
mv "$GATE_DIR/state.away" "$GATE_DIR/state"

# An audit log that cannot be written: the op does not run. The gate finds
# it before the request is read (the same probe as --check), so the client,
# not yet verified, hears only the class.
write_gate_ini
sed -i "s|^audit_log .*|audit_log = $GATE_DIR/no-such-dir/audit.log|" "$GATE_DIR/gate.ini"
gate_ini_changed
path=$GATE_DIR/canary/unaudited
send refuses_when_audit_log_fails -k "$(k ci)" $(req) canary "path=$path"
verdict_is refuses_when_audit_log_fails refuses_when_audit_log_fails "refused unavailable "
[ -e "$path" ] && fail unaudited_op_never_runs "canary made" || pass unaudited_op_never_runs
write_gate_ini

# A config that does not load: the daemon does not start, naming FILE:LINE;
# the forced command answers the request refused unavailable (exit 78), and
# FILE:LINE goes to syslog, not to the client.
printf '[gate]\nhost_id = web01\nrealm = test\nbogus = 1\n' > "$GATE_DIR/gate.ini"
gate_own "$GATE_DIR/gate.ini"
if [ "$GATE_BACKEND" = daemon ]; then
	# The daemon reads gate.ini once, at start: it does not start.
	t "$GATE" --listen 127.0.0.1:1 --host-key "$SSH_DIR/host_key" \
	    --authorized-keys "$SSH_DIR/listen_keys" -c "$GATE_DIR/gate.ini" --foreground
	expect bad_config_names_file_and_line 78 \
	    "writ-gate: $GATE_DIR/gate.ini:4: unknown key 'bogus' in [gate]"
else
	send refuses_bad_config -k "$(k ci)" $(req) uptime
	verdict_is bad_config_is_refused_unavailable refuses_bad_config "refused unavailable "
	# (Its syslog record: tests/cli/gate_unusable.sh.)
	[ "$(cat "$SCRATCH/refuses_bad_config.rc")" = 78 ] &&
		! grep -qF "unknown key" "$SCRATCH/refuses_bad_config.err" &&
		pass bad_config_tells_the_client_only_the_class ||
		fail bad_config_tells_the_client_only_the_class "rc $(cat "$SCRATCH/refuses_bad_config.rc"): $(cat "$SCRATCH/refuses_bad_config.err")"
fi
