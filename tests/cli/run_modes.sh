# run_modes.sh: writ run's modes (sequential, rolling with batches, a
# failure budget and a health check), signals, retries, host key learning,
# -I, -O and -v, against a real sshd whose forced command is writ-gate.
# The inventory names w1..w6 for the one gate (host id web01), so each is
# a host that works; "bad" is a closed port, and "wrong" is refused
# wrong-host.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_setup
sshd_start
client_fleet
inv=$SCRATCH/inventory.ini
inventory_add "$inv" "$SSHD_PORT" w1 w2 w3 w4 w5 w6
inventory_add "$inv" "$DEAD_PORT" bad
printf '[host wrong]\naddress = 127.0.0.1\nport = %s\nhost_id = db09\n' \
    "$SSHD_PORT" >> "$inv"

# rr NAME ARGS...: r with the inventory and a JSON report in NAME.json.
rr() {
	local name=$1
	shift
	r "$name" --inventory "$inv" --json "$SCRATCH/$name.json" "$@"
}
# statuses NAME: "target=status/batch" of every host line of NAME.json.
statuses() {
	jq -r 'select(.target) | "\(.target)=\(.status)/\(.batch)"' \
	    "$SCRATCH/$1.json" | tr '\n' ' '
}
# check NAME STATUS WANT: exit STATUS and statuses WANT.
# (Hosts in flight together end in any order: both sides are sorted.)
check() {
	local got want
	got=$(statuses "$1" 2>&1 | tr ' ' '\n' | sort | tr '\n' ' ')
	want=$(printf '%s' "$3" | tr ' ' '\n' | sort | tr '\n' ' ')
	if [ "$rc" = "$2" ] && [ "$got" = "$want" ]; then
		pass "$1"
	else
		fail "$1" "exit $rc (want $2); got '$got', want '$3'; $(head -c 600 "$SCRATCH/$1.err")"
	fi
}

rr sequential_stops_at_first_failure --mode sequential -H w1,bad,w2 uptime
check sequential_stops_at_first_failure 4 \
    'w1=ok/null bad=unreachable/null w2=skipped/null '

jq -se 'map(select(.target=="w2"))[0] | .attempts == 0 and .started_at == null and .exit == null' \
    "$SCRATCH/sequential_stops_at_first_failure.json" >/dev/null &&
	pass skipped_host_has_no_times ||
	fail skipped_host_has_no_times "$(jq -c "select(.target==\"w2\")" "$SCRATCH/sequential_stops_at_first_failure.json" 2>&1)"

rr sequential_keep_going_runs_all --mode sequential --keep-going \
    -H w1,bad,w2 uptime
check sequential_keep_going_runs_all 4 \
    'w1=ok/null bad=unreachable/null w2=ok/null '

rr rolling_halts_past_max_fail --mode rolling --batch 1,2 \
    -H w1,w2,bad,w3,w4 uptime
check rolling_halts_past_max_fail 4 \
    'w1=ok/1 w2=ok/2 bad=unreachable/2 w3=skipped/null w4=skipped/null '
grep -q '2 skipped w\[3-4\]' "$SCRATCH/rolling_halts_past_max_fail.err" &&
	pass rolling_summary_names_skipped ||
	fail rolling_summary_names_skipped "$(cat "$SCRATCH/rolling_halts_past_max_fail.err")"

rr rolling_budget_counts_whole_run --mode rolling --batch 2 --max-fail 1 \
    -H w1,bad,w2,wrong,w3,w4 uptime
check rolling_budget_counts_whole_run 4 \
    'w1=ok/1 bad=unreachable/1 w2=ok/2 wrong=refused/2 w3=skipped/null w4=skipped/null '

rr rolling_percent_batches --mode rolling --batch '20%,50%' --max-fail 20% \
    -H w1,w2,w3,w4,w5 uptime
check rolling_percent_batches 0 \
    'w1=ok/1 w2=ok/2 w3=ok/2 w4=ok/2 w5=ok/3 '

# A health op that fails marks the batch's hosts failed and halts.
rr rolling_health_check_halts --mode rolling --batch 2 --health fail \
    -H w1,w2,w3 uptime
check rolling_health_check_halts 5 \
    'w1=failed/1 w2=failed/1 w3=skipped/null '
[ "$(jq -r 'select(.target=="w1") | .reason' "$SCRATCH/rolling_health_check_halts.json")" = "health check failed" ] &&
	pass health_failure_has_reason ||
	fail health_failure_has_reason "$(head -c 400 "$SCRATCH/rolling_health_check_halts.json")"

# The health op is a plain run with its own params: echo needs word=.
rr rolling_health_takes_params --mode rolling --batch 1 \
    --health 'echo  word=healthy' -H w1,w2 uptime
check rolling_health_takes_params 0 'w1=ok/1 w2=ok/2 '
# Its output is its verdict alone: it is not shown.
grep -q healthy "$SCRATCH/rolling_health_takes_params.out" &&
	fail health_output_not_shown "$(cat "$SCRATCH/rolling_health_takes_params.out")" ||
	pass health_output_not_shown
# Without the param it needs, the gate refuses the health op: each host
# reads "health check failed" (not "exit 0", its op's exit) on -q's line
# and in the summary.
r rolling_health_refused -q --inventory "$inv" --mode rolling --batch 1 \
    --health echo -H w1,w2 uptime
[ "$rc" = 5 ] && grep -q '\[FAILURE\] w1 health check failed' \
    "$SCRATCH/rolling_health_refused.out" &&
    ! grep -q 'exit 0' "$SCRATCH/rolling_health_refused.out" &&
    grep -q '1 failed w1 (health check failed)' \
    "$SCRATCH/rolling_health_refused.err" &&
	pass health_failure_reads_health_check_failed ||
	fail health_failure_reads_health_check_failed "rc $rc: $(cat "$SCRATCH/rolling_health_refused.out" "$SCRATCH/rolling_health_refused.err")"
# A rolling upload: the health op is never sent the file.
mkdir -p "$SCRATCH/up"
gate_own "$SCRATCH/up"
printf 'release 1\n' > "$SCRATCH/release.tar"
timeout 60 "$WRIT" put -F "$SCRATCH/ssh_config" \
    --known-hosts "$SSH_DIR/known_hosts" --identity "$SSH_DIR/client_key" \
    -l "$GATE_USER" -k "$(k ci)" --realm test --connect-timeout 5 \
    --inventory "$inv" --mode rolling --batch 1 \
    --health 'echo word=healthy' -H w1 put "$SCRATCH/release.tar" \
    name=release.tar > "$SCRATCH/put_health.out" 2> "$SCRATCH/put_health.err"
rc=$?
[ "$rc" = 0 ] && cmp -s "$SCRATCH/release.tar" "$SCRATCH/up/release.tar" &&
	pass rolling_put_health_gets_no_upload ||
	fail rolling_put_health_gets_no_upload "rc $rc: $(cat "$SCRATCH/put_health.err")"
# Bad --health text is a usage error before any host is contacted.
r health_needs_op --inventory "$inv" --mode rolling --batch 1 \
    --health 'word=x' -H w1 uptime
[ "$rc" = 2 ] && grep -q "want 'OP \[NAME=VALUE" "$SCRATCH/health_needs_op.err" &&
	pass health_needs_an_op ||
	fail health_needs_an_op "rc $rc: $(cat "$SCRATCH/health_needs_op.err")"
r health_bad_param --inventory "$inv" --mode rolling --batch 1 \
    --health 'echo word' -H w1 uptime
[ "$rc" = 2 ] && grep -q "'word' is not NAME=VALUE" "$SCRATCH/health_bad_param.err" &&
	pass health_param_is_name_value ||
	fail health_param_is_name_value "rc $rc: $(cat "$SCRATCH/health_bad_param.err")"

# --pause waits between batches: 2 batches, one pause of 1 s.
start=$(date +%s%N)
rr rolling_pauses --mode rolling --batch 1 --pause 1 -H w1,w2 uptime
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$rc" = 0 ] && [ "$ms" -ge 1000 ] && pass rolling_pauses ||
	fail rolling_pauses "rc $rc, ${ms} ms"

# Options of one mode with another, and misfits, are usage errors.
misfit() {
	local name=$1
	shift
	r "$name" -H w1 --inventory "$inv" "$@" uptime
	[ "$rc" = 2 ] && grep -q -- "$MISFIT" "$SCRATCH/$name.err" &&
		pass "$name" || fail "$name" "rc $rc: $(cat "$SCRATCH/$name.err")"
}
MISFIT='go with --mode rolling' misfit batch_needs_rolling --batch 2
MISFIT='want --batch' misfit rolling_needs_batch --mode rolling
MISFIT='goes with --mode sequential' misfit keep_going_needs_sequential --keep-going
MISFIT='-p does not apply' misfit sequential_refuses_p --mode sequential -p 4
MISFIT='want N or N%' misfit max_fail_checked --mode rolling --batch 1 --max-fail x
MISFIT='want parallel, sequential or rolling' misfit mode_checked --mode spiral

# The gate killed the op at its own timeout: a timeout, exit 3.
r gate_timeout_is_timeout -H web01 sleeper secs=5
[ "$rc" = 3 ] && grep -q 'timeout web01' "$SCRATCH/gate_timeout_is_timeout.err" &&
	pass gate_timeout_is_timeout ||
	fail gate_timeout_is_timeout "rc $rc: $(cat "$SCRATCH/gate_timeout_is_timeout.err")"

# --retries: a closed port is tried 1 + N times, with backoff.
rr retries_connection_failures --retries 2 -H bad uptime
[ "$rc" = 4 ] && [ "$(jq -r 'select(.target) | .attempts' "$SCRATCH/retries_connection_failures.json")" = 3 ] &&
	pass retries_connection_failures ||
	fail retries_connection_failures "rc $rc: $(cat "$SCRATCH/retries_connection_failures.json")"

# A refusal is never retried: the gate answered.
rr refusal_not_retried --retries 2 -H wrong uptime
[ "$rc" = 6 ] && [ "$(jq -r 'select(.target) | .attempts' "$SCRATCH/refusal_not_retried.json")" = 1 ] &&
	pass refusal_not_retried || fail refusal_not_retried "rc $rc"

# A proxy that cuts the first connection once the op is running: the
# retry resends the same request, the gate says replayed, and the host is
# unknown (the op ran once, its end is not known). Its host key is learnt
# with --accept-new into a fresh known_hosts.
loopnet CUT_PORT proxy "$SSHD_PORT" --cut-first 1.2
inventory_add "$inv" "$CUT_PORT" cut
: > "$SCRATCH/learnt_known_hosts"
KNOWN=$SCRATCH/learnt_known_hosts rr retry_meeting_replayed_is_unknown \
    --accept-new --retries 2 -H cut sleeper secs=2
[ "$rc" = 4 ] &&
	[ "$(jq -r 'select(.target) | "\(.status) \(.attempts)"' "$SCRATCH/retry_meeting_replayed_is_unknown.json")" = "unknown 2" ] &&
	grep -q 'unknown cut' "$SCRATCH/retry_meeting_replayed_is_unknown.err" &&
	pass retry_meeting_replayed_is_unknown ||
	fail retry_meeting_replayed_is_unknown "rc $rc: $(cat "$SCRATCH/retry_meeting_replayed_is_unknown.err" "$SCRATCH/retry_meeting_replayed_is_unknown.json" | head -c 900)"

# --accept-new wrote the key: a run without it now trusts the host.
grep -q "^\[127.0.0.1\]:$CUT_PORT " "$SCRATCH/learnt_known_hosts" &&
	KNOWN=$SCRATCH/learnt_known_hosts rr learnt_key_is_trusted -H cut uptime &&
	[ "$rc" = 0 ] && pass accept_new_learns_key ||
	fail accept_new_learns_key "rc ${rc:-}: $(cat "$SCRATCH/learnt_known_hosts")"

# A changed key is refused even with --accept-new.
ssh-keygen -q -t ed25519 -N '' -f "$SCRATCH/other_host_key"
printf '[127.0.0.1]:%s %s\n' "$SSHD_PORT" "$(cut -d' ' -f1,2 "$SCRATCH/other_host_key.pub")" \
    > "$SCRATCH/changed_known_hosts"
KNOWN=$SCRATCH/changed_known_hosts r accept_new_never_takes_changed_key \
    --accept-new -H web01 uptime
[ "$rc" = 4 ] && grep -q 'host key CHANGED, refused: SHA256:' "$SCRATCH/accept_new_never_takes_changed_key.err" &&
	pass accept_new_never_takes_changed_key ||
	fail accept_new_never_takes_changed_key "rc $rc: $(cat "$SCRATCH/accept_new_never_takes_changed_key.err")"

echo web01 | timeout 20 "$WRIT" run -h - --accept-new -k "$(k ci)" --realm test uptime \
    > /dev/null 2> "$SCRATCH/accept_new_stdin.err"
rc=$?
[ "$rc" = 2 ] && grep -q 'refused with -h -' "$SCRATCH/accept_new_stdin.err" &&
	pass accept_new_refused_with_stdin_hosts ||
	fail accept_new_refused_with_stdin_hosts "rc $rc: $(cat "$SCRATCH/accept_new_stdin.err")"

timeout 20 "$WRIT" run --dns localhost --accept-new -k "$(k ci)" --realm test uptime \
    > /dev/null 2> "$SCRATCH/accept_new_dns.err" < /dev/null
rc=$?
[ "$rc" = 2 ] && grep -q 'refused with --dns' "$SCRATCH/accept_new_dns.err" &&
	pass accept_new_refused_with_dns ||
	fail accept_new_refused_with_dns "rc $rc: $(cat "$SCRATCH/accept_new_dns.err")"

# -I: stdin, read whole and bound by its digest, reaches an op with
# stdin = yes; more than its max_stdin is refused by the gate.
printf 'line one\nline two\n' > "$SCRATCH/in.txt"
timeout 60 "$WRIT" run -F "$SCRATCH/ssh_config" --known-hosts "$SSH_DIR/known_hosts" \
    --identity "$SSH_DIR/client_key" -l "$GATE_USER" -k "$(k ci)" --realm test \
    -I -H web01 cat < "$SCRATCH/in.txt" > "$SCRATCH/stdin.out" 2> "$SCRATCH/stdin.err"
rc=$?
[ "$rc" = 0 ] && [ "$(cat "$SCRATCH/stdin.out")" = "web01: line one
web01: line two" ] && pass stdin_reaches_op ||
	fail stdin_reaches_op "rc $rc: $(cat "$SCRATCH/stdin.out" "$SCRATCH/stdin.err")"
head -c 5000 /dev/zero | timeout 60 "$WRIT" run -F "$SCRATCH/ssh_config" \
    --known-hosts "$SSH_DIR/known_hosts" --identity "$SSH_DIR/client_key" \
    -l "$GATE_USER" -k "$(k ci)" --realm test -I -H web01 cat \
    > /dev/null 2> "$SCRATCH/stdin_big.err"
rc=$?
[ "$rc" = 6 ] && grep -q 'refused ' "$SCRATCH/stdin_big.err" &&
	pass stdin_over_max_refused ||
	fail stdin_over_max_refused "rc $rc: $(cat "$SCRATCH/stdin_big.err")"

# -O: options libssh honours are taken; others are errors, never ignored.
r ssh_option_kex -O KexAlgorithms=curve25519-sha256 -H web01 uptime
[ "$rc" = 0 ] && pass ssh_option_kex || fail ssh_option_kex "rc $rc: $(cat "$SCRATCH/ssh_option_kex.err")"
r ssh_option_unknown_kex -O KexAlgorithms=no-such-kex -H web01 uptime
[ "$rc" = 2 ] && grep -q 'KexAlgorithms=no-such-kex' "$SCRATCH/ssh_option_unknown_kex.err" &&
	pass ssh_option_bad_value_is_error ||
	fail ssh_option_bad_value_is_error "rc $rc: $(cat "$SCRATCH/ssh_option_unknown_kex.err")"
r ssh_option_loglevel -O LogLevel=DEBUG -H web01 uptime
[ "$rc" = 2 ] && grep -q -- '-O LogLevel: use -v or -vv' "$SCRATCH/ssh_option_loglevel.err" &&
	pass ssh_option_refused_by_name ||
	fail ssh_option_refused_by_name "rc $rc: $(cat "$SCRATCH/ssh_option_loglevel.err")"
r ssh_option_no_strict -O StrictHostKeyChecking=no -H web01 uptime
[ "$rc" = 2 ] && grep -q 'checks host keys strictly' "$SCRATCH/ssh_option_no_strict.err" &&
	pass ssh_option_never_turns_off_host_keys ||
	fail ssh_option_never_turns_off_host_keys "rc $rc: $(cat "$SCRATCH/ssh_option_no_strict.err")"

# -v: address, host key and authentication of each host, on stderr.
r verbose_connection_details -v -H web01 uptime
grep -q "web01: connected to 127.0.0.1 port $SSHD_PORT" "$SCRATCH/verbose_connection_details.err" &&
	grep -q 'web01: host key SHA256:.* known' "$SCRATCH/verbose_connection_details.err" &&
	grep -q "web01: authenticated as $GATE_USER" "$SCRATCH/verbose_connection_details.err" &&
	pass verbose_connection_details ||
	fail verbose_connection_details "$(cat "$SCRATCH/verbose_connection_details.err")"

# -vv adds libssh's own log.
r very_verbose_has_libssh_log -vv -H web01 uptime
[ "$rc" = 0 ] && grep -q 'ssh_connect' "$SCRATCH/very_verbose_has_libssh_log.err" &&
	pass very_verbose_has_libssh_log ||
	fail very_verbose_has_libssh_log "rc $rc: $(head -c 300 "$SCRATCH/very_verbose_has_libssh_log.err")"

# HostKeyAlias (which libssh 0.10 ignores): the key is looked up under
# the alias, from ssh_config or from -O.
printf 'myalias %s\n' "$(cut -d' ' -f2- "$SSH_DIR/known_hosts" | head -n 1)" \
    > "$SCRATCH/alias_known_hosts"
{ printf 'Host web01\n  HostKeyAlias myalias\n'; cat "$SCRATCH/ssh_config"; } \
    > "$SCRATCH/alias_ssh_config"
timeout 60 "$WRIT" run -F "$SCRATCH/alias_ssh_config" \
    --known-hosts "$SCRATCH/alias_known_hosts" --identity "$SSH_DIR/client_key" \
    -l "$GATE_USER" -k "$(k ci)" --realm test -H web01 uptime \
    > /dev/null 2> "$SCRATCH/alias.err"
rc=$?
[ "$rc" = 0 ] && pass host_key_alias_from_ssh_config ||
	fail host_key_alias_from_ssh_config "rc $rc: $(cat "$SCRATCH/alias.err")"
KNOWN=$SCRATCH/alias_known_hosts r host_key_alias_option -O HostKeyAlias=myalias -H web01 uptime
[ "$rc" = 0 ] && pass host_key_alias_option ||
	fail host_key_alias_option "rc $rc: $(cat "$SCRATCH/host_key_alias_option.err")"
KNOWN=$SCRATCH/alias_known_hosts r host_key_alias_is_needed -H web01 uptime
[ "$rc" = 4 ] && pass host_key_alias_is_needed ||
	fail host_key_alias_is_needed "rc $rc"

# Signals. bg NAME ARGS...: writ run in the background; its pid in $bg.
bg() {
	local name=$1
	shift
	"$WRIT" run -F "$SCRATCH/ssh_config" --known-hosts "$SSH_DIR/known_hosts" \
	    --identity "$SSH_DIR/client_key" -l "$GATE_USER" -k "$(k ci)" \
	    --realm test --inventory "$inv" --connect-timeout 5 \
	    --json "$SCRATCH/$name.json" "$@" \
	    > "$SCRATCH/$name.out" 2> "$SCRATCH/$name.err" < /dev/null &
	bg=$!
	at_exit "kill -9 $bg 2>/dev/null"
}
# wait_bg SECS: $rc is $bg's status, or 999 if it outlived SECS.
wait_bg() {
	local i late=0
	for i in $(seq $(($1 * 20))); do
		kill -0 "$bg" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$bg" 2>/dev/null; then late=1; kill -9 "$bg"; fi
	wait "$bg" 2>/dev/null
	rc=$?
	[ "$late" = 0 ] || rc=999
}

# One SIGINT: in-flight hosts finish, no new one starts, the report is
# written, exit 130.
bg sigint_drains -p 2 -H w1,w2,w3,w4 sleeper secs=1
sleep 0.6
kill -INT "$bg"
wait_bg 10
check sigint_drains 130 'w1=ok/null w2=ok/null w3=skipped/null w4=skipped/null '
jq -e 'select(.summary) | .summary.counts.skipped == 2' "$SCRATCH/sigint_drains.json" >/dev/null &&
	pass sigint_writes_summary ||
	fail sigint_writes_summary "$(tail -n 1 "$SCRATCH/sigint_drains.json")"

# Two SIGINTs: in-flight channels are closed and their hosts interrupted.
bg sigint_twice_interrupts -p 2 -H w1,w2,w3 sleeper secs=2
sleep 0.6
kill -INT "$bg"
sleep 0.2
kill -INT "$bg"
start=$(date +%s%N)
wait_bg 10
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check sigint_twice_interrupts 130 \
    'w1=interrupted/null w2=interrupted/null w3=skipped/null '
[ "$ms" -lt 2500 ] && pass interrupt_ends_run_promptly ||
	fail interrupt_ends_run_promptly "${ms} ms"

# SIGTERM closes at once too, and exits 143. A host still connecting to
# a black hole is interrupted after a short grace (1.5 s), not at its
# connect timeout (10 s here).
loopnet HOLE_PORT hole
inventory_add "$inv" "$HOLE_PORT" hole
bg sigterm_interrupts --connect-timeout 10 -H w1,hole sleeper secs=2
sleep 0.6
kill -TERM "$bg"
start=$(date +%s%N)
wait_bg 10
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check sigterm_interrupts 143 'w1=interrupted/null hole=interrupted/null '
[ "$ms" -lt 4000 ] && pass black_hole_does_not_hold_interrupt ||
	fail black_hole_does_not_hold_interrupt "${ms} ms"
