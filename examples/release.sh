#!/bin/sh
# release.sh UPLOAD VERSION: the classic tar deploy, as a writ op's exec
# (examples/policy.ini.in, op release). writ-gate has already installed the
# uploaded tarball at UPLOAD, bound to the digest the request was signed
# for; this unpacks it into APP/versions/VERSION and flips APP/current to
# it with a rename, so readers see the old release or the new one.
# APP is the directory above the uploads directory (APP/releases/).
# Run again for a release that landed (a CI job's retry: writ-gate left
# the same tarball as it was), it keeps that release live.
set -eu
upload=$1 version=$2
app=$(dirname "$(dirname "$upload")")
dest=$app/versions/$version
if [ -e "$dest" ]; then
	echo "release: $version was already unpacked at $dest"
else
	mkdir -p "$app/versions"
	rm -rf "$dest.partial"
	mkdir "$dest.partial"
	tar -x -f "$upload" -C "$dest.partial"
	mv "$dest.partial" "$dest"
fi
rm -f "$app/current.new"
ln -s "versions/$version" "$app/current.new"
mv -T "$app/current.new" "$app/current"
echo "release: $version is live ($(ls "$dest" | wc -l) files)"
