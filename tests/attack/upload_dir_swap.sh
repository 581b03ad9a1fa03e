# upload_dir_swap.sh: another local user who owns a directory on an upload's
# path (here "nobody" owns the parent of the destination, which itself is the
# gate's and not writable by others) renames the destination away while the
# gate receives the bytes, and puts a directory of its own, with its own file
# under the uploaded name, in its place. The gate links the signed bytes into
# the directory it opened, but the op's {upload} is a path: it would run the
# attacker's file. Every directory of the path must be root's or the gate's,
# so the upload is refused bad-destination before a byte is read.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/attack.sh"

if [ "$(id -u)" -ne 0 ] || ! getent passwd nobody >/dev/null; then
	skip upload_dir_swap "needs root and the nobody account (another local user)"
	exit 0
fi

attack_setup
owned=$SCRATCH/owned
mkdir -p "$owned/up"
chown nobody "$owned"
chmod 0755 "$owned"
gate_own "$owned/up"
chmod 0755 "$owned/up"

# put-run: an upload whose exec runs the uploaded script.
sed -i -e "0,/^ops   = /s//ops   = put-run, /" "$GATE_DIR/policy.ini"
printf '\n[op put-run]\nupload = %s/up/{name}\nparam.name = [a-z]+\\.sh\nmax_size = 1K\nexec = /bin/sh {upload}\ntimeout = 10\n' \
    "$owned" >> "$GATE_DIR/policy.ini"
(cd "$GATE_DIR" && "$WRIT" policy sign -s authority.key policy.ini >/dev/null) ||
	fail policy_sign "writ policy sign failed"
gate_own "$GATE_DIR/policy.ini" "$GATE_DIR/policy.ini.minisig"

canary=$(canary_path upload_dir_swap)
printf 'exit 0\n' > "$SCRATCH/signed.sh"
printf 'touch %s\n' "$canary" > "$SCRATCH/evil.sh"
chmod 0644 "$SCRATCH/signed.sh" "$SCRATCH/evil.sh"
"$MKREQUEST" -k "$(k ci)" $(req) --upload "$SCRATCH/signed.sh" put-run \
    name=job.sh > "$SCRATCH/swap.req"
# The framed request (4 length bytes and the request), then the payload.
n=$(od -An -tu1 -N4 "$SCRATCH/swap.req" | awk '{ print $1*16777216 + $2*65536 + $3*256 + $4 }')
head -c $((4 + n)) "$SCRATCH/swap.req" > "$SCRATCH/swap.head"
tail -c +$((5 + n)) "$SCRATCH/swap.req" > "$SCRATCH/swap.body"

# The request, then (while the gate waits for the bytes) the swap, then the
# bytes.
{
	cat "$SCRATCH/swap.head"
	sleep 2
	runuser -u nobody -- sh -c 'mv "$1/up" "$1/up.gate" && mkdir "$1/up" &&
	    cp "$2" "$1/up/job.sh" && chmod 0644 "$1/up/job.sh" &&
	    chmod 0755 "$1/up"' sh "$owned" "$SCRATCH/evil.sh"
	cat "$SCRATCH/swap.body"
} | timeout 30 ssh -F /dev/null -p "$SSHD_PORT" -i "$SSH_DIR/client_key" \
    -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$SSH_DIR/known_hosts" -o LogLevel=ERROR \
    "$GATE_USER@127.0.0.1" writ-request-v1 > "$SCRATCH/swap.out" 2> "$SCRATCH/swap.err"
echo $? > "$SCRATCH/swap.rc"
"$FRAMES" "$SCRATCH/swap" < "$SCRATCH/swap.out" 2>>"$SCRATCH/swap.err"

verdict_is swapped_destination_refused swap "refused bad-destination "
no_canary swapped_destination_runs_nothing upload_dir_swap
audited swapped_destination_is_audited bad-destination "not owned by root or"
# Nothing of the signed upload was placed, in either directory.
[ ! -e "$owned/up.gate/job.sh" ] && [ "$(cat "$owned/up/job.sh")" != "exit 0" ] &&
	pass swapped_destination_places_nothing ||
	fail swapped_destination_places_nothing "$(ls -la "$owned"/up* 2>&1 | head -n 8)"

# The same op with every directory the gate's or root's: accepted.
rm -rf "$owned"
mkdir -p "$owned/up"
chmod 0755 "$owned"
gate_own "$owned/up"
send own_destination -k "$(k ci)" $(req) --upload "$SCRATCH/signed.sh" put-run name=job.sh
verdict_is own_destination_accepted own_destination "accepted "
