# gate_replay.sh: twenty sessions racing with the same signed request run
# the op exactly once; the other nineteen are refused as replayed.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_setup
mkdir -p "$GATE_DIR/canary"
gate_own "$GATE_DIR/canary"
# sshd's default MaxStartups (10:30:100) would drop some of 20 at once.
sshd_start
echo "MaxStartups 50" >> "$SSH_DIR/sshd_config"
pid=$SSHD_PID
sshd_stop
wait "$pid"
sshd_run

"$MKREQUEST" -k "$(k ci)" $(req) echo word=ran > "$SCRATCH/race.req"
pids=()
for i in $(seq 20); do
	send_raw "race$i" "$SSH_DIR/client_key" < "$SCRATCH/race.req" &
	pids+=($!)
done
wait "${pids[@]}"     # not sshd's job
accepted=0 replayed=0 other=0
for i in $(seq 20); do
	case "$(cat "$SCRATCH/race$i.verdict")" in
	accepted*) accepted=$((accepted + 1)) ;;
	"refused replayed"*) replayed=$((replayed + 1)) ;;
	*) other=$((other + 1)); echo "race$i: $(cat "$SCRATCH/race$i.verdict") $(cat "$SCRATCH/race$i.err")" ;;
	esac
done
[ "$accepted" = 1 ] && [ "$replayed" = 19 ] && pass exactly_one_of_twenty_runs ||
	fail exactly_one_of_twenty_runs "accepted $accepted, replayed $replayed, other $other"
runs=$(cat "$SCRATCH"/race*.stdout | grep -c '^ran$')
[ "$runs" = 1 ] && pass op_output_appears_once || fail op_output_appears_once "$runs runs"
[ "$(grep -cF 'reason="replayed"' "$GATE_DIR/audit.log")" = 19 ] &&
	pass every_replay_is_audited ||
	fail every_replay_is_audited "$(grep -cF 'reason="replayed"' "$GATE_DIR/audit.log") records"
t "$GATE" audit verify "$GATE_DIR/audit.log"
expect chain_holds_under_concurrency 0 "ok"
