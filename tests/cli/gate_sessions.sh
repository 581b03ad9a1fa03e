# gate_sessions.sh: the gate account serves signed requests and nothing
# else. A login, any other command, scp, sftp and rsync each get one line
# saying what the account is for and a non-zero exit, and are audited;
# forwarding is refused. Driven with the real OpenSSH tools.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_setup
sshd_start
KEY=$SSH_DIR/client_key
OPTS=(-F /dev/null -i "$KEY" -o IdentitiesOnly=yes -o BatchMode=yes
      -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$SSH_DIR/known_hosts"
      -o ConnectTimeout=5)
LINE='writ-gate: this account only runs signed writ requests'

# The forced command sshd starts every session loads no SSH or TLS library:
# libsodium, inih and libc only (the daemon, writ-gated, links libssh).
# (Under make sanitize the sanitizers' runtimes come too.)
libs=$(ldd "$GATE" | awk '{ print $1 }' | grep -v 'linux-vdso\|ld-linux' |
    sed 's/\.so.*//' | grep -vx 'libasan\|libubsan\|libstdc++\|libgcc_s\|libm' |
    sort | tr '\n' ' ')
[ "$libs" = "libc libinih libsodium " ] &&
	pass forced_command_links_only_sodium_inih_libc ||
	fail forced_command_links_only_sodium_inih_libc "ldd: $libs"
ldd "$SCRATCH/bin/writ-gated" | grep -q libssh &&
	pass daemon_is_the_part_that_links_libssh ||
	fail daemon_is_the_part_that_links_libssh "$(ldd "$SCRATCH/bin/writ-gated")"

# told TEST: the last `t` exited non-zero and printed the gate's line.
told() {
	if [ "$rc" = 0 ]; then
		fail "$1" "exit 0: $(head -c 300 "$SCRATCH/out")"
	elif ! grep -qF "$LINE" "$SCRATCH/out"; then
		fail "$1" "no explanation line: $(head -c 300 "$SCRATCH/out")"
	else
		pass "$1"
	fi
}
# audited TEST 'claimed command': a not-a-request record holds it.
audited() {
	if grep -F 'reason="not-a-request"' "$GATE_DIR/audit.log" |
	    grep -qF "claimed_command=\"$2"; then
		pass "$1"
	else
		fail "$1" "no record with claimed_command=\"$2...\""
	fi
}

t ssh "${OPTS[@]}" -p "$SSHD_PORT" "$GATE_USER@127.0.0.1"
told refuses_login_shell
audited login_is_audited "(login shell)"
# `restrict` refuses the terminal before the gate runs.
t ssh "${OPTS[@]}" -p "$SSHD_PORT" -tt "$GATE_USER@127.0.0.1"
[ "$rc" != 0 ] && grep -qF 'PTY allocation request failed' "$SCRATCH/out" &&
	pass refuses_terminal || fail refuses_terminal "exit $rc: $(head -c 300 "$SCRATCH/out")"

t ssh "${OPTS[@]}" -p "$SSHD_PORT" "$GATE_USER@127.0.0.1" id
told refuses_other_command
audited other_command_is_audited "id"

echo data > "$SCRATCH/file.txt"
t scp "${OPTS[@]}" -P "$SSHD_PORT" "$SCRATCH/file.txt" "$GATE_USER@127.0.0.1:/tmp/writ-scp-test"
[ "$rc" != 0 ] && [ ! -e /tmp/writ-scp-test ] && pass refuses_scp ||
	fail refuses_scp "exit $rc: $(head -c 300 "$SCRATCH/out")"
t scp -O "${OPTS[@]}" -P "$SSHD_PORT" "$SCRATCH/file.txt" "$GATE_USER@127.0.0.1:/tmp/writ-scp-test"
told refuses_legacy_scp
audited legacy_scp_is_audited "scp -t"

t sftp "${OPTS[@]}" -P "$SSHD_PORT" -b /dev/null "$GATE_USER@127.0.0.1"
[ "$rc" != 0 ] && pass refuses_sftp || fail refuses_sftp "exit 0"
audited sftp_is_audited "internal-sftp"

if command -v rsync >/dev/null; then
	t rsync -e "ssh ${OPTS[*]} -p $SSHD_PORT" "$SCRATCH/file.txt" \
	    "$GATE_USER@127.0.0.1:/tmp/writ-rsync-test"
	told refuses_rsync
	audited rsync_is_audited "rsync --server"
else
	fail refuses_rsync "rsync is not installed (make deps installs it)"
fi

# Forwarding never reaches the gate: sshd refuses it under `restrict`.
t ssh "${OPTS[@]}" -p "$SSHD_PORT" -N -o ExitOnForwardFailure=yes \
    -R 0:127.0.0.1:"$SSHD_PORT" "$GATE_USER@127.0.0.1"
[ "$rc" != 0 ] && pass refuses_remote_forward || fail refuses_remote_forward "exit 0"
t ssh "${OPTS[@]}" -p "$SSHD_PORT" -W 127.0.0.1:"$SSHD_PORT" "$GATE_USER@127.0.0.1"
[ "$rc" != 0 ] && grep -qi 'prohibited\|open failed' "$SCRATCH/out" &&
	pass refuses_stdio_forward || fail refuses_stdio_forward "exit $rc: $(head -c 300 "$SCRATCH/out")"
t ssh "${OPTS[@]}" -p "$SSHD_PORT" -A "$GATE_USER@127.0.0.1" id
told refuses_agent_forwarding_session
