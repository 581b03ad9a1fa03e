# slow_reader.sh: a client that reads the op's output slowly (64 KiB every
# 10 s) must not stretch the op's timeout: the gate never waits on the
# client past the deadline; what the client could not take by then is
# dropped and counted (dropped_bytes=N), and the end of the session is
# bounded too. The op spews far more than the SSH window. "Nothing ran"
# does not apply; what must hold is the deadline and the audit record.
# Run against sshd's forced command, then the daemon (writ-gate --listen).
#
# The bound asserted: the gate's finished record says the session took at
# most timeout (2 s) + kill_grace (1 s) + 5 s. The 5 s margin: up to 1 s for
# the kernel to finish SIGKILLed processes, 2 s for the end of the session
# (the last output frame and the end record, which a stalled client cannot
# take), and 2 s for a loaded test machine (request read, fork, policy).
# The gate reported before this fix ran 20 s and more with such a reader.
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

# running PID: a live process (not a zombie).
running() {
	local state
	state=$(sed -E 's/.*\) ([A-Z]).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

finished() {
	grep -F 'event="finished"' "$GATE_DIR/audit.log" 2>/dev/null |
	    grep -F "op=\"$1\"" | tail -n 1
}

field() { printf '%s\n' "$1" | grep -o " $2=[^ ]*" | head -n 1 | cut -d= -f2; }

attack_setup
limited_op spew 2 1 1G
mkdir -p "$GATE_DIR/run"
gate_own "$GATE_DIR/run"

"$MKREQUEST" -k "$(k ci)" $(req) spew "dir=$GATE_DIR/run" > "$SCRATCH/spew.req"
mkfifo "$SCRATCH/slow.fifo"
# The reader the report described: 64 KiB every 10 s.
timeout 120 python3 -c '
import os, time
while True:
    time.sleep(10)
    if not os.read(0, 65536):
        break
' < "$SCRATCH/slow.fifo" &
reader=$!
timeout 120 ssh -F /dev/null -p "$SSHD_PORT" -i "$SSH_DIR/client_key" \
    -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$SSH_DIR/known_hosts" -o ConnectTimeout=5 \
    -o LogLevel=ERROR "$GATE_USER@127.0.0.1" writ-request-v1 \
    < "$SCRATCH/spew.req" > "$SCRATCH/slow.fifo" 2>/dev/null &
client=$!
at_exit "kill $client $reader 2>/dev/null"

# Bounded wait for the record (the old gate took minutes with this reader).
for i in $(seq 400); do
	[ -n "$(finished spew)" ] && break
	sleep 0.1
done
rec=$(finished spew)
read -r op_pid gate_pid < "$GATE_DIR/run/pids" 2>/dev/null

if [ -n "$rec" ] && [ "$(field "$rec" timeout)" = 1 ]; then
	pass slow_reader_op_is_killed_at_timeout
else
	fail slow_reader_op_is_killed_at_timeout "${rec:-no finished record within 40 s}"
fi
ms=$(field "$rec" duration_ms)
if [ -n "$ms" ] && [ "$ms" -le $(( (2 + 1 + 5) * 1000 )) ]; then
	pass slow_reader_does_not_stretch_timeout
else
	fail slow_reader_does_not_stretch_timeout "duration_ms=${ms:-?}, want <= 8000: $rec"
fi
dropped=$(field "$rec" dropped_bytes)
if [ -n "$dropped" ] && [ "$dropped" -gt 0 ]; then
	pass slow_reader_dropped_output_is_counted
else
	fail slow_reader_dropped_output_is_counted "dropped_bytes=${dropped:-absent}: $rec"
fi
# The gate itself is gone (its parent may not have reaped it yet), and so
# is the op; the client is still stuck behind its reader.
for i in $(seq 50); do
	running "${gate_pid:-1}" || break
	sleep 0.1
done
if [ -n "${gate_pid:-}" ] && ! running "$gate_pid" && ! running "${op_pid:-1}"; then
	pass slow_reader_session_ends
else
	fail slow_reader_session_ends "gate ${gate_pid:-?} or op ${op_pid:-?} still running"
fi
kill "$client" "$reader" 2>/dev/null

if [ "$GATE_BACKEND" = sshd ] && [ -z "${SLOW_NESTED:-}" ]; then
	sshd_stop
	SLOW_NESTED=1 GATE_BACKEND=daemon bash "$SRC/tests/attack/$(basename "$0")" | sed -E 's/^(PASS|FAIL|SKIP) ([^:]+)/\1 \2@daemon/'
fi
