#!/usr/bin/env bash
# Gatehouse against nginx and HAProxy as reverse proxies, with wrk, on this machine.
#   bench/wrk/run.sh [seconds-per-run] [rounds]      (default 10 s, 3 rounds)
#   CONTENDERS="gatehouse-full gatehouse-full-audit-off" bench/wrk/run.sh 10 9     (only those, alternating)
# Experiments: AUDIT_MODE=aggregated (the benchmark organisation's audit mode), PG_NICE=19 (renice the embedded
# PostgreSQL, which shares the machine), GH_JAVA_OPTS="-Xlog:gc…" (more JVM options for the gateways),
# GH_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java (another JVM for the gateways), METRICS=1
# (each gateway's /metrics on its port + 10: 18093 plain, 18094 full, 18095 full without audit). Per run,
# the machine's CPU ticks (user, system, idle, softirq, steal), in all and per CPU, go to bench/wrk/out/machine.txt.
# AUDIT_CONF="flush-interval = 10ms": more settings in the full gateway's gatehouse.audit block.
# DATABASE_URL=postgres://user:pass@dbhost:5432/db: the gateways (and the admin commands that set up the benchmark
# organisation) use that PostgreSQL instead of the embedded one — with the database on a host of its own, the
# measurement the "audit on >= 0.9x audit off" target means ("cores: PostgreSQL" then counts only local ones).
# PIN=1: each proxy (every thread of it: Gatehouse's writer, GC and JIT threads too) gets the machine's last CPU
# to itself; wrk, the backend and PostgreSQL share the others — one core per proxy, enforced, and the database
# off the proxy's core as it would be on its own host. The proxy's CPU list goes in the table's heading.
# CONNS=n: wrk's connections (default 32); with PACE_MS=1, the load is about n / (1 ms + latency) requests/s —
# CONNS=24 and 40 put about 50% and 80% of nginx's saturating rate on every contender here.
# CONTENDERS="nginx-log ...": nginx as above, writing a buffered access log (buffer=64k flush=1s) to a file.
# CONTENDERS="... gatehouse-full-audit-off-epoll": the full path without audit on native epoll
# (server.transport = epoll), beside the others on auto (io_uring where the kernel allows it).
# PACE_MS=n: each connection waits n ms before each request (wrk's Lua delay()), so every contender gets about the
# same load, 32 / (n ms + latency) requests/s, below what any of them can take: latency at equal load, not at each
# one's saturation (where a faster proxy also makes wrk and the backend busier on the same CPUs). Rounds then also
# report p99 differences round by round.
# BURN=busy:period (ms) and a contender named with "+burn" (CONTENDERS="gatehouse-full-audit-off gatehouse-full-audit-off+burn"):
# the same contender with bench/wrk/burn.py beside it during its runs — a CPU load shaped like the embedded
# PostgreSQL's (3:23 ≈ 0.13 of a core in 3-ms bursts), to tell what any such load costs on this machine from what
# the audit log itself costs. The pairs are reported round by round.
# Installs nginx, HAProxy and wrk from Debian's packages when missing (needs root), builds the jars when
# missing. Every proxy gets one worker process/thread; contenders run in turn, alternating over the
# rounds; the table reports medians. Loopback only. Results: stdout (markdown rows) and bench/wrk/out/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd)
SECS=${1:-10}
ROUNDS=${2:-3}
OUT=$ROOT/bench/wrk/out
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; sleep 1; rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || need+=(nginx)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
[ -f gateway/target/gatehouse-gateway.jar ] && [ -f admin-cli/target/gatehouse-admin.jar ] \
  || mvn -q -B -Dstyle.color=never -DskipTests -pl gateway,admin-cli -am package

PROXY_CPU= REST=
if [ -n "${PIN:-}" ]; then
  n=$(nproc); [ "$n" -ge 2 ] || { echo "PIN needs at least two CPUs" >&2; exit 2; }
  PROXY_CPU="taskset -c $((n - 1))" REST="taskset -c 0-$((n - 2))"
fi

BACKEND=18080 NGINXP=18081 HAP=18082 GH_PLAIN=18083 GH_FULL=18084 GH_NOAUDIT=18085 GH_EPOLL=18086 NGINX_LOG=18087
BODY=$(head -c 1024 /dev/zero | tr '\0' 'x')

# --- backend: nginx serving a 1 KiB body ---
mkdir -p "$WORK/backend"
cat > "$WORK/backend/nginx.conf" <<CONF
daemon off; worker_processes 1; pid $WORK/backend/pid; error_log $WORK/backend/error.log crit;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 100000;
  client_body_temp_path $WORK/backend/b; proxy_temp_path $WORK/backend/p; fastcgi_temp_path $WORK/backend/f;
  uwsgi_temp_path $WORK/backend/u; scgi_temp_path $WORK/backend/s;
  server { listen 127.0.0.1:$BACKEND; location / { default_type text/plain; return 200 "$BODY"; } } }
CONF
$REST "$NGINX" -p "$WORK/backend" -c "$WORK/backend/nginx.conf" &

# --- 10 000 networks: the policy for nginx (allow/deny) and Gatehouse (one global allow list) ---
python3 - "$WORK" <<'PY'
import sys, random
random.seed(7)
nets = set()
while len(nets) < 9999:
    nets.add("%d.%d.%d.0/24" % (random.randint(11, 99), random.randint(0, 255), random.randint(0, 255)))
nets = sorted(nets) + ["198.51.100.0/24"]
open(sys.argv[1] + "/allow-args.txt", "w").write("".join("--allow=%s\n" % n for n in nets))
open(sys.argv[1] + "/nginx-allow.conf", "w").write("".join("allow %s;\n" % n for n in nets) + "deny all;\n")
PY

# --- nginx as the reverse proxy: realip from loopback + the same allow list ---
mkdir -p "$WORK/nginx"
cat > "$WORK/nginx/nginx.conf" <<CONF
daemon off; worker_processes 1; pid $WORK/nginx/pid; error_log $WORK/nginx/error.log crit;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 100000;
  client_body_temp_path $WORK/nginx/b; proxy_temp_path $WORK/nginx/p; fastcgi_temp_path $WORK/nginx/f;
  uwsgi_temp_path $WORK/nginx/u; scgi_temp_path $WORK/nginx/s;
  upstream backend { server 127.0.0.1:$BACKEND; keepalive 64; }
  server { listen 127.0.0.1:$NGINXP;
    set_real_ip_from 127.0.0.1; real_ip_header X-Forwarded-For; real_ip_recursive on;
    include $WORK/nginx-allow.conf;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Real-IP \$remote_addr; proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; } } }
CONF
$PROXY_CPU "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
# nginx-log: the same nginx writing a buffered access log to a file (what the audit log is weighed against)
if [[ " ${CONTENDERS:-} " == *" nginx-log "* ]]; then
  mkdir -p "$WORK/nginx-log"
  sed -e "s#access_log off;#access_log $WORK/nginx-log/access.log combined buffer=64k flush=1s;#" \
    -e "s#listen 127.0.0.1:$NGINXP;#listen 127.0.0.1:$NGINX_LOG;#" -e "s#pid $WORK/nginx/pid;#pid $WORK/nginx-log/pid;#" \
    -e "s#error_log $WORK/nginx/error.log#error_log $WORK/nginx-log/error.log#" "$WORK/nginx/nginx.conf" > "$WORK/nginx-log/nginx.conf"
  $PROXY_CPU "$NGINX" -p "$WORK/nginx-log" -c "$WORK/nginx-log/nginx.conf" &
fi

# --- HAProxy: one thread, connection reuse ---
cat > "$WORK/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  http-reuse always
frontend fe
  bind 127.0.0.1:$HAP
  default_backend be
backend be
  server b1 127.0.0.1:$BACKEND
CONF
$PROXY_CPU "$HAPROXY" -f "$WORK/haproxy.cfg" -db >/dev/null 2>&1 &

# --- Gatehouse: one event loop; plain (no policy), and full (client IP + token + 10k-CIDR policy + audit) ---
# JVM options as the deployments give them (docker/: -Xms64m -Xmx512m); GH_JAVA_OPTS adds more
# METRICS=1: each gateway's /metrics on its port + 10 (18093 plain, 18094 full, 18095 full without audit)
metrics_port() { if [ -n "${METRICS:-}" ]; then echo $(($1 + 10)); else echo 0; fi; }
GH="$PROXY_CPU env HOME=$WORK/home ${GH_JAVA:-java} -Xms64m -Xmx512m ${GH_JAVA_OPTS:-} -Duser.home=$WORK/home -jar $ROOT/gateway/target/gatehouse-gateway.jar"
admin() { HOME="$WORK/home" java -Duser.home="$WORK/home" -jar "$ROOT/admin-cli/target/gatehouse-admin.jar" "$@" --config "$WORK/full.conf"; }
cat > "$WORK/plain.conf" <<CONF
gatehouse { listen { host = "127.0.0.1", port = $GH_PLAIN }, management.port = $(metrics_port $GH_PLAIN), server.event-loop-threads = 1
  database.embedded.data-dir = "$WORK/home/pg"
  audit.spool-dir = "$WORK/spool-plain"
  routes = [ { prefix = "/", upstream = "http://127.0.0.1:$BACKEND" } ] }
CONF
cat > "$WORK/full.conf" <<CONF
gatehouse { listen { host = "127.0.0.1", port = $GH_FULL }, management.port = $(metrics_port $GH_FULL), server.event-loop-threads = 1
  database.embedded.data-dir = "$WORK/home/pg"
  audit { spool-dir = "$WORK/spool-full"${AUDIT_CONF:+, $AUDIT_CONF} }
  client-ip { trusted-proxies = ["127.0.0.1"], headers = ["X-Forwarded-For"] }
  routes = [ { prefix = "/", upstream = "http://127.0.0.1:$BACKEND", identify = token } ] }
CONF
$GH --config "$WORK/full.conf" > "$WORK/gh-full.log" 2>&1 &
for i in $(seq 1 120); do grep -q "listening" "$WORK/gh-full.log" 2>/dev/null && break; sleep 0.5; done
admin org create Bench >/dev/null
admin account create --org Bench load --kind service >/dev/null
TOKEN=$(admin token create --org Bench load 2>/dev/null)
[ -n "${AUDIT_MODE:-}" ] && admin audit-mode set Bench "$AUDIT_MODE" >/dev/null
admin policy create --org Bench tenk --global "@$WORK/allow-args.txt" >/dev/null   # picocli @argument file
# the full path with the audit log off (gatehouse.audit.enabled = false): what audit costs
sed -e "s/port = $GH_FULL/port = $GH_NOAUDIT/" \
  -e "s/management.port = $(metrics_port $GH_FULL)/management.port = $(metrics_port $GH_NOAUDIT)/" \
  -e "s#audit { spool-dir = \"$WORK/spool-full\"#audit { enabled = false, spool-dir = \"$WORK/spool-noaudit\"#" \
  "$WORK/full.conf" > "$WORK/noaudit.conf"
$GH --config "$WORK/noaudit.conf" > "$WORK/gh-noaudit.log" 2>&1 &
for i in $(seq 1 120); do grep -q "listening" "$WORK/gh-noaudit.log" 2>/dev/null && break; sleep 0.5; done
# the same on native epoll (the others take server.transport = auto: io_uring where the kernel allows it)
if [[ " ${CONTENDERS:-} " == *" gatehouse-full-audit-off-epoll "* ]]; then
  sed -e "s/port = $GH_NOAUDIT/port = $GH_EPOLL/" -e "s/server.event-loop-threads = 1/server.event-loop-threads = 1, server.transport = epoll/" \
    -e "s/management.port = $(metrics_port $GH_NOAUDIT)/management.port = $(metrics_port $GH_EPOLL)/" \
    "$WORK/noaudit.conf" > "$WORK/epoll.conf"
  $GH --config "$WORK/epoll.conf" > "$WORK/gh-epoll.log" 2>&1 &
  for i in $(seq 1 120); do grep -q "listening" "$WORK/gh-epoll.log" 2>/dev/null && break; sleep 0.5; done
fi
$GH --config "$WORK/plain.conf" > "$WORK/gh-plain.log" 2>&1 &
for i in $(seq 1 120); do grep -q "listening" "$WORK/gh-plain.log" 2>/dev/null && break; sleep 0.5; done
sleep 2

# the embedded PostgreSQL was forked by the first gateway and inherited its CPU: move it (new backends follow
# the postmaster)
[ -n "$REST" ] && for p in $(pgrep -x postgres); do ${REST/-c/-a -p -c} "$p" >/dev/null; done
# PG_IDLE=1: PostgreSQL at SCHED_IDLE, running only when wrk and the backend leave its CPU idle — with PIN=1, the
# nearest this machine comes to a database host of its own (check that the audit queue keeps up: no drops)
[ -n "${PG_IDLE:-}" ] && for p in $(pgrep -x postgres); do chrt --idle -p 0 "$p" >/dev/null; done
[ -n "${PG_NICE:-}" ] && renice -n "$PG_NICE" -p $(pgrep -x postgres) >/dev/null
XFF=(-H "X-Forwarded-For: 198.51.100.7")
declare -A URL=( [direct]=$BACKEND [nginx]=$NGINXP [nginx-log]=$NGINX_LOG [haproxy]=$HAP [gatehouse-plain]=$GH_PLAIN [gatehouse-full]=$GH_FULL
  [gatehouse-full-audit-off]=$GH_NOAUDIT [gatehouse-full-audit-off-epoll]=$GH_EPOLL )
ORDER=(direct nginx haproxy gatehouse-plain gatehouse-full gatehouse-full-audit-off)
[ -n "${CONTENDERS:-}" ] && read -r -a ORDER <<< "$CONTENDERS"   # e.g. CONTENDERS="gatehouse-full gatehouse-full-audit-off"
for c in "${ORDER[@]}"; do
  : > "$OUT/$c.txt"
  [[ "$c" == *+burn ]] && continue   # warmed up as itself
  # warm-up, not counted: the JVM compiles its hot paths in the first seconds (cold, Gatehouse runs at a
  # quarter of its speed); nginx and HAProxy fill their connection pools
  args=("${XFF[@]}")
  [[ "$c" == gatehouse-full* ]] && args+=(-H "Authorization: Bearer $TOKEN")
  $REST wrk -t1 -c"${CONNS:-32}" -d"${SECS}s" "${args[@]}" "http://127.0.0.1:${URL[$c]}/" > /dev/null 2>&1 || true
done
# CPU time (clock ticks, user + system) of the processes whose command line matches a pattern and of their
# children (nginx's worker), PostgreSQL's processes excepted (the embedded one may be a gateway's child)
ticks() {
  local s=0 p
  for p in $(pgrep -f "$1") $(for m in $(pgrep -f "$1"); do pgrep -P "$m"; done); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = postgres ] && continue
    s=$((s + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo $s
}
pg_ticks() { local s=0 p; for p in $(pgrep -x postgres); do s=$((s + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $s; }
HZ=$(getconf CLK_TCK)
declare -A PROC=( [direct]="$WORK/backend/nginx.conf" [nginx]="$WORK/nginx/nginx.conf" [nginx-log]="$WORK/nginx-log/nginx.conf" [haproxy]="$WORK/haproxy.cfg"
  [gatehouse-plain]="config $WORK/plain.conf" [gatehouse-full]="config $WORK/full.conf"
  [gatehouse-full-audit-off]="config $WORK/noaudit.conf" [gatehouse-full-audit-off-epoll]="config $WORK/epoll.conf" )
: > "$OUT/machine.txt"
PACE=()
if [ -n "${PACE_MS:-}" ]; then
  echo "function delay() return $PACE_MS end" > "$WORK/pace.lua"
  PACE=(-s "$WORK/pace.lua")
fi
for round in $(seq 1 "$ROUNDS"); do
  # each round starts one contender further on, so no contender always follows the same one
  for i in "${!ORDER[@]}"; do
    c=${ORDER[$(( (i + round - 1) % ${#ORDER[@]} ))]}
    base=${c%+burn} burner=
    args=("${XFF[@]}")
    [[ "$c" == gatehouse-full* ]] && args+=(-H "Authorization: Bearer $TOKEN")
    if [[ "$c" == *+burn ]]; then
      [[ "${BURN:-}" == *:* ]] || { echo "a +burn contender needs BURN=busy:period (ms), e.g. BURN=3:23" >&2; exit 2; }
      $REST python3 "$ROOT/bench/wrk/burn.py" "${BURN%:*}" "${BURN#*:}" & burner=$!
    fi
    before=$(ticks "${PROC[$base]}") pg_before=$(pg_ticks) t0=$(date +%s%N); read -r _ u0 n0 s0 i0 w0 q0 sq0 st0 _ < /proc/stat
    grep '^cpu[0-9]' /proc/stat > "$WORK/cpus0"
    $REST wrk -t1 -c"${CONNS:-32}" -d"${SECS}s" --latency "${PACE[@]}" "${args[@]}" "http://127.0.0.1:${URL[$base]}/" > "$WORK/wrk.txt" 2>&1 \
      || { echo "wrk against $c failed:" >&2; cat "$WORK/wrk.txt" "$WORK"/gh-*.log >&2; exit 1; }
    after=$(ticks "${PROC[$base]}") pg_after=$(pg_ticks) t1=$(date +%s%N); read -r _ u1 n1 s1 i1 w1 q1 sq1 st1 _ < /proc/stat
    [ -n "$burner" ] && { kill "$burner"; wait "$burner" 2>/dev/null || true; }
    echo "$c machine: user $((u1-u0+n1-n0)) system $((s1-s0)) idle $((i1-i0)) iowait $((w1-w0)) softirq $((sq1-sq0)) steal $((st1-st0))" >> "$OUT/machine.txt"
    grep '^cpu[0-9]' /proc/stat | paste -d' ' "$WORK/cpus0" - | awk -v c="$c" '{ n = (NF / 2); printf "%s   %s: user %d system %d idle %d softirq %d steal %d\n", c, $1,
      $(n+2)-$2+$(n+3)-$3, $(n+4)-$4, $(n+5)-$5, $(n+8)-$8, $(n+9)-$9 }' >> "$OUT/machine.txt"
    rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")
    p50=$(awk '$1=="50%" {print $2}' "$WORK/wrk.txt")
    p99=$(awk '$1=="99%" {print $2}' "$WORK/wrk.txt")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$WORK/wrk.txt")
    # cores busy during the run: the contender's own processes, and PostgreSQL (the audit log's writes)
    cpu=$(awk -v t=$((after - before)) -v hz="$HZ" -v ns=$((t1 - t0)) 'BEGIN {printf "%.2f", t / hz / (ns / 1e9)}')
    pg=$(awk -v t=$((pg_after - pg_before)) -v hz="$HZ" -v ns=$((t1 - t0)) 'BEGIN {printf "%.2f", t / hz / (ns / 1e9)}')
    echo "$rps $p50 $p99 ${non2xx:-0} $cpu $pg" >> "$OUT/$c.txt"
  done
done
RSS=$(ps -o rss= -p "$(pgrep -f "config $WORK/full.conf" | head -1)" 2>/dev/null || echo 0)

to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; printf "%.3f", v}'; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
[ -n "$PROXY_CPU" ] && echo "Pinned: each proxy on CPU $((n - 1)); wrk, the backend and PostgreSQL on CPUs 0-$((n - 2))."
echo "| contender | requests/s (median of $ROUNDS) | p50 ms | p99 ms | non-2xx | cores: contender | cores: PostgreSQL | contender CPU µs per request |"
echo "|---|---|---|---|---|---|---|---|"
for c in "${ORDER[@]}"; do
  rps=$(cut -d' ' -f1 "$OUT/$c.txt" | median)
  p50=$(cut -d' ' -f2 "$OUT/$c.txt" | while read -r v; do echo "$v" | to_ms; echo; done | median)
  p99=$(cut -d' ' -f3 "$OUT/$c.txt" | while read -r v; do echo "$v" | to_ms; echo; done | median)
  bad=$(cut -d' ' -f4 "$OUT/$c.txt" | median)
  cpu=$(cut -d' ' -f5 "$OUT/$c.txt" | median)
  pg=$(cut -d' ' -f6 "$OUT/$c.txt" | median)
  # the contender's own CPU per request (every thread of it: for Gatehouse the audit writer, GC and JIT too): what
  # its capacity would be on cores of its own, free of what wrk, the backend and PostgreSQL do to it here
  us=$(awk '$1 > 0 { printf "%.1f\n", $5 * 1e6 / $1 }' "$OUT/$c.txt" | median)
  echo "| $c | $rps | $p50 | $p99 | $bad | $cpu | $pg | $us |"
done
echo
# the same pairs round by round: both ran within a minute of each other, so a slow spell of the machine moves
# both; the median of these ratios is steadier than the ratio of the medians
pair() {
  [[ " ${ORDER[*]} " == *" $1 "* && " ${ORDER[*]} " == *" $2 "* ]] || return 0
  paste -d' ' "$OUT/$1.txt" "$OUT/$2.txt" | awk '{ printf "%.3f\n", $1 / $7 }' | sort -g \
    | awk -v a="$1" -v b="$2" '{ r[NR] = $1 } END { printf "%s / %s, round by round: median %.2f (min %.2f, max %.2f; %d rounds)\n",
        a, b, r[int((NR + 1) / 2)], r[1], r[NR], NR }'
}
pair gatehouse-full nginx
pair gatehouse-full nginx-log
pair gatehouse-full-audit-off nginx
pair gatehouse-full-audit-off-epoll nginx
pair gatehouse-full-audit-off gatehouse-full-audit-off-epoll
pair gatehouse-full gatehouse-full-audit-off
pair gatehouse-full-audit-off+burn gatehouse-full-audit-off
pair gatehouse-full gatehouse-full-audit-off+burn
pair nginx+burn nginx
# the same from CPU per request: the first contender's capacity against the second's, were each on cores of its own
cpupair() {
  [[ " ${ORDER[*]} " == *" $1 "* && " ${ORDER[*]} " == *" $2 "* ]] || return 0
  paste -d' ' "$OUT/$1.txt" "$OUT/$2.txt" | awk '$5 > 0 && $7 > 0 { printf "%.3f\n", ($11 / $7) / ($5 / $1) }' | sort -g \
    | awk -v a="$1" -v b="$2" '{ r[NR] = $1 } END { printf "%s / %s by CPU per request, round by round: median %.2f (min %.2f, max %.2f)\n",
        a, b, r[int((NR + 1) / 2)], r[1], r[NR] }'
}
cpupair gatehouse-full gatehouse-full-audit-off
cpupair gatehouse-full-audit-off nginx
cpupair gatehouse-full-audit-off-epoll nginx
# p99 of a contender minus nginx's, round by round (ms): the latency target's own measure
p99diff() {
  [[ " ${ORDER[*]} " == *" $1 "* && " ${ORDER[*]} " == *" nginx "* ]] || return 0
  paste -d' ' "$OUT/$1.txt" "$OUT/nginx.txt" | while read -r _ _ a _ _ _ _ _ b _; do
    echo "$(echo "$a" | to_ms) $(echo "$b" | to_ms)"; done | awk '{ printf "%.3f\n", $1 - $2 }' | sort -g \
    | awk -v a="$1" '{ r[NR] = $1 } END { printf "%s p99 - nginx p99, round by round: median %+.2f ms (min %+.2f, max %+.2f)\n",
        a, r[int((NR + 1) / 2)], r[1], r[NR] }'
}
p99diff gatehouse-full-audit-off-epoll
[ -z "${PACE_MS:-}" ] && p99diff gatehouse-full-audit-off
if [ -n "${PACE_MS:-}" ]; then
  p99diff gatehouse-full
  p99diff gatehouse-full-audit-off
  p99diff gatehouse-full-audit-off+burn
  p99diff nginx+burn
fi
echo "gatehouse-full RSS after the runs: $((RSS / 1024)) MB"
