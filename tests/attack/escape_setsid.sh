# escape_setsid.sh: an op whose descendants leave its process group and
# session (setsid, the double fork of a daemon, TERM ignored) so that killing
# the group misses them. Here "nothing ran" does not apply (the op is
# allowed); what must hold is that nothing of the op outlives its life: at
# the timeout, or when its main process exits, the gate (their subreaper)
# finds every descendant, kills it, reaps it, and the finished record counts
# them (killed=N, survivors=0). Run against sshd's forced command, then the
# daemon (writ-gate --listen), whose session process must be the subreaper.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/attack.sh"

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

# running PID: a live (not zombie) sleep, as every process these ops leave.
running() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	case $stat in
	*"(sleep) Z "*|*"(sleep) X "*) return 1 ;;
	*"(sleep) "*) return 0 ;;
	esac
	return 1
}

# finished OP: the op's finished record in the audit log.
finished() {
	grep -F 'event="finished"' "$GATE_DIR/audit.log" | grep -F "op=\"$1\"" | tail -n 1
}

# field RECORD KEY: KEY's value in the record.
field() { printf '%s\n' "$1" | grep -o " $2=[^ ]*" | head -n 1 | cut -d= -f2; }

# nothing_left TEST PID...: none of the pids is running, reaped or not.
nothing_left() {
	local test=$1 pid left=
	shift
	for pid in "$@"; do
		running "$pid" && left="$left $pid"
	done
	if [ -z "$left" ] && [ $# -gt 0 ]; then
		pass "$test"
	else
		fail "$test" "still running:${left:- (no pids written)} $(ps -o pid,ppid,sid,stat,cmd -p "$(echo $left | tr ' ' ,)" 2>/dev/null | tail -n +2)"
		# Not ours to leave behind: the test started them.
		for pid in $left; do kill -KILL "$pid" 2>/dev/null; done
	fi
}

# audited_end TEST OP WANT...: the finished record of OP has every
# KEY=VALUE of WANT.
audited_end() {
	local test=$1 rec want bad=
	rec=$(finished "$2")
	shift 2
	for want in "$@"; do
		[ "$(field "$rec" "${want%%=*}")" = "${want#*=}" ] || bad="$bad $want"
	done
	if [ -n "$rec" ] && [ -z "$bad" ]; then
		pass "$test"
	else
		fail "$test" "want$bad in: ${rec:-no finished record}"
	fi
}

attack_setup
limited_op escape-setsid 2 1 1M
limited_op escape-double-fork 2 1 1M
limited_op leave-behind 10 1 1M
for op in escape-setsid escape-double-fork leave-behind; do
	mkdir -p "$GATE_DIR/run/$op"
done
gate_own "$GATE_DIR/run"

# A grandchild in a session of its own: at the timeout the op's group gets
# TERM, and so does the escaped grandchild, found as the gate's orphan.
send setsid_grandchild -k "$(k ci)" $(req) escape-setsid "dir=$GATE_DIR/run/escape-setsid"
read -r op_pid escaped gate_pid < "$GATE_DIR/run/escape-setsid/pids" 2>/dev/null
nothing_left setsid_grandchild_is_killed ${op_pid:-} ${escaped:-}
audited_end setsid_grandchild_is_counted escape-setsid timeout=1 killed=2 survivors=0
grep -q '^signal=15 timeout=1' "$SCRATCH/setsid_grandchild.end" &&
	pass setsid_grandchild_op_ends_at_timeout ||
	fail setsid_grandchild_op_ends_at_timeout "end: $(cat "$SCRATCH/setsid_grandchild.end" 2>/dev/null)"

# A daemon (fork, setsid, fork) that ignores TERM, with a child: KILLed
# after kill_grace, both of them.
send double_fork -k "$(k ci)" $(req) escape-double-fork "dir=$GATE_DIR/run/escape-double-fork"
read -r op_pid daemon daemon_child gate_pid < "$GATE_DIR/run/escape-double-fork/pids" 2>/dev/null
nothing_left double_forked_daemon_is_killed ${op_pid:-} ${daemon:-} ${daemon_child:-}
audited_end double_forked_daemon_is_counted escape-double-fork timeout=1 killed=3 survivors=0

# The op exits at once, leaving a setsid'd process that holds its stdout:
# the op's life is over, so the gate kills what it left (no timeout).
send leave_behind -k "$(k ci)" $(req) leave-behind "dir=$GATE_DIR/run/leave-behind"
read -r op_pid left gate_pid < "$GATE_DIR/run/leave-behind/pids" 2>/dev/null
nothing_left left_behind_process_is_killed ${left:-}
audited_end left_behind_process_is_counted leave-behind exit=0 timeout=0 killed=1 survivors=0
[ "$(cat "$SCRATCH/leave_behind.stdout" 2>/dev/null)" = left ] &&
	pass left_behind_output_is_delivered ||
	fail left_behind_output_is_delivered "stdout: $(cat "$SCRATCH/leave_behind.stdout" 2>/dev/null)"

# The same against the daemon, unless this is that run.
if [ "$GATE_BACKEND" = sshd ] && [ -z "${ESCAPE_NESTED:-}" ]; then
	sshd_stop
	ESCAPE_NESTED=1 GATE_BACKEND=daemon bash "$SRC/tests/attack/$(basename "$0")" | sed -E 's/^(PASS|FAIL|SKIP) ([^:]+)/\1 \2@daemon/'
fi
