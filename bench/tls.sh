#!/usr/bin/env bash
# bench/tls.sh — keep-alive 1 KiB over TLS 1.3: eventmpm (mod_ssl on
# crypto/tls), nginx and Apache's event MPM with mod_ssl (OpenSSL), side by
# side on this machine. Not one of issue 6's bars; compare.sh's method:
# every server pinned to one CPU and wrk to the other, servers interleaved
# within each round, medians over the rounds and ratios to nginx within a
# round. All three use the same ECDSA P-256 certificate and TLS 1.3 with
# TLS_AES_128_GCM_SHA256 (the suite Go picks on a CPU with AES
# instructions; OpenSSL's servers are told to use it too), no access log,
# a 60 s keep-alive timeout and no limit on requests per connection.
#
# Settings (environment): ROUNDS=3 DURATION=8 CONNS=100 SERVER_CPU=0
# CLIENT_CPU=1 EVENTMPM=bin/eventmpm. Needs wrk, nginx, apache2, openssl
# and pstree (Debian's wrk, nginx, apache2, openssl, psmisc).
set -Eeuo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8}
CONNS=${CONNS:-100}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EVENTMPM=${EVENTMPM:-$REPO/bin/eventmpm}
HZ=$(getconf CLK_TCK)

for tool in wrk nginx apache2 openssl pstree taskset; do
  command -v "$tool" >/dev/null || { echo "bench/tls.sh: $tool is missing (apt-get install wrk nginx apache2 openssl psmisc)" >&2; exit 1; }
done
[ -x "$EVENTMPM" ] || { echo "bench/tls.sh: $EVENTMPM is missing (make build)" >&2; exit 1; }

WORK=$(mktemp -d)
chmod 755 "$WORK"
declare -A PORT=([eventmpm]=$((20000 + RANDOM % 10000)))
PORT[nginx]=$((PORT[eventmpm] + 1))
PORT[apache]=$((PORT[eventmpm] + 2))
RUNNING=
cleanup() {
  [ -n "$RUNNING" ] && stop "$RUNNING"
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/htdocs" "$WORK/eventmpm" "$WORK/nginx" "$WORK/apache"
head -c 768 /dev/urandom | base64 -w0 | head -c 1024 >"$WORK/htdocs/index.html"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -keyout "$WORK/site.key" -out "$WORK/site.crt" 2>/dev/null
chmod 644 "$WORK/site.key" # the servers' workers read nothing of it; Apache's children need not
USER_LINE=
[ "$(id -u)" = 0 ] && USER_LINE="User nobody
Group nogroup"
chmod 777 "$WORK/apache"

MPM="StartServers 2
ServerLimit 2
ThreadsPerChild 64
ThreadLimit 64
MaxRequestWorkers 128
MinSpareThreads 1
MaxSpareThreads 256
KeepAliveTimeout 60
MaxKeepAliveRequests 0"

cat >"$WORK/eventmpm/eventmpm.conf" <<EOF
# eventmpm: 2 children, one core for all (taskset).
LoadModule ssl_module modules/mod_ssl.so
Listen 127.0.0.1:${PORT[eventmpm]}
ServerName localhost
$MPM
PidFile $WORK/eventmpm/pid
ScoreBoardFile $WORK/eventmpm/scoreboard
ErrorLog $WORK/eventmpm/error_log
DocumentRoot $WORK/htdocs
<Directory $WORK/htdocs>
    Require all granted
</Directory>
SSLEngine on
SSLCertificateFile $WORK/site.crt
SSLCertificateKeyFile $WORK/site.key
EOF

cat >"$WORK/apache/apache2.conf" <<EOF
# Apache httpd 2.4, event MPM and mod_ssl: 2 children, one core for all.
ServerRoot /etc/apache2
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so
TypesConfig /etc/mime.types
$USER_LINE
Listen 127.0.0.1:${PORT[apache]}
ServerName localhost
$MPM
AsyncRequestWorkerFactor 100
EnableSendfile On
PidFile $WORK/apache/pid
ErrorLog $WORK/apache/error_log
DocumentRoot $WORK/htdocs
<Directory $WORK/htdocs>
    Require all granted
</Directory>
SSLEngine on
SSLCertificateFile $WORK/site.crt
SSLCertificateKeyFile $WORK/site.key
SSLCipherSuite TLSv1.3 TLS_AES_128_GCM_SHA256
SSLSessionCache shmcb:$WORK/apache/scache(512000)
EOF

cat >"$WORK/nginx/nginx.conf" <<EOF
# nginx: master + 2 workers, one core for all of them.
worker_processes 2;
pid $WORK/nginx/pid;
error_log $WORK/nginx/error_log;
events { worker_connections 20000; }
http {
    access_log off;
    sendfile on;
    keepalive_timeout 60;
    keepalive_requests 1000000000;
    client_body_temp_path $WORK/nginx;
    server {
        listen 127.0.0.1:${PORT[nginx]} ssl;
        ssl_certificate $WORK/site.crt;
        ssl_certificate_key $WORK/site.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;
        root $WORK/htdocs;
    }
}
EOF

start() {
  case $1 in
    eventmpm) taskset -c "$SERVER_CPU" "$EVENTMPM" -f "$WORK/eventmpm/eventmpm.conf" start >/dev/null ;;
    nginx) taskset -c "$SERVER_CPU" nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error_log" ;;
    apache) taskset -c "$SERVER_CPU" apache2 -f "$WORK/apache/apache2.conf" -k start ;;
  esac
  RUNNING=$1
  for _ in $(seq 50); do
    [ -s "$WORK/$1/pid" ] && curl -skf -o /dev/null "https://127.0.0.1:${PORT[$1]}/index.html" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "bench/tls.sh: $1 did not start" >&2
  exit 1
}

stop() {
  case $1 in
    eventmpm) "$EVENTMPM" -f "$WORK/eventmpm/eventmpm.conf" stop >/dev/null 2>&1 || true ;;
    nginx) nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error_log" -s stop 2>/dev/null || true ;;
    apache) apache2 -f "$WORK/apache/apache2.conf" -k stop 2>/dev/null || true ;;
  esac
  RUNNING=
  while [ -s "$WORK/$1/pid" ] && kill -0 "$(cat "$WORK/$1/pid" 2>/dev/null)" 2>/dev/null; do sleep 0.2; done
  rm -f "$WORK/$1/pid"
}

# ticks: utime+stime of the server's process tree (threads not counted
# twice), plus what its processes reaped.
ticks() {
  local total=0 p s
  for p in $(pstree -p -T "$1" | grep -o '([0-9]*)' | tr -d '()'); do
    s=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$p/stat" 2>/dev/null || echo 0)
    total=$((total + s))
  done
  echo "$total"
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A RPS=() PERCPU=() P99=()
for round in $(seq "$ROUNDS"); do
  for s in eventmpm nginx apache; do
    start "$s"
    pid=$(cat "$WORK/$s/pid")
    url="https://127.0.0.1:${PORT[$s]}/index.html"
    taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d2s "$url" >/dev/null
    t0=$(ticks "$pid")
    out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency --timeout 5s "$url")
    t1=$(ticks "$pid")
    stop "$s"
    if grep -q "Non-2xx\|Socket errors" <<<"$out"; then
      echo "bench/tls.sh: $s had errors:" >&2
      echo "$out" >&2
    fi
    rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) v = v / 1000; else if (v ~ /ms$/) v = v + 0; else v = v * 1000; print v }' <<<"$out")
    percpu=$(awk -v r="$rps" -v d="$DURATION" -v t=$((t1 - t0)) -v hz="$HZ" 'BEGIN { printf "%.0f", r * d / (t / hz) }')
    RPS[$s]+="$rps "
    P99[$s]+="$p99 "
    PERCPU[$s]+="$percpu "
    printf "round %d %-8s requests/s %8.0f  p99 %6.2f ms  server CPU-s %5.2f  requests per CPU-s %7d\n" \
      "$round" "$s" "$rps" "$p99" "$(awk -v t=$((t1 - t0)) -v hz="$HZ" 'BEGIN { print t / hz }')" "$percpu"
  done
done

ratio() { # medians of the per-round ratios of $1's values to $2's
  paste <(tr ' ' '\n' <<<"$1" | grep .) <(tr ' ' '\n' <<<"$2" | grep .) | awk '{ printf "%.2f\n", $1 / $2 }' | median
}
echo
echo "| Server | Requests/s | × nginx | p99 ms | Requests per server CPU-s | × nginx |"
echo "|---|---:|---:|---:|---:|---:|"
for s in eventmpm nginx apache; do
  printf "| %s | %.0f | %.2fx | %.2f | %.0f | %.2fx |\n" "$s" \
    "$(tr ' ' '\n' <<<"${RPS[$s]}" | grep . | median)" "$(ratio "${RPS[$s]}" "${RPS[nginx]}")" \
    "$(tr ' ' '\n' <<<"${P99[$s]}" | grep . | median)" \
    "$(tr ' ' '\n' <<<"${PERCPU[$s]}" | grep . | median)" "$(ratio "${PERCPU[$s]}" "${PERCPU[nginx]}")"
done
