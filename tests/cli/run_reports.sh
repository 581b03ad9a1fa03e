# run_reports.sh: writ run's --json, --report and --failed-hosts against a
# real sshd whose forced command is writ-gate (tests/sshd.sh): web01 ok,
# web02 refused wrong-host (same gate), dead a closed port, silent a black
# hole.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_setup
# text: both streams, a byte that is not UTF-8, a last line without its
# newline. huge: 1.5 MB on stdout, over the 1 MiB kept per stream.
# hostile: bytes a terminal or a careless JSON writer would choke on.
cat > "$SCRATCH/bin/text" <<'SH'
#!/bin/sh
printf 'one\ncaf\303\251 \377 two\nno-newline'
printf 'warn: "quoted" \\ back\n' >&2
SH
cat > "$SCRATCH/bin/huge" <<'SH'
#!/bin/sh
head -c 1500000 /dev/zero | tr '\0' y
SH
cat > "$SCRATCH/bin/hostile" <<'SH'
#!/bin/sh
printf 'nul\000esc\033[2J\033]0;owned\007 csi\302\233 c1\233 del\177\n'
printf 'overlong\300\257 surrogate\355\240\200 cut\342\202'
printf 'sep\342\200\250 "}\n{"x":1}\r\n' >&2
SH
add_ops text huge hostile
sshd_start
client_fleet
loopnet SILENT_PORT hole
printf 'Host silent\n  HostName 127.0.0.1\n  Port %s\n' "$SILENT_PORT" >> "$SCRATCH/ssh_config"
# pyjson NAME FILE PROGRAM: FILE is UTF-8 and every line of it (each
# ending in \n, the one line end JSON Lines has) parses as JSON; PROGRAM
# (python, the lines in L, the objects in J) asserts the rest.
pyjson() {
	python3 - "$2" "$3" > "$SCRATCH/$1.py" 2>&1 <<'PY'
import json, sys
L = open(sys.argv[1], encoding="utf-8", newline="").read().split("\n")[:-1]
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

# An unreachable host's reason names the stage that failed; the detail
# is the whole message.
pyjson json_unreachable_reason "$SCRATCH/run.json" '
d = [o for o in J if o.get("target") == "dead"][0]
assert d["reason"] == "connect", d
assert d["detail"].startswith("connect: "), d
w = [o for o in J if o.get("target") == "web02"][0]
assert w["detail"] == "web01", w
' && pass json_unreachable_reason || fail json_unreachable_reason "$(why json_unreachable_reason)"

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

# Each host's line carries its output text, exactly: both streams, a last
# line without its newline, a byte that is not UTF-8 as U+FFFD.
r json_carries_output -H web01 --json "$SCRATCH/text.json" text
[ "$rc" = 0 ] && pyjson json_carries_output "$SCRATCH/text.json" '
o = J[0]
assert o["stdout"] == "one\ncaf\u00e9 \ufffd two\nno-newline", repr(o["stdout"])
assert o["stderr"] == "warn: \"quoted\" \\ back\n", repr(o["stderr"])
assert o["truncated"] is False, o
assert o["stdout_bytes"] == 26 and o["stderr_bytes"] == 22, o
assert o["reason"] is None and o["detail"] is None, o
assert list(o)[list(o).index("request") + 1:] == ["stdout", "stderr", "truncated"], list(o)
' && pass json_carries_output || fail json_carries_output "rc $rc: $(why json_carries_output)"

# A host that prints no output has "" (not null); a skipped one too.
r json_empty_output_is_empty_text --mode sequential -H web02,web01 \
    --json "$SCRATCH/empty.json" uptime
[ "$rc" = 6 ] && pyjson json_empty_output_is_empty_text "$SCRATCH/empty.json" '
h = {o["target"]: o for o in J[:2]}
for t in ("web02", "web01"):
    assert h[t]["stdout"] == "" and h[t]["stderr"] == "", h[t]
    assert h[t]["truncated"] is False, h[t]
assert h["web01"]["status"] == "skipped", h
' && pass json_empty_output_is_empty_text || fail json_empty_output_is_empty_text "rc $rc: $(why json_empty_output_is_empty_text)"

# Output past the 1 MiB kept per stream is cut there, and says so.
r json_output_capped -H web01 --json "$SCRATCH/huge.json" huge
[ "$rc" = 0 ] && pyjson json_output_capped "$SCRATCH/huge.json" '
o = J[0]
assert o["stdout"] == "y" * 1048576, len(o["stdout"])
assert o["stdout_bytes"] == 1500000 and o["truncated"] is True, o["truncated"]
' && pass json_output_capped || fail json_output_capped "rc $rc: $(why json_output_capped)"

# Hostile bytes (NUL, escapes, C1 controls, overlongs, a surrogate, a
# sequence cut short, U+2028, a fake end of object): every line is still
# one valid JSON object, and the text what the host sent, made UTF-8.
r json_hostile_output_stays_json -H web01 --json "$SCRATCH/hostile.json" hostile
[ "$rc" = 0 ] && [ "$(wc -l < "$SCRATCH/hostile.json")" = 2 ] &&
	jq -e 'type == "object"' "$SCRATCH/hostile.json" > /dev/null &&
	pyjson json_hostile_output_stays_json "$SCRATCH/hostile.json" '
o = J[0]
want = ("nul\0esc\x1b[2J\x1b]0;owned\x07 csi\u009b c1\ufffd del\x7f\n"
    "overlong\ufffd\ufffd surrogate\ufffd\ufffd\ufffd cut\ufffd\ufffd")
assert o["stdout"] == want, repr(o["stdout"])
assert o["stderr"] == "sep\u2028 \"}\n{\"x\":1}\r\n", repr(o["stderr"])
' && pass json_hostile_output_stays_json || fail json_hostile_output_stays_json "rc $rc: $(why json_hostile_output_stays_json)"

# A timed out host's reason says which clock ran out: the -t deadline.
r json_deadline_reason -t 1 -H web01 --json "$SCRATCH/deadline.json" sleeper secs=5
[ "$rc" = 3 ] && pyjson json_deadline_reason "$SCRATCH/deadline.json" '
o = J[0]
assert o["status"] == "timeout" and o["reason"] == "deadline", o
assert o["detail"] == "deadline of 1 s passed", o
' && pass json_deadline_reason || fail json_deadline_reason "rc $rc: $(why json_deadline_reason)"

# ...the gate's timeout for the op (2 s for sleeper), and the connect
# timeout of a host that never answers.
r json_timeout_reasons --connect-timeout 1 -H web01,silent \
    --json "$SCRATCH/timeouts.json" sleeper secs=5
[ "$rc" = 3 ] && pyjson json_timeout_reasons "$SCRATCH/timeouts.json" '
h = {o["target"]: o for o in J[:2]}
assert h["web01"]["status"] == "timeout", h["web01"]
assert h["web01"]["reason"] == "op-timeout", h["web01"]
assert h["web01"]["detail"] == "the gate killed the op at its timeout", h["web01"]
assert h["silent"]["status"] == "timeout", h["silent"]
assert h["silent"]["reason"] == "connect-timeout", h["silent"]
assert h["silent"]["detail"].startswith("connect: "), h["silent"]
' && pass json_timeout_reasons || fail json_timeout_reasons "rc $rc: $(why json_timeout_reasons)"
