# escape_hop.sh: an op whose one process never stays (tests/tools/hop.c: it
# forks, the parent exits at once, the child calls setsid and does it again),
# so that every pid a look at /proc finds is gone before a signal reaches it.
# It starts when its main process exits, which ends the op's life: the gate
# must stop it (each generation is for a moment the gate's orphan, and a
# SIGKILL during its fork ends it), and in any case its finished record must
# never claim a clean end (survivors=0) while a process of the op still runs. The op stops
# itself after 20 s (or when the test says so), so nothing is left behind.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/attack.sh"

attack_setup
cp "$WRIT_BUILD/tests/tools/hop" "$SCRATCH/bin/hop"
chmod 0755 "$SCRATCH/bin/hop"
sed -i -e "0,/^ops   = /s//ops   = hop, /" "$GATE_DIR/policy.ini"
printf '\n[op hop]\nexec = %s {dir}\nparam.dir = /[A-Za-z0-9/._-]+\nparam.dir.allow = slash\ntimeout = 5\nkill_grace = 1\n' \
    "$SCRATCH/bin/hop" >> "$GATE_DIR/policy.ini"
(cd "$GATE_DIR" && "$WRIT" policy sign -s authority.key policy.ini >/dev/null) ||
	fail policy_sign "writ policy sign failed"
gate_own "$GATE_DIR/policy.ini" "$GATE_DIR/policy.ini.minisig"
mkdir -p "$GATE_DIR/run"
gate_own "$GATE_DIR/run"
at_exit "touch '$GATE_DIR/run/stop'; sleep 0.5"

send hop -k "$(k ci)" $(req) hop "dir=$GATE_DIR/run"
verdict_is hop_accepted hop "accepted "
# Still hopping a second after the session ended?
before=$(cat "$GATE_DIR/run/beat" 2>/dev/null)
sleep 1
after=$(cat "$GATE_DIR/run/beat" 2>/dev/null)
rec=$(grep -F 'event="finished"' "$GATE_DIR/audit.log" | grep -F 'op="hop"' | tail -n 1)
survivors=$(printf '%s\n' "$rec" | grep -o ' survivors=[0-9]*' | cut -d= -f2)
if [ -n "$after" ] && [ "$before" != "$after" ]; then
	fail hop_is_stopped "still hopping a second after the session ($before -> $after)"
	[ "${survivors:-0}" -ge 1 ] && pass hop_escape_is_counted ||
		fail hop_escape_is_counted "still hopping, but: ${rec:-no finished record}"
else
	pass hop_is_stopped
	[ -n "$rec" ] && pass hop_escape_is_counted ||
		fail hop_escape_is_counted "no finished record"
fi
