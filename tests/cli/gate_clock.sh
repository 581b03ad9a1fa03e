# gate_clock.sh: the gate keeps the latest time it has seen and refuses
# while its clock is behind it (clock-went-back); a clock far ahead makes
# valid requests not-yet-valid. The clock is moved with libfaketime
# (faketime(1)) around the gate alone, never by an override the gate reads.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_setup
ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/past_key" -C past
ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/future_key" -C future
# ASan must come first among preloads; faketime preloads itself.
asan=ASAN_OPTIONS=verify_asan_link_order=0
authorize "$SSH_DIR/client_key" "$GATE -c $GATE_DIR/gate.ini"
authorize "$SSH_DIR/past_key" "/usr/bin/env $asan /usr/bin/faketime -f -2h $GATE -c $GATE_DIR/gate.ini"
authorize "$SSH_DIR/future_key" "/usr/bin/env $asan /usr/bin/faketime -f +2h $GATE -c $GATE_DIR/gate.ini"
sshd_start
now=$(date +%s)

send sees_the_present -k "$(k ci)" $(req) uptime
verdict_is sees_the_present sees_the_present "accepted "

# Within STATE_TIME_STEP (30 s) of the recorded time, a session leaves the
# state file alone: the same inode, the same latest time.
ino=$(stat -c %i "$GATE_DIR/state/state")
latest=$(grep '^latest ' "$GATE_DIR/state/state")
send burst_keeps_state_file -k "$(k ci)" $(req) uptime
verdict_is burst_keeps_state_file burst_keeps_state_file "accepted "
[ "$(stat -c %i "$GATE_DIR/state/state")" = "$ino" ] &&
	[ "$(grep '^latest ' "$GATE_DIR/state/state")" = "$latest" ] &&
	pass state_file_not_rewritten_in_a_burst ||
	fail state_file_not_rewritten_in_a_burst "inode $ino -> $(stat -c %i "$GATE_DIR/state/state")"

# A request valid two hours ago, sent to a gate whose clock says so.
send refuses_clock_gone_back --ssh-key "$SSH_DIR/past_key" -k "$(k ci)" $(req) \
	--not-before $((now - 7200 - 100)) --not-after $((now - 7200 + 100)) uptime
verdict_is refuses_clock_gone_back refuses_clock_gone_back "refused clock-went-back "
grep -qF 'reason="clock-went-back"' "$GATE_DIR/audit.log" &&
	pass clock_went_back_is_audited || fail clock_went_back_is_audited "no record"

# A gate two hours ahead finds a fresh request not yet valid...
send refuses_request_from_its_past --ssh-key "$SSH_DIR/future_key" -k "$(k ci)" $(req) uptime
verdict_is refuses_request_from_its_past refuses_request_from_its_past "refused expired "
# ...accepts one made for its time, and remembers that time:
send accepts_at_its_time --ssh-key "$SSH_DIR/future_key" -k "$(k ci)" $(req) \
	--not-before $((now + 7200 - 100)) --not-after $((now + 7200 + 100)) uptime
verdict_is accepts_at_its_time accepts_at_its_time "accepted "
# so back at the real time, the gate refuses until the clock catches up.
send refuses_after_clock_jumped_back -k "$(k ci)" $(req) uptime
verdict_is refuses_after_clock_jumped_back refuses_after_clock_jumped_back "refused clock-went-back "
