#!/usr/bin/env bash
# demo.sh: what `make demo` runs. Today it shows writ's trust chain end to end
# in a scratch directory: keys, a policy signed by an authority and checked by
# the real minisign, and the decisions a gate would take for a few requests.
# The loopback fleet joins when the gate and the client land (issues 3, 4).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
writ=${WRIT:-$src/build/writ}
dir=$(mktemp -d "${TMPDIR:-/tmp}/writ-demo.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cd "$dir"

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold= plain=; fi
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
# Echo a command as a shell would read it, then run it.
echo_cmd() { printf '$'; printf ' %q' "${@/#$writ/writ}"; printf '\n'; }
run() { echo_cmd "$@"; "$@"; }
show() { echo_cmd "$@"; "$@" || printf '(exit %d)\n' $?; }

say "1. Keys: a policy authority and three request signers (minisign format)"
for k in authority ci-deploy release-manager auditor; do
	run "$writ" keygen -W "$k"
done

say "2. The allow-list policy, with the signers' public keys filled in"
issued=$(date -u +%Y-%m-%dT00:00:00Z)
expires=$(date -u -d '+30 days' +%Y-%m-%dT00:00:00Z)
sed -e "s|@ISSUED@|$issued|" -e "s|@EXPIRES@|$expires|" \
    -e "s|@CI_DEPLOY@|$(tail -n 1 ci-deploy.pub)|" \
    -e "s|@RELEASE_MANAGER@|$(tail -n 1 release-manager.pub)|" \
    -e "s|@AUDITOR@|$(tail -n 1 auditor.pub)|" \
    "$src/examples/policy.ini.in" > policy.ini
grep -v '^;' policy.ini | sed -n '1,12p'
echo "..."

say "3. The authority signs it; writ and the real minisign both verify it"
run "$writ" policy sign -s authority.key policy.ini
run minisign -V -p authority.pub -m policy.ini
run "$writ" policy check -p authority.pub policy.ini

say "4. A tampered copy is refused"
sed 's/^serial  = 1/serial  = 2/' policy.ini > tampered.ini
cp policy.ini.minisig tampered.ini.minisig
show "$writ" policy check -p authority.pub tampered.ini

say "5. What a gate would decide (same code as writ-gate)"
show "$writ" policy explain -p authority.pub policy.ini \
    --signer ci-deploy.pub --host web01 uptime
show "$writ" policy explain -p authority.pub policy.ini \
    --signer ci-deploy.pub --host db01 uptime
show "$writ" policy explain -p authority.pub policy.ini \
    --signer ci-deploy.pub --host web01 restart unit=nginx.service
show "$writ" policy explain -p authority.pub policy.ini \
    --signer ci-deploy.pub --signer release-manager.pub --host web01 \
    restart unit=nginx.service
show "$writ" policy explain -p authority.pub policy.ini \
    --signer ci-deploy.pub --signer release-manager.pub --host web01 \
    restart 'unit=nginx.service; rm -rf /'

say "Done. The fleet part of this demo arrives with writ-gate and writ run (issues 3, 4)."
