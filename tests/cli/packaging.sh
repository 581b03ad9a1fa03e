# packaging.sh: the systemd unit (packaging/writ-gate.service): its
# sandbox as systemd itself rates it (`systemd-analyze security`, offline:
# no systemd needs to run), and its command line uses only options
# writ-gate has.
. "$(dirname "$0")/../lib.sh"

unit=$SRC/packaging/writ-gate.service
t systemd-analyze security --offline=true "$unit"
score=$(sed -n 's/.*Overall exposure level for writ-gate.service: \([0-9.]*\).*/\1/p' "$SCRATCH/out")
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
	pass unit_sandbox_rated_ok
else
	fail unit_sandbox_rated_ok "exposure '${score:-none}' (want <= 2.0): $(tail -n 3 "$SCRATCH/out")"
fi
for setting in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes \
    PrivateTmp=yes CapabilityBoundingSet= User=writ-gate; do
	grep -qx "$setting" "$unit" && pass "unit_has_${setting%%=*}" ||
		fail "unit_has_${setting%%=*}" "no line '$setting'"
done

# Every long option on ExecStart is one writ-gate documents in --help.
"$WRIT_BUILD/writ-gate" --help > "$SCRATCH/help" 2>&1
missing=
for opt in $(sed -n '/^ExecStart=/,/[^\\]$/p' "$unit" | grep -o -- '--[a-z-]*' | sort -u); do
	grep -q -- "$opt" "$SCRATCH/help" || missing="$missing $opt"
done
[ -z "$missing" ] && pass unit_options_exist ||
	fail unit_options_exist "writ-gate --help lacks:$missing"

# The drop-in example for upload ops: ReadWritePaths= a directory, and the
# sandbox still rated as well with it (merged into a copy of the unit).
dropin=$SRC/packaging/writ-gate.service.d/uploads.conf.example
grep -q '^ReadWritePaths=/' "$dropin" && grep -q 'uploads.conf.example' "$unit" &&
	pass upload_dropin_example_exists ||
	fail upload_dropin_example_exists "no ReadWritePaths= in $dropin, or the unit does not point at it"
mkdir -p "$SCRATCH/merged"
sed -n '/^ReadWritePaths=/p' "$dropin" > "$SCRATCH/rw"
sed "/^\[Service\]/r $SCRATCH/rw" "$unit" > "$SCRATCH/merged/writ-gate.service"
t systemd-analyze security --offline=true "$SCRATCH/merged/writ-gate.service"
score=$(sed -n 's/.*Overall exposure level for writ-gate.service: \([0-9.]*\).*/\1/p' "$SCRATCH/out")
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
	pass unit_with_upload_dropin_rated_ok
else
	fail unit_with_upload_dropin_rated_ok "exposure '${score:-none}': $(tail -n 3 "$SCRATCH/out")"
fi
