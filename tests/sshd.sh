# sshd.sh: sourced after lib.sh by the gate's end-to-end tests. Starts the
# real OpenSSH sshd on 127.0.0.1 at a free port with its own host key and
# authorized_keys, whose lines run writ-gate as the forced command, and
# drives it with the real ssh client. After the model of OpenSSH's
# regress/test-exec.sh.
#
# As root (CI), sshd logs in a dedicated account whose shell is /bin/sh
# (root's bash would source ~/.bashrc for forced commands); otherwise sshd
# runs as, and logs in, the current user.
#
#   gate_setup         keys (GATE_DIR/authority.key an authority key; ci,
#                      rm, outsider signer keys), a policy signed by the
#                      authority, gate.ini,
#                      state dir; sets GATE_DIR, GATE_USER, CLIENT_KEY ...
#   sshd_start         starts sshd (after gate_setup and any authorize line)
#   authorize KEY CMD  adds a forced-command line for KEY.pub
#   gate_ssh ARGS...   ssh to the gate account with the test client key
#   send NAME ARGS...  mkrequest ARGS | ssh writ-request-v1 -> NAME.{verdict,
#                      stdout,stderr,end,rc}
#   sshd_stop          (also run at exit)
#
# GATE_BACKEND=daemon (tests/run sets it for a second run of the suites
# that work with both): sshd_start starts `writ-gate --listen` on the same
# port, host key and known_hosts instead of sshd, with the keys that
# `authorize` gave (their commands dropped: the daemon always runs the gate
# on gate.ini), and sends it SIGHUP when gate.ini changes, since the daemon
# reads gate.ini at start and on SIGHUP where sshd's forced command reads
# it per session.

SSHD_ACCOUNT=writgate
GATE=$SCRATCH/bin/writ-gate
MKREQUEST=$WRIT_BUILD/tests/tools/mkrequest
FRAMES=$WRIT_BUILD/tests/tools/frames
SSH_DIR=$SCRATCH/ssh
SSHD_PREFIX=()
SSHD_PID=
GATE_DIR=$SCRATCH/gate
FILES_DIR=$SCRATCH/files
GATE_BACKEND=${GATE_BACKEND:-sshd}

# The account sshd logs in; created once per machine when run as root.
# AS_GATE: a command prefix that runs a command as that account (for
# `t "${AS_GATE[@]}" CMD`: the state directory must be the gate's own).
gate_account() {
	if [ "$(id -u)" -ne 0 ]; then
		GATE_USER=$(id -un)
		AS_GATE=()
		return
	fi
	GATE_USER=$SSHD_ACCOUNT
	AS_GATE=(runuser -u "$GATE_USER" --)
	if ! getent passwd "$GATE_USER" >/dev/null; then
		useradd --system --no-create-home --home-dir / \
		    --shell /bin/sh "$GATE_USER" || return 1
	fi
	# OpenSSH refuses a locked ("!") password even for key logins
	# without PAM; "*" means no password, not locked. Home "/" spares
	# every session sshd's "could not chdir" line.
	usermod -p '*' -d / "$GATE_USER"
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Files the gate account reads or writes are its own; the scratch
# directory itself only needs to be traversable.
gate_own() {
	[ "$(id -u)" -eq 0 ] && chown -R "$GATE_USER" "$@"
	return 0
}

gate_setup() {
	gate_account || { fail gate_account "cannot create $SSHD_ACCOUNT"; exit 1; }
	chmod 0711 "$SCRATCH"
	mkdir -p "$SCRATCH/bin" "$SSH_DIR" "$GATE_DIR/state" "$FILES_DIR"
	chmod 0755 "$FILES_DIR"
	cp "$WRIT_BUILD/writ-gate" "$WRIT_BUILD/writ-gated" "$(dirname "$GATE")/"
	cp "$SRC/tests/ops/ignore-term" "$SCRATCH/bin/"
	chmod 0755 "$SCRATCH/bin" "$GATE" "$SCRATCH/bin/writ-gated" \
	    "$SCRATCH/bin/ignore-term"
	ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/host_key" -C host
	ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/client_key" -C client
	: > "$SSH_DIR/authorized_keys"
	# The authority signs the policy; ci, rm and outsider sign requests.
	(cd "$GATE_DIR" &&
	    "$WRIT" keygen -W --authority authority >/dev/null 2>&1 &&
	    for k in ci rm outsider; do
		"$WRIT" keygen -W "$k" >/dev/null 2>&1 || exit 1
	    done) || { fail gate_keys "writ keygen failed"; exit 1; }
	write_policy 1
	write_gate_ini
	gate_own "$GATE_DIR"
	chmod 0755 "$GATE_DIR"
	chmod 0700 "$GATE_DIR/state"
}

# write_policy SERIAL [extra ops...]: the test policy, signed. Ops:
#   uptime, echo {word}, env, fds, sleeper, spew, restart {unit} (2
#   approvals, lock), note (message required), locked (lock, sleeps), cat
#   (stdin), ignore-term {dir}, big (max_output 1000), fail (exit 3),
#   download (/etc/{name}), canary {path} (touches path: what refusals
#   must never run); downloads from $SCRATCH/files (FILES_DIR, made here,
#   readable by the gate account): fetch {name} (max_size 200M), fetch-small
#   {name} (1K), fetch-path {path} (slashes allowed), fetch-dev {name}
#   (/dev/zero or /dev/null); uploads into ${UPLOAD_DIR:-$SCRATCH/up} (role
#   uploader, signer ci): put {name} (no exec, mode 0640, 200M),
#   put-replace {name} (replace = yes, runs wc -c {upload}, 1M), put-sub
#   {dir}/{name} (1K).
# POLICY_ISSUED, POLICY_EXPIRES and POLICY_NOTE (a comment) change it.
write_policy() {
	local serial=$1 issued expires
	issued=${POLICY_ISSUED:-$(date -u -d '-1 day' +%Y-%m-%dT00:00:00Z)}
	expires=${POLICY_EXPIRES:-$(date -u -d '+30 days' +%Y-%m-%dT00:00:00Z)}
	cat > "$GATE_DIR/policy.ini" <<POLICY
; ${POLICY_NOTE:-test policy}
[policy]
realm   = test
serial  = $serial
issued  = $issued
expires = $expires

[signer ci]
key   = $(tail -n 1 "$GATE_DIR/ci.pub")
roles = deployer, uploader

[signer rm]
key   = $(tail -n 1 "$GATE_DIR/rm.pub")
roles = deployer

[role deployer]
ops   = uptime, echo, env, fds, sleeper, restart, note, locked, cat, ignore-term, big, fail, download, canary, whoami, fetch, fetch-small, fetch-path, fetch-dev
hosts = web*

[role uploader]
ops   = put, put-replace, put-sub
hosts = web*

[op put]
upload     = ${UPLOAD_DIR:-$SCRATCH/up}/{name}
param.name = [A-Za-z0-9._-]+
max_size   = 200M
mode       = 0640
timeout    = 10

[op put-replace]
upload     = ${UPLOAD_DIR:-$SCRATCH/up}/{name}
param.name = [A-Za-z0-9._-]+
max_size   = 1M
replace    = yes
exec       = /usr/bin/wc -c {upload}
timeout    = 10

[op put-sub]
upload     = ${UPLOAD_DIR:-$SCRATCH/up}/{dir}/{name}
param.dir  = [A-Za-z0-9._-]+
param.name = [A-Za-z0-9._-]+
max_size   = 1K
timeout    = 10

[op uptime]
exec    = /usr/bin/uptime
timeout = 10

[op echo]
exec       = /bin/echo {word}
param.word = [a-z0-9;| &*.-]+
param.word.allow = dash
timeout    = 10

[op env]
exec    = /usr/bin/env
env     = WRIT_OP=env
timeout = 10

[op fds]
exec    = /bin/ls /proc/self/fd
timeout = 10

[op sleeper]
exec    = /bin/sleep {secs}
param.secs = [0-9]+
timeout = 2
kill_grace = 1

[op restart]
exec       = /bin/echo restarting {unit}
param.unit = (nginx|php-fpm)\.service
timeout    = 10
approvals  = 2

[op note]
exec    = /bin/echo noted
message = required
timeout = 10

[op locked]
exec    = /bin/sleep 3
timeout = 10
lock    = service

[op cat]
exec    = /bin/cat
stdin   = yes
max_stdin = 4K
timeout = 10

[op ignore-term]
exec    = $SCRATCH/bin/ignore-term {dir}
param.dir = /[A-Za-z0-9/._-]+
param.dir.allow = slash
timeout = 1
kill_grace = 1

[op whoami]
exec    = /usr/bin/id -un
timeout = 10

[op canary]
exec    = /usr/bin/touch {path}
param.path = /[A-Za-z0-9/._-]+
param.path.allow = slash
timeout = 10

[op big]
exec    = /usr/bin/head -c 100000 /dev/zero
max_output = 1000
timeout = 10

[op fail]
exec    = /bin/sh -c {script}
param.script = exit 3
timeout = 10

[op download]
download = /etc/{name}
param.name = hostname
max_size = 1K
timeout = 10

[op fetch]
download   = $FILES_DIR/{name}
param.name = [A-Za-z0-9._-]+
max_size   = 200M
timeout    = 30

[op fetch-small]
download   = $FILES_DIR/{name}
param.name = [A-Za-z0-9._-]+
max_size   = 1K
timeout    = 10

[op fetch-path]
download   = $FILES_DIR/{path}
param.path = [A-Za-z0-9._/-]+
param.path.allow = slash
max_size   = 200M
timeout    = 30

[op fetch-dev]
download   = /dev/{name}
param.name = zero|null
max_size   = 1K
timeout    = 5
POLICY
	(cd "$GATE_DIR" && policy_signer "$issued" "$expires" "$WRIT" policy sign \
	    -s authority.key policy.ini >/dev/null) ||
		fail "policy_sign_$serial" "writ policy sign failed"
	gate_own "$GATE_DIR/policy.ini" "$GATE_DIR/policy.ini.minisig"
}

# policy_signer ISSUED EXPIRES CMD...: runs CMD, under libfaketime at the
# middle of ISSUED..EXPIRES when EXPIRES is past: writ policy sign refuses
# an expired policy, and the gate's refusal of one needs one signed while
# it was valid. (ASan must come first among preloads; faketime preloads
# itself.)
policy_signer() {
	local from to
	from=$(date -d "$1" +%s) to=$(date -d "$2" +%s)
	shift 2
	if [ "$to" -gt "$(date +%s)" ]; then
		"$@"
		return
	fi
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	    faketime "$(date -d "@$(( (from + to) / 2 ))" '+%Y-%m-%d %H:%M:%S')" "$@"
}

# write_gate_ini [extra lines]: the gate config, host id web01.
write_gate_ini() {
	cat > "$GATE_DIR/gate.ini" <<INI
[gate]
host_id   = web01
realm     = test
policy    = $GATE_DIR/policy.ini
trust     = $GATE_DIR/authority.pub
state_dir = $GATE_DIR/state
audit_log = $GATE_DIR/audit.log
syslog_facility = local3
${1:-}
INI
	gate_own "$GATE_DIR/gate.ini"
	gate_ini_changed
}

# gate_ini_changed: after gate.ini was edited. sshd's forced command reads
# it every session; the daemon reloads on SIGHUP (daemon_reload).
gate_ini_changed() {
	[ "$GATE_BACKEND" = daemon ] && [ -n "$SSHD_PID" ] && daemon_reload
	return 0
}

# daemon_reload: the daemon's copy of gate.ini written again, SIGHUP, and a
# wait for its answer. A gate.ini it refuses to reload (it keeps the old
# one) gets a restart instead, which fails as the forced command would.
daemon_reload() {
	local log=$SSH_DIR/daemon-$SSHD_PORT.log before i
	daemon_ini "$GATE_DIR/gate.ini" "$SSHD_PORT" >/dev/null
	before=$(grep -c 'reloaded \|reload failed' "$log")
	kill -HUP "$SSHD_PID"
	for i in $(seq 200); do
		[ "$(grep -c 'reloaded \|reload failed' "$log")" -gt "$before" ] && break
		sleep 0.05
	done
	if [ "$(grep -c 'reloaded \|reload failed' "$log")" = "$before" ] ||
	    grep 'reloaded \|reload failed' "$log" | tail -n 1 | grep -q 'reload failed'; then
		sshd_run
	fi
	return 0
}

# daemon_ini GATE_INI PORT: the gate.ini the daemon on PORT reads (printed):
# GATE_INI itself, or as root a copy, with `user` added when it has none,
# for the daemon to drop to the gate account.
daemon_ini() {
	local ini=$1 copy=$SSH_DIR/daemon-$2.ini
	[ "$(id -u)" -eq 0 ] || { echo "$ini"; return; }
	{
		cat "$ini"
		grep -q '^user' "$ini" || echo "user = $GATE_USER"
	} > "$copy"
	# Read again on SIGHUP, by the account the daemon dropped to.
	chmod 0644 "$copy"
	echo "$copy"
}

# authorize KEYFILE COMMAND: KEYFILE.pub may log in, and always runs COMMAND.
authorize() {
	printf 'command="%s",restrict %s\n' "$2" "$(cat "$1.pub")" \
	    >> "$SSH_DIR/authorized_keys"
	cat "$1.pub" >> "$SSH_DIR/listen_keys"
}

sshd_start() {
	SSHD_PORT=$(free_port)
	[ -s "$SSH_DIR/authorized_keys" ] ||
		authorize "$SSH_DIR/client_key" "$GATE -c $GATE_DIR/gate.ini"
	[ "$GATE_BACKEND" = daemon ] || sshd_config
	echo "[127.0.0.1]:$SSHD_PORT $(cat "$SSH_DIR/host_key.pub")" \
	    > "$SSH_DIR/known_hosts"
	sshd_run
	at_exit sshd_stop
}

sshd_config() {
	mkdir -p /run/sshd 2>/dev/null
	cat > "$SSH_DIR/sshd_config" <<CONF
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $SSH_DIR/host_key
PidFile $SSH_DIR/sshd.pid
AuthorizedKeysFile $SSH_DIR/authorized_keys
AllowUsers $GATE_USER
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
Subsystem sftp internal-sftp
LogLevel VERBOSE
${SSHD_EXTRA_CONFIG:-}
CONF
	# sshd reads authorized_keys as the account it logs in.
	chmod 0755 "$SSH_DIR"
	chmod 0644 "$SSH_DIR/authorized_keys"
	if ! /usr/sbin/sshd -t -f "$SSH_DIR/sshd_config" 2>"$SSH_DIR/sshd-t.log"; then
		fail sshd_config "sshd -t: $(cat "$SSH_DIR/sshd-t.log")"
		exit 1
	fi
}

# sshd_run: (re)starts sshd on the written config, in the foreground of a
# background job so that $SSHD_PID is sshd itself; "${SSHD_PREFIX[@]}" (e.g.
# rsyslog.sh's LOG_NS) goes before it. With GATE_BACKEND=daemon, (re)starts
# the daemon instead.
sshd_run() {
	local i
	sshd_stop
	if [ "$GATE_BACKEND" = daemon ]; then
		daemon_run "$SSHD_PORT" "$GATE_DIR/gate.ini" SSHD_PID
		return
	fi
	rm -f "$SSH_DIR/sshd.pid"
	"${SSHD_PREFIX[@]}" /usr/sbin/sshd -D -f "$SSH_DIR/sshd_config" \
	    -E "$SSH_DIR/sshd.log" </dev/null &
	SSHD_PID=$!
	for i in $(seq 100); do
		[ -s "$SSH_DIR/sshd.pid" ] && return 0
		sleep 0.05
	done
	fail sshd_start "sshd wrote no pid file: $(tail -n 3 "$SSH_DIR/sshd.log")"
	exit 1
}

# daemon_run PORT GATE_INI PIDVAR: writ-gate --listen on 127.0.0.1:PORT with
# the test host key and the keys `authorize` gave, in the foreground of a
# background job (its pid in PIDVAR), as gate_listen.sh runs it: as root it
# drops to the gate account, named by a copy of GATE_INI with `user` added.
daemon_run() {
	local port=$1 ini=$2 pidvar=$3 log=$SSH_DIR/daemon-$1.log pid i
	ini=$(daemon_ini "$ini" "$port")
	# SIGHUP reads the keys and gate.ini again as the dropped account,
	# and looks at (does not read) the host key.
	chmod 0711 "$SSH_DIR"
	[ -e "$SSH_DIR/listen_keys" ] && chmod 0644 "$SSH_DIR/listen_keys"
	: > "$log"
	"${SSHD_PREFIX[@]}" "$GATE" --listen "127.0.0.1:$port" \
	    --host-key "$SSH_DIR/host_key" --authorized-keys "$SSH_DIR/listen_keys" \
	    -c "$ini" --foreground 2>>"$log" </dev/null &
	pid=$!
	printf -v "$pidvar" '%s' "$pid"
	for i in $(seq 100); do
		grep -q 'listening on' "$log" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	fail daemon_start "writ-gate --listen did not start: $(tail -n 3 "$log")"
	exit 1
}

sshd_stop() {
	if [ -n "${SSHD_PID:-}" ]; then
		kill "$SSHD_PID" 2>/dev/null
		# The next start may take the same port.
		wait "$SSHD_PID" 2>/dev/null
	fi
	SSHD_PID=
}

# gate_ssh [-i KEY] ARGS...: the real ssh client, strict host key checking.
gate_ssh() {
	local key=$SSH_DIR/client_key
	if [ "${1:-}" = -i ]; then key=$2; shift 2; fi
	ssh -F /dev/null -p "$SSHD_PORT" -i "$key" -o IdentitiesOnly=yes \
	    -o BatchMode=yes -o StrictHostKeyChecking=yes \
	    -o UserKnownHostsFile="$SSH_DIR/known_hosts" -o ConnectTimeout=5 \
	    -o LogLevel=ERROR "$GATE_USER@127.0.0.1" "$@"
}

# send NAME [--key-of-ssh KEY] MKREQUEST-ARGS...: builds a request (keys are
# names in GATE_DIR: ci, rm, outsider), sends it, splits the answer.
send() {
	local name=$1 sshkey=$SSH_DIR/client_key
	shift
	if [ "${1:-}" = --ssh-key ]; then sshkey=$2; shift 2; fi
	"$MKREQUEST" "$@" > "$SCRATCH/$name.req" || {
		fail "$name" "mkrequest failed"; return 1; }
	send_raw "$name" "$sshkey" < "$SCRATCH/$name.req"
}

# send_raw NAME SSHKEY < bytes: sends bytes as they are.
send_raw() {
	local name=$1 sshkey=$2
	timeout 30 ssh -F /dev/null -p "$SSHD_PORT" -i "$sshkey" \
	    -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
	    -o UserKnownHostsFile="$SSH_DIR/known_hosts" -o ConnectTimeout=5 \
	    -o LogLevel=ERROR "$GATE_USER@127.0.0.1" writ-request-v1 \
	    > "$SCRATCH/$name.out" 2> "$SCRATCH/$name.err"
	echo $? > "$SCRATCH/$name.rc"
	"$FRAMES" "$SCRATCH/$name" < "$SCRATCH/$name.out" 2>>"$SCRATCH/$name.err"
}

# k NAME: the path of a test signing key.
k() { echo "$GATE_DIR/$1.key"; }

# req ARGS: the usual request fields for host web01, realm test.
req() { echo --host web01 --realm test "$@"; }

# verdict_is TEST NAME 'prefix': NAME's verdict frame starts with prefix.
verdict_is() {
	local got
	got=$(cat "$SCRATCH/$2.verdict" 2>/dev/null)
	case "$got" in
	"$3"*) pass "$1" ;;
	*) fail "$1" "verdict '$got', want '$3...'; rc $(cat "$SCRATCH/$2.rc"); stderr: $(head -c 300 "$SCRATCH/$2.err")" ;;
	esac
}

# client_fleet: after sshd_start, an ssh_config in which web01, web02 and
# db01 all reach this one gate (host id web01, so only web01 is accepted)
# and "dead" is a closed port; sets DEAD_PORT.
client_fleet() {
	DEAD_PORT=$(free_port)
	cat > "$SCRATCH/ssh_config" <<CONF
Host web01 web02 db01
  HostName 127.0.0.1
  Port $SSHD_PORT
Host dead
  HostName 127.0.0.1
  Port $DEAD_PORT
CONF
}

# r NAME ARGS...: writ run with the test's SSH settings (KNOWN may name
# another known_hosts file; RUN_KEY another signing key than ci's; RUN_CMD
# another command of the run family: "status", "policy push"; IDENTITY
# another --identity, or none when set and empty), never an ssh-agent;
# stdout in NAME.out, stderr in NAME.err, status in $rc; bounded.
r() {
	local name=$1 id=${IDENTITY-$SSH_DIR/client_key}
	shift
	# shellcheck disable=SC2086 # RUN_CMD may be two words
	timeout 60 env -u SSH_AUTH_SOCK "$WRIT" ${RUN_CMD:-run} \
	    -F "$SCRATCH/ssh_config" \
	    --known-hosts "${KNOWN:-$SSH_DIR/known_hosts}" \
	    ${id:+--identity "$id"} -l "$GATE_USER" \
	    -k "${RUN_KEY:-$(k ci)}" --realm test --connect-timeout 5 "$@" \
	    > "$SCRATCH/$name.out" 2> "$SCRATCH/$name.err" </dev/null
	rc=$?
}

# loopnet VAR ARGS...: tests/tools/loopnet.py ARGS in the background (a
# black hole, or a proxy to the gate that is slow or drops a link), killed
# when the test ends; its port in $VAR.
loopnet() {
	local var=$1 out pid i
	shift
	out=$(mktemp "$SCRATCH/loopnet.XXXXXX")
	python3 "$SRC/tests/tools/loopnet.py" "$@" > "$out" &
	pid=$!
	at_exit "kill $pid 2>/dev/null"
	for i in $(seq 100); do [ -s "$out" ] && break; sleep 0.05; done
	printf -v "$var" '%s' "$(head -n 1 "$out")"
}

# inventory_add FILE PORT NAME...: inventory hosts NAME on 127.0.0.1:PORT
# with host id web01, the gate's: many targets, one gate.
inventory_add() {
	local file=$1 port=$2 h
	shift 2
	for h in "$@"; do
		printf '[host %s]\naddress = 127.0.0.1\nport = %s\nhost_id = web01\n\n' \
		    "$h" "$port" >> "$file"
	done
}

# add_ops NAME...: ops NAME (exec $SCRATCH/bin/NAME, copied from tests/ops/
# when it is there, else written by the test; timeout 10 s, 4M of output)
# added to the test policy and its first role, and the policy signed again.
add_ops() {
	local op
	for op in "$@"; do
		[ -e "$SRC/tests/ops/$op" ] && cp "$SRC/tests/ops/$op" "$SCRATCH/bin/"
		chmod 0755 "$SCRATCH/bin/$op"
		sed -i -e "0,/^ops   = /s//ops   = $op, /" "$GATE_DIR/policy.ini"
		printf '\n[op %s]\nexec    = %s\ntimeout = 10\nmax_output = 4M\n' \
		    "$op" "$SCRATCH/bin/$op" >> "$GATE_DIR/policy.ini"
	done
	(cd "$GATE_DIR" && "$WRIT" policy sign -s authority.key policy.ini >/dev/null) ||
		fail add_ops "writ policy sign failed"
	gate_own "$GATE_DIR/policy.ini" "$GATE_DIR/policy.ini.minisig"
}

# grant_builtins [FILE]: in the test policy (or FILE, a copy of it), ci
# (not rm) holds a role with both built-ins, @status and @policy-update;
# signed again.
grant_builtins() {
	sed -i 's/^roles = deployer, uploader$/roles = deployer, uploader, admin/' \
	    "${1:-$GATE_DIR/policy.ini}"
	printf '\n[role admin]\nops   = @status, @policy-update\nhosts = web*\n' \
	    >> "${1:-$GATE_DIR/policy.ini}"
	policy_signer "$(sed -n 's/^issued *= *//p' "${1:-$GATE_DIR/policy.ini}")" \
	    "$(sed -n 's/^expires *= *//p' "${1:-$GATE_DIR/policy.ini}")" \
	    "$WRIT" policy sign -s "$GATE_DIR/authority.key" \
	    "${1:-$GATE_DIR/policy.ini}" >/dev/null || fail grant_builtins "sign"
	gate_own "${1:-$GATE_DIR/policy.ini}" "${1:-$GATE_DIR/policy.ini}.minisig"
}

# three_gates_start: after gate.ini, gate2.ini and gate3.ini are written
# (host ids web01..web03), sshd (or three daemons) serving them on
# SSHD_PORT, PORT2 and PORT3, and an ssh_config naming web01..web03.
three_gates_start() {
	PORT2=$(free_port)
	PORT3=$(free_port)
	if [ "$GATE_BACKEND" = daemon ]; then
		# A daemon a gate, each on its own port.
		sshd_start
		daemon_run "$PORT2" "$GATE_DIR/gate2.ini" PID2
		daemon_run "$PORT3" "$GATE_DIR/gate3.ini" PID3
		at_exit "kill $PID2 $PID3 2>/dev/null"
	else
		# One sshd listening on three ports; the forced command picks the
		# gate by the port the client came in on (SSH_CONNECTION's fourth
		# field).
		cat > "$SCRATCH/bin/pick-gate" <<SH
#!/bin/sh
set -- \$SSH_CONNECTION
case "\$4" in
$PORT2) exec $GATE -c $GATE_DIR/gate2.ini ;;
$PORT3) exec $GATE -c $GATE_DIR/gate3.ini ;;
*) exec $GATE -c $GATE_DIR/gate.ini ;;
esac
SH
		chmod 0755 "$SCRATCH/bin/pick-gate"
		authorize "$SSH_DIR/client_key" "$SCRATCH/bin/pick-gate"
		sshd_start
		printf 'Port %s\nPort %s\n' "$PORT2" "$PORT3" >> "$SSH_DIR/sshd_config"
		sshd_run
	fi
	for port in "$PORT2" "$PORT3"; do
		echo "[127.0.0.1]:$port $(cat "$SSH_DIR/host_key.pub")" >> "$SSH_DIR/known_hosts"
	done
	# One block a host: libssh matches later Host lines against HostName.
	cat > "$SCRATCH/ssh_config" <<CONF
Host web01
  HostName 127.0.0.1
  Port $SSHD_PORT
Host web02
  HostName 127.0.0.1
  Port $PORT2
Host web03
  HostName 127.0.0.1
  Port $PORT3
CONF
}

# gate_ini_for N: GATE_DIR/gateN.ini, gate.ini for host id web0N with its
# own policyN.ini, stateN/ (made here) and auditN.log.
gate_ini_for() {
	local n=$1
	mkdir -p "$GATE_DIR/state$n"
	sed -e "s/^host_id .*/host_id = web0$n/" \
	    -e "s|/policy.ini|/policy$n.ini|" -e "s|/state\$|/state$n|" \
	    -e "s|/audit.log|/audit$n.log|" "$GATE_DIR/gate.ini" \
	    > "$GATE_DIR/gate$n.ini"
}
