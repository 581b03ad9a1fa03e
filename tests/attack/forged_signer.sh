# forged_signer.sh: requests whose signatures prove nothing are refused
# before anything else is looked at: a key the policy does not list, and a
# listed key's signature over other bytes. The client learns only
# "unauthenticated"; the audit names the rule.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/attack.sh"

attack_setup

refused_attack unlisted_key unauthenticated unknown-signer \
    -k "$(k outsider)" $(req)

# A real signature by ci, then one byte of the signed body changed: the
# request still parses, and its signature no longer verifies.
"$MKREQUEST" -k "$(k ci)" $(req) canary "path=$(canary_path flipped)" \
    > "$SCRATCH/flipped.req"
python3 - "$SCRATCH/flipped.req" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
i = b.find(b'/canary/flipped') + len(b'/canary/')
b[i] = ord('F')
open(p, 'wb').write(bytes(b))
PY
send_raw flipped "$SSH_DIR/client_key" < "$SCRATCH/flipped.req"
verdict_is altered_body_refused flipped "refused unauthenticated "
[ -e "$GATE_DIR/canary/Flipped" ] || [ -e "$(canary_path flipped)" ] &&
	fail altered_body_runs_nothing "a canary was made" ||
	pass altered_body_runs_nothing
audited altered_body_is_audited bad-signature
