#!/usr/bin/env bash
# deb.sh: the Debian packages writ and writ-gate (packaging/debian).
#   bash packaging/deb.sh build OUT   copies the source tree (the files git
#       tracks, and new ones it does not ignore, as they are in the work
#       tree) to OUT/src/, puts packaging/debian there as debian/, runs
#       dpkg-buildpackage -us -uc (the binary packages, and the source
#       package so that lintian checks it too), and leaves the .deb, .dsc,
#       .tar.xz, .changes and .buildinfo files in OUT/ (the build's log:
#       OUT/build.log)
#   bash packaging/deb.sh check OUT   lintian on OUT/*.changes: fails on any
#       error or warning (builds first when the packages are not fresh)
#   bash packaging/deb.sh fresh OUT   exits 0 when OUT holds packages built
#       after the last change to any file the build copies
set -euo pipefail
cd "$(dirname "$0")/.."
verb=${1:?usage: deb.sh build|check|fresh OUT} out=${2:?usage: deb.sh build|check|fresh OUT}
mkdir -p "$out"
out=$(cd "$out" && pwd)

build() {
	local version src
	version=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
	src=$out/src/writ-$version
	rm -rf "$out/src" "$out"/*.deb "$out"/*.ddeb "$out"/*.changes \
	    "$out"/*.buildinfo "$out"/*.dsc "$out"/*.tar.*
	mkdir -p "$src"
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		# A tracked file deleted in the work tree is skipped, not an error.
		git ls-files -z -c -o --exclude-standard |
		    tar --null -T - --ignore-failed-read -cf - 2>/dev/null |
		    tar -xf - -C "$src"
	else
		tar --exclude='./build*' -cf - . | tar -xf - -C "$src"
	fi
	rm -rf "$src/debian"
	cp -a packaging/debian "$src/debian"
	echo "deb: building writ $version in $src (log: $out/build.log)"
	if ! (cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" \
	    dpkg-buildpackage -us -uc) > "$out/build.log" 2>&1; then
		tail -n 30 "$out/build.log" >&2
		echo "deb: dpkg-buildpackage failed; see $out/build.log" >&2
		exit 1
	fi
	mv "$out"/src/*.deb "$out"/src/*.changes "$out"/src/*.buildinfo \
	    "$out"/src/*.dsc "$out"/src/*.tar.* "$out"/
	mv "$out"/src/*.ddeb "$out"/ 2>/dev/null || true
	ls -1 "$out"/*.deb
}

# fresh: the .changes exists and no file the build copies is newer (a
# check: git's file list, so only in a git work tree).
fresh() {
	local changes newer
	changes=$(ls "$out"/writ_*.changes 2>/dev/null | head -n 1)
	[ -n "$changes" ] && ls "$out"/writ_*.deb "$out"/writ-gate_*.deb >/dev/null 2>&1 ||
	    return 1
	git rev-parse --is-inside-work-tree >/dev/null 2>&1 || return 1
	newer=$(git ls-files -z -c -o --exclude-standard |
	    find -files0-from - -maxdepth 0 -newer "$changes" -print -quit 2>/dev/null)
	[ -z "$newer" ]
}

check() {
	local changes
	fresh || build
	changes=$(ls "$out"/writ_*.changes | head -n 1)
	echo "deb: lintian $changes"
	lintian --fail-on error,warning --display-info "$changes"
	echo "deb: lintian found no error or warning"
}

case $verb in
build) build ;;
check) check ;;
fresh) fresh ;;
*) echo "usage: deb.sh build|check|fresh OUT" >&2; exit 2 ;;
esac
