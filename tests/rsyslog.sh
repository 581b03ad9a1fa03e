# rsyslog.sh: a real rsyslogd for one test, and a private mount namespace in
# which /dev/log is that rsyslogd's socket, so programs under test log with
# syslog(3) exactly as on a host, without touching the machine's syslog.
# Source it after lib.sh (which cd-s to $SCRATCH):  . "$SRC/tests/rsyslog.sh"
#
#   rsyslog_start NAME...  starts rsyslogd for this test; returns 0. Where it
#                          cannot run (not root, no rsyslogd or unshare, mount
#                          namespaces refused) prints "SKIP NAME: why" for
#                          each NAME and returns 77; if rsyslogd fails, prints
#                          "FAIL rsyslog_start: why" and returns 1. Typical:
#                          rsyslog_start case_a case_b || exit 0
#   rsyslog_stop           stops it; rsyslog_start registers it with lib.sh's
#                          at_exit.
#   rsyslog_wait TEXT [S]  waits up to S seconds (default 10) for a line
#                          holding the fixed string TEXT in $RSYSLOG_OUT.
#   rsyslog_one REQID TEXT...  waits for a record of request REQID, then
#                          succeeds when exactly one line holds "REQID" and
#                          that line every fixed string TEXT; the lines of
#                          REQID are left in $RSYSLOG_LINES, for a message.
#   in_log_ns CMD...       runs CMD in the foreground in a private mount
#                          namespace where /dev/log is $RSYSLOG_SOCK; its
#                          status is CMD's. Children (sshd, its gates) stay
#                          in that namespace.
#   in_log_ns_bg CMD...    the same in the background; $LOG_NS_PID is CMD's
#                          own pid (setpriv, unshare and sh exec into it),
#                          to kill. Building the namespace takes ~0.3 s.
#   "${LOG_NS[@]}" CMD...  the same as a plain command prefix (an array), for
#                          lib.sh's t, which runs programs, not functions:
#                          t "${LOG_NS[@]}" CMD...
#
# Variables (set when this file is sourced):
#   RSYSLOG_DIR   $SCRATCH/rsyslog: config, pid file, work dir, socket
#   RSYSLOG_SOCK  the socket rsyslogd reads (mode 0666: any uid may log)
#   RSYSLOG_OUT   every message, one line each, as
#                 "FACILITY.SEVERITY PROGRAMNAME[PID]: MESSAGE"
#                 e.g. "authpriv.notice writ-gate[4242]: event="accepted" ..."
#   RSYSLOG_PID   rsyslogd's pid
# RSYSLOGD may name the rsyslogd binary (default: from PATH or /usr/sbin).
#
# Why a private /dev: glibc's syslog(3) always connects to /dev/log, and /dev
# is usually the host's devtmpfs, shared by every mount namespace, so even
# creating /dev/log there (needed as a bind-mount target when the machine has
# no syslog socket) would change the host. Instead, inside the namespace a
# small tmpfs is mounted on /dev, every entry of the real /dev is bind-mounted
# (directories such as pts and shm recursively) or, for symlinks, copied into
# it, and an empty file there becomes the mount point for our socket. The
# host's /dev, and its /dev/log if any, are never written. All mounts are
# private and vanish with the namespace's last process.

RSYSLOG_DIR=$SCRATCH/rsyslog
RSYSLOG_CONF=$RSYSLOG_DIR/rsyslog.conf
RSYSLOG_SOCK=$RSYSLOG_DIR/log.sock
RSYSLOG_OUT=$RSYSLOG_DIR/syslog.txt
RSYSLOG_PID=
LOG_NS_PID=

# The script run by sh inside the new namespace: $1 the socket, $2 an empty
# directory to hold the real /dev while the private one is filled, then CMD.
# The real /dev is detached from $2 before CMD runs, so that nothing in the
# namespace (say, rm -rf of the scratch dir) can reach the host's devices
# through it.
_rsyslog_ns_script='
set -e
sock=$1 real=$2
shift 2
mount --rbind /dev "$real"
mount -t tmpfs -o mode=0755,nosuid,size=1m writ-test-dev /dev
for e in "$real"/* "$real"/.[!.]*; do
	[ -e "$e" ] || [ -L "$e" ] || continue
	n=/dev/${e##*/}
	if [ "$n" = /dev/log ]; then
		continue
	elif [ -L "$e" ]; then
		cp -P "$e" "$n"
	elif [ -d "$e" ]; then
		mkdir "$n"
		mount --rbind "$e" "$n"
	else
		: >"$n"
		mount --bind "$e" "$n"
	fi
done
: >/dev/log
mount --bind "$sock" /dev/log
umount -l "$real"
exec "$@"
'

# The command prefix itself, for `t "${LOG_NS[@]}" CMD...` (timeout needs a
# program, not a function) or `"${LOG_NS[@]}" CMD... &` ($! is CMD's pid).
# setpriv --pdeathsig: CMD gets SIGTERM if the process that started it dies,
# so a killed test leaves no sshd behind (so: do not start it from a
# subshell that exits at once).
LOG_NS=(setpriv --pdeathsig TERM unshare --mount --propagation private --
    sh -c "$_rsyslog_ns_script" in_log_ns "$RSYSLOG_SOCK"
    "$RSYSLOG_DIR/realdev")

in_log_ns() {
	"${LOG_NS[@]}" "$@"
}

in_log_ns_bg() {
	"${LOG_NS[@]}" "$@" &
	LOG_NS_PID=$!
}

# _rsyslog_skip WHY NAME...: the "SKIP" lines, and status 77.
_rsyslog_skip() {
	local why=$1 n
	shift
	for n in "$@"; do
		skip "$n" "$why"
	done
	return 77
}

_rsyslog_conf() {
	cat >"$RSYSLOG_CONF" <<-EOF
	# Written by tests/rsyslog.sh: only our socket in, only one file out.
	global(workDirectory="$RSYSLOG_DIR" maxMessageSize="64k")
	module(load="imuxsock" SysSock.Use="off")
	input(type="imuxsock" Socket="$RSYSLOG_SOCK" RateLimit.Interval="0")
	template(name="writ_test" type="string"
	    string="%syslogfacility-text%.%syslogseverity-text% %programname%[%procid%]:%msg%\n")
	*.* action(type="omfile" file="$RSYSLOG_OUT" template="writ_test")
	EOF
}

# _rsyslog_until SECONDS CMD...: polls CMD every 50 ms until it succeeds.
_rsyslog_until() {
	local n=$(($1 * 20))
	shift
	while ! "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.05
	done
}

_rsyslog_has() {
	[ -f "$RSYSLOG_OUT" ] && grep -qF -- "$1" "$RSYSLOG_OUT"
}

rsyslog_wait() {
	_rsyslog_until "${2:-10}" _rsyslog_has "$1"
}

rsyslog_one() {
	local rid=$1 text
	shift
	RSYSLOG_LINES=
	[ -n "$rid" ] || return 1
	rsyslog_wait "\"$rid\"" 10
	RSYSLOG_LINES=$(grep -F "\"$rid\"" "$RSYSLOG_OUT")
	[ "$(printf '%s\n' "$RSYSLOG_LINES" | grep -c .)" = 1 ] || return 1
	for text in "$@"; do
		printf '%s\n' "$RSYSLOG_LINES" | grep -qF -- "$text" || return 1
	done
}

rsyslog_start() {
	local probe
	: "${RSYSLOGD:=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)}"
	[ "$(id -u)" = 0 ] || { _rsyslog_skip "needs root to give the test \
its own /dev/log in a private mount namespace" "$@"; return; }
	[ -x "$RSYSLOGD" ] || { _rsyslog_skip "no rsyslogd (apt-get install \
rsyslog)" "$@"; return; }
	command -v unshare >/dev/null && setpriv --pdeathsig TERM true \
	    2>/dev/null || { _rsyslog_skip "no unshare, or no setpriv with \
--pdeathsig (util-linux >= 2.33)" "$@"; return; }
	unshare --mount --propagation private -- \
	    mount -t tmpfs none "$SCRATCH" 2>/dev/null || {
		_rsyslog_skip "mount namespaces are not allowed here" "$@"
		return; }
	mkdir -p "$RSYSLOG_DIR/realdev"
	_rsyslog_conf
	if ! "$RSYSLOGD" -N1 -f "$RSYSLOG_CONF" >"$RSYSLOG_DIR/check.out" 2>&1
	then
		fail rsyslog_start "rsyslogd -N1: $(tail -n 3 "$RSYSLOG_DIR/check.out")"
		return 1
	fi
	# --pdeathsig: rsyslogd ends with this shell even if it is killed and
	# never runs its EXIT trap.
	setpriv --pdeathsig TERM "$RSYSLOGD" -n -f "$RSYSLOG_CONF" \
	    -i "$RSYSLOG_DIR/rsyslogd.pid" \
	    </dev/null >"$RSYSLOG_DIR/rsyslogd.err" 2>&1 &
	RSYSLOG_PID=$!
	# Stop it however the test ends, before lib.sh removes the scratch dir.
	at_exit rsyslog_stop
	if ! _rsyslog_until 10 test -S "$RSYSLOG_SOCK"; then
		fail rsyslog_start "no socket after 10 s: $(tail -n 3 "$RSYSLOG_DIR/rsyslogd.err")"
		return 1
	fi
	# Ready means a message goes all the way through to the file.
	probe="rsyslog.sh ready $$.$RANDOM"
	logger -u "$RSYSLOG_SOCK" -t writ-test -p user.info -- "$probe"
	if ! rsyslog_wait "$probe" 10; then
		fail rsyslog_start "probe message not written: $(tail -n 3 "$RSYSLOG_DIR/rsyslogd.err")"
		return 1
	fi
}

rsyslog_stop() {
	local pid=$RSYSLOG_PID
	[ -n "$pid" ] || return 0
	RSYSLOG_PID=
	kill -TERM "$pid" 2>/dev/null || return 0
	_rsyslog_until 5 eval "! kill -0 $pid 2>/dev/null" ||
	    kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}
