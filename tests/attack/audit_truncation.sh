# audit_truncation.sh: a signer pads a request with a long param so that the
# one that matters falls off the end of the audit record. The op gets every
# param; the file's record holds every one whole; syslog's copy holds them
# too when they fit, and when they do not it says it was cut, and where.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/rsyslog.sh"
. "$SRC/tests/attack.sh"

rsyslog_start padded_request_runs padded_op_touched_the_path \
    padding_hides_nothing_in_the_file padding_hides_nothing_in_syslog \
    more_padding_runs more_padding_hides_nothing_in_the_file \
    more_padding_is_marked_in_syslog || exit 0
SSHD_PREFIX=("${LOG_NS[@]}")
gate_setup
# padded: the long params go to the op's environment (and sort before
# path, so they come first in the record); path is what the op touches.
sed -i -e '0,/^ops   = /s//ops   = padded, /' "$GATE_DIR/policy.ini"
cat >> "$GATE_DIR/policy.ini" <<'OP'

[op padded]
exec    = /usr/bin/env A={a} B={b} C={c} D={d} /usr/bin/touch {path}
param.a = [a-z]+
param.b = [a-z]+
param.c = [a-z]+
param.d = [a-z]+
param.path = /[A-Za-z0-9/._-]+
param.path.allow = slash
timeout = 10
OP
(cd "$GATE_DIR" && "$WRIT" policy sign -s authority.key policy.ini >/dev/null) ||
	fail policy_sign "writ policy sign failed"
gate_own "$GATE_DIR/policy.ini" "$GATE_DIR/policy.ini.minisig"
mkdir -p "$GATE_DIR/canary"
gate_own "$GATE_DIR/canary"
sshd_start

pad=$(head -c 1020 /dev/zero | tr '\0' a)
hidden=$(canary_path hidden)

# record NAME EVENT FROM: the line of NAME's request with event EVENT in
# FROM (the audit file, or syslog's lines without their prefix).
record() {
	local rid
	rid=$(cut -d ' ' -f 2 "$SCRATCH/$1.verdict")
	grep -F "event=\"$2\"" "$3" | grep -F "request=\"$rid\"" | sed 's/^[^]]*\]: //'
}

send hidden -k "$(k ci)" $(req) padded "a=$pad" b=x c=x d=x "path=$hidden"
verdict_is padded_request_runs hidden "accepted "
[ -e "$hidden" ] && pass padded_op_touched_the_path ||
	fail padded_op_touched_the_path "no $hidden"
rsyslog_wait 'event="finished"' 10
acc=$(record hidden accepted "$GATE_DIR/audit.log")
printf '%s\n' "$acc" | grep -qF "params=\"a=$pad,b=x,c=x,d=x,path=$hidden\"" &&
    printf '%s\n' "$acc" | grep -qF ",/usr/bin/touch,$hidden\"" &&
	pass padding_hides_nothing_in_the_file ||
	fail padding_hides_nothing_in_the_file "$(printf '%s' "$acc" | cut -c 1-200)"
line=$(record hidden accepted "$RSYSLOG_OUT")
[ -n "$line" ] && [ "$line" = "$acc" ] &&
	pass padding_hides_nothing_in_syslog ||
	fail padding_hides_nothing_in_syslog "$(printf '%s' "$line" | cut -c 1-200)"

# Four pads: more than a syslog line holds. The file is whole; syslog's
# copy may lose the path, but never silently.
send more -k "$(k ci)" $(req) padded "a=$pad" "b=$pad" "c=$pad" "d=$pad" \
    "path=$hidden.more"
verdict_is more_padding_runs more "accepted "
rsyslog_wait "path=$hidden.more" 10 || sleep 1
acc=$(record more accepted "$GATE_DIR/audit.log")
printf '%s\n' "$acc" | grep -qF "d=$pad,path=$hidden.more\"" &&
	pass more_padding_hides_nothing_in_the_file ||
	fail more_padding_hides_nothing_in_the_file "$(printf '%s' "$acc" | cut -c 1-200)"
line=$(record more accepted "$RSYSLOG_OUT")
if [ -n "$line" ] && [ "${#line}" -le 3840 ] &&
    printf '%s\n' "$line" | grep -q ' truncated=1 cut="params,argv" chain=[0-9a-f]\{64\}$' &&
    printf '%s\n' "$line" | grep -q 'params="a=a*,b=a*[a-z,=]*\.\.\."' &&
    [ "${line##* chain=}" = "${acc##* chain=}" ]; then
	pass more_padding_is_marked_in_syslog
else
	fail more_padding_is_marked_in_syslog "${#line} bytes: $(printf '%s' "$line" | tail -c 200)"
fi
