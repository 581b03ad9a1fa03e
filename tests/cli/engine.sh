# engine.sh: the client's event loop against a real sshd whose forced
# command is writ-gate: -p hosts really in flight at once (beyond the old
# pool's 64), a -p the open-file limit cannot hold is an error, a connection
# cut during authentication is retried, and a peer that stops reading does
# not hold the other hosts; ProxyCommand and ProxyJump (which needs sshd's
# forwarding), ServerAliveInterval on a dead link, and @cert-authority
# (which needs sshd's HostCertificate). (Not run against the daemon: its
# own cap on unauthenticated connections from one source is the point of
# its tests.)
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_setup
# hold {secs}: an op that outlives the time it takes to start every host.
sed -i 's/^ops   = uptime,/ops   = hold, uptime,/' "$GATE_DIR/policy.ini"
printf '\n[op hold]\nexec = /bin/sleep {secs}\nparam.secs = [0-9]+\ntimeout = 60\n' \
    >> "$GATE_DIR/policy.ini"
(cd "$GATE_DIR" && "$WRIT" policy sign -s authority.key policy.ini >/dev/null) ||
	fail policy_sign "writ policy sign failed"
gate_own "$GATE_DIR/policy.ini" "$GATE_DIR/policy.ini.minisig"
SSHD_EXTRA_CONFIG='MaxStartups 400:30:800' sshd_start
client_fleet
inv=$SCRATCH/inventory.ini
N=100
hosts=()
for i in $(seq $N); do hosts+=("h$i"); done
inventory_add "$inv" "$SSHD_PORT" "${hosts[@]}"

# known PORT: the gate's host key, as known_hosts names it on PORT.
known() {
	echo "[127.0.0.1]:$1 $(cat "$SSH_DIR/host_key.pub")" >> "$SSH_DIR/known_hosts"
}

# rr NAME ARGS...: r with the inventory and a JSON report in NAME.json.
rr() {
	local name=$1
	shift
	r "$name" --inventory "$inv" --json "$SCRATCH/$name.json" "$@"
}

# -p 100: the hundred ops are all running before the first ends, so the
# gate's audit log holds a hundred accepted records of the run before its
# first finished one (the old thread pool held 64).
# (audit_lines: the gate makes its log at its first record.)
audit_lines() { cat "$GATE_DIR/audit.log" 2>/dev/null | wc -l; }
before=$(audit_lines)
rr hundred_in_flight -p $N -H "h[1-$N]" hold secs=8
id=$(jq -r 'select(.target) | .request' "$SCRATCH/hundred_in_flight.json" | head -n 1)
inflight=$(tail -n +"$((before + 1))" "$GATE_DIR/audit.log" | grep -F "\"$id\"" |
    awk '/event="finished"/ { exit } /event="accepted"/ { n++ } END { print n + 0 }')
ok=$(jq -r 'select(.target) | .status' "$SCRATCH/hundred_in_flight.json" | grep -c '^ok$')
[ "$rc" = 0 ] && [ "$ok" = $N ] && [ "$inflight" = $N ] &&
	pass hundred_hosts_in_flight_at_once ||
	fail hundred_hosts_in_flight_at_once "rc $rc, $ok ok, $inflight accepted before the first finished; $(head -c 300 "$SCRATCH/hundred_in_flight.err")"

# A -p the hard limit on open files cannot hold: an error naming the need,
# before any host is contacted (never a silent cap).
before=$(audit_lines)
(ulimit -Sn 128; ulimit -Hn 128
 timeout 20 "$WRIT" run -F "$SCRATCH/ssh_config" --inventory "$inv" \
    -k "$(k ci)" --realm test -p $N -H "h[1-$N]" uptime \
    > "$SCRATCH/nofile.out" 2> "$SCRATCH/nofile.err"; echo $? > "$SCRATCH/nofile.rc")
grep -q "^writ: run: -p $N needs 264 open files and this process may open at most 128" \
    "$SCRATCH/nofile.err" && [ "$(cat "$SCRATCH/nofile.rc")" = 1 ] &&
	[ "$(audit_lines)" = "$before" ] &&
	pass p_beyond_open_file_limit_is_an_error ||
	fail p_beyond_open_file_limit_is_an_error "rc $(cat "$SCRATCH/nofile.rc"): $(cat "$SCRATCH/nofile.err")"
# Within the hard limit, the soft one is raised: 100 hosts under a soft
# limit of 128.
(ulimit -Sn 128
 timeout 60 "$WRIT" run -F "$SCRATCH/ssh_config" --inventory "$inv" \
    --known-hosts "$SSH_DIR/known_hosts" --identity "$SSH_DIR/client_key" \
    -l "$GATE_USER" -k "$(k ci)" --realm test -p $N -H "h[1-$N]" -q uptime \
    > "$SCRATCH/softlimit.out" 2> "$SCRATCH/softlimit.err"; echo $? > "$SCRATCH/softlimit.rc")
[ "$(cat "$SCRATCH/softlimit.rc")" = 0 ] &&
	[ "$(grep -c SUCCESS "$SCRATCH/softlimit.out")" = $N ] &&
	pass soft_open_file_limit_is_raised ||
	fail soft_open_file_limit_is_raised "rc $(cat "$SCRATCH/softlimit.rc"): $(head -c 300 "$SCRATCH/softlimit.err")"

# Connects are paced: at most 128 hosts are in their TCP connect and key
# exchange at once (a storm at one address, a bastion, would overflow its
# listen queue), the rest of -p wait their turn. 300 hosts at a black hole
# that answers nothing: never more than 128 of its sockets open at once
# (give or take the few the hole has not yet seen closed: it looks every
# 50 ms), and every host still ends (a timeout) within its turns.
loopnet HOLE_PORT hole --peaks --life 40
seq 300 | sed "s/.*/[host hole&]\naddress = 127.0.0.1\nport = $HOLE_PORT\nhost_id = web01\n/" \
    > "$SCRATCH/holes.ini"
timeout 60 "$WRIT" run --inventory "$SCRATCH/holes.ini" -k "$(k ci)" --realm test \
    --known-hosts "$SSH_DIR/known_hosts" --connect-timeout 1 -p 300 -q \
    -H 'hole[1-300]' uptime > "$SCRATCH/holes.out" 2> "$SCRATCH/holes.err"
rc=$?
peak=$(grep '^peak ' "$SCRATCH"/loopnet.* 2>/dev/null | tail -n 1 | awk '{ print $2 }')
timeouts=$(grep -c 'FAILURE.* timeout' "$SCRATCH/holes.out")
[ "$rc" = 3 ] && [ "$timeouts" = 300 ] && [ "${peak:-0}" -le 140 ] &&
    [ "${peak:-0}" -ge 100 ] &&
	pass connects_are_paced_at_128 ||
	fail connects_are_paced_at_128 "rc $rc, $timeouts timeouts, peak ${peak:-none}: $(head -c 300 "$SCRATCH/holes.err")"

# A connection cut while the client authenticates (no request sent yet) is
# retried like a cut during key exchange.
loopnet AUTHCUT_PORT proxy "$SSHD_PORT" --cut-first-auth
inventory_add "$inv" "$AUTHCUT_PORT" authcut
known "$AUTHCUT_PORT"
rr auth_cut_is_retried -v --retries 2 -H authcut uptime
[ "$rc" = 0 ] &&
	[ "$(jq -r 'select(.target) | "\(.status) \(.attempts)"' "$SCRATCH/auth_cut_is_retried.json")" = "ok 2" ] &&
	grep -q 'attempt 1: authentication failed: .*; retrying in' "$SCRATCH/auth_cut_is_retried.err" &&
	pass auth_cut_is_retried ||
	fail auth_cut_is_retried "rc $rc: $(head -c 600 "$SCRATCH/auth_cut_is_retried.err")"
# Without --retries it is unreachable, with the reason.
loopnet AUTHCUT2_PORT proxy "$SSHD_PORT" --cut-first-auth
inventory_add "$inv" "$AUTHCUT2_PORT" authcut2
known "$AUTHCUT2_PORT"
rr auth_cut_without_retries -H authcut2 uptime
[ "$rc" = 4 ] &&
	grep -q 'authcut2: unreachable: authentication failed: .' "$SCRATCH/auth_cut_without_retries.err" &&
	pass auth_cut_without_retries_is_unreachable ||
	fail auth_cut_without_retries_is_unreachable "rc $rc: $(head -c 400 "$SCRATCH/auth_cut_without_retries.err")"
# A key the server refuses is never retried.
ssh-keygen -q -t ed25519 -N '' -f "$SCRATCH/stranger_key"
r denied_key_not_retried --inventory "$inv" --json "$SCRATCH/denied.json" \
    --identity "$SCRATCH/stranger_key" --retries 2 -H h1 uptime
[ "$rc" = 4 ] && [ "$(jq -r 'select(.target) | .attempts' "$SCRATCH/denied.json")" = 1 ] &&
	pass denied_key_not_retried ||
	fail denied_key_not_retried "rc $rc: $(head -c 400 "$SCRATCH/denied_key_not_retried.err")"

# Through a ProxyCommand (libssh's socketpair to a child, not a socket of
# its own): a run, and a 4 MiB upload whose writes go through the pipe.
cat >> "$SCRATCH/ssh_config" <<CONF
Host viaproxy
  HostName 127.0.0.1
  Port $SSHD_PORT
  ProxyCommand python3 $SRC/tests/tools/loopnet.py stdio %p
CONF
printf '[host viaproxy]\naddress = viaproxy\nhost_id = web01\n' >> "$inv"
rr proxy_command_run -v -H viaproxy uptime
[ "$rc" = 0 ] && grep -q '^viaproxy: .*load average' "$SCRATCH/proxy_command_run.out" &&
	pass proxy_command_runs ||
	fail proxy_command_runs "rc $rc: $(head -c 400 "$SCRATCH/proxy_command_run.err")"
# -v says how it connected, in plain text: the socketpair has no address
# (its port once came out as bytes read past the unnamed address).
grep -qx 'writ: viaproxy: connected through a proxy command (attempt 1)' \
    "$SCRATCH/proxy_command_run.err" &&
	! grep '^writ: viaproxy: ' "$SCRATCH/proxy_command_run.err" |
	    LC_ALL=C grep -q '[^ -~]' &&
	pass proxy_command_verbose_is_plain_text ||
	fail proxy_command_verbose_is_plain_text "$(head -n 2 "$SCRATCH/proxy_command_run.err" | cat -A)"

# -O ProxyJump: the ProxyCommand OpenSSH's ssh -J would run, through this
# sshd itself. A second key of the gate account may only open a tunnel to
# the gate's port (permitopen; the gate key's forced command and restrict
# allow none), and ssh -W reads the run's -F file, as ssh -J passes its
# own on, for the jump host's key and known_hosts. jumphost2 is the same
# server under a second name (ssh refuses a jump through itself by name).
ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/jump_key" -C jump
printf 'command="/bin/false",restrict,port-forwarding,permitopen="127.0.0.1:%s" %s\n' \
    "$SSHD_PORT" "$(cat "$SSH_DIR/jump_key.pub")" >> "$SSH_DIR/authorized_keys"
jump_block() {
	cat <<CONF
Host jumphost jumphost2
  HostName 127.0.0.1
  Port $SSHD_PORT
  User $GATE_USER
  IdentityFile $SSH_DIR/jump_key
  IdentitiesOnly yes
  UserKnownHostsFile $SSH_DIR/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
CONF
}
jump_block >> "$SCRATCH/ssh_config"
# jumped NAME: NAME ran uptime on h1, and its -v lines are plain text
# saying it went through a proxy command.
jumped() {
	[ "$rc" = 0 ] && grep -q '^h1: .*load average' "$SCRATCH/$1.out" &&
		grep -qx 'writ: h1: connected through a proxy command (attempt 1)' \
		    "$SCRATCH/$1.err" &&
		! grep '^writ: h1: ' "$SCRATCH/$1.err" | LC_ALL=C grep -q '[^ -~]' &&
		pass "$1" ||
		fail "$1" "rc $rc: $(head -c 600 "$SCRATCH/$1.err" | cat -A)"
}
rr proxy_jump_option -v -O ProxyJump=jumphost -H h1 uptime
jumped proxy_jump_option
rr proxy_jump_user_and_port -v -O "ProxyJump=$GATE_USER@jumphost:$SSHD_PORT" -H h1 uptime
jumped proxy_jump_user_and_port
# Two hops, in OpenSSH's order: the last one is ssh -W's, the first its -J.
rr proxy_jump_two_hops -v -O ProxyJump=jumphost,jumphost2 -H h1 uptime
jumped proxy_jump_two_hops
# What goes into the shell line is checked: anything but plain characters
# is refused before any host is contacted, and so is ProxyCommand with it.
rr proxy_jump_shell_text -O 'ProxyJump=jumphost;touch$IFS/tmp/x' -H h1 uptime
[ "$rc" = 2 ] && grep -q -- "-O ProxyJump=jumphost;touch.*want \[user@\]host\[:port\]" \
    "$SCRATCH/proxy_jump_shell_text.err" &&
	pass proxy_jump_refuses_shell_text ||
	fail proxy_jump_refuses_shell_text "rc $rc: $(cat "$SCRATCH/proxy_jump_shell_text.err")"
rr proxy_jump_and_command -O ProxyJump=jumphost -O 'ProxyCommand=nc %h %p' -H h1 uptime
[ "$rc" = 2 ] && grep -q -- '-O ProxyJump and -O ProxyCommand: give one' \
    "$SCRATCH/proxy_jump_and_command.err" &&
	pass proxy_jump_with_proxy_command_is_error ||
	fail proxy_jump_with_proxy_command_is_error "rc $rc: $(cat "$SCRATCH/proxy_jump_and_command.err")"
# ProxyJump from ssh_config: libssh runs "ssh -W ... HOST" without -F, and
# ssh reads the account's ~/.ssh/config (from the password file, not
# $HOME): an ssh first on PATH adds -F with the jump host's block.
mkdir -p "$SCRATCH/sshwrap"
jump_block > "$SCRATCH/jump_config"
printf '#!/bin/sh\nexec /usr/bin/ssh -F %s "$@"\n' "$SCRATCH/jump_config" \
    > "$SCRATCH/sshwrap/ssh"
chmod 0755 "$SCRATCH/sshwrap/ssh"
printf 'Host viajump\n  HostName 127.0.0.1\n  Port %s\n  ProxyJump jumphost\n' \
    "$SSHD_PORT" >> "$SCRATCH/ssh_config"
printf '[host viajump]\naddress = viajump\nhost_id = web01\n' >> "$inv"
PATH=$SCRATCH/sshwrap:$PATH rr proxy_jump_config -v -H viajump uptime
[ "$rc" = 0 ] && grep -qx 'writ: viajump: connected through a proxy command (attempt 1)' \
    "$SCRATCH/proxy_jump_config.err" &&
	! grep '^writ: viajump: ' "$SCRATCH/proxy_jump_config.err" | LC_ALL=C grep -q '[^ -~]' &&
	pass proxy_jump_from_ssh_config ||
	fail proxy_jump_from_ssh_config "rc $rc: $(head -c 600 "$SCRATCH/proxy_jump_config.err" | cat -A)"

# ServerAliveInterval (libssh 0.10 has no keepalive of its own): while the
# op runs, a keepalive after each quiet interval; an answered one keeps the
# host going, and ServerAliveCountMax unanswered end it as a dropped
# session, long before -t. The dead link: a proxy that forwards nothing
# once 3 s of the connection have passed (the op runs 30 s).
rr server_alive_answered -v -O ServerAliveInterval=1 -H h1 hold secs=3
[ "$rc" = 0 ] && grep -q '^writ: h1: keepalive 1 sent' "$SCRATCH/server_alive_answered.err" &&
	pass server_alive_answered_keeps_host ||
	fail server_alive_answered_keeps_host "rc $rc: $(head -c 600 "$SCRATCH/server_alive_answered.err")"
loopnet FREEZE_PORT proxy "$SSHD_PORT" --freeze-after 3
inventory_add "$inv" "$FREEZE_PORT" frozen
known "$FREEZE_PORT"
# alive_ended NAME MAX_MS: NAME's host frozen ended unreachable for want of
# an answer, within MAX_MS.
alive_ended() {
	local got ms
	got=$(jq -r 'select(.target) | "\(.status) \(.reason)"' "$SCRATCH/$1.json")
	ms=$(jq -r 'select(.target) | .duration_ms' "$SCRATCH/$1.json")
	[ "$rc" = 4 ] && [ "$got" = "unreachable server-alive" ] &&
		[ "${ms:-99999}" -lt "$2" ] &&
		grep -q 'frozen: unreachable: server alive timeout: nothing from the server in' \
		    "$SCRATCH/$1.err" &&
		pass "$1" ||
		fail "$1" "rc $rc, $got, ${ms} ms: $(head -c 600 "$SCRATCH/$1.err")"
}
# From ssh_config (the Host block of the target's address), count 3: the
# last answer by 3 s, then 4 quiet intervals.
{ printf 'Host 127.0.0.1\n  ServerAliveInterval 1\n'; cat "$SCRATCH/ssh_config"; } \
    > "$SCRATCH/alive_config"
rr server_alive_from_ssh_config -F "$SCRATCH/alive_config" -t 25 -H frozen hold secs=30
alive_ended server_alive_from_ssh_config 12000
rr server_alive_option -O ServerAliveInterval=1 -O ServerAliveCountMax=1 -t 25 \
    -H frozen hold secs=30
alive_ended server_alive_option 10000
grep -q '(ServerAliveInterval 1, ServerAliveCountMax 1)' "$SCRATCH/server_alive_option.err" &&
	pass server_alive_count_max_option ||
	fail server_alive_count_max_option "$(cat "$SCRATCH/server_alive_option.err")"
# Without it, the dead link holds the host to its deadline.
rr server_alive_off -t 6 -H frozen hold secs=30
got=$(jq -r 'select(.target) | "\(.status) \(.reason)"' "$SCRATCH/server_alive_off.json")
[ "$got" = "timeout deadline" ] && pass server_alive_off_waits_for_deadline ||
	fail server_alive_off_waits_for_deadline "rc $rc, $got"
rr server_alive_bad -O ServerAliveInterval=soon -H h1 uptime
[ "$rc" = 2 ] && grep -q -- '-O ServerAliveInterval=soon: want a number' \
    "$SCRATCH/server_alive_bad.err" &&
	pass server_alive_bad_value_is_error ||
	fail server_alive_bad_value_is_error "rc $rc: $(cat "$SCRATCH/server_alive_bad.err")"

# A peer that stops reading while a file is sent: the other host's upload
# ends whole and at once, the stalled one at its deadline; nothing holds the
# loop. (4 MiB: far more than the socket buffers and a channel window.)
mkdir -p "$SCRATCH/up"
gate_own "$SCRATCH/up"
chmod 0755 "$SCRATCH/up"
head -c 4194304 /dev/urandom > "$SCRATCH/big.bin"
loopnet STALL_PORT proxy "$SSHD_PORT" --stall-after 200000
inventory_add "$inv" "$STALL_PORT" stall
known "$STALL_PORT"
start=$(date +%s%N)
timeout 60 "$WRIT" put -F "$SCRATCH/ssh_config" --inventory "$inv" \
    --known-hosts "$SSH_DIR/known_hosts" --identity "$SSH_DIR/client_key" \
    -l "$GATE_USER" -k "$(k ci)" --realm test --connect-timeout 30 -t 6 \
    --json "$SCRATCH/stall.json" -H h1,stall put "$SCRATCH/big.bin" name=big.bin \
    > "$SCRATCH/stall.out" 2> "$SCRATCH/stall.err"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
got=$(jq -r 'select(.target) | "\(.target)=\(.status)"' "$SCRATCH/stall.json" | sort | tr '\n' ' ')
fast=$(jq -r 'select(.target == "h1") | .duration_ms' "$SCRATCH/stall.json")
[ "$rc" = 3 ] && [ "$got" = "h1=ok stall=timeout " ] &&
	cmp -s "$SCRATCH/big.bin" "$SCRATCH/up/big.bin" &&
	pass stalled_peer_does_not_hold_others ||
	fail stalled_peer_does_not_hold_others "rc $rc, $got, h1 ${fast} ms, run ${ms} ms: $(head -c 400 "$SCRATCH/stall.err")"
[ "$got" = "h1=ok stall=timeout " ] && [ "$ms" -lt 15000 ] &&
	[ "${fast:-99999}" -lt 5000 ] &&
	pass stalled_peer_is_bounded_by_its_deadline ||
	fail stalled_peer_is_bounded_by_its_deadline "run ${ms} ms, h1 ${fast} ms"
rm -f "$SCRATCH/up/big.bin"
timeout 60 "$WRIT" put -F "$SCRATCH/ssh_config" --inventory "$inv" \
    --known-hosts "$SSH_DIR/known_hosts" --identity "$SSH_DIR/client_key" \
    -l "$GATE_USER" -k "$(k ci)" --realm test -H viaproxy \
    put "$SCRATCH/big.bin" name=big.bin > "$SCRATCH/proxyput.out" 2> "$SCRATCH/proxyput.err"
rc=$?
[ "$rc" = 0 ] && cmp -s "$SCRATCH/big.bin" "$SCRATCH/up/big.bin" &&
	pass proxy_command_carries_an_upload ||
	fail proxy_command_carries_an_upload "rc $rc: $(head -c 400 "$SCRATCH/proxyput.err")"

# @cert-authority: OpenSSH's ssh accepts a host whose certificate a CA in
# known_hosts signed; libssh 0.10 negotiates no certificate host key
# algorithm, so writ refuses such a host by name (with --accept-new too,
# which must not take on first use what a CA was to vouch for), refuses
# -O HostKeyAlgorithms with a certificate name, and works once the host's
# own key is added.
ssh-keygen -q -t ed25519 -N '' -f "$SCRATCH/host_ca" -C host-ca
ssh-keygen -q -s "$SCRATCH/host_ca" -I gate -h -n 127.0.0.1 -V -1d:+1d \
    "$SSH_DIR/host_key.pub"
SSHD_EXTRA_CONFIG="MaxStartups 400:30:800
HostCertificate $SSH_DIR/host_key-cert.pub" sshd_config
sshd_run
{ echo '# CA of the fleet'
  echo "@cert-authority 127.0.0.1,[127.0.0.1]:* $(cat "$SCRATCH/host_ca.pub")"; } \
    > "$SCRATCH/ca_known_hosts"
cp "$SCRATCH/ca_known_hosts" "$SCRATCH/ca_known_hosts.before"
timeout 20 ssh -F /dev/null -p "$SSHD_PORT" -i "$SSH_DIR/client_key" \
    -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$SCRATCH/ca_known_hosts" "$GATE_USER@127.0.0.1" true \
    > /dev/null 2> "$SCRATCH/openssh_ca.err"
# (77: the gate's answer to a command that is not a request: the host key
# was accepted and the login went through.)
[ "$?" = 77 ] && pass cert_authority_accepted_by_openssh ||
	fail cert_authority_accepted_by_openssh "$(cat "$SCRATCH/openssh_ca.err")"
ca_refused() {
	[ "$rc" = 4 ] && grep -q "h1: unreachable: host key SHA256:.* refused: $SCRATCH/ca_known_hosts:2 trusts a @cert-authority for this host, and writ (libssh 0.10) cannot check host certificates; once the key is checked, add the host's own key to known_hosts" \
	    "$SCRATCH/$1.err" && cmp -s "$SCRATCH/ca_known_hosts" "$SCRATCH/ca_known_hosts.before" &&
		pass "$1" || fail "$1" "rc $rc: $(cat "$SCRATCH/$1.err")"
}
KNOWN=$SCRATCH/ca_known_hosts rr cert_authority_refused_by_name -H h1 uptime
ca_refused cert_authority_refused_by_name
KNOWN=$SCRATCH/ca_known_hosts rr cert_authority_not_learnt --accept-new -H h1 uptime
ca_refused cert_authority_not_learnt
KNOWN=$SCRATCH/ca_known_hosts rr cert_algorithm_option \
    -O HostKeyAlgorithms=ssh-ed25519-cert-v01@openssh.com -H h1 uptime
[ "$rc" = 2 ] && grep -q 'cannot check host certificates' "$SCRATCH/cert_algorithm_option.err" &&
	pass cert_host_key_algorithm_is_error ||
	fail cert_host_key_algorithm_is_error "rc $rc: $(cat "$SCRATCH/cert_algorithm_option.err")"
cat "$SSH_DIR/known_hosts" >> "$SCRATCH/ca_known_hosts"
KNOWN=$SCRATCH/ca_known_hosts rr cert_host_with_own_key -H h1 uptime
[ "$rc" = 0 ] && pass cert_host_with_its_own_key_known ||
	fail cert_host_with_its_own_key_known "rc $rc: $(cat "$SCRATCH/cert_host_with_own_key.err")"
