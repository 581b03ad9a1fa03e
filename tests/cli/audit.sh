# audit.sh: audit records reach a real rsyslogd with ident writ-gate, the
# configured facility and the local file's chain=; the file's chain verifies
# and names the first broken line; a file that cannot be written fails the
# record (the gate then refuses) yet syslog still gets it; concurrent
# writers never interleave lines or fork the chain; a record longer than a
# syslog line is whole in the file and cut, marked, in syslog; a decision
# the file cannot take never reaches syslog; verify --against checks a
# syslog extract against the file.
. "$(dirname "$0")/../mounts.sh"
mounts_private "$@"
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/rsyslog.sh"

EMIT=$WRIT_BUILD/tests/tools/audit_emit
VERIFY=$WRIT_BUILD/tests/tools/audit_verify

# mkchain FILE RECORD...: writes the records hash-chained as the gate's
# audit file is (each chain= is the BLAKE2b-256 of the previous one, 32 zero
# bytes at first, and the record), with Python's BLAKE2b, independently of
# the C writer.
mkchain() {
	python3 - "$@" <<-'EOF'
	import hashlib, sys
	prev = bytes(32)
	with open(sys.argv[1], "w") as f:
	    for rec in sys.argv[2:]:
	        prev = hashlib.blake2b(prev + rec.encode(), digest_size=32).digest()
	        f.write("%s chain=%s\n" % (rec, prev.hex()))
	EOF
}

# syslog_line TEXT: the one syslog line holding fixed TEXT (waits for it).
syslog_line() {
	rsyslog_wait "$1" && grep -F -- "$1" "$RSYSLOG_OUT"
}

# ---- writ-gate audit verify (no syslog needed) ----

mkchain chain.log 'event="accepted" op="uptime"' 'event="finished" exit=0' \
    'event="refused" reason="wrong-host"'
t "$VERIFY" chain.log
expect verify_accepts_a_chain_written_by_python 0 \
    "writ-gate: audit chain.log: ok, 3 lines, last chain=$(tail -n 1 chain.log | sed 's/.* chain=//')"

: >empty.log
t "$VERIFY" empty.log
expect verify_accepts_an_empty_file 0 "writ-gate: audit empty.log: ok, 0 lines"

cp chain.log edited.log
sed -i '2s/exit=0/exit=1/' edited.log
t "$VERIFY" edited.log
expect verify_names_the_edited_line 1 \
    "writ-gate: audit edited.log:2: chain broken (chain= does not match"

cp chain.log cut.log
truncate -s -1 cut.log
t "$VERIFY" cut.log
expect verify_names_a_cut_short_last_line 1 \
    "writ-gate: audit cut.log:3: chain broken (last line has no newline"

sed '1d' chain.log >deleted.log
t "$VERIFY" deleted.log
expect verify_names_the_line_after_a_deleted_one 1 \
    "writ-gate: audit deleted.log:1: chain broken"

t "$VERIFY" /nonexistent/audit.log
expect verify_reports_a_missing_file 1 \
    "writ-gate: audit /nonexistent/audit.log: No such file or directory"

# ---- records through the gate's sinks, to a real rsyslogd ----

rsyslog_start records_reach_syslog_as_in_the_file refused_is_a_warning \
    forged_value_stays_inside_one_line emitted_file_verifies \
    no_file_means_no_chain missing_directory_fails_but_syslog_gets_it \
    read_only_file_system_fails_but_syslog_gets_it \
    damaged_file_is_refused_not_continued unprivileged_writer_logs_too \
    concurrent_writers_keep_one_chain stderr_gets_the_whole_line \
    long_record_is_whole_in_the_file_and_marked_in_syslog \
    decision_the_file_cannot_take_never_reaches_syslog \
    against_matches_an_extract against_finds_a_rewritten_file \
    against_finds_a_cut_file against_finds_an_extract_out_of_order \
    against_needs_chains || exit 0

# The syslog line must be "local3.notice writ-gate[PID]: " and then exactly
# the file's line, chain= included.
t "${LOG_NS[@]}" "$EMIT" -f local3 -l "$SCRATCH/audit.log" accepted op=case1 \
    host=web1 "message=caf$(printf '\303\251') ticket 42"
line=$(syslog_line 'op="case1"')
want="event=\"accepted\" op=\"case1\" host=\"web1\" message=\"café ticket 42\" chain="
if [ "$rc" != 0 ]; then
	fail records_reach_syslog_as_in_the_file "emit exit $rc: $(cat out)"
elif ! printf '%s\n' "$line" |
    grep -qE '^local3\.notice writ-gate\[[0-9]+\]: event="accepted" '; then
	fail records_reach_syslog_as_in_the_file "syslog: $line"
elif [ "${line#*]: }" != "$(head -n 1 audit.log)" ]; then
	fail records_reach_syslog_as_in_the_file "syslog '$line' vs file '$(head -n 1 audit.log)'"
elif [ "${line#*]: $want}" = "$line" ]; then
	fail records_reach_syslog_as_in_the_file "unexpected fields: $line"
else
	pass records_reach_syslog_as_in_the_file
fi

t "${LOG_NS[@]}" "$EMIT" -l "$SCRATCH/audit.log" refused op=case2 reason=wrong-host
line=$(syslog_line 'op="case2"')
if [ "$rc" = 0 ] && printf '%s\n' "$line" |
    grep -qE '^authpriv\.warning writ-gate\[[0-9]+\]: event="refused" op="case2" reason="wrong-host" chain=[0-9a-f]{64}$'; then
	pass refused_is_a_warning
else
	fail refused_is_a_warning "exit $rc, syslog: $line"
fi

t "${LOG_NS[@]}" "$EMIT" -l "$SCRATCH/audit.log" refused op=case3 \
    "message=x\""$'\n'"event=\"accepted\" op=\"reboot\" \\"
line=$(syslog_line 'op="case3"')
if [ "$rc" = 0 ] && [ "$(grep -c 'reboot' "$RSYSLOG_OUT")" = 1 ] &&
    printf '%s\n' "$line" | grep -qF \
    'message="x\"\x0aevent=\"accepted\" op=\"reboot\" \\" chain=' &&
    ! grep -qF 'event="accepted" op="reboot"' "$RSYSLOG_OUT" audit.log; then
	pass forged_value_stays_inside_one_line
else
	fail forged_value_stays_inside_one_line "exit $rc, syslog: $line"
fi

t "$VERIFY" audit.log
expect emitted_file_verifies 0 "writ-gate: audit audit.log: ok, 3 lines"

t "${LOG_NS[@]}" "$EMIT" -f daemon finished op=case4 exit=0
line=$(syslog_line 'op="case4"')
case $line in
*"daemon.notice writ-gate["*"]: event=\"finished\" op=\"case4\" exit=\"0\"")
	pass no_file_means_no_chain ;;
*)	fail no_file_means_no_chain "exit $rc, syslog: $line" ;;
esac

t "${LOG_NS[@]}" "$EMIT" -l /nonexistent/dir/audit.log accepted op=case5
line=$(syslog_line 'op="case5"')
if [ "$rc" = 1 ] &&
    grep -qF 'audit_emit: audit log /nonexistent/dir/audit.log: open: No such file or directory' out &&
    [ "${line#*]: }" = 'event="accepted" op="case5" audit_log_failed=1' ]; then
	pass missing_directory_fails_but_syslog_gets_it
else
	fail missing_directory_fails_but_syslog_gets_it "exit $rc: $(cat out); syslog: $line"
fi

# Read-only for root too: a read-only bind mount inside the namespace.
mkdir ro
mkchain ro/audit.log 'event="accepted" op="before"'
cp ro/audit.log ro.before
t "${LOG_NS[@]}" sh -c 'mount -o bind,ro "$1" "$1" && shift && exec "$@"' sh \
    "$SCRATCH/ro" "$EMIT" -l "$SCRATCH/ro/audit.log" accepted op=case6
line=$(syslog_line 'op="case6"')
if [ "$rc" = 1 ] && grep -qF 'Read-only file system' out &&
    [ "${line#*]: }" = 'event="accepted" op="case6" audit_log_failed=1' ] &&
    cmp -s ro/audit.log ro.before; then
	pass read_only_file_system_fails_but_syslog_gets_it
else
	fail read_only_file_system_fails_but_syslog_gets_it "exit $rc: $(cat out); syslog: $line"
fi

mkchain damaged.log 'event="accepted" op="before"'
printf 'event="accepted" op="inserted"\n' >>damaged.log
cp damaged.log damaged.before
t "${LOG_NS[@]}" "$EMIT" -l "$SCRATCH/damaged.log" accepted op=case7
line=$(syslog_line 'op="case7"')
if [ "$rc" = 1 ] && grep -qF 'refusing to start a new chain' out &&
    [ "${line#*]: }" = 'event="accepted" op="case7" audit_log_failed=1' ] &&
    cmp -s damaged.log damaged.before; then
	pass damaged_file_is_refused_not_continued
else
	fail damaged_file_is_refused_not_continued "exit $rc: $(cat out); syslog: $line"
fi

# The gate runs unprivileged: its records must get through the same way.
# The tool is copied out of the build tree, which nobody may not reach.
mkdir bin nobody
cp "$EMIT" bin/
chmod 711 bin
chmod 755 bin/audit_emit
chown nobody nobody
chmod 711 "$SCRATCH"
t "${LOG_NS[@]}" setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$SCRATCH/bin/audit_emit" -f local0 -l "$SCRATCH/nobody/audit.log" \
    accepted op=case8
line=$(syslog_line 'op="case8"')
if [ "$rc" = 0 ] && [ "${line#*]: }" = "$(cat nobody/audit.log)" ] &&
    [ "$(stat -c %U:%a nobody/audit.log)" = nobody:600 ]; then
	pass unprivileged_writer_logs_too
else
	fail unprivileged_writer_logs_too "exit $rc: $(cat out); syslog: $line"
fi

# 10 writers x 20 records at once: the lock keeps lines whole and the
# chain linear; syslog has the same 200 chains.
t "${LOG_NS[@]}" sh -c 'pids= s=0
for w in 0 1 2 3 4 5 6 7 8 9; do
	"$1" -f local1 -l "$2" -n 20 accepted op=case9 writer=$w &
	pids="$pids $!"
done
for p in $pids; do wait "$p" || s=1; done
exit $s' sh "$EMIT" "$SCRATCH/many.log"
_syslog_200() { [ "$(grep -c 'op="case9"' "$RSYSLOG_OUT")" -ge 200 ]; }
_rsyslog_until 10 _syslog_200
bad=$(grep -cvE '^event="accepted" op="case9" writer="[0-9]" seq=([1-9]|1[0-9]|20) chain=[0-9a-f]{64}$' many.log)
pairs=$(sed -E 's/.*writer="([0-9])" seq=([0-9]+).*/\1.\2/' many.log | sort -u | wc -l)
grep -F 'op="case9"' "$RSYSLOG_OUT" | sed 's/.*chain=//' | sort >syslog.chains
sed 's/.*chain=//' many.log | sort >file.chains
if [ "$rc" != 0 ]; then
	fail concurrent_writers_keep_one_chain "writers exit $rc: $(head -c 300 out)"
elif [ "$(wc -l <many.log)" != 200 ] || [ "$bad" != 0 ] || [ "$pairs" != 200 ]; then
	fail concurrent_writers_keep_one_chain "$(wc -l <many.log) lines, $bad malformed, $pairs distinct"
elif ! "$VERIFY" many.log | grep -qF 'ok, 200 lines'; then
	fail concurrent_writers_keep_one_chain "$("$VERIFY" many.log 2>&1)"
elif ! cmp -s syslog.chains file.chains; then
	fail concurrent_writers_keep_one_chain "syslog has $(wc -l <syslog.chains) chains, not the file's"
else
	pass concurrent_writers_keep_one_chain
fi

t "${LOG_NS[@]}" "$EMIT" -s -l "$SCRATCH/audit.log" accepted op=case10 \
    params=@5000
line=$(syslog_line 'op="case10"')
if [ "$rc" = 0 ] && [ "$(cat out)" = "$(tail -n 1 audit.log)" ] &&
    [ "${#line}" -lt 4000 ] && [ "${line##* chain=}" = "$(cat out | sed 's/.* chain=//')" ]; then
	pass stderr_gets_the_whole_line
else
	fail stderr_gets_the_whole_line "exit $rc: $(head -c 300 out); syslog: $line"
fi

# 9,000 bytes of params, then a field after them: the file has both whole,
# syslog a copy that fits, cut where it says, with the whole line's chain.
t "${LOG_NS[@]}" "$EMIT" -l "$SCRATCH/long.log" accepted op=case11 \
    params=@9000 next=visible
line=$(syslog_line 'op="case11"')
file=$(cat long.log)
msg=${line#*]: }
if [ "$rc" = 0 ] && printf '%s' "$file" | grep -q "params=\"v\{9000\}\" next=\"visible\" chain=" &&
    [ "${#msg}" -le 3840 ] &&
    printf '%s' "$msg" | grep -q '^event="accepted" op="case11" params="v*\.\.\." next="visible" truncated=1 cut="params" chain=[0-9a-f]\{64\}$' &&
    [ "${msg##* chain=}" = "${file##* chain=}" ]; then
	pass long_record_is_whole_in_the_file_and_marked_in_syslog
else
	fail long_record_is_whole_in_the_file_and_marked_in_syslog "exit $rc: $(cat out); syslog ${#msg} bytes: $(printf '%s' "$msg" | cut -c 1-200)...$(printf '%s' "$msg" | tail -c 150)"
fi

# A full file system: the accepted record an op waits on cannot be
# written, so syslog gets nothing of it; the refusal that follows is the
# record (marked: it could not reach the file either).
small_fs "$SCRATCH/full" 1m
: > full/audit.log
fill_fs "$SCRATCH/full"
t "${LOG_NS[@]}" "$EMIT" -d -l "$SCRATCH/full/audit.log" accepted op=case12
r1=$rc o1=$(cat out)
t "${LOG_NS[@]}" "$EMIT" -l "$SCRATCH/full/audit.log" refused op=case12 \
    reason=gate-error
line=$(syslog_line 'event="refused" op="case12"')
if [ "$r1" = 1 ] && printf '%s' "$o1" | grep -qF \
    "audit log $SCRATCH/full/audit.log: write: No space left on device" &&
    [ "$(grep -c 'op="case12"' "$RSYSLOG_OUT")" = 1 ] &&
    [ "${line#*]: }" = 'event="refused" op="case12" reason="gate-error" audit_log_failed=1' ] &&
    [ ! -s full/audit.log ]; then
	pass decision_the_file_cannot_take_never_reaches_syslog
else
	fail decision_the_file_cannot_take_never_reaches_syslog "exit $r1: $o1; syslog: $(grep 'op="case12"' "$RSYSLOG_OUT")"
fi

# ---- verify --against: the syslog copy shipped off the host ----

t "${LOG_NS[@]}" "$EMIT" -f local2 -l "$SCRATCH/ag.log" -n 6 accepted op=case13
_syslog_6() { [ "$(grep -c 'op="case13"' "$RSYSLOG_OUT")" -ge 6 ]; }
_rsyslog_until 10 _syslog_6
grep -F 'op="case13"' "$RSYSLOG_OUT" > extract.log
# Another program's lines and a record without chain= are passed over.
{ echo 'user.info cron[12]: (root) CMD (run-parts /etc/cron.hourly)'
  echo 'local2.notice writ-gate[9]: event="accepted" op="x" audit_log_failed=1'
  cat extract.log; } > mixed.log
t "$VERIFY" --against mixed.log ag.log
expect against_matches_an_extract 0 \
    "writ-gate: audit ag.log: ok, 6 lines, last chain=$(tail -n 1 ag.log | sed 's/.* chain=//'); mixed.log: 6 chains, in ag.log in order (the last is line 6)"

# Root on the host edits line 3 and recomputes every chain= after it: the
# file verifies alone, but no longer holds what syslog received.
python3 - ag.log rechained.log <<'PY'
import hashlib, sys
lines = [l.rsplit(" chain=", 1)[0] for l in open(sys.argv[1])]
lines[2] = lines[2].replace('seq=3', 'seq=33')
prev = bytes(32)
with open(sys.argv[2], "w") as f:
    for rec in lines:
        prev = hashlib.blake2b(prev + rec.encode(), digest_size=32).digest()
        f.write("%s chain=%s\n" % (rec, prev.hex()))
PY
t "$VERIFY" rechained.log
r1=$rc
t "$VERIFY" --against extract.log rechained.log
if [ "$r1" = 0 ] && [ "$rc" = 1 ] && grep -qF \
    "writ-gate: audit rechained.log: edited or rewritten after line 2 (of 6): extract.log:3 holds chain=$(sed -n 3p ag.log | sed 's/.* chain=//'), which no later line of the file has" out; then
	pass against_finds_a_rewritten_file
else
	fail against_finds_a_rewritten_file "alone $r1; $rc: $(cat out)"
fi

head -n 4 ag.log > cut4.log
t "$VERIFY" --against extract.log cut4.log
expect against_finds_a_cut_file 1 \
    "writ-gate: audit cut4.log: cut short: it ends at line 4, but extract.log:5 holds a later record, chain=$(sed -n 5p ag.log | sed 's/.* chain=//')"

{ sed -n 1p extract.log; sed -n 3p extract.log; sed -n 2p extract.log; sed -n '4,6p' extract.log; } > swapped.log
t "$VERIFY" --against swapped.log ag.log
expect against_finds_an_extract_out_of_order 1 \
    "writ-gate: audit swapped.log:3: chain=$(sed -n 2p ag.log | sed 's/.* chain=//') is ag.log line 2, but the extract's earlier chains reach line 3: the extract is out of order"

grep -v 'chain=' "$RSYSLOG_OUT" > nochains.log
t "$VERIFY" --against nochains.log ag.log
expect against_needs_chains 1 "no line ends with chain=: nothing to check"
t "$VERIFY" --against /nonexistent ag.log
expect against_reports_a_missing_extract 1 "/nonexistent: No such file or directory"
