#!/usr/bin/env bash
# demo.sh: what `make demo` runs, in a scratch directory it removes: keys, a
# policy signed by an authority and checked by the real minisign, the
# decisions a gate would take, then a fleet of 8 loopback hosts (an OpenSSH
# sshd each, writ-gate as the forced command) driven by `writ run`.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
writ=${WRIT:-$src/build/writ}
dir=$(mktemp -d "${TMPDIR:-/tmp}/writ-demo.XXXXXX")
cd "$dir"
gate=$dir/bin/writ-gate

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold= plain=; fi
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
# Echo a command as a shell would read it, then run it.
echo_cmd() {
	local words=("${@/#$writ/writ}")
	words=("${words[@]/#$gate/writ-gate}")
	printf '$'; printf ' %q' "${words[@]}"; printf '\n'
}
run() { echo_cmd "$@"; "$@"; }
show() { echo_cmd "$@"; "$@" || printf '(exit %d)\n' $?; }

# fleet_up: one sshd per host on a free loopback port, each with its own
# gate.ini (host id, state dir, audit log) and the same signed policy; an
# inventory naming them. As root the gates run as a dedicated account whose
# shell is /bin/sh; otherwise as the current user.
fleet_up() {
	local h port user
	mkdir -p bin fleet
	cp "$src/build/writ-gate" "$gate"
	cp "$src/examples/release.sh" bin/release
	chmod 0755 bin/release
	chmod 0711 "$dir"
	chmod 0755 bin "$gate" fleet
	if [ "$(id -u)" -eq 0 ]; then
		user=writdemo
		getent passwd "$user" >/dev/null || useradd --system \
		    --no-create-home --home-dir / --shell /bin/sh "$user"
		usermod -p '*' -d / "$user"
	else
		user=$(id -un)
	fi
	ssh-keygen -q -t ed25519 -N '' -f host_key -C demo-host
	ssh-keygen -q -t ed25519 -N '' -f client_key -C demo-client
	mkdir -p /run/sshd 2>/dev/null || true
	: > known_hosts
	: > fleet.ini
	for h in web01 web02 web03 web04 web05 web06 db01 db02; do
		port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
		mkdir -p "fleet/$h/state"
		printf '[gate]\nhost_id = %s\nrealm = demo\npolicy = %s\ntrust = %s\nstate_dir = %s\naudit_log = %s\n' \
		    "$h" "$dir/policy.ini" "$dir/authority.pub" "$dir/fleet/$h/state" \
		    "$dir/fleet/$h/audit.log" > "fleet/$h/gate.ini"
		printf 'command="%s -c %s",restrict %s\n' "$gate" "$dir/fleet/$h/gate.ini" \
		    "$(cat client_key.pub)" > "fleet/$h/authorized_keys"
		printf 'Port %s\nListenAddress 127.0.0.1\nHostKey %s\nPidFile %s\nAuthorizedKeysFile %s\nAllowUsers %s\nUsePAM no\nStrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nLogLevel ERROR\n' \
		    "$port" "$dir/host_key" "$dir/fleet/$h/sshd.pid" \
		    "$dir/fleet/$h/authorized_keys" "$user" > "fleet/$h/sshd_config"
		printf '[host %s]\naddress = 127.0.0.1\nport = %s\nuser = %s\nhost_id = %s\n\n' \
		    "$h" "$port" "$user" "$h" >> fleet.ini
		echo "[127.0.0.1]:$port $(cat host_key.pub)" >> known_hosts
		chmod 0755 "fleet/$h"
		chmod 0644 "fleet/$h/authorized_keys"
		chmod 0700 "fleet/$h/state"
		[ "$user" = "$(id -un)" ] || chown -R "$user" "fleet/$h/state"
		app_dir "$h" "$user"
		start_sshd "$h"
		pids+=($!)
	done
	chmod 0644 policy.ini policy.ini.minisig authority.pub
	# The gates' audit logs are theirs to create; the directories theirs too.
	[ "$user" = "$(id -un)" ] || chown "$user" fleet/*/
	for h in web01 web02 web03 web04 web05 web06 db01 db02; do
		for _ in $(seq 100); do [ -s "fleet/$h/sshd.pid" ] && break; sleep 0.05; done
	done
	run_opts=(-k ci-deploy.key --realm demo --identity client_key --known-hosts known_hosts)
}
# app_dir HOST USER: the host's /srv/app: releases, versions, today's log.
app_dir() {
	local a=fleet/$1/app
	mkdir -p "$a/releases" "$a/versions" "$a/logs"
	printf '%s app[%s]: started\n%s app[%s]: ready, serving\n' \
	    "$(date -u +%FT%TZ)" "$1" "$(date -u +%FT%TZ)" "$1" \
	    > "$a/logs/$(date -u +%F).log"
	chmod -R go-w "$a"
	chmod 0755 "$a" "$a/releases" "$a/versions" "$a/logs"
	[ "$2" = "$(id -un)" ] || chown -R "$2" "$a"
}
# start_sshd HOST: the host's sshd; as root in a mount namespace of its
# own where its app directory is /srv/app (so one policy serves the fleet,
# as on real hosts), else as it is (and the file steps are skipped).
start_sshd() {
	local c=$dir/fleet/$1/sshd_config l=$dir/fleet/$1/sshd.log
	if [ "$(id -u)" -eq 0 ]; then
		unshare -m --propagation private sh -c \
		    'mount --bind "$1" /srv/app && exec /usr/sbin/sshd -D -f "$2" -E "$3"' \
		    sh "$dir/fleet/$1/app" "$c" "$l" </dev/null &
	else
		/usr/sbin/sshd -D -f "$c" -E "$l" </dev/null &
	fi
}
pids=()
made_srv_app=
if [ "$(id -u)" -eq 0 ] && [ ! -d /srv/app ]; then
	mkdir -p /srv/app && made_srv_app=1
fi
trap 'kill "${pids[@]}" 2>/dev/null; [ -z "$made_srv_app" ] || rmdir /srv/app; rm -rf "$dir"' EXIT

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
    -e "s|@RELEASE@|$dir/bin/release|" \
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

say "6. A fleet of 8 hosts on loopback: an OpenSSH sshd each, writ-gate as the forced command"
fleet_up
run "$writ" hosts --inventory fleet.ini -a

say "7. A parallel uptime on every host: web* may, db* may not (the role's hosts globs)"
show "$writ" run --inventory fleet.ini -a "${run_opts[@]}" \
    --json run.jsonl --report run.md --failed-hosts failed.txt uptime
echo "-- run.jsonl: one object per host as it ends, then the summary:"
head -n 1 run.jsonl
tail -n 1 run.jsonl
echo "-- failed.txt (ready for -h):"
cat failed.txt

say "8. A restart signed by one key: the op needs two approvals, every gate refuses"
show "$writ" run --inventory fleet.ini -H 'web[01-03]' "${run_opts[@]}" \
    -m CHG-1001 restart unit=nginx.service

say "9. A rolling restart, two signers, web03 down: batches of 1 then 2, no failure allowed"
kill "$(cat fleet/web03/sshd.pid)"
show "$writ" run --inventory fleet.ini -H 'web[01-06]' "${run_opts[@]}" \
    -k release-manager.key -m CHG-1002 --mode rolling --batch 1,2 \
    --json rolling.jsonl --report rolling.md restart unit=nginx.service
echo "-- rolling.md, the table:"
grep '^|' rolling.md

if [ "$(id -u)" -eq 0 ]; then
say "10. A release: writ put uploads a tarball, bound to its digest; each gate installs it, then unpacks it and flips current"
mkdir -p app-1.4.2 && echo 'hello from 1.4.2' > app-1.4.2/index.html && echo v=1.4.2 > app-1.4.2/VERSION
tar -c -f app-1.4.2.tar.gz -C app-1.4.2 .
show "$writ" put --inventory fleet.ini -H 'web[01-02,04-06]' "${run_opts[@]}" \
    -k release-manager.key -m CHG-1003 release app-1.4.2.tar.gz version=1.4.2
run ls -l fleet/web01/app/current
run cat fleet/web01/app/current/index.html
echo "-- the same upload again: the gate refuses to replace what is there (no replace = yes)"
show "$writ" put --inventory fleet.ini -H web01 "${run_opts[@]}" \
    -k release-manager.key -m CHG-1003 release app-1.4.2.tar.gz version=1.4.2

say "11. writ get: today's log from two hosts, kept as logs/HOST/NAME once its digest checks"
mkdir -p logs
show "$writ" get --inventory fleet.ini -H 'web[01-02]' -k auditor.key --realm demo \
    --identity client_key --known-hosts known_hosts --dest logs fetch-log "day=$(date -u +%F)"
run find logs -type f
run cat "logs/web02/$(date -u +%F).log"
else
say "10-11. writ put and writ get: skipped (they need root, to give each host its own /srv/app)"
fi

say "12. What web01's gate wrote to its hash-chained audit log"
tail -n 3 fleet/web01/audit.log | cut -c1-200
run "$gate" audit verify fleet/web01/audit.log

say "Done."
