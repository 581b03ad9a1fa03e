# run_output.sh: writ run's output modes end to end against a
# real sshd whose forced command is writ-gate (tests/sshd.sh): -i whole
# blocks, -b gathered output, -L target order, --timestamp, --color, -q
# status lines, the progress line, and the combinations refused.
# web01 is ok; web02 is refused wrong-host (same gate); dead is a closed
# port; app1..app3 are inventory hosts that reach the same gate with host
# id web01, so they are ok too.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_setup
mkdir -p "$SCRATCH/count"
gate_own "$SCRATCH/count"
# emit (tests/ops/emit): both streams, a partial line, a line of 20000 bytes.
# count: "even" or "odd" by the order hosts reach it (run with -p 1).
# huge: 1.5 MB on stdout, over writ's 1 MiB kept per host and stream.
# ctl: control bytes a terminal would obey.
cat > "$SCRATCH/bin/count" <<SH
#!/bin/sh
n=\$(ls "$SCRATCH/count" | wc -l)
mkdir "$SCRATCH/count/\$n"
if [ \$((n % 2)) = 0 ]; then echo even; else echo odd; fi
echo "from count" >&2
SH
cat > "$SCRATCH/bin/huge" <<'SH'
#!/bin/sh
head -c 1500000 /dev/zero | tr '\0' y
SH
cat > "$SCRATCH/bin/ctl" <<'SH'
#!/bin/sh
printf 'a\033[31mred\n'
SH
# pidwarn: the same stdout everywhere, a stderr line of its own (its pid).
cat > "$SCRATCH/bin/pidwarn" <<'SH'
#!/bin/sh
echo same
echo "pid $$" >&2
SH
add_ops emit count huge ctl pidwarn
sshd_start
client_fleet
# slow1 reaches the gate through a proxy that waits a second before it
# connects: a host that always ends after the others.
loopnet PROXY_PORT proxy "$SSHD_PORT" --delay 1
echo "[127.0.0.1]:$PROXY_PORT $(cat "$SSH_DIR/host_key.pub")" >> "$SSH_DIR/known_hosts"
inventory_add "$SCRATCH/inv.ini" "$SSHD_PORT" app1 app2 app3
inventory_add "$SCRATCH/inv.ini" "$PROXY_PORT" slow1

# why NAME: what the run NAME printed, for a failure message.
why() {
	echo "exit $rc; stdout: $(head -c 400 "$SCRATCH/$1.out"); stderr: $(head -c 400 "$SCRATCH/$1.err")"
}
# same NAME FILE: FILE (times and durations made "T" and "D") is exactly
# the text on stdin.
same() {
	cat > "$SCRATCH/$1.want"
	sed -E -e 's/^\[([0-9]+\/[0-9]+)\] [0-2][0-9]:[0-5][0-9]:[0-5][0-9] /[\1] T /' \
	    -e 's/ [0-9]+\.[0-9]s$/ D/' "$2" > "$SCRATCH/$1.got"
	if cmp -s "$SCRATCH/$1.want" "$SCRATCH/$1.got"; then
		pass "$1"
	else
		fail "$1" "$(diff "$SCRATCH/$1.want" "$SCRATCH/$1.got" | head -c 600)"
	fi
}
# tty NAME ARGS...: as r, with stdout and stderr on a terminal (script(1)),
# both in NAME.tty.
tty() {
	local name=$1 cmd
	shift
	cmd=$(printf '%q ' timeout 60 "$WRIT" run -F "$SCRATCH/ssh_config" \
	    --known-hosts "$SSH_DIR/known_hosts" \
	    --identity "$SSH_DIR/client_key" -l "$GATE_USER" -k "$(k ci)" \
	    --realm test --connect-timeout 5 "$@")
	script -qec "$cmd" /dev/null > "$SCRATCH/$name.tty" 2>&1 </dev/null
	rc=$?
}
x20k=$(head -c 20000 /dev/zero | tr '\0' x)

# -i: each host's output whole after its status line, stderr after
# "Stderr: " (pssh -i); a refused host has its status line alone.
r inline_prints_whole_blocks -i -p 1 -H web01,web02 emit
[ "$rc" = 6 ] || fail inline_prints_whole_blocks "$(why inline_prints_whole_blocks)"
[ "$rc" = 6 ] && same inline_prints_whole_blocks "$SCRATCH/inline_prints_whole_blocks.out" <<EOF
[1/2] T [SUCCESS] web01 D
one
two halves
$x20k
last-no-newline
Stderr: warn
[2/2] T [FAILURE] web02 refused wrong-host D
EOF

# -i keeps 1 MiB per host and stream, and says what it left out.
r inline_caps_kept_output -i -H web01 huge
y1m=$(sed -n 2p "$SCRATCH/inline_caps_kept_output.out" | wc -c)
[ "$rc" = 0 ] && [ "$y1m" = 1048577 ] &&
	[ "$(sed -n 3p "$SCRATCH/inline_caps_kept_output.out")" = '[451424 bytes not shown]' ] &&
	pass inline_caps_kept_output ||
	fail inline_caps_kept_output "line of $y1m bytes; $(why inline_caps_kept_output | tail -c 300)"

# -b: hosts with identical stdout once, under their folded names, groups
# in the order of their first host; hosts without output not shown;
# stderr lines go out live on stderr, "HOST: line" (clush -b).
rm -rf "$SCRATCH/count"/*
r gathers_identical_output -b -p 1 --inventory "$SCRATCH/inv.ini" \
    -H web01,app1,app2,app3,web02 count
[ "$rc" = 6 ] || fail gathers_identical_output "$(why gathers_identical_output)"
[ "$rc" = 6 ] && same gathers_identical_output "$SCRATCH/gathers_identical_output.out" <<'EOF'
---------------- web01,app2 (2) ----------------
even
---------------- app[1,3] (2) ----------------
odd
EOF
grep -qF 'writ: 4 ok, 1 refused web02 (wrong-host)' "$SCRATCH/gathers_identical_output.err" &&
	pass gather_keeps_summary || fail gather_keeps_summary "$(why gathers_identical_output)"
[ "$(grep -c ': from count$' "$SCRATCH/gathers_identical_output.err")" = 4 ] &&
	grep -qx 'app3: from count' "$SCRATCH/gathers_identical_output.err" &&
	pass gather_prints_stderr_live_by_host ||
	fail gather_prints_stderr_live_by_host "$(why gathers_identical_output)"
# Hosts whose stdout is the same but whose stderr differs are one group.
r gathers_stdout_whatever_stderr -b -p 1 --inventory "$SCRATCH/inv.ini" \
    -H web01,app1,app2 pidwarn
[ "$rc" = 0 ] || fail gathers_stdout_whatever_stderr "$(why gathers_stdout_whatever_stderr)"
[ "$rc" = 0 ] && same gathers_stdout_whatever_stderr "$SCRATCH/gathers_stdout_whatever_stderr.out" <<'EOF'
---------------- web01,app[1-2] (3) ----------------
same
EOF
[ "$(grep -Ec '^(web01|app1|app2): pid [0-9]+$' "$SCRATCH/gathers_stdout_whatever_stderr.err")" = 3 ] &&
	pass gather_keeps_each_hosts_stderr ||
	fail gather_keeps_each_hosts_stderr "$(why gathers_stdout_whatever_stderr)"
# Those live stderr lines take --timestamp and -N as other live lines do.
r gather_timestamps_stderr_lines -b --timestamp -H web01 pidwarn
[ "$rc" = 0 ] &&
	grep -Eqx '[0-2][0-9]:[0-5][0-9]:[0-5][0-9] web01: pid [0-9]+' "$SCRATCH/gather_timestamps_stderr_lines.err" &&
	grep -qx same "$SCRATCH/gather_timestamps_stderr_lines.out" &&
	pass gather_timestamps_stderr_lines || fail gather_timestamps_stderr_lines "$(why gather_timestamps_stderr_lines)"
r gather_without_prefix -b -N -H web01 pidwarn
[ "$rc" = 0 ] && grep -Eqx 'pid [0-9]+' "$SCRATCH/gather_without_prefix.err" &&
	pass gather_without_prefix || fail gather_without_prefix "$(why gather_without_prefix)"

# -L: "HOST: line" host after host in target order, though slow1 ends a
# second after web01.
r sorts_output_by_target -L -p 2 --inventory "$SCRATCH/inv.ini" \
    -H slow1,web01 echo word=done
[ "$rc" = 0 ] || fail sorts_output_by_target "$(why sorts_output_by_target)"
[ "$rc" = 0 ] && same sorts_output_by_target "$SCRATCH/sorts_output_by_target.out" <<'EOF'
slow1: done
web01: done
EOF
# Without -L the same run prints web01 first (the test above can fail).
r live_output_is_arrival_order -p 2 --inventory "$SCRATCH/inv.ini" \
    -H slow1,web01 echo word=done
[ "$(head -n 1 "$SCRATCH/live_output_is_arrival_order.out")" = 'web01: done' ] &&
	pass live_output_is_arrival_order ||
	fail live_output_is_arrival_order "$(why live_output_is_arrival_order)"

# -L keeps stderr on stderr, and -N drops the prefix.
r sorted_keeps_streams_apart -L -N -H web01 emit
[ "$rc" = 0 ] && grep -qx 'two halves' "$SCRATCH/sorted_keeps_streams_apart.out" &&
	grep -qx 'warn' "$SCRATCH/sorted_keeps_streams_apart.err" &&
	! grep -q warn "$SCRATCH/sorted_keeps_streams_apart.out" &&
	pass sorted_keeps_streams_apart ||
	fail sorted_keeps_streams_apart "$(why sorted_keeps_streams_apart)"

# --timestamp: each live line starts with the local time it arrived.
r timestamps_live_lines --timestamp -H web01 emit
[ "$rc" = 0 ] &&
	grep -Eqx '[0-2][0-9]:[0-5][0-9]:[0-5][0-9] web01: two halves' "$SCRATCH/timestamps_live_lines.out" &&
	grep -Eqx '[0-2][0-9]:[0-5][0-9]:[0-5][0-9] web01: warn' "$SCRATCH/timestamps_live_lines.err" &&
	[ "$(grep -Ec '^[0-2][0-9]:[0-5][0-9]:[0-5][0-9] web01: ' "$SCRATCH/timestamps_live_lines.out")" = 5 ] &&
	pass timestamps_live_lines || fail timestamps_live_lines "$(why timestamps_live_lines)"
r timestamps_without_prefix --timestamp -N -H web01 echo word=hello
[ "$rc" = 0 ] &&
	grep -Eqx '[0-2][0-9]:[0-5][0-9]:[0-5][0-9] hello' "$SCRATCH/timestamps_without_prefix.out" &&
	pass timestamps_without_prefix || fail timestamps_without_prefix "$(why timestamps_without_prefix)"

# --color: always colours the host prefix (stderr's in its own colour)
# even into a pipe; never, and auto off a terminal, give no escapes.
esc=$(printf '\033')
r color_always_colours_prefixes --color always -H web01 emit
[ "$rc" = 0 ] &&
	grep -qF "${esc}[36mweb01:${esc}[0m one" "$SCRATCH/color_always_colours_prefixes.out" &&
	grep -qF "${esc}[31mweb01:${esc}[0m warn" "$SCRATCH/color_always_colours_prefixes.err" &&
	pass color_always_colours_prefixes ||
	fail color_always_colours_prefixes "$(why color_always_colours_prefixes)"
NO_COLOR=1 r color_always_beats_NO_COLOR --color always -H web01 echo word=hello
grep -qF "${esc}[36mweb01:" "$SCRATCH/color_always_beats_NO_COLOR.out" &&
	pass color_always_beats_NO_COLOR || fail color_always_beats_NO_COLOR "$(why color_always_beats_NO_COLOR)"
r color_never_has_no_escapes --color never -q -H web01,web02 emit
[ "$rc" = 6 ] && ! grep -q "$esc" "$SCRATCH/color_never_has_no_escapes.out" \
    "$SCRATCH/color_never_has_no_escapes.err" &&
	pass color_never_has_no_escapes || fail color_never_has_no_escapes "$(why color_never_has_no_escapes)"
r color_auto_off_a_terminal -H web01 emit
! grep -q "$esc" "$SCRATCH/color_auto_off_a_terminal.out" "$SCRATCH/color_auto_off_a_terminal.err" &&
	pass color_auto_off_a_terminal || fail color_auto_off_a_terminal "$(why color_auto_off_a_terminal)"
# On a terminal, auto colours; NO_COLOR (non-empty) turns auto off.
tty color_auto_on_a_terminal -H web01 echo word=hello
grep -qF "${esc}[36mweb01:${esc}[0m hello" "$SCRATCH/color_auto_on_a_terminal.tty" &&
	pass color_auto_on_a_terminal ||
	fail color_auto_on_a_terminal "$(head -c 400 "$SCRATCH/color_auto_on_a_terminal.tty" | od -c | head)"
NO_COLOR=1 tty NO_COLOR_turns_auto_off -H web01 echo word=hello
grep -qF 'web01: hello' "$SCRATCH/NO_COLOR_turns_auto_off.tty" &&
	! grep -qF "${esc}[36m" "$SCRATCH/NO_COLOR_turns_auto_off.tty" &&
	pass NO_COLOR_turns_auto_off ||
	fail NO_COLOR_turns_auto_off "$(head -c 400 "$SCRATCH/NO_COLOR_turns_auto_off.tty" | od -c | head)"
NO_COLOR= tty empty_NO_COLOR_is_unset -H web01 echo word=hello
grep -qF "${esc}[36mweb01:" "$SCRATCH/empty_NO_COLOR_is_unset.tty" &&
	pass empty_NO_COLOR_is_unset || fail empty_NO_COLOR_is_unset "$(head -c 300 "$SCRATCH/empty_NO_COLOR_is_unset.tty")"

# -q: a status line per host as it ends (pssh), and no host output.
r quiet_prints_status_lines -q -p 1 -H web01,web02,dead emit
[ "$rc" = 4 ] || fail quiet_prints_status_lines "$(why quiet_prints_status_lines)"
[ "$rc" = 4 ] && same quiet_prints_status_lines "$SCRATCH/quiet_prints_status_lines.out" <<'EOF'
[1/3] T [SUCCESS] web01 D
[2/3] T [FAILURE] web02 refused wrong-host D
[3/3] T [FAILURE] dead unreachable D
EOF
! grep -qe 'warn' -e 'one' "$SCRATCH/quiet_prints_status_lines.err" &&
	grep -qF 'writ: 1 ok, 1 refused web02 (wrong-host), 1 unreachable dead' "$SCRATCH/quiet_prints_status_lines.err" &&
	pass quiet_prints_no_output || fail quiet_prints_no_output "$(why quiet_prints_status_lines)"
r quiet_names_the_exit -q -H web01 fail 'script=exit 3'
grep -Eqx '\[1/1\] [0-2][0-9]:[0-5][0-9]:[0-5][0-9] \[FAILURE\] web01 exit 3 [0-9]+\.[0-9]s' \
    "$SCRATCH/quiet_names_the_exit.out" &&
	pass quiet_names_the_exit || fail quiet_names_the_exit "$(why quiet_names_the_exit)"
r quiet_colours_status_words -q --color always -H web01,web02 uptime
grep -qF "${esc}[1;32m[SUCCESS]${esc}[0m web01" "$SCRATCH/quiet_colours_status_words.out" &&
	grep -qF "${esc}[1;31m[FAILURE]${esc}[0m web02" "$SCRATCH/quiet_colours_status_words.out" &&
	pass quiet_colours_status_words || fail quiet_colours_status_words "$(why quiet_colours_status_words)"
# --json - stays quiet: JSON alone on stdout.
r json_stdout_stays_quiet --json - -H web01 echo word=hello
[ "$rc" = 0 ] && ! grep -q 'web01: hello' "$SCRATCH/json_stdout_stays_quiet.out" &&
	! grep -q SUCCESS "$SCRATCH/json_stdout_stays_quiet.out" &&
	[ "$(wc -l < "$SCRATCH/json_stdout_stays_quiet.out")" = 2 ] &&
	pass json_stdout_stays_quiet || fail json_stdout_stays_quiet "$(why json_stdout_stays_quiet)"

# The progress line: never into a pipe; on a terminal, rewritten in place
# and erased before the summary.
r no_progress_line_into_a_pipe -p 1 -H web01,web02,dead emit
! grep -q "in flight" "$SCRATCH/no_progress_line_into_a_pipe.err" &&
	! grep -q "$(printf '\r')" "$SCRATCH/no_progress_line_into_a_pipe.err" &&
	pass no_progress_line_into_a_pipe || fail no_progress_line_into_a_pipe "$(why no_progress_line_into_a_pipe)"
tty progress_line_on_a_terminal -p 1 -H web01,web02 echo word=hello
cr=$(printf '\r')
grep -qF "${cr}writ: 1/2 done, 1 in flight, 0 failed${esc}[K" "$SCRATCH/progress_line_on_a_terminal.tty" &&
	grep -qF "${cr}${esc}[Kwrit: 1 ok, 1 refused web02" "$SCRATCH/progress_line_on_a_terminal.tty" &&
	pass progress_line_on_a_terminal ||
	fail progress_line_on_a_terminal "$(od -c "$SCRATCH/progress_line_on_a_terminal.tty" | head -20)"
tty quiet_has_no_progress_line -q -H web01 echo word=hello
grep -Eq ' web01 [0-9]+\.[0-9]s' "$SCRATCH/quiet_has_no_progress_line.tty" &&
	! grep -q 'in flight' "$SCRATCH/quiet_has_no_progress_line.tty" &&
	pass quiet_has_no_progress_line || fail quiet_has_no_progress_line "$(head -c 300 "$SCRATCH/quiet_has_no_progress_line.tty")"
# -i on a terminal escapes control bytes as live lines do.
tty inline_escapes_on_a_terminal -i -H web01 ctl
grep -qF 'a\x1b[31mred' "$SCRATCH/inline_escapes_on_a_terminal.tty" &&
	pass inline_escapes_on_a_terminal ||
	fail inline_escapes_on_a_terminal "$(head -c 300 "$SCRATCH/inline_escapes_on_a_terminal.tty" | od -c | head)"

# Combinations that make no sense: one line, exit 2, before any host.
u() {
	t "$WRIT" run -H web01 -k "$(k ci)" --realm test "$@" uptime
}
u -i -b
expect inline_with_gather_is_usage 2 'writ: run: -i and -b cannot be combined'
u -b -L
expect gather_with_sorted_is_usage 2 'writ: run: -b and -L cannot be combined'
u -q -i
expect quiet_with_inline_is_usage 2 'writ: run: -q and -i cannot be combined'
u -i -o "$SCRATCH"
expect outdir_with_inline_is_usage 2 'writ: run: -o and -i cannot be combined'
u -e "$SCRATCH" -L
expect errdir_with_sorted_is_usage 2 'writ: run: -e and -L cannot be combined'
u -b --json -
expect gather_with_json_stdout_is_usage 2 'writ: run: -b and --json - cannot be combined'
u -q --json -
expect quiet_with_json_stdout_is_usage 2 'writ: run: -q and --json - cannot be combined'
u -L --timestamp
expect timestamp_with_sorted_is_usage 2 'writ: run: --timestamp and -L cannot be combined'
u -N -i
expect no_prefix_with_inline_is_usage 2 'writ: run: -N and -i cannot be combined'
u --timestamp -o "$SCRATCH" -e "$SCRATCH"
expect timestamp_with_all_files_is_usage 2 'writ: run: --timestamp and -o, -e cannot be combined'
u --color sometimes
expect color_wants_a_known_word 2 "writ: run: --color: want auto, always or never, not 'sometimes'"
[ "$(wc -l < "$SCRATCH/out")" = 1 ] && pass usage_error_is_one_line ||
	fail usage_error_is_one_line "$(cat "$SCRATCH/out")"
# -q with -o writes the files and prints the status lines.
mkdir -p "$SCRATCH/qout"
r quiet_with_outdir_writes_files -q -o "$SCRATCH/qout" -H web01 echo word=hello
[ "$rc" = 0 ] && grep -qx hello "$SCRATCH/qout/web01" &&
	grep -qF '[SUCCESS] web01' "$SCRATCH/quiet_with_outdir_writes_files.out" &&
	pass quiet_with_outdir_writes_files || fail quiet_with_outdir_writes_files "$(why quiet_with_outdir_writes_files)"

t "$WRIT" run --help
expect run_help_lists_output_modes 0 '--color WHEN'
