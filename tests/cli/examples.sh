# examples.sh: every job of examples/jobs/, signed, checked and run. Each
# policy, filled in as examples/jobs/README.md says, is signed with a new
# authority key and must pass `writ policy check -p` without a warning.
# Then the same policy, with its paths mapped into the scratch directory
# (and its serial raised, one job after the other), is the test gate's; the
# job's inventory points every host at that gate (host id web01), its
# writ.ini is the client config, and the first `sh` block of its README.md
# runs as written. What each job should have done is checked from outside,
# and the refusals the policies promise are tried.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_setup
sed -i 's/^realm .*/realm     = prod/' "$GATE_DIR/gate.ini"
sshd_start
unset WRIT_CONFIG WRIT_KEY WRIT_REALM WRIT_INVENTORY SSH_AUTH_SOCK
export PATH=$WRIT_BUILD:$PATH
ISSUED=$(date -u +%Y-%m-%dT00:00:00Z)
EXPIRES=$(date -u -d '+60 days' +%Y-%m-%dT00:00:00Z)

# What the jobs' programs and paths are here: systemctl a stub that logs,
# release.sh the example's, the gate account's /srv and app logs.
SYSD=$SCRATCH/systemd
mkdir -p "$SYSD" "$SCRATCH/srv/files" "$SCRATCH/srv/app/releases" "$FILES_DIR/app"
cat > "$SCRATCH/bin/systemctl" <<SH
#!/bin/sh
echo "\$*" >> $SYSD/calls
SH
cp "$SRC/examples/release.sh" "$SCRATCH/bin/release.sh"
cp /bin/sleep "$SCRATCH/bin/report-gen"
chmod 0755 "$SCRATCH/bin/systemctl" "$SCRATCH/bin/release.sh" \
    "$SCRATCH/bin/report-gen" "$SCRATCH/srv" "$SCRATCH/srv/files" \
    "$SCRATCH/srv/app" "$SCRATCH/srv/app/releases" "$FILES_DIR/app"
echo 'GET /index.html 200' > "$FILES_DIR/app/2026-11-24.log"
chmod 0644 "$FILES_DIR/app/2026-11-24.log"
gate_own "$SYSD" "$SCRATCH/srv"

map_policy() {   # FILE SERIAL: the example's paths and programs, here
	sed -e "s|^serial .*|serial  = $2|" \
	    -e "s|/srv/|$SCRATCH/srv/|g" \
	    -e "s|/var/log/app/|$FILES_DIR/app/|g" \
	    -e "s|/usr/local/lib/writ/release.sh|$SCRATCH/bin/release.sh|" \
	    -e "s|/usr/bin/sudo -n /usr/bin/systemctl|$SCRATCH/bin/systemctl|" \
	    -e "s|/usr/bin/systemctl|$SCRATCH/bin/systemctl|" "$1"
}
map_inventory() {
	sed -e "s|^address = .*|address = 127.0.0.1\nport    = $SSHD_PORT\nhost_id = web01|" \
	    -e "s|^user    = writ\$|user    = $GATE_USER|" "$1"
}

# job NAME: sets up and runs examples/jobs/NAME (cwd and HOME: J).
serial=1
job() {
	local name=$1 ex=$SRC/examples/jobs/$1
	J=$SCRATCH/job-$name
	mkdir -p "$J/.config/writ"
	sed -e "s|@CI@|$(tail -n 1 "$GATE_DIR/ci.pub")|" -e "s|@ISSUED@|$ISSUED|" \
	    -e "s|@EXPIRES@|$EXPIRES|" "$ex/policy.ini.in" > "$J/policy.ini"
	t "$WRIT" policy sign -s "$GATE_DIR/authority.key" "$J/policy.ini"
	expect "${name}_policy_signs" 0
	t "$WRIT" policy check -p "$GATE_DIR/authority.pub" "$J/policy.ini"
	if [ "$rc" = 0 ] && grep -q 'ok: realm prod' "$SCRATCH/out" &&
	    ! grep -qi 'warn' "$SCRATCH/out"; then
		pass "${name}_policy_checks_without_warning"
	else
		fail "${name}_policy_checks_without_warning" "exit $rc: $(cat "$SCRATCH/out")"
	fi
	# The gate's copy, and the client's.
	serial=$((serial + 1))
	map_policy "$J/policy.ini" "$serial" > "$GATE_DIR/policy.ini"
	(cd "$GATE_DIR" && "$WRIT" policy sign -s authority.key policy.ini >/dev/null) ||
		fail "${name}_gate_policy" "writ policy sign failed"
	gate_own "$GATE_DIR/policy.ini" "$GATE_DIR/policy.ini.minisig"
	cp "$GATE_DIR/policy.ini" "$GATE_DIR/policy.ini.minisig" "$GATE_DIR/ci.key" \
	    "$GATE_DIR/authority.pub" "$J/.config/writ/"
	# One host at a time: the hosts here share one gate and its files.
	{ sed 's/^parallel .*/parallel  = 1/' "$ex/writ.ini"
	  echo "identity    = $SSH_DIR/client_key"
	  echo "known-hosts = $SSH_DIR/known_hosts"
	  echo "connect-timeout = 5"; } > "$J/.config/writ/writ.ini"
	map_inventory "$ex/inventory.ini" > "$J/.config/writ/inventory.ini"
	# The README's commands.
	awk '/^```sh$/ { on = 1; next } on && /^```$/ { exit } on' "$ex/README.md" \
	    > "$J/commands.sh"
	grep -q '^writ ' "$J/commands.sh" ||
		fail "${name}_readme_has_commands" "no writ command in its first sh block"
	(cd "$J" && HOME=$J timeout 120 bash -eo pipefail commands.sh) \
	    > "$J/run.out" 2>&1 </dev/null
	rc=$?
	[ "$rc" = 0 ] && pass "${name}_runs" ||
		fail "${name}_runs" "exit $rc: $(tail -c 1200 "$J/run.out")"
}
# wr NAME ARGS: writ ARGS in the last job's home, status in $rc.
wr() {
	local name=$1
	shift
	(cd "$J" && HOME=$J timeout 60 "$WRIT" "$@") > "$SCRATCH/out" 2>&1 </dev/null
	rc=$?
}

job uptime
[ "$(jq -r 'select(.status == "ok") | .target' "$J/uptime.jsonl" | sort | tr '\n' ' ')" = "web01 web02 " ] &&
	pass uptime_json_has_each_web_host || fail uptime_json_has_each_web_host "$(cat "$J/uptime.jsonl")"

echo "Authorised use only." > "$SCRATCH/job-copy-file.motd"
mkdir -p "$SCRATCH/job-copy-file" && cp "$SCRATCH/job-copy-file.motd" "$SCRATCH/job-copy-file/motd.txt"
job copy-file
cmp -s "$SCRATCH/srv/files/motd.txt" "$J/motd.txt" &&
	pass copy_file_landed || fail copy_file_landed "$(ls -la "$SCRATCH/srv/files")"
wr copy_dotdot put -a copy motd.txt name=..
[ "$rc" = 6 ] && pass copy_refuses_dotdot ||
	fail copy_refuses_dotdot "exit $rc: $(head -c 400 "$SCRATCH/out")"

mkdir -p "$SCRATCH/job-release/src"
echo '<h1>1.4.2</h1>' > "$SCRATCH/job-release/src/index.html"
tar -C "$SCRATCH/job-release/src" -czf "$SCRATCH/job-release/app-1.4.2.tar.gz" .
job release
[ "$(readlink "$SCRATCH/srv/app/current")" = versions/1.4.2 ] &&
    [ -e "$SCRATCH/srv/app/current/index.html" ] &&
	pass release_is_live || fail release_is_live "$(ls -la "$SCRATCH/srv/app")"
grep -q '| web02 ' "$J/release.md" && pass release_report_written ||
	fail release_report_written "$(cat "$J/release.md" 2>/dev/null)"

job collect-logs
cmp -s "$J/logs/web01/2026-11-24.log" "$FILES_DIR/app/2026-11-24.log" &&
    cmp -s "$J/logs/web02/2026-11-24.log" "$FILES_DIR/app/2026-11-24.log" &&
	pass logs_collected || fail logs_collected "$(ls -R "$J/logs")"
wr fetch_other get -g web --dest logs fetch-log day=../../etc/passwd
[ "$rc" != 0 ] && pass fetch_log_refuses_other_paths || fail fetch_log_refuses_other_paths "exit $rc"

# A runaway process of the gate account, named report-gen, its output
# away from the test's; RUNAWAY: its pid (runuser's child, as root). At
# the end it is killed, and runuser reaps it.
runaway() {
	local i
	"${AS_GATE[@]}" "$SCRATCH/bin/report-gen" "$1" >/dev/null 2>&1 </dev/null &
	RUNAWAY=$!
	for i in $(seq 50); do
		[ "${#AS_GATE[@]}" -eq 0 ] && break
		RUNAWAY=$(pgrep -P $! -x report-gen) && break
		sleep 0.05
	done
	at_exit "kill $RUNAWAY 2>/dev/null"
}
# alive PID: running, not a zombie.
alive() { [ -e "/proc/$1" ] && ! grep -q ') Z ' "/proc/$1/stat" 2>/dev/null; }
runaway 300
job kill-process
sleep 0.2
alive "$RUNAWAY" && fail kill_killed_the_runaway "$RUNAWAY still runs" ||
	pass kill_killed_the_runaway
runaway 301
for bad in -9 --signal=KILL 'report.*' 'report-ge.' 'a|report-gen' 'report-gen-is-too-long'; do
	wr kill_bad run -H web02 -m test kill "name=$bad"
	if [ "$rc" = 6 ] && grep -q 'bad-param' "$SCRATCH/out" && alive "$RUNAWAY"; then
		pass "kill_refuses_name_$bad"
	else
		fail "kill_refuses_name_$bad" "exit $rc: $(head -c 400 "$SCRATCH/out")"
	fi
done
wr kill_no_message run -H web02 kill name=report-gen
[ "$rc" != 0 ] && alive "$RUNAWAY" && pass kill_needs_a_message ||
	fail kill_needs_a_message "exit $rc: $(head -c 400 "$SCRATCH/out")"

job rolling-restart
[ "$(grep -c '^restart nginx.service$' "$SYSD/calls")" = 2 ] &&
    [ "$(grep -c '^is-active --quiet nginx.service$' "$SYSD/calls")" = 2 ] &&
	pass restart_then_health_on_each_host ||
	fail restart_then_health_on_each_host "$(cat "$SYSD/calls")"
wr restart_other run -g web restart unit=sshd.service
[ "$rc" != 0 ] && [ "$(grep -c restart "$SYSD/calls")" = 2 ] &&
	pass restart_refuses_other_units || fail restart_refuses_other_units "exit $rc"

job compliance-scan
[ "$(jq -r 'select(.status == "ok") | .target' "$J/scan.jsonl" | wc -l)" = 3 ] &&
    grep -q 'AUDIT-2026-Q4' "$J/scan.md" &&
	pass scan_report_and_json_for_every_host ||
	fail scan_report_and_json_for_every_host "$(cat "$J/scan.jsonl" "$J/scan.md" 2>/dev/null | head -c 800)"
grep -q 'op="scan".*message="AUDIT-2026-Q4' "$GATE_DIR/audit.log" &&
	pass scan_message_audited || fail scan_message_audited "$(grep scan "$GATE_DIR/audit.log" | tail -n 2)"
wr scan_no_message run -a scan
[ "$rc" != 0 ] && pass scan_needs_a_message || fail scan_needs_a_message "exit $rc"

n=$(find "$SRC/examples/jobs" -mindepth 1 -maxdepth 1 -type d | wc -l)
[ "$n" = 7 ] && pass seven_jobs_all_run || fail seven_jobs_all_run "$n job directories"
