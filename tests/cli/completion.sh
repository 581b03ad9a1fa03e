# completion.sh: packaging/bash-completion/writ, sourced in bash and called
# as bash calls it (COMP_WORDS, COMP_CWORD), against a client config that
# names an inventory, a key and a signed policy copy: commands, a command's
# options, values of --mode, groups after -g, hosts after -H, ops and an
# op's params from 'writ ops'. And its option lists are honest: every
# option it offers for a command is one writ accepts there, and every
# option 'writ CMD --help' lists is offered.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"

COMPLETION=$SRC/packaging/bash-completion/writ
gate_setup
cat > "$SCRATCH/fleet.ini" <<'INI'
[host web01]
address = 10.0.0.1

[host web02]
address = 10.0.0.2

[host db01]
address = 10.0.0.3

[group web]
hosts = web[01-02]

[group  db]
hosts = db01
INI
cat > "$SCRATCH/writ.ini" <<INI
[defaults]
inventory = $SCRATCH/fleet.ini
key       = $GATE_DIR/ci.key
realm     = test
policy    = $GATE_DIR/policy.ini
authority = $GATE_DIR/authority.pub
INI
export WRIT_CONFIG=$SCRATCH/writ.ini PATH=$WRIT_BUILD:$PATH
unset WRIT_INVENTORY WRIT_KEY WRIT_REALM

# comp WORDS...: the completions of the last word (may be ''), one a line,
# sorted, in $SCRATCH/comp.
comp() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _writ
		printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPLETION" "$@" 2>&1 |
		sort > "$SCRATCH/comp"
}
# want NAME TEXT: the completions are exactly TEXT (words, space-separated).
want() {
	local got
	got=$(tr '\n' ' ' < "$SCRATCH/comp")
	[ "$got" = "$2 " ] && pass "$1" || fail "$1" "got '$got', want '$2'"
}
# has NAME WORD...: the completions hold every WORD.
has() {
	local name=$1 w
	shift
	for w in "$@"; do
		grep -qxF -- "$w" "$SCRATCH/comp" ||
			{ fail "$name" "no '$w' in: $(tr '\n' ' ' < "$SCRATCH/comp")"; return; }
	done
	pass "$name"
}

comp writ r
want completes_a_command "run"
comp writ ''
has offers_every_command run put get ops hosts status config approve keygen policy
comp writ policy p
want completes_a_policy_command "push"
comp writ run --max-
want completes_an_option_of_run "--max-fail"
comp writ run -g web --mode r
want completes_mode_values "rolling"
comp writ run -g ''
want completes_groups_after_g "db web"
comp writ hosts -X w
want completes_groups_after_X "web"
comp writ run -H w
want completes_hosts_after_H "web01 web02"
WRIT_INVENTORY=$SCRATCH/fleet2.ini
printf '[group other]\nhosts = x\n' > "$WRIT_INVENTORY"
comp writ run --inventory "$WRIT_INVENTORY" -g ''
want inventory_option_wins "other"
comp writ run -g web ''
has completes_ops_of_the_policy_copy uptime restart echo fetch
grep -qx put "$SCRATCH/comp" && pass offers_ops_of_every_role ||
	fail offers_ops_of_every_role "$(tr '\n' ' ' < "$SCRATCH/comp")"
comp writ run -g web -q re
want completes_an_op_after_options "restart"
comp writ run -g web restart ''
want completes_an_ops_params "unit="
comp writ run -g db ''
want no_ops_where_none_granted ""
comp writ put -g web put ''
: > "$SCRATCH/a-file-here"
comp writ put -g web put "$SCRATCH/a-file-h"
want put_completes_the_file "$SCRATCH/a-file-here"
comp writ get --dest "$SCRATCH/a-fi"
want dest_completes_directories_only ""

# The option lists against writ itself.
list() {   # VAR: an option list of the script, one a line
	bash -c '. "$1"; printf "%s\n" ${!2}' _ "$COMPLETION" "$1" | sort -u
}
helped() {   # CMD...: the options 'writ CMD --help' lists on its option lines
	"$WRIT" "$@" --help 2>&1 | sed '/^[Ee]xamples\{0,1\}:/,$d' | grep -E '^ {2,}-' |
		grep -oE '(^ +|, | {2}|\| ?)-{1,2}[A-Za-z][A-Za-z-]*' |
		sed 's/^[ ,|]*//' | grep -vx -- '--help' | sort -u
}
takes_value=" $(bash -c '. "$1"; echo $_writ_takes_value' _ "$COMPLETION") "
for spec in run:_writ_opts_run put:_writ_opts_put get:_writ_opts_get \
    status:_writ_opts_put "policy push:_writ_opts_put" ops:_writ_opts_ops \
    hosts:_writ_opts_hosts approve:_writ_opts_approve keygen:_writ_opts_keygen \
    "policy sign:_writ_opts_policy_sign" "policy check:_writ_opts_policy_check" \
    "policy explain:_writ_opts_policy_explain"; do
	cmd=${spec%%:*} var=${spec#*:} name=${cmd// /_}
	list "$var" > "$SCRATCH/offered"
	# shellcheck disable=SC2086 # cmd may be two words
	helped $cmd > "$SCRATCH/helped"
	missing=$(comm -13 "$SCRATCH/offered" "$SCRATCH/helped" | tr '\n' ' ')
	[ -z "$missing" ] && pass "${name}_offers_every_option_of_its_help" ||
		fail "${name}_offers_every_option_of_its_help" "missing: $missing"
	unknown=
	while read -r o; do
		arg=()
		[[ $takes_value == *" $o "* ]] && arg=(1)
		# shellcheck disable=SC2086
		out=$(timeout 10 "$WRIT" $cmd "$o" "${arg[@]}" </dev/null 2>&1)
		case $out in *"'$o' is unknown"*|*"unknown option"*) unknown="$unknown $o" ;; esac
	done < "$SCRATCH/offered"
	[ -z "$unknown" ] && pass "${name}_offers_only_options_writ_knows" ||
		fail "${name}_offers_only_options_writ_knows" "unknown:$unknown"
done

# make install puts it where bash-completion looks for a command's
# completion (loaded on first use of "writ"), and uninstall removes it.
stage=$SCRATCH/stage
t make -s -C "$SRC" install B="$WRIT_BUILD" DESTDIR="$stage" PREFIX=/usr
COMPLETION=$stage/usr/share/bash-completion/completions/writ
if [ "$rc" = 0 ] && [ "$(stat -c %a "$COMPLETION" 2>/dev/null)" = 644 ]; then
	comp writ r
	want installed_completion_works "run"
else
	fail installed_completion_works "exit $rc: $(head -c 300 "$SCRATCH/out")"
fi
t make -s -C "$SRC" uninstall B="$WRIT_BUILD" DESTDIR="$stage" PREFIX=/usr
[ ! -e "$COMPLETION" ] && pass uninstall_removes_it || fail uninstall_removes_it "still there"
