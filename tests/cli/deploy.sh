# deploy.sh: docs/DEPLOY.md, run. Every `sh` block of the page runs as
# written, in order, on one of three "machines": the authority's and the CI
# machine (each a scratch home of its own), and the server (as root, in a
# scratch home the carried files arrive in, with the page's /etc/writ,
# /var/lib/writ, /var/log/writ, /etc/ssh and /etc/sudoers.d mapped into a
# scratch root). The server is a real OpenSSH sshd on loopback whose config
# includes the page's sshd_config.d, as Debian's does; the account `writ` is
# the test's gate account, `writ-ops` an ops account of its own; the page's
# sudoers file, once visudo passed it, is put in the real /etc/sudoers.d
# for the run so that run_as is tried with the real sudo. Then what the
# blocks left behind is checked from outside: owners and modes, the runs'
# output, the audit chain, a shell refused.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

if [ "$(id -u)" -ne 0 ]; then
	skip deploy "needs root: the page creates accounts, chowns and uses sudo"
	exit 0
fi
gate_account || { fail gate_account "cannot create $SSHD_ACCOUNT"; exit 1; }
OPS_USER=${SSHD_ACCOUNT}-ops
chmod 0711 "$SCRATCH"
mkdir -p "$SCRATCH/bin" "$SSH_DIR"
cp "$WRIT_BUILD/writ-gate" "$SCRATCH/bin/"
chmod 0755 "$SCRATCH/bin" "$GATE"
export PATH=$WRIT_BUILD:$PATH
unset WRIT_CONFIG WRIT_KEY WRIT_REALM WRIT_INVENTORY SSH_AUTH_SOCK

AUTH=$SCRATCH/authority-home CI=$SCRATCH/ci-home SERVER=$SCRATCH/server-home
R=$SCRATCH/server
mkdir -p "$AUTH" "$CI" "$SERVER" "$R/etc/ssh/sshd_config.d" "$R/etc/sudoers.d" \
    "$R/var/lib" "$R/var/log"
chmod 0755 "$R" "$R/etc" "$R/etc/ssh" "$R/etc/ssh/sshd_config.d" "$R/var" \
    "$R/var/lib" "$R/var/log"
# The authority key's passphrase, which the page leaves to the terminal.
echo 'correct horse battery staple' > "$SCRATCH/passphrase"
export WRIT_PASSPHRASE_FILE=$SCRATCH/passphrase

# The server's sshd: the harness's config, which includes the page's
# drop-in directory (Debian includes it first; a Match block ends with its
# file either way).
ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/host_key" -C web01
: > "$SSH_DIR/authorized_keys"
SSHD_PORT=$(free_port)
SSHD_EXTRA_CONFIG="Include $R/etc/ssh/sshd_config.d/*.conf"
sshd_config
sshd_run
at_exit sshd_stop

# The sudoers file the page writes, in the real /etc/sudoers.d for the run.
REAL_SUDOERS=/etc/sudoers.d/zz-writ-deploy-test-$$
at_exit "rm -f $REAL_SUDOERS"

# The page's blocks, as bash scripts: blocks/N.KIND.sh.
mkdir -p "$SCRATCH/blocks"
python3 - "$SRC/docs/DEPLOY.md" "$SCRATCH/blocks" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
kinds = {"# on the server": "server", "# on the CI machine": "ci",
         "# on the authority's machine": "authority"}
n, i = 0, 0
while i < len(lines):
    if lines[i] == "```sh":
        body = []
        i += 1
        while lines[i] != "```":
            body.append(lines[i])
            i += 1
        n += 1
        kind = kinds.get(body[0] if body else "", "unmarked")
        open("%s/%02d.%s.sh" % (sys.argv[2], n, kind), "w").write(
            "set -eo pipefail\n" + "\n".join(body) + "\n")
    i += 1
PY

# map_server FILE: the page's server paths, account names and network here.
map_server() {
	sed -e "s|/etc/ssh/ssh_host_ed25519_key.pub|$SSH_DIR/host_key.pub|g" \
	    -e "s|/etc/ssh/|$R/etc/ssh/|g" \
	    -e "s|/etc/writ|$R/etc/writ|g" \
	    -e "s|/etc/sudoers.d/|$R/etc/sudoers.d/|g" \
	    -e "s|/var/lib/writ|$R/var/lib/writ|g" \
	    -e "s|/var/log/writ|$R/var/log/writ|g" \
	    -e "s|/usr/sbin/writ-gate|$GATE -c $R/etc/writ/gate.ini|g" \
	    -e "s|10\.0\.0\.0/8|127.0.0.1|g" \
	    -e "s|^sshd -t|/usr/sbin/sshd -t -f $SSH_DIR/sshd_config|" \
	    -e "s|systemctl reload ssh|kill -HUP $SSHD_PID \&\& sleep 1|" \
	    -e "s/\bwrit-ops\b/$OPS_USER/g" \
	    -e "s/ writ\$/ $GATE_USER/" \
	    -e "s/-o writ -g writ/-o $GATE_USER -g $GATE_USER/g" \
	    -e "s/-u writ --/-u $GATE_USER --/g" \
	    -e "s/User writ\$/User $GATE_USER/" \
	    -e "s|authorized_keys/writ\b|authorized_keys/$GATE_USER|g" \
	    -e "s/^writ ALL/$GATE_USER ALL/" "$1"
}
map_ci() {
	sed -e "s|^address = 10\.0\.0\.21\$|address = 127.0.0.1\nport    = $SSHD_PORT|" \
	    -e "s|ssh-keyscan -t ed25519 10\.0\.0\.21|ssh-keyscan -p $SSHD_PORT -t ed25519 127.0.0.1|" \
	    -e "s|^user    = writ\$|user    = $GATE_USER|" "$1"
}

# carry FROM... TO: what the page says to carry, when it exists by now.
carry() {
	local to=${!#} f
	for f in "${@:1:$#-1}"; do
		[ -e "$f" ] && cp "$f" "$to/"
	done
	return 0
}

# run_block NAME HOME SCRIPT: runs SCRIPT bounded in HOME (its output kept
# as NAME.out); PASS, or FAIL with its output.
run_block() {
	(cd "$2" && HOME=$2 timeout 120 bash "$3") > "$SCRATCH/$1.out" 2>&1
	local rc=$?
	if [ "$rc" = 0 ]; then
		pass "$1"
	else
		fail "$1" "exit $rc: $(tail -c 1500 "$SCRATCH/$1.out")"
	fi
}

nblocks=0 kinds=
for b in "$SCRATCH"/blocks/*.sh; do
	nblocks=$((nblocks + 1))
	name=$(basename "$b" .sh)
	kind=${name#*.}
	kinds="$kinds $kind"
	case $kind in
	authority)
		carry "$CI/ci.pub" "$AUTH"
		run_block "deploy_$name" "$AUTH" "$b" ;;
	ci)
		map_ci "$b" > "$b.mapped"
		run_block "deploy_$name" "$CI" "$b.mapped" ;;
	server)
		carry "$AUTH/authority/authority.pub" "$AUTH/policy/policy.ini" \
		    "$AUTH/policy/policy.ini.minisig" "$CI/.ssh/id_writ.pub" "$SERVER"
		# Root's umask on Debian; the test's own is 077.
		{ echo 'umask 022'; map_server "$b"; } > "$b.mapped"
		run_block "deploy_$name" "$SERVER" "$b.mapped"
		if [ -e "$R/etc/sudoers.d/writ" ] && [ ! -e "$REAL_SUDOERS" ]; then
			install -o root -g root -m 0440 "$R/etc/sudoers.d/writ" "$REAL_SUDOERS"
		fi ;;
	*)
		fail "deploy_$name" "a block marked for no machine" ;;
	esac
done
[ "$nblocks" -ge 10 ] && pass every_block_found ||
	fail every_block_found "only $nblocks sh blocks in docs/DEPLOY.md"
case $kinds in
*authority*ci*server*) pass blocks_cover_three_machines ;;
*) fail blocks_cover_three_machines "$kinds" ;;
esac

# ---- what the page left behind ----
modes_ok=1
while read -r path owner mode; do
	got=$(stat -c '%U %a' "$R$path" 2>/dev/null)
	[ "$got" = "$owner $mode" ] || { modes_ok=0; echo "$path: $got, want $owner $mode"; }
done > "$SCRATCH/modes.out" <<EOF
/etc/writ root 755
/etc/writ/gate.ini root 644
/etc/writ/authority.pub root 644
/etc/writ/policy $GATE_USER 755
/etc/writ/policy/policy.ini $GATE_USER 644
/etc/writ/policy/policy.ini.minisig $GATE_USER 644
/var/lib/writ $GATE_USER 700
/var/log/writ $GATE_USER 750
/etc/ssh/authorized_keys/$GATE_USER root 644
/etc/sudoers.d/writ root 440
EOF
[ "$modes_ok" = 1 ] && pass owners_and_modes_as_the_table_says ||
	fail owners_and_modes_as_the_table_says "$(cat "$SCRATCH/modes.out")"

t visudo -c -f "$R/etc/sudoers.d/writ"
expect sudoers_passes_visudo 0 "parsed OK"
grep -qE 'ALL *= *\(.*\) *NOPASSWD: */usr/bin/' "$R/etc/sudoers.d/writ" &&
    ! grep -qE '\(ALL|root|sh\b|bash|ALL$' "$R/etc/sudoers.d/writ" &&
	pass sudoers_names_only_programs_as_the_ops_account ||
	fail sudoers_names_only_programs_as_the_ops_account "$(cat "$R/etc/sudoers.d/writ")"

outs=$(ls "$SCRATCH"/deploy_*.ci.out | sort)
first=$(echo "$outs" | sed -n 2p) whoami=$(echo "$outs" | sed -n 3p)
last=$(echo "$outs" | tail -n 1)
grep -q '^web01: .*load average' "$first" &&
	pass first_request_runs_uptime || fail first_request_runs_uptime "$(cat "$first")"
grep -qx "web01: $OPS_USER" "$whoami" &&
	pass run_as_runs_ops_as_the_ops_account ||
	fail run_as_runs_ops_as_the_ops_account "$(cat "$whoami")"
grep -q '^web01: .*load average' "$last" &&
	pass forcecommand_variant_runs_uptime ||
	fail forcecommand_variant_runs_uptime "$(cat "$last")"
grep -q 'gate.ini: ok (0 errors, [1-9]' "$(ls "$SCRATCH"/deploy_*.server.out | sed -n 2p)" &&
	pass check_warns_before_run_as ||
	fail check_warns_before_run_as "$(cat "$(ls "$SCRATCH"/deploy_*.server.out | sed -n 2p)")"
grep -q 'gate.ini: ok (0 errors, 0 warnings' "$(ls "$SCRATCH"/deploy_*.server.out | sed -n 4p)" &&
	pass check_is_quiet_with_run_as ||
	fail check_is_quiet_with_run_as "$(cat "$(ls "$SCRATCH"/deploy_*.server.out | sed -n 4p)")"

t "$GATE" audit verify "$R/var/log/writ/audit.log"
expect audit_chain_verifies 0
[ "$(grep -c 'event="accepted"\|event=accepted' "$R/var/log/writ/audit.log")" -ge 3 ] &&
	pass audit_has_the_three_runs ||
	fail audit_has_the_three_runs "$(cat "$R/var/log/writ/audit.log")"

# What the page says of the account's shell and of a person who logs in.
t /usr/sbin/nologin -c "$GATE"
expect nologin_would_not_run_the_gate 1 "not available"
t ssh -F /dev/null -p "$SSHD_PORT" -i "$CI/.ssh/id_writ" -o IdentitiesOnly=yes \
    -o BatchMode=yes -o UserKnownHostsFile="$CI/.ssh/known_hosts" \
    -o StrictHostKeyChecking=yes "$GATE_USER@127.0.0.1" /bin/sh -c id
if [ "$rc" != 0 ] && ! grep -q "uid=" "$SCRATCH/out" && [ "$(wc -l < "$SCRATCH/out")" -le 2 ]; then
	pass a_shell_command_is_refused
else
	fail a_shell_command_is_refused "exit $rc: $(cat "$SCRATCH/out")"
fi
