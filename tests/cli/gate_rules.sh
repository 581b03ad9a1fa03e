# gate_rules.sh: every acceptance rule of docs/PROTOCOL.md §2, through the
# real sshd and writ-gate as its forced command: one request it accepts and
# one it refuses per rule, each refusal audited with its reason and nothing
# run.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_setup
mkdir -p "$GATE_DIR/canary"
gate_own "$GATE_DIR/canary"
# A second gate on the same account, host id db01, for not-authorized.
sed -e 's/^host_id .*/host_id   = db01/' "$GATE_DIR/gate.ini" > "$GATE_DIR/db.ini"
gate_own "$GATE_DIR/db.ini"
ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/db_key" -C db
authorize "$SSH_DIR/client_key" "$GATE -c $GATE_DIR/gate.ini"
authorize "$SSH_DIR/db_key" "$GATE -c $GATE_DIR/db.ini"
sshd_start

now=$(date +%s)
n=0
# refused_canary TEST WORD AUDIT_REASON MKREQUEST-ARGS...: a request for the
# canary op is refused with WORD (the reply) and AUDIT_REASON (the audit
# line), and the canary file was never made.
refused_canary() {
	local test=$1 word=$2 reason=$3 path
	shift 3
	n=$((n + 1))
	path=$GATE_DIR/canary/$test
	send "$test" "$@" canary "path=$path"
	verdict_is "$test" "$test" "refused $word "
	if [ -e "$path" ]; then
		fail "${test}_runs_nothing" "the canary $path exists"
	else
		pass "${test}_runs_nothing"
	fi
	if grep -F 'event="refused"' "$GATE_DIR/audit.log" |
	    grep -F "reason=\"$reason\"" | grep -qF "$path"; then
		pass "${test}_is_audited"
	else
		fail "${test}_is_audited" "no refused record with reason $reason for $path"
	fi
}

# Accepted: the op runs, its output streams back, its status passes through.
send accepts_signed_request -k "$(k ci)" $(req) uptime
verdict_is accepts_signed_request accepts_signed_request "accepted "
grep -q 'load average' "$SCRATCH/accepts_signed_request.stdout" &&
	pass streams_op_stdout || fail streams_op_stdout "$(head -c 200 "$SCRATCH/accepts_signed_request.stdout")"
grep -q '^exit=0 timeout=0 truncated=0' "$SCRATCH/accepts_signed_request.end" &&
	[ "$(cat "$SCRATCH/accepts_signed_request.rc")" = 0 ] &&
	pass ends_with_exit_record || fail ends_with_exit_record "$(cat "$SCRATCH/accepts_signed_request.end")"
send passes_exit_status -k "$(k ci)" $(req) fail 'script=exit 3'
verdict_is passes_exit_status passes_exit_status "accepted "
[ "$(cat "$SCRATCH/passes_exit_status.rc")" = 3 ] &&
	grep -q '^exit=3 ' "$SCRATCH/passes_exit_status.end" &&
	pass op_failure_is_not_a_refusal || fail op_failure_is_not_a_refusal "rc $(cat "$SCRATCH/passes_exit_status.rc")"
grep -F 'event="accepted"' "$GATE_DIR/audit.log" | grep -qF 'op="uptime"' &&
	grep -F 'event="finished"' "$GATE_DIR/audit.log" | grep -qF 'op="uptime"' &&
	pass accepted_and_finished_are_audited || fail accepted_and_finished_are_audited "$(tail -n 3 "$GATE_DIR/audit.log")"
send canary_runs_when_allowed -k "$(k ci)" $(req) canary "path=$GATE_DIR/canary/allowed"
[ -e "$GATE_DIR/canary/allowed" ] && pass canary_runs_when_allowed ||
	fail canary_runs_when_allowed "the allowed canary was not made"

# Signatures and signers: before they verify, only a class goes back.
"$MKREQUEST" -k "$(k ci)" $(req) canary path="$GATE_DIR/canary/bad_signature" > "$SCRATCH/bs.req"
python3 - "$SCRATCH/bs.req" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read())
b[-10] ^= 1                       # inside the last signature
open(p, 'wb').write(b)
PY
send_raw refuses_bad_signature "$SSH_DIR/client_key" < "$SCRATCH/bs.req"
verdict_is refuses_bad_signature refuses_bad_signature "refused unauthenticated "
grep -F 'reason="bad-signature"' "$GATE_DIR/audit.log" | grep -qF 'claimed_op="canary"' &&
	pass unverified_fields_are_claimed || fail unverified_fields_are_claimed "$(grep bad-signature "$GATE_DIR/audit.log")"
refused_canary refuses_unknown_signer unauthenticated unknown-signer -k "$(k outsider)" $(req)
"$MKREQUEST" -k "$(k ci)" $(req) canary path="$GATE_DIR/canary/dup" > "$SCRATCH/dup.req"
python3 - "$SCRATCH/dup.req" <<'PY'
import sys, struct
p = sys.argv[1]; b = open(p, 'rb').read()
req = b[4:]; sig = req[-96:]
req = req[:-97] + bytes([2]) + sig + sig     # the same key signs twice
open(p, 'wb').write(struct.pack('>I', len(req)) + req)
PY
send_raw refuses_duplicate_signer "$SSH_DIR/client_key" < "$SCRATCH/dup.req"
verdict_is refuses_duplicate_signer refuses_duplicate_signer "refused unauthenticated "
grep -qF 'reason="duplicate-signer"' "$GATE_DIR/audit.log" &&
	pass duplicate_signer_is_audited || fail duplicate_signer_is_audited "no record"

# Approvals and roles (after verification the rule is named).
refused_canary refuses_unauthorized_host not-authorized not-authorized \
	--ssh-key "$SSH_DIR/db_key" -k "$(k ci)" --host db01 --realm test
send refuses_one_of_two_approvals -k "$(k ci)" $(req) restart unit=nginx.service
verdict_is refuses_one_of_two_approvals refuses_one_of_two_approvals "refused not-authorized "
send accepts_two_approvals -k "$(k ci)" -k "$(k rm)" $(req) restart unit=nginx.service
verdict_is accepts_two_approvals accepts_two_approvals "accepted "
grep -qx 'restarting nginx.service' "$SCRATCH/accepts_two_approvals.stdout" &&
	pass substitutes_param || fail substitutes_param "$(cat "$SCRATCH/accepts_two_approvals.stdout")"

# Host, realm, window.
refused_canary refuses_wrong_host wrong-host wrong-host -k "$(k ci)" --host web02 --realm test
grep -q '^refused wrong-host [0-9a-f]\{32\} web01$' "$SCRATCH/refuses_wrong_host.verdict" &&
	pass wrong_host_names_gate_host_id || fail wrong_host_names_gate_host_id "$(cat "$SCRATCH/refuses_wrong_host.verdict")"
refused_canary refuses_wrong_realm wrong-realm wrong-realm -k "$(k ci)" --host web01 --realm prod
refused_canary refuses_expired expired expired -k "$(k ci)" $(req) \
	--not-before $((now - 1000)) --not-after $((now - 500))
refused_canary refuses_not_yet_valid not-yet-valid not-yet-valid -k "$(k ci)" $(req) \
	--not-before $((now + 1000)) --not-after $((now + 1100))
send accepts_within_clock_skew -k "$(k ci)" $(req) --not-before $((now + 30)) --not-after $((now + 200)) uptime
verdict_is accepts_within_clock_skew accepts_within_clock_skew "accepted "
refused_canary refuses_window_too_long window-too-long window-too-long -k "$(k ci)" $(req) --ttl 301

# Message, params.
send refuses_missing_message -k "$(k ci)" $(req) note
verdict_is refuses_missing_message refuses_missing_message "refused message-required "
send accepts_with_message -k "$(k ci)" $(req) -m 'CHG-42' note
verdict_is accepts_with_message accepts_with_message "accepted "
dotdot=$GATE_DIR/canary/../canary-escaped
send refuses_dotdot_in_path_param -k "$(k ci)" $(req) canary "path=$dotdot"
verdict_is refuses_dotdot_in_path_param refuses_dotdot_in_path_param "refused bad-param "
[ -e "$GATE_DIR/canary-escaped" ] && fail dotdot_runs_nothing "canary made" ||
	pass dotdot_runs_nothing
send approvals_before_params -k "$(k ci)" $(req) restart unit=sshd.service
verdict_is approvals_are_checked_before_params approvals_before_params "refused not-authorized "
send refuses_param_outside_regex2 -k "$(k ci)" -k "$(k rm)" $(req) restart unit=nginx.servicex
verdict_is refuses_partial_regex_match refuses_param_outside_regex2 "refused bad-param "
send keeps_shell_text_as_one_argument -k "$(k ci)" $(req) echo 'word=a; touch x | y & z'
grep -qx 'a; touch x | y & z' "$SCRATCH/keeps_shell_text_as_one_argument.stdout" &&
	pass keeps_shell_text_as_one_argument ||
	fail keeps_shell_text_as_one_argument "$(cat "$SCRATCH/keeps_shell_text_as_one_argument.stdout")"

# Replay: the same signed request twice.
"$MKREQUEST" -k "$(k ci)" $(req) canary path="$GATE_DIR/canary/replay" > "$SCRATCH/replay.req"
send_raw first_send_runs "$SSH_DIR/client_key" < "$SCRATCH/replay.req"
verdict_is first_send_runs first_send_runs "accepted "
rm -f "$GATE_DIR/canary/replay"
send_raw refuses_replayed "$SSH_DIR/client_key" < "$SCRATCH/replay.req"
verdict_is refuses_replayed refuses_replayed "refused replayed "
[ -e "$GATE_DIR/canary/replay" ] && fail replay_runs_nothing "ran twice" || pass replay_runs_nothing

# Malformed input: one clear refusal, nothing run.
printf 'garbage that is not a request' | send_raw refuses_garbage "$SSH_DIR/client_key"
verdict_is refuses_garbage refuses_garbage "refused bad-request - "
printf '\000\001\021\160' | send_raw refuses_oversize_length "$SSH_DIR/client_key"
verdict_is refuses_oversize_length refuses_oversize_length "refused bad-request - "
head -c 100 "$SCRATCH/replay.req" | send_raw refuses_truncated "$SSH_DIR/client_key"
verdict_is refuses_truncated refuses_truncated "refused bad-request - "
grep -F 'reason="bad-request"' "$GATE_DIR/audit.log" |
	grep -qF 'request of 70000 bytes (1 to 65536)' &&
	pass oversize_is_audited || fail oversize_is_audited "$(grep bad-request "$GATE_DIR/audit.log" | tail -n 2)"

# Payloads bound by digest; unsupported op kinds.
printf 'hello stdin\n' > "$SCRATCH/in.txt"
send passes_signed_stdin -k "$(k ci)" $(req) --stdin-file "$SCRATCH/in.txt" cat
[ "$(cat "$SCRATCH/passes_signed_stdin.stdout")" = "hello stdin" ] &&
	pass passes_signed_stdin || fail passes_signed_stdin "$(cat "$SCRATCH/passes_signed_stdin.verdict")"
"$MKREQUEST" -k "$(k ci)" $(req) --stdin-file "$SCRATCH/in.txt" cat > "$SCRATCH/pm.req"
python3 - "$SCRATCH/pm.req" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read())
b[-2] ^= 0x20                     # one payload byte differs from the signed one
open(p, 'wb').write(b)
PY
send_raw refuses_payload_mismatch "$SSH_DIR/client_key" < "$SCRATCH/pm.req"
verdict_is refuses_payload_mismatch refuses_payload_mismatch "refused payload-mismatch "
[ ! -s "$SCRATCH/refuses_payload_mismatch.stdout" ] && pass mismatched_payload_runs_nothing ||
	fail mismatched_payload_runs_nothing "op output: $(cat "$SCRATCH/refuses_payload_mismatch.stdout")"
# Downloads have their own suite (get.sh); here the frames themselves.
send serves_download -k "$(k ci)" $(req) download name=hostname
verdict_is serves_download serves_download "accepted "
size=$(stat -c %s /etc/hostname)
[ "$(cat "$SCRATCH/serves_download.file")" = "size=$size name=hostname" ] &&
	cmp -s /etc/hostname "$SCRATCH/serves_download.data" &&
	grep -q "^exit=0 .* digest=$(b2sum -l 256 /etc/hostname | cut -d' ' -f1) bytes=$size\$" \
	    "$SCRATCH/serves_download.end" &&
	pass download_frames_carry_file_and_digest ||
	fail download_frames_carry_file_and_digest "file: $(cat "$SCRATCH/serves_download.file"); end: $(cat "$SCRATCH/serves_download.end")"

# Locks: a second request for a held lock is busy.
send lock_holder -k "$(k ci)" $(req) locked &
holder=$!
sleep 1
send refuses_busy_lock -k "$(k ci)" $(req) locked
verdict_is refuses_busy_lock refuses_busy_lock "refused busy "
wait "$holder"
verdict_is lock_holder_runs lock_holder "accepted "
send lock_is_released -k "$(k ci)" $(req) locked
verdict_is lock_is_released lock_is_released "accepted "

# The audit file's chain holds after all of the above.
t "$GATE" audit verify "$GATE_DIR/audit.log"
expect audit_chain_verifies 0 "ok"
