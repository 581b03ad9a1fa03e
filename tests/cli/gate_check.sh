# gate_check.sh: writ-gate --check says, like sshd -t, whether the gate
# would serve: config, policy signature, expiry, serial, state directory,
# file permissions, and which files ops could write; and it agrees with a
# real session: where --check fails (an audit log that cannot be written,
# a state directory that takes no file, a full file system, a file others
# may write) a request through sshd is refused, and its record names the
# path and errno's text; where --check says ok, the request runs.
. "$(dirname "$0")/../mounts.sh"
mounts_private "$@"
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/rsyslog.sh"

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

t "$GATE" audit verify
expect audit_without_file_is_usage_error 2 "usage: writ-gate audit verify"

# ---- --check and a session agree ----

FOOTING_CASES="healthy_gate_checks_ok healthy_gate_runs immutable_audit_log
unwritable_audit_log nonces_dir_0500 locks_dir_0500 full_audit_fs full_state_fs
world_writable_policy group_writable_trust_key writable_policy_dir
writable_config"
# shellcheck disable=SC2086
if [ -n "$MOUNTS_WHY" ]; then
	for c in $FOOTING_CASES; do skip "$c" "$MOUNTS_WHY"; done
	exit 0
fi
rsyslog_start $FOOTING_CASES || exit 0
write_gate_ini
write_policy 1
gate_setup_canary() { mkdir -p "$GATE_DIR/canary"; gate_own "$GATE_DIR/canary"; }
gate_setup_canary
# Mounted before sshd starts: its namespace (LOG_NS) copies ours then.
small_fs "$SCRATCH/full" 8m
gate_own "$SCRATCH/full"
immutable_dir IMM || IMM=
SSHD_PREFIX=("${LOG_NS[@]}")
sshd_start

# set_ini KEY VALUE: gate.ini's KEY set to VALUE (sshd's forced command
# reads it at every session).
set_ini() { sed -i "s|^$1 *=.*|$1 = $2|" "$GATE_DIR/gate.ini"; }

# check_fails NAME TEXT: --check, run as the gate's user, fails saying TEXT.
check_fails() {
	t "${CHECK[@]}"
	expect "${1}_check_fails" 1 "$2"
}

# refused_case NAME WORD REASON DETAIL: a canary request is answered
# "refused WORD", nothing runs, and syslog holds exactly one record of it,
# with reason REASON and a detail starting with DETAIL (a path and errno's
# text).
refused_case() {
	local name=$1 word=$2 reason=$3 detail=$4 rid
	send "$name" -k "$(k ci)" $(req) canary "path=$GATE_DIR/canary/$name"
	verdict_is "${name}_is_refused" "$name" "refused $word "
	if [ -e "$GATE_DIR/canary/$name" ]; then
		fail "${name}_runs_nothing" "the canary was made"
	else
		pass "${name}_runs_nothing"
	fi
	rid=$(cut -d ' ' -f 3 "$SCRATCH/$name.verdict")
	if rsyslog_one "$rid" "reason=\"$reason\"" "detail=\"$detail"; then
		pass "${name}_audit_names_path_and_errno"
	else
		fail "${name}_audit_names_path_and_errno" "want one record with reason=\"$reason\" detail=\"$detail...\"; syslog: $(printf '%s' "$RSYSLOG_LINES" | cut -c 1-600)"
	fi
}

healthy() {
	t "${CHECK[@]}"
	expect "${1}_check_ok" 0 "gate.ini: ok (0 errors"
	send "$1" -k "$(k ci)" $(req) canary "path=$GATE_DIR/canary/$1"
	verdict_is "${1}_runs" "$1" "accepted "
	[ -e "$GATE_DIR/canary/$1" ] && pass "${1}_canary_made" ||
		fail "${1}_canary_made" "the op did not run"
}

healthy healthy_gate
AUDIT=$GATE_DIR/audit.log

if [ -n "$IMM" ]; then
	set_ini audit_log "$IMM/audit.log"
	: > "$IMM/audit.log"
	gate_own "$IMM/audit.log"
	chattr +i "$IMM/audit.log"
	check_fails immutable_audit_log \
	    "audit log $IMM/audit.log: open: Operation not permitted"
	refused_case immutable_audit_log unavailable gate-error \
	    "audit log $IMM/audit.log: open: Operation not permitted"
	chattr -i "$IMM/audit.log"
	set_ini audit_log "$AUDIT"
else
	skip immutable_audit_log "$MOUNTS_WHY"
fi

chmod 0400 "$AUDIT"
check_fails unwritable_audit_log "audit log $AUDIT: open: Permission denied"
refused_case unwritable_audit_log unavailable gate-error \
    "audit log $AUDIT: open: Permission denied"
chmod 0600 "$AUDIT"

chmod 0500 "$GATE_DIR/state/nonces"
check_fails nonces_dir_0500 \
    "state directory $GATE_DIR/state/nonces: create a file: Permission denied"
# Past the signatures: the client learns the rule too.
refused_case nonces_dir_0500 gate-error gate-error \
    "state directory $GATE_DIR/state/nonces/"
grep -F 'reason="gate-error"' "$AUDIT" | tail -n 1 |
    grep -qF ': record nonce: Permission denied' &&
	pass nonces_dir_0500_errno_in_file ||
	fail nonces_dir_0500_errno_in_file "$(tail -n 1 "$AUDIT" | cut -c 1-400)"
chmod 0700 "$GATE_DIR/state/nonces"

chmod 0500 "$GATE_DIR/state/locks"
check_fails locks_dir_0500 \
    "state directory $GATE_DIR/state/locks: create a file: Permission denied"
send locks_dir_0500 -k "$(k ci)" $(req) locked
verdict_is locks_dir_0500_is_refused locks_dir_0500 "refused gate-error "
grep -F 'op="locked"' "$AUDIT" | tail -n 1 | grep -qF \
    "locks/service: Permission denied" &&
	pass locks_dir_0500_audit_names_path_and_errno ||
	fail locks_dir_0500_audit_names_path_and_errno "$(tail -n 1 "$AUDIT" | cut -c 1-400)"
chmod 0700 "$GATE_DIR/state/locks"

# A full file system: the audit log's, then the state directory's.
: > "$SCRATCH/full/audit.log"
gate_own "$SCRATCH/full/audit.log"
fill_fs "$SCRATCH/full"
set_ini audit_log "$SCRATCH/full/audit.log"
check_fails full_audit_fs \
    "audit log $SCRATCH/full/audit.log: file system full: 0 KiB free, the gate needs 4 MiB (No space left on device)"
refused_case full_audit_fs unavailable gate-error \
    "audit log $SCRATCH/full/audit.log: file system full: 0 KiB free"
set_ini audit_log "$AUDIT"
rm -f "$SCRATCH/full/.fill"
cp -a "$GATE_DIR/state" "$SCRATCH/full/state"
fill_fs "$SCRATCH/full"
set_ini state_dir "$SCRATCH/full/state"
check_fails full_state_fs \
    "state directory $SCRATCH/full/state: file system full: 0 KiB free"
refused_case full_state_fs unavailable gate-error \
    "state directory $SCRATCH/full/state: file system full: 0 KiB free"
set_ini state_dir "$GATE_DIR/state"

chmod 0666 "$GATE_DIR/policy.ini"
check_fails world_writable_policy \
    "policy $GATE_DIR/policy.ini is writable by others (mode 0666)"
refused_case world_writable_policy unavailable bad-policy \
    "policy $GATE_DIR/policy.ini is writable by others (mode 0666)"
chmod 0644 "$GATE_DIR/policy.ini"

chmod 0664 "$GATE_DIR/authority.pub"
check_fails group_writable_trust_key \
    "trust key $GATE_DIR/authority.pub is writable by its group (mode 0664)"
refused_case group_writable_trust_key unavailable bad-policy \
    "trust key $GATE_DIR/authority.pub is writable by its group (mode 0664)"
chmod 0644 "$GATE_DIR/authority.pub"

# Whoever may write the directory may replace the file in it.
mkdir "$SCRATCH/poldir"
cp -p "$GATE_DIR/policy.ini" "$GATE_DIR/policy.ini.minisig" "$SCRATCH/poldir/"
chmod 0775 "$SCRATCH/poldir"
set_ini policy "$SCRATCH/poldir/policy.ini"
check_fails writable_policy_dir \
    "policy $SCRATCH/poldir/policy.ini: its directory $SCRATCH/poldir is writable by its group (mode 0775)"
refused_case writable_policy_dir unavailable bad-policy \
    "policy $SCRATCH/poldir/policy.ini: its directory $SCRATCH/poldir is writable by its group (mode 0775)"
set_ini policy "$GATE_DIR/policy.ini"

# gate.ini itself is read before anything else: the request is still
# answered (refused unavailable), the session exits with the config status,
# and its one syslog record names the file.
chmod 0664 "$GATE_DIR/gate.ini"
check_fails writable_config \
    "config $GATE_DIR/gate.ini is writable by its group (mode 0664)"
refused_case writable_config unavailable gate-error \
    "config $GATE_DIR/gate.ini is writable by its group (mode 0664)"
[ "$(cat "$SCRATCH/writable_config.rc")" = 78 ] &&
	pass writable_config_exits_78 ||
	fail writable_config_exits_78 "rc $(cat "$SCRATCH/writable_config.rc")"
chmod 0644 "$GATE_DIR/gate.ini"

# An empty gate.ini (read as no bytes at all) is refused by name.
: > "$SCRATCH/empty.ini"
gate_own "$SCRATCH/empty.ini"
t "${AS_GATE[@]}" "$GATE" --check -c "$SCRATCH/empty.ini"
expect empty_config_check_fails 1 "$SCRATCH/empty.ini: no [gate] section"

healthy healthy_again
t "$GATE" audit verify "$AUDIT"
expect audit_log_still_verifies 0 "ok, "
