# bench/fleet.sh: what the loopback benchmarks share (sourced by
# bench/fanout and bench/files): messages, one account per host, one sshd
# on a free loopback port with a per-account authorized_keys file, the
# Debian packages of the peers. Needs $SCRATCH, $SSH_DIR and $NMAX.
pass() { :; }
fail() { echo "bench: $1: ${2:-}" >&2; exit 1; }
log() { echo "bench: $*" >&2; }

# install_pkgs CMD... -- PKG...: apt-get the packages unless every command
# is already there.
install_pkgs() {
	local cmds=() c missing=0
	while [ "$1" != -- ]; do cmds+=("$1"); shift; done
	shift
	for c in "${cmds[@]}"; do command -v "$c" >/dev/null || missing=1; done
	[ "$missing" = 0 ] && return 0
	log "installing $*"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" \
	    >"$SCRATCH/apt.log" 2>&1 ||
	    { apt-get update -q >/dev/null 2>&1 &&
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" \
	        >"$SCRATCH/apt.log" 2>&1; } ||
	    fail install "apt-get: $(tail -n 3 "$SCRATCH/apt.log")"
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

acct() { printf 'writb%03d' "$1"; }
host() { printf 'b%03d' "$1"; }

# One account a host, created once per machine: shell /bin/sh (root's
# bash would read ~/.bashrc), home /, password "*" (no password, not
# locked: OpenSSH refuses a locked account even for key logins). In group
# nogroup, not one of its own: Debian's range of system ids runs out near
# 900 accounts, so past it they are ordinary accounts.
accounts() {
	local i a
	for i in $(seq "$NMAX"); do
		a=$(acct "$i")
		getent passwd "$a" >/dev/null && continue
		useradd --system -N -g nogroup --no-create-home --home-dir / \
		    --shell /bin/sh -p '*' "$a" 2>/dev/null ||
		    useradd -N -g nogroup --no-create-home --home-dir / \
		    --shell /bin/sh -p '*' "$a" || fail accounts "useradd $a"
	done
}

SSHD_PID=
# sshd_up LOGLEVEL: sshd on $SSHD_PORT, whose settings docs/BENCHMARKS.md
# records: many unauthenticated connections at once (MaxStartups), no
# PAM, a per-account authorized_keys file in the scratch directory, and
# the lines in $SSHD_EXTRA.
sshd_up() {
	local i
	cat > "$SSH_DIR/sshd_config" <<CONF
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $SSH_DIR/host_key
PidFile $SSH_DIR/sshd.pid
AuthorizedKeysFile $SCRATCH/ak/%u
AllowUsers writb*
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
MaxStartups 1000
MaxSessions 1000
LoginGraceTime 60
UseDNS no
LogLevel $1
${SSHD_EXTRA:-}
CONF
	mkdir -p /run/sshd
	/usr/sbin/sshd -t -f "$SSH_DIR/sshd_config" 2>"$SSH_DIR/sshd-t.log" ||
		fail sshd "sshd -t: $(cat "$SSH_DIR/sshd-t.log")"
	rm -f "$SSH_DIR/sshd.pid"
	/usr/sbin/sshd -D -f "$SSH_DIR/sshd_config" -E "$SSH_DIR/sshd.log" \
	    </dev/null &
	SSHD_PID=$!
	for i in $(seq 100); do
		[ -s "$SSH_DIR/sshd.pid" ] && return 0
		sleep 0.05
	done
	fail sshd "no pid file: $(tail -n 3 "$SSH_DIR/sshd.log")"
}

sshd_down() {
	[ -n "$SSHD_PID" ] || return 0
	kill "$SSHD_PID" 2>/dev/null
	wait "$SSHD_PID" 2>/dev/null
	SSHD_PID=
}

