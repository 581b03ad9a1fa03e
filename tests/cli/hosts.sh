# hosts.sh: writ hosts prints the expanded, deduplicated targets with what
# each resolves to: ranges, hosts files, stdin, the inventory's
# groups of groups, excludes, -l precedence, and one-line errors.
. "$(dirname "$0")/../lib.sh"

# exact NAME STATUS: the last `t` exited STATUS and printed exactly the
# text on stdin (tabs written as \t).
exact() {
	local name=$1 want=$2
	printf '%b\n' "$(cat)" >"$SCRATCH/want"
	if [ "$rc" != "$want" ]; then
		fail "$name" "exit $rc, want $want: $(head -c 300 "$SCRATCH/out")"
	elif ! cmp -s "$SCRATCH/want" "$SCRATCH/out"; then
		fail "$name" "output differs: $(diff "$SCRATCH/want" "$SCRATCH/out" | head -c 400)"
	else
		pass "$name"
	fi
}

cat >inv.ini <<'EOF2'
# a small fleet
[host web01]
address = 10.0.0.1
port    = 2201
user    = deploy
host_id = web01.prod

[host db1]
address = db1.internal

[group web]
hosts = web[01-03]

[group all]
hosts = @web, db1, cache[1-2]
EOF2

t "$WRIT" hosts -H 'web[01-03,10],r[1-2]n[1-2]'
exact ranges_expand_in_order 0 <<'EOF2'
web01\tweb01\t-\t-\tweb01
web02\tweb02\t-\t-\tweb02
web03\tweb03\t-\t-\tweb03
web10\tweb10\t-\t-\tweb10
r1n1\tr1n1\t-\t-\tr1n1
r1n2\tr1n2\t-\t-\tr1n2
r2n1\tr2n1\t-\t-\tr2n1
r2n2\tr2n2\t-\t-\tr2n2
EOF2

t "$WRIT" hosts -w 'alice@db1:2222,[2001:db8::1]:22'
exact user_port_and_ipv6 0 <<'EOF2'
db1:2222\tdb1\t2222\talice\tdb1
2001:db8::1:22\t2001:db8::1\t22\t-\t2001:db8::1
EOF2

printf '# hosts\n\nweb2\n  web[1-2]  \n# web9\nu@db3:7\n' >hosts.txt
t "$WRIT" hosts -h hosts.txt
exact hosts_file_skips_comments_and_dedupes 0 <<'EOF2'
web2\tweb2\t-\t-\tweb2
web1\tweb1\t-\t-\tweb1
db3:7\tdb3\t7\tu\tdb3
EOF2

timeout 10 "$WRIT" hosts -h - -H x1 <hosts.txt >"$SCRATCH/out" 2>&1
rc=$?
exact hosts_from_stdin 0 <<'EOF2'
web2\tweb2\t-\t-\tweb2
web1\tweb1\t-\t-\tweb1
db3:7\tdb3\t7\tu\tdb3
x1\tx1\t-\t-\tx1
EOF2

t "$WRIT" hosts --inventory inv.ini -g all
exact inventory_groups_of_groups 0 <<'EOF2'
web01\t10.0.0.1\t2201\tdeploy\tweb01.prod
web02\tweb02\t-\t-\tweb02
web03\tweb03\t-\t-\tweb03
db1\tdb1.internal\t-\t-\tdb1
cache1\tcache1\t-\t-\tcache1
cache2\tcache2\t-\t-\tcache2
EOF2

WRIT_INVENTORY=inv.ini t "$WRIT" hosts -a -X web -x 'cache*'
exact all_minus_group_and_glob_from_env 0 <<'EOF2'
db1\tdb1.internal\t-\t-\tdb1
EOF2

t "$WRIT" hosts --inventory inv.ini -H 'bob@web01,web02,db1:2022' -l ops
exact target_user_beats_l_beats_inventory 0 <<'EOF2'
web01\t10.0.0.1\t2201\tbob\tweb01.prod
web02\tweb02\t-\tops\tweb02
db1:2022\tdb1.internal\t2022\tops\tdb1
EOF2

t "$WRIT" hosts --inventory inv.ini -H web01
exact inventory_user_when_no_l 0 <<'EOF2'
web01\t10.0.0.1\t2201\tdeploy\tweb01.prod
EOF2

t "$WRIT" hosts -H 'web[01-02],deploy@db1:2222' -l ops
exact help_example_is_true 0 <<'EOF2'
web01\tweb01\t-\tops\tweb01
web02\tweb02\t-\tops\tweb02
db1:2222\tdb1\t2222\tdeploy\tdb1
EOF2
t "$WRIT" hosts --help
expect help_has_the_example 0 "writ hosts -H 'web[01-02],deploy@db1:2222' -l ops"

cat >cycle.ini <<'EOF2'
[group a]
hosts = x, @b

[group b]
hosts = @c
[group c]
hosts = y, @a
EOF2
t "$WRIT" hosts --inventory cycle.ini -H x
exact cycle_names_file_line_and_path 2 <<'EOF2'
writ: cycle.ini:2: group cycle: a -> b -> c -> a
EOF2

printf '[group a]\nhosts = @nope\n' >unknown.ini
t "$WRIT" hosts --inventory unknown.ini -H x
exact unknown_group_reference 2 <<'EOF2'
writ: unknown.ini:2: unknown group @nope
EOF2

t "$WRIT" hosts -H 'web[3-1]'
exact reversed_range 2 <<'EOF2'
writ: -H web[3-1]: reversed range
EOF2

t "$WRIT" hosts -H 'web[1-100001]'
exact range_bound 2 <<'EOF2'
writ: -H web[1-100001]: expands to more than 100000 names
EOF2

t "$WRIT" hosts -H 'ok,../etc'
exact unsafe_name 2 <<'EOF2'
writ: -H ../etc: host name '../etc' is not [A-Za-z0-9._:-]+ (or is . or ..)
EOF2

printf 'a\nb c\n' >bad.txt
t "$WRIT" hosts -h bad.txt
exact hosts_file_error_has_line 2 <<'EOF2'
writ: bad.txt:2: host name 'b c' is not [A-Za-z0-9._:-]+ (or is . or ..)
EOF2

head -c 1048577 /dev/zero | tr '\0' '#' >big.txt
t "$WRIT" hosts -h big.txt
exact hosts_file_bounded 2 <<'EOF2'
writ: big.txt: larger than 1048576 bytes
EOF2

t "$WRIT" hosts --inventory inv.ini -g nope
exact unknown_group_option 2 <<'EOF2'
writ: -g nope: no such group in inv.ini
EOF2

t env -u WRIT_INVENTORY "$WRIT" hosts -g web
exact group_needs_inventory 2 <<'EOF2'
writ: -g web: no inventory (--inventory FILE or WRIT_INVENTORY)
EOF2

t "$WRIT" hosts -H web1 -x web1
exact all_excluded_is_an_error 2 <<'EOF2'
writ: no targets (use -H, -h, -g or -a)
EOF2

t "$WRIT" hosts web1
expect positional_refused 2 "writ: hosts: unexpected argument 'web1'"

# On a terminal: a header and aligned columns.
if command -v script >/dev/null; then
	timeout 10 script -qec "$WRIT hosts -H 'a,long-name@bb:22'" /dev/null \
	    | tr -d '\r' >"$SCRATCH/out"
	rc=0
	exact terminal_gets_aligned_columns 0 <<'EOF2'
NAME   ADDRESS  PORT  USER       HOST_ID
a      a        -     -          a
bb:22  bb       22    long-name  bb
EOF2
else
	skip terminal_gets_aligned_columns "no script(1)"
fi
