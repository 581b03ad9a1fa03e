# gate_listen.sh: writ-gate --listen, the gate as its own SSH server. Started
# as root it drops to gate.ini's `user` (the harness's gate account) before
# accepting; the real writ client runs ops through it; the real OpenSSH
# client gets every other kind of session refused; unauthenticated
# connections are capped per source and in all, and one peer holding idle
# sockets locks no one out; SIGHUP reloads gate.ini and authorized_keys;
# failed and accepted logins are logged, through a real rsyslogd, in lines
# the shipped fail2ban filter matches; SIGTERM stops it.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_setup
write_gate_ini "user = $GATE_USER"
mkdir -p "$SCRATCH/up"
gate_own "$SCRATCH/up"
chmod 0755 "$SCRATCH/up"
KEYS=$SCRATCH/listen_keys
echo "$(cat "$SSH_DIR/client_key.pub")" > "$KEYS"
# The daemon reads it again on SIGHUP, after it dropped to the gate user,
# and looks whether the host key changed (it does not read it again).
chmod 0644 "$KEYS"
chmod 0711 "$SSH_DIR"
LOG=$SCRATCH/listen.log
LISTEN_PID=
LISTEN_PREFIX=()
FLOOD=$SRC/tests/tools/conn_flood.py
mkdir -p "$GATE_DIR/canary"
gate_own "$GATE_DIR/canary"

# listen_start KEYSFILE [gate.ini]: the daemon on a free loopback port, in
# the foreground of a background job; sets SSHD_PORT (so sshd.sh's helpers
# reach it) and LISTEN_PID; returns non-zero if it did not come up.
listen_start() {
	local i
	local addr=${LISTEN_ADDR:-127.0.0.1}
	case $addr in *:*) addr="[$addr]" ;; esac
	SSHD_PORT=$(free_port)
	: > "$LOG"
	"${LISTEN_PREFIX[@]}" "$GATE" --listen "$addr:$SSHD_PORT" \
	    --host-key "$SSH_DIR/host_key" --authorized-keys "$1" \
	    -c "${2:-$GATE_DIR/gate.ini}" --foreground 2>>"$LOG" </dev/null &
	LISTEN_PID=$!
	at_exit "kill $LISTEN_PID 2>/dev/null"
	for i in $(seq 100); do
		grep -q 'listening on' "$LOG" && break
		kill -0 "$LISTEN_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	echo "[${LISTEN_ADDR:-127.0.0.1}]:$SSHD_PORT $(cat "$SSH_DIR/host_key.pub")" \
	    > "$SSH_DIR/known_hosts"
	grep -q 'listening on' "$LOG"
}

# reload: SIGHUP, then waits for the daemon's answer, a "reloaded" or a
# "reload failed" line; that line is in $SCRATCH/reload.line.
reload() {
	local before i
	before=$(grep -c 'reloaded \|reload failed' "$LOG")
	kill -HUP "$LISTEN_PID"
	for i in $(seq 200); do
		[ "$(grep -c 'reloaded \|reload failed' "$LOG")" -gt "$before" ] && break
		sleep 0.05
	done
	grep 'reloaded \|reload failed' "$LOG" | tail -n 1 > "$SCRATCH/reload.line"
}

# reloaded TEST TEXT: the last reload's line holds TEXT (a fixed string).
reloaded() {
	grep -qF -- "$2" "$SCRATCH/reload.line" && pass "$1" ||
		fail "$1" "reload said: $(cat "$SCRATCH/reload.line")"
}

# fingerprint KEY.pub: SHA256:... as ssh-keygen -l prints it.
fingerprint() { ssh-keygen -lf "$1" | awk '{ print $2 }'; }

# A line written for sshd's forced command is refused at start-up, naming
# the file and line: its restrictions would otherwise be dropped.
printf '# gate keys\ncommand="x",restrict %s\n' "$(cat "$SSH_DIR/client_key.pub")" \
    > "$SCRATCH/sshd_keys"
t "$GATE" --listen 127.0.0.1:1 --host-key "$SSH_DIR/host_key" \
    --authorized-keys "$SCRATCH/sshd_keys" -c "$GATE_DIR/gate.ini" --foreground
expect refuses_command_option_at_startup 78 "$SCRATCH/sshd_keys:2: option 'command'"

t "$GATE" --listen 127.0.0.1 --host-key "$SSH_DIR/host_key" \
    --authorized-keys "$KEYS" -c "$GATE_DIR/gate.ini" --foreground
expect refuses_address_without_port 78 "want ADDR:PORT"

ssh-keygen -q -t rsa -b 2048 -N '' -f "$SCRATCH/rsa_host" -C rsa
t "$GATE" --listen 127.0.0.1:1 --host-key "$SCRATCH/rsa_host" \
    --authorized-keys "$KEYS" -c "$GATE_DIR/gate.ini" --foreground
expect refuses_non_ed25519_host_key 78 "must be ed25519"

# A from= pattern longer than the matcher takes is refused, naming the
# line: skipped, this negation would have let in the very hosts it names.
long=$(printf '%0200d' 0 | tr 0 '*')
printf 'from="!127.0.0.%s,127.0.0.*" %s\n' "$long" "$(cat "$SSH_DIR/client_key.pub")" \
    > "$SCRATCH/long_keys"
t "$GATE" --listen 127.0.0.1:1 --host-key "$SSH_DIR/host_key" \
    --authorized-keys "$SCRATCH/long_keys" -c "$GATE_DIR/gate.ini" --foreground
expect refuses_over_long_from_pattern_at_startup 78 \
    "$SCRATCH/long_keys:1: from= pattern 1"

# Caps on unauthenticated connections outside their ranges: an error
# naming the line, never clamped.
i=0
for bad in "max_startups = 10:30:65" "max_startups = 10:0:20" \
    "max_startups = 30:30:20" "max_startups = 10:30" \
    "per_source_netblock_size = 33:64" "per_source_netblock_size = 24:0" \
    "per_source_max_startups = 0"; do
	i=$((i + 1))
	{ cat "$GATE_DIR/gate.ini"; echo "$bad"; } > "$SCRATCH/bad_limit.ini"
	t "$GATE" --listen 127.0.0.1:1 --host-key "$SSH_DIR/host_key" \
	    --authorized-keys "$KEYS" -c "$SCRATCH/bad_limit.ini" --foreground
	expect "refuses_limit_out_of_range_$i" 78 \
	    "$SCRATCH/bad_limit.ini:$(wc -l < "$SCRATCH/bad_limit.ini"): ${bad%% *}"
done
{ cat "$GATE_DIR/gate.ini"; echo "max_startups = 4:30:8"; } > "$SCRATCH/bad_limit.ini"
t "$GATE" --listen 127.0.0.1:1 --host-key "$SSH_DIR/host_key" \
    --authorized-keys "$KEYS" -c "$SCRATCH/bad_limit.ini" --foreground
expect refuses_per_source_above_full 78 "per_source_max_startups 20 is above max_startups' FULL 8"

if [ "$(id -u)" -eq 0 ]; then
	grep -v '^user' "$GATE_DIR/gate.ini" > "$SCRATCH/nouser.ini"
	t "$GATE" --listen 127.0.0.1:1 --host-key "$SSH_DIR/host_key" \
	    --authorized-keys "$KEYS" -c "$SCRATCH/nouser.ini" --foreground
	expect root_needs_user_to_drop_to 78 "needs user = ACCOUNT"
fi

listen_start "$KEYS" || { fail listen_starts "$(cat "$LOG")"; exit 1; }
pass listen_starts

# The real client, through the daemon: same frames, same exit statuses.
client_fleet
r up -H web01 uptime
if [ "$rc" = 0 ] && grep -q 'load average' "$SCRATCH/up.out"; then
	pass runs_op_through_daemon
else
	fail runs_op_through_daemon "exit $rc: $(head -c 300 "$SCRATCH/up.err")"
fi
r who -H web01 whoami
if [ "$rc" = 0 ] && grep -qx "web01: $GATE_USER" "$SCRATCH/who.out"; then
	pass op_runs_as_the_dropped_user
else
	fail op_runs_as_the_dropped_user "exit $rc: $(cat "$SCRATCH/who.out")"
fi
r fail -H web01 fail script='exit 3'
[ "$rc" = 5 ] && pass failed_op_is_failed || fail failed_op_is_failed "exit $rc"
r wrong -H web02 uptime
if [ "$rc" = 6 ] && grep -q 'wrong-host' "$SCRATCH/wrong.err"; then
	pass refused_op_is_refused
else
	fail refused_op_is_refused "exit $rc: $(head -c 300 "$SCRATCH/wrong.err")"
fi
if grep -F 'event="accepted"' "$GATE_DIR/audit.log" | grep -F 'op="uptime"' |
    grep -qF 'peer="127.0.0.1:'; then
	pass audit_has_peer_from_socket
else
	fail audit_has_peer_from_socket "$(tail -n 3 "$GATE_DIR/audit.log")"
fi

# --foreground: the audit records go to stderr too (a container's log),
# the same lines as the audit log's, and never to the client.
if grep -F 'event="accepted"' "$LOG" | grep -qF 'op="uptime"' &&
    grep -F 'event="refused"' "$LOG" | grep -qF 'reason="wrong-host"' &&
    ! grep -q 'event=' "$SCRATCH/up.err" "$SCRATCH/wrong.err"; then
	pass foreground_audits_to_stderr
else
	fail foreground_audits_to_stderr "$(tail -n 3 "$LOG"; head -c 300 "$SCRATCH/wrong.err")"
fi

# The channel carries the payload both ways: a 3 MiB upload lands whole,
# a stdin payload comes back as the op's output.
head -c 3145728 /dev/urandom > "$SCRATCH/big.bin"
timeout 60 "$WRIT" put -F "$SCRATCH/ssh_config" \
    --known-hosts "$SSH_DIR/known_hosts" -l "$GATE_USER" \
    --identity "$SSH_DIR/client_key" -k "$(k ci)" --realm test \
    --connect-timeout 5 -H web01 put "$SCRATCH/big.bin" name=big.bin \
    > "$SCRATCH/put.out" 2>&1 </dev/null
rc=$?
[ "$rc" = 0 ] && cmp -s "$SCRATCH/big.bin" "$SCRATCH/up/big.bin" &&
	pass upload_through_daemon_lands_whole ||
	fail upload_through_daemon_lands_whole "exit $rc: $(head -c 300 "$SCRATCH/put.out")"
echo "through the channel" > "$SCRATCH/in.txt"
timeout 60 "$WRIT" run -F "$SCRATCH/ssh_config" \
    --known-hosts "$SSH_DIR/known_hosts" -l "$GATE_USER" \
    --identity "$SSH_DIR/client_key" -k "$(k ci)" --realm test \
    --connect-timeout 5 -H web01 -I cat < "$SCRATCH/in.txt" \
    > "$SCRATCH/cat.out" 2>&1
rc=$?
[ "$rc" = 0 ] && grep -qx 'web01: through the channel' "$SCRATCH/cat.out" &&
	pass stdin_payload_through_daemon ||
	fail stdin_payload_through_daemon "exit $rc: $(head -c 300 "$SCRATCH/cat.out")"

# Sessions in parallel, each in its own child.
inventory_add "$SCRATCH/inv.ini" "$SSHD_PORT" $(printf 'w%02d ' $(seq 1 12))
r par --inventory "$SCRATCH/inv.ini" -H 'w[01-12]' -p 12 echo word=hi
[ "$rc" = 0 ] && [ "$(grep -c ': hi$' "$SCRATCH/par.out")" = 12 ] &&
	pass serves_parallel_sessions ||
	fail serves_parallel_sessions "exit $rc: $(head -c 300 "$SCRATCH/par.err")"

# The real OpenSSH client: nothing but the exec of a request.
BASE=(-F /dev/null -o IdentitiesOnly=yes -o BatchMode=yes
      -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$SSH_DIR/known_hosts"
      -o ConnectTimeout=5)
OPTS=("${BASE[@]}" -p "$SSHD_PORT" -i "$SSH_DIR/client_key")
HOST=$GATE_USER@127.0.0.1
audited() {
	if grep -F 'reason="not-a-request"' "$GATE_DIR/audit.log" |
	    grep -qF "claimed_command=\"$2"; then
		pass "$1"
	else
		fail "$1" "no record with claimed_command=\"$2...\""
	fi
}

t ssh "${OPTS[@]}" "$HOST" id
expect other_command_gets_the_gate_line 77 \
    'writ-gate: this account only runs signed writ requests'
audited other_command_is_audited "id"

t ssh "${OPTS[@]}" "$HOST"
[ "$rc" != 0 ] && ! grep -q 'uid=' "$SCRATCH/out" && pass refuses_shell ||
	fail refuses_shell "exit $rc: $(head -c 300 "$SCRATCH/out")"
audited shell_is_audited "(login shell)"

grep -F 'claimed_command="(login shell)"' "$LOG" | grep -qF 'reason="not-a-request"' &&
	pass foreground_audits_session_refusals_to_stderr ||
	fail foreground_audits_session_refusals_to_stderr "$(tail -n 3 "$LOG")"

t ssh "${OPTS[@]}" -tt "$HOST" id
[ "$rc" != 0 ] && grep -qF 'PTY allocation request failed' "$SCRATCH/out" &&
	pass refuses_pty || fail refuses_pty "exit $rc: $(head -c 300 "$SCRATCH/out")"

t sftp "${BASE[@]}" -P "$SSHD_PORT" -i "$SSH_DIR/client_key" -b /dev/null "$HOST"
[ "$rc" != 0 ] && pass refuses_sftp || fail refuses_sftp "exit 0"
audited sftp_is_audited "(subsystem) sftp"

t ssh "${OPTS[@]}" -W "127.0.0.1:$SSHD_PORT" "$HOST"
[ "$rc" != 0 ] && grep -qi 'prohibited\|open failed' "$SCRATCH/out" &&
	pass refuses_stdio_forward || fail refuses_stdio_forward "exit $rc: $(head -c 300 "$SCRATCH/out")"

t ssh "${OPTS[@]}" -N -o ExitOnForwardFailure=yes -R "0:127.0.0.1:$SSHD_PORT" "$HOST"
[ "$rc" != 0 ] && pass refuses_remote_forward || fail refuses_remote_forward "exit 0"

# A second channel on one connection (OpenSSH multiplexing): the master's
# own session channel waits for its request; the second is refused, and
# the op it asks for never runs.
CP=$SCRATCH/cm.sock
sleep 8 | timeout 10 ssh "${OPTS[@]}" -o ControlMaster=yes -o ControlPath="$CP" \
    "$HOST" writ-request-v1 >/dev/null 2>&1 &
MASTER=$!
at_exit "kill $MASTER 2>/dev/null"
for i in $(seq 100); do [ -S "$CP" ] && break; sleep 0.05; done
# (-p a closed port: when the mux session is refused, ssh would otherwise
# fall back to a fresh connection of its own.)
t ssh "${BASE[@]}" -i "$SSH_DIR/client_key" -p "$(free_port)" \
    -o ControlMaster=no -o ControlPath="$CP" "$HOST" second-channel
if [ -S "$CP" ] && [ "$rc" != 0 ] && grep -qi 'refused\|open failed' "$SCRATCH/out" &&
    ! grep -qF 'claimed_command="second-channel"' "$GATE_DIR/audit.log"; then
	pass refuses_second_channel
else
	fail refuses_second_channel "socket $([ -S "$CP" ] && echo up || echo missing), exit $rc: $(head -c 300 "$SCRATCH/out")"
fi
kill "$MASTER" 2>/dev/null

# ssh -N -L: the forward is set up locally; a connection through it must
# not reach anything (the direct-tcpip channel is refused).
LPORT=$(free_port)
timeout 10 ssh "${OPTS[@]}" -N -L "$LPORT:127.0.0.1:$SSHD_PORT" "$HOST" \
    2>"$SCRATCH/fwd.err" &
FWD=$!
for i in $(seq 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$LPORT") 2>/dev/null && break
	sleep 0.05
done
got=$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$LPORT && head -c 8 <&3" 2>/dev/null)
sleep 0.2
kill "$FWD" 2>/dev/null
wait "$FWD" 2>/dev/null
if [ -z "$got" ] && grep -qi 'open failed\|prohibited' "$SCRATCH/fwd.err"; then
	pass refuses_local_forward
else
	fail refuses_local_forward "got '$got': $(head -c 300 "$SCRATCH/fwd.err")"
fi

# scp, both directions: over SFTP (scp's default) the subsystem is refused,
# with -O the legacy "scp -t/-f" exec gets the gate's line; nothing lands.
echo secret > "$SCRATCH/scp_src"
SCP=(scp "${BASE[@]}" -P "$SSHD_PORT" -i "$SSH_DIR/client_key")
for how in sftp legacy; do
	o=()
	[ "$how" = legacy ] && o=(-O)
	t "${SCP[@]}" "${o[@]}" "$SCRATCH/scp_src" "$HOST:$SCRATCH/up/scp_$how"
	[ "$rc" != 0 ] && [ ! -e "$SCRATCH/up/scp_$how" ] &&
		pass "refuses_scp_upload_$how" ||
		fail "refuses_scp_upload_$how" "exit $rc: $(head -c 300 "$SCRATCH/out")"
	t "${SCP[@]}" "${o[@]}" "$HOST:$SCRATCH/scp_src" "$SCRATCH/scp_got_$how"
	[ "$rc" != 0 ] && [ ! -s "$SCRATCH/scp_got_$how" ] &&
		pass "refuses_scp_download_$how" ||
		fail "refuses_scp_download_$how" "exit $rc: $(head -c 300 "$SCRATCH/out")"
done
grep -qF 'writ-gate: this account only runs signed writ requests' "$SCRATCH/out" &&
	pass legacy_scp_gets_the_gate_line ||
	fail legacy_scp_gets_the_gate_line "$(head -c 300 "$SCRATCH/out")"
audited scp_upload_is_audited "scp -t "
audited scp_download_is_audited "scp -f "

# ssh -A: the agent request gets no agent. The op runs (the session
# itself is served), sees no SSH_AUTH_SOCK, and the daemon never opens an
# agent channel back to the client.
"$MKREQUEST" -k "$(k ci)" $(req) env > "$SCRATCH/agent.req"
(
	eval "$(ssh-agent -s)" >/dev/null
	ssh-add -q "$SSH_DIR/client_key" 2>/dev/null
	timeout 30 ssh "${OPTS[@]}" -v -A "$HOST" writ-request-v1 \
	    < "$SCRATCH/agent.req" > "$SCRATCH/agent.out" 2> "$SCRATCH/agent.err"
	kill "$SSH_AGENT_PID"
)
"$FRAMES" "$SCRATCH/agent" < "$SCRATCH/agent.out" 2>>"$SCRATCH/agent.err"
if grep -q 'Requesting authentication agent forwarding' "$SCRATCH/agent.err" &&
    grep -q '^WRIT_OP=env' "$SCRATCH/agent.stdout" &&
    ! grep -q 'SSH_AUTH_SOCK' "$SCRATCH/agent.stdout" &&
    ! grep -q 'auth-agent@openssh.com' "$SCRATCH/agent.err"; then
	pass agent_forwarding_forwards_nothing
else
	fail agent_forwarding_forwards_nothing "$(cat "$SCRATCH/agent.stdout" 2>&1; grep -i 'agent\|debug1: client_input_channel_open' "$SCRATCH/agent.err" | head -c 600)"
fi

t ssh "${BASE[@]}" -p "$SSHD_PORT" -i "$SCRATCH/rsa_host" "$HOST" id
expect refuses_unknown_key 255 "Permission denied"

# Modern algorithms only.
t ssh "${OPTS[@]}" -o KexAlgorithms=diffie-hellman-group14-sha256 "$HOST" id
expect refuses_old_kex 255 "no matching key exchange"
t ssh "${OPTS[@]}" -o Ciphers=aes128-ctr "$HOST" id
expect refuses_ctr_cipher 255 "no matching cipher"

# ssh-audit rates every algorithm offered: no [fail] or [warn] on any
# kex, host key, cipher or MAC. One exception: kex-strict-s-v00@openssh.com
# is the strict key exchange against Terrapin (CVE-2023-48795), newer
# than ssh-audit 2.5.0, which calls it "unknown algorithm".
if command -v ssh-audit >/dev/null; then
	t ssh-audit -n -t 10 -p "$SSHD_PORT" 127.0.0.1
	awk '/^\((kex|key|enc|mac)\) / { alg = $2; n++ }
	     /^\(/ && !/^\((kex|key|enc|mac)\) / { alg = "" }
	     alg != "" && /\[(fail|warn)\]/ &&
	     !(alg == "kex-strict-s-v00@openssh.com" && /unknown algorithm/) {
		print; bad = 1 }
	     END { exit !(n >= 6 && !bad) }' "$SCRATCH/out" > "$SCRATCH/weak" &&
	    grep -q '^(key) ssh-ed25519 ' "$SCRATCH/out" &&
	    grep -q '^(enc) chacha20-poly1305@openssh.com ' "$SCRATCH/out" &&
		pass ssh_audit_finds_no_weak_algorithm ||
		fail ssh_audit_finds_no_weak_algorithm "$(cat "$SCRATCH/weak"; head -c 600 "$SCRATCH/out")"
else
	skip ssh_audit_finds_no_weak_algorithm "ssh-audit is not installed (.ci/deps installs it)"
fi

# SIGHUP reloads gate.ini and authorized_keys for the connections from then
# on. A second key logs in; a session of its own is in flight (locked:
# sleeps 3 s) when the key is removed and the daemon reloads: the session
# goes on to its end, and the key's next connection is refused, logged.
ssh-keygen -q -t ed25519 -N '' -f "$SCRATCH/key2" -C key2
cat "$SSH_DIR/client_key.pub" "$SCRATCH/key2.pub" > "$KEYS"
reload
reloaded reload_reads_new_keys "$KEYS (2 keys)"
send key2_before --ssh-key "$SCRATCH/key2" -k "$(k ci)" $(req) uptime
verdict_is second_key_logs_in key2_before "accepted"
( send key2_inflight --ssh-key "$SCRATCH/key2" -k "$(k ci)" $(req) locked ) &
inflight=$!
for i in $(seq 100); do
	grep -F 'event="accepted"' "$GATE_DIR/audit.log" | grep -qF 'op="locked"' && break
	sleep 0.05
done
# The session in flight is a fresh writ-gate (exec'd by the daemon, not a
# fork of it): its image is the lean gate, with no SSH library mapped.
sess=$(pgrep -f -- '--daemon-session' | head -n 1)
if [ -n "$sess" ] && [ "$(readlink "/proc/$sess/exe")" = "$GATE" ] &&
    ! grep -q 'libssh\|libcrypto' "/proc/$sess/maps"; then
	pass session_is_a_fresh_lean_gate
else
	fail session_is_a_fresh_lean_gate "pid '${sess}': $(readlink "/proc/${sess:-0}/exe" 2>&1); $(grep -c libssh "/proc/${sess:-0}/maps" 2>&1) libssh maps"
fi
cat "$SSH_DIR/client_key.pub" > "$KEYS"
reload
reloaded reload_drops_removed_key "$KEYS (1 key)"
send key2_after --ssh-key "$SCRATCH/key2" -k "$(k ci)" $(req) canary \
    "path=$GATE_DIR/canary/revoked"
if [ "$(cat "$SCRATCH/key2_after.rc")" = 255 ] &&
    grep -q 'Permission denied' "$SCRATCH/key2_after.err" &&
    [ ! -e "$GATE_DIR/canary/revoked" ]; then
	pass removed_key_is_refused_after_reload
else
	fail removed_key_is_refused_after_reload "rc $(cat "$SCRATCH/key2_after.rc"): $(head -c 300 "$SCRATCH/key2_after.err")"
fi
grep -F 'event="login-failed"' "$LOG" | grep -F "key=\"$(fingerprint "$SCRATCH/key2.pub")\"" |
    grep -qF 'reason="unknown-key"' &&
	pass removed_key_refusal_is_logged ||
	fail removed_key_refusal_is_logged "$(grep login- "$LOG" | tail -n 2)"
wait "$inflight"
[ "$(cat "$SCRATCH/key2_inflight.rc")" = 0 ] &&
    grep -F 'event="finished"' "$GATE_DIR/audit.log" | grep -qF 'op="locked"' &&
	pass session_in_flight_outlives_its_key ||
	fail session_in_flight_outlives_its_key "rc $(cat "$SCRATCH/key2_inflight.rc"): $(head -c 300 "$SCRATCH/key2_inflight.err")"

# While the op runs silent, the connection's process that pumps the channel
# sleeps in poll(): with the writ client (libssh), it once spun on a socket
# left readable after the client's EOF (a hundred ticks of CPU a second).
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
( r pump_check -H web01 locked ) &
pumped=$!
sess=
for i in $(seq 100); do
	sess=$(pgrep -f -- '--daemon-session' | head -n 1)
	[ -n "$sess" ] && grep -F 'event="accepted"' "$GATE_DIR/audit.log" |
	    grep -c 'op="locked"' | grep -qx 2 && break
	sleep 0.05
done
pumper=$(ps -o ppid= -p "${sess:-0}" 2>/dev/null | tr -d ' ')
if [ -n "$pumper" ]; then
	t0=$(ticks "$pumper")
	sleep 1
	used=$(( $(ticks "$pumper") - t0 ))
	[ "$used" -lt 20 ] && pass session_pump_sleeps_while_op_is_silent ||
		fail session_pump_sleeps_while_op_is_silent "$used ticks of CPU in 1 s"
else
	fail session_pump_sleeps_while_op_is_silent "no pumping process found"
fi
wait "$pumped"

# A new deny_keys entry: that signer's next request is refused, by the
# gate, audited denied-key; nothing runs.
write_gate_ini "user = $GATE_USER
deny_keys = $(tail -n 1 "$GATE_DIR/ci.pub")"
reload
reloaded reload_reads_new_gate_ini "(1 deny_keys)"
send denied -k "$(k ci)" $(req) canary "path=$GATE_DIR/canary/denied"
if [ ! -e "$GATE_DIR/canary/denied" ] &&
    grep -F 'reason="denied-key"' "$GATE_DIR/audit.log" |
    grep -qF "$GATE_DIR/canary/denied"; then
	pass denied_signer_is_refused_after_reload
else
	fail denied_signer_is_refused_after_reload "$(tail -n 1 "$GATE_DIR/audit.log" | cut -c 1-300)"
fi
write_gate_ini "user = $GATE_USER"
reload

# A bad new file keeps the running pair, and the daemon says why, naming
# FILE:LINE: a broken gate.ini, an authorized_keys with an sshd option,
# one with an over-long from= pattern, one that does not exist.
write_gate_ini "user = $GATE_USER
bogus = 1"
reload
reloaded bad_gate_ini_keeps_running_config "$GATE_DIR/gate.ini:10: unknown key 'bogus'"
r bad_ini -H web01 uptime
[ "$rc" = 0 ] && pass serves_after_bad_gate_ini || fail serves_after_bad_gate_ini "exit $rc"
write_gate_ini "user = $GATE_USER"
printf '%s\ncommand="x" %s\n' "$(cat "$SSH_DIR/client_key.pub")" \
    "$(cat "$SCRATCH/key2.pub")" > "$KEYS"
reload
reloaded bad_keys_keep_running_keys "$KEYS:2: option 'command'"
send key2_bad_keys --ssh-key "$SCRATCH/key2" -k "$(k ci)" $(req) uptime
r bad_keys -H web01 uptime
[ "$rc" = 0 ] && [ "$(cat "$SCRATCH/key2_bad_keys.rc")" = 255 ] &&
	pass serves_old_keys_after_bad_keys ||
	fail serves_old_keys_after_bad_keys "exit $rc, key2 $(cat "$SCRATCH/key2_bad_keys.rc")"
cp "$SCRATCH/long_keys" "$KEYS"
reload
reloaded over_long_from_keeps_running_keys "$KEYS:1: from= pattern 1"
mv "$KEYS" "$KEYS.away"
reload
reloaded missing_keys_keep_running_keys "$KEYS"
mv "$KEYS.away" "$KEYS"
cat "$SSH_DIR/client_key.pub" > "$KEYS"
# An empty file is no key: everyone is refused, and the daemon says so.
: > "$KEYS"
reload
r no_keys -H web01 uptime
[ "$rc" != 0 ] && grep -q "no key in $KEYS: every login is refused" "$LOG" &&
	pass empty_keys_refuse_everyone ||
	fail empty_keys_refuse_everyone "exit $rc: $(tail -n 2 "$LOG")"
cat "$SSH_DIR/client_key.pub" > "$KEYS"

# What only a restart changes (the account, the host key) is reported,
# not silently ignored; the rest of the reload is taken.
write_gate_ini "user = nobody"
touch -d '-1 hour' "$SSH_DIR/host_key"
reload
reloaded reload_after_user_change "reloaded"
grep -q "reload: user = nobody in $GATE_DIR/gate.ini takes effect at the next start" "$LOG" &&
	pass user_change_is_reported || fail user_change_is_reported "$(tail -n 3 "$LOG")"
grep -q "reload: the host key $SSH_DIR/host_key changed" "$LOG" &&
	pass host_key_change_is_reported || fail host_key_change_is_reported "$(tail -n 3 "$LOG")"
r who_after -H web01 whoami
[ "$rc" = 0 ] && grep -qx "web01: $GATE_USER" "$SCRATCH/who_after.out" &&
	pass still_runs_as_the_first_user ||
	fail still_runs_as_the_first_user "exit $rc: $(cat "$SCRATCH/who_after.out")"
write_gate_ini "user = $GATE_USER"
reload

# Unauthenticated connections are capped per source (20 by default): one
# more from that address is closed at once, one from another is served.
t python3 "$FLOOD" "$SSHD_PORT" hold 127.0.0.1:20 probe 127.0.0.1 127.0.0.4
if [ "$rc" = 0 ] && grep -qx 'probe 127.0.0.1 closed' "$SCRATCH/out" &&
    grep -qx 'probe 127.0.0.4 banner' "$SCRATCH/out"; then
	pass caps_unauthenticated_per_source
else
	fail caps_unauthenticated_per_source "exit $rc: $(cat "$SCRATCH/out")"
fi
grep -q 'dropping connections from 127.0.0.1:[0-9]*: over the per-source cap' "$LOG" &&
	pass per_source_cap_is_logged || fail per_source_cap_is_logged "$(tail -n 3 "$LOG")"
sleep 0.3   # the held connections' children see EOF and end
r again -H web01 uptime
[ "$rc" = 0 ] && pass serves_after_the_cap || fail serves_after_the_cap "exit $rc"

# max_startups START:RATE:FULL, taken on SIGHUP. RATE 100: from START on,
# every new unauthenticated connection is dropped (the random early drop,
# made certain); at FULL, every one, whatever RATE says.
write_gate_ini "user = $GATE_USER
max_startups = 4:100:8
per_source_max_startups = 4"
reload
t python3 "$FLOOD" "$SSHD_PORT" hold 127.0.0.10:4 probe 127.0.0.11
[ "$rc" = 0 ] && grep -qx 'probe 127.0.0.11 closed' "$SCRATCH/out" &&
	pass early_drop_from_start || fail early_drop_from_start "exit $rc: $(cat "$SCRATCH/out")"
write_gate_ini "user = $GATE_USER
max_startups = 8:30:8
per_source_max_startups = 4"
reload
sleep 0.3
t python3 "$FLOOD" "$SSHD_PORT" hold 127.0.0.10:4,127.0.0.11:4 probe 127.0.0.12
[ "$rc" = 0 ] && grep -qx 'probe 127.0.0.12 closed' "$SCRATCH/out" &&
	pass drops_all_at_full || fail drops_all_at_full "exit $rc: $(cat "$SCRATCH/out")"
write_gate_ini "user = $GATE_USER"
reload
reloaded limits_back_to_defaults "reloaded"
sleep 0.3

# The lock-out: one source (127.0.0.2) keeps 100 sockets open, making a
# new one for each that is closed. It holds its 20 and no more, so the
# daemon stays open to everyone else: the real client, from 127.0.0.3,
# runs its op. The flood's thousands of drops make a line or two in the
# log, not one each.
lines_before=$(wc -l < "$LOG")
rm -f "$SCRATCH/flood.ready" "$SCRATCH/flood.stop"
python3 "$FLOOD" "$SSHD_PORT" flood 127.0.0.2 100 "$SCRATCH/flood.ready" \
    "$SCRATCH/flood.stop" > "$SCRATCH/flood.out" 2>&1 &
flood_pid=$!
at_exit "touch $SCRATCH/flood.stop"
for i in $(seq 600); do [ -e "$SCRATCH/flood.ready" ] && break; sleep 0.05; done
r through_flood -H web01 -O BindAddress=127.0.0.3 uptime
touch "$SCRATCH/flood.stop"
wait "$flood_pid"
read -r _ held _ dropped < "$SCRATCH/flood.out"
if [ -e "$SCRATCH/flood.ready" ] && [ "$rc" = 0 ] &&
    grep -q 'load average' "$SCRATCH/through_flood.out"; then
	pass client_gets_in_past_a_flooding_source
else
	fail client_gets_in_past_a_flooding_source "exit $rc: $(cat "$SCRATCH/flood.out"; head -c 300 "$SCRATCH/through_flood.err")"
fi
[ "${held:-99}" -le 20 ] && [ "${dropped:-0}" -ge 100 ] &&
	pass flooding_source_holds_its_cap_only ||
	fail flooding_source_holds_its_cap_only "$(cat "$SCRATCH/flood.out")"
drop_lines=$(tail -n +$((lines_before + 1)) "$LOG" | grep -v 'event=' | grep -c '127\.0\.0\.2:')
[ "$drop_lines" -le 2 ] && [ "${dropped:-0}" -ge 100 ] &&
	pass drops_are_not_logged_one_line_each ||
	fail drops_are_not_logged_one_line_each "$drop_lines lines for $dropped drops: $(tail -n 3 "$LOG")"
grep -F 'peer="127.0.0.3:' "$GATE_DIR/audit.log" | grep -qF 'event="finished"' &&
    ! grep -qF 'peer="127.0.0.2:' "$GATE_DIR/audit.log" &&
	pass flood_reached_no_gate || fail flood_reached_no_gate "$(grep -F 127.0.0.2 "$GATE_DIR/audit.log" | head -n 2)"
sleep 0.3

# Connections served at once are capped (64): 64 authenticated clients
# that hold their connection (ssh -N, which asks for no channel; the
# daemon waits for their exec up to its 20 s grace), then one more is
# closed at once. Started 16 at a time, each batch authenticated (its
# LocalCommand ran) before the next, so the caps on unauthenticated ones
# (20 from one source) stay out of the way.
held=()
mkdir "$SCRATCH/held"
for b in 0 16 32 48; do
	for i in $(seq $((b + 1)) $((b + 16))); do
		timeout 30 ssh "${OPTS[@]}" -N -o PermitLocalCommand=yes \
		    -o LocalCommand="touch $SCRATCH/held/$i" "$HOST" \
		    >/dev/null 2>&1 </dev/null &
		held+=($!)
	done
	for i in $(seq 200); do
		[ "$(ls "$SCRATCH/held" | wc -l)" -ge $((b + 16)) ] && break
		sleep 0.05
	done
done
at_exit "kill ${held[*]} 2>/dev/null"
n=$(ls "$SCRATCH/held" | wc -l)
t python3 "$FLOOD" "$SSHD_PORT" hold 127.0.0.1:0 probe 127.0.0.5
[ "$n" = 64 ] && [ "$rc" = 0 ] && grep -qx 'probe 127.0.0.5 closed' "$SCRATCH/out" &&
	pass caps_connections_at_64 ||
	fail caps_connections_at_64 "$n held; exit $rc: $(cat "$SCRATCH/out"; tail -n 2 "$LOG")"
kill "${held[@]}" 2>/dev/null
wait "${held[@]}" 2>/dev/null
sleep 0.3   # the held connections' children see EOF and end
r again64 -H web01 uptime
[ "$rc" = 0 ] && pass serves_after_the_children_cap ||
	fail serves_after_the_children_cap "exit $rc: $(cat "$SCRATCH/again64.err")"

# SIGTERM: stop accepting, let sessions finish, exit. What the drops'
# log counted since its last line is written on the way out.
kill -TERM "$LISTEN_PID"
for i in $(seq 100); do kill -0 "$LISTEN_PID" 2>/dev/null || break; sleep 0.05; done
if ! kill -0 "$LISTEN_PID" 2>/dev/null && grep -q 'stopped' "$LOG"; then
	pass sigterm_stops_daemon
else
	fail sigterm_stops_daemon "$(tail -n 3 "$LOG")"
fi
grep 'dropped [0-9]* more unauthenticated connections\? in [0-9]* s (' "$LOG" > "$SCRATCH/summaries"
grep -q 'over the per-source cap' "$SCRATCH/summaries" &&
    grep -q 'over the cap on connections' "$SCRATCH/summaries" &&
	pass drops_are_counted_in_a_summary ||
	fail drops_are_counted_in_a_summary "$(grep dropp "$LOG" | tail -n 3)"

# A second signal while sessions drain: the daemon exits at once; the
# session's own process goes on, its op (locked: sleeps 3 s) runs to its
# end, and the client gets its output and status.
listen_start "$KEYS" || { fail listen_restarts "$(cat "$LOG")"; exit 1; }
client_fleet    # the new port
locked_runs() { grep -F 'event="accepted"' "$GATE_DIR/audit.log" | grep -cF 'op="locked"'; }
n0=$(locked_runs)
( r drain -H web01 locked; echo "$rc" > "$SCRATCH/drain.rc" ) &
bg=$!
for i in $(seq 100); do
	[ "$(locked_runs)" -gt "$n0" ] && break
	sleep 0.05
done
kill -TERM "$LISTEN_PID"
sleep 0.3
kill -0 "$LISTEN_PID" 2>/dev/null && grep -q 'stopping: 1 session still running' "$LOG" &&
	pass first_signal_waits_for_sessions ||
	fail first_signal_waits_for_sessions "$(tail -n 3 "$LOG")"
kill -INT "$LISTEN_PID"
for i in $(seq 20); do kill -0 "$LISTEN_PID" 2>/dev/null || break; sleep 0.05; done
if ! kill -0 "$LISTEN_PID" 2>/dev/null && [ ! -e "$SCRATCH/drain.rc" ] &&
    grep -q 'second signal: exiting; 1 session left' "$LOG"; then
	pass second_signal_exits_while_sessions_drain
else
	fail second_signal_exits_while_sessions_drain "$(tail -n 3 "$LOG"; cat "$SCRATCH/drain.rc" 2>&1)"
fi
wait "$bg"
[ "$(cat "$SCRATCH/drain.rc")" = 0 ] &&
    [ "$(grep -F 'event="finished"' "$GATE_DIR/audit.log" | grep -cF 'op="locked"')" -gt "$n0" ] &&
	pass session_outlives_forced_exit ||
	fail session_outlives_forced_exit "exit $(cat "$SCRATCH/drain.rc"): $(head -c 300 "$SCRATCH/drain.err")"

# Logins, one line each, with the peer and the key's SHA256 fingerprint (as
# ssh-keygen -l prints it), to stderr under --foreground and to syslog
# through a real rsyslogd; the shipped fail2ban filter, run by the real
# fail2ban-regex on both, finds every failure with its address and no
# accepted login.
F2B=$SCRATCH/fail2ban   # an /etc/fail2ban holding the shipped jail only
F2B_TESTS="failed_login_is_logged accepted_login_is_logged
    login_from_elsewhere_is_logged login_lines_reach_syslog
    fail2ban_finds_failures_in_syslog fail2ban_finds_failures_on_stderr
    fail2ban_ignores_accepted_logins fail2ban_ignores_user_names
    fail2ban_jail_example_is_valid fail2ban_reads_ipv6_peers"
if ! command -v fail2ban-regex >/dev/null; then
	for n in $F2B_TESTS; do skip "$n" "fail2ban is not installed (.ci/deps installs it)"; done
	exit 0
fi
mkdir -p "$F2B"
cp -r /etc/fail2ban/. "$F2B/"
rm -f "$F2B/jail.d/"*
cp "$SRC/packaging/fail2ban/filter.d/writ-gate.conf" "$F2B/filter.d/"
cp "$SRC/packaging/fail2ban/jail.d/writ-gate.conf" "$F2B/jail.d/"
t fail2ban-client -c "$F2B" -t
expect fail2ban_jail_example_is_valid 0 "configuration test is successful"

# f2b_ips LOGFILE: the addresses the filter finds, one per failure.
f2b_ips() {
	timeout 60 fail2ban-regex -o ip "$1" "$F2B/filter.d/writ-gate.conf" \
	    2>"$SCRATCH/f2b.err"
}

. "$SRC/tests/rsyslog.sh"
# A second copy of every message in the classic syslog file format (what
# /var/log/auth.log holds), for fail2ban's dates and line prefixes.
eval "$(declare -f _rsyslog_conf | sed '1s/^_rsyslog_conf/_rsyslog_conf_test/')"
_rsyslog_conf() {
	_rsyslog_conf_test
	printf '*.* action(type="omfile" file="%s" template="RSYSLOG_TraditionalFileFormat")\n' \
	    "$RSYSLOG_DIR/auth.log" >> "$RSYSLOG_CONF"
}
rsyslog_start $F2B_TESTS
case $? in
0) ;;
77) exit 0 ;;
*) exit 1 ;;
esac
ssh-keygen -q -t ed25519 -N '' -f "$SCRATCH/stranger" -C stranger
ssh-keygen -q -t ed25519 -N '' -f "$SCRATCH/pinned" -C pinned
{ cat "$SSH_DIR/client_key.pub"; echo "from=\"127.0.0.9\" $(cat "$SCRATCH/pinned.pub")"; } > "$KEYS"
write_gate_ini "user = $GATE_USER"
LISTEN_PREFIX=("${LOG_NS[@]}")
listen_start "$KEYS" || { fail listen_starts_with_syslog "$(cat "$LOG")"; exit 1; }
LISTEN_PREFIX=()
# login SRC KEY [USER]: one ssh login from SRC with KEY, bounded.
login() {
	timeout 20 ssh "${BASE[@]}" -b "$1" -p "$SSHD_PORT" -i "$2" \
	    -l "${3:-$GATE_USER}" 127.0.0.1 x >/dev/null 2>&1 </dev/null
}
login 127.0.0.5 "$SCRATCH/stranger"
login 127.0.0.6 "$SCRATCH/stranger" 'peer=10.9.9.9:22'
login 127.0.0.7 "$SCRATCH/pinned"
login 127.0.0.3 "$SSH_DIR/client_key"
rsyslog_wait 'event="login-accepted"'
rsyslog_wait 'peer="127.0.0.7:' 5

stranger=$(fingerprint "$SCRATCH/stranger.pub")
grep '^event="login-failed" peer="127\.0\.0\.5:[0-9]*" ' "$LOG" |
    grep -qF " method=\"publickey\" key=\"$stranger\" key_type=\"ssh-ed25519\" user=\"$GATE_USER\" reason=\"unknown-key\" tries=1" &&
	pass failed_login_is_logged ||
	fail failed_login_is_logged "want key=\"$stranger\": $(grep login- "$LOG" | head -n 3)"
grep '^event="login-accepted" peer="127\.0\.0\.3:[0-9]*" .* keys_line=1$' "$LOG" |
    grep -qF " method=\"publickey\" key=\"$(fingerprint "$SSH_DIR/client_key.pub")\" " &&
	pass accepted_login_is_logged ||
	fail accepted_login_is_logged "$(grep login-accepted "$LOG" | head -n 2)"
grep -F 'peer="127.0.0.7:' "$LOG" | grep -F "key=\"$(fingerprint "$SCRATCH/pinned.pub")\"" |
    grep -qF 'reason="not-from-here"' && pass login_from_elsewhere_is_logged ||
	fail login_from_elsewhere_is_logged "$(grep 127.0.0.7 "$LOG" | head -n 2)"
grep -E '^local3\.warning writ-gate\[[0-9]+\]: ?event="login-failed" peer="127\.0\.0\.5:' "$RSYSLOG_OUT" >/dev/null &&
    grep -E '^local3\.notice writ-gate\[[0-9]+\]: ?event="login-accepted" peer="127\.0\.0\.3:' "$RSYSLOG_OUT" >/dev/null &&
	pass login_lines_reach_syslog ||
	fail login_lines_reach_syslog "$(grep login- "$RSYSLOG_OUT" | head -n 3)"

# Every failure, each with its own address; on syslog's file and on stderr.
for where in syslog stderr; do
	file=$RSYSLOG_DIR/auth.log
	[ "$where" = stderr ] && file=$LOG
	f2b_ips "$file" | sort > "$SCRATCH/f2b_$where.ips"
	want=$(grep -c 'event="login-failed"' "$file")
	name=fail2ban_finds_failures_in_syslog
	[ "$where" = stderr ] && name=fail2ban_finds_failures_on_stderr
	if [ "$want" -ge 3 ] && [ "$(wc -l < "$SCRATCH/f2b_$where.ips")" = "$want" ] &&
	    [ "$(sort -u "$SCRATCH/f2b_$where.ips" | tr '\n' ' ')" = "127.0.0.5 127.0.0.6 127.0.0.7 " ]; then
		pass "$name"
	else
		fail "$name" "$want failures, found: $(tr '\n' ' ' < "$SCRATCH/f2b_$where.ips") $(head -c 300 "$SCRATCH/f2b.err")"
	fi
done
grep -q 'event="login-accepted" peer="127.0.0.3' "$RSYSLOG_DIR/auth.log" &&
    ! grep -qx '127.0.0.3' "$SCRATCH/f2b_syslog.ips" &&
	pass fail2ban_ignores_accepted_logins ||
	fail fail2ban_ignores_accepted_logins "$(cat "$SCRATCH/f2b_syslog.ips")"
grep -qF 'user="peer=10.9.9.9:22"' "$LOG" && ! grep -q '10\.9\.9\.9' "$SCRATCH/f2b_syslog.ips" &&
	pass fail2ban_ignores_user_names ||
	fail fail2ban_ignores_user_names "$(cat "$SCRATCH/f2b_syslog.ips")"
kill "$LISTEN_PID"
wait "$LISTEN_PID" 2>/dev/null

# IPv6: the peer is written "[ADDR]:PORT"; the filter takes the address.
if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
	LISTEN_ADDR=::1
	listen_start "$KEYS" || { fail listen_starts_on_ipv6 "$(cat "$LOG")"; exit 1; }
	timeout 20 ssh "${BASE[@]}" -p "$SSHD_PORT" -i "$SCRATCH/stranger" \
	    "$GATE_USER@::1" x >/dev/null 2>&1 </dev/null
	if grep -q '^event="login-failed" peer="\[::1\]:[0-9]*"' "$LOG" &&
	    [ "$(f2b_ips "$LOG")" = "::1" ]; then
		pass fail2ban_reads_ipv6_peers
	else
		fail fail2ban_reads_ipv6_peers "$(grep login- "$LOG" | head -n 2; head -c 300 "$SCRATCH/f2b.err")"
	fi
	kill "$LISTEN_PID"
else
	skip fail2ban_reads_ipv6_peers "no IPv6 loopback (::1) on this machine"
fi
