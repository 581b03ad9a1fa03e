# status.sh: the built-in @status end to end: granted in a role's ops like
# any op, refused not-authorized to a signer without it, its key=value
# answer, and writ status's table and --json (every field, the flags).
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_setup
POLICY_EXPIRES=$(date -u -d '+10 days' +%Y-%m-%dT00:00:00Z) write_policy 3
grant_builtins
sshd_start
client_fleet

# The policy grammar: built-ins in ops, unknown @names refused, no
# [op @status] section.
t "$WRIT" policy check -p "$GATE_DIR/authority.pub" "$GATE_DIR/policy.ini"
expect policy_check_accepts_builtins 0
sed 's/^ops   = @status, @policy-update$/ops   = @status, @reboot/' \
    "$GATE_DIR/policy.ini" > "$SCRATCH/unknown.ini"
t "$WRIT" policy check "$SCRATCH/unknown.ini"
expect policy_check_refuses_unknown_builtin 1 'no built-in op @reboot'
printf '\n[op @status]\nexec = /bin/true\ntimeout = 5\n' >> "$SCRATCH/unknown.ini"
t "$WRIT" policy check "$SCRATCH/unknown.ini"
expect policy_check_refuses_builtin_section 1 'unknown.ini:'

# The raw answer (writ run of the built-in): key=value lines, one a key,
# in order.
r status_raw -H web01 -N @status
keys=$(cut -d= -f1 "$SCRATCH/status_raw.out" | tr '\n' ' ')
[ "$keys" = "host_id realm version policy_serial policy_digest policy_expires serial_floor clock state_free audit_free " ] &&
    pass status_answer_keys || fail status_answer_keys "keys '$keys' rc $rc $(head -c 300 "$SCRATCH/status_raw.err")"
digest=$(b2sum -l 256 "$GATE_DIR/policy.ini" | cut -d' ' -f1)
grep -qx "policy_digest=$digest" "$SCRATCH/status_raw.out" &&
    grep -qx 'policy_serial=3' "$SCRATCH/status_raw.out" &&
    grep -qx 'serial_floor=3' "$SCRATCH/status_raw.out" &&
    grep -qx 'host_id=web01' "$SCRATCH/status_raw.out" &&
    grep -qx 'realm=test' "$SCRATCH/status_raw.out" &&
    grep -qE '^state_free=[0-9]+$' "$SCRATCH/status_raw.out" &&
    grep -qE '^audit_free=[0-9]+$' "$SCRATCH/status_raw.out" &&
    pass status_answer_values || fail status_answer_values "$(cat "$SCRATCH/status_raw.out")"
grep -q 'event="accepted".* op="@status"' "$GATE_DIR/audit.log" &&
    grep -q 'event="finished".* op="@status" .* exit=0 ' "$GATE_DIR/audit.log" &&
    pass status_is_audited || fail status_is_audited "$(tail -n 3 "$GATE_DIR/audit.log")"

# writ status: a table, flagged expires-soon (10 days left).
s() { RUN_CMD=status r "$@"; }
s table -H web01
if [ "$rc" = 0 ] && head -n 1 "$SCRATCH/table.out" | grep -q '^TARGET .*SERIAL.*FLAGS$' &&
    grep -qE '^web01 +web01 +test .* 3 .*expires-soon$' "$SCRATCH/table.out"; then
	pass status_table
else
	fail status_table "rc $rc: $(cat "$SCRATCH/table.out" "$SCRATCH/table.err" | head -c 600)"
fi

# --json: every field, numbers as numbers, the flags.
s json -H web01 --json
python3 - "$SCRATCH/json.out" <<'PY' && pass status_json_fields || fail status_json_fields "rc $rc: $(head -c 600 "$SCRATCH/json.out" "$SCRATCH/json.err")"
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
assert len(objs) == 1, objs
o = objs[0]
want = ["target", "host_id", "realm", "version", "policy_serial",
        "policy_digest", "policy_expires", "serial_floor", "clock",
        "state_free", "audit_free"]
assert all(k in o for k in want), (want, o)
assert o["target"] == "web01" and o["policy_serial"] == 3, o
assert o["serial_floor"] == 3 and isinstance(o["state_free"], int), o
assert "expires-soon" in o["flags"], o
PY

# A signer whose roles lack @status is refused not-authorized; the
# table says so for that host.
RUN_KEY=$(k rm) s denied -H web01
if [ "$rc" = 6 ] && grep -q 'web01: refused not-authorized' "$SCRATCH/denied.err" &&
    grep -q '^web01 *(refused not-authorized)' "$SCRATCH/denied.out"; then
	pass status_refuses_signer_without_builtin
else
	fail status_refuses_signer_without_builtin "rc $rc: $(head -c 400 "$SCRATCH/denied.err")"
fi
grep -q 'event="refused".* op="@status" .*signers="rm".* reason="not-authorized"' "$GATE_DIR/audit.log" &&
    pass status_refusal_audited || fail status_refusal_audited "$(tail -n 2 "$GATE_DIR/audit.log")"

# @status declares no params: one given is refused bad-param.
s params -H web01 x=1
[ "$rc" = 6 ] && grep -q 'refused bad-param' "$SCRATCH/params.err" &&
    pass status_takes_no_params || fail status_takes_no_params "rc $rc $(head -c 300 "$SCRATCH/params.err")"

# A policy without the built-ins: unknown-op, as for any op not in it.
write_policy 4
s unknown -H web01
[ "$rc" = 6 ] && grep -q 'refused unknown-op' "$SCRATCH/unknown.err" &&
    pass status_without_grant_is_unknown_op ||
    fail status_without_grant_is_unknown_op "rc $rc: $(head -c 300 "$SCRATCH/unknown.err")"
