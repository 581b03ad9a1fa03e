# mounts.sh: file systems a test can break on purpose: a small tmpfs to
# fill, and a directory where chattr +i works, all in a private mount
# namespace that vanishes with the test. Source it FIRST, before lib.sh, as
#   . "$(dirname "$0")/../mounts.sh"; mounts_private "$@"
# which re-runs the script in its own mount namespace when it can (root,
# unshare); MOUNTS_WHY then says why it could not (empty when it could).
#
#   small_fs DIR SIZE    mounts a tmpfs of SIZE (e.g. 5m) on DIR (made),
#                        mode 0755; unmounted when the test ends. Mount
#                        before starting sshd in LOG_NS: that namespace
#                        copies the mounts there are when it starts.
#   fill_fs DIR          fills DIR's file system until no byte is free
#   immutable_dir VAR    a directory where chattr +i works, in VAR: the
#                        scratch dir's own file system if it can, else a
#                        loop-mounted ext4 image; returns 1 (VAR empty,
#                        MOUNTS_WHY set) when neither can

mounts_private() {
	MOUNTS_WHY=
	[ -n "${WRIT_MOUNT_NS:-}" ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		MOUNTS_WHY="needs root for a private mount namespace"
	elif ! unshare --mount --propagation private true 2>/dev/null; then
		MOUNTS_WHY="mount namespaces are not allowed here"
	else
		WRIT_MOUNT_NS=1 exec unshare --mount --propagation private -- \
		    bash "$0" "$@"
	fi
}

small_fs() {
	mkdir -p "$1" &&
	    mount -t tmpfs -o "size=$2,mode=0755" writ-test-fs "$1" || return 1
	at_exit "umount -l '$1' 2>/dev/null"
}

fill_fs() {
	dd if=/dev/zero of="$1/.fill" bs=64k 2>/dev/null
	# What is left is less than a block: one byte at a time.
	while printf x >> "$1/.fill" 2>/dev/null; do :; done
	return 0
}

_mounts_chattr_works() {
	local f=$1/.chattr-probe
	: > "$f" && chattr +i "$f" 2>/dev/null || { rm -f "$f"; return 1; }
	chattr -i "$f" && rm -f "$f"
}

immutable_dir() {
	local var=$1 dir=$SCRATCH/immutable img
	mkdir -p "$dir"
	chmod 0755 "$dir"
	at_exit "chattr -R -i '$dir' 2>/dev/null"
	if _mounts_chattr_works "$dir"; then
		printf -v "$var" '%s' "$dir"
		return 0
	fi
	if [ -n "$MOUNTS_WHY" ]; then
		MOUNTS_WHY="chattr +i fails on $(stat -f -c %T "$dir") and a loop image needs a private mount namespace: $MOUNTS_WHY"
		printf -v "$var" ''
		return 1
	fi
	img=$SCRATCH/immutable.img
	if truncate -s 16M "$img" && mkfs.ext4 -q -F "$img" >/dev/null 2>&1 &&
	    mount -o loop "$img" "$dir" 2>/dev/null; then
		at_exit "umount -l '$dir' 2>/dev/null"
		chmod 0755 "$dir"
		if _mounts_chattr_works "$dir"; then
			printf -v "$var" '%s' "$dir"
			return 0
		fi
	fi
	MOUNTS_WHY="chattr +i fails on $(stat -f -c %T "$SCRATCH") and on a loop-mounted ext4 image (no loop devices, or no mkfs.ext4)"
	printf -v "$var" ''
	return 1
}
