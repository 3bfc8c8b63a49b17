#!/bin/bash
# CPU per thread of one process over an interval, threads grouped by name (a JVM's event loop, audit writer, GC
# and JIT threads), as a share of one core — Linux /proc, user + system time.
#   bench/wrk/threads.sh PID [seconds]        (default 20 s; run it while bench/wrk/run.sh loads that process)
# Divide a thread's share by the requests/s of the same window for its CPU time per request.
set -euo pipefail
pid=$1 secs=${2:-20}
hz=$(getconf CLK_TCK)
snap() {
  for t in /proc/"$pid"/task/*; do
    name=$(tr ' ' '_' < "$t/comm") stat=$(cat "$t/stat" 2>/dev/null) || continue
    read -r -a f <<< "${stat##*) }"    # fields from the 3rd on: utime and stime are the 14th and 15th
    echo "$name $((f[11] + f[12]))"
  done | awk '{ a[$1] += $2 } END { for (k in a) print k, a[k] }' | sort
}
before=$(mktemp) after=$(mktemp)
trap 'rm -f "$before" "$after"' EXIT
snap > "$before"; sleep "$secs"; snap > "$after"
join -a2 -e0 -o 0,1.2,2.2 "$before" "$after" \
  | awk -v s="$secs" -v hz="$hz" '{ d = $3 - $2; if (d > 0) printf "%-24s %6.1f%% of a core\n", $1, 100 * d / hz / s }' \
  | sort -k2 -nr
