# replay_after_prune.sh: a gate whose clock_skew is large (an hour) keeps a
# request's nonce until its not-after plus that skew, and refuses a clock
# gone back only by more than that skew. A nonce removed too early is then a
# request that runs again: captured, it is replayed after the gate has
# pruned its nonce and its clock was set back (NTP spoofed, a bad step) by
# less than clock_skew, to a time inside the request's window. The gate
# must keep every nonce as long as a clock it still accepts could take the
# request for valid. The clocks are libfaketime's, around the gate alone.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/attack.sh"

gate_setup
mkdir -p "$GATE_DIR/canary"
gate_own "$GATE_DIR/canary"
write_gate_ini "clock_skew = 3600"
ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/later_key" -C later
ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/back_key" -C back
# ASan must come first among preloads; faketime preloads itself.
asan=ASAN_OPTIONS=verify_asan_link_order=0
authorize "$SSH_DIR/client_key" "$GATE -c $GATE_DIR/gate.ini"
# 75 minutes on: the request (and its nonce's keep time) long past.
authorize "$SSH_DIR/later_key" "/usr/bin/env $asan /usr/bin/faketime -f +75m $GATE -c $GATE_DIR/gate.ini"
# Then set back by 15 minutes, less than clock_skew: still accepted.
authorize "$SSH_DIR/back_key" "/usr/bin/env $asan /usr/bin/faketime -f +60m $GATE -c $GATE_DIR/gate.ini"
sshd_start
now=$(date +%s)

# The request runs once, at its time; its bytes are kept by the attacker.
send captured -k "$(k ci)" $(req) --not-before $((now - 100)) \
    --not-after $((now + 100)) canary "path=$(canary_path first)"
verdict_is captured_runs captured "accepted "

# Any request at the later time: its session prunes the nonces it may.
send later --ssh-key "$SSH_DIR/later_key" -k "$(k ci)" $(req) \
    --not-before $((now + 4500 - 100)) --not-after $((now + 4500 + 100)) uptime
verdict_is later_runs later "accepted "

# The captured request (another canary path would be another request: the
# same bytes) with the op's canary removed, so a second run shows.
rm -f "$(canary_path first)"
send_raw replayed "$SSH_DIR/back_key" < "$SCRATCH/captured.req"
verdict_is replay_refused replayed "refused replayed "
no_canary replay_runs_nothing first
audited replay_is_audited replayed
