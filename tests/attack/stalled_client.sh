# stalled_client.sh: a client that authenticates, starts a request and then
# stalls (slowloris), alone or ten at once, holds a gate session only until
# gate.ini's request_timeout: each is refused bad-request, audited, and the
# half-sent request never runs.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/attack.sh"

attack_setup
write_gate_ini "request_timeout = 2"
"$MKREQUEST" -k "$(k ci)" $(req) canary "path=$(canary_path stalled)" > "$SCRATCH/full.req"
head -c 60 "$SCRATCH/full.req" > "$SCRATCH/half.req"

# stall NAME: sends half the request, then holds stdin open for 20 s; the
# seconds until the gate ended the session go to NAME.took, and the stalled
# writer is then stopped. (bash waits for a whole pipeline, writer included,
# so the end is written from inside it.)
stall() {
	local start i
	start=$(date +%s)
	sh -c 'echo $$ > "$1.wpid"; cat "$2"; exec sleep 20' sh "$SCRATCH/$1" \
	    "$SCRATCH/half.req" | { timeout 30 ssh -F /dev/null \
	    -p "$SSHD_PORT" -i "$SSH_DIR/client_key" -o IdentitiesOnly=yes \
	    -o BatchMode=yes -o StrictHostKeyChecking=yes \
	    -o UserKnownHostsFile="$SSH_DIR/known_hosts" -o LogLevel=ERROR \
	    "$GATE_USER@127.0.0.1" writ-request-v1 > "$SCRATCH/$1.out" 2>&1
	    echo $(( $(date +%s) - start )) > "$SCRATCH/$1.took"; } &
	for i in $(seq 300); do
		[ -s "$SCRATCH/$1.took" ] && break
		sleep 0.1
	done
	kill "$(cat "$SCRATCH/$1.wpid")" 2>/dev/null
	wait $!
	"$FRAMES" "$SCRATCH/$1" < "$SCRATCH/$1.out" 2>/dev/null
}

stall one
took=$(cat "$SCRATCH/one.took")
verdict_is stalled_request_refused one "refused bad-request "
# The bound is request_timeout (2 s), plus an ssh login; 20 s is the stall.
[ "$took" -lt 10 ] && pass stall_ends_at_request_timeout ||
	fail stall_ends_at_request_timeout "the session lasted ${took}s"
no_canary stalled_request_runs_nothing stalled
audited stalled_request_is_audited bad-request

pids=()
for i in $(seq 10); do stall "many$i" & pids+=($!); done
wait "${pids[@]}"
took=$(sort -n "$SCRATCH"/many*.took | tail -n 1)
n=$(cat "$SCRATCH"/many*.verdict 2>/dev/null | grep -c '^refused bad-request ')
[ "$n" = 10 ] && pass ten_stalls_all_refused || fail ten_stalls_all_refused "$n of 10"
[ "$took" -lt 15 ] && pass ten_stalls_end_together ||
	fail ten_stalls_end_together "they lasted ${took}s"
no_canary ten_stalls_run_nothing stalled
pgrep -u "$GATE_USER" -f "writ-gate -c $GATE_DIR" >/dev/null &&
	fail no_gate_left_behind "$(pgrep -a -u "$GATE_USER" -f writ-gate)" ||
	pass no_gate_left_behind
