# request_relay.sh: a host (or anyone on the path) that captured a signed
# request tries it elsewhere: on another gate of the same realm, on a gate of
# another realm with the same host id, and again on its own gate. Requests
# are signed per host and per realm and spend a nonce, so each is refused.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/attack.sh"

gate_setup
mkdir -p "$GATE_DIR/canary"
gate_own "$GATE_DIR/canary"
# Two more gates on the account: web02 of realm test, and web01 of realm
# staging (with its own policy copy: realm staging, same authority).
sed -e 's/^host_id .*/host_id   = web02/' "$GATE_DIR/gate.ini" > "$GATE_DIR/web02.ini"
mkdir -p "$GATE_DIR/state02" "$GATE_DIR/state-stg"
sed -e 's/^realm   = test/realm   = staging/' "$GATE_DIR/policy.ini" > "$GATE_DIR/staging.ini"
(cd "$GATE_DIR" && "$WRIT" policy sign -s authority.key staging.ini >/dev/null) ||
	fail staging_policy "writ policy sign failed"
sed -e 's/^realm .*/realm     = staging/' \
    -e "s|^policy .*|policy    = $GATE_DIR/staging.ini|" \
    -e "s|^state_dir .*|state_dir = $GATE_DIR/state-stg|" "$GATE_DIR/gate.ini" > "$GATE_DIR/stg.ini"
sed -i -e "s|^state_dir .*|state_dir = $GATE_DIR/state02|" "$GATE_DIR/web02.ini"
gate_own "$GATE_DIR"
chmod 0700 "$GATE_DIR/state02" "$GATE_DIR/state-stg"
ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/web02_key" -C web02
ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/stg_key" -C stg
authorize "$SSH_DIR/client_key" "$GATE -c $GATE_DIR/gate.ini"
authorize "$SSH_DIR/web02_key" "$GATE -c $GATE_DIR/web02.ini"
authorize "$SSH_DIR/stg_key" "$GATE -c $GATE_DIR/stg.ini"
sshd_start

path=$(canary_path relayed)
"$MKREQUEST" -k "$(k ci)" $(req) canary "path=$path" > "$SCRATCH/captured.req"

# The same bytes at web02 (its audit is the shared audit.log).
send_raw at_web02 "$SSH_DIR/web02_key" < "$SCRATCH/captured.req"
verdict_is relayed_to_other_host_refused at_web02 "refused wrong-host "
grep -q ' web02$' "$SCRATCH/at_web02.verdict" &&
	pass wrong_host_names_the_gate || fail wrong_host_names_the_gate "$(cat "$SCRATCH/at_web02.verdict")"
no_canary relayed_to_other_host_runs_nothing relayed
audited relayed_to_other_host_is_audited wrong-host "$path"

# The same bytes at a staging gate whose host id is also web01: its policy
# (realm staging) lists the same signer, but the request names realm test.
send_raw at_staging "$SSH_DIR/stg_key" < "$SCRATCH/captured.req"
verdict_is relayed_to_other_realm_refused at_staging "refused wrong-realm "
no_canary relayed_to_other_realm_runs_nothing relayed
audited relayed_to_other_realm_is_audited wrong-realm "$path"

# Its own gate runs it once; the second time is a replay, even from
# several connections at once.
send_raw first "$SSH_DIR/client_key" < "$SCRATCH/captured.req"
verdict_is original_runs_once first "accepted "
rm -f "$path"
pids=()
for i in 1 2 3 4 5 6; do
	send_raw "again$i" "$SSH_DIR/client_key" < "$SCRATCH/captured.req" &
	pids+=($!)
done
wait "${pids[@]}"
n=$(cat "$SCRATCH"/again*.verdict 2>/dev/null | grep -c '^refused replayed ')
[ "$n" = 6 ] && pass concurrent_replays_all_refused ||
	fail concurrent_replays_all_refused "$n of 6 refused replayed"
no_canary replays_run_nothing relayed
audited replay_is_audited replayed "$path"
