# gate_exec.sh: ops run under their limits, through the real sshd (and the
# daemon, GATE_BACKEND=daemon): a clean environment, no inherited
# descriptors, output capped and marked, the whole op killed at the timeout
# (TERM, then KILL), processes the gate may not kill counted as survivors,
# and an op that outlives its client. (Descendants that leave the group and
# slow clients: tests/attack/escape_setsid.sh and slow_reader.sh.)
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

# limited_op NAME TIMEOUT KILL_GRACE MAX_OUTPUT: op NAME runs tests/ops/NAME
# with a {dir} param, under those limits; granted to ci; the policy signed
# again.
limited_op() {
	local op=$1
	cp "$SRC/tests/ops/$op" "$SCRATCH/bin/" && chmod 0755 "$SCRATCH/bin/$op"
	sed -i -e "0,/^ops   = /s//ops   = $op, /" "$GATE_DIR/policy.ini"
	printf '\n[op %s]\nexec = %s {dir}\nparam.dir = /[A-Za-z0-9/._-]+\nparam.dir.allow = slash\ntimeout = %s\nkill_grace = %s\nmax_output = %s\n' \
	    "$op" "$SCRATCH/bin/$op" "$2" "$3" "$4" >> "$GATE_DIR/policy.ini"
	(cd "$GATE_DIR" && "$WRIT" policy sign -s authority.key policy.ini >/dev/null) ||
		fail "limited_op_$op" "writ policy sign failed"
	gate_own "$GATE_DIR/policy.ini" "$GATE_DIR/policy.ini.minisig"
}

# field OP KEY: KEY's value in OP's last finished record.
field() {
	grep -F 'event="finished"' "$GATE_DIR/audit.log" | grep -F "op=\"$1\"" |
	    tail -n 1 | grep -o " $2=[^ ]*" | head -n 1 | cut -d= -f2
}

gate_setup
mkdir -p "$GATE_DIR/run"
gate_own "$GATE_DIR/run"
limited_op outlive 20 1 1M
limited_op escape-double-fork 1 1 1M
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

# One that goes away before the op writes: the gate's writes fail (EPIPE,
# SIGPIPE ignored), the output is counted as dropped, and the op still runs
# to its end. (The daemon's session process keeps reading the gate's output
# and drops it itself, so there the gate sees no loss to count.)
"$MKREQUEST" -k "$(k ci)" $(req) outlive "dir=$GATE_DIR/run" > "$SCRATCH/outlive.req"
( cat "$SCRATCH/outlive.req"; sleep 0.5 ) | timeout 1 ssh -F /dev/null \
    -p "$SSHD_PORT" -i "$SSH_DIR/client_key" -o IdentitiesOnly=yes \
    -o BatchMode=yes -o UserKnownHostsFile="$SSH_DIR/known_hosts" \
    "$GATE_USER@127.0.0.1" writ-request-v1 >/dev/null 2>&1
for i in $(seq 150); do
	[ -n "$(field outlive exit)" ] && break
	sleep 0.1
done
if [ "$(field outlive exit)" = 0 ] && [ "$(field outlive timeout)" = 0 ] &&
    [ -s "$GATE_DIR/run/outlived" ] && { [ "$GATE_BACKEND" = daemon ] ||
    [ "$(field outlive dropped_bytes)" -gt 0 ]; }; then
	pass op_writing_to_gone_client_runs_to_end
else
	fail op_writing_to_gone_client_runs_to_end "exit=$(field outlive exit) timeout=$(field outlive timeout) dropped_bytes=$(field outlive dropped_bytes) marker=$(cat "$GATE_DIR/run/outlived" 2>/dev/null)"
fi

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
		# The op as nobody leaves a daemon in a session of its own
		# that ignores TERM: the gate (its account) may signal sudo,
		# not the daemon, which survives and is counted.
		mkdir -p "$GATE_DIR/run-nobody"
		chmod 1777 "$GATE_DIR/run-nobody"
		send counts_survivors_under_sudo -k "$(k ci)" $(req) escape-double-fork "dir=$GATE_DIR/run-nobody"
		read -r sv_op sv_daemon sv_child sv_gate < "$GATE_DIR/run-nobody/pids" 2>/dev/null
		n=$(field escape-double-fork survivors)
		if [ "${n:-0}" -ge 2 ] && [ "$(field escape-double-fork timeout)" = 1 ] &&
		    [ -n "${sv_daemon:-}" ] && kill -0 "$sv_daemon" 2>/dev/null; then
			pass counts_survivors_under_sudo
		else
			fail counts_survivors_under_sudo "survivors=${n:-?}, daemon ${sv_daemon:-?}: $(grep -F 'op="escape-double-fork"' "$GATE_DIR/audit.log" | tail -n 1 | cut -c 1-400)"
		fi
		# Ours to clean up: the test started them.
		[ -n "${sv_daemon:-}" ] && kill -KILL "$sv_daemon" "$sv_child" 2>/dev/null
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
