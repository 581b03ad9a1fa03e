# config.sh: the client config: where it is found, `writ config`
# naming each setting's source, the precedence command line > environment
# > config > default, and typos refused with FILE:LINE. No host is
# contacted: run's settings are seen through --dry-run.
. "$(dirname "$0")/../lib.sh"

export HOME=$SCRATCH/home
unset WRIT_CONFIG WRIT_KEY WRIT_REALM WRIT_INVENTORY WRIT_PASSPHRASE_FILE
mkdir -p "$HOME/.config/writ"
USERCFG=$HOME/.config/writ/writ.ini
for k in one two; do
	"$WRIT" keygen -W "$k" >/dev/null 2>&1 || fail "keygen_$k" "writ keygen failed"
done
# The key id, 16 digits (minisign's comment drops leading zeros).
id_of() { printf '%16s' "$(sed -n '1s/.* //p' "$1.pub")" | tr ' ' 0; }

# row NAME 'SETTING VALUE SOURCE': `writ config`'s output has that row
# (columns split on runs of blanks).
row() {
	if awk -v want="$2" '{ $1 = $1; if ($0 == want) found = 1 } END { exit !found }' "$SCRATCH/out"; then
		pass "$1"
	else
		fail "$1" "no row '$2' in: $(cat "$SCRATCH/out")"
	fi
}

if [ -e /etc/writ/writ.ini ]; then
	skip defaults_without_config "/etc/writ/writ.ini exists on this machine"
else
	t "$WRIT" config
	if [ "$rc" = 0 ]; then row defaults_without_config 'parallel 32 default'
	else expect defaults_without_config 0; fi
	row no_config_file_is_shown_as_none 'config - default'
fi

cat > "$USERCFG" <<EOF
; the user's defaults
[defaults]
parallel = 64
key      = $SCRATCH/one.key
key      = $SCRATCH/two.key
realm    = cfgrealm
ttl      = 120
EOF
t "$WRIT" config
row user_config_is_found "config $USERCFG default"
row setting_names_file_and_line "parallel 64 $USERCFG:3"
row list_setting_has_a_row_per_value "key $SCRATCH/two.key $USERCFG:5"
row unset_setting_is_default 'connect-timeout 10 default'

# Columns line up: every row's value starts at the same column.
cols=$(awk '{ match($0, /^[^ ]+ +/); print RLENGTH }' "$SCRATCH/out" | sort -u | wc -l)
[ "$cols" = 1 ] && pass columns_are_aligned || fail columns_are_aligned "$(cat "$SCRATCH/out")"

WRIT_REALM=envrealm t "$WRIT" config
row environment_beats_config 'realm envrealm WRIT_REALM'

printf '[defaults]\nparallel = 7\n' > other.ini
WRIT_CONFIG=$SCRATCH/other.ini t "$WRIT" config
row writ_config_env_beats_user_file "config $SCRATCH/other.ini WRIT_CONFIG"
row writ_config_values_used "parallel 7 $SCRATCH/other.ini:2"
row user_file_not_read_beside_writ_config 'ttl 300 default'

WRIT_CONFIG=$SCRATCH/missing.ini t "$WRIT" config
expect missing_writ_config_is_an_error 2 "writ: config: WRIT_CONFIG: $SCRATCH/missing.ini: "

printf '[defaults]\nparallel = 64\nparalel = 3\n' > typo.ini
WRIT_CONFIG=$SCRATCH/typo.ini t "$WRIT" config
expect unknown_key_names_file_and_line 2 "writ: config: $SCRATCH/typo.ini:3: unknown setting 'paralel'"
WRIT_CONFIG=$SCRATCH/typo.ini t "$WRIT" hosts -H web01
expect unknown_key_fails_every_command 2 "typo.ini:3: unknown setting 'paralel'"

printf '[defaults]\nhelp = yes\n' > flag.ini
WRIT_CONFIG=$SCRATCH/flag.ini t "$WRIT" config
expect help_is_not_a_setting 2 "flag.ini:2: unknown setting 'help'"

printf '[defaults]\nttl = 60\n[hosts]\n' > section.ini
WRIT_CONFIG=$SCRATCH/section.ini t "$WRIT" config
expect other_section_is_an_error 2 "section.ini:3: unknown section [hosts]"

printf '[defaults]\nttl = 60\nttl = 70\n' > twice.ini
WRIT_CONFIG=$SCRATCH/twice.ini t "$WRIT" config
expect setting_twice_is_an_error 2 "twice.ini:3: ttl set twice (first at line 2)"

printf 'ttl = 60\n' > nosection.ini
WRIT_CONFIG=$SCRATCH/nosection.ini t "$WRIT" config
expect key_outside_defaults_is_an_error 2 "nosection.ini:1: ttl outside [defaults]"

# Values go through run's own option parsing, errors at FILE:LINE.
printf '[defaults]\nrealm = r\nparallel = lots\n' > badnum.ini
WRIT_CONFIG=$SCRATCH/badnum.ini t "$WRIT" run -H web01 -k one.key uptime
expect bad_value_names_file_and_line 2 "writ: run: $SCRATCH/badnum.ini:3: parallel: want a whole number from 1 to 100000, not 'lots'"

# run takes the config's keys, realm and ttl ...
t "$WRIT" run --dry-run -H 127.0.0.1:1 uptime
if [ "$rc" = 0 ] &&
    [ "$(grep -c '^signer: ' "$SCRATCH/out")" = 2 ] &&
    grep -qF "signer: key $(id_of one) ($SCRATCH/one.key)" "$SCRATCH/out" &&
    grep -qF "signer: key $(id_of two) ($SCRATCH/two.key)" "$SCRATCH/out"; then
	pass run_takes_config_keys
else
	fail run_takes_config_keys "exit $rc: $(cat "$SCRATCH/out")"
fi
expect run_takes_config_realm_and_ttl 0 \
    '127.0.0.1:1: request: realm cfgrealm, host id 127.0.0.1, op uptime, message -, window 120 s'

# ... and the command line wins: one -k replaces both config keys.
t "$WRIT" run --dry-run -H 127.0.0.1:1 -k two.key --ttl 30 --realm cli uptime
if [ "$rc" = 0 ] && [ "$(grep -c '^signer: ' "$SCRATCH/out")" = 1 ] &&
    grep -qF "(two.key)" "$SCRATCH/out" &&
    grep -qF 'realm cli, host id 127.0.0.1, op uptime, message -, window 30 s' "$SCRATCH/out"; then
	pass command_line_wins
else
	fail command_line_wins "exit $rc: $(cat "$SCRATCH/out")"
fi

WRIT_KEY=$SCRATCH/one.key t "$WRIT" run --dry-run -H 127.0.0.1:1 uptime
if [ "$rc" = 0 ] && [ "$(grep -c '^signer: ' "$SCRATCH/out")" = 1 ] &&
    grep -qF "($SCRATCH/one.key)" "$SCRATCH/out"; then
	pass writ_key_beats_config_keys
else
	fail writ_key_beats_config_keys "exit $rc: $(cat "$SCRATCH/out")"
fi

# hosts takes the config's inventory and user; -l beats the config.
printf '[host web01]\naddress = 10.0.0.1\n\n[group web]\nhosts = web01, web02\n' > inv.ini
printf '[defaults]\ninventory = %s\nuser = deploy\n' "$SCRATCH/inv.ini" > hosts.ini
WRIT_CONFIG=$SCRATCH/hosts.ini t "$WRIT" hosts -g web
printf 'web01\t10.0.0.1\t-\tdeploy\tweb01\nweb02\tweb02\t-\tdeploy\tweb02\n' > want
[ "$rc" = 0 ] && cmp -s want out && pass hosts_takes_config_inventory_and_user ||
	fail hosts_takes_config_inventory_and_user "exit $rc: $(cat out)"
WRIT_CONFIG=$SCRATCH/hosts.ini t "$WRIT" hosts -g web -l ops
[ "$rc" = 0 ] && grep -qx "web02	web02	-	ops	web02" out && pass login_option_beats_config ||
	fail login_option_beats_config "exit $rc: $(cat out)"
WRIT_CONFIG=$SCRATCH/hosts.ini WRIT_INVENTORY=$SCRATCH/none.ini t "$WRIT" hosts -g web
expect writ_inventory_beats_config 1 "none.ini"

# A path setting's leading "~/" is $HOME, as in known-hosts' default: the
# inventory and key below are found, and `writ config` shows the paths used.
mkdir -p "$HOME/fleet" "$HOME/keys"
cp inv.ini "$HOME/fleet/inv.ini"
cp one.key "$HOME/keys/one.key"
printf '[defaults]\ninventory = ~/fleet/inv.ini\nkey = ~/keys/one.key\nrealm = r\n' > tilde.ini
WRIT_CONFIG=$SCRATCH/tilde.ini t "$WRIT" hosts -g web
[ "$rc" = 0 ] && grep -qx "web01	10.0.0.1	-	-	web01" out &&
	pass tilde_path_is_under_home ||
	fail tilde_path_is_under_home "exit $rc: $(cat out)"
WRIT_CONFIG=$SCRATCH/tilde.ini t "$WRIT" config
row config_shows_expanded_path "inventory $HOME/fleet/inv.ini $SCRATCH/tilde.ini:2"
WRIT_CONFIG=$SCRATCH/tilde.ini t "$WRIT" run --dry-run -H 127.0.0.1:1 uptime
expect tilde_key_is_under_home 0 "signer: key $(id_of one) ($HOME/keys/one.key)"
printf '[defaults]\nrealm = ~/not-a-path\n' > tilde_realm.ini
WRIT_CONFIG=$SCRATCH/tilde_realm.ini t "$WRIT" config
row tilde_left_alone_in_other_settings "realm ~/not-a-path $SCRATCH/tilde_realm.ini:2"
WRIT_CONFIG=$SCRATCH/tilde.ini t env -u HOME "$WRIT" config
expect tilde_without_home_is_an_error 2 "tilde.ini:2: inventory: ~/fleet/inv.ini: HOME is not set"

t "$WRIT" config --help
expect config_help_has_example 0 'parallel         64'

# Both programs say their version, the one @status reports.
v=$(sed -n 's/^#define WRIT_VERSION "\(.*\)"$/\1/p' "$SRC/policy/version.h")
t "$WRIT" --version
expect writ_version 0 "writ $v"
t "$WRIT_BUILD/writ-gate" --version
expect writ_gate_version 0 "writ-gate $v"
