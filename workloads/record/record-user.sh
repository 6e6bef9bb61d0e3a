#!/bin/sh
# Record the memory-management system calls of a command and all its children with strace, in
# the text form `mmreplay` reads (the shared u_*.strace.txt.zst traces were made this way).
#
#   usage: workloads/record/record-user.sh [-o OUT] [--] CMD [ARGS...]
#
# Runs  strace -f -qq -e trace=memory,execve,clone,clone3,fork,vfork,exit_group -o RAW CMD...
# and compresses RAW with zstd into OUT (default: ./u_<basename CMD>.strace.txt.zst), written
# under a temporary name and renamed, so an interrupted recording never looks complete.
#
# Exit status: CMD's own status when the trace was written (a note says so when it is not 0);
# 2 for a bad command line; 3 when strace or zstd is missing or strace could not trace.
set -u
me=record-user.sh

usage() {
	sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
}

out=
while [ $# -gt 0 ]; do
	case $1 in
	-o)
		[ $# -ge 2 ] || { echo "$me: -o needs a file name" >&2; exit 2; }
		out=$2
		shift 2
		;;
	-o*) out=${1#-o}; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	-*) echo "$me: unknown option '$1' (see --help)" >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ $# -eq 0 ]; then
	echo "$me: no command to record (see --help)" >&2
	exit 2
fi
[ -n "$out" ] || out="u_$(basename -- "$1").strace.txt.zst"

for tool in strace zstd; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "$me: '$tool' not found in PATH: install it (Debian/Ubuntu: apt-get install $tool)" >&2
		exit 3
	fi
done

outdir=$(dirname -- "$out")
work=$(mktemp -d "${TMPDIR:-/tmp}/record-user.XXXXXX") || { echo "$me: cannot create a temporary directory" >&2; exit 3; }
raw=$work/strace.txt
tmp="$out.tmp.$$"
trap 'rm -rf "$work"; rm -f "$tmp"' EXIT
trap 'exit 130' INT TERM
[ -d "$outdir" ] || mkdir -p -- "$outdir" || exit 3

strace -f -qq -e trace=memory,execve,clone,clone3,fork,vfork,exit_group -o "$raw" -- "$@"
status=$?

# strace exits with the command's status; an empty trace means strace itself never got going
# (every traced command shows at least its execve).
if [ ! -s "$raw" ]; then
	echo "$me: strace recorded nothing (exit status $status): it could not start or trace '$1'." >&2
	if [ -r /proc/sys/kernel/yama/ptrace_scope ]; then
		echo "$me: kernel.yama.ptrace_scope is $(cat /proc/sys/kernel/yama/ptrace_scope) (3 forbids ptrace)" >&2
	fi
	echo "$me: if strace said 'Operation not permitted', ptrace is blocked here (a container" \
		"without CAP_SYS_PTRACE or a seccomp profile that forbids ptrace)." >&2
	exit 3
fi

if ! zstd -q -f -o "$tmp" -- "$raw"; then
	echo "$me: zstd failed writing $tmp" >&2
	exit 3
fi
if ! mv -f -- "$tmp" "$out"; then
	echo "$me: cannot rename $tmp to $out" >&2
	exit 3
fi
lines=$(zstd -dc -- "$out" | wc -l)
echo "$me: wrote $out ($lines lines)" >&2
if [ "$status" -ne 0 ]; then
	echo "$me: note: '$1' exited with status $status (the trace is complete)" >&2
fi
exit "$status"
