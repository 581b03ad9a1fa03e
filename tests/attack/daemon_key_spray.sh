# daemon_key_spray.sh: an attacker (127.0.0.8) tries one SSH key after
# another against writ-gate --listen. Each is refused at login, and each
# refusal is logged with the peer and the key's SHA256 fingerprint, in the
# form the shipped fail2ban filter turns into a ban of that address.
# Nothing runs.
GATE_BACKEND=daemon
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/attack.sh"

attack_setup
LOG=$SSH_DIR/daemon-$SSHD_PORT.log
"$MKREQUEST" -k "$(k ci)" $(req) canary "path=$(canary_path spray)" > "$SCRATCH/spray.req"
refused=0
for i in 1 2 3; do
	ssh-keygen -q -t ed25519 -N '' -f "$SCRATCH/guess$i" -C "guess$i"
	timeout 30 ssh -F /dev/null -b 127.0.0.8 -p "$SSHD_PORT" -i "$SCRATCH/guess$i" \
	    -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
	    -o UserKnownHostsFile="$SSH_DIR/known_hosts" -o ConnectTimeout=5 \
	    "$GATE_USER@127.0.0.1" writ-request-v1 < "$SCRATCH/spray.req" \
	    > "$SCRATCH/spray$i.out" 2>&1
	[ $? = 255 ] && grep -q 'Permission denied (publickey)' "$SCRATCH/spray$i.out" &&
		refused=$((refused + 1))
done
no_canary key_spray_runs_nothing spray
[ "$refused" = 3 ] && pass key_spray_refused_at_login ||
	fail key_spray_refused_at_login "$refused of 3 refused"
logged=0
for i in 1 2 3; do
	fp=$(ssh-keygen -lf "$SCRATCH/guess$i.pub" | awk '{ print $2 }')
	grep -F 'event="login-failed" peer="127.0.0.8:' "$LOG" |
	    grep -F "key=\"$fp\"" | grep -qF 'reason="unknown-key"' &&
		logged=$((logged + 1))
done
[ "$logged" = 3 ] && pass key_spray_is_logged ||
	fail key_spray_is_logged "$logged of 3 keys logged: $(grep login- "$LOG" | tail -n 3)"
if command -v fail2ban-regex >/dev/null; then
	mkdir -p "$SCRATCH/f2b"
	cp /etc/fail2ban/filter.d/common.conf "$SRC/packaging/fail2ban/filter.d/writ-gate.conf" \
	    "$SCRATCH/f2b/"
	got=$(timeout 60 fail2ban-regex -o ip "$LOG" "$SCRATCH/f2b/writ-gate.conf" 2>&1 | tr '\n' ' ')
	[ "$got" = "127.0.0.8 127.0.0.8 127.0.0.8 " ] && pass key_spray_matches_fail2ban ||
		fail key_spray_matches_fail2ban "fail2ban-regex found: $got"
else
	skip key_spray_matches_fail2ban "fail2ban is not installed (.ci/deps installs it)"
fi
