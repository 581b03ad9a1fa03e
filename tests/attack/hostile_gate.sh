# hostile_gate.sh: a compromised host answers the client with frames of its
# choosing (tests/ops/hostile-gate stands in for writ-gate as the forced
# command). What it sends may not steer the operator's terminal: no escape
# sequence (C0 ESC and BEL, C1 CSI as UTF-8 or as a raw byte) reaches it from
# a verdict's detail or, on a terminal, from output. And writ get keeps a
# file only as DIR/HOST/NAME with NAME one safe component: a name that climbs
# out (.., a slash) is refused and nothing is written outside DIR/HOST.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_setup
cp "$SRC/tests/ops/hostile-gate" "$SCRATCH/bin/hostile-gate"
chmod 0755 "$SCRATCH/bin/hostile-gate"
authorize "$SSH_DIR/client_key" "$SCRATCH/bin/hostile-gate $SCRATCH/mode"
sshd_start
client_fleet
mode() { echo "$1" > "$SCRATCH/mode"; chmod 0644 "$SCRATCH/mode"; }

# no_controls TEST FILE: FILE holds no ESC, BEL or 0x9b byte (the progress
# line's own erase, ESC [ K, aside).
no_controls() {
	if sed 's/\x1b\[K//g' "$2" | LC_ALL=C grep -q $'[\x1b\x07\x9b]'; then
		fail "$1" "a control byte reached the terminal: $(od -c "$2" | head -n 8)"
	else
		pass "$1"
	fi
}

# The refusal's detail, printed on stderr whatever it is.
mode verdict
r verdict_detail -H web01 uptime
[ "$rc" = 6 ] && grep -qF 'refused bad-param' "$SCRATCH/verdict_detail.err" &&
	pass hostile_verdict_is_a_refusal ||
	fail hostile_verdict_is_a_refusal "exit $rc; $(head -c 300 "$SCRATCH/verdict_detail.err")"
no_controls hostile_verdict_detail_is_escaped "$SCRATCH/verdict_detail.err"

# Output on a terminal (script(1)), stdout and stderr.
mode output
cmd=$(printf '%q ' timeout 60 "$WRIT" run -F "$SCRATCH/ssh_config" \
    --known-hosts "$SSH_DIR/known_hosts" --identity "$SSH_DIR/client_key" \
    -l "$GATE_USER" -k "$(k ci)" --realm test --connect-timeout 5 \
    --color never -H web01 uptime)
script -qec "$cmd" /dev/null > "$SCRATCH/output.tty" 2>&1 </dev/null
grep -qF 'web01: out:' "$SCRATCH/output.tty" && grep -qF 'web01: err:' "$SCRATCH/output.tty" &&
	pass hostile_output_is_shown ||
	fail hostile_output_is_shown "$(od -c "$SCRATCH/output.tty" | head -n 8)"
no_controls hostile_output_is_escaped_on_a_terminal "$SCRATCH/output.tty"

# writ get: the gate names the file.
mkdir -p "$SCRATCH/dest" "$SCRATCH/outside"
i=0
for name in .. ../outside/x ../../x a/b .writ-get-x/../y; do
	i=$((i + 1))
	mode "get-$name"
	timeout 60 "$WRIT" get -F "$SCRATCH/ssh_config" \
	    --known-hosts "$SSH_DIR/known_hosts" --identity "$SSH_DIR/client_key" \
	    -l "$GATE_USER" -k "$(k ci)" --realm test --connect-timeout 5 \
	    --dest "$SCRATCH/dest" -H web01 fetch name=x \
	    > "$SCRATCH/get.out" 2> "$SCRATCH/get.err" </dev/null
	rc=$?
	left=$(find "$SCRATCH/dest" "$SCRATCH/outside" -type f)
	[ "$rc" = 5 ] && [ -z "$left" ] &&
		pass "hostile_file_name_refused_$i" ||
		fail "hostile_file_name_refused_$i" "name $name: exit $rc, files: $left; $(head -c 300 "$SCRATCH/get.err")"
done
# A plain name is kept where it belongs.
mode get-x.log
timeout 60 "$WRIT" get -F "$SCRATCH/ssh_config" \
    --known-hosts "$SSH_DIR/known_hosts" --identity "$SSH_DIR/client_key" \
    -l "$GATE_USER" -k "$(k ci)" --realm test --connect-timeout 5 \
    --dest "$SCRATCH/dest" -H web01 fetch name=x \
    > "$SCRATCH/get.out" 2> "$SCRATCH/get.err" </dev/null
rc=$?
[ "$rc" = 0 ] && [ "$(cat "$SCRATCH/dest/web01/x.log" 2>/dev/null)" = abc ] &&
	[ "$(find "$SCRATCH/dest" -type f)" = "$SCRATCH/dest/web01/x.log" ] &&
	pass hostile_gate_file_kept_in_its_place ||
	fail hostile_gate_file_kept_in_its_place "exit $rc; $(find "$SCRATCH/dest"); $(head -c 300 "$SCRATCH/get.err")"
