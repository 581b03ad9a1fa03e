# env_injection.sh: a client whose sshd passes its environment (AcceptEnv *,
# as a careless sshd_config might) sets BASH_ENV, LD_LIBRARY_PATH and friends
# for the gate. The op runs with a cleared environment (a fixed PATH plus the
# op's own env), so a bash op never sources the attacker's BASH_ENV and
# nothing of the client's environment reaches it.
. "$(dirname "$0")/../lib.sh"
. "$SRC/tests/sshd.sh"
. "$SRC/tests/attack.sh"

gate_setup
mkdir -p "$GATE_DIR/canary"
gate_own "$GATE_DIR/canary"
# A second key whose forced command is env(1): it shows what sshd passes.
ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/env_key" -C env
authorize "$SSH_DIR/client_key" "$GATE -c $GATE_DIR/gate.ini"
authorize "$SSH_DIR/env_key" /usr/bin/env
sshd_start
printf '#!/bin/bash\necho bash op ran\n' > "$SCRATCH/bin/bashop"
add_ops bashop
echo 'AcceptEnv *' >> "$SSH_DIR/sshd_config"
sshd_run
evil=$SCRATCH/evil.sh
printf 'touch %s\n' "$(canary_path bash_env)" > "$evil"
chmod 0755 "$evil"

# send_env NAME [--ssh-key KEY] MKREQUEST-ARGS...: like send, with the
# attacker's variables.
send_env() {
	local name=$1 key=$SSH_DIR/client_key
	shift
	if [ "$1" = --ssh-key ]; then key=$2; shift 2; fi
	"$MKREQUEST" "$@" > "$SCRATCH/$name.req"
	timeout 30 ssh -F /dev/null -p "$SSHD_PORT" -i "$key" \
	    -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
	    -o UserKnownHostsFile="$SSH_DIR/known_hosts" -o LogLevel=ERROR \
	    -o "SetEnv=BASH_ENV=$evil ENV=$evil LD_LIBRARY_PATH=$SCRATCH WRIT_EVIL=1 PATH=$SCRATCH:/usr/bin:/bin" \
	    "$GATE_USER@127.0.0.1" writ-request-v1 < "$SCRATCH/$name.req" \
	    > "$SCRATCH/$name.out" 2> "$SCRATCH/$name.err"
	"$FRAMES" "$SCRATCH/$name" < "$SCRATCH/$name.out" 2>>"$SCRATCH/$name.err"
}

# The attack is real: this sshd hands the variables to its forced command.
send_env sshd_passes --ssh-key "$SSH_DIR/env_key" -k "$(k ci)" $(req) uptime
grep -qx "BASH_ENV=$evil" "$SCRATCH/sshd_passes.out" &&
	grep -qx 'WRIT_EVIL=1' "$SCRATCH/sshd_passes.out" &&
	pass sshd_passes_client_environment ||
	fail sshd_passes_client_environment "$(head -c 300 "$SCRATCH/sshd_passes.out")"

send_env bash_op -k "$(k ci)" $(req) bashop
verdict_is bash_op_runs bash_op "accepted "
grep -qx 'bash op ran' "$SCRATCH/bash_op.stdout" && pass bash_op_output ||
	fail bash_op_output "$(cat "$SCRATCH/bash_op.stdout")"
no_canary bash_env_never_sourced bash_env

send_env env_op -k "$(k ci)" $(req) env
verdict_is env_op_runs env_op "accepted "
sort "$SCRATCH/env_op.stdout" > "$SCRATCH/env.sorted"
want=$(printf 'PATH=/usr/sbin:/usr/bin:/sbin:/bin\nWRIT_OP=env\n')
got=$(grep -v '^PWD=' "$SCRATCH/env.sorted")
[ "$got" = "$want" ] && pass op_environment_is_only_path_and_op_env ||
	fail op_environment_is_only_path_and_op_env "$(tr '\n' ' ' < "$SCRATCH/env.sorted")"
