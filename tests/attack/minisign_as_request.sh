# minisign_as_request.sh: a file signature passed off as a request
# signature. The first request encoding signed BLAKE2b-512("writ-request-v1\0"
# || body), which is exactly what `minisign -S` signs for a file holding
# "writ-request-v1\0" || body: so any writ key that ever signed a file
# someone chose, with the real minisign, had signed a request. Now a signer
# key cannot be loaded by minisign at all, and a request signs the 80 bytes
# "writ-request-v2\0" || BLAKE2b-512(body) as they are. Each attack here
# builds such a file (both forms), has the real minisign sign it (prehashed
# and legacy -l) with a signer key and with the authority key, splices the
# signature into the request and sends it through sshd: nothing runs, the
# gate says why, and the audit has it. Last, an authority key listed as a
# signer under the signer tag makes the gate refuse the policy itself.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/attack.sh"

attack_setup

# splice REQ FILE.minisig PUB OUT: OUT is REQ (one signature, unframed)
# with its signature replaced by the one in FILE.minisig under PUB's
# Ed25519 key, framed for the gate. attack_file REQ FORM OUT: the file the
# attacker asks minisign to sign, for the request's body: v1 is the first
# encoding's hash input, v2 this one's signed message.
splice() {
	python3 - "$@" <<'PY'
import base64, sys
req, sig, pub, out = sys.argv[1:5]
body = open(req, 'rb').read()[:-97]
sigline = open(sig).read().split('\n')[1]
pk = base64.b64decode(open(pub).read().split('\n')[1])[10:42]
s = base64.b64decode(sigline)[10:74]
r = body + b'\x01' + pk + s
open(out, 'wb').write(len(r).to_bytes(4, 'big') + r)
PY
}
attack_file() {
	python3 - "$@" <<'PY'
import hashlib, sys
req, form, out = sys.argv[1:4]
body = open(req, 'rb').read()[:-97]
if form == 'v1':
    data = b'writ-request-v1\0' + body
else:
    data = b'writ-request-v2\0' + hashlib.blake2b(body, digest_size=64).digest()
open(out, 'wb').write(data)
PY
}

# forge NAME KEY FORM MODE: the canary request NAME, signed by ci, then
# the attack file for it signed by the real minisign with KEY (-l for
# MODE legacy) and spliced in. Returns 1 when minisign refuses to sign.
forge() {
	local name=$1 key=$2 form=$3 mode=$4 l=
	[ "$mode" = legacy ] && l=-l
	"$MKREQUEST" --raw -k "$(k ci)" $(req) canary \
	    "path=$(canary_path "$name")" > "$SCRATCH/$name.orig" || return 2
	attack_file "$SCRATCH/$name.orig" "$form" "$SCRATCH/$name.file"
	timeout 30 minisign -S $l -s "$GATE_DIR/$key.key" -m "$SCRATCH/$name.file" \
	    -x "$SCRATCH/$name.minisig" </dev/null > "$SCRATCH/$name.minisign" 2>&1 ||
		return 1
	splice "$SCRATCH/$name.orig" "$SCRATCH/$name.minisig" \
	    "$GATE_DIR/$key.pub" "$SCRATCH/$name.req"
}

# With ci, a signer: minisign will not load the key, so there is no
# signature to splice. Had it signed (the first encoding's keys were
# minisign keys), the forgery goes to the gate like any other.
for form in v1 v2; do
	for mode in prehashed legacy; do
		name=signer_${form}_$mode
		forge "$name" ci "$form" "$mode"
		case $? in
		1)
			if grep -q 'Unsupported signature algorithm' \
			    "$SCRATCH/$name.minisign"; then
				pass "${name}_minisign_refuses_the_key"
			else
				fail "${name}_minisign_refuses_the_key" \
				    "$(head -c 200 "$SCRATCH/$name.minisign")"
			fi
			no_canary "${name}_runs_nothing" "$name"
			;;
		0)
			fail "${name}_minisign_refuses_the_key" \
			    "minisign signed with a signer key"
			send_raw "$name" "$SSH_DIR/client_key" < "$SCRATCH/$name.req"
			verdict_is "${name}_refused" "$name" "refused unauthenticated "
			no_canary "${name}_runs_nothing" "$name"
			;;
		*) fail "$name" "mkrequest failed" ;;
		esac
	done
done

# With the authority key, which minisign does load: the signatures verify
# nothing (prehashed: 64 bytes signed, where a request signs 80; the v1
# form: another message) or, for the legacy signature of the v2 form, verify
# under a key that is no signer. Either way: unauthenticated.
for form in v1 v2; do
	for mode in prehashed legacy; do
		name=authority_${form}_$mode
		reason=bad-signature
		[ "$form/$mode" = v2/legacy ] && reason=unknown-signer
		if ! forge "$name" authority "$form" "$mode"; then
			fail "$name" "could not forge: $(head -c 200 "$SCRATCH/$name.minisign")"
			continue
		fi
		send_raw "$name" "$SSH_DIR/client_key" < "$SCRATCH/$name.req"
		verdict_is "${name}_refused_unauthenticated" "$name" \
		    "refused unauthenticated "
		no_canary "${name}_runs_nothing" "$name"
		audited "${name}_is_audited" "$reason" "$(canary_path "$name")"
	done
done

# A request of the first encoding (version byte 1) is not read at all.
"$MKREQUEST" -k "$(k ci)" $(req) canary "path=$(canary_path v1_request)" \
    > "$SCRATCH/v1_request.req"
python3 - "$SCRATCH/v1_request.req" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
assert b[4:9] == b'WREQ\x02'
b[8] = 1
open(p, 'wb').write(bytes(b))
PY
send_raw v1_request "$SSH_DIR/client_key" < "$SCRATCH/v1_request.req"
verdict_is v1_request_refused_bad_request v1_request "refused bad-request "
no_canary v1_request_runs_nothing v1_request
audited v1_request_is_audited bad-request "request version 1 is not 2"

# The authority's own Ed25519 key listed as a signer, under the signer tag,
# in a policy the authority signed with the real minisign (writ policy sign
# refuses to): the gate will not use that policy, so the legacy signature
# that does verify under the authority's key (above: unknown-signer) finds
# no policy to pass.
write_policy 2
python3 - "$GATE_DIR/authority.pub" >> "$GATE_DIR/policy.ini" <<'PY'
import base64, sys
raw = bytearray(base64.b64decode(open(sys.argv[1]).read().split('\n')[1]))
raw[0:2] = b'\xc2\xbb'
print('\n[signer boss]\nkey   = %s\nroles = deployer'
      % base64.b64encode(bytes(raw)).decode())
PY
timeout 30 minisign -S -s "$GATE_DIR/authority.key" -m "$GATE_DIR/policy.ini" \
    -t 'realm:test serial:2' </dev/null >/dev/null 2>&1 ||
	fail boss_policy_signed "minisign -S failed"
gate_own "$GATE_DIR/policy.ini" "$GATE_DIR/policy.ini.minisig"
if forge authority_as_signer authority v2 legacy; then
	send_raw authority_as_signer "$SSH_DIR/client_key" \
	    < "$SCRATCH/authority_as_signer.req"
	verdict_is authority_as_signer_refused_unavailable authority_as_signer \
	    "refused unavailable "
	no_canary authority_as_signer_runs_nothing authority_as_signer
	audited authority_as_signer_is_audited bad-policy \
	    "key: the same Ed25519 key as authority key"
else
	fail authority_as_signer "could not forge"
fi
