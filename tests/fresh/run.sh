#!/usr/bin/env bash
# The README's set-up on a truly bare machine: builds a minimal Debian bookworm root with
# mmdebstrap (the same package registry apt uses here), copies this checkout in (tracked and
# untracked files, no build directories) and runs the README's two quick-start commands inside
# it under chroot, with /proc, /sys and /dev (with /dev/pts and /dev/shm) bound. Prints each command's exit status
# and wall time, and exits non-zero when either failed.
#
#   usage: tests/fresh/run.sh [--tier test|quick] [--keep] [--root DIR]
#
# --tier quick runs `./run.sh quick` instead of `./run.sh test` (the inner loop); --keep leaves
# the root in place (default: removed); --root DIR builds it there (default: a new directory in
# $TMPDIR, which must not exist yet). Needs root; installs mmdebstrap when it is missing.
# Exit status: 0 both commands passed; 1 one failed; 2 bad command line; 3 the root could not be
# made (no mmdebstrap, no network to the registry, not root).
set -uo pipefail
me=tests/fresh/run.sh
src=$(cd "$(dirname "$0")/../.." && pwd)
tier=test
keep=
root=
while [ $# -gt 0 ]; do
	case $1 in
	--tier)
		[ $# -ge 2 ] || { echo "$me: --tier needs test or quick" >&2; exit 2; }
		case $2 in test | quick) tier=$2 ;; *) echo "$me: --tier takes test or quick, not '$2'" >&2; exit 2 ;; esac
		shift 2
		;;
	--keep) keep=1; shift ;;
	--root)
		[ $# -ge 2 ] || { echo "$me: --root needs a directory" >&2; exit 2; }
		root=$2
		shift 2
		;;
	-h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "$me: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "$me: needs root (mmdebstrap, chroot, bind mounts)" >&2; exit 3; }
if ! command -v mmdebstrap >/dev/null; then
	echo "$me: installing mmdebstrap" >&2
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null; } ||
		{ echo "$me: mmdebstrap could not be installed" >&2; exit 3; }
fi
if [ -z "$root" ]; then
	root=$(mktemp -d "${TMPDIR:-/tmp}/mmreplay-fresh.XXXXXX") || exit 3
	rmdir "$root" # mmdebstrap wants to create it (or find it empty)
elif [ -e "$root" ]; then
	echo "$me: $root exists; give a new directory" >&2
	exit 2
fi

mounted=()
cleanup() {
	local m
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -R -l "${mounted[i]}" 2>/dev/null; done
	if [ -z "$keep" ] && [ -d "$root" ]; then
		# never follow the root's links out of it: umount first (above), then remove in place
		rm -rf --one-file-system "$root"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The host's apt sources (the registry reached here) and its apt options for that registry.
sources=/etc/apt/sources.list.d/debian.sources
[ -f "$sources" ] || sources=/etc/apt/sources.list
t0=$(date +%s)
echo "$me: building a minimal bookworm root in $root" >&2
if ! mmdebstrap --variant=apt --quiet \
	--aptopt='Acquire::Check-Valid-Until "false"' --aptopt='Acquire::Check-Date "false"' \
	bookworm "$root" "$sources" >"$root.mmdebstrap.log" 2>&1; then
	tail -20 "$root.mmdebstrap.log" >&2
	echo "$me: mmdebstrap failed (log above)" >&2
	rm -f "$root.mmdebstrap.log"
	exit 3
fi
rm -f "$root.mmdebstrap.log"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
# every installed Debian has /etc/hosts naming localhost (the installer writes it; mmdebstrap's
# apt variant does not): without it nothing on loopback resolves "localhost" (Slurm's daemons)
[ -e "$root/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
echo "$me: root made in $(($(date +%s) - t0)) s" >&2

# The checkout as a user has it: tracked and untracked files, nothing ignored (no build dirs).
mkdir -p "$root/src/mmreplay"
(cd "$src" && git ls-files -z --cached --others --exclude-standard) |
	(cd "$src" && xargs -0 cp --parents -P -t "$root/src/mmreplay" 2>/dev/null)
[ -x "$root/src/mmreplay/run.sh" ] || { echo "$me: the checkout was not copied" >&2; exit 3; }

for m in proc sys dev; do
	mount --rbind "/$m" "$root/$m" && mount --make-rslave "$root/$m" ||
		{ echo "$me: cannot bind /$m" >&2; exit 3; }
	mounted+=("$root/$m")
done

status=0
run_in_root() { # run_in_root LABEL COMMAND...
	local label=$1 t rc
	shift
	t=$(date +%s)
	chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		TERM=dumb LANG=C.UTF-8 bash -c 'cd /src/mmreplay && "$@"' bash "$@"
	rc=$?
	echo "$me: $label: exit $rc in $(($(date +%s) - t)) s" >&2
	[ $rc -eq 0 ] || status=1
}
run_in_root "./run.sh demo" ./run.sh demo
run_in_root "./run.sh $tier" ./run.sh "$tier"
echo "$me: $( ((status)) && echo FAILED || echo passed) in $(($(date +%s) - t0)) s in all" >&2
exit $status
