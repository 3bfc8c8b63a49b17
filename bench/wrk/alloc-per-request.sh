#!/usr/bin/env bash
# Bytes allocated per request on a gateway's event loop under bench/wrk/run.sh's load: JFR's
# jdk.ThreadAllocationStatistics over a 14 s window, over the requests the gateway's /metrics counted in that window.
#   bench/wrk/alloc-per-request.sh [gatehouse-full-audit-off | gatehouse-full | gatehouse-plain]
# Needs jcmd and jfr (the JDK) and curl. Prints one line per event-loop thread that allocated, and the audit
# writer's (gatehouse-audit) when there is one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
C=${1:-gatehouse-full-audit-off}
case "$C" in
  gatehouse-full-audit-off) CONF=noaudit PORT=18095 ;;
  gatehouse-full) CONF=full PORT=18094 ;;
  gatehouse-plain) CONF=plain PORT=18093 ;;
  *) echo "usage: $0 [gatehouse-full-audit-off | gatehouse-full | gatehouse-plain]" >&2; exit 2 ;;
esac
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
METRICS=1 CONTENDERS="$C" bash bench/wrk/run.sh 20 1 > "$OUT/run.txt" 2>&1 &
RUN=$!
until pgrep -f "wrk.*--latency" >/dev/null; do
  kill -0 "$RUN" 2>/dev/null || { cat "$OUT/run.txt" >&2; exit 1; }
  sleep 0.2
done
sleep 2 # past the first seconds of the measured run
PID=$(pgrep -f "config /tmp/.*/$CONF.conf" | head -1)
requests() { curl -s "127.0.0.1:$PORT/metrics" | awk '/^gatehouse_requests_total/ {s += $2} END {print s + 0}'; }
r0=$(requests)
jcmd "$PID" JFR.start settings=profile duration=14s filename="$OUT/r.jfr" >/dev/null
sleep 14.2
r1=$(requests)
wait "$RUN"
grep "^| $C " "$OUT/run.txt"
jfr print --json --events jdk.ThreadAllocationStatistics "$OUT/r.jfr" > "$OUT/t.json"
python3 - "$OUT/t.json" $((r1 - r0)) <<'PY'
import json, sys
requests = int(sys.argv[2])
by = {}
for e in json.load(open(sys.argv[1]))['recording']['events']:
    v = e['values']
    name = (v.get('thread') or {}).get('javaName') or '?'
    by.setdefault(name, []).append(v['allocated'])
for name, seen in sorted(by.items()):
    if ('EventLoop' in name or name == 'gatehouse-audit') and max(seen) > min(seen):
        print(f"{name}: {max(seen) - min(seen)} bytes over {requests} requests = {(max(seen) - min(seen)) / requests:.0f} B/request")
PY
