# demo.sh: `make demo`'s script runs to its end from a shell whose writ
# settings would break it (WRIT_* variables pointing elsewhere), shows each
# of its steps, and leaves nothing behind: no scratch directory, no daemon,
# no account it made.
. "$(dirname "$0")/../lib.sh"

had_account=$(getent passwd writdemo >/dev/null && echo yes)
# The demo's daemons drop to its account, which must reach its directory.
chmod 0711 "$SCRATCH"
export TMPDIR=$SCRATCH
WRIT_CONFIG=/nonexistent WRIT_REALM=bogus WRIT_KEY=/nonexistent \
WRIT_INVENTORY=/nonexistent WRIT=$WRIT WRIT_GATE=$WRIT_BUILD/writ-gate \
    timeout 120 bash "$SRC/examples/demo.sh" > "$SCRATCH/demo.out" 2>&1
rc=$?
[ "$rc" = 0 ] && pass demo_runs_despite_user_settings ||
	fail demo_runs_despite_user_settings "exit $rc: $(tail -c 800 "$SCRATCH/demo.out")"
for step in "7. A parallel uptime" "9. A rolling release" "12. Two people, two keys" \
    "13. A policy rollout" "14. Revocation" "Done:"; do
	grep -qF "$step" "$SCRATCH/demo.out" && pass "demo_shows_${step%%.*}" ||
		fail "demo_shows_${step%%.*}" "no '$step'"
done
grep -q "installed policy serial 2 (was 1)" "$SCRATCH/demo.out" &&
    grep -q "refused denied-key" "$SCRATCH/demo.out" &&
    grep -q "now signed by 2" "$SCRATCH/demo.out" &&
	pass demo_results_as_described ||
	fail demo_results_as_described "$(grep -E 'installed|denied|signed by' "$SCRATCH/demo.out" | head -5)"
ls -d "$SCRATCH"/writ-demo.* >/dev/null 2>&1 &&
	fail demo_removes_its_directory "$(ls -d "$SCRATCH"/writ-demo.*)" ||
	pass demo_removes_its_directory
pgrep -f "$SCRATCH/writ-demo" >/dev/null &&
	fail demo_stops_its_daemons "$(pgrep -af "$SCRATCH/writ-demo" | head -3)" ||
	pass demo_stops_its_daemons
if [ -z "$had_account" ] && getent passwd writdemo >/dev/null; then
	fail demo_removes_its_account "writdemo is left"
else
	pass demo_removes_its_account
fi
