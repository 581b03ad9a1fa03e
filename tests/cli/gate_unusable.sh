# gate_unusable.sh: a gate whose own gate.ini cannot be used (an unknown
# key, a syntax error, writable by its group, unreadable, missing) still
# answers a request with a verdict frame: writ run and writ put report the
# host refused unavailable (exit 6), not unreachable (4). Nothing runs; the
# session exits 78; syslog (authpriv, the default: the file names no other)
# holds one record with the request id, naming the file and the problem,
# and the client hears none of it. A login or another command gets the
# account's one line, not a frame. The daemon's sessions do the same.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/rsyslog.sh"

CASES="unknown_key syntax_error group_writable unreadable missing upload
login other_command daemon_session"
# shellcheck disable=SC2086
rsyslog_start $CASES || exit 0
gate_setup
mkdir -p "$GATE_DIR/canary" "$SCRATCH/up"
gate_own "$GATE_DIR/canary" "$SCRATCH/up"
SSHD_PREFIX=("${LOG_NS[@]}")
sshd_start
client_fleet
INI=$GATE_DIR/gate.ini
cp -p "$INI" "$SCRATCH/good.ini"
good_ini() { cp -p "$SCRATCH/good.ini" "$INI"; }

# the_record NAME REQID DETAIL: syslog holds exactly one record of REQID,
# refused gate-error at authpriv, whose detail starts with DETAIL.
the_record() {
	if rsyslog_one "$2" 'authpriv.warning writ-gate[' 'event="refused"' \
	    'reason="gate-error"' "detail=\"$3"; then
		pass "$1"
	else
		fail "$1" "want one authpriv record of $2 with detail=\"$3...\"; syslog: $(printf '%s' "$RSYSLOG_LINES" | cut -c 1-500)"
	fi
}

# refused_unavailable NAME DETAIL: writ run to web01 exits 6 with the host
# refused unavailable, the op does not run, the client's output holds
# nothing of DETAIL, and the record is there.
refused_unavailable() {
	local name=$1 detail=$2 rid
	r "$name" -H web01 --json "$SCRATCH/$name.jsonl" canary \
	    "path=$GATE_DIR/canary/$name"
	if [ "$rc" = 6 ] && grep -qF 'web01: refused unavailable' "$SCRATCH/$name.err" &&
	    [ "$(jq -r 'select(.target) | "\(.status) \(.reason)"' "$SCRATCH/$name.jsonl")" = \
	    "refused unavailable" ]; then
		pass "${name}_is_refused_unavailable"
	else
		fail "${name}_is_refused_unavailable" "exit $rc: $(head -c 400 "$SCRATCH/$name.err")"
	fi
	[ -e "$GATE_DIR/canary/$name" ] && fail "${name}_runs_nothing" "the canary was made" ||
		pass "${name}_runs_nothing"
	grep -qF -- "$detail" "$SCRATCH/$name.out" "$SCRATCH/$name.err" &&
		fail "${name}_tells_the_client_only_the_class" "$(head -c 400 "$SCRATCH/$name.err")" ||
		pass "${name}_tells_the_client_only_the_class"
	rid=$(jq -r 'select(.request) | .request' "$SCRATCH/$name.jsonl" | head -n 1)
	the_record "${name}_is_audited_with_file_and_problem" "$rid" "$detail"
}

# The typo of the day: host_id written hostid.
sed -i 's/^host_id .*/hostid = x/' "$INI"
refused_unavailable unknown_key "$INI:2: unknown key 'hostid' in [gate]"
good_ini

printf '[gate\nhost_id = web01\n' > "$INI"
refused_unavailable syntax_error "$INI:1: "
good_ini

chmod 0664 "$INI"
refused_unavailable group_writable \
    "config $INI is writable by its group (mode 0664)"
good_ini

# The gate account cannot read it (root, which runs the test, could).
if [ "$(id -u)" -eq 0 ]; then
	chmod 0000 "$INI"
	refused_unavailable unreadable "$INI: "
	good_ini
else
	skip unreadable "needs root to have a gate account that cannot read it"
fi

mv "$INI" "$INI.away"
refused_unavailable missing "config $INI: "
mv "$INI.away" "$INI"

# The session exits 78 (EX_CONFIG) after its one verdict frame, "-" for a
# request that did not parse.
sed -i 's/^host_id .*/hostid = x/' "$INI"
send frame_only -k "$(k ci)" $(req) uptime
verdict_is refused_frame_is_the_class frame_only "refused unavailable "
[ "$(cat "$SCRATCH/frame_only.rc")" = 78 ] && pass unusable_config_exits_78 ||
	fail unusable_config_exits_78 "rc $(cat "$SCRATCH/frame_only.rc")"
printf '\0\0\0\5hello' | send_raw garbage "$SSH_DIR/client_key"
verdict_is unparsed_request_has_no_id garbage "refused unavailable - -"

# An upload: the client stops sending at the verdict and reports it.
head -c $((8 * 1024 * 1024)) /dev/urandom > "$SCRATCH/eight.bin"
timeout 60 "$WRIT" put -F "$SCRATCH/ssh_config" --known-hosts "$SSH_DIR/known_hosts" \
    -l "$GATE_USER" --identity "$SSH_DIR/client_key" -k "$(k ci)" --realm test \
    --connect-timeout 5 -H web01 put "$SCRATCH/eight.bin" name=eight.bin \
    > "$SCRATCH/upload.out" 2> "$SCRATCH/upload.err" </dev/null
rc=$?
[ "$rc" = 6 ] && grep -qF 'web01: refused unavailable' "$SCRATCH/upload.err" &&
    [ ! -e "$SCRATCH/up/eight.bin" ] &&
	pass upload_is_refused_unavailable ||
	fail upload_is_refused_unavailable "exit $rc: $(head -c 400 "$SCRATCH/upload.err")"

# Not a request: the account's line on stderr, no frame on stdout, and the
# record names the config and what was asked.
LINE='writ-gate: this account only runs signed writ requests'
OPTS=(-F /dev/null -p "$SSHD_PORT" -i "$SSH_DIR/client_key" -o IdentitiesOnly=yes
      -o BatchMode=yes -o StrictHostKeyChecking=yes
      -o UserKnownHostsFile="$SSH_DIR/known_hosts" -o ConnectTimeout=5
      -o LogLevel=ERROR)
for c in login other_command; do
	if [ "$c" = login ]; then cmd=(); claimed='(login shell)'; else cmd=(id); claimed=id; fi
	timeout 30 ssh "${OPTS[@]}" "$GATE_USER@127.0.0.1" "${cmd[@]}" \
	    > "$SCRATCH/$c.out" 2> "$SCRATCH/$c.err" </dev/null
	rc=$?
	if [ "$rc" = 78 ] && grep -qF "$LINE" "$SCRATCH/$c.err" &&
	    [ ! -s "$SCRATCH/$c.out" ] && ! grep -qF hostid "$SCRATCH/$c.err"; then
		pass "${c}_gets_the_account_line"
	else
		fail "${c}_gets_the_account_line" "exit $rc; stdout $(wc -c < "$SCRATCH/$c.out") bytes; stderr: $(head -c 300 "$SCRATCH/$c.err")"
	fi
	rsyslog_wait "claimed_command=\"$claimed\"" 10 &&
	    grep -F "claimed_command=\"$claimed\"" "$RSYSLOG_OUT" |
	    grep -qF "detail=\"$INI:2: unknown key 'hostid' in [gate]" &&
		pass "${c}_is_audited_with_the_config_problem" ||
		fail "${c}_is_audited_with_the_config_problem" "$(grep -F claimed_command "$RSYSLOG_OUT" | tail -n 2 | cut -c 1-400)"
done
good_ini

# The daemon: each session is a fresh writ-gate that parses the gate.ini
# the daemon checked and loads the trust keys it names, now; a trust key
# gone since the daemon started makes that session's config unusable.
DPORT=$(free_port)
echo "[127.0.0.1]:$DPORT $(cat "$SSH_DIR/host_key.pub")" >> "$SSH_DIR/known_hosts"
daemon_run "$DPORT" "$INI" DPID
at_exit "kill $DPID 2>/dev/null"
cp "$SCRATCH/ssh_config" "$SCRATCH/ssh_config.sshd"
printf 'Host web01\n  HostName 127.0.0.1\n  Port %s\n' "$DPORT" > "$SCRATCH/ssh_config"
mv "$GATE_DIR/authority.pub" "$GATE_DIR/authority.pub.away"
r daemon_session -H web01 --json "$SCRATCH/daemon_session.jsonl" \
    canary "path=$GATE_DIR/canary/daemon_session"
mv "$GATE_DIR/authority.pub.away" "$GATE_DIR/authority.pub"
cp "$SCRATCH/ssh_config.sshd" "$SCRATCH/ssh_config"
if [ "$rc" = 6 ] && grep -qF 'web01: refused unavailable' "$SCRATCH/daemon_session.err" &&
    [ ! -e "$GATE_DIR/canary/daemon_session" ]; then
	pass daemon_session_is_refused_unavailable
else
	fail daemon_session_is_refused_unavailable "exit $rc: $(head -c 400 "$SCRATCH/daemon_session.err")"
fi
rid=$(jq -r 'select(.request) | .request' "$SCRATCH/daemon_session.jsonl" | head -n 1)
the_record daemon_session_is_audited "$rid" "trust: "

# And with gate.ini as it was, the same gate serves.
r healthy_again -H web01 canary "path=$GATE_DIR/canary/healthy_again"
[ "$rc" = 0 ] && [ -e "$GATE_DIR/canary/healthy_again" ] && pass healthy_again_runs ||
	fail healthy_again_runs "exit $rc: $(head -c 400 "$SCRATCH/healthy_again.err")"
