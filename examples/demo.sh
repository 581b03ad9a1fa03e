#!/usr/bin/env bash
# demo.sh: what `make demo` runs, in a scratch directory it removes: keys, a
# policy signed by an authority and checked by the real minisign, the
# decisions a gate would take, then a fleet of 24 loopback hosts (a
# `writ-gate --listen` daemon each: no sshd, no root needed) driven by writ
# run, put and get; two people approving one restart; a policy rollout
# with writ policy push and writ status; a revoked signer.
set -euo pipefail
# The user's own writ settings never reach the demo: it makes its own.
unset WRIT_CONFIG WRIT_KEY WRIT_REALM WRIT_INVENTORY WRIT_PASSPHRASE_FILE
src=$(cd "$(dirname "$0")/.." && pwd)
writ=${WRIT:-$src/build/writ}
gate_bin=${WRIT_GATE:-$src/build/writ-gate}
dir=$(mktemp -d "${TMPDIR:-/tmp}/writ-demo.XXXXXX")
cd "$dir"
# The gates refuse a gate.ini, policy or key their group may write: a
# umask of 002 would make every one of them so.
umask 022
gate=$dir/bin/writ-gate
hosts=(web{01..16} api{01..04} db{01..04})

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold= plain=; fi
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
note() { printf -- '-- %s\n' "$*"; }
# Echo a command as a shell would read it, then run it.
echo_cmd() {
	local words=("${@/#$writ/writ}")
	words=("${words[@]/#$gate/writ-gate}")
	printf '$'; printf ' %q' "${words[@]}"; printf '\n'
}
run() { echo_cmd "$@"; "$@"; }
show() { echo_cmd "$@"; "$@" || printf '(exit %d)\n' $?; }

# render APP OUT [SERIAL]: examples/policy.ini.in with the demo's keys,
# the release script, APP as the application directory, serial SERIAL (1).
render() {
	sed -e "s|@ISSUED@|$issued|" -e "s|@EXPIRES@|$expires|" \
	    -e "s|@SERIAL@|${3:-1}|" \
	    -e "s|@CI_DEPLOY@|$(tail -n 1 ci-deploy.pub)|" \
	    -e "s|@RELEASE_MANAGER@|$(tail -n 1 release-manager.pub)|" \
	    -e "s|@AUDITOR@|$(tail -n 1 auditor.pub)|" \
	    -e "s|@RELEASE@|$dir/bin/release|" -e "s|@APP@|$1|g" \
	    "$src/examples/policy.ini.in" > "$2"
}

# fleet_up: per host a directory with its gate.ini (host id, state dir,
# audit log), its own ed25519 host key, its copy of the policy, its app
# directory, and a `writ-gate --listen` daemon on a free loopback port;
# one authorized_keys for all; an inventory and a client config naming
# them. As root the daemons drop to a dedicated account (gate.ini `user`),
# otherwise they run as the current user.
fleet_up() {
	local h i d port user userline=
	mkdir -p bin fleet
	# writ-gate --listen runs its sibling writ-gated, which runs a fresh
	# writ-gate for each session.
	cp "$gate_bin" "$gate"
	cp "$(dirname "$gate_bin")/writ-gated" "$(dirname "$gate")/writ-gated"
	cp "$src/examples/release.sh" bin/release
	chmod 0711 "$dir"
	chmod 0755 bin "$gate" bin/writ-gated bin/release fleet
	if [ "$(id -u)" -eq 0 ]; then
		user=writdemo
		if ! getent passwd "$user" >/dev/null; then
			useradd --system --no-create-home --home-dir / \
			    --shell /usr/sbin/nologin "$user"
			made_user=$user     # removed again at the end
		fi
		userline="user = $user"
	else
		user=$(id -un)
	fi
	ssh-keygen -q -t ed25519 -N '' -f client_key -C demo-client
	printf 'from="127.0.0.1" %s\n' "$(cat client_key.pub)" > authorized_keys
	chmod 0644 authorized_keys policy.ini policy.ini.minisig authority.pub
	# All ports at once, each from a socket of its own (no two alike).
	ports=($(python3 -c 'import socket
ss = [socket.socket() for _ in range('"${#hosts[@]}"')]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))'))
	: > known_hosts
	: > fleet.ini
	for i in "${!hosts[@]}"; do
		h=${hosts[$i]} port=${ports[$i]} d=$dir/fleet/${hosts[$i]}
		mkdir -p "$d/state" "$d/policy"
		ssh-keygen -q -t ed25519 -N '' -f "$d/host_key" -C "$h"
		render "$(app_of "$h")" "$d/policy/policy.ini"
		"$writ" policy sign -s authority.key "$d/policy/policy.ini" >/dev/null
		printf '[gate]\nhost_id = %s\nrealm = demo\npolicy = %s\ntrust = %s\nstate_dir = %s\naudit_log = %s\n' \
		    "$h" "$d/policy/policy.ini" "$dir/authority.pub" "$d/state" \
		    "$d/audit.log" > "$d/gate.ini"
		[ -z "$userline" ] || echo "$userline" >> "$d/gate.ini"
		printf '[host %s]\naddress = 127.0.0.1\nport = %s\nuser = %s\nhost_id = %s\n\n' \
		    "$h" "$port" "$user" "$h" >> fleet.ini
		echo "[127.0.0.1]:$port $(cat "$d/host_key.pub")" >> known_hosts
		: > "$d/audit.log"
		chmod 0755 "$d" "$d/policy"
		chmod 0644 "$d/gate.ini" "$d/policy/policy.ini" \
		    "$d/policy/policy.ini.minisig"
		chmod 0700 "$d/state"
		chmod 0600 "$d/audit.log"
		app_dir "$h"
		# The gate's user owns its policy's directory, where
		# @policy-update swaps in a newer policy with its signature.
		[ "$user" = "$(id -un)" ] || chown -R "$user" "$d/state" \
		    "$d/audit.log" "$(app_of "$h")" "$d/policy"
		"$gate" --listen "127.0.0.1:$port" --host-key "$d/host_key" \
		    --authorized-keys "$dir/authorized_keys" -c "$d/gate.ini" \
		    --foreground 2>"$d/daemon.log" </dev/null &
		pids+=($!)
	done
	printf '[group web]\nhosts = web[01-16]\n\n[group api]\nhosts = api[01-04]\n\n[group db]\nhosts = db[01-04]\n' >> fleet.ini
	printf '[defaults]\ninventory = %s\nrealm = demo\nidentity = %s\nknown-hosts = %s\n' \
	    fleet.ini client_key known_hosts > writ.ini
	export WRIT_CONFIG=$dir/writ.ini
	for h in "${hosts[@]}"; do
		for _ in $(seq 100); do
			grep -q 'listening on' "fleet/$h/daemon.log" && break
			sleep 0.02
		done
		grep -q 'listening on' "fleet/$h/daemon.log" || {
			echo "demo: $h's daemon did not start:" >&2
			cat "fleet/$h/daemon.log" >&2
			exit 1
		}
	done
}
# app_of HOST: the host's application directory (its /srv/app). The db
# hosts share one, so their policies are one file: writ policy push sends
# the same policy to every target.
app_of() {
	case $1 in
	db*) echo "$dir/fleet/db-app" ;;
	*) echo "$dir/fleet/$1/app" ;;
	esac
}
# app_dir HOST: the host's application directory: releases, versions,
# today's log.
app_dir() {
	local a
	a=$(app_of "$1")
	mkdir -p "$a/releases" "$a/versions" "$a/logs"
	printf '%s app[%s]: started\n%s app[%s]: ready, serving\n' \
	    "$(date -u +%FT%TZ)" "$1" "$(date -u +%FT%TZ)" "$1" \
	    > "$a/logs/$(date -u +%F).log"
	chmod -R go-w "$a"
	chmod 0755 "$a" "$a/releases" "$a/versions" "$a/logs"
}
pids=() ports=() made_user=
stop_fleet() {
	[ ${#pids[@]} -eq 0 ] && return 0
	kill "${pids[@]}" 2>/dev/null || true
	wait "${pids[@]}" 2>/dev/null || true
}
trap 'stop_fleet; rm -rf "$dir"; [ -z "$made_user" ] || userdel "$made_user"' EXIT

say "1. Keys: a policy authority (a minisign key) and three request signers"
run "$writ" keygen -W --authority authority
for k in ci-deploy release-manager auditor; do
	run "$writ" keygen -W "$k"
done
note "minisign cannot use a signer key, so no file it signs can become a request:"
echo 'a file someone asks you to sign' > file.txt
show minisign -S -s ci-deploy.key -m file.txt

say "2. The allow-list policy, with the signers' public keys filled in"
issued=$(date -u +%Y-%m-%dT00:00:00Z)
expires=$(date -u -d '+30 days' +%Y-%m-%dT00:00:00Z)
render /srv/app policy.ini
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

say "6. A fleet of ${#hosts[@]} hosts on loopback: a writ-gate --listen daemon each (no sshd)"
fleet_up
note "each host: its own host id, ed25519 host key, state dir, audit log and app"
note "directory. Loopback hosts share one filesystem, so each gets the policy"
note "above with /srv/app set to its own directory, signed by the authority:"
note "the policy's upload path is what decides where a file lands."
note "web01's daemon, as fleet_up started it (it works from /: absolute paths;"
note "started as root, it drops to gate.ini's user before accepting anyone):"
echo_cmd "$gate" --listen "127.0.0.1:${ports[0]}" --host-key "$dir/fleet/web01/host_key" \
    --authorized-keys "$dir/authorized_keys" -c "$dir/fleet/web01/gate.ini" --foreground
run cat fleet/web01/gate.ini
note "the client's settings, so the commands below stay short (WRIT_CONFIG=writ.ini):"
run cat writ.ini
run "$writ" hosts -g web -g db -x 'web[04-13]'

say "7. A parallel uptime on all ${#hosts[@]}, live output: web* and api* may, db* may not (the role's hosts)"
show "$writ" run -a -k ci-deploy.key \
    --json run.jsonl --report run.md --failed-hosts failed.txt uptime
note "run.jsonl: one object per host as it ends, then the summary:"
head -n 1 run.jsonl
tail -n 1 run.jsonl
note "failed.txt (ready for -h):"
cat failed.txt

say "8. A restart signed by one key: the op needs two approvals, every gate refuses"
show "$writ" run -H 'web[01-03]' -k ci-deploy.key -m CHG-1001 restart unit=nginx.service
note "web01's audit line for it (hash-chained; peer from the daemon's socket):"
grep -F 'event="refused"' fleet/web01/audit.log | tail -n 1

say "9. A rolling release with writ put: batches of 1, then 25%; no failure allowed"
mkdir -p app-1.4.2 && echo 'hello from 1.4.2' > app-1.4.2/index.html && echo v=1.4.2 > app-1.4.2/VERSION
tar -c -z -f app-1.4.2.tar.gz -C app-1.4.2 .
note "web07 is broken on purpose: its app/versions/ is read-only (chmod 0555),"
note "so its release script cannot unpack there."
chmod 0555 fleet/web07/app/versions
note "each gate installs the tarball (bound to its signed digest) under its"
note "app/releases/, then runs examples/release.sh: unpack, flip current."
show "$writ" put -g web -k ci-deploy.key -k release-manager.key -m CHG-1003 \
    --mode rolling --batch 1,25% --json release.jsonl --report release.md \
    release app-1.4.2.tar.gz version=1.4.2
note "release.md, the Markdown report's table:"
grep '^|' release.md
note "release.jsonl, per host as it ended (jq), then the summary's counts:"
jq -c 'select(.target) | {target, status, exit, batch}' release.jsonl
jq -c '.summary | select(.) | .counts' release.jsonl
run ls -l fleet/web01/app/current
run cat fleet/web01/app/current/index.html
note "web07 got the tarball, its script failed; web10 was skipped, nothing reached it:"
run ls fleet/web07/app/releases fleet/web10/app/releases
note "the same upload again to web01, as a CI job's retry would send it: the tarball"
note "there has the signed bytes, so the gate leaves it as it is and runs the op"
note "(audited present=1); release.sh finds 1.4.2 unpacked and keeps it live"
show "$writ" put -H web01 -k ci-deploy.key -k release-manager.key -m CHG-1003 \
    release app-1.4.2.tar.gz version=1.4.2
grep -F 'event="accepted"' fleet/web01/audit.log | tail -n 1 | grep -o 'upload=.*present=1'
note "other bytes under the same version: refused, the file is there (no replace = yes)"
echo 'hello from another 1.4.2' > app-1.4.2/index.html
tar -c -z -f app-1.4.2-other.tar.gz -C app-1.4.2 .
show "$writ" put -H web01 -k ci-deploy.key -k release-manager.key -m CHG-1003 \
    release app-1.4.2-other.tar.gz version=1.4.2

say "10. writ get: today's log from two hosts, kept as logs/HOST/NAME once its digest checks"
mkdir -p logs
show "$writ" get -H 'web[01-02]' -k auditor.key --dest logs fetch-log "day=$(date -u +%F)"
run find logs -type f
run cat "logs/web02/$(date -u +%F).log"

say "11. What web01's gate wrote to its hash-chained audit log"
tail -n 2 fleet/web01/audit.log | cut -c1-200
run "$gate" audit verify fleet/web01/audit.log

say "12. Two people, two keys: one signs a restart, a second approves it, anyone sends it"
note "ci-deploy signs the run's requests into a file; nothing is sent yet:"
show "$writ" run -H 'web[01-03]' -k ci-deploy.key -m CHG-1005 --ttl 300 \
    --sign-only restart.req restart unit=nginx.service
note "the release manager reads what it asks, in words, and adds a signature"
note "(on a terminal it asks first; --yes is for scripts):"
show "$writ" approve -k release-manager.key --yes \
    --policy policy.ini --authority authority.pub restart.req
note "sent as signed: two approvals, so every gate runs it"
show "$writ" run --request restart.req

say "13. A policy rollout through the gates: writ status, then writ policy push"
note "the db hosts share one policy file; serial 2 of it, signed by the authority:"
render "$(app_of db01)" policy-db-2.ini 2
run "$writ" policy sign -s authority.key policy-db-2.ini
show "$writ" status -g db -g web -x 'web[03-16]' -k auditor.key
note "(web01 and web02 read 'differs': each web host has a policy of its own,"
note "naming its own app directory, so their digests are not the db hosts')"
note "pushed in rolling batches (1, then 50%): each gate verifies it against its"
note "trust key, checks realm, expiry and serial, swaps policy and signature"
note "together and raises its rollback floor; the first refusal would halt it"
show "$writ" policy push -g db -k release-manager.key --authority authority.pub \
    --mode rolling --batch 1,50% policy-db-2.ini
show "$writ" status -g db -g web -x 'web[03-16]' -k auditor.key
note "serial 1 again, as an attacker with an old copy would send it: refused"
render "$(app_of db01)" policy-db-1.ini 1
"$writ" policy sign -s authority.key policy-db-1.ini >/dev/null
show "$writ" policy push -H db01 -k release-manager.key policy-db-1.ini

say "14. Revocation: ci-deploy's key goes into every gate's deny_keys; SIGHUP reloads"
for h in "${hosts[@]}"; do
	echo "deny_keys = $(tail -n 1 ci-deploy.pub)" >> "fleet/$h/gate.ini"
done
run tail -n 1 fleet/web01/gate.ini
kill -HUP "${pids[@]}"
sleep 0.3
note "the revoked signer is refused everywhere; every other signer keeps working"
show "$writ" run -H 'web[01-04]' -k ci-deploy.key uptime
show "$writ" run -H 'web[01-04]' -k auditor.key uptime

say "Done: the ${#hosts[@]} daemons stop (SIGTERM) and the scratch directory goes."
