# run_reports.sh: writ run's --json, --report and --failed-hosts against a
# real sshd whose forced command is writ-gate (tests/sshd.sh): web01 ok,
# web02 refused wrong-host (same gate), dead a closed port.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_setup
sshd_start
client_fleet
# pyjson NAME FILE PROGRAM: every line of FILE parses as JSON; PROGRAM
# (python, the lines in L, the objects in J) asserts the rest.
pyjson() {
	python3 - "$2" "$3" > "$SCRATCH/$1.py" 2>&1 <<'PY'
import json, sys
L = open(sys.argv[1], encoding="utf-8").read().splitlines()
J = [json.loads(l) for l in L]
exec(sys.argv[2])
PY
}
why() { cat "$SCRATCH/$1.py" "$SCRATCH/$1.err" 2>/dev/null | head -c 800; }

r json_lines_per_host -p 1 -H web01,web02,dead -m 'CHG-7' \
    --json "$SCRATCH/run.json" --failed-hosts "$SCRATCH/failed" \
    --report "$SCRATCH/report.md" echo word=hello
[ "$rc" = 4 ] &&
	pyjson json_lines_per_host "$SCRATCH/run.json" '
import re
assert len(J) == 4, len(J)
h = {o["target"]: o for o in J[:3]}
assert set(h) == {"web01", "web02", "dead"}, h
assert h["web01"]["status"] == "ok" and h["web01"]["exit"] == 0
assert h["web01"]["reason"] is None
assert h["web01"]["stdout_bytes"] == 6 and h["web01"]["stderr_bytes"] == 0
assert h["web02"]["status"] == "refused" and h["web02"]["exit"] is None
assert h["web02"]["reason"] == "wrong-host", h["web02"]
assert h["web02"]["host_id"] == "web02" and h["web02"]["address"] == "web02"
assert h["dead"]["status"] == "unreachable" and h["dead"]["exit"] is None
ids = {o["request"] for o in J[:3]}
assert len(ids) == 1 and re.fullmatch("[0-9a-f]{32}", ids.pop()), ids
ts = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
for o in J[:3]:
    assert o["attempts"] == 1 and o["batch"] is None
    assert ts.fullmatch(o["started_at"]) and ts.fullmatch(o["finished_at"]), o
    assert o["started_at"] <= o["finished_at"]
    assert isinstance(o["duration_ms"], int) and o["duration_ms"] >= 0
s = J[3]["summary"]
assert s["op"] == "echo" and s["params"] == {"word": "hello"}, s
assert s["message"] == "CHG-7" and s["mode"] == "parallel"
assert s["counts"] == {"ok": 1, "failed": 0, "refused": 1, "interrupted": 0, "unknown": 0, "skipped": 0,
    "unreachable": 1, "timeout": 0}, s["counts"]
assert s["exit"] == 4 and s["request"] == J[0]["request"]
assert isinstance(s["wall_ms"], int)
' && pass json_lines_per_host || fail json_lines_per_host "rc $rc: $(why json_lines_per_host)"

# The failed hosts, in target order, feed -h back.
[ "$(cat "$SCRATCH/failed" 2>/dev/null)" = "$(printf 'web02\ndead')" ] &&
	"$WRIT" hosts -h "$SCRATCH/failed" > "$SCRATCH/hosts.out" 2>&1 &&
	grep -q web02 "$SCRATCH/hosts.out" && grep -q dead "$SCRATCH/hosts.out" &&
	! grep -q web01 "$SCRATCH/hosts.out" &&
	pass failed_hosts_feed_h ||
	fail failed_hosts_feed_h "$(cat "$SCRATCH/failed" "$SCRATCH/hosts.out" 2>&1)"

md=$SCRATCH/report.md
grep -q '^# writ run: echo' "$md" && grep -qF -- '- message: CHG-7' "$md" &&
	grep -qF -- "- request id: $(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["request"])' "$SCRATCH/run.json")" "$md" &&
	grep -qF -- '- realm: test' "$md" &&
	grep -qE '^\| web01 \| ok \| 0 \| [0-9]+ \|  \|$' "$md" &&
	grep -qE '^\| web02 \| refused \| - \| [0-9]+ \| wrong-host: web01 \|$' "$md" &&
	grep -qE '^\| dead \| unreachable \| - \| [0-9]+ \| connect: ' "$md" &&
	pass markdown_report_has_rows ||
	fail markdown_report_has_rows "$(cat "$md" 2>&1)"

# --json - : stdout is JSON only (the op's output is not printed there).
r json_stdout_is_pure -H web01,web02 --json - echo word=hello
[ "$rc" = 6 ] &&
	pyjson json_stdout_is_pure "$SCRATCH/json_stdout_is_pure.out" '
assert len(J) == 3 and "summary" in J[2], J
assert J[2]["summary"]["counts"]["ok"] == 1
' && ! grep -q 'web01: hello' "$SCRATCH/json_stdout_is_pure.out" &&
	pass json_stdout_is_pure || fail json_stdout_is_pure "rc $rc: $(why json_stdout_is_pure; cat "$SCRATCH/json_stdout_is_pure.out")"

# A refusal detail holding | and * (the param's regex) is escaped in the
# table: the row keeps its five cells.
r report_escapes_detail -H web01 --report "$SCRATCH/esc.md" echo word=UPPER
row=$(grep '^| web01 ' "$SCRATCH/esc.md" 2>/dev/null)
[ "$rc" = 6 ] &&
	printf '%s\n' "$row" | grep -qF 'bad-param: param word does not match \[a-z0-9;\| \&\*.-\]+' &&
	[ "$(printf '%s' "$row" | sed 's/\\|//g' | tr -cd '|' | wc -c)" = 6 ] &&
	pass report_escapes_detail ||
	fail report_escapes_detail "rc $rc: $row $(cat "$SCRATCH/report_escapes_detail.err")"

# A file that cannot be written is an error before anything is sent.
r json_unwritable_is_error -H web01 --json "$SCRATCH/no/such/dir/x.json" uptime
[ "$rc" = 1 ] && grep -qF -- '--json: cannot write' "$SCRATCH/json_unwritable_is_error.err" &&
	! grep -q 'web01:' "$SCRATCH/json_unwritable_is_error.out" &&
	pass json_unwritable_is_error ||
	fail json_unwritable_is_error "rc $rc: $(cat "$SCRATCH/json_unwritable_is_error.err")"

# A JSON write that fails (a full disk) is reported and makes a clean run
# exit 1; the other records are still written.
r json_write_error_exits_1 -H web01 --json /dev/full \
    --failed-hosts "$SCRATCH/full_failed" uptime
[ "$rc" = 1 ] &&
	grep -qF -- 'run: --json: cannot write /dev/full' "$SCRATCH/json_write_error_exits_1.err" &&
	[ -f "$SCRATCH/full_failed" ] && [ ! -s "$SCRATCH/full_failed" ] &&
	pass json_write_error_exits_1 ||
	fail json_write_error_exits_1 "rc $rc: $(cat "$SCRATCH/json_write_error_exits_1.err")"
