# keys.sh: writ keygen makes two kinds of key. Authority keys and the
# signatures writ policy sign makes with them are minisign 0.11's own files;
# signer keys are writ's, which the real minisign binary refuses to load,
# and each kind is refused where the other belongs (no mocks). Encrypted
# keys cost ~3 s of scrypt each (1 GiB), so there are only a few.
. "$(dirname "$0")/../lib.sh"

# make_policy FILE SIGNER.pub: a valid policy whose one signer is the given
# key.
make_policy() {
	cat >"$1" <<-EOF
	[policy]
	realm   = prod
	serial  = 7
	issued  = $(date -u +%Y-%m-%dT00:00:00Z)
	expires = $(date -u -d '+30 days' +%Y-%m-%dT00:00:00Z)

	[signer ci]
	key   = $(tail -n 1 "$2")
	roles = ops

	[role ops]
	ops   = uptime
	hosts = web*

	[op uptime]
	exec    = /usr/bin/uptime
	timeout = 10
	EOF
}

# minisign_verifies NAME PUB FILE: the real minisign accepts FILE.minisig.
minisign_verifies() {
	t minisign -V -p "$2" -m "$3"
	expect "$1" 0 'Signature and comment signature verified'
}

# tty_run CMD LINE...: runs CMD on a pseudo-terminal (script(1)) and types
# each LINE once its prompt is shown: writ flushes typeahead when it turns
# echo off, so input sent earlier would be lost. Output (CRs removed) in
# $SCRATCH/out, CMD's status in $rc.
tty_run() {
	local cmd=$1 n=0 i pid
	shift
	rm -f tty.in tty.out
	mkfifo tty.in
	timeout 60 script -qec "$cmd; echo \"rc=\$?\"" /dev/null \
	    <tty.in >tty.out 2>&1 &
	pid=$!
	exec 3>tty.in
	for line in "$@"; do
		n=$((n + 1))
		for i in $(seq 200); do
			[ "$(grep -c 'assphrase' tty.out)" -ge "$n" ] && break
			sleep 0.05
		done
		printf '%s\n' "$line" >&3
	done
	wait "$pid"
	exec 3>&-
	tr -d '\r' <tty.out >"$SCRATCH/out"
	rc=$(sed -n 's/^rc=\([0-9]*\)$/\1/p' "$SCRATCH/out" | tail -n 1)
}

printf 'correct horse battery\n' >pass
chmod 600 pass

# --help
t "$WRIT" keygen --help
expect keygen_help_shows_example 0 'example:'
t "$WRIT" policy sign --help
expect policy_sign_help_shows_example 0 'example:'
t "$WRIT" keygen -q k
expect keygen_refuses_unknown_option 2 "option '-q'"
t "$WRIT" policy sign policy.ini
expect policy_sign_requires_key 2 'give -s KEY'

# refused_before_connecting NAME TEXT KEY [STATUS]: `writ run -k KEY` exits
# STATUS (default 1) with TEXT and never connects to the target (a listener
# that records accepts).
refused_before_connecting() {
	local port pid
	rm -f accepts port.txt
	python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
s.settimeout(30)
try:
    while True:
        c, _ = s.accept(); open("accepts", "a").write("x\n"); c.close()
except OSError:
    pass' > port.txt &
	pid=$!
	for _ in $(seq 100); do [ -s port.txt ] && break; sleep 0.05; done
	port=$(head -n 1 port.txt)
	printf 'Host target\n  HostName 127.0.0.1\n  Port %s\n' "$port" > ssh_config
	t "$WRIT" run -F ssh_config -H target -k "$3" --realm prod --accept-new \
	    --known-hosts kh --connect-timeout 5 uptime
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if [ -s accepts ]; then
		fail "$1" "writ connected to the target: $(head -c 300 "$SCRATCH/out")"
	else
		expect "$1" "${4:-1}" "$2"
	fi
}

# Unencrypted keys, both kinds, both ways round with minisign.
t "$WRIT" keygen -W signer
expect keygen_W_writes_pair 0 'signer.key: secret key (NOT encrypted)'
expect keygen_says_it_made_a_signer_key 0 'signer key (writ'"'"'s format): signs requests'
case "$(tail -n 1 signer.pub)" in
wr*) pass signer_public_key_line_starts_wr ;;
*) fail signer_public_key_line_starts_wr "$(tail -n 1 signer.pub)" ;;
esac
if [ "$(stat -c %a signer.key) $(stat -c %a signer.pub)" = "600 644" ]; then
	pass keygen_modes_0600_0644
else
	fail keygen_modes_0600_0644 "$(stat -c '%n %a' signer.key signer.pub)"
fi
if [ "$(tail -n 1 "$SCRATCH/out")" = "$(tail -n 1 signer.pub)" ]; then
	pass keygen_prints_public_key_line
else
	fail keygen_prints_public_key_line "$(cat "$SCRATCH/out")"
fi
id=$(sed -n 's/.*key id \([0-9A-F]\{16\}\)$/\1/p' "$SCRATCH/out")
if [ -n "$id" ] && [ "$(echo "$id" | sed 's/^0*//')" = \
    "$(head -n 1 signer.pub | sed 's/.* //')" ]; then
	pass keygen_key_id_matches_pub_comment
else
	fail keygen_key_id_matches_pub_comment "id '$id' vs $(head -n 1 signer.pub)"
fi
t "$WRIT" keygen -W --authority auth
expect keygen_authority_says_it_made_an_authority_key 0 \
    'authority key (a minisign key): signs policies'
case "$(tail -n 1 auth.pub)" in
RW*) pass authority_public_key_line_is_minisigns ;;
*) fail authority_public_key_line_is_minisigns "$(tail -n 1 auth.pub)" ;;
esac
make_policy policy.ini signer.pub
t "$WRIT" policy sign -s auth.key policy.ini
expect policy_sign_with_W_key 0 'signed policy.ini (realm prod, serial 7)'
minisign_verifies minisign_verifies_W_key_signature auth.pub policy.ini
if grep -q '^trusted comment: timestamp:[0-9]* file:policy.ini realm:prod serial:7$' \
    policy.ini.minisig; then
	pass policy_sign_trusted_comment_names_realm_serial
else
	fail policy_sign_trusted_comment_names_realm_serial "$(cat policy.ini.minisig)"
fi
echo data >F
t minisign -S -s auth.key -m F
expect minisign_signs_with_writ_W_key 0
minisign_verifies minisign_verifies_its_signature_with_writ_key auth.pub F

t minisign -G -W -p mw.pub -s mw.key
cp policy.ini mw.ini
t "$WRIT" policy sign -s mw.key mw.ini
expect policy_sign_with_minisign_W_key 0 'signed mw.ini'
minisign_verifies minisign_verifies_sig_from_minisign_W_key mw.pub mw.ini
t "$WRIT" policy check -p mw.pub mw.ini
expect policy_check_verifies_with_minisign_made_authority_key 0 'mw.ini: ok'

# The real minisign refuses a signer key: to sign, prehashed or legacy
# (-l), and to verify, as a file or as a -P line. So no file signature is
# ever made with a key that signs requests.
rm -f F.minisig
t minisign -S -s signer.key -m F
expect minisign_S_refuses_signer_key 2 'Unsupported signature algorithm'
t minisign -S -l -s signer.key -m F
expect minisign_S_l_refuses_signer_key 2 'Unsupported signature algorithm'
[ ! -e F.minisig ] && pass minisign_made_no_signature_with_signer_key ||
	fail minisign_made_no_signature_with_signer_key "F.minisig exists"
minisign -S -s auth.key -m F >/dev/null 2>&1
t minisign -V -p signer.pub -m F
expect minisign_V_refuses_signer_pub 2 'Unsupported signature algorithm'
t minisign -V -P "$(tail -n 1 signer.pub)" -m F
expect minisign_V_P_refuses_signer_line 2 'Unsupported signature algorithm'

# And writ keeps each kind to its job.
cp policy.ini bysigner.ini
t "$WRIT" policy sign -s signer.key bysigner.ini
expect policy_sign_refuses_signer_key 1 \
    'signer.key: is a signer key; policies are signed with an authority key (writ keygen --authority)'
[ ! -e bysigner.ini.minisig ] && pass signer_key_signed_no_policy ||
	fail signer_key_signed_no_policy "bysigner.ini.minisig exists"
t "$WRIT" policy check -p signer.pub policy.ini
expect policy_check_refuses_signer_pub 1 'signer.pub: is a signer key'
refused_before_connecting run_refuses_authority_key_before_connecting \
    'auth.key: is a minisign (authority) key; requests are signed with a signer key (writ keygen NAME)' \
    auth.key
refused_before_connecting run_refuses_minisign_made_key_before_connecting \
    'mw.key: is a minisign (authority) key' mw.key
make_policy mwsigner.ini mw.pub
t "$WRIT" policy check mwsigner.ini
expect lint_refuses_minisign_key_as_signer 1 \
    'mwsigner.ini:8: key: is a minisign (authority) key; requests are signed with a signer key'

# Refusals that cost no scrypt.
cp auth.key open.key
chmod 644 open.key
t "$WRIT" policy sign -s open.key policy.ini
expect refuses_secret_key_mode_0644 1 'open.key: secret key file is accessible'
# A public key where the secret key belongs (writ's or minisign's): named
# as such, with the secret key beside it, in one line, exit 2, before any
# connection or passphrase.
refused_before_connecting run_names_public_key_given_as_signing_key \
    'writ: run: signer.pub is a public key; -k takes the secret key (signer.key?)' \
    signer.pub 2
refused_before_connecting run_names_minisign_public_key_given_as_signing_key \
    'writ: run: mw.pub is a public key; -k takes the secret key (mw.key?)' mw.pub 2
[ "$(wc -l < "$SCRATCH/out")" = 1 ] && pass public_key_refusal_is_one_line ||
	fail public_key_refusal_is_one_line "$(cat "$SCRATCH/out")"
cp signer.pub lone.pub
chmod 600 lone.pub
t "$WRIT" run --dry-run -H web01 -k lone.pub --realm prod uptime
expect public_key_without_secret_key_beside_it 2 \
    'writ: run: lone.pub is a public key; -k takes the secret key'
t "$WRIT" policy sign -s auth.pub policy.ini
expect policy_sign_names_public_key_given_as_key 2 \
    'writ: policy sign: auth.pub is a public key; -s takes the secret key (auth.key?)'
printf 'serial = 1\nnot an ini line\n' >bad.ini
t "$WRIT" policy sign -s auth.key bad.ini
expect refuses_to_sign_invalid_policy 1 'not signed: bad.ini'
[ ! -e bad.ini.minisig ] && pass invalid_policy_leaves_no_signature ||
	fail invalid_policy_leaves_no_signature "bad.ini.minisig exists"
# The signing key's own Ed25519 key, re-tagged as a signer key.
python3 -c '
import base64, sys
lines = open(sys.argv[1]).read().split("\n")
raw = bytearray(base64.b64decode(lines[1]))
raw[0:2] = b"\xc2\xbb"
print("untrusted comment: re-tagged\n" + base64.b64encode(bytes(raw)).decode())' \
    auth.pub > retagged.pub
make_policy self.ini retagged.pub
t "$WRIT" policy sign -s auth.key self.ini
expect refuses_policy_naming_signing_key_as_signer 1 \
    'self.ini:7: signer ci has the signing key; an authority key cannot sign requests'

cp signer.key signer.key.before
cp signer.pub signer.pub.before
t "$WRIT" keygen -W signer
expect keygen_refuses_overwrite 1 'signer.key: already exists (use -f'
if cmp -s signer.key signer.key.before && cmp -s signer.pub signer.pub.before; then
	pass keygen_refusal_leaves_pair_untouched
else
	fail keygen_refusal_leaves_pair_untouched "files changed"
fi
t "$WRIT" keygen -W -f signer
expect keygen_f_overwrites 0 'signer.pub: public key'
if ! cmp -s signer.key signer.key.before && ! cmp -s signer.pub signer.pub.before; then
	pass keygen_f_replaced_both_files
else
	fail keygen_f_replaced_both_files "files unchanged"
fi

t env WRIT_PASSPHRASE_FILE= setsid -w "$WRIT" keygen nokey
expect keygen_without_tty_or_file_says_how 1 'set WRIT_PASSPHRASE_FILE'
[ ! -e nokey.key ] && [ ! -e nokey.pub ] && pass no_passphrase_writes_nothing ||
	fail no_passphrase_writes_nothing "nokey.* exists"
: >empty
chmod 600 empty
t env WRIT_PASSPHRASE_FILE=empty "$WRIT" keygen nokey
expect refuses_empty_passphrase_file 1 'empty passphrase'
cp pass open-pass
chmod 640 open-pass
t env WRIT_PASSPHRASE_FILE=open-pass "$WRIT" keygen nokey
expect refuses_group_readable_passphrase_file 1 'open-pass: accessible by group'

# On a terminal: echo off while asking, restored after, even when killed.
tty_run "$WRIT keygen ttykey" 'typed-one' 'typed-two'
expect keygen_on_tty_refuses_differing_passphrases 1 'the two passphrases differ'
if grep -q typed- "$SCRATCH/out"; then
	fail tty_passphrase_not_echoed "$(cat "$SCRATCH/out")"
else
	pass tty_passphrase_not_echoed
fi
sleep 2 | timeout 20 script -qec "$WRIT keygen ttykey & i=0
	while ! stty -a | grep -q -- -echo && [ \$i -lt 200 ]; do
		sleep 0.05; i=\$((i + 1)); done
	kill -TERM \$!; wait \$!; echo rc=\$?; stty -a" /dev/null 2>&1 |
    tr -d '\r' >tty.out
if grep -q '^rc=143$' tty.out && grep -q '[; ]echo ' tty.out &&
    ! grep -q ' -echo ' tty.out; then
	pass tty_echo_restored_when_killed_at_prompt
else
	fail tty_echo_restored_when_killed_at_prompt "$(head -c 400 tty.out)"
fi

# Encrypted keys (scrypt, 1 GiB, a few seconds each).
t env WRIT_PASSPHRASE_FILE=pass "$WRIT" keygen --authority enc
expect keygen_encrypted_from_passphrase_file 0 'enc.key: secret key (encrypted)'
cp policy.ini enc.ini
t env WRIT_PASSPHRASE_FILE=pass "$WRIT" policy sign -s enc.key enc.ini
expect policy_sign_with_writ_encrypted_key 0 'signed enc.ini'
minisign_verifies minisign_verifies_sig_from_writ_encrypted_key enc.pub enc.ini
echo more >G
if printf 'correct horse battery\n' | timeout 60 minisign -S -s enc.key -m G \
    >/dev/null 2>&1 && minisign -Vq -p enc.pub -m G; then
	pass minisign_decrypts_writ_encrypted_key
else
	fail minisign_decrypts_writ_encrypted_key "minisign -S failed"
fi

# minisign -G reads the password twice from stdin when it is not a terminal.
printf 'correct horse battery\ncorrect horse battery\n' |
    timeout 60 minisign -G -p me.pub -s me.key >/dev/null 2>&1
# Same comment line, algorithms, scrypt limits and size as minisign's own.
layout() {
	head -n 1 "$1"
	tail -n 1 "$1" | base64 -d | od -An -tx1 -v |
	    tr -s ' \n' ' ' | cut -d ' ' -f 2-7,40-55
	wc -c <"$1"
}
if [ "$(layout enc.key)" = "$(layout me.key)" ]; then
	pass encrypted_key_layout_matches_minisign_G
else
	fail encrypted_key_layout_matches_minisign_G "$(layout enc.key) vs $(layout me.key)"
fi
cp policy.ini me.ini
tty_run "$WRIT policy sign -s me.key me.ini" 'correct horse battery'
expect policy_sign_with_minisign_encrypted_key_on_tty 0 'signed me.ini'
minisign_verifies minisign_verifies_sig_from_minisign_encrypted_key me.pub me.ini
# An encrypted signer key: minisign refuses it before asking a password;
# writ decrypts it to sign requests.
t env WRIT_PASSPHRASE_FILE=pass "$WRIT" keygen encsigner
expect keygen_encrypted_signer_key 0 'encsigner.key: secret key (encrypted)'
encid=$(sed -n 's/.*key id \([0-9A-F]\{16\}\)$/\1/p' "$SCRATCH/out")
printf 'correct horse battery\n' >pw.in
timeout 60 minisign -S -s encsigner.key -m G <pw.in >minisign.out 2>&1
rc=$?
cp minisign.out "$SCRATCH/out"
expect minisign_refuses_encrypted_signer_key 2 'Unsupported signature algorithm'
if grep -q Password minisign.out; then
	fail minisign_asks_no_password_for_signer_key "$(cat minisign.out)"
else
	pass minisign_asks_no_password_for_signer_key
fi
t env WRIT_PASSPHRASE_FILE=pass "$WRIT" run --dry-run -H web01 \
    -k encsigner.key --realm prod uptime
expect run_decrypts_encrypted_signer_key 0 \
    "signer: key $encid (encsigner.key)"
cp me.ini.minisig me.sig.before
printf 'wrong horse\n' >wrong
chmod 600 wrong
t env WRIT_PASSPHRASE_FILE=wrong "$WRIT" policy sign -s me.key me.ini
expect refuses_wrong_passphrase 1 'me.key: wrong passphrase or corrupt key'
cmp -s me.ini.minisig me.sig.before && pass wrong_passphrase_leaves_signature ||
	fail wrong_passphrase_leaves_signature "me.ini.minisig changed"
