# install.sh: `make install DESTDIR=... PREFIX=...` stages the binaries
# and man pages (bin, sbin, share/man under PREFIX), and the man pages
# render.
. "$(dirname "$0")/../lib.sh"

stage=$SCRATCH/stage
t make -s -C "$SRC" install B="$WRIT_BUILD" DESTDIR="$stage" PREFIX=/usr
expect make_install_succeeds 0
for f in usr/bin/writ usr/sbin/writ-gate usr/sbin/writ-gated \
    usr/share/man/man1/writ.1 usr/share/man/man5/writ-policy.5; do
	if [ -f "$stage/$f" ]; then
		pass "installs_$(basename "$f")"
	else
		fail "installs_$(basename "$f")" "$stage/$f missing"
	fi
done
t "$stage/usr/bin/writ" --help
expect installed_writ_runs 0 "keygen [-W] [-f] [--authority] NAME"
# writ-gate --listen runs the daemon installed beside it (without it:
# "cannot run .../writ-gated", exit 1).
t "$stage/usr/sbin/writ-gate" --listen 127.0.0.1 --host-key /nonexistent \
    --authorized-keys /nonexistent -c /nonexistent
expect installed_gate_runs_its_daemon 78 "writ-gate: config /nonexistent"
for m in "$stage"/usr/share/man/man*/*; do
	name=renders_$(basename "$m")
	# groff warns about unknown macros and bad escapes on stderr (-ww).
	if warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l --warnings=w "$m" 2>&1 >/dev/null) &&
	    [ -z "$warnings" ]; then
		pass "$name"
	else
		fail "$name" "$warnings"
	fi
done
