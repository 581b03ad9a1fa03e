# audit_tamper.sh: root on the host covers its tracks in the local audit
# log: cuts its last records off, or rewrites one and recomputes every
# chain= after it so that `audit verify` alone still says ok. The syslog
# copy shipped off the host holds the chains as they were written:
# `audit verify --against` finds either change and names where.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/rsyslog.sh"
. "$SRC/tests/attack.sh"

rsyslog_start extract_matches_the_untouched_file cut_log_verifies_alone \
    cut_log_is_found rechained_log_verifies_alone rechained_log_is_found \
    deleted_record_is_found || exit 0
SSHD_PREFIX=("${LOG_NS[@]}")
attack_setup
LOG=$GATE_DIR/audit.log

# What there is to hide: a canary run and a refusal, among other records.
send first -k "$(k ci)" $(req) uptime
send evil -k "$(k ci)" $(req) canary "path=$(canary_path evil)"
send denied -k "$(k outsider)" $(req) canary "path=$(canary_path denied)"
send last -k "$(k ci)" $(req) uptime
n=$(wc -l < "$LOG")
rsyslog_wait "$(tail -n 1 "$LOG" | sed 's/.* chain=//')" 10
grep -F 'writ-gate[' "$RSYSLOG_OUT" > "$SCRATCH/shipped.log"
chain_of() { sed -n "${1}p" "$LOG" | sed 's/.* chain=//'; }

t "$GATE" audit verify --against "$SCRATCH/shipped.log" "$LOG"
expect extract_matches_the_untouched_file 0 \
    "ok, $n lines, last chain=$(chain_of "$n"); $SCRATCH/shipped.log: $n chains"

# Cut: the refusal and what followed are gone.
keep=$(grep -n 'reason="unknown-signer"' "$LOG" | cut -d : -f 1)
keep=$((keep - 1))
head -n "$keep" "$LOG" > "$SCRATCH/cut.log"
t "$GATE" audit verify "$SCRATCH/cut.log"
expect cut_log_verifies_alone 0 "ok, $keep lines"
t "$GATE" audit verify --against "$SCRATCH/shipped.log" "$SCRATCH/cut.log"
expect cut_log_is_found 1 \
    "audit $SCRATCH/cut.log: cut short: it ends at line $keep, but $SCRATCH/shipped.log:$((keep + 1)) holds a later record, chain=$(chain_of $((keep + 1)))"

# rechain FILE OUT [DROP] [FROM TO]: OUT is FILE with line DROP left out
# and FROM replaced by TO, every chain= computed again from the top.
rechain() {
	python3 - "$@" <<'PY'
import hashlib, sys
src, out = sys.argv[1], sys.argv[2]
drop = int(sys.argv[3]) if len(sys.argv) > 3 else 0
frm, to = (sys.argv[4], sys.argv[5]) if len(sys.argv) > 5 else ("", "")
recs = [l.rsplit(" chain=", 1)[0] for l in open(src)]
if drop:
    del recs[drop - 1]
prev = bytes(32)
with open(out, "w") as f:
    for r in recs:
        if frm:
            r = r.replace(frm, to)
        prev = hashlib.blake2b(prev + r.encode(), digest_size=32).digest()
        f.write("%s chain=%s\n" % (r, prev.hex()))
PY
}

# Rewrite: the canary's path becomes an innocent one in every record.
evil=$(grep -n "$(canary_path evil)" "$LOG" | head -n 1 | cut -d : -f 1)
rechain "$LOG" "$SCRATCH/rechained.log" 0 "$(canary_path evil)" /tmp/nothing
t "$GATE" audit verify "$SCRATCH/rechained.log"
expect rechained_log_verifies_alone 0 "ok, $n lines"
t "$GATE" audit verify --against "$SCRATCH/shipped.log" "$SCRATCH/rechained.log"
expect rechained_log_is_found 1 \
    "audit $SCRATCH/rechained.log: edited or rewritten after line $((evil - 1)) (of $n): $SCRATCH/shipped.log:$evil holds chain=$(chain_of "$evil"), which no later line of the file has"

# Delete: the refusal's record alone is taken out.
denied=$((keep + 1))
rechain "$LOG" "$SCRATCH/deleted.log" "$denied"
t "$GATE" audit verify --against "$SCRATCH/shipped.log" "$SCRATCH/deleted.log"
expect deleted_record_is_found 1 \
    "edited or rewritten after line $keep (of $((n - 1))): $SCRATCH/shipped.log:$denied holds chain=$(chain_of "$denied")"
