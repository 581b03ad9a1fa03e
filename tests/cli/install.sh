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

# The unit, the examples and the fail2ban filter are installed too; the
# unit and writ-gate(8) name the gate where PREFIX put it.
for f in usr/lib/systemd/system/writ-gate.service \
    usr/share/writ/examples/gate.ini usr/share/writ/examples/policy.ini.in \
    usr/share/writ/fail2ban/filter.d/writ-gate.conf \
    usr/share/writ/fail2ban/jail.d/writ-gate.conf; do
	[ -f "$stage/$f" ] && pass "installs_$(echo "$f" | tr / _)" ||
		fail "installs_$(echo "$f" | tr / _)" "$stage/$f missing"
done
prefix=$SCRATCH/prefix
t make -s -C "$SRC" install B="$WRIT_BUILD" PREFIX="$prefix"
expect install_to_a_prefix 0
unit=$prefix/lib/systemd/system/writ-gate.service
grep -q "^ExecStart=$prefix/sbin/writ-gate --listen " "$unit" &&
    grep -q "^command=\"$prefix/sbin/writ-gate\",restrict" "$prefix/share/man/man8/writ-gate.8" &&
	pass unit_and_man_page_name_prefix ||
	fail unit_and_man_page_name_prefix "$(grep ExecStart "$unit")"
if command -v systemd-analyze >/dev/null; then
	t systemd-analyze verify --man=no "$unit"
	expect installed_unit_verifies 0
else
	skip installed_unit_verifies "no systemd-analyze on this machine"
fi
# The example gate.ini holds only keys the gate knows: --check finds
# nothing wrong with it but the files it names.
t "$prefix/sbin/writ-gate" --check -c "$prefix/share/writ/examples/gate.ini"
if grep -q "unknown key\|line [0-9]*:.*syntax" "$SCRATCH/out"; then
	fail example_gate_ini_has_known_keys "$(head -c 400 "$SCRATCH/out")"
else
	pass example_gate_ini_has_known_keys
fi
t make -s -C "$SRC" uninstall B="$WRIT_BUILD" PREFIX="$prefix"
expect uninstall_succeeds 0
left=$(find "$prefix" -type f | head -5)
[ -z "$left" ] && pass uninstall_removes_every_file ||
	fail uninstall_removes_every_file "left: $left"

# mandoc's lint, at every level (style included), is silent on every page.
for m in "$SRC"/docs/man/*.[158]; do
	name=mandoc_lint_$(basename "$m")
	if ! command -v mandoc >/dev/null; then
		skip "$name" "mandoc is not installed (make deps installs it)"
	elif out=$(mandoc -Tlint "$m" 2>&1) && [ -z "$out" ]; then
		pass "$name"
	else
		fail "$name" "$out"
	fi
done
