# daemon_revoked_key.sh: revocation reaches a running writ-gate --listen on
# SIGHUP (systemctl reload), with no restart. An SSH key removed from
# authorized_keys is refused at login from the next connection on (logged
# with its fingerprint); a signer added to deny_keys is refused by the gate
# (audited denied-key). Neither runs its canary.
GATE_BACKEND=daemon
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/attack.sh"

attack_setup
LOG=$SSH_DIR/daemon-$SSHD_PORT.log
ssh-keygen -q -t ed25519 -N '' -f "$SCRATCH/leaked" -C leaked
cat "$SSH_DIR/client_key.pub" "$SCRATCH/leaked.pub" > "$SSH_DIR/listen_keys"
daemon_reload
send before --ssh-key "$SCRATCH/leaked" -k "$(k ci)" $(req) canary \
    "path=$(canary_path before)"
[ -e "$(canary_path before)" ] && pass leaked_key_worked_before ||
	fail leaked_key_worked_before "rc $(cat "$SCRATCH/before.rc"): $(head -c 300 "$SCRATCH/before.err")"

# The key is revoked: removed, and the daemon reloads (the same process:
# a restart would cut the sessions in flight).
pid=$SSHD_PID
cat "$SSH_DIR/client_key.pub" > "$SSH_DIR/listen_keys"
daemon_reload
[ "$SSHD_PID" = "$pid" ] && grep -q 'reloaded .*listen_keys (1 key)' "$LOG" &&
	pass keys_reloaded_without_restart ||
	fail keys_reloaded_without_restart "pid $pid -> $SSHD_PID: $(tail -n 2 "$LOG")"
send revoked --ssh-key "$SCRATCH/leaked" -k "$(k ci)" $(req) canary \
    "path=$(canary_path revoked)"
no_canary revoked_key_runs_nothing revoked
[ "$(cat "$SCRATCH/revoked.rc")" = 255 ] &&
    grep -q 'Permission denied (publickey)' "$SCRATCH/revoked.err" &&
	pass revoked_key_refused_at_login ||
	fail revoked_key_refused_at_login "rc $(cat "$SCRATCH/revoked.rc"): $(head -c 300 "$SCRATCH/revoked.err")"
fp=$(ssh-keygen -lf "$SCRATCH/leaked.pub" | awk '{ print $2 }')
grep -F 'event="login-failed"' "$LOG" | grep -F "key=\"$fp\"" |
    grep -qF 'reason="unknown-key"' && pass revoked_key_is_logged ||
	fail revoked_key_is_logged "no login-failed line for $fp: $(grep login- "$LOG" | tail -n 2)"

# A request signer is revoked: its key goes into deny_keys (the harness
# sends the daemon SIGHUP and waits for "reloaded").
write_gate_ini "deny_keys = $(tail -n 1 "$GATE_DIR/ci.pub")"
[ "$SSHD_PID" = "$pid" ] && grep -q 'reloaded .*(1 deny_keys)' "$LOG" &&
	pass deny_keys_reloaded ||
	fail deny_keys_reloaded "$(tail -n 2 "$LOG")"
send denied -k "$(k ci)" $(req) canary "path=$(canary_path denied)"
no_canary denied_signer_runs_nothing denied
audited denied_signer_is_audited denied-key "$(canary_path denied)"
