# operations.sh: docs/OPERATIONS.md, run. Every `sh` block of the page runs
# as written, in order, against three real gates (writ-gate --listen
# daemons on loopback, as the gate account when root): on the operator's
# machine (HOME is a scratch home with the client config the page
# assumes), on every gate ("# on every gate": the page's /etc/writ/,
# /var/log/writ/ and /etc/rsyslog.d/ mapped into that gate's scratch root,
# `systemctl reload writ-gate` a SIGHUP of its daemon), or on the log
# server ("# on the log server"). A line ending in "# → exit N" must exit
# N; any other failing command fails its block. Then the TLS forwarding
# the page configures is tried for real: a record logged on a gate's
# rsyslogd arrives at the server's over TLS, its name checked.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_account || { fail gate_account "cannot create $SSHD_ACCOUNT"; exit 1; }
mkdir -p "$SCRATCH/bin"
cp "$WRIT_BUILD/writ-gate" "$WRIT_BUILD/writ-gated" "$SCRATCH/bin/"
GATE=$SCRATCH/bin/writ-gate
chmod 0711 "$SCRATCH"
chmod 0755 "$SCRATCH/bin" "$GATE" "$SCRATCH/bin/writ-gated"
export HOME=$SCRATCH/home PATH=$SCRATCH/bin:$WRIT_BUILD:$PATH
unset WRIT_CONFIG WRIT_KEY WRIT_REALM WRIT_INVENTORY SSH_AUTH_SOCK
mkdir -p "$HOME/.config/writ" "$HOME/.ssh" "$HOME/policy" "$HOME/authority"
HOSTS=(web01 web02 web03)

# The operator's side: keys, the policy (serial 1), the client config.
(cd "$HOME" && writ keygen -W --authority authority/authority &&
    writ keygen -W ops && writ keygen -W ci) >/dev/null 2>&1 ||
	{ fail keys "writ keygen failed"; exit 1; }
cat > "$HOME/policy/policy.ini" <<EOF
[policy]
realm   = prod
serial  = 1
issued  = $(date -u -d '-1 day' +%Y-%m-%dT00:00:00Z)
expires = $(date -u -d '+10 days' +%Y-%m-%dT00:00:00Z)

[signer ops]
key   = $(tail -n 1 "$HOME/ops.pub")
roles = operator

[signer ci]
key   = $(tail -n 1 "$HOME/ci.pub")
roles = deployer

[role operator]
ops   = @status, @policy-update
hosts = *

[role deployer]
ops   = uptime
hosts = web*

[op uptime]
exec    = /usr/bin/uptime
timeout = 10
EOF
# Signed ten days ahead of expiry on purpose: "expires-soon" shows.
writ policy sign -s "$HOME/authority/authority.key" "$HOME/policy/policy.ini" \
    >/dev/null 2>&1 || { fail policy_sign "writ policy sign failed"; exit 1; }
ssh-keygen -q -t ed25519 -N '' -f "$HOME/.ssh/id_ed25519" -C operator
: > "$HOME/known_hosts"
: > "$HOME/fleet.ini"

# The gates: /etc/writ (root's), its policy/ (the gate user's), state and
# audit log, a host key, one daemon each.
declare -A ROOT PID PORT
for h in "${HOSTS[@]}"; do
	R=$SCRATCH/gates/$h
	ROOT[$h]=$R PORT[$h]=$(free_port)
	mkdir -p "$R/etc/writ/policy" "$R/etc/writ/revoked" "$R/var/log/writ" \
	    "$R/var/lib/writ" "$R/rsyslog.d"
	cp "$HOME/authority/authority.pub" "$R/etc/writ/"
	cp "$HOME/policy/policy.ini" "$HOME/policy/policy.ini.minisig" \
	    "$R/etc/writ/policy/"
	ssh-keygen -q -t ed25519 -N '' -f "$R/host_key" -C "$h"
	cat > "$R/etc/writ/gate.ini" <<EOF
[gate]
host_id   = $h
realm     = prod
policy    = $R/etc/writ/policy/policy.ini
trust     = $R/etc/writ/authority.pub
state_dir = $R/var/lib/writ
audit_log = $R/var/log/writ/audit.log
EOF
	[ "$(id -u)" -eq 0 ] && echo "user      = $GATE_USER" >> "$R/etc/writ/gate.ini"
	cp "$HOME/.ssh/id_ed25519.pub" "$R/authorized_keys"
	chmod -R go-w "$SCRATCH/gates"
	chmod 0755 "$SCRATCH/gates" "$R" "$R/etc" "$R/etc/writ" \
	    "$R/etc/writ/policy" "$R/var" "$R/var/log" "$R/var/log/writ" \
	    "$R/var/lib"
	chmod 0644 "$R/etc/writ/gate.ini" "$R/authorized_keys" \
	    "$R/etc/writ/authority.pub" "$R/etc/writ/policy/"*
	chmod 0700 "$R/var/lib/writ"
	gate_own "$R/etc/writ/policy" "$R/var/lib/writ" "$R/var/log/writ"
	"$GATE" --listen "127.0.0.1:${PORT[$h]}" --host-key "$R/host_key" \
	    --authorized-keys "$R/authorized_keys" -c "$R/etc/writ/gate.ini" \
	    --foreground 2>"$R/daemon.log" </dev/null &
	PID[$h]=$!
	at_exit "kill ${PID[$h]} 2>/dev/null"
	printf '[host %s]\naddress = 127.0.0.1\nport = %s\nuser = %s\n\n' \
	    "$h" "${PORT[$h]}" "$GATE_USER" >> "$HOME/fleet.ini"
	echo "[127.0.0.1]:${PORT[$h]} $(cat "$R/host_key.pub")" >> "$HOME/known_hosts"
done
printf '[group prod]\nhosts = web[01-03]\n' >> "$HOME/fleet.ini"
cat > "$HOME/.config/writ/writ.ini" <<EOF
[defaults]
inventory   = ~/fleet.ini
realm       = prod
identity    = ~/.ssh/id_ed25519
known-hosts = ~/known_hosts
EOF
for h in "${HOSTS[@]}"; do
	for _ in $(seq 100); do
		grep -q 'listening on' "${ROOT[$h]}/daemon.log" && break
		sleep 0.05
	done
	grep -q 'listening on' "${ROOT[$h]}/daemon.log" ||
		{ fail "daemon_$h" "$(tail -n 3 "${ROOT[$h]}/daemon.log")"; exit 1; }
done
LOGSRV=$SCRATCH/logsrv
mkdir -p "$LOGSRV/log"

# The page's blocks, as bash scripts: blocks/N.KIND.sh, and a title each.
mkdir -p "$SCRATCH/blocks"
python3 - "$SRC/docs/OPERATIONS.md" "$SCRATCH/blocks" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
out = sys.argv[2]
section = ""
n = 0
lines = text.split("\n")
i = 0
while i < len(lines):
    l = lines[i]
    if l.startswith("## "):
        section = re.sub(r"[^a-z0-9]+", "_", l[3:].lower()).strip("_")
    if l == "```sh":
        body = []
        i += 1
        while lines[i] != "```":
            body.append(lines[i])
            i += 1
        kind = "client"
        if body and body[0] == "# on every gate":
            kind = "gate"
        elif body and body[0] == "# on the log server":
            kind = "logsrv"
        script = ["set -eo pipefail"]
        for b in body:
            m = re.match(r"^(.*\S)\s+# → exit (\d+)$", b)
            if m:
                script.append("set +e; %s; rc=$?; set -e" % m.group(1))
                script.append('[ "$rc" = %s ] || { echo "want exit %s, got $rc: %s" >&2; exit 1; }'
                              % (m.group(2), m.group(2), m.group(1).replace('"', '\\"').replace('$', '\\$')))
            else:
                script.append(b)
        n += 1
        open("%s/%02d.%s.%s.sh" % (out, n, kind, section), "w").write("\n".join(script) + "\n")
    i += 1
PY

# map_for_gate HOST FILE: the page's paths on gate HOST.
map_for_gate() {
	local h=$1 R=${ROOT[$1]}
	sed -e "s|/etc/writ/|$R/etc/writ/|g" -e "s|/var/log/writ/|$R/var/log/writ/|g" \
	    -e "s|/etc/rsyslog.d/|$R/rsyslog.d/|g" \
	    -e "s|systemctl reload writ-gate|kill -HUP ${PID[$h]}; sleep 0.3|g" \
	    -e "s|runuser -u writ-gate --|${AS_GATE[*]}|g" \
	    -e "s|REQUEST_ID|$(jq -r "select(.target == \"$h\") | .request" \
	    "$HOME/run.jsonl" 2>/dev/null)|g" "$2"
}
map_for_logsrv() {
	sed -e "s|/etc/rsyslog.d/|$LOGSRV/|g" -e "s|/var/log/writ/|$LOGSRV/log/|g" "$1"
}

# run_block NAME SCRIPT: runs it bounded; PASS, or FAIL with its output.
run_block() {
	(cd "$HOME" && timeout 120 bash "$2") > "$SCRATCH/block.out" 2>&1
	local rc=$?
	if [ "$rc" = 0 ]; then
		pass "$1"
	else
		fail "$1" "exit $rc: $(tail -c 1500 "$SCRATCH/block.out")"
	fi
}

nblocks=0
for b in "$SCRATCH"/blocks/*.sh; do
	nblocks=$((nblocks + 1))
	name=$(basename "$b" .sh)
	kind=$(echo "$name" | cut -d . -f 2)
	case $kind in
	client)
		run_block "ops_$name" "$b" ;;
	logsrv)
		map_for_logsrv "$b" > "$b.mapped"
		run_block "ops_$name" "$b.mapped" ;;
	gate)
		for h in "${HOSTS[@]}"; do
			# What the key's owner hands to the gates, and what
			# the log server received of this gate's records
			# (here: the daemon's own copy of them).
			cp "$HOME"/ci-2027.pub "${ROOT[$h]}/etc/writ/revoked/" 2>/dev/null
			cp "$LOGSRV/ca.pem" "${ROOT[$h]}/etc/writ/syslog-ca.pem" 2>/dev/null
			grep ' chain=' "${ROOT[$h]}/daemon.log" > \
			    "${ROOT[$h]}/var/log/writ/fleet-audit.log"
			map_for_gate "$h" "$b" > "$b.$h"
			run_block "ops_${name}_$h" "$b.$h"
		done ;;
	esac
done
[ "$nblocks" -ge 14 ] && pass every_block_found ||
	fail every_block_found "only $nblocks sh blocks in docs/OPERATIONS.md"

# What the blocks did, seen from outside.
for h in "${HOSTS[@]}"; do
	grep -q 'deny_keys = ' "${ROOT[$h]}/etc/writ/gate.ini" &&
	    grep -q 'serial  = 4' "${ROOT[$h]}/etc/writ/policy/policy.ini" &&
	    [ -L "${ROOT[$h]}/etc/writ/policy/policy.ini" ] &&
		pass "gate_${h}_has_serial_4_and_the_revocation" ||
		fail "gate_${h}_has_serial_4_and_the_revocation" "$(ls -la "${ROOT[$h]}/etc/writ/policy")"
	ls "${ROOT[$h]}/var/log/writ/" | grep -q '^audit.log-' &&
		pass "gate_${h}_audit_log_rotated" ||
		fail "gate_${h}_audit_log_rotated" "$(ls "${ROOT[$h]}/var/log/writ/")"
done

# The TLS forwarding of the page, for real: the server's config on one
# rsyslogd, web01's forwarding config on another (its own socket as the
# gate's syslog), the name checked against the certificate.
RSYSLOGD=${RSYSLOGD:-$(command -v rsyslogd || echo /usr/sbin/rsyslogd)}
TLS_PORT=$(free_port)
mkdir -p "$LOGSRV/work" "$SCRATCH/sender/work"
sed "s|port=\"6514\"|port=\"$TLS_PORT\"|" "$LOGSRV/50-writ-receive.conf" \
    > "$LOGSRV/receive.conf"
printf 'global(workDirectory="%s")\ninclude(file="%s")\n' "$LOGSRV/work" \
    "$LOGSRV/receive.conf" > "$LOGSRV/main.conf"
F=${ROOT[web01]}/rsyslog.d/60-writ-forward.conf
cp "$LOGSRV/ca.pem" "${ROOT[web01]}/etc/writ/syslog-ca.pem"
sed -e "s|target=\"logs.example.net\"|target=\"127.0.0.1\"|" \
    -e "s|port=\"6514\"|port=\"$TLS_PORT\"|" "$F" > "$SCRATCH/sender/forward.conf"
printf 'global(workDirectory="%s")\nmodule(load="imuxsock" SysSock.Use="off")\ninput(type="imuxsock" Socket="%s")\ninclude(file="%s")\n' \
    "$SCRATCH/sender/work" "$SCRATCH/sender/log.sock" \
    "$SCRATCH/sender/forward.conf" > "$SCRATCH/sender/main.conf"
"$RSYSLOGD" -n -f "$LOGSRV/main.conf" -i "$LOGSRV/pid" 2>"$LOGSRV/err" &
at_exit "kill $! 2>/dev/null"
# The server listens before the gate's rsyslogd starts: a refused first
# connection would only be retried 30 s later.
for _ in $(seq 200); do
	[ -n "$(ss -Hltn "sport = :$TLS_PORT")" ] && break
	sleep 0.05
done
"$RSYSLOGD" -n -f "$SCRATCH/sender/main.conf" -i "$SCRATCH/sender/pid" \
    2>"$SCRATCH/sender/err" &
at_exit "kill $! 2>/dev/null"
for _ in $(seq 100); do
	[ -S "$SCRATCH/sender/log.sock" ] && break
	sleep 0.05
done
rec="event=\"tls-test\" request=\"$(date +%s%N)\" chain=$(printf '%064d' 0)"
logger -u "$SCRATCH/sender/log.sock" -t writ-gate "$rec"
logger -u "$SCRATCH/sender/log.sock" -t other-program "not for the server"
for _ in $(seq 200); do
	grep -qF "$rec" "$LOGSRV/log/fleet-audit.log" 2>/dev/null && break
	sleep 0.05
done
grep -qF "$rec" "$LOGSRV/log/fleet-audit.log" 2>/dev/null &&
	pass tls_forward_delivers_the_gates_records ||
	fail tls_forward_delivers_the_gates_records "server: $(cat "$LOGSRV/err" 2>/dev/null | tail -n 3); sender: $(tail -n 3 "$SCRATCH/sender/err")"
grep -q 'not for the server' "$LOGSRV/log/fleet-audit.log" 2>/dev/null &&
	fail tls_forward_sends_writ_gate_only "another program's line arrived" ||
	pass tls_forward_sends_writ_gate_only
