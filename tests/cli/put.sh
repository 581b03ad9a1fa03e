# put.sh: uploads end to end: writ put to
# three gates behind the real sshd, each installing into its own directory;
# what the gate refuses (a digest or size that does not match, too large,
# an existing file, a symlink at the name or above it, a directory others
# may write to, a path param) and that a refusal or a dropped connection
# leaves nothing behind; the same file sent again is left as it is and its
# op runs.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_setup
# Gates web02 and web03: same policy but their own upload directory, state
# and audit log, reached on their own port.
for n in 2 3; do
	(UPLOAD_DIR=$SCRATCH/up$n; write_policy 1)
	mv "$GATE_DIR/policy.ini" "$GATE_DIR/policy$n.ini"
	mv "$GATE_DIR/policy.ini.minisig" "$GATE_DIR/policy$n.ini.minisig"
	gate_ini_for "$n"
done
write_policy 1
# web01's policy also has put-run: an upload without replace whose exec
# leaves a mark in $SCRATCH/ran, to see that the op ran.
sed -i 's/^ops   = put, put-replace, put-sub$/&, put-run/' "$GATE_DIR/policy.ini"
cat >> "$GATE_DIR/policy.ini" <<OP

[op put-run]
upload     = $SCRATCH/up/{name}
param.name = [A-Za-z0-9._-]+
max_size   = 1M
mode       = 0640
exec       = /usr/bin/touch $SCRATCH/ran/{name}
timeout    = 10
OP
(cd "$GATE_DIR" && "$WRIT" policy sign -s authority.key policy.ini >/dev/null) ||
	fail policy_sign "writ policy sign failed"
mkdir -p "$SCRATCH/up" "$SCRATCH/up2" "$SCRATCH/up3" "$SCRATCH/elsewhere" \
    "$SCRATCH/up/sub" "$SCRATCH/up/open" "$SCRATCH/ran"
gate_own "$GATE_DIR" "$SCRATCH/up" "$SCRATCH/up2" "$SCRATCH/up3" \
    "$SCRATCH/elsewhere" "$SCRATCH/ran"
chmod 0700 "$GATE_DIR/state2" "$GATE_DIR/state3"
chmod 0755 "$SCRATCH/up" "$SCRATCH/up2" "$SCRATCH/up3" "$SCRATCH/elsewhere"
chmod 0777 "$SCRATCH/up/open"
ln -s "$SCRATCH/elsewhere" "$SCRATCH/up/evil"
three_gates_start

# p NAME ARGS...: writ put with the test's SSH settings; stdout NAME.out,
# stderr NAME.err, status $rc.
p() {
	local name=$1
	shift
	timeout 120 "$WRIT" put -F "$SCRATCH/ssh_config" \
	    --known-hosts "$SSH_DIR/known_hosts" -l "$GATE_USER" \
	    --identity "$SSH_DIR/client_key" \
	    -k "$(k ci)" --realm test --connect-timeout 5 "$@" \
	    > "$SCRATCH/$name.out" 2> "$SCRATCH/$name.err" </dev/null
	rc=$?
}

# installed TEST FILE NAME: every gate's directory holds NAME equal to FILE,
# mode 0640.
installed() {
	local d bad=
	for d in up up2 up3; do
		cmp -s "$2" "$SCRATCH/$d/$3" || bad="$bad $d/$3 differs;"
		[ "$(stat -c %a "$SCRATCH/$d/$3" 2>/dev/null)" = 640 ] ||
			bad="$bad $d/$3 mode $(stat -c %a "$SCRATCH/$d/$3" 2>&1);"
	done
	if [ "$rc" = 0 ] && [ -z "$bad" ]; then
		pass "$1"
	else
		fail "$1" "exit $rc;$bad $(head -c 300 "$SCRATCH/$1.err")"
	fi
}

# clean TEST DIR NAMES...: DIR holds exactly NAMES (no file, no temporary
# left behind).
clean() {
	local test=$1 dir=$2 got want
	shift 2
	got=$(ls -A "$dir" | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort | tr '\n' ' ')
	[ "$got" = "$want" ] && pass "$test" ||
		fail "$test" "$dir holds '$got', want '$want'"
}

# refused_with TEST NAME WORD: writ put exited 6 and said NAME was
# refused with WORD.
refused_with() {
	if [ "$rc" = 6 ] && grep -q "web01: refused $3" "$SCRATCH/$2.err"; then
		pass "$1"
	else
		fail "$1" "exit $rc: $(head -c 300 "$SCRATCH/$2.err")"
	fi
}

ALL=web01,web02,web03

# --- round trips ---
printf 'line one\nline two\n' > text.txt
head -c 300000 /dev/urandom > binary.bin
: > empty
head -c $((100 * 1024 * 1024)) /dev/urandom > big.bin

p round_trips_text -H $ALL put text.txt name=text.txt
installed round_trips_text text.txt text.txt
p round_trips_binary -H $ALL put binary.bin name=binary.bin
installed round_trips_binary binary.bin binary.bin
p round_trips_empty_file -H $ALL put empty name=empty
installed round_trips_empty_file empty empty
p round_trips_100_mib -H $ALL --json big.jsonl put big.bin name=big.bin
installed round_trips_100_mib big.bin big.bin
if [ "$(jq -r 'select(.target) | "\(.target) \(.status) \(.upload_bytes)"' big.jsonl | sort | tr '\n' ' ')" = \
    "web01 ok 104857600 web02 ok 104857600 web03 ok 104857600 " ]; then
	pass json_reports_bytes_sent_per_host
else
	fail json_reports_bytes_sent_per_host "$(head -c 600 big.jsonl)"
fi
grep -F 'event="accepted"' "$GATE_DIR/audit.log" | grep -F 'op="put"' |
    grep -F "upload=\"$SCRATCH/up/text.txt\"" |
    grep -qF "upload_digest=\"$(b2sum -l 256 text.txt | cut -d' ' -f1)\"" &&
	pass audits_path_and_digest_of_upload ||
	fail audits_path_and_digest_of_upload "$(grep -F text.txt "$GATE_DIR/audit.log" | head -c 400)"

# --- the gate's refusals; nothing is left behind ---
cp text.txt same_size.txt
printf 'LINE ONE\nLINE TWO\n' > other.txt
send digest_mismatch -k "$(k ci)" $(req) --upload text.txt \
    --payload-digest-of other.txt put name=mismatch
verdict_is refuses_bytes_not_matching_digest digest_mismatch "refused payload-mismatch"
send more_bytes -k "$(k ci)" $(req) --upload text.txt --payload-size 5 \
    put name=more
verdict_is refuses_more_bytes_than_signed more_bytes "refused payload-mismatch"
send fewer_bytes -k "$(k ci)" $(req) --upload text.txt --payload-size 500 \
    put name=fewer
verdict_is refuses_fewer_bytes_than_signed fewer_bytes "refused payload-mismatch"
head -c 1100000 /dev/zero > over_max.bin
p too_large -H web01 --json too_large.jsonl put-replace over_max.bin name=over
refused_with refuses_size_over_max_size too_large too-large
[ "$(jq -r 'select(.target) | "\(.status) \(.reason)"' too_large.jsonl)" = "refused too-large" ] &&
	pass reports_too_large_reason || fail reports_too_large_reason "$(cat too_large.jsonl)"
clean refusals_leave_nothing "$SCRATCH/up" big.bin binary.bin empty evil open sub text.txt

# --- an existing file ---
printf 'old\n' > "$SCRATCH/up/keep.txt"
gate_own "$SCRATCH/up/keep.txt"
p exists -H web01 put text.txt name=keep.txt
refused_with refuses_existing_file_without_replace exists exists
[ "$(cat "$SCRATCH/up/keep.txt")" = old ] && pass refusal_keeps_old_content ||
	fail refusal_keeps_old_content "now: $(head -c 100 "$SCRATCH/up/keep.txt")"
exec 7< "$SCRATCH/up/keep.txt"      # a reader with the old file open
p replace -H web01 put-replace text.txt name=keep.txt
if [ "$rc" = 0 ] && cmp -s text.txt "$SCRATCH/up/keep.txt" &&
    grep -q "web01: 18 $SCRATCH/up/keep.txt" replace.out; then
	pass replaces_with_replace_yes_then_runs_exec
else
	fail replaces_with_replace_yes_then_runs_exec "exit $rc: $(cat replace.out replace.err | head -c 300)"
fi
[ "$(cat <&7)" = old ] && pass reader_of_old_file_sees_it_whole ||
	fail reader_of_old_file_sees_it_whole "the open file changed"
exec 7<&-
clean replace_leaves_no_temporary "$SCRATCH/up" big.bin binary.bin empty evil keep.txt open sub text.txt

# A gate that refuses before taking the file is heard at once: the client
# stops sending.
p exists_big -H web01 --json exists_big.jsonl put big.bin name=binary.bin
got=$(jq -r 'select(.target) | "\(.status) \(.reason) \(.upload_bytes < 104857600)"' exists_big.jsonl)
[ "$got" = "refused exists true" ] && pass stops_sending_once_refused ||
	fail stops_sending_once_refused "$got: $(head -c 300 exists_big.err)"

# --- symlinks and unsafe directories: nothing written through them ---
ln -s "$SCRATCH/elsewhere/target" "$SCRATCH/up/link"
p symlink_name -H web01 put text.txt name=link
refused_with refuses_symlink_at_name symlink_name exists
p symlink_name_replace -H web01 put-replace text.txt name=link
refused_with refuses_to_replace_symlink symlink_name_replace bad-destination
p symlink_dir -H web01 put-sub text.txt dir=evil name=x
refused_with refuses_symlink_above_name symlink_dir bad-destination
clean nothing_written_through_symlinks "$SCRATCH/elsewhere"
[ -L "$SCRATCH/up/link" ] && pass symlink_left_as_it_was ||
	fail symlink_left_as_it_was "$(ls -l "$SCRATCH/up/link")"
p open_dir -H web01 put-sub text.txt dir=open name=x
refused_with refuses_directory_writable_by_others open_dir bad-destination
clean nothing_in_open_directory "$SCRATCH/up/open"
p into_sub -H web01 put-sub text.txt dir=sub name=x
[ "$rc" = 0 ] && cmp -s text.txt "$SCRATCH/up/sub/x" && pass uploads_into_subdirectory ||
	fail uploads_into_subdirectory "exit $rc: $(head -c 300 into_sub.err)"
p dotdot -H web01 put text.txt name=..
refused_with refuses_dotdot_param dotdot bad-param
p slash -H web01 put text.txt name=sub/y
refused_with refuses_slash_in_param slash bad-param
[ ! -e "$SCRATCH/up/sub/y" ] && pass slash_param_writes_nothing ||
	fail slash_param_writes_nothing "sub/y exists"

# --- a connection dropped mid-upload ---
"$MKREQUEST" -k "$(k ci)" $(req) --upload big.bin put name=dropped > dropped.req
mkfifo drop.fifo
timeout 30 ssh -F /dev/null -p "$SSHD_PORT" -i "$SSH_DIR/client_key" \
    -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$SSH_DIR/known_hosts" -o LogLevel=ERROR \
    "$GATE_USER@127.0.0.1" writ-request-v1 < drop.fifo > dropped.out 2>&1 &
drop_pid=$!
exec 8> drop.fifo
# 20 MB of the 100 MiB in, then the client is killed (timeout passes the
# TERM on to ssh) with the session's stdin still open.
head -c 20000000 dropped.req >&8
sleep 0.5
kill -TERM "$drop_pid"
wait "$drop_pid" 2>/dev/null
exec 8>&-
for i in $(seq 100); do
	grep -q 'params="name=dropped".*reason="payload-mismatch"' "$GATE_DIR/audit.log" && break
	sleep 0.1
done
grep -q 'params="name=dropped".*reason="payload-mismatch"' "$GATE_DIR/audit.log" &&
	pass dropped_upload_is_audited ||
	fail dropped_upload_is_audited "$(grep -F dropped "$GATE_DIR/audit.log" | head -c 400)"
clean dropped_upload_leaves_nothing "$SCRATCH/up" big.bin binary.bin empty evil keep.txt link open sub text.txt

# --- the same file again: a retry of an upload that landed ---
# The file is left as it is (same inode, same mtime), the bytes sent are
# still checked, the op runs, and both records say present=1.
p same_file_again_is_ok_on_every_gate -H $ALL put text.txt name=text.txt
installed same_file_again_is_ok_on_every_gate text.txt text.txt
p first -H web01 put-run text.txt name=again.txt
[ "$rc" = 0 ] && [ -e "$SCRATCH/ran/again.txt" ] && cmp -s text.txt "$SCRATCH/up/again.txt" &&
	pass upload_op_runs_its_exec ||
	fail upload_op_runs_its_exec "exit $rc: $(head -c 300 first.err)"
rm -f "$SCRATCH/ran/again.txt"
before=$(stat -c '%i %y' "$SCRATCH/up/again.txt")
sleep 0.1       # a file placed again now would have another mtime
p again -H web01 put-run text.txt name=again.txt
[ "$rc" = 0 ] && [ -e "$SCRATCH/ran/again.txt" ] &&
	pass same_file_again_runs_the_op ||
	fail same_file_again_runs_the_op "exit $rc: $(head -c 300 again.err)"
after=$(stat -c '%i %y' "$SCRATCH/up/again.txt")
[ "$before" = "$after" ] && cmp -s text.txt "$SCRATCH/up/again.txt" &&
	pass same_file_again_is_left_as_it_is ||
	fail same_file_again_is_left_as_it_is "inode and mtime were '$before', now '$after'"
for ev in accepted finished; do
	grep -F "event=\"$ev\"" "$GATE_DIR/audit.log" | grep -F 'params="name=again.txt"' |
	    tail -n 1 | grep -q ' present=1 ' &&
		pass "same_file_again_${ev}_record_has_present" ||
		fail "same_file_again_${ev}_record_has_present" "$(grep -F "event=\"$ev\"" "$GATE_DIR/audit.log" | tail -n 1 | cut -c 1-500)"
done
[ "$(grep -F 'params="name=again.txt"' "$GATE_DIR/audit.log" | grep -c ' present=1 ')" = 2 ] &&
	pass first_upload_has_no_present ||
	fail first_upload_has_no_present "$(grep -F 'params="name=again.txt"' "$GATE_DIR/audit.log" | cut -c 1-300)"
rm -f "$SCRATCH/ran/again.txt"
# Bytes of the same size that differ: refused, nothing runs.
p differs -H web01 put-run other.txt name=again.txt
refused_with same_size_other_bytes_are_refused_exists differs exists
[ ! -e "$SCRATCH/ran/again.txt" ] && cmp -s text.txt "$SCRATCH/up/again.txt" &&
	pass refused_upload_runs_nothing ||
	fail refused_upload_runs_nothing "$(ls "$SCRATCH/ran")"
# A symlink to a file with the signed bytes is not followed.
ln -s "$SCRATCH/up/text.txt" "$SCRATCH/up/samelink"
p samelink -H web01 put-run text.txt name=samelink
refused_with symlink_to_same_bytes_is_refused_exists samelink exists
[ -L "$SCRATCH/up/samelink" ] && [ ! -e "$SCRATCH/ran/samelink" ] &&
	pass symlink_to_same_bytes_left_as_it_was ||
	fail symlink_to_same_bytes_left_as_it_was "$(ls -l "$SCRATCH/up/samelink" "$SCRATCH/ran")"

# --- the client ---
t "$WRIT" put --help
expect put_help_has_example 0 "writ put -H web[01-12]"
mkdir adir
p not_a_file -H web01 put adir name=x
[ "$rc" = 1 ] && grep -q "adir: not a regular file" not_a_file.err &&
	pass refuses_non_regular_file || fail refuses_non_regular_file "exit $rc: $(cat not_a_file.err)"
p no_file -H web01 put
[ "$rc" = 2 ] && grep -q "an OP and FILE" no_file.err &&
	pass wants_op_and_file || fail wants_op_and_file "exit $rc: $(cat no_file.err)"
p put_stdin -H web01 -I put text.txt name=x
[ "$rc" = 2 ] && pass refuses_stdin_with_put || fail refuses_stdin_with_put "exit $rc"
