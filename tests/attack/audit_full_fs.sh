# audit_full_fs.sh: the file system holding the audit log fills up (here,
# with the very upload the request brings) so that the op's accepted record
# cannot be written. The op never runs, the upload is never placed, and
# syslog gets one record of the request, the refusal: never an "accepted"
# for an op that did not run.
. "$(dirname "$0")/../mounts.sh"
mounts_private "$@"
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/rsyslog.sh"
. "$SRC/tests/attack.sh"

NAMES="full_fs_upload_is_refused full_fs_places_nothing full_fs_one_record
full_fs_file_holds_nothing full_fs_gate_serves_again"
# shellcheck disable=SC2086
if [ -n "$MOUNTS_WHY" ]; then
	for n in $NAMES; do skip "$n" "$MOUNTS_WHY"; done
	exit 0
fi
rsyslog_start $NAMES || exit 0
SSHD_PREFIX=("${LOG_NS[@]}")
FULL=$SCRATCH/full
UPLOAD_DIR=$FULL/up
gate_setup
# The audit log and the upload directory share a 6 MiB file system (the
# gate wants 4 MiB free when a session starts); the state stays apart.
small_fs "$FULL" 6m
mkdir -p "$UPLOAD_DIR"
: > "$FULL/audit.log"
gate_own "$FULL"
sed -i "s|^audit_log *=.*|audit_log = $FULL/audit.log|" "$GATE_DIR/gate.ini"
mkdir -p "$GATE_DIR/canary"
gate_own "$GATE_DIR/canary"
sshd_start

free=$(( $(stat -f -c '%a * %S' "$FULL") ))
head -c "$free" /dev/zero > "$SCRATCH/filler"
send fill -k "$(k ci)" $(req) --upload "$SCRATCH/filler" put name=filler
verdict_is full_fs_upload_is_refused fill "refused gate-error "
[ -e "$UPLOAD_DIR/filler" ] && fail full_fs_places_nothing "the upload was placed" ||
	pass full_fs_places_nothing
rid=$(cut -d ' ' -f 3 "$SCRATCH/fill.verdict")
if rsyslog_one "$rid" 'event="refused"' 'reason="gate-error"' \
    "detail=\"audit log $FULL/audit.log: write: No space left on device\"" &&
    printf '%s\n' "$RSYSLOG_LINES" | grep -q ' audit_log_failed=1$'; then
	pass full_fs_one_record
else
	fail full_fs_one_record "$(printf '%s' "$RSYSLOG_LINES" | cut -c 1-400)"
fi
[ ! -s "$FULL/audit.log" ] && pass full_fs_file_holds_nothing ||
	fail full_fs_file_holds_nothing "$(head -c 300 "$FULL/audit.log")"

# The upload's bytes went with the session: the next request is served.
send after -k "$(k ci)" $(req) canary "path=$(canary_path after)"
verdict_is full_fs_gate_serves_again after "accepted "
