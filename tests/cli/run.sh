# run.sh: writ run end to end: the fan-out over libssh to a real sshd whose
# forced command is writ-gate (tests/sshd.sh). One gate (host id web01);
# web02 and db01 reach the same gate through ssh_config, so their requests
# are refused wrong-host; "dead" is a closed port.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_setup
add_ops emit       # tests/ops/emit: both streams, split and long lines
sshd_start
client_fleet
# has NAME FILE-SUFFIX TEXT: the run's stdout or stderr holds TEXT.
has() {
	grep -qF -- "$3" "$SCRATCH/$1.$2"
}
# check TEST NAME STATUS: the run NAME exited STATUS.
status_is() {
	[ "$rc" = "$2" ] && return 0
	fail "$1" "exit $rc, want $2; stdout: $(head -c 300 "$SCRATCH/$1.out"); stderr: $(head -c 500 "$SCRATCH/$1.err")"
	return 1
}

r runs_op_with_prefixed_output -H web01 echo word=hello
status_is runs_op_with_prefixed_output 0 &&
	{ has runs_op_with_prefixed_output out 'web01: hello' &&
	  has runs_op_with_prefixed_output err 'writ: 1 ok — ' &&
	  pass runs_op_with_prefixed_output ||
	  fail runs_op_with_prefixed_output "$(cat "$SCRATCH/runs_op_with_prefixed_output.out" "$SCRATCH/runs_op_with_prefixed_output.err")"; }

# Lines are whole per host and stream: a line split across frames is
# printed once, a line over 16 KiB in pieces, the last partial line at the
# end; stderr stays on stderr.
r keeps_lines_whole -H web01 emit
x16k=$(head -c 16384 /dev/zero | tr '\0' x)
status_is keeps_lines_whole 0 &&
	{ has keeps_lines_whole out 'web01: one' &&
	  has keeps_lines_whole out 'web01: two halves' &&
	  grep -qx "web01: $x16k" "$SCRATCH/keeps_lines_whole.out" &&
	  grep -qx "web01: $(head -c 3616 /dev/zero | tr '\0' x)" "$SCRATCH/keeps_lines_whole.out" &&
	  grep -qx 'web01: last-no-newline' "$SCRATCH/keeps_lines_whole.out" &&
	  grep -qx 'web01: warn' "$SCRATCH/keeps_lines_whole.err" &&
	  ! grep -q warn "$SCRATCH/keeps_lines_whole.out" &&
	  [ "$(wc -l < "$SCRATCH/keeps_lines_whole.out")" = 5 ] &&
	  pass keeps_lines_whole ||
	  fail keeps_lines_whole "$(head -c 300 "$SCRATCH/keeps_lines_whole.out"; cat "$SCRATCH/keeps_lines_whole.err")"; }

r refuses_other_host_ids -H web01,web02 uptime
status_is refuses_other_host_ids 6 &&
	{ has refuses_other_host_ids out 'web01: ' &&
	  ! has refuses_other_host_ids out 'web02: ' &&
	  has refuses_other_host_ids err 'writ: web02: refused wrong-host: web01' &&
	  has refuses_other_host_ids err 'writ: 1 ok, 1 refused web02 (wrong-host) — ' &&
	  pass refuses_other_host_ids ||
	  fail refuses_other_host_ids "$(cat "$SCRATCH/refuses_other_host_ids.out" "$SCRATCH/refuses_other_host_ids.err")"; }

r failed_op_exits_5 -H web01 fail 'script=exit 3'
status_is failed_op_exits_5 5 &&
	{ has failed_op_exits_5 err 'writ: 0 ok, 1 failed web01 (exit 3)' &&
	  pass failed_op_exits_5 ||
	  fail failed_op_exits_5 "$(cat "$SCRATCH/failed_op_exits_5.err")"; }

r closed_port_is_unreachable -H dead uptime
status_is closed_port_is_unreachable 4 &&
	{ has closed_port_is_unreachable err 'writ: dead: unreachable: connect: ' &&
	  has closed_port_is_unreachable err '1 unreachable dead' &&
	  pass closed_port_is_unreachable ||
	  fail closed_port_is_unreachable "$(cat "$SCRATCH/closed_port_is_unreachable.err")"; }

# Unreachable (4) comes before refused (6) and failed (5).
r exit_status_order -H web02,dead,web01 fail 'script=exit 3'
status_is exit_status_order 4 &&
	{ has exit_status_order err 'writ: 0 ok, 1 failed web01 (exit 3), 1 refused web02 (wrong-host), 1 unreachable dead — ' &&
	  pass exit_status_order ||
	  fail exit_status_order "$(cat "$SCRATCH/exit_status_order.err")"; }

fp=$(ssh-keygen -l -E sha256 -f "$SSH_DIR/host_key.pub" | awk '{print $2}')
: > "$SCRATCH/empty_known_hosts"
KNOWN=$SCRATCH/empty_known_hosts r refuses_unknown_host_key -H web01 canary "path=$GATE_DIR/unknown_key_canary"
status_is refuses_unknown_host_key 4 &&
	{ has refuses_unknown_host_key err "web01: unreachable: host key unknown, refused: $fp" &&
	  [ ! -e "$GATE_DIR/unknown_key_canary" ] &&
	  pass refuses_unknown_host_key ||
	  fail refuses_unknown_host_key "want $fp: $(cat "$SCRATCH/refuses_unknown_host_key.err")"; }
# ... and says how to trust it: --accept-new, or ssh-keyscan at the host
# and port the key is looked up under, into the known_hosts file in use;
# the command as printed does add the key.
keyscan="ssh-keyscan -p $SSHD_PORT 127.0.0.1 >> $SCRATCH/empty_known_hosts"
has refuses_unknown_host_key err "refused: $fp; if it is the host's key, use --accept-new or run: $keyscan" &&
	pass unknown_host_key_says_how_to_add_it ||
	fail unknown_host_key_says_how_to_add_it "$(cat "$SCRATCH/refuses_unknown_host_key.err")"
eval "timeout 20 $keyscan" 2>/dev/null
KNOWN=$SCRATCH/empty_known_hosts r keyscan_line_adds_the_key -H web01 uptime
status_is keyscan_line_adds_the_key 0 && pass keyscan_line_adds_the_key
# Under a HostKeyAlias (which ssh-keyscan cannot write), --accept-new alone.
KNOWN=$SCRATCH/alias_known_hosts r unknown_aliased_key_says_accept_new \
    -O HostKeyAlias=gate-alias -H web01 uptime
status_is unknown_aliased_key_says_accept_new 4 &&
	{ has unknown_aliased_key_says_accept_new err "refused: $fp; if it is the host's key, use --accept-new" &&
	  ! has unknown_aliased_key_says_accept_new err "ssh-keyscan" &&
	  pass unknown_aliased_key_says_accept_new ||
	  fail unknown_aliased_key_says_accept_new "$(cat "$SCRATCH/unknown_aliased_key_says_accept_new.err")"; }

# --accept-new says on stderr what it added, as OpenSSH does, with or
# without -v; a second run, with the key known, says nothing of it.
KNOWN=$SCRATCH/learnt_known_hosts r accept_new_warns_it_added_a_key --accept-new -H web01 uptime
status_is accept_new_warns_it_added_a_key 0 &&
	{ [ "$(grep -c 'permanently added' "$SCRATCH/accept_new_warns_it_added_a_key.err")" = 1 ] &&
	  has accept_new_warns_it_added_a_key err "writ: web01: warning: permanently added '[127.0.0.1]:$SSHD_PORT' (ED25519) to the list of known hosts" &&
	  grep -qF "[127.0.0.1]:$SSHD_PORT ssh-ed25519 " "$SCRATCH/learnt_known_hosts" &&
	  pass accept_new_warns_it_added_a_key ||
	  fail accept_new_warns_it_added_a_key "$(cat "$SCRATCH/accept_new_warns_it_added_a_key.err")"; }
KNOWN=$SCRATCH/learnt_known_hosts r accept_new_is_quiet_for_a_known_key --accept-new -H web01 uptime
status_is accept_new_is_quiet_for_a_known_key 0 &&
	{ ! has accept_new_is_quiet_for_a_known_key err 'permanently added' &&
	  pass accept_new_is_quiet_for_a_known_key ||
	  fail accept_new_is_quiet_for_a_known_key "$(cat "$SCRATCH/accept_new_is_quiet_for_a_known_key.err")"; }

# A changed key: refused with the new key's fingerprint and, as OpenSSH
# says it, the file and line of the old one (line 3: after a comment and
# another host's key), in a plain file and in a hashed one.
ssh-keygen -q -t ed25519 -N '' -f "$SCRATCH/other_host_key" -C other
{ echo '# fleet'
  echo "[127.0.0.1]:1 $(cat "$SSH_DIR/host_key.pub")"
  echo "[127.0.0.1]:$SSHD_PORT $(cat "$SCRATCH/other_host_key.pub")"; } \
    > "$SCRATCH/changed_known_hosts"
KNOWN=$SCRATCH/changed_known_hosts r refuses_changed_host_key -H web01 uptime
status_is refuses_changed_host_key 4 &&
	{ has refuses_changed_host_key err "web01: unreachable: host key CHANGED, refused: $fp; offending ED25519 key in $SCRATCH/changed_known_hosts:3" &&
	  pass refuses_changed_host_key_naming_file_and_line ||
	  fail refuses_changed_host_key_naming_file_and_line "$(cat "$SCRATCH/refuses_changed_host_key.err")"; }
sed 1d "$SCRATCH/changed_known_hosts" > "$SCRATCH/hashed_known_hosts"
ssh-keygen -q -H -f "$SCRATCH/hashed_known_hosts" >/dev/null 2>&1
KNOWN=$SCRATCH/hashed_known_hosts r changed_hashed -H web01 uptime
status_is changed_hashed 4 &&
	{ [ "$(grep -c '^|1|' "$SCRATCH/hashed_known_hosts")" = 2 ] &&
	  has changed_hashed err "host key CHANGED, refused: $fp; offending ED25519 key in $SCRATCH/hashed_known_hosts:2" &&
	  pass changed_key_line_found_in_hashed_file ||
	  fail changed_key_line_found_in_hashed_file "$(cat "$SCRATCH/changed_hashed.err"; cat "$SCRATCH/hashed_known_hosts")"; }

start=$(date +%s%N)
r deadline_is_a_timeout -t 1 -H web01 sleeper secs=5
ms=$(( ($(date +%s%N) - start) / 1000000 ))
status_is deadline_is_a_timeout 3 &&
	{ has deadline_is_a_timeout err 'web01: timeout: deadline of 1 s passed' &&
	  [ "$ms" -lt 1900 ] &&
	  pass deadline_is_a_timeout ||
	  fail deadline_is_a_timeout "${ms} ms: $(cat "$SCRATCH/deadline_is_a_timeout.err")"; }

# A server that accepts and never speaks: the connect timeout, status 3.
loopnet SILENT_PORT hole
printf 'Host silent\n  HostName 127.0.0.1\n  Port %s\n' "$SILENT_PORT" >> "$SCRATCH/ssh_config"
start=$(date +%s%N)
r connect_timeout_is_a_timeout --connect-timeout 1 -H silent uptime
ms=$(( ($(date +%s%N) - start) / 1000000 ))
status_is connect_timeout_is_a_timeout 3 &&
	{ has connect_timeout_is_a_timeout err 'writ: silent: timeout: connect: ' &&
	  has connect_timeout_is_a_timeout err '1 timeout silent' &&
	  [ "$ms" -lt 2500 ] &&
	  pass connect_timeout_is_a_timeout ||
	  fail connect_timeout_is_a_timeout "${ms} ms: $(cat "$SCRATCH/connect_timeout_is_a_timeout.err")"; }

# Three hosts in flight at once: three 1 s ops end well before the 3 s or
# more they take one after the other. (The inventory names three hosts for
# the one gate, host id web01.)
inventory_add "$SCRATCH/par.ini" "$SSHD_PORT" p1 p2 p3
start=$(date +%s%N)
r hosts_run_in_parallel -p 3 --inventory "$SCRATCH/par.ini" -H 'p[1-3]' sleeper secs=1
ms=$(( ($(date +%s%N) - start) / 1000000 ))
status_is hosts_run_in_parallel 0 &&
	{ [ "$ms" -lt 2700 ] && has hosts_run_in_parallel err 'writ: 3 ok' &&
	  pass hosts_run_in_parallel ||
	  fail hosts_run_in_parallel "${ms} ms: $(cat "$SCRATCH/hosts_run_in_parallel.err")"; }

# One request id for the run, a fresh nonce per host: the gate accepts
# both requests (no replay) and audits the same id twice.
r shares_request_id -p 1 -H web01,web01:$SSHD_PORT -m 'CHG-42' note
ids=$(grep -F 'event="accepted"' "$GATE_DIR/audit.log" | grep -F 'CHG-42' |
	grep -o 'request="[0-9a-f]*"' | sort -u | wc -l)
status_is shares_request_id 0 &&
	{ [ "$ids" = 1 ] && has shares_request_id out 'web01: noted' &&
	  has shares_request_id out "web01:$SSHD_PORT: noted" &&
	  pass shares_request_id ||
	  fail shares_request_id "$ids distinct ids: $(grep CHG-42 "$GATE_DIR/audit.log" | head -c 600)"; }

# user@ in the target wins over -l (sshd's AllowUsers shows which was
# sent); [v6]:port parses.
if [ "$GATE_BACKEND" = daemon ]; then
	# The daemon serves its one account whatever user name is sent
	# (writ-gate(8)): the same targets reach the gate both.
	r daemon_ignores_user_name -H "nobody@web01,$GATE_USER@web02" uptime
	status_is daemon_ignores_user_name 6 &&
		{ has daemon_ignores_user_name out 'web01: ' &&
		  has daemon_ignores_user_name err "writ: web02: refused wrong-host: web01" &&
		  pass daemon_ignores_user_name ||
		  fail daemon_ignores_user_name "$(cat "$SCRATCH/daemon_ignores_user_name.err")"; }
else
	r target_user_wins -H "nobody@web01,$GATE_USER@web02" uptime
	status_is target_user_wins 4 &&
		{ has target_user_wins err "writ: web01: unreachable: authentication failed: the server accepted no key for user nobody (tried $SSH_DIR/client_key)" &&
		  has target_user_wins err "writ: web02: refused wrong-host: web01" &&
		  pass target_user_wins ||
		  fail target_user_wins "$(cat "$SCRATCH/target_user_wins.err")"; }
fi
# A refused login says which user and which keys were offered; with no key
# at all to offer, it says so (libssh's own text is empty then). Without
# --identity or an agent, libssh offers ssh_config's IdentityFile and the
# account's ~/.ssh/id_* (from the password database, not $HOME).
ssh-keygen -q -t ed25519 -N '' -f "$SCRATCH/stranger_key" -C stranger
printf 'Host stranger\n  HostName 127.0.0.1\n  Port %s\n  IdentityFile %s\n' \
    "$SSHD_PORT" "$SCRATCH/stranger_key" >> "$SCRATCH/ssh_config"
IDENTITY= r auth_failure_names_keys_offered -H stranger uptime
# A loopback writ-gated may answer an offer within one step of the
# client, where the key offered cannot be seen: then the places keys come
# from are named instead.
offered() {
	has auth_failure_names_keys_offered err "$SCRATCH/stranger_key" ||
	{ [ "$GATE_BACKEND" = daemon ] &&
	  has auth_failure_names_keys_offered err "(offered: ssh-agent's keys, then the identity files of ssh_config and ~/.ssh/id_*"; }
}
status_is auth_failure_names_keys_offered 4 &&
	{ has auth_failure_names_keys_offered err "writ: stranger: unreachable: authentication failed: the server accepted no key for user $GATE_USER (" &&
	  offered &&
	  pass auth_failure_names_keys_offered ||
	  fail auth_failure_names_keys_offered "$(cat "$SCRATCH/auth_failure_names_keys_offered.err")"; }
pw_home=$(getent passwd "$(id -u)" | cut -d: -f6)
if ls "$pw_home"/.ssh/id_* >/dev/null 2>&1; then
	skip auth_failure_without_keys_says_so "$pw_home/.ssh holds identity files"
else
	IDENTITY= r auth_failure_without_keys_says_so -H web01 uptime
	status_is auth_failure_without_keys_says_so 4 &&
		{ has auth_failure_without_keys_says_so err "writ: web01: unreachable: authentication failed: the server accepted no key for user $GATE_USER (offered: ssh-agent's keys, then the identity files of ssh_config and ~/.ssh/id_*, those there are; give --identity FILE to name one)" &&
		  pass auth_failure_without_keys_says_so ||
		  fail auth_failure_without_keys_says_so "$(cat "$SCRATCH/auth_failure_without_keys_says_so.err")"; }
fi

r bracketed_ipv6_target -H "[::1]:$DEAD_PORT" uptime
status_is bracketed_ipv6_target 4 &&
	{ has bracketed_ipv6_target err "writ: ::1:$DEAD_PORT: unreachable: connect: " &&
	  pass bracketed_ipv6_target ||
	  fail bracketed_ipv6_target "$(cat "$SCRATCH/bracketed_ipv6_target.err")"; }

t "$WRIT" run --help
expect run_help_has_example 0 'examples:'
t "$WRIT" run -k "$(k ci)" --realm test uptime
expect run_without_hosts_is_usage 2 'want targets (-H, -h, -g or -a)'
t "$WRIT" run -H 'web01,' -k "$(k ci)" --realm test uptime
expect run_refuses_empty_target 2 '-H web01,: empty item in list'
t "$WRIT" run -H 'web01:99999' -k "$(k ci)" --realm test uptime
expect run_refuses_bad_port 2 "-H web01:99999: port '99999'"

# -N: lines without the host prefix (pdsh -N).
r prints_without_prefix_with_N -N -H web01 echo word=bare
status_is prints_without_prefix_with_N 0 &&
	{ [ "$(cat "$SCRATCH/prints_without_prefix_with_N.out")" = bare ] &&
	  pass prints_without_prefix_with_N ||
	  fail prints_without_prefix_with_N "$(cat "$SCRATCH/prints_without_prefix_with_N.out")"; }
# -S: the largest op exit status (pdsh -S); 255 for a host that has none.
r exits_with_op_status_with_S -S -H web01 fail 'script=exit 3'
status_is exits_with_op_status_with_S 3 && pass exits_with_op_status_with_S
r exits_255_without_op_status_with_S -S -H web01,web02 fail 'script=exit 3'
status_is exits_255_without_op_status_with_S 255 &&
	pass exits_255_without_op_status_with_S

# -o / -e (pssh): a file per host, the output no longer on the terminal.
mkdir -p "$SCRATCH/outdir" "$SCRATCH/errdir" "$SCRATCH/trapdir"
ln -s "$SCRATCH/victim" "$SCRATCH/trapdir/web01"
r writes_a_file_per_host -o "$SCRATCH/outdir" -e "$SCRATCH/errdir" -H web01 emit
status_is writes_a_file_per_host 0 &&
	{ grep -qx 'one' "$SCRATCH/outdir/web01" &&
	  grep -qx 'warn' "$SCRATCH/errdir/web01" &&
	  ! has writes_a_file_per_host out 'web01: one' &&
	  pass writes_a_file_per_host ||
	  fail writes_a_file_per_host "$(ls -l "$SCRATCH/outdir" "$SCRATCH/errdir"; cat "$SCRATCH/writes_a_file_per_host.out")"; }
r never_writes_through_a_planted_symlink -o "$SCRATCH/trapdir" -H web01 uptime
status_is never_writes_through_a_planted_symlink 1 &&
	{ has never_writes_through_a_planted_symlink err "run: -o web01: " &&
	  [ -L "$SCRATCH/trapdir/web01" ] && [ ! -e "$SCRATCH/victim" ] &&
	  pass never_writes_through_a_planted_symlink ||
	  fail never_writes_through_a_planted_symlink "$(cat "$SCRATCH/never_writes_through_a_planted_symlink.err")"; }
r missing_output_dir_is_an_error -o "$SCRATCH/no-such-dir" -H web01 uptime
status_is missing_output_dir_is_an_error 1 && pass missing_output_dir_is_an_error
