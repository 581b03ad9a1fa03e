# gate_audit.sh: every session leaves its records in a real rsyslogd
# (ident writ-gate, the configured facility), one line per event, values
# quoted so none can forge a field, unverified fields as claimed_*, and
# chain= matching the hash-chained local audit file; the file holds every
# value whole, and where a record is longer than a syslog line may be, the
# syslog copy marks each cut; audit verify names the last chain and checks
# the syslog copy against the file.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/rsyslog.sh"

rsyslog_start syslog_receives_records || exit 0
gate_setup
# Ops with long params: 1024-byte values, the longest a request carries.
sed -i -e '0,/^ops   = /s//ops   = pair, five, /' "$GATE_DIR/policy.ini"
cat >> "$GATE_DIR/policy.ini" <<'OPS'

[op pair]
exec         = /bin/echo {first} {second}
param.first  = [a-z]+
param.second = [a-z]+
timeout      = 10

[op five]
exec    = /bin/echo {a} {b} {c} {d} {e}
param.a = [a-z]+
param.b = [a-z]+
param.c = [a-z]+
param.d = [a-z]+
param.e = [a-z]+
timeout = 10
OPS
(cd "$GATE_DIR" && "$WRIT" policy sign -s authority.key policy.ini >/dev/null) ||
	fail policy_sign "writ policy sign failed"
gate_own "$GATE_DIR/policy.ini" "$GATE_DIR/policy.ini.minisig"
SSHD_PREFIX=("${LOG_NS[@]}")
sshd_start

# fields LINE: the record's key=value fields, one "key value" a line,
# parsed strictly; fails on anything that is not a well-formed field.
cat > "$SCRATCH/fields.py" <<'PY'
import re, sys
line = sys.stdin.read().rstrip("\n")
msg = line.split(": ", 1)[1]
pos, out = 0, []
pat = re.compile(r' ?([a-z_]+)=("((?:[^"\\]|\\.)*)"|[0-9a-f]+)')
while pos < len(msg):
    m = pat.match(msg, pos)
    if not m:
        sys.exit("bad field at %d: %r" % (pos, msg[pos:pos + 40]))
    out.append((m.group(1), m.group(3) if m.group(3) is not None else m.group(2)))
    pos = m.end()
for k, v in out:
    print(k, v)
PY
fields() { python3 "$SCRATCH/fields.py"; }

send accepted_session -k "$(k ci)" $(req) -m 'CHG-7 " event=accepted reason=forged' uptime
verdict_is accepted_session accepted_session "accepted "
rsyslog_wait 'event="finished"' 10
line=$(grep -F 'writ-gate[' "$RSYSLOG_OUT" | grep -F 'event="accepted"' | head -n 1)
case "$line" in
local3.notice\ writ-gate\[*) pass logs_with_ident_and_facility ;;
*) fail logs_with_ident_and_facility "line: $line" ;;
esac
if f=$(printf '%s\n' "$line" | fields); then
	pass record_parses_as_fields
	[ "$(printf '%s\n' "$f" | grep -c '^event ')" = 1 ] &&
		printf '%s\n' "$f" | grep -qx 'event accepted' &&
		pass message_cannot_forge_a_field ||
		fail message_cannot_forge_a_field "$f"
	for key in request host realm op signers params message peer duration_ms chain; do
		printf '%s\n' "$f" | grep -q "^$key " && pass "accepted_has_$key" ||
			fail "accepted_has_$key" "$f"
	done
	printf '%s\n' "$f" | grep -qx 'signers ci' &&
		printf '%s\n' "$f" | grep -qx 'peer 127.0.0.1:[0-9]*' &&
		pass names_signer_and_peer || fail names_signer_and_peer "$f"
else
	fail record_parses_as_fields "$line"
fi
fin=$(grep -F 'event="finished"' "$RSYSLOG_OUT" | head -n 1)
printf '%s\n' "$fin" | fields | grep -qx 'exit 0' && pass finished_has_exit ||
	fail finished_has_exit "$fin"

# syslog's chain= is the file line's: the copy off the host detects edits.
chain=$(printf '%s\n' "$line" | sed -n 's/.* chain=\([0-9a-f]*\)$/\1/p')
grep -F 'event="accepted"' "$GATE_DIR/audit.log" | grep -q " chain=$chain\$" &&
	pass syslog_chain_matches_file || fail syslog_chain_matches_file "chain '$chain'"

# Before signatures verify, the request's fields are only claims.
send unverified_session -k "$(k outsider)" $(req) canary "path=$GATE_DIR/nope"
rsyslog_wait 'reason="unknown-signer"' 10
bad=$(grep -F 'reason="unknown-signer"' "$RSYSLOG_OUT" | head -n 1)
case "$bad" in
local3.warning\ *) pass refusal_is_a_warning ;;
*) fail refusal_is_a_warning "$bad" ;;
esac
f=$(printf '%s\n' "$bad" | fields)
printf '%s\n' "$f" | grep -qx 'claimed_op canary' &&
	! printf '%s\n' "$f" | grep -q '^op ' &&
	printf '%s\n' "$f" | grep -q '^claimed_signers [0-9a-f]\{64\}$' &&
	pass unverified_fields_are_claimed || fail unverified_fields_are_claimed "$f"

# A login attempt is audited too.
gate_ssh id >/dev/null 2>&1
rsyslog_wait 'reason="not-a-request"' 10 && pass login_attempt_reaches_syslog ||
	fail login_attempt_reaches_syslog "$(tail -n 2 "$RSYSLOG_OUT")"

# A 1,020-byte param, then another: the op gets both, and so does every
# copy of its record.
long=$(head -c 1020 /dev/zero | tr '\0' a)
send long_param -k "$(k ci)" $(req) pair "first=$long" second=visible
verdict_is long_param_runs long_param "accepted "
grep -qx "$long visible" "$SCRATCH/long_param.stdout" &&
	pass long_param_reaches_the_op ||
	fail long_param_reaches_the_op "stdout: $(head -c 100 "$SCRATCH/long_param.stdout")"
rid=$(cut -d ' ' -f 2 "$SCRATCH/long_param.verdict")
rsyslog_wait "request=\"$rid\"" 10
acc=$(grep -F 'event="accepted"' "$GATE_DIR/audit.log" | grep -F "\"$rid\"")
printf '%s\n' "$acc" | grep -qF "params=\"first=$long,second=visible\"" &&
    printf '%s\n' "$acc" | grep -qF "argv=\"/bin/echo,$long,visible\"" &&
	pass long_param_file_holds_both ||
	fail long_param_file_holds_both "$(printf '%s' "$acc" | cut -c 1-300)"
line=$(grep -F 'event="accepted"' "$RSYSLOG_OUT" | grep -F "\"$rid\"")
[ "${line#*]: }" = "$acc" ] && pass long_param_syslog_holds_both ||
	fail long_param_syslog_holds_both "$(printf '%s' "$line" | cut -c 1-300)"

# Four of them and a fifth: more than a syslog line may hold. The file is
# whole; syslog's copy is cut, says so and which, and carries the chain of
# the whole line.
send five_long -k "$(k ci)" $(req) five "a=$long" "b=$long" "c=$long" \
    "d=$long" e=visible
verdict_is five_long_runs five_long "accepted "
rid=$(cut -d ' ' -f 2 "$SCRATCH/five_long.verdict")
rsyslog_wait "request=\"$rid\"" 10
acc=$(grep -F 'event="accepted"' "$GATE_DIR/audit.log" | grep -F "\"$rid\"")
printf '%s\n' "$acc" | grep -qF "params=\"a=$long,b=$long,c=$long,d=$long,e=visible\"" &&
    ! printf '%s\n' "$acc" | grep -q 'truncated=' &&
	pass five_long_file_holds_every_value ||
	fail five_long_file_holds_every_value "$(printf '%s' "$acc" | cut -c 1-300)"
line=$(grep -F 'event="accepted"' "$RSYSLOG_OUT" | grep -F "\"$rid\"")
f=$(printf '%s\n' "$line" | fields)
msg=${line#*]: }
if [ "${#msg}" -le 3840 ] &&
    printf '%s\n' "$f" | grep -qx 'truncated 1' &&
    printf '%s\n' "$f" | grep -qx 'cut params,argv' &&
    printf '%s\n' "$f" | grep -q '^params a=[a-e=,]*\.\.\.$' &&
    printf '%s\n' "$f" | grep -qx 'op five' &&
    printf '%s\n' "$f" | grep -q '^peer 127.0.0.1:'; then
	pass five_long_syslog_marks_its_cuts
else
	fail five_long_syslog_marks_its_cuts "${#msg} bytes: $(printf '%s' "$f" | cut -c 1-400)"
fi
[ "${line##* chain=}" = "${acc##* chain=}" ] &&
	pass five_long_syslog_chain_is_the_whole_lines ||
	fail five_long_syslog_chain_is_the_whole_lines "syslog ${line##* chain=}, file ${acc##* chain=}"

# audit verify names the last chain: an operator compares it with the copy
# shipped off the host; --against does it for every line of an extract.
n=$(wc -l < "$GATE_DIR/audit.log")
last=$(tail -n 1 "$GATE_DIR/audit.log" | sed 's/.* chain=//')
t "$GATE" audit verify "$GATE_DIR/audit.log"
expect file_chain_verifies 0 "ok, $n lines, last chain=$last"
rsyslog_wait "$last" 10
grep -F 'writ-gate[' "$RSYSLOG_OUT" > "$SCRATCH/extract.log"
k=$(grep -c ' chain=[0-9a-f]*$' "$SCRATCH/extract.log")
t "$GATE" audit verify --against "$SCRATCH/extract.log" "$GATE_DIR/audit.log"
expect syslog_extract_matches_the_file 0 \
    "; $SCRATCH/extract.log: $k chains, in $GATE_DIR/audit.log in order (the last is line $n)"

cp "$GATE_DIR/audit.log" "$SCRATCH/cut.log"
truncate -s "$(head -n $((n - 2)) "$GATE_DIR/audit.log" | wc -c)" "$SCRATCH/cut.log"
t "$GATE" audit verify "$SCRATCH/cut.log"
expect cut_file_verifies_alone 0 "ok, $((n - 2)) lines"
t "$GATE" audit verify --against "$SCRATCH/extract.log" "$SCRATCH/cut.log"
expect syslog_extract_finds_a_cut_file 1 \
    "audit $SCRATCH/cut.log: cut short: it ends at line $((n - 2)), but $SCRATCH/extract.log:"

cp "$GATE_DIR/audit.log" "$SCRATCH/edited.log"
sed -i '2s/uptime/reboot/' "$SCRATCH/edited.log"
t "$GATE" audit verify "$SCRATCH/edited.log"
expect edited_file_names_first_broken_line 1 "edited.log:2: chain broken"

# Rotation keeps one chain across files: the new file's first line names
# the old file's last chain, and audit verify takes the files in order.
# (The gate's own log: a daemon reads gate.ini once.)
ROT=$GATE_DIR/audit.log
finished_before=$(grep -c '^event="finished"' "$ROT")
send rot1 -k "$(k ci)" $(req) uptime
send rot2 -k "$(k ci)" $(req) uptime
last1=$(tail -n 1 "$ROT" | sed 's/.* chain=//')
t "${AS_GATE[@]}" "$GATE" audit rotate "$ROT"
old1=$(sed -n 's/.*rotated to \([^;]*\);.*/\1/p' "$SCRATCH/out")
expect rotate_names_the_old_file 0 "writ-gate: audit $ROT: rotated to $ROT-"
head -n 1 "$ROT" | grep -q "^event=\"rotated\" previous_chain=\"$last1\" previous=\"$(basename "$old1")\" chain=" &&
    [ "$(wc -l < "$ROT")" = 1 ] && [ "$(stat -c %U "$ROT")" = "$(stat -c %U "$old1")" ] &&
	pass new_file_starts_with_old_last_chain ||
	fail new_file_starts_with_old_last_chain "$(head -c 300 "$ROT")"
send rot3 -k "$(k ci)" $(req) uptime
t "$GATE" audit verify "$ROT"
expect rotated_file_verifies_alone 0 "continues chain=$last1"
sleep 1         # the next rotated name is a second later
t "${AS_GATE[@]}" "$GATE" audit rotate "$ROT"
old2=$(sed -n 's/.*rotated to \([^;]*\);.*/\1/p' "$SCRATCH/out")
send rot4 -k "$(k ci)" $(req) uptime
t "$GATE" audit verify "$old1" "$old2" "$ROT"
expect files_verify_in_order 0 "audit $ROT: ok, "
[ "$(grep -c ': ok, ' "$SCRATCH/out")" = 3 ] && pass each_file_reported ||
	fail each_file_reported "$(cat "$SCRATCH/out")"
t "$GATE" audit verify "$old1" "$ROT"
expect missing_file_between_is_found 1 "audit $ROT does not continue $old1"
t "$GATE" audit verify "$old2" "$old1" "$ROT"
expect files_out_of_order_are_found 1 "does not continue"
cp "$old1" "$SCRATCH/old1.cut"
truncate -s "$(head -n -1 "$old1" | wc -c)" "$SCRATCH/old1.cut"
t "$GATE" audit verify "$SCRATCH/old1.cut" "$old2" "$ROT"
expect cut_old_file_is_found 1 "audit $old2 does not continue $SCRATCH/old1.cut"

# Sessions writing while the file is rotated: every record lands in one
# file or the next, and the chain holds across them.
busy=()
for i in 1 2 3 4 5 6; do
	send "busy$i" -k "$(k ci)" $(req) uptime &
	busy+=($!)
done
for i in 1 2; do
	sleep 1
	"${AS_GATE[@]}" "$GATE" audit rotate "$ROT" >/dev/null 2>&1 ||
		fail "busy_rotate_$i" "rotate failed"
done
wait "${busy[@]}"       # not sshd's and rsyslogd's
files=$(ls "$ROT"-* | sort; echo "$ROT")
t "$GATE" audit verify $files
expect chain_holds_across_rotations_under_load 0 "audit $ROT: ok, "
[ "$(cat $files | grep -c '^event="finished"')" = "$((finished_before + 10))" ] &&
	pass no_record_lost_in_rotation ||
	fail no_record_lost_in_rotation "$(cat $files | grep -c '^event="finished"') finished records, want $((finished_before + 10))"
t "${AS_GATE[@]}" "$GATE" audit rotate "$GATE_DIR/no-such.log"
expect rotate_of_missing_file_fails 1 "audit log $GATE_DIR/no-such.log: open: No such file or directory"
