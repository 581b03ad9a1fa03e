# get.sh: writ get end to end against the real sshd and writ-gate
# (tests/sshd.sh): files of every kind to several targets, compared with
# their source; what the gate refuses to open (FIFO, device, symlinks,
# missing, too large, unsafe params); what the client refuses to write
# (over --max-size, planted symlinks); the JSON report's byte counts.
# Inventory hosts a1..a3 all reach the one gate (host id web01).
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

gate_setup
sshd_start
client_fleet
inv=$SCRATCH/inventory.ini
inventory_add "$inv" "$SSHD_PORT" a1 a2 a3

# The sources, readable by the gate account.
printf 'line one\nline two\n' > "$FILES_DIR/text.txt"
head -c 100000 /dev/urandom > "$FILES_DIR/bin.dat"
: > "$FILES_DIR/empty"
head -c $((100 << 20)) /dev/urandom > "$FILES_DIR/big.dat"
mkfifo "$FILES_DIR/fifo"
ln -s text.txt "$FILES_DIR/link"
mkdir "$FILES_DIR/real"
printf 'inside\n' > "$FILES_DIR/real/x"
ln -s real "$FILES_DIR/ldir"
chmod 0755 "$FILES_DIR/real"
chmod 0644 "$FILES_DIR"/*.txt "$FILES_DIR"/*.dat "$FILES_DIR/empty" \
    "$FILES_DIR/fifo" "$FILES_DIR/real/x"
gate_own "$FILES_DIR"

# g NAME ARGS...: writ get with the test's SSH settings and inventory;
# stdout in NAME.out, stderr NAME.err, status in $rc; NAME.secs its time.
g() {
	local name=$1 t0
	shift
	t0=$(date +%s)
	timeout 120 "$WRIT" get -F "$SCRATCH/ssh_config" \
	    --known-hosts "$SSH_DIR/known_hosts" \
	    --identity "$SSH_DIR/client_key" -l "$GATE_USER" -k "$(k ci)" \
	    --realm test --connect-timeout 5 --inventory "$inv" "$@" \
	    > "$SCRATCH/$name.out" 2> "$SCRATCH/$name.err" </dev/null
	rc=$?
	echo $(($(date +%s) - t0)) > "$SCRATCH/$name.secs"
}
why() { echo "exit $rc; $(head -c 600 "$SCRATCH/$1.err")"; }
# same DIR FILE HOSTS...: DIR/HOST/FILE is the source, for each host.
same() {
	local dir=$1 file=$2 h
	shift 2
	for h in "$@"; do
		cmp -s "$FILES_DIR/$file" "$dir/$h/$file" || return 1
	done
}
# clean DIR HOST: no file at all in DIR/HOST (nor a temporary one).
clean() {
	[ ! -e "$1/$2" ] || [ -z "$(ls -A "$1/$2")" ]
}

# --- files of every kind, to several targets ---
D=$SCRATCH/dl
mkdir "$D"
for f in text.txt bin.dat empty; do
	g "gets_$f" -H 'a[1-3]' --dest "$D" fetch name=$f
	[ "$rc" = 0 ] && same "$D" $f a1 a2 a3 && pass "gets_${f}_to_every_target" ||
		fail "gets_${f}_to_every_target" "$(why "gets_$f")"
done
[ "$(stat -c %a "$D/a1")" = 700 ] && pass makes_host_dir_0700 ||
	fail makes_host_dir_0700 "mode $(stat -c %a "$D/a1")"
[ -z "$(find "$D" -name '.writ-get-*')" ] && pass leaves_no_temporary_files ||
	fail leaves_no_temporary_files "$(find "$D" -name '.writ-get-*')"

g gets_big -H 'a[1-3]' --dest "$D" --json "$SCRATCH/big.json" fetch name=big.dat
[ "$rc" = 0 ] && same "$D" big.dat a1 a2 a3 && pass gets_100mib_to_every_target ||
	fail gets_100mib_to_every_target "$(why gets_big)"
digest=$(b2sum -l 256 "$FILES_DIR/big.dat" | cut -d' ' -f1)
[ "$(jq -r 'select(.target) | "\(.target) \(.status) \(.download_bytes) \(.download_digest) \(.download_file)"' "$SCRATCH/big.json" | sort)" = \
  "$(for h in a1 a2 a3; do echo "$h ok $((100 << 20)) $digest $D/$h/big.dat"; done)" ] &&
	pass json_reports_download_bytes_and_digest ||
	fail json_reports_download_bytes_and_digest "$(cat "$SCRATCH/big.json")"
grep 'event="finished"' "$GATE_DIR/audit.log" | grep -F "digest=\"$digest\"" |
	grep -qF " bytes=$((100 << 20)) " && pass audit_has_bytes_and_digest ||
	fail audit_has_bytes_and_digest "$(grep finished "$GATE_DIR/audit.log" | tail -n 1)"
grep 'event="accepted"' "$GATE_DIR/audit.log" | grep -qF "download=\"$FILES_DIR/big.dat\"" &&
	pass audit_names_download_path ||
	fail audit_names_download_path "$(grep accepted "$GATE_DIR/audit.log" | tail -n 1)"

# A second get replaces the file (through a new temporary file).
printf 'changed\n' > "$FILES_DIR/text.txt"
g replaces -H a1 --dest "$D" fetch name=text.txt
[ "$rc" = 0 ] && same "$D" text.txt a1 && pass replaces_earlier_copy ||
	fail replaces_earlier_copy "$(why replaces)"

# --- what the gate will not open: refused, nothing hangs, nothing kept ---
# refused TEST WORD TEXT ARGS...: one host (a1) refused WORD, TEXT on stderr,
# no file for a1, within 20 s.
refused() {
	local name=$1 word=$2 text=$3 R=$SCRATCH/r_$1
	shift 3
	mkdir "$R"
	g "$name" -H a1 --dest "$R" "$@"
	if [ "$rc" = 6 ] && grep -qF "a1: refused $word: " "$SCRATCH/$name.err" &&
	    grep -qF -- "$text" "$SCRATCH/$name.err" && clean "$R" a1 &&
	    [ "$(cat "$SCRATCH/$name.secs")" -lt 20 ]; then
		pass "$name"
	else
		fail "$name" "$(why "$name"); $(cat "$SCRATCH/$name.secs") s; $(ls -lA "$R" "$R/a1" 2>&1)"
	fi
}
refused refuses_fifo bad-file 'is a FIFO' fetch name=fifo
refused refuses_device bad-file '/dev/zero is a device' fetch-dev name=zero
refused refuses_symlink_source bad-file 'is a symlink' fetch name=link
refused refuses_symlinked_directory bad-file 'ldir is a symlink' fetch-path path=ldir/x
refused refuses_directory bad-file 'is a directory' fetch name=real
refused refuses_missing_file no-such-file 'no such file' fetch name=nope
refused refuses_missing_directory no-such-file 'no such file' fetch-path path=nodir/x
refused refuses_over_max_size too-large 'over max_size 1024' fetch-small name=bin.dat
refused refuses_dotdot_param bad-param 'path' fetch-path path=../gate/policy.ini
refused refuses_slash_in_param bad-param 'name' fetch name=real/x
refused refuses_absolute_param bad-param 'path' fetch-path path=/etc/hostname
g gets_through_real_directory -H a1 --dest "$D" fetch-path path=real/x
[ "$rc" = 0 ] && cmp -s "$FILES_DIR/real/x" "$D/a1/x" &&
	pass gets_through_real_directory || fail gets_through_real_directory "$(why gets_through_real_directory)"
grep 'event="refused"' "$GATE_DIR/audit.log" | grep -qF 'reason="bad-file"' &&
	pass audits_bad_file || fail audits_bad_file "$(grep refused "$GATE_DIR/audit.log" | tail -n 2)"

# --- what the client will not write ---
M=$SCRATCH/max
mkdir "$M"
g refuses_over_client_max_size -H a1,a2 --dest "$M" --max-size 1K fetch name=bin.dat
[ "$rc" = 5 ] && clean "$M" a1 && clean "$M" a2 &&
	grep -qF 'a1: failed: bin.dat is 100000 bytes, over --max-size 1024' "$SCRATCH/refuses_over_client_max_size.err" &&
	grep -qF '2 failed a[1-2] (not-saved)' "$SCRATCH/refuses_over_client_max_size.err" &&
	pass refuses_over_client_max_size || fail refuses_over_client_max_size "$(why refuses_over_client_max_size)"
g takes_max_size_from_policy_copy -H a1 --dest "$M" --policy "$GATE_DIR/policy.ini" \
    --authority "$GATE_DIR/authority.pub" fetch name=bin.dat
[ "$rc" = 0 ] && same "$M" bin.dat a1 && pass takes_max_size_from_policy_copy ||
	fail takes_max_size_from_policy_copy "$(why takes_max_size_from_policy_copy)"

P=$SCRATCH/planted
mkdir "$P" "$SCRATCH/elsewhere" "$P/a2"
ln -s "$SCRATCH/elsewhere" "$P/a1"
printf 'keep\n' > "$SCRATCH/victim"
ln -s "$SCRATCH/victim" "$P/a2/text.txt"
g never_follows_planted_symlinks -H a1,a2 --dest "$P" fetch name=text.txt
[ "$rc" = 5 ] && [ -z "$(ls -A "$SCRATCH/elsewhere")" ] &&
	grep -qF "a1: failed: $P/a1: not a directory" "$SCRATCH/never_follows_planted_symlinks.err" &&
	pass refuses_symlink_at_host_dir || fail refuses_symlink_at_host_dir "$(why never_follows_planted_symlinks)"
[ "$(cat "$SCRATCH/victim")" = keep ] && [ ! -L "$P/a2/text.txt" ] && same "$P" text.txt a2 &&
	pass replaces_symlink_at_name_never_follows || fail replaces_symlink_at_name_never_follows "$(why never_follows_planted_symlinks); victim: $(cat "$SCRATCH/victim")"

mkdir "$SCRATCH/nop"
g refuses_op_without_file -H a1 --dest "$SCRATCH/nop" uptime
[ "$rc" = 5 ] && clean "$SCRATCH/nop" a1 &&
	grep -qF 'a1: failed: the op sent no file' "$SCRATCH/refuses_op_without_file.err" &&
	pass refuses_op_without_file || fail refuses_op_without_file "$(why refuses_op_without_file)"

g other_host_refused -H a1,web02 --dest "$D" fetch name=empty
[ "$rc" = 6 ] && [ ! -e "$D/web02/empty" ] && [ -e "$D/a1/empty" ] &&
	pass refused_host_gets_no_file || fail refused_host_gets_no_file "$(why other_host_refused)"

g missing_dest -H a1 --dest "$SCRATCH/none" fetch name=empty
[ "$rc" = 1 ] && grep -qF "writ: get: --dest $SCRATCH/none: No such file" "$SCRATCH/missing_dest.err" &&
	pass refuses_missing_dest || fail refuses_missing_dest "$(why missing_dest)"
g no_dest -H a1 fetch name=empty
[ "$rc" = 2 ] && grep -qF 'get: want --dest DIR' "$SCRATCH/no_dest.err" &&
	pass requires_dest || fail requires_dest "$(why no_dest)"
t "$WRIT" get --help
expect get_help_has_example 0 'writ get -g web -k ~/.writ/ci.key --realm prod --dest ./logs'
