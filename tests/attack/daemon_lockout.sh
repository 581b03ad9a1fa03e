# daemon_lockout.sh: one peer (127.0.0.2) holds 100 idle sockets to
# writ-gate --listen and makes a new one for each that is closed, to keep
# everyone else out before they can authenticate. It holds its per-source
# 20 and no more: a real client from 127.0.0.3 gets in and its op runs;
# none of the flood reaches a gate; its thousands of drops are one log line
# and a count, not a line each.
GATE_BACKEND=daemon
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/attack.sh"

attack_setup
client_fleet
LOG=$SSH_DIR/daemon-$SSHD_PORT.log
FLOOD=$SRC/tests/tools/conn_flood.py
lines_before=$(wc -l < "$LOG")

python3 "$FLOOD" "$SSHD_PORT" flood 127.0.0.2 100 "$SCRATCH/ready" \
    "$SCRATCH/stop" > "$SCRATCH/flood.out" 2>&1 &
flood=$!
at_exit "touch $SCRATCH/stop"
for i in $(seq 600); do [ -e "$SCRATCH/ready" ] && break; sleep 0.05; done
r legit -H web01 -O BindAddress=127.0.0.3 canary "path=$(canary_path legit)"
touch "$SCRATCH/stop"
wait "$flood"
read -r _ held _ dropped < "$SCRATCH/flood.out"

if [ -e "$SCRATCH/ready" ] && [ "$rc" = 0 ] && [ -e "$(canary_path legit)" ]; then
	pass lockout_lets_the_client_in
else
	fail lockout_lets_the_client_in "exit $rc: $(cat "$SCRATCH/flood.out"; head -c 300 "$SCRATCH/legit.err")"
fi
# The refusal: every connection past the cap closed before the banner.
[ "${held:-99}" -le 20 ] && [ "${dropped:-0}" -ge 100 ] &&
	pass lockout_refused_past_the_cap ||
	fail lockout_refused_past_the_cap "$(cat "$SCRATCH/flood.out")"
# Nothing the flood did reached a gate: no audit record of its address.
if grep -qF 'peer="127.0.0.3:' "$GATE_DIR/audit.log" &&
    ! grep -qF 'peer="127.0.0.2:' "$GATE_DIR/audit.log"; then
	pass lockout_runs_nothing
else
	fail lockout_runs_nothing "$(grep -F 127.0.0.2 "$GATE_DIR/audit.log" | head -n 1)"
fi
# The log record: the first drop, named; the rest counted, not listed.
tail -n +$((lines_before + 1)) "$LOG" | grep -v 'event=' > "$SCRATCH/new.log"
grep -q 'dropping connections from 127.0.0.2:[0-9]*: over the per-source cap' "$SCRATCH/new.log" &&
	pass lockout_is_logged || fail lockout_is_logged "$(tail -n 3 "$SCRATCH/new.log")"
n=$(grep -c '127\.0\.0\.2:' "$SCRATCH/new.log")
[ "$n" -le 2 ] && pass lockout_log_is_not_flooded ||
	fail lockout_log_is_not_flooded "$n lines for $dropped drops"
sshd_stop
grep -q "dropped [0-9]* more unauthenticated connections in [0-9]* s ([0-9]* over the per-source cap), the last from 127.0.0.2:" "$LOG" &&
	pass lockout_drops_are_counted ||
	fail lockout_drops_are_counted "$(grep dropp "$LOG" | tail -n 2)"
