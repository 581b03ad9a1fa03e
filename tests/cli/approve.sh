# approve.sh: two-person control across people. One person signs a run
# without sending it (writ run --sign-only), a second adds a signature
# (writ approve, which shows the request in words first), and anyone sends
# the file (writ run --request): 2 of N is accepted by the real gate; the
# same signer twice counts once; a signer without the role does not count;
# an expired file or a changed upload is refused by writ approve; the file
# is replaced whole or not at all.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_setup
# twoman: two approvals of role uploader, held by ci and outsider (not rm).
sed -i 's/^ops   = put, put-replace, put-sub$/ops   = put, put-replace, put-sub, twoman/' \
    "$GATE_DIR/policy.ini"
printf '\n[op twoman]\nexec      = /usr/bin/uptime\ntimeout   = 10\napprovals = 2\n' \
    >> "$GATE_DIR/policy.ini"
printf '\n[signer outsider]\nkey   = %s\nroles = uploader\n' \
    "$(tail -n 1 "$GATE_DIR/outsider.pub")" >> "$GATE_DIR/policy.ini"
(cd "$GATE_DIR" && "$WRIT" policy sign -s authority.key policy.ini >/dev/null) ||
	fail policy_signs "writ policy sign failed"
gate_own "$GATE_DIR/policy.ini" "$GATE_DIR/policy.ini.minisig"
mkdir -p "$SCRATCH/up"
gate_own "$SCRATCH/up"
sshd_start
client_fleet

# send_req NAME ARGS...: writ run --request (writ $WRIT_CMD) with the
# test's SSH settings and no key (the file holds the signatures).
send_req() {
	local name=$1
	shift
	timeout 60 "$WRIT" "${WRIT_CMD:-run}" -F "$SCRATCH/ssh_config" \
	    --known-hosts "$SSH_DIR/known_hosts" \
	    --identity "$SSH_DIR/client_key" -l "$GATE_USER" \
	    --connect-timeout 5 "$@" \
	    > "$SCRATCH/$name.out" 2> "$SCRATCH/$name.err" </dev/null
	rc=$?
}
# approve NAME KEY ARGS...: writ approve --yes with KEY.
approve() {
	local name=$1 key=$2
	shift 2
	timeout 30 "$WRIT" approve -k "$(k "$key")" "$@" \
	    > "$SCRATCH/$name.out" 2> "$SCRATCH/$name.err" </dev/null
	rc=$?
}
ok_if() {   # NAME CONDITION-STATUS DETAIL
	[ "$2" = 0 ] && pass "$1" || fail "$1" "$3"
}
REQ=$SCRATCH/restart.req

r sign_only --sign-only "$REQ" --ttl 300 -m 'CHG-7 restart' -H web01 \
    restart unit=nginx.service
rid=$(sed -n 's/.*(request \([0-9a-f]*\), op restart.*/\1/p' "$SCRATCH/sign_only.err")
[ "$rc" = 0 ] && [ "$(head -n 1 "$REQ")" = "writ-requests 1" ] &&
    [ "$(grep -c "^host web01 web01 0 $GATE_USER " "$REQ")" = 1 ] && [ ${#rid} = 32 ] &&
    [ "$(stat -c %a "$REQ")" = 600 ] && ! grep -qsF "$rid" "$GATE_DIR/audit.log"
ok_if sign_only_writes_file_sends_nothing $? "rc $rc: $(cat "$SCRATCH/sign_only.err"; head -c 300 "$REQ")"
r sign_only_again --sign-only "$REQ" -H web01 restart unit=nginx.service
[ "$rc" = 1 ] && grep -q 'exists' "$SCRATCH/sign_only_again.err"
ok_if sign_only_never_overwrites $? "rc $rc: $(cat "$SCRATCH/sign_only_again.err")"

# One signature of two: the gate refuses it, and runs nothing.
send_req one_of_two --request "$REQ"
[ "$rc" = 6 ] && grep -q 'refused not-authorized: op restart on web01 needs 2 approvals, has 1' "$SCRATCH/one_of_two.err"
ok_if one_signature_of_two_is_refused $? "rc $rc: $(cat "$SCRATCH/one_of_two.err")"

# The second person: what the file asks, in words, then the signature.
cp "$REQ" "$SCRATCH/before.req"
approve approve_rm rm "$REQ" --policy "$GATE_DIR/policy.ini" \
    --authority "$GATE_DIR/authority.pub" --yes
o=$SCRATCH/approve_rm.out
[ "$rc" = 0 ] && grep -qx "request $rid, realm test" "$o" &&
    grep -qx '  op:      restart unit=nginx.service' "$o" &&
    grep -qx "  message: 'CHG-7 restart'" "$o" &&
    grep -qx '  hosts:   1: web01 (host id web01)' "$o" &&
    grep -q '^  window:  .* to .* (.* s left)$' "$o" &&
    grep -q '^  signed:  1 so far: ci (key ' "$o" &&
    grep -q 'now signed by 2' "$SCRATCH/approve_rm.err"
ok_if approve_shows_request_in_words $? "rc $rc: $(cat "$o" "$SCRATCH/approve_rm.err")"

# The same signer again counts once: refused, the file unchanged.
cp "$REQ" "$SCRATCH/signed2.req"
approve approve_rm_again rm "$REQ" --yes
[ "$rc" = 1 ] && grep -q 'already signed it (a signer counts once)' "$SCRATCH/approve_rm_again.err" &&
    cmp -s "$REQ" "$SCRATCH/signed2.req"
ok_if same_signer_counts_once $? "rc $rc: $(cat "$SCRATCH/approve_rm_again.err")"
# No --yes and no terminal: nothing signed.
cp "$SCRATCH/before.req" "$SCRATCH/noyes.req"
approve approve_no_yes rm "$SCRATCH/noyes.req"
[ "$rc" = 1 ] && grep -q 'give --yes' "$SCRATCH/approve_no_yes.err" &&
    cmp -s "$SCRATCH/noyes.req" "$SCRATCH/before.req"
ok_if approve_asks_before_signing $? "rc $rc: $(cat "$SCRATCH/approve_no_yes.err")"

# Two of two: accepted and run, under the file's request id.
send_req two_of_two --request "$REQ" --json "$SCRATCH/two.json"
[ "$rc" = 0 ] && [ "$(jq -r 'select(.target) | .status' "$SCRATCH/two.json")" = ok ] &&
    [ "$(jq -r 'select(.target) | .request' "$SCRATCH/two.json")" = "$rid" ] &&
    grep -F "request=\"$rid\"" "$GATE_DIR/audit.log" | grep -q 'event="accepted"'
ok_if two_of_two_is_accepted $? "rc $rc: $(cat "$SCRATCH/two_of_two.err"; head -c 400 "$SCRATCH/two.json")"
# Sent again, the gate has seen its nonce: it never runs twice.
send_req resent --request "$REQ"
[ "$rc" != 0 ] && grep -q 'replayed' "$SCRATCH/resent.err"
ok_if resent_file_is_replayed $? "rc $rc: $(cat "$SCRATCH/resent.err")"

# What the file fixes cannot be given again.
send_req request_with_target --request "$REQ" -H web02
[ "$rc" = 2 ] && grep -q 'targets cannot be given' "$SCRATCH/request_with_target.err"
ok_if request_takes_no_targets $? "rc $rc: $(cat "$SCRATCH/request_with_target.err")"
send_req request_with_op --request "$REQ" uptime
[ "$rc" = 2 ] && grep -q 'want nothing more' "$SCRATCH/request_with_op.err"
ok_if request_takes_no_op $? "rc $rc: $(cat "$SCRATCH/request_with_op.err")"

# A signer without the op's role does not count: twoman needs 2 of its
# role, and rm does not hold it.
r sign_twoman --sign-only "$SCRATCH/twoman.req" -H web01 twoman
approve approve_twoman rm "$SCRATCH/twoman.req" --yes
send_req twoman_sent --request "$SCRATCH/twoman.req"
[ "$rc" = 6 ] && grep -q 'needs 2 approvals, has 1' "$SCRATCH/twoman_sent.err"
ok_if signer_without_role_does_not_count $? "rc $rc: $(cat "$SCRATCH/twoman_sent.err")"

# An expired file: refused by writ approve and by writ run --request
# (the window is signed: seen from an hour on, with libfaketime).
r sign_short --sign-only "$SCRATCH/short.req" --ttl 60 -H web01 restart unit=nginx.service
cp "$SCRATCH/short.req" "$SCRATCH/short.before"
ASAN_OPTIONS=verify_asan_link_order=0 faketime -f +1h \
    "$WRIT" approve -k "$(k rm)" --yes "$SCRATCH/short.req" \
    > "$SCRATCH/expired.out" 2> "$SCRATCH/expired.err" </dev/null
rc=$?
[ "$rc" = 1 ] && grep -q 'its window ended' "$SCRATCH/expired.err" &&
    cmp -s "$SCRATCH/short.req" "$SCRATCH/short.before"
ok_if expired_request_is_not_approved $? "rc $rc: $(cat "$SCRATCH/expired.err")"

# An upload: the approver checks the file is the one signed.
printf 'release 1\n' > "$SCRATCH/app.tar"
timeout 60 "$WRIT" put -F "$SCRATCH/ssh_config" --known-hosts "$SSH_DIR/known_hosts" \
    --identity "$SSH_DIR/client_key" -l "$GATE_USER" -k "$(k ci)" --realm test \
    --sign-only "$SCRATCH/put.req" -H web01 put "$SCRATCH/app.tar" name=app.tar \
    > "$SCRATCH/put_sign.out" 2> "$SCRATCH/put_sign.err" </dev/null
printf 'release 2\n' > "$SCRATCH/other.tar"
approve approve_changed rm "$SCRATCH/put.req" "$SCRATCH/other.tar" --yes
[ "$rc" = 1 ] && grep -q 'is not the file its requests were signed for' "$SCRATCH/approve_changed.err"
ok_if changed_upload_is_not_approved $? "rc $rc: $(cat "$SCRATCH/put_sign.err" "$SCRATCH/approve_changed.err")"
approve approve_upload rm "$SCRATCH/put.req" "$SCRATCH/app.tar" --yes
[ "$rc" = 0 ] && grep -q '^  upload:  10 bytes, BLAKE2b-256 ' "$SCRATCH/approve_upload.out"
ok_if upload_is_approved $? "rc $rc: $(cat "$SCRATCH/approve_upload.err")"
WRIT_CMD=put send_req put_other --request "$SCRATCH/put.req" "$SCRATCH/other.tar"
[ "$rc" = 1 ] && grep -q 'not the one the requests were signed for' "$SCRATCH/put_other.err" &&
    [ ! -e "$SCRATCH/up/app.tar" ]
ok_if request_upload_must_match $? "rc $rc: $(cat "$SCRATCH/put_other.err")"
WRIT_CMD=put send_req put_req --request "$SCRATCH/put.req" "$SCRATCH/app.tar"
[ "$rc" = 0 ] && cmp -s "$SCRATCH/app.tar" "$SCRATCH/up/app.tar"
ok_if request_upload_is_installed $? "rc $rc: $(cat "$SCRATCH/put_req.err")"

# A damaged file: one clear line, nothing sent.
sed '2s/^host web01/host web01 extra/' "$SCRATCH/before.req" > "$SCRATCH/bad.req"
send_req bad_file --request "$SCRATCH/bad.req"
[ "$rc" = 1 ] && grep -q "bad.req:2: want 'host NAME ADDRESS PORT USER REQUEST'" "$SCRATCH/bad_file.err"
ok_if damaged_file_names_line $? "rc $rc: $(cat "$SCRATCH/bad_file.err")"
# A request changed in the file no longer verifies.
python3 - "$SCRATCH/before.req" "$SCRATCH/forged.req" <<'PY'
import base64, sys
lines = open(sys.argv[1]).read().split('\n')
f = lines[1].split(' ')
raw = bytearray(base64.b64decode(f[5]))
i = raw.find(b'nginx.service')
raw[i:i+5] = b'xxxxx'
f[5] = base64.b64encode(bytes(raw)).decode()
lines[1] = ' '.join(f)
open(sys.argv[2], 'w').write('\n'.join(lines))
PY
send_req forged --request "$SCRATCH/forged.req"
[ "$rc" = 1 ] && grep -q 'forged.req:2: ' "$SCRATCH/forged.err" &&
    ! grep -q 'unreachable\|refused' "$SCRATCH/forged.err"
ok_if changed_request_is_refused_before_sending $? "rc $rc: $(cat "$SCRATCH/forged.err")"
# An empty file is not a request file.
: > "$SCRATCH/empty.req"
send_req empty --request "$SCRATCH/empty.req"
[ "$rc" = 1 ] && grep -q "empty.req: not a writ request file" "$SCRATCH/empty.err"
ok_if empty_file_is_refused $? "rc $rc: $(cat "$SCRATCH/empty.err")"
