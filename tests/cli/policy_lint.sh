# policy_lint.sh: `writ policy check` refuses every kind of bad policy with
# exactly "writ: FILE:LINE: text" and exit 1, accepts a full example policy,
# and with -p verifies a signature made by the real minisign.
. "$(dirname "$0")/../lib.sh"

# Authority keys from the real minisign; signer keys are writ's own kind.
for k in authority other; do
	minisign -G -W -p "$k.pub" -s "$k.key" >/dev/null 2>&1 </dev/null ||
		fail "minisign_keygen_$k" "minisign -G -W failed"
done
for k in ci rm; do
	"$WRIT" keygen -W "$k" >/dev/null 2>&1 ||
		fail "keygen_$k" "writ keygen -W $k failed"
done
CI=$(tail -n 1 ci.pub)
RM=$(tail -n 1 rm.pub)
AUTH=$(tail -n 1 authority.pub)

# keyid PUB: the key id as writ prints it, 16 hex digits (minisign's
# comment drops leading zeros).
keyid() { printf '%16s' "$(sed -n 's/.*public key //p' "$1")" | tr ' ' 0; }

# refused_file NAME 'LINE: text': checking NAME.ini fails with exit 1 and
# prints exactly one line, "writ: NAME.ini:LINE: text".
refused_file() {
	local name=$1 want="writ: $1.ini:$2"
	t "$WRIT" policy check "$name.ini"
	if [ "$rc" != 1 ]; then
		fail "$name" "exit $rc, want 1: $(head -c 300 "$SCRATCH/out")"
	elif [ "$(cat "$SCRATCH/out")" != "$want" ]; then
		fail "$name" "got '$(head -c 300 "$SCRATCH/out")', want '$want'"
	else
		pass "$name"
	fi
}

# refused NAME 'LINE: text' < policy: the same for the policy on stdin.
refused() {
	cat > "$1.ini"
	refused_file "$@"
}

# checked_refused NAME 'text' ARGS...: `writ policy check ARGS` fails with
# exit 1 and prints exactly "writ: text".
checked_refused() {
	local name=$1 want="writ: $2"
	shift 2
	t "$WRIT" policy check "$@"
	if [ "$rc" != 1 ]; then
		fail "$name" "exit $rc, want 1: $(head -c 300 "$SCRATCH/out")"
	elif [ "$(cat "$SCRATCH/out")" != "$want" ]; then
		fail "$name" "got '$(head -c 300 "$SCRATCH/out")', want '$want'"
	else
		pass "$name"
	fi
}

# Dates around today: an expired policy fails the check.
ISSUED=$(date -u +%Y-%m-%dT00:00:00Z)
EXPIRES=$(date -u -d '+60 days' +%Y-%m-%dT00:00:00Z)

# A valid [policy] section: lines 1-5 of most cases below.
P="[policy]
realm = prod
serial = 1
issued = $ISSUED
expires = $EXPIRES"

# One signer holding role r with op o: lines 6-13 after $P; cases that
# test an op go on with its keys from line 14. GX adds exec at line 14 for
# the cases that test other keys, from line 15.
G="[signer ci]
key = $CI
roles = r
[role r]
ops = o
hosts = web*
[op o]
timeout = 10"
GX="$G
exec = /bin/true"

# A full example policy, with real keys, dates around today, and a role that
# grants fetch-log so that nothing is left to warn about.
cat > valid.ini <<EOF
[policy]
realm   = prod                  ; required; requests name it, so a staging request never runs in prod
serial  = 42                    ; required, grows with each release of the policy
issued  = $ISSUED  ; required, UTC
expires = $EXPIRES  ; required, UTC; more than 90 days after issued warns, 366 is an error
max_ttl = 300                   ; longest request validity window accepted, seconds (default 300)

[signer ci-deploy]              ; a key allowed to sign requests
key   = $CI  ; a writ signer key line
roles = deployer, reader

[signer release-manager]
key   = $RM
roles = deployer

[role deployer]
ops   = uptime, restart, release
hosts = web*, api-[0-9]*        ; required; fnmatch(3) globs on the gateway's host id

[role reader]
ops   = fetch-log
hosts = *

[op uptime]
exec    = /usr/bin/uptime
timeout = 10                    ; required on every op, seconds

[op restart]
exec        = /usr/bin/sudo -n /usr/bin/systemctl restart {unit}
param.unit  = (nginx|php-fpm)\.service      ; POSIX ERE, always matched against the WHOLE value
timeout     = 120
approvals   = 2                              ; distinct signer keys required (default 1)
lock        = service                        ; ops sharing a lock never run at once on a host

[op release]
upload        = /srv/app/releases/{version}.tar.gz   ; the request carries a file, bound by its digest
param.version = [0-9]+\.[0-9]+\.[0-9]+
max_size      = 200M
mode          = 0640
exec          = /bin/tar -x -f {upload} -C /srv/app/versions   ; runs after the file is in place
timeout       = 300
lock          = service

[op fetch-log]
download    = /var/log/app/{day}.log
param.day   = [0-9]{4}-[0-9]{2}-[0-9]{2}
max_size    = 50M
timeout     = 60
EOF
t "$WRIT" policy check valid.ini
want="valid.ini: ok: realm prod, serial 42, 2 signers, 2 roles, 4 ops, expires $EXPIRES, signature not checked (no -p)"
if [ "$rc" = 0 ] && [ "$(cat "$SCRATCH/out")" = "$want" ]; then
	pass accepts_spec_example
else
	fail accepts_spec_example "exit $rc: $(head -c 400 "$SCRATCH/out")"
fi

# CRLF line endings and a UTF-8 byte order mark are read as if absent.
{ printf '\357\273\277'; sed 's/$/\r/' valid.ini; } > crlf.ini
t "$WRIT" policy check crlf.ini
expect accepts_crlf_and_bom 0 "crlf.ini: ok: realm prod, serial 42"

# A line of exactly 4096 bytes is fine; one more byte is not.
{ echo "$P"; printf ';%4095s\n' x; } > long_ok.ini
t "$WRIT" policy check long_ok.ini
expect accepts_4096_byte_line 0 "long_ok.ini: ok"

# 91 days between issued and expires: valid, with a warning on stderr.
EXP91=$(date -u -d '+91 days' +%Y-%m-%dT00:00:00Z)
printf '[policy]\nrealm = prod\nserial = 1\nissued = %s\nexpires = %s\n' \
    "$ISSUED" "$EXP91" > warn.ini
t "$WRIT" policy check warn.ini
expect warns_expiry_beyond_90_days 0 "writ: warn.ini:5: warning: expires: more than 90 days after issued"

# An op no role grants: valid, with a warning at its section.
{ echo "$P"; echo "$GX"; printf '[op lonely]\nexec = /bin/true\ntimeout = 5\n'; } > lonely.ini
t "$WRIT" policy check lonely.ini
expect warns_op_granted_to_no_signer 0 "writ: lonely.ini:15: warning: [op lonely]: no signer holds a role granting it"

# --- lines that are not INI ---
refused refuses_line_without_equals "6: expected '[SECTION]' or 'KEY = VALUE'" <<EOF
$P
realm
EOF
refused refuses_colon_separator "6: expected 'KEY = VALUE' (with '=', not ':')" <<EOF
$P
max_ttl: 60
EOF
refused refuses_continuation_line "8: expected '[SECTION]' or 'KEY = VALUE'" <<EOF
$P
[role r]
hosts = web*
  api*
ops = o
EOF
refused refuses_text_after_section "1: text after ']'" <<EOF
[policy] x
EOF
refused refuses_unclosed_section "1: missing ']' after section name" <<EOF
[policy
EOF
refused refuses_empty_section_name "6: empty section name" <<EOF
$P
[ ]
EOF
refused refuses_empty_key "6: missing KEY before '='" <<EOF
$P
= 5
EOF
{ echo "$P"; printf 'max_ttl = 6\0000\n'; } | refused refuses_nul_byte "6: NUL byte in line"
{ echo "$P"; printf 'max_ttl = 6\a0\n'; } | refused refuses_control_byte "6: control byte 0x07 in line"
{ echo "$P"; printf 'max_ttl = 6\r0\n'; } | refused refuses_lone_carriage_return "6: carriage return inside a line"
{ echo "$P"; printf ';%4096s\n' x; } | refused refuses_line_over_4096_bytes "6: line longer than 4096 bytes"

# --- sections ---
refused refuses_unknown_section "6: unknown section [group x] (want [policy], [signer NAME], [role NAME] or [op NAME])" <<EOF
$P
[group x]
EOF
refused refuses_named_policy_section "1: [policy] takes no name" <<EOF
[policy prod]
EOF
refused refuses_op_without_name "6: [op] needs a name, as in [op NAME]" <<EOF
$P
[op]
EOF
refused refuses_bad_section_name "6: [op a/b]: not a name (1-64 of A-Z a-z 0-9 _ . -, not starting with . or -)" <<EOF
$P
[op a/b]
EOF
refused refuses_dot_section_name "6: [role ..]: not a name (1-64 of A-Z a-z 0-9 _ . -, not starting with . or -)" <<EOF
$P
[role ..]
EOF
long=$(printf 'a%.0s' $(seq 65))
refused refuses_65_byte_name "6: [op $long]: not a name (1-64 of A-Z a-z 0-9 _ . -, not starting with . or -)" <<EOF
$P
[op $long]
EOF
refused refuses_duplicate_section "15: duplicate section [op o] (first at line 12)" <<EOF
$P
$GX
[op o]
EOF
refused refuses_duplicate_policy_section "6: duplicate section [policy] (first at line 1)" <<EOF
$P
[policy]
EOF
refused refuses_key_before_section "1: key 'realm' before any section" <<EOF
realm = prod
$P
EOF
refused refuses_missing_policy_section "1: no [policy] section" <<EOF
; nothing
EOF
{ echo "$P"; for i in $(seq 257); do printf '[op o%d]\nexec = /bin/true\ntimeout = 1\n' "$i"; done; } |
	refused refuses_257_ops "774: more than 256 [op] sections"
{ echo "$P"; echo "$GX"; for i in $(seq 256); do printf '[role r%d]\nops = o\nhosts = *\n' "$i"; done; } |
	refused refuses_257_roles "780: more than 256 [role] sections"
# With ci, 257 signers, each with its own (random) key.
{ echo "$P"; echo "$GX"; python3 -c '
import base64, os
for i in range(1, 256):
    key = base64.b64encode(b"\xc2\xbb" + os.urandom(40)).decode()
    print("[signer s%d]\nkey = %s\nroles = r" % (i, key))'
  printf '[signer s256]\n'; } | refused refuses_257_signers "780: more than 256 [signer] sections"
{ echo "$P"; head -c 1048577 /dev/zero | tr '\0' ';'; } > huge.ini
checked_refused refuses_policy_over_1_MiB "huge.ini: larger than 1048576 bytes" huge.ini

# --- keys ---
refused refuses_unknown_key "6: unknown key 'colour' in [policy]" <<EOF
$P
colour = red
EOF
refused refuses_unknown_op_key "15: unknown key 'user' in [op]" <<EOF
$P
$GX
user = root
EOF
refused refuses_duplicate_key "6: duplicate key 'serial' (first at line 3)" <<EOF
$P
serial = 2
EOF
refused refuses_duplicate_param_key "16: duplicate key 'param.a' (first at line 15)" <<EOF
$P
$G
exec = /bin/echo {a}
param.a = x
param.a = y
EOF
refused refuses_missing_realm "1: [policy]: missing realm" <<EOF
[policy]
serial = 1
issued = 2026-11-20T00:00:00Z
expires = 2027-02-18T00:00:00Z
EOF
refused refuses_missing_serial "1: [policy]: missing serial" <<EOF
[policy]
realm = prod
issued = 2026-11-20T00:00:00Z
expires = 2027-02-18T00:00:00Z
EOF
refused refuses_missing_issued "1: [policy]: missing issued" <<EOF
[policy]
realm = prod
serial = 1
expires = 2027-02-18T00:00:00Z
EOF
refused refuses_missing_expires "1: [policy]: missing expires" <<EOF
[policy]
realm = prod
serial = 1
issued = 2026-11-20T00:00:00Z
EOF
refused refuses_signer_without_key "6: [signer ci]: missing key" <<EOF
$P
[signer ci]
roles = r
EOF
refused refuses_signer_without_roles "6: [signer ci]: missing roles" <<EOF
$P
[signer ci]
key = $CI
EOF
refused refuses_role_without_ops "6: [role r]: missing ops" <<EOF
$P
[role r]
hosts = *
EOF
refused refuses_role_without_hosts "6: [role r]: missing hosts" <<EOF
$P
[role r]
ops = o
EOF
refused refuses_op_without_timeout "6: [op o]: missing timeout" <<EOF
$P
[op o]
exec = /bin/true
EOF
refused refuses_op_without_exec_upload_or_download "12: [op o]: needs exec, upload or download" <<EOF
$P
$G
EOF
cat > upload_alone.ini <<EOF
$P
$G
upload = /srv/x
max_size = 1M
EOF
t "$WRIT" policy check upload_alone.ini
expect accepts_upload_without_exec 0 "upload_alone.ini: ok"
refused refuses_transfer_without_max_size "12: [op o]: missing max_size (required with upload or download)" <<EOF
$P
$G
download = /var/log/x
EOF

# --- values ---
refused refuses_bad_realm "2: realm: not a name (1-64 of A-Z a-z 0-9 _ . -, not starting with . or -): 'prod east'" <<EOF
[policy]
realm = prod east
serial = 1
issued = 2026-11-20T00:00:00Z
expires = 2027-02-18T00:00:00Z
EOF
refused refuses_signed_serial "3: serial: not a whole number: '+1'" <<EOF
[policy]
realm = prod
serial = +1
issued = 2026-11-20T00:00:00Z
expires = 2027-02-18T00:00:00Z
EOF
refused refuses_serial_overflow "3: serial: number too large: '18446744073709551616'" <<EOF
[policy]
realm = prod
serial = 18446744073709551616
issued = 2026-11-20T00:00:00Z
expires = 2027-02-18T00:00:00Z
EOF
refused refuses_date_without_z "4: issued: not a UTC time YYYY-MM-DDTHH:MM:SSZ: '2026-11-20T00:00:00+01:00'" <<EOF
[policy]
realm = prod
serial = 1
issued = 2026-11-20T00:00:00+01:00
expires = 2027-02-18T00:00:00Z
EOF
refused refuses_date_with_space "4: issued: not a UTC time YYYY-MM-DDTHH:MM:SSZ: '2026-11-20 00:00:00Z'" <<EOF
[policy]
realm = prod
serial = 1
issued = 2026-11-20 00:00:00Z
expires = 2027-02-18T00:00:00Z
EOF
refused refuses_february_29_of_common_year "5: expires: not a UTC time YYYY-MM-DDTHH:MM:SSZ: '2027-02-29T00:00:00Z'" <<EOF
[policy]
realm = prod
serial = 1
issued = 2026-11-20T00:00:00Z
expires = 2027-02-29T00:00:00Z
EOF
refused refuses_hour_24 "5: expires: not a UTC time YYYY-MM-DDTHH:MM:SSZ: '2027-01-01T24:00:00Z'" <<EOF
[policy]
realm = prod
serial = 1
issued = 2026-11-20T00:00:00Z
expires = 2027-01-01T24:00:00Z
EOF
refused refuses_expires_before_issued "5: expires: not after issued" <<EOF
[policy]
realm = prod
serial = 1
issued = 2026-11-20T00:00:00Z
expires = 2026-11-20T00:00:00Z
EOF
refused refuses_expires_beyond_366_days "5: expires: more than 366 days after issued" <<EOF
[policy]
realm = prod
serial = 1
issued = 2026-11-20T00:00:00Z
expires = 2027-11-22T00:00:00Z
EOF
refused refuses_zero_max_ttl "6: max_ttl: must be 1 to 604800 seconds: '0'" <<EOF
$P
max_ttl = 0
EOF
refused refuses_word_timeout "13: timeout: not a whole number of seconds: '10s'" <<EOF
$P
[signer ci]
key = $CI
roles = r
[role r]
ops = o
hosts = web*
[op o]
timeout = 10s
exec = /bin/true
EOF
refused refuses_huge_timeout "13: timeout: must be 1 to 604800 seconds: '604801'" <<EOF
$P
[op o]
exec = /bin/true
max_ttl = 60
kill_grace = 5
message = required
env = LANG=C.UTF-8, TZ=UTC
max_output = 0
timeout = 604801
EOF
refused refuses_kill_grace_over_600 "8: kill_grace: must be 0 to 600 seconds: '601'" <<EOF
$P
[op o]
timeout = 5
kill_grace = 601
exec = /bin/true
EOF
refused refuses_size_with_unit_word "16: max_size: not a size (bytes, or a number followed by K, M or G): '200MB'" <<EOF
$P
$GX
upload = /srv/x
max_size = 200MB
EOF
refused refuses_lowercase_size_suffix "15: max_output: not a size (bytes, or a number followed by K, M or G): '1m'" <<EOF
$P
$GX
max_output = 1m
EOF
refused refuses_size_overflow "15: max_output: size too large (at most 1024G): '18446744073709551615K'" <<EOF
$P
$GX
max_output = 18446744073709551615K
EOF
refused refuses_size_over_1024G "15: max_output: size too large (at most 1024G): '1025G'" <<EOF
$P
$GX
max_output = 1025G
EOF
refused refuses_zero_max_size "15: max_size: must be at least 1 byte: '0'" <<EOF
$P
$G
download = /var/log/x
max_size = 0
EOF
refused refuses_decimal_mode "17: mode: not an octal mode such as 0640: '0680'" <<EOF
$P
$G
exec = /bin/true
upload = /srv/x
max_size = 1K
mode = 0680
EOF
refused refuses_setuid_mode "17: mode: setuid, setgid and sticky bits are not allowed: '4755'" <<EOF
$P
$G
exec = /bin/true
upload = /srv/x
max_size = 1K
mode = 4755
EOF
refused refuses_world_writable_mode "17: mode: a file writable by others is not allowed: '0666'" <<EOF
$P
$G
exec = /bin/true
upload = /srv/x
max_size = 1K
mode = 0666
EOF
refused refuses_bad_boolean "15: stdin: want yes or no: 'true'" <<EOF
$P
$G
exec = /bin/cat
stdin = true
EOF
refused refuses_bad_message_value "15: message: want required or optional: 'yes'" <<EOF
$P
$G
exec = /bin/true
message = yes
EOF
refused refuses_bad_lock_name "15: lock: not a name (1-64 of A-Z a-z 0-9 _ . -, not starting with . or -): '../x'" <<EOF
$P
$G
exec = /bin/true
lock = ../x
EOF
refused refuses_approvals_zero "15: approvals: must be 1 to 256: '0'" <<EOF
$P
$G
exec = /bin/true
approvals = 0
EOF
refused refuses_approvals_beyond_granted_signers "15: approvals: 2, but only 1 signer holds a role granting this op" <<EOF
$P
$G
exec = /bin/true
approvals = 2
EOF

# --- exec, upload, download templates ---
refused refuses_relative_program "14: exec: program must be an absolute path: 'uptime'" <<EOF
$P
$G
exec = uptime
EOF
refused refuses_double_space_in_exec "14: exec: empty element (two spaces in a row): '/bin/echo  a'" <<EOF
$P
$G
exec = /bin/echo  a
EOF
{ echo "$P"; echo "$G"; printf 'exec = /bin/echo\ta\n'; } |
	refused refuses_tab_in_exec "14: exec: tab in template (separate elements with single spaces): '/bin/echo	a'"
args=$(printf ' a%.0s' $(seq 64))
refused refuses_65_exec_elements "14: exec: more than 64 elements: '/bin/echo$args'" <<EOF
$P
$G
exec = /bin/echo$args
EOF
refused refuses_dotdot_in_program "14: exec: path has an empty, '.' or '..' component: '/usr/../bin/id'" <<EOF
$P
$G
exec = /usr/../bin/id
EOF
refused refuses_empty_component_in_path_argument "14: exec: path has an empty, '.' or '..' component: '/bin/ls /srv//x'" <<EOF
$P
$G
exec = /bin/ls /srv//x
EOF
refused refuses_unclosed_brace "14: exec: '{' without '}' (braces only enclose a param name, as in {unit}): '/bin/echo {a'" <<EOF
$P
$G
exec = /bin/echo {a
EOF
refused refuses_stray_closing_brace "14: exec: '}' without '{' (braces only enclose a param name, as in {unit}): '/usr/bin/awk }'" <<EOF
$P
$G
exec = /usr/bin/awk }
EOF
refused refuses_bad_placeholder_name "14: exec: bad param name in braces: '/bin/echo {a.b}'" <<EOF
$P
$G
exec = /bin/echo {a.b}
EOF
refused refuses_placeholder_without_param "14: exec: {unit} has no param.unit" <<EOF
$P
$G
exec = /bin/systemctl restart {unit}
EOF
refused refuses_unused_param "14: param.unit: not used in exec, upload or download" <<EOF
$P
$G
param.unit = nginx
exec = /bin/systemctl restart nginx
EOF
refused refuses_allow_without_param "15: param.a.allow: no param.a" <<EOF
$P
$G
exec = /bin/echo
param.a.allow = slash
EOF
refused refuses_bad_allow_word "16: param.a.allow: want slash, dash or both: 'dot'" <<EOF
$P
$G
exec = /bin/echo {a}
param.a = .*
param.a.allow = slash, dot
EOF
refused refuses_allow_listed_twice "16: param.a.allow: 'dash' listed twice" <<EOF
$P
$G
exec = /bin/echo {a}
param.a = .*
param.a.allow = dash, dash
EOF
refused refuses_param_named_upload "15: param.upload: {upload} is the uploaded file's path, not a param" <<EOF
$P
$GX
param.upload = x
EOF
refused refuses_param_name_with_dot "15: unknown key 'param.a.b' (want param.NAME or param.NAME.allow)" <<EOF
$P
$GX
param.a.b = x
EOF
refused refuses_regex_that_does_not_compile "15: param.a: regex does not compile: Unmatched ( or \\(" <<EOF
$P
$G
exec = /bin/echo {a}
param.a = (nginx
EOF
refused refuses_regex_escaping_its_anchors "15: param.a: regex does not compile: ')' without '(' (write \\) for a literal one)" <<EOF
$P
$G
exec = /bin/echo {a}
param.a = a)|b
EOF
refused refuses_regex_backreference "15: param.a: regex does not compile: back-references are not allowed" <<EOF
$P
$G
exec = /bin/echo {a}
param.a = (a)\\1
EOF
refused refuses_empty_regex "15: param.a: regex does not compile: empty regex" <<EOF
$P
$G
exec = /bin/echo {a}
param.a =
EOF
{ echo "$P"; echo "$G"; printf 'exec = /bin/echo'; for i in $(seq 17); do printf ' {p%d}' "$i"; done
  echo; for i in $(seq 17); do printf 'param.p%d = x\n' "$i"; done; } |
	refused refuses_17_params "31: param.p17: more than 16 params"
refused refuses_relative_upload "15: upload: must be an absolute path: 'srv/x'" <<EOF
$P
$GX
upload = srv/x
max_size = 1M
EOF
refused refuses_upload_path_holding_upload "16: upload: cannot hold {upload}, the uploaded file's path" <<EOF
$P
$G
exec = /bin/true
max_size = 1K
upload = /srv/{upload}
EOF
refused refuses_upload_placeholder_without_upload "14: exec: {upload} without an upload key" <<EOF
$P
$G
exec = /bin/tar -x -f {upload}
EOF
refused refuses_upload_and_download "16: download: cannot be combined with upload (line 15)" <<EOF
$P
$G
exec = /bin/true
upload = /srv/a
download = /srv/b
max_size = 1K
EOF
refused refuses_download_and_exec "15: exec: cannot be combined with download (line 14)" <<EOF
$P
$G
download = /srv/b
exec = /bin/true
max_size = 1K
EOF
refused refuses_stdin_with_upload "17: stdin: cannot be combined with upload (line 15)" <<EOF
$P
$G
exec = /bin/true
upload = /srv/a
max_size = 1K
stdin = yes
EOF
refused refuses_mode_without_upload "15: mode: only meaningful with upload" <<EOF
$P
$G
exec = /bin/true
mode = 0640
EOF
refused refuses_replace_without_upload "15: replace: only meaningful with upload" <<EOF
$P
$G
exec = /bin/true
replace = yes
EOF
refused refuses_max_size_without_transfer "15: max_size: only meaningful with upload or download" <<EOF
$P
$G
exec = /bin/true
max_size = 1M
EOF
refused refuses_max_stdin_without_stdin "15: max_stdin: only meaningful with stdin = yes" <<EOF
$P
$G
exec = /bin/true
max_stdin = 1M
EOF
refused refuses_env_without_equals "15: env: want NAME=VALUE: 'LANG'" <<EOF
$P
$G
exec = /bin/true
env = LANG
EOF
refused refuses_bad_env_name "15: env: not a variable name (A-Z a-z 0-9 _, not starting with a digit): '1X=y'" <<EOF
$P
$G
exec = /bin/true
env = LANG=C, 1X=y
EOF
refused refuses_env_set_twice "15: env: variable set twice: 'TZ=CET'" <<EOF
$P
$G
exec = /bin/true
env = TZ=UTC, TZ=CET
EOF
env33=$(for i in $(seq 33); do printf 'V%d=x, ' "$i"; done)
refused refuses_33_env_entries "15: env: more than 32 items" <<EOF
$P
$G
exec = /bin/true
env = ${env33%, }
EOF

glob=$(printf 'a%.0s' $(seq 256))
{ echo "$P"; echo "$GX"; } | sed "s/^hosts = web\*$/hosts = $glob/" |
	refused refuses_256_byte_glob "11: hosts: glob longer than 255 bytes: '$glob'"

# --- references and lists ---
{ echo "$P"; echo "$GX"; } | sed 's/^ops = o$/ops = o, restart/' |
	refused refuses_role_naming_unknown_op "10: ops: no [op restart]"
refused refuses_signer_naming_unknown_role "8: roles: no [role admin]" <<EOF
$P
[signer ci]
key = $CI
roles = r, admin
[role r]
ops = o
hosts = web*
[op o]
timeout = 10
exec = /bin/true
EOF
{ echo "$P"; echo "$GX"; } | sed 's/^ops = o$/ops = o,,o/' |
	refused refuses_empty_list_item "10: ops: empty item in list"
refused refuses_op_listed_twice "10: ops: 'o' listed twice" <<EOF
$P
[signer ci]
key = $CI
roles = r
[role r]
ops = o, o
hosts = web*
[op o]
timeout = 10
exec = /bin/true
EOF
refused refuses_host_glob_listed_twice "11: hosts: 'web*' listed twice" <<EOF
$P
[signer ci]
key = $CI
roles = r
[role r]
ops = o
hosts = web*, db, web*
[op o]
timeout = 10
exec = /bin/true
EOF
refused refuses_unclosed_bracket_in_glob "11: hosts: '[' without ']': 'web[0-9'" <<EOF
$P
[signer ci]
key = $CI
roles = r
[role r]
ops = o
hosts = web[0-9
[op o]
timeout = 10
exec = /bin/true
EOF
refused refuses_slash_in_glob "11: hosts: a host glob holds only A-Z a-z 0-9 . _ : - * ? [ ] ! ^: 'web/1'" <<EOF
$P
[signer ci]
key = $CI
roles = r
[role r]
ops = o
hosts = web/1
[op o]
timeout = 10
exec = /bin/true
EOF
ops65=$(for i in $(seq 65); do printf 'o%d, ' "$i"; done)
refused refuses_65_list_items "10: ops: more than 64 items" <<EOF
$P
[signer ci]
key = $CI
roles = r
[role r]
ops = ${ops65%, }
hosts = *
EOF

# --- signer keys ---
{ echo "$P"; echo "$GX"; } | sed 's/^key = .*/key = not-a-key/' |
	refused refuses_unparsable_key "7: key: public key is not base64"
refused refuses_signers_sharing_a_key "16: key: same key as [signer ci] (line 6)" <<EOF
$P
$GX
[signer b]
key = $CI
roles = r
EOF
# Same key id as ci, another public key: what a forged or colliding key
# looks like.
TWIN=$(python3 -c '
import base64, sys
raw = bytearray(base64.b64decode(sys.argv[1]))
raw[10:] = bytes(b ^ 0xff for b in raw[10:])
print(base64.b64encode(bytes(raw)).decode())' "$CI")
refused refuses_signers_sharing_a_key_id "16: key: same key id $(keyid ci.pub) as [signer ci] (line 6)" <<EOF
$P
$GX
[signer b]
key = $TWIN
roles = r
EOF

# A minisign key can sign files with minisign, so it never signs requests.
{ echo "$P"; echo "$GX"; } | sed "s|^key = .*|key = $(tail -n 1 other.pub)|" |
	refused refuses_minisign_key_as_signer "7: key: is a minisign (authority) key; requests are signed with a signer key (writ keygen NAME)"

# --- signatures: -p verifies FILE.minisig, made by the real minisign ---
ID=$(keyid authority.pub)
cp valid.ini signed.ini
minisign -S -s authority.key -m signed.ini >/dev/null 2>&1 </dev/null ||
	fail minisign_sign "minisign -S failed"
t "$WRIT" policy check -p authority.pub signed.ini
want="signed.ini: ok: realm prod, serial 42, 2 signers, 2 roles, 4 ops, expires $EXPIRES, signature ok (key id $ID)"
if [ "$rc" = 0 ] && [ "$(cat "$SCRATCH/out")" = "$want" ]; then
	pass verifies_minisign_signature
else
	fail verifies_minisign_signature "exit $rc: $(head -c 400 "$SCRATCH/out")"
fi

t "$WRIT" policy check -p other.pub -p authority.pub signed.ini
expect verifies_with_any_of_several_keys 0 "signature ok (key id $ID)"

sed 's/^serial  = 42 /serial  = 43 /' signed.ini > tampered.ini
cp signed.ini.minisig tampered.ini.minisig
cmp -s signed.ini tampered.ini && fail refuses_tampered_policy "sed changed nothing"
checked_refused refuses_tampered_policy "tampered.ini.minisig: signature does not verify with key $ID: the file was changed or signed by another key" \
	-p authority.pub tampered.ini

checked_refused refuses_signature_by_another_key "signed.ini.minisig: signed by key id $ID, which is not one of the 1 trusted keys" \
	-p other.pub signed.ini

cp valid.ini unsigned.ini
checked_refused refuses_missing_signature "unsigned.ini.minisig: No such file or directory" \
	-p authority.pub unsigned.ini

# A good signature does not make a bad policy good.
{ echo "$P"; echo "$GX"; echo "exec = /bin/false"; } > signed_bad.ini
minisign -S -s authority.key -m signed_bad.ini >/dev/null 2>&1 </dev/null
checked_refused refuses_signed_but_invalid_policy "signed_bad.ini:15: duplicate key 'exec' (first at line 14)" \
	-p authority.pub signed_bad.ini

# The authority's key never signs requests, even re-tagged as a signer key
# (its Ed25519 key under the signer tag): lint alone cannot tell, -p can.
RETAGGED=$(python3 -c '
import base64, sys
raw = bytearray(base64.b64decode(sys.argv[1]))
raw[0:2] = b"\xc2\xbb"
print(base64.b64encode(bytes(raw)).decode())' "$AUTH")
{ echo "$P"; echo "$GX"; } | sed "s|^key = .*|key = $RETAGGED|" > authsigner.ini
minisign -S -s authority.key -m authsigner.ini >/dev/null 2>&1 </dev/null
t "$WRIT" policy check authsigner.ini
expect retagged_authority_key_lints_without_p 0 "authsigner.ini: ok"
checked_refused refuses_authority_key_as_signer "authsigner.ini:7: key: the same Ed25519 key as authority key $ID; an authority key cannot sign requests" \
	-p authority.pub authsigner.ini

# A policy whose expires is past fails check and sign in one line naming
# the file and the time (no gate would use it, a signature could only be
# refused); one not valid yet (signed ahead of its day) is a warning.
PAST_ISSUED=$(date -u -d '-10 days' +%Y-%m-%dT00:00:00Z)
PAST=$(date -u -d '-1 day' +%Y-%m-%dT00:00:00Z)
{ echo "$P"; echo "$GX"; } | sed -e "s/^issued = .*/issued = $PAST_ISSUED/" \
    -e "s/^expires = .*/expires = $PAST/" > expired.ini
checked_refused check_fails_on_expired_policy \
	"expired.ini: expired at $PAST; a gate refuses every request under it" expired.ini
t "$WRIT" policy sign -s authority.key expired.ini
if [ "$rc" = 1 ] && [ "$(cat "$SCRATCH/out")" = "writ: policy sign: not signed: expired.ini: expired at $PAST; a gate refuses every request under it" ] &&
    [ ! -e expired.ini.minisig ]; then
	pass sign_refuses_expired_policy
else
	fail sign_refuses_expired_policy "exit $rc: $(head -c 300 "$SCRATCH/out"); $(ls expired.ini*)"
fi
FUTURE=$(date -u -d '+2 days' +%Y-%m-%dT00:00:00Z)
{ echo "$P"; echo "$GX"; } | sed -e "s/^issued = .*/issued = $FUTURE/" > future.ini
t "$WRIT" policy check future.ini
expect check_warns_policy_not_yet_valid 0 "writ: future.ini: warning: not valid before $FUTURE"

# What writ policy sign writes, writ policy check verifies.
cp valid.ini writsigned.ini
t "$WRIT" policy sign -s authority.key writsigned.ini
t "$WRIT" policy check -p authority.pub writsigned.ini
expect verifies_writ_policy_sign 0 "writsigned.ini: ok: realm prod, serial 42"

checked_refused refuses_unreadable_public_key "missing.pub: No such file or directory" \
	-p missing.pub signed.ini

# --- usage ---
t "$WRIT" policy check
expect usage_without_file 2 "writ: policy check: FILE missing"
t "$WRIT" policy check a.ini b.ini
expect usage_with_two_files 2 "writ: policy check: one FILE only"
t "$WRIT" policy check -x valid.ini
expect usage_unknown_option 2 "writ: policy check: unknown option '-x'"
t "$WRIT" policy check valid.ini -p
expect usage_p_without_argument 2 "writ: policy check: -p needs an argument"
t "$WRIT" policy check --help
expect help_has_example 0 "writ policy check -p authority.pub policy.ini"
checked_refused refuses_missing_file "nothere.ini: No such file or directory" nothere.ini
