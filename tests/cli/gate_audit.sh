# gate_audit.sh: every session leaves its records in a real rsyslogd
# (ident writ-gate, the configured facility), one line per event, values
# quoted so none can forge a field, unverified fields as claimed_*, and
# chain= matching the hash-chained local audit file.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/rsyslog.sh"

rsyslog_start syslog_receives_records || exit 0
gate_setup
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

t "$GATE" audit verify "$GATE_DIR/audit.log"
expect file_chain_verifies 0 "ok, 4 lines"
sed -i '2s/uptime/reboot/' "$GATE_DIR/audit.log"
t "$GATE" audit verify "$GATE_DIR/audit.log"
expect edited_file_names_first_broken_line 1 "audit.log:2: chain broken"
