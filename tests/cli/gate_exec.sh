# gate_exec.sh: ops run under the limits of SPEC §5, through the real sshd:
# a clean environment, no inherited descriptors, output capped and marked,
# the whole process group killed at the timeout (TERM, then KILL), and an op
# that outlives its client.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_setup
mkdir -p "$GATE_DIR/run"
gate_own "$GATE_DIR/run"
sshd_start

send env_is_clean -k "$(k ci)" $(req) env
if [ "$(sort "$SCRATCH/env_is_clean.stdout")" = "PATH=/usr/sbin:/usr/bin:/sbin:/bin
WRIT_OP=env" ]; then
	pass env_is_clean
else
	fail env_is_clean "env: $(tr '\n' ' ' < "$SCRATCH/env_is_clean.stdout")"
fi

send no_inherited_fds -k "$(k ci)" $(req) fds
# ls itself holds one descriptor for the directory it lists.
fds=$(sort -n "$SCRATCH/no_inherited_fds.stdout" | tr '\n' ' ')
if [ "$fds" = "0 1 2 3 " ]; then
	pass no_inherited_fds
else
	fail no_inherited_fds "open fds: $fds"
fi

send caps_output -k "$(k ci)" $(req) big
size=$(stat -c %s "$SCRATCH/caps_output.stdout")
if [ "$size" = 1000 ] && grep -q 'truncated=1' "$SCRATCH/caps_output.end" &&
    grep -q 'stdout_bytes=100000' "$SCRATCH/caps_output.end"; then
	pass caps_output_and_marks_it
else
	fail caps_output_and_marks_it "got $size bytes, end: $(cat "$SCRATCH/caps_output.end")"
fi
grep -F 'event="finished"' "$GATE_DIR/audit.log" | grep -F 'op="big"' |
	grep -qF 'truncated=1' && pass truncation_is_audited ||
	fail truncation_is_audited "no finished record with truncated=1"

start=$(date +%s)
send kills_group_at_timeout -k "$(k ci)" $(req) ignore-term "dir=$GATE_DIR/run"
took=$(( $(date +%s) - start ))
grep -q '^signal=9 timeout=1' "$SCRATCH/kills_group_at_timeout.end" &&
	pass kills_term_ignoring_op_with_kill ||
	fail kills_term_ignoring_op_with_kill "end: $(cat "$SCRATCH/kills_group_at_timeout.end")"
# alive PID: the process exists and is not a zombie waiting to be reaped.
alive() {
	local state
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}
read -r op_pid grandchild < "$GATE_DIR/run/pids" 2>/dev/null
if [ -n "${grandchild:-}" ] && ! alive "$op_pid" && ! alive "$grandchild"; then
	pass kills_grandchildren
else
	fail kills_grandchildren "op ${op_pid:-?} or grandchild ${grandchild:-?} alive: $(ps -o pid,stat,cmd -p "${op_pid:-1},${grandchild:-1}")"
fi
[ "$took" -lt 10 ] && pass timeout_is_bounded || fail timeout_is_bounded "took ${took}s"
[ "$(cat "$SCRATCH/kills_group_at_timeout.rc")" = 137 ] &&
	pass killed_op_exits_128_plus_signal ||
	fail killed_op_exits_128_plus_signal "rc $(cat "$SCRATCH/kills_group_at_timeout.rc")"
grep -F 'event="finished"' "$GATE_DIR/audit.log" | grep -F 'op="ignore-term"' |
	grep -qF 'timeout=1' && pass timeout_is_audited ||
	fail timeout_is_audited "no finished record with timeout=1"

# A client that goes away: the op still runs to its end and is audited.
# (The op, "locked", sleeps 3 s: the client is gone well before, even on a
# loaded machine.)
"$MKREQUEST" -k "$(k ci)" $(req) locked > "$SCRATCH/gone.req"
( cat "$SCRATCH/gone.req"; sleep 1.2 ) | timeout 1.5 ssh -F /dev/null \
    -p "$SSHD_PORT" -i "$SSH_DIR/client_key" -o IdentitiesOnly=yes \
    -o BatchMode=yes -o UserKnownHostsFile="$SSH_DIR/known_hosts" \
    "$GATE_USER@127.0.0.1" writ-request-v1 >/dev/null 2>&1
for i in $(seq 100); do
	grep -F 'event="finished"' "$GATE_DIR/audit.log" | grep -qF 'op="locked"' && break
	sleep 0.1
done
grep -F 'event="finished"' "$GATE_DIR/audit.log" | grep -F 'op="locked"' |
	grep -qF 'exit=0' && pass op_outlives_its_client ||
	fail op_outlives_its_client "no finished record for locked"

# run_as: ops run through sudo -n -u USER --, never as the gate's account.
if [ "$(id -u)" -ne 0 ] || ! command -v sudo >/dev/null; then
	skip runs_op_as_run_as_user "needs root and sudo to install a sudoers rule"
else
	rule=/etc/sudoers.d/writ-test-$$
	printf '%s ALL=(nobody) NOPASSWD: ALL\n' "$GATE_USER" > "$rule.tmp"
	chmod 0440 "$rule.tmp"
	if visudo -cqf "$rule.tmp"; then
		mv "$rule.tmp" "$rule"
		at_exit "rm -f $rule"
		write_gate_ini "run_as = nobody"
		send runs_op_as_run_as_user -k "$(k ci)" $(req) whoami
		[ "$(cat "$SCRATCH/runs_op_as_run_as_user.stdout")" = nobody ] &&
			pass runs_op_as_run_as_user ||
			fail runs_op_as_run_as_user "ran as '$(cat "$SCRATCH/runs_op_as_run_as_user.stdout")': $(cat "$SCRATCH/runs_op_as_run_as_user.verdict") $(cat "$SCRATCH/runs_op_as_run_as_user.stderr")"
		write_gate_ini
		send runs_op_as_gate_user_without_run_as -k "$(k ci)" $(req) whoami
		[ "$(cat "$SCRATCH/runs_op_as_gate_user_without_run_as.stdout")" = "$GATE_USER" ] &&
			pass runs_op_as_gate_user_without_run_as ||
			fail runs_op_as_gate_user_without_run_as "$(cat "$SCRATCH/runs_op_as_gate_user_without_run_as.stdout")"
	else
		rm -f "$rule.tmp"
		fail runs_op_as_run_as_user "visudo refused the test rule"
	fi
fi
