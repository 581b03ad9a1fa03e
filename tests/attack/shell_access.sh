# shell_access.sh: someone holding the automation account's SSH key (but no
# signer key) tries to use it as a shell: a command, a login with commands on
# stdin, scp of a file into place, and forwarding to a local service. The
# forced command serves signed requests only: each is refused, audited
# not-a-request, and no canary appears.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/attack.sh"

attack_setup
OPTS=(-F /dev/null -i "$SSH_DIR/client_key" -o IdentitiesOnly=yes
      -o BatchMode=yes -o StrictHostKeyChecking=yes
      -o UserKnownHostsFile="$SSH_DIR/known_hosts" -o ConnectTimeout=5
      -o LogLevel=ERROR)

t ssh "${OPTS[@]}" -p "$SSHD_PORT" "$GATE_USER@127.0.0.1" "touch $(canary_path command)"
[ "$rc" != 0 ] && pass command_refused || fail command_refused "exit 0"
no_canary command_runs_nothing command
audited command_is_audited not-a-request "touch $(canary_path command)"

echo "touch $(canary_path stdin_shell)" > "$SCRATCH/cmds"
timeout 30 ssh "${OPTS[@]}" -p "$SSHD_PORT" "$GATE_USER@127.0.0.1" \
    < "$SCRATCH/cmds" > "$SCRATCH/login.out" 2>&1
rc=$?
[ "$rc" != 0 ] && pass login_refused || fail login_refused "exit 0"
no_canary login_runs_nothing stdin_shell
audited login_is_audited not-a-request "(login shell)"

echo x > "$SCRATCH/payload"
t scp -O "${OPTS[@]}" -P "$SSHD_PORT" "$SCRATCH/payload" \
    "$GATE_USER@127.0.0.1:$(canary_path scp)"
[ "$rc" != 0 ] && pass scp_refused || fail scp_refused "exit 0"
no_canary scp_writes_nothing scp
audited scp_is_audited not-a-request "scp -t"

# A local service the key must not reach (this sshd itself, which would
# answer with its banner): the forwarding gets nothing through.
timeout 10 ssh "${OPTS[@]}" -p "$SSHD_PORT" -W "127.0.0.1:$SSHD_PORT" \
    "$GATE_USER@127.0.0.1" < /dev/null > "$SCRATCH/fwd.out" 2>&1
rc=$?
[ "$rc" != 0 ] && ! grep -q '^SSH-2.0' "$SCRATCH/fwd.out" &&
	pass forwarding_refused ||
	fail forwarding_refused "exit $rc: $(head -c 200 "$SCRATCH/fwd.out")"
