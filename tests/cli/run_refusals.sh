# run_refusals.sh: refusals the client explains. A gate that refuses
# before it has verified the signatures says only a class (unavailable,
# unauthenticated); writ prints the request id that finds the gate's audit
# record, and the causes that fit, first those its own policy copy shows
# (a signer key it does not list, a copy that has expired). An op of
# another command (a download op through writ run) is refused before
# connecting when a copy says what it is, and reported with the command to
# use when none does.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_setup
sshd_start
client_fleet
# The client's copy, as an operator keeps it beside the fleet's.
mkdir -p "$SCRATCH/copy"
cp "$GATE_DIR/policy.ini" "$GATE_DIR/policy.ini.minisig" \
    "$GATE_DIR/authority.pub" "$SCRATCH/copy/"
COPY=(--policy "$SCRATCH/copy/policy.ini" --authority "$SCRATCH/copy/authority.pub")

# rk NAME KEY ARGS...: writ run signed by KEY alone.
rk() {
	local name=$1 key=$2
	shift 2
	RUN_KEY=$key r "$name" "$@"
}
# says NAME TEXT: NAME's stderr holds TEXT.
says() {
	grep -qF -- "$2" "$SCRATCH/$1.err"
}

# A signer the gate's policy does not list: the copy names its key.
rk stranger "$(k outsider)" -H web01 "${COPY[@]}" uptime
id=$(printf '%16s' "$(sed -n '1s/.* //p' "$GATE_DIR/outsider.pub")" | tr ' ' 0)
rid=$(sed -n 's/.*refused unauthenticated (request \([0-9a-f]*\):.*/\1/p' "$SCRATCH/stranger.err")
[ "$rc" = 6 ] && [ ${#rid} = 32 ] &&
    says stranger "web01: likely: signer key $id is not listed in the policy (the copy $SCRATCH/copy/policy.ini, serial 1)" &&
    says stranger "web01: the gate did not accept a signature: " &&
	pass unauthenticated_names_request_and_unlisted_key ||
	fail unauthenticated_names_request_and_unlisted_key "rc $rc: $(cat "$SCRATCH/stranger.err")"
# The request id is the one the gate audited.
grep -qF "request=\"$rid\"" "$GATE_DIR/audit.log" &&
	pass request_id_finds_the_audit_record ||
	fail request_id_finds_the_audit_record "no record of $rid"

# Without a copy, the causes that fit the class, still with the id.
rk stranger_no_copy "$(k outsider)" -H web01 uptime
[ "$rc" = 6 ] && says stranger_no_copy "refused unauthenticated (request " &&
    ! says stranger_no_copy "likely:" &&
    says stranger_no_copy "a signer key its policy does not list" &&
	pass unauthenticated_without_copy_gives_causes ||
	fail unauthenticated_without_copy_gives_causes "rc $rc: $(cat "$SCRATCH/stranger_no_copy.err")"

# Several hosts refused alike: the causes are said once.
rk stranger_many "$(k outsider)" -H web01,web02 uptime
[ "$(grep -c 'the gate did not accept a signature' "$SCRATCH/stranger_many.err")" = 1 ] &&
    [ "$(grep -c 'refused unauthenticated (request' "$SCRATCH/stranger_many.err")" = 2 ] &&
	pass causes_said_once_per_run ||
	fail causes_said_once_per_run "$(cat "$SCRATCH/stranger_many.err")"

# A half-done copy on the gate (its .minisig missing): unavailable.
mv "$GATE_DIR/policy.ini.minisig" "$SCRATCH/minisig.away"
rk half_copied "$(k ci)" -H web01 "${COPY[@]}" uptime
[ "$rc" = 6 ] && says half_copied "web01: refused unavailable (request " &&
    says half_copied "a half-done copy" &&
    says half_copied "(the copy here: serial 1, expires " &&
    ! says half_copied "likely: the policy expired" &&
	pass unavailable_gives_causes_and_copy_serial ||
	fail unavailable_gives_causes_and_copy_serial "rc $rc: $(cat "$SCRATCH/half_copied.err")"
# Seen from 60 days on, the copy has expired: that comes first. (The
# clock is moved around the client alone, with libfaketime.)
ASAN_OPTIONS=verify_asan_link_order=0 faketime -f +60d \
    "$WRIT" run -F "$SCRATCH/ssh_config" --known-hosts "$SSH_DIR/known_hosts" \
    --identity "$SSH_DIR/client_key" -l "$GATE_USER" -k "$(k ci)" \
    --realm test --connect-timeout 5 -H web01 "${COPY[@]}" uptime \
    > "$SCRATCH/expired.out" 2> "$SCRATCH/expired.err" </dev/null
rc=$?
[ "$rc" = 6 ] && says expired "web01: likely: the policy expired (the copy $SCRATCH/copy/policy.ini, serial 1, expired " &&
	pass unavailable_names_expired_copy ||
	fail unavailable_names_expired_copy "rc $rc: $(cat "$SCRATCH/expired.err")"
mv "$SCRATCH/minisig.away" "$GATE_DIR/policy.ini.minisig"

# A download op through writ run without a copy: the gate sends a file
# the run has nowhere to put; the host failed, with the command to use.
rk download_no_copy "$(k ci)" -H web01 download name=hostname
[ "$rc" = 5 ] && says download_no_copy "web01: failed: op download sends a file: use writ get" &&
	pass run_of_download_op_says_use_get ||
	fail run_of_download_op_says_use_get "rc $rc: $(cat "$SCRATCH/download_no_copy.err")"
# With a copy, it never connects.
rk download_copy "$(k ci)" -H dead "${COPY[@]}" download name=hostname
[ "$rc" = 2 ] && says download_copy "op download sends a file" &&
    ! says download_copy unreachable &&
	pass run_of_download_op_refused_before_connecting ||
	fail run_of_download_op_refused_before_connecting "rc $rc: $(cat "$SCRATCH/download_copy.err")"
