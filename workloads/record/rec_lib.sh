# Shared by record-kernel.sh and record-machine.sh (sourced, POSIX sh): who ran, and what perf
# lost. A trace written through rec_trace opens with comment lines every `perf script` reader
# skips and mmreplay reads:
#   # mmreplay-workload: pid=PID command=CMD ARGS...   the recorded command (its process tree)
#   # mmreplay-task: pid=TID tgid=PID ppid=PPID cgroup=PATH comm=COMM   one per task alive when
#                                                      recording began (cgroup: the v1 memory
#                                                      controller's path where mounted, else v2)
# then `perf script --show-lost-events`: each of perf's PERF_RECORD_LOST records stays in the
# stream ("COMM PID [CPU] TIME: PERF_RECORD_LOST lost N") where the loss happened.
# Tasks created while recording are in the trace as sched:sched_process_fork/exec/exit.

# The process events every recording carries.
REC_TASK_EVENTS="sched:sched_process_fork sched:sched_process_exec sched:sched_process_exit"

# Most events perf may lose before a recording is refused (parts per million of the events the
# kernel emitted): 0.1 %.
REC_LOST_MAX_PPM=1000

# One "# mmreplay-task:" line per task now alive. Tasks that vanish while being read are left out.
rec_tasks() {
	# getline from a file that vanished returns -1; awk reading it as an operand would stop there
	# shellcheck disable=SC2016 # awk program
	echo /proc/[0-9]*/task/[0-9]* | tr ' ' '\n' | awk '
	{
		split($0, a, "/"); tgid = a[3]
		if (!(tgid in cg)) {
			cg[tgid] = ""; m = ""
			f = "/proc/" tgid "/cgroup"
			while ((getline line < f) > 0) {
				n = index(line, ":"); rest = substr(line, n + 1); k = index(rest, ":")
				ctl = substr(rest, 1, k - 1); path = substr(rest, k + 1)
				if (ctl == "memory") m = path
				else if (ctl == "" && m == "") cg[tgid] = path
			}
			close(f)
			if (m != "") cg[tgid] = m
		}
		f = $0 "/stat"; s = ""
		if ((getline s < f) <= 0) { close(f); next }
		close(f)
		open = index(s, "("); p = 0
		while ((j = index(substr(s, p + 1), ") ")) > 0) p += j
		if (!open || !p) next
		comm = substr(s, open + 1, p - open - 1)
		split(substr(s, p + 2), fl, " ")
		printf "# mmreplay-task: pid=%s tgid=%s ppid=%s cgroup=%s comm=%s\n", a[5], tgid, fl[2], cg[tgid], comm
	}'
}

# rec_trace DATA TMP TASKS PIDFILE ALLOW_LOST CMD...: the header (TASKS: rec_tasks output taken
# before the command started; PIDFILE: the command's pid), then perf script of DATA, compressed
# into TMP; sets rec_events (event lines) and rec_lost (the sum of perf's lost records). Returns
# 0; 4 when perf lost
# more than REC_LOST_MAX_PPM of the events and ALLOW_LOST is empty (TMP is removed then); 3 when
# perf script or zstd fails.
rec_trace() {
	_data=$1 _tmp=$2 _tasks=$3 _pidf=$4 _allow=$5
	shift 5
	_pid=$(cat "$_pidf" 2>/dev/null)
	{
		echo "# mmreplay-workload: pid=${_pid:-0} command=$*"
		cat "$_tasks"
		perf script --show-lost-events -i "$_data" 2>"$_data.script.err"
		echo $? >"$_data.script.rc"
	} | zstd -q -f -o "$_tmp"
	_zrc=$?
	if [ "$_zrc" -ne 0 ] || [ "$(cat "$_data.script.rc")" -ne 0 ]; then
		cat "$_data.script.err" >&2
		rm -f "$_tmp"
		return 3
	fi
	# shellcheck disable=SC2046 # two numbers
	set -- $(zstd -dc -- "$_tmp" | awk '/^#/ {next} / PERF_RECORD_LOST lost [0-9]+$/ {l += $NF; next} {n++} END {printf "%d %d\n", n, l}')
	rec_events=$1 rec_lost=$2
	if [ "$rec_lost" -gt 0 ] && [ $((rec_lost * 1000000)) -gt $(((rec_events + rec_lost) * REC_LOST_MAX_PPM)) ] &&
		[ -z "$_allow" ]; then
		rm -f "$_tmp"
		return 4
	fi
	return 0
}

# "N of M events (P %)" for messages.
rec_lost_text() {
	awk -v l="$rec_lost" -v n="$rec_events" 'BEGIN {printf "%d of %d events (%.3f %%)", l, n + l, (n + l) ? 100 * l / (n + l) : 0}'
}
