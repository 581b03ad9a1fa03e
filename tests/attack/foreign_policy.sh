# foreign_policy.sh: an attacker who can write the gate's policy files but
# holds no pinned authority key tries to get a policy of their own used: one
# signed by their own minisign key, the real policy edited under its old
# signature, a half-copied rollout (new policy.ini, old .minisig), the real
# signature beside a policy of another realm. None is used: the gate
# refuses everything under it, and runs nothing.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/attack.sh"

attack_setup
cp "$GATE_DIR/policy.ini" "$SCRATCH/good.ini"
cp "$GATE_DIR/policy.ini.minisig" "$SCRATCH/good.ini.minisig"
restore() {
	cp "$SCRATCH/good.ini" "$GATE_DIR/policy.ini"
	cp "$SCRATCH/good.ini.minisig" "$GATE_DIR/policy.ini.minisig"
	gate_own "$GATE_DIR/policy.ini" "$GATE_DIR/policy.ini.minisig"
}

# The attacker's policy: the outsider key as a signer, signed with the
# attacker's own key by the real minisign. The key lines go into sed as they
# are: base64 holds nothing special to it (an escaped '+' would be GNU sed's
# "one or more", and the edit would miss every key holding a '+').
minisign -G -W -p "$SCRATCH/evil.pub" -s "$SCRATCH/evil.key" >/dev/null 2>&1 ||
	fail evil_key "minisign -G failed"
sed -e "s|^key   = $(tail -n 1 "$GATE_DIR/ci.pub")|key   = $(tail -n 1 "$GATE_DIR/outsider.pub")|" \
    "$SCRATCH/good.ini" > "$GATE_DIR/policy.ini"
grep -qF "$(tail -n 1 "$GATE_DIR/outsider.pub")" "$GATE_DIR/policy.ini" ||
	fail evil_policy_made "the edit did not take"
minisign -S -s "$SCRATCH/evil.key" -m "$GATE_DIR/policy.ini" \
    -x "$GATE_DIR/policy.ini.minisig" -t 'realm=test serial=99' >/dev/null 2>&1 ||
	fail evil_policy_signed "minisign -S failed"
gate_own "$GATE_DIR/policy.ini" "$GATE_DIR/policy.ini.minisig"
refused_attack policy_signed_by_attacker unavailable bad-policy -k "$(k outsider)" $(req)

# The real policy, one op widened, under the authority's old signature.
restore
sed -i 's|^param.path = .*|param.path = .*|' "$GATE_DIR/policy.ini"
refused_attack edited_policy_old_signature unavailable bad-policy -k "$(k ci)" $(req)

# A rollout copied in the wrong order: serial 2's policy.ini beside serial
# 1's signature (the window of a two-file hand copy).
restore
write_policy 2
cp "$SCRATCH/good.ini.minisig" "$GATE_DIR/policy.ini.minisig"
refused_attack half_copied_rollout unavailable bad-policy -k "$(k ci)" $(req)

# A genuine policy and signature of another realm.
restore
write_policy 3
sed -i 's/^realm   = test/realm   = staging/' "$GATE_DIR/policy.ini"
(cd "$GATE_DIR" && "$WRIT" policy sign -s authority.key policy.ini >/dev/null)
gate_own "$GATE_DIR/policy.ini" "$GATE_DIR/policy.ini.minisig"
refused_attack policy_of_other_realm unavailable policy-realm -k "$(k ci)" $(req)

# After all that, the genuine policy still works.
restore
write_policy 4
send genuine_policy_works -k "$(k ci)" $(req) uptime
verdict_is genuine_policy_works genuine_policy_works "accepted "
