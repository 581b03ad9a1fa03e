# lib.sh: sourced by every tests/cli script as . "$(dirname "$0")/../lib.sh"
# Gives each test a scratch directory, the built binaries, and pass/fail
# helpers that print the lines tests/run counts. Bound every command with `t`.
set -u
: "${WRIT_BUILD:?run through tests/run or make check}"
WRIT=$WRIT_BUILD/writ
SRC=${WRIT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/writ-test.XXXXXX")
# at_exit CMD: runs the shell text CMD when the test ends, however it ends,
# before what was registered earlier; the scratch directory goes last.
AT_EXIT=:
at_exit() { AT_EXIT="$1; $AT_EXIT"; }
trap 'eval "$AT_EXIT"; rm -rf "$SCRATCH"' EXIT
cd "$SCRATCH" || exit 1
umask 077

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: ${2:-}"; }
skip() { echo "SKIP $1: $2"; }

# t CMD...: run CMD with a time bound, stdout+stderr to $SCRATCH/out,
# exit status in $rc.
t() {
	timeout 60 "$@" >"$SCRATCH/out" 2>&1 </dev/null
	rc=$?
}
# expect NAME STATUS TEXT: the last `t` exited STATUS and printed TEXT
# (a fixed string) somewhere.
expect() {
	local name=$1 want=$2 text=${3:-}
	if [ "$rc" != "$want" ]; then
		fail "$name" "exit $rc, want $want; output: $(head -c 400 "$SCRATCH/out")"
	elif [ -n "$text" ] && ! grep -qF -- "$text" "$SCRATCH/out"; then
		fail "$name" "output lacks '$text': $(head -c 400 "$SCRATCH/out")"
	else
		pass "$name"
	fi
}
