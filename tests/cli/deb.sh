# deb.sh: the Debian packages (packaging/debian), installed on this
# machine with dpkg: the binaries run, the unit verifies and is not
# enabled, the account and its 0700 state directory exist, a signed
# request runs through the real sshd with the installed gate as the
# forced command and the installed client, and a purge leaves no file of
# theirs. Builds the packages with `make package`, or reuses build-deb/
# when it is fresh. As root only (CI's machine is a throwaway); the
# packages are purged when the test ends, however it ends.
. "$(dirname "$0")/../lib.sh"

ACCOUNT=writ-gate
DEB_OUT=$SRC/build-deb

if [ "$(id -u)" -ne 0 ]; then
	skip deb_packages "installing packages needs root (dpkg -i)"
	exit 0
fi
for tool in dpkg-buildpackage dh lintian; do
	command -v "$tool" >/dev/null || {
		skip deb_packages "no $tool (make deps installs it)"; exit 0; }
done
# A machine that holds writ already (from a package, or state a purge
# would delete) is not this test's to change.
if dpkg-query -W -f='${Status}' writ writ-gate 2>/dev/null | grep -q installed; then
	skip deb_packages "writ or writ-gate is installed here already"
	exit 0
fi
for dir in /var/lib/writ /var/log/writ; do
	if [ -e "$dir" ]; then
		skip deb_packages "$dir exists (a purge would remove it)"
		exit 0
	fi
done

# The machine as it was: purge, and the account removed if the test made it.
had_account=$(getent passwd "$ACCOUNT" >/dev/null && echo yes)
restore() {
	timeout 120 dpkg --purge writ writ-gate >/dev/null 2>&1
	if [ -z "$had_account" ] && getent passwd "$ACCOUNT" >/dev/null; then
		timeout 30 userdel "$ACCOUNT" 2>/dev/null
		getent group "$ACCOUNT" >/dev/null && timeout 30 groupdel "$ACCOUNT" 2>/dev/null
	fi
}
at_exit restore

if bash "$SRC/packaging/deb.sh" fresh "$DEB_OUT"; then
	pass packages_reused
else
	timeout 240 make -s -C "$SRC" package >"$SCRATCH/out" 2>&1 </dev/null
	rc=$?
	expect make_package_builds 0
	[ "$rc" -eq 0 ] || exit 1
fi
deb_writ=$(ls "$DEB_OUT"/writ_*.deb)
deb_gate=$(ls "$DEB_OUT"/writ-gate_*.deb)
version=$(dpkg-deb -f "$deb_writ" Version)

# No file is in both packages.
both=$(comm -12 <(dpkg-deb -c "$deb_writ" | awk '$1 !~ /^d/ { print $6 }' | sort) \
    <(dpkg-deb -c "$deb_gate" | awk '$1 !~ /^d/ { print $6 }' | sort))
[ -z "$both" ] && pass no_file_in_both_packages ||
	fail no_file_in_both_packages "$both"

timeout 120 dpkg -i "$deb_writ" "$deb_gate" >"$SCRATCH/out" 2>&1 </dev/null
rc=$?
expect packages_install 0
[ "$rc" -eq 0 ] || exit 1
files=$(dpkg -L writ writ-gate | while read -r f; do [ -d "$f" ] || echo "$f"; done)

t /usr/bin/writ --version
expect installed_writ_runs 0 "writ $version"
t /usr/sbin/writ-gate --version
expect installed_gate_runs 0 "writ-gate $version"
# writ-gate --listen finds the installed writ-gated (which stops at the
# missing config, exit 78).
t /usr/sbin/writ-gate --listen 127.0.0.1 --host-key /nonexistent \
    --authorized-keys /nonexistent -c /nonexistent
expect installed_gate_runs_its_daemon 78 "writ-gate: config /nonexistent"
for page in writ writ-policy writ-gate writ-gated; do
	t man -w "$page"
	expect "man_page_$page" 0 /usr/share/man/
done

unit=/lib/systemd/system/writ-gate.service
t systemd-analyze verify --man=no "$unit"
expect unit_verifies 0
grep -qx 'User=writ-gate' "$unit" && grep -q '^ExecStart=/usr/sbin/writ-gate ' "$unit" &&
	pass unit_names_account_and_gate ||
	fail unit_names_account_and_gate "$(grep '^User=\|^ExecStart=' "$unit")"
t systemctl --root=/ is-enabled writ-gate.service
expect unit_not_enabled 1 disabled
if [ -d /run/systemd/system ]; then
	t systemctl is-active writ-gate.service
	[ "$rc" -ne 0 ] && pass unit_not_started || fail unit_not_started "$(cat "$SCRATCH/out")"
else
	skip unit_not_started "systemd is not running here"
fi

entry=$(getent passwd "$ACCOUNT")
uid=$(echo "$entry" | cut -d: -f3)
shell=$(echo "$entry" | cut -d: -f7)
sys_max=$(awk '$1 == "SYS_UID_MAX" { print $2 }' /etc/login.defs)
if [ -n "$entry" ] && [ "$uid" -le "${sys_max:-999}" ] && [ "$shell" = /usr/sbin/nologin ] &&
    getent group "$ACCOUNT" >/dev/null; then
	pass system_account_made
else
	fail system_account_made "passwd: '$entry'"
fi
for dir in state:/var/lib/writ log:/var/log/writ; do
	got=$(stat -c '%a %U %G' "${dir#*:}" 2>&1)
	[ "$got" = "700 $ACCOUNT $ACCOUNT" ] && pass "${dir%%:*}_dir_is_the_accounts_0700" ||
		fail "${dir%%:*}_dir_is_the_accounts_0700" "${dir#*:}: $got"
done

# Configuration stays inactive: the filter is a conffile, the jail and
# gate.ini only examples.
dpkg-query -W -f='${Conffiles}\n' writ-gate | grep -q ' /etc/fail2ban/filter.d/writ-gate.conf ' &&
	pass fail2ban_filter_is_a_conffile ||
	fail fail2ban_filter_is_a_conffile "$(dpkg-query -W -f='${Conffiles}' writ-gate)"
ex=/usr/share/doc/writ-gate/examples
if [ -f "$ex/gate.ini" ] && [ -f "$ex/fail2ban/jail.d/writ-gate.conf" ] &&
    [ ! -e /etc/fail2ban/jail.d/writ-gate.conf ] && [ ! -e /etc/writ/gate.ini ]; then
	pass examples_not_active
else
	fail examples_not_active "$(ls -R "$ex" /etc/writ 2>&1 | head -c 300)"
fi

# A reinstall keeps the state directory the account's.
timeout 120 dpkg -i "$deb_gate" >"$SCRATCH/out" 2>&1 </dev/null
rc=$?
got=$(stat -c '%a %U' /var/lib/writ 2>&1)
[ "$rc" -eq 0 ] && [ "$got" = "700 $ACCOUNT" ] && pass reinstall_keeps_state_dir ||
	fail reinstall_keeps_state_dir "exit $rc, /var/lib/writ $got: $(tail -n 3 "$SCRATCH/out")"

# End to end through the real sshd: the installed gate is the forced
# command, the installed client signs and sends.
. "$SRC/tests/sshd.sh"
gate_setup
GATE=/usr/sbin/writ-gate
sshd_start
grep -q "command=\"/usr/sbin/writ-gate -c " "$SSH_DIR/authorized_keys" &&
	pass forced_command_is_installed_gate ||
	fail forced_command_is_installed_gate "$(cut -c 1-120 "$SSH_DIR/authorized_keys")"
send signed_request_runs -k "$(k ci)" $(req) echo word=packaged
verdict_is signed_request_runs signed_request_runs "accepted "
grep -qx packaged "$SCRATCH/signed_request_runs.stdout" &&
	pass signed_request_output ||
	fail signed_request_output "$(head -c 300 "$SCRATCH/signed_request_runs.stdout")"
send outsider_refused -k "$(k outsider)" $(req) echo word=packaged
verdict_is outsider_refused outsider_refused "refused "
client_fleet
WRIT=/usr/bin/writ
r installed_client_runs -H web01 echo word=hello
[ "$rc" = 0 ] && grep -qF 'web01: hello' "$SCRATCH/installed_client_runs.out" &&
	pass installed_client_runs ||
	fail installed_client_runs "exit $rc: $(cat "$SCRATCH/installed_client_runs.out" "$SCRATCH/installed_client_runs.err" | head -c 400)"
sshd_stop

timeout 120 dpkg --purge writ writ-gate >"$SCRATCH/out" 2>&1 </dev/null
rc=$?
expect purge_succeeds 0
left=$(for f in $files /var/lib/writ /var/log/writ; do [ -e "$f" ] || [ -L "$f" ] && echo "$f"; done)
[ -z "$left" ] && pass purge_leaves_no_file || fail purge_leaves_no_file "$left"
dpkg-statoverride --list | grep -q ' /var/\(lib\|log\)/writ$' &&
	fail purge_drops_statoverrides "$(dpkg-statoverride --list | grep writ)" ||
	pass purge_drops_statoverrides
