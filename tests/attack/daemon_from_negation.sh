# daemon_from_negation.sh: authorized_keys' from= keeps an address out with
# a "!pattern". The attacker connects from that very address (127.0.0.1)
# with the key. A short negation refuses it at login (logged
# not-from-here). A negation longer than the matcher's buffer was skipped,
# so the rest of the list let the address in: now such a file is refused,
# naming FILE:LINE, on SIGHUP (the running keys stay) and at start (the
# daemon does not start). No canary runs.
GATE_BACKEND=daemon
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/attack.sh"

attack_setup
LOG=$SSH_DIR/daemon-$SSHD_PORT.log
key=$(cat "$SSH_DIR/client_key.pub")

echo "from=\"!127.0.0.1,127.0.0.*\" $key" > "$SSH_DIR/listen_keys"
daemon_reload
send short -k "$(k ci)" $(req) canary "path=$(canary_path short)"
no_canary negation_runs_nothing short
[ "$(cat "$SCRATCH/short.rc")" = 255 ] && pass negation_refused_at_login ||
	fail negation_refused_at_login "rc $(cat "$SCRATCH/short.rc")"
grep -F 'event="login-failed" peer="127.0.0.1:' "$LOG" |
    grep -qF 'reason="not-from-here"' && pass negation_is_logged ||
	fail negation_is_logged "$(grep login- "$LOG" | tail -n 2)"

# The same negation, padded past any buffer.
long="!127.0.0.1$(printf '%0300d' 0 | tr 0 '*')"
echo "from=\"$long,127.0.0.*\" $key" > "$SCRATCH/long_keys"
chmod 0644 "$SCRATCH/long_keys"
cp "$SCRATCH/long_keys" "$SSH_DIR/listen_keys"
before=$(grep -c 'reload failed' "$LOG")
kill -HUP "$SSHD_PID"
for i in $(seq 200); do
	[ "$(grep -c 'reload failed' "$LOG")" -gt "$before" ] && break
	sleep 0.05
done
grep -q "reload failed, still serving the previous gate.ini and authorized_keys: $SSH_DIR/listen_keys:1: from= pattern 1 .* is longer than" "$LOG" &&
	pass long_negation_refused_on_reload ||
	fail long_negation_refused_on_reload "$(tail -n 2 "$LOG")"
send long_reload -k "$(k ci)" $(req) canary "path=$(canary_path long_reload)"
no_canary long_negation_on_reload_runs_nothing long_reload

# At start: the daemon refuses the file and never listens, so the request
# that the skipped negation would have let in finds no one to run it.
sshd_stop
ini=$(daemon_ini "$GATE_DIR/gate.ini" "$SSHD_PORT")
: > "$SCRATCH/start.out"
"$GATE" --listen "127.0.0.1:$SSHD_PORT" --host-key "$SSH_DIR/host_key" \
    --authorized-keys "$SCRATCH/long_keys" \
    -c "$ini" --foreground \
    > "$SCRATCH/start.out" 2>&1 </dev/null &
gate=$!
at_exit "kill $gate 2>/dev/null"
for i in $(seq 100); do
	kill -0 "$gate" 2>/dev/null || break
	grep -q 'listening on' "$SCRATCH/start.out" && break
	sleep 0.05
done
send long_start -k "$(k ci)" $(req) canary "path=$(canary_path long_start)"
no_canary long_negation_at_start_runs_nothing long_start
kill "$gate" 2>/dev/null
wait "$gate"
rc=$?
[ "$rc" = 78 ] && grep -qF "$SCRATCH/long_keys:1: from= pattern 1" "$SCRATCH/start.out" &&
	pass long_negation_refused_at_start ||
	fail long_negation_refused_at_start "exit $rc: $(head -c 300 "$SCRATCH/start.out")"
