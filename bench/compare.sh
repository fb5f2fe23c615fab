#!/usr/bin/env bash
# bench/compare.sh — issue 6's comparison harness (`make bench-compare`).
#
# Serves one generated docroot with eventmpm, nginx, h2o, fasthttp and
# Apache's event MPM, each started here with its own config on 127.0.0.1
# (never the system services), the servers pinned to one CPU and the client
# (wrk, and the idle-connection holder) to another. Per round every server
# is started fresh, then each scenario runs once per server, servers
# interleaved (eventmpm nginx h2o fasthttp apache, eventmpm nginx ...), and
# the servers are stopped. The tables (medians over the rounds, ratios to
# nginx within a round) go into BENCHMARKS.md between markers; raw wrk
# output and results.tsv stay in bench/out/DATE/.
#
# Settings (environment):
#   ROUNDS=3 DURATION=10s WARMUP=1s    rounds, wrk duration per run, warm-up per server and file
#   SERVERS="eventmpm nginx h2o fasthttp apache"
#   SCENARIOS="ka-1k ka-16k ka-1m close-1k ka-1k-c50 idle-1k"
#   SERVER_CPU=0 CLIENT_CPU=1          taskset CPUs
#   IDLE_CONNS=10000                   idle keep-alive connections of idle-1k
#   THREADS=64                         ThreadsPerChild of Apache and eventmpm (2 children)
#   APACHE_ASYNC_FACTOR=100            Apache's AsyncRequestWorkerFactor (see servers.sh)
#   WRITE_MD=1                         0: leave BENCHMARKS.md alone
#   KEEP_WORK=0                        1: keep the temp dir (configs, docroot, logs)
#   EVENTMPM=bin/eventmpm              the eventmpm binary to measure
# Paths must not contain spaces.
set -Eeuo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-1s}
SERVERS=${SERVERS:-"eventmpm nginx h2o fasthttp apache"}
SCENARIOS=${SCENARIOS:-"ka-1k ka-16k ka-1m close-1k ka-1k-c50 idle-1k"}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
IDLE_CONNS=${IDLE_CONNS:-10000}
THREADS=${THREADS:-64}
APACHE_ASYNC_FACTOR=${APACHE_ASYNC_FACTOR:-100}
WRITE_MD=${WRITE_MD:-1}
KEEP_WORK=${KEEP_WORK:-0}

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$REPO/bench
EVENTMPM=${EVENTMPM:-$REPO/bin/eventmpm}
# The commit measured, taken when the run starts: edits made while it runs
# (the run takes half an hour) are not in the binary it measures.
EVENTMPM_REV="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD -- . 2>/dev/null || echo ', with uncommitted changes')"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$BENCH/out/$STAMP
RESULTS=$OUT/results.tsv
HZ=$(getconf CLK_TCK)
WORK=
DOCROOT=
TOOLS=
NOFILE=
IDLE_PID=
EVENTMPM_MODE=
declare -A PID=() PORT=() FAILED=()

# shellcheck source-path=SCRIPTDIR source=servers.sh
. "$BENCH/servers.sh"

# Scenario table: name, path, connections, extra wrk header, title.
declare -A SC_PATH=([ka-1k]=/ [ka-16k]=/16k.bin [ka-1m]=/1m.bin [close-1k]=/ [ka-1k-c50]=/ [idle-1k]=/)
declare -A SC_CONNS=([ka-1k]=100 [ka-16k]=100 [ka-1m]=10 [close-1k]=100 [ka-1k-c50]=50 [idle-1k]=50)
declare -A SC_TITLE=(
  [ka-1k]="Keep-alive, 1 KiB, 100 connections"
  [ka-16k]="Keep-alive, 16 KiB, 100 connections"
  [ka-1m]="Keep-alive, 1 MiB, 10 connections"
  [close-1k]="Connection: close, 1 KiB, 100 connections"
  [ka-1k-c50]="Keep-alive, 1 KiB, 50 connections (the idle scenario without idle connections)"
  [idle-1k]="Idle capacity: IDLE_CONNS idle keep-alive connections held while wrk runs 1 KiB at 50 connections"
)

say() { printf "%s %s\n" "$(date +%T)" "$*" >&2; }
die() {
  say "compare.sh: $*"
  exit 1
}

# ---------------------------------------------------------------- setup

# ensure_packages installs what is missing from Debian's packages, without
# letting the packages start their system services (policy-rc.d).
ensure_packages() {
  local -a need=()
  local sudo='' policy=/usr/sbin/policy-rc.d made_policy=
  command -v wrk >/dev/null || need+=(wrk)
  command -v nginx >/dev/null || need+=(nginx)
  command -v h2o >/dev/null || need+=(h2o)
  command -v apache2 >/dev/null || need+=(apache2)
  command -v taskset >/dev/null || need+=(util-linux)
  command -v go >/dev/null || die "go is needed to build the helpers"
  [ ${#need[@]} -eq 0 ] && return 0
  say "== installing from Debian's packages: ${need[*]}"
  command -v apt-get >/dev/null || die "missing ${need[*]} and no apt-get"
  [ "$(id -u)" = 0 ] || sudo=sudo
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    made_policy=1
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
  [ -z "$made_policy" ] || $sudo rm -f "$policy"
}

# raise_nofile raises the soft descriptor limit to the hard one; servers
# and clients inherit it.
raise_nofile() {
  local hard
  hard=$(ulimit -Hn)
  [ "$hard" = unlimited ] && hard=1048576
  ulimit -n "$hard"
  NOFILE=$(ulimit -n)
  if [ "$NOFILE" -lt $((IDLE_CONNS + 1000)) ]; then
    say "!! descriptor limit $NOFILE is too low for $IDLE_CONNS idle connections; lowering IDLE_CONNS"
    IDLE_CONNS=$((NOFILE - 1000))
  fi
  SC_TITLE[idle-1k]=${SC_TITLE[idle-1k]/IDLE_CONNS/$IDLE_CONNS}
}

# build_tools builds bench/tools and bench/fasthttp (their own modules) and
# eventmpm itself when `make build` has not.
build_tools() {
  TOOLS=$WORK/bin
  mkdir -p "$TOOLS"
  (cd "$BENCH/tools" && go build -o "$TOOLS/benchtool" .)
  (cd "$BENCH/fasthttp" && go build -o "$TOOLS/fasthttp-server" .)
  [ -x "$EVENTMPM" ] || (cd "$REPO" && go build -o "$EVENTMPM" ./cmd/eventmpm)
}

# make_docroot writes index.html (1 KiB), 16k.bin and 1m.bin, and the
# MIME type tables the servers share.
make_docroot() {
  DOCROOT=$WORK/htdocs
  local page=$'<!doctype html><title>eventmpm bench</title><pre>\n' line
  line=$(printf '%063d' 0 | tr 0 x)
  while [ ${#page} -lt 1024 ]; do page+=$line$'\n'; done
  mkdir -p "$DOCROOT"
  printf '%s' "${page:0:1024}" >"$DOCROOT/index.html"
  head -c 16384 /dev/urandom >"$DOCROOT/16k.bin"
  head -c 1048576 /dev/urandom >"$DOCROOT/1m.bin"
  chmod 755 "$WORK" "$DOCROOT"
  chmod 644 "$DOCROOT"/*
  printf 'text/html\thtml htm\napplication/octet-stream\tbin\n' >"$WORK/mime.types"
  printf 'types {\n    text/html html htm;\n    application/octet-stream bin;\n}\n' >"$WORK/nginx-mime.types"
}

# cleanup stops every server and the idle holder; runs on any exit.
cleanup() {
  local name
  trap - EXIT INT TERM
  if [ -n "$IDLE_PID" ]; then
    kill -TERM "$IDLE_PID" 2>/dev/null || true
    wait "$IDLE_PID" 2>/dev/null || true
  fi
  for name in "${!PID[@]}"; do
    [ -z "${PID[$name]}" ] || stop_server "$name"
  done
  if [ "$KEEP_WORK" = 1 ]; then
    say "== kept $WORK"
  elif [ -n "$WORK" ]; then
    rm -rf "$WORK"
  fi
}

# ---------------------------------------------------------------- measuring

# tree_stat NAME prints "RSS_KB CPU_TICKS NPROCS" of the server's
# processes, "0 0 0" when it is gone.
tree_stat() { "$TOOLS/benchtool" proc "${PID[$1]}" 2>/dev/null || echo 0 0 0; }

# machine_ticks prints the CPU time of the whole machine in clock ticks:
# every process on every CPU, the kernel's interrupt and softirq work, and
# time stolen by a hypervisor (/proc/stat's user, nice, system, irq, softirq
# and steal).
machine_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }

# run_wrk NAME SCENARIO ROUND [IDLE_FIELDS]: one measured wrk run against
# NAME, appended to results.tsv with the server's CPU time over the run and
# the whole machine's (server, wrk and the kernel's softirq work, wherever
# the kernel charged it).
run_wrk() {
  local name=$1 sc=$2 round=$3 idle=${4:-$'-\t-\t-\t-\t-\t-'}
  local url="http://127.0.0.1:${PORT[$name]}${SC_PATH[$sc]}" raw=$OUT/raw/$round-$sc-$name.txt
  local t0 t1 m0 m1 procs rps p50 p99 reqs errs non2xx cpu mcpu
  local -a hdr=()
  [ "$sc" = close-1k ] && hdr=(-H "Connection: close")
  read -r _ t0 _ < <(tree_stat "$name")
  m0=$(machine_ticks)
  taskset -c "$CLIENT_CPU" wrk -t1 -c"${SC_CONNS[$sc]}" -d"$DURATION" --latency --timeout 5s \
    "${hdr[@]}" "$url" >"$raw" 2>&1 || true
  m1=$(machine_ticks)
  if ! alive "${PID[$name]}"; then
    say "!! $name died during $sc (round $round)"
    FAILED[$name]=1
    return 0
  fi
  read -r _ t1 procs < <(tree_stat "$name")
  if ! read -r rps p50 p99 reqs errs non2xx < <("$TOOLS/benchtool" wrkparse "$raw"); then
    say "!! $sc $name: no wrk result, see $raw"
    return 0
  fi
  cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz }')
  mcpu=$(awk -v a="$m0" -v b="$m1" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$name" "$sc" \
    "${SC_CONNS[$sc]}" "$rps" "$p50" "$p99" "$reqs" "$errs" "$non2xx" "$cpu" "$procs" "$idle" "$mcpu" >>"$RESULTS"
  printf '   %-9s %-9s %10.0f req/s  p50 %7.2f ms  p99 %7.2f ms  cpu %6.2f s  %8s req/cpu-s  machine %6.2f s  errors %s/%s\n' \
    "$sc" "$name" "$rps" "$p50" "$p99" "$cpu" \
    "$(awk -v r="$reqs" -v c="$cpu" 'BEGIN { if (c > 0) printf "%.0f", r / c; else print "-" }')" "$mcpu" "$errs" "$non2xx" >&2
}

# field KEY LINE prints KEY's value from "KEY=VALUE ..." (0 when absent).
field() {
  local v
  v=$(sed -n "s/.*\<$1=\([0-9.]*\).*/\1/p" <<<"$2")
  echo "${v:-0}"
}

# run_idle NAME ROUND: open IDLE_CONNS idle keep-alive connections, measure
# the server's RSS before and with them, run the 1 KiB scenario at 50
# connections meanwhile, then count how many the server dropped.
run_idle() {
  local name=$1 round=$2 tab=$'\t'
  local log=$OUT/raw/$round-idle-1k-$name.holder rss0 rss1 line i result
  read -r rss0 _ _ < <(tree_stat "$name")
  taskset -c "$CLIENT_CPU" "$TOOLS/benchtool" idle -addr "127.0.0.1:${PORT[$name]}" \
    -n "$IDLE_CONNS" -phase 30s -timeout 3s >"$log" 2>&1 &
  IDLE_PID=$!
  for ((i = 0; i < 600; i++)); do # the holder gives up opening after 30 s
    grep -qs '^READY' "$log" && break
    alive "$IDLE_PID" || break
    sleep 0.1
  done
  line=$(grep '^READY' "$log" || true)
  if [ -z "$line" ]; then
    say "!! idle holder did not get ready against $name:"
    sed 's/^/   /' "$log" >&2
    kill -TERM "$IDLE_PID" 2>/dev/null || true
    wait "$IDLE_PID" 2>/dev/null || true
    IDLE_PID=
    return 0
  fi
  say "   idle-1k   $name: ${line#READY }"
  sleep 1 # let the server finish with the last ones
  read -r rss1 _ _ < <(tree_stat "$name")
  run_wrk "$name" idle-1k "$round" "$rss0$tab$rss1$tab$IDLE_CONNS$tab$(field opened "$line")$tab@OPEN@$tab@DROPPED@"
  kill -USR1 "$IDLE_PID" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do
    grep -qs '^RESULT' "$log" && break
    alive "$IDLE_PID" || break
    sleep 0.1
  done
  kill -TERM "$IDLE_PID" 2>/dev/null || true
  wait "$IDLE_PID" 2>/dev/null || true
  IDLE_PID=
  result=$(grep '^RESULT' "$log" || echo "RESULT open=0 dropped=0")
  say "   idle-1k   $name: ${result#RESULT }"
  sed -i "s/@OPEN@\t@DROPPED@/$(field open "$result")\t$(field dropped "$result")/" "$RESULTS"
}

# warm_up NAME: a short wrk on each file, not measured.
warm_up() {
  local name=$1 path
  [ "$WARMUP" = 0 ] && return 0
  for path in / /16k.bin /1m.bin; do
    taskset -c "$CLIENT_CPU" wrk -t1 -c10 -d"$WARMUP" "http://127.0.0.1:${PORT[$name]}$path" >/dev/null 2>&1 || true
  done
}

# restart_servers starts every server afresh before the idle scenario, so
# that "RSS before" is a fresh server's and not a heap the earlier
# scenarios grew (a Go server would then hold idle connections in memory
# it already had, and look free). No warm-up: the readiness checks fetch
# each file once.
restart_servers() {
  local name
  say "   (restarting the servers for the idle scenario)"
  for name in $SERVERS; do
    [ -z "${FAILED[$name]:-}" ] || continue
    stop_server "$name"
    start_server "$name" || FAILED[$name]=1
  done
}

# run_round ROUND: start every server, run every scenario interleaved
# across servers, stop every server.
run_round() {
  local round=$1 name sc
  say "== round $round of $ROUNDS"
  FAILED=()
  for name in $SERVERS; do
    if start_server "$name"; then
      warm_up "$name"
    else
      FAILED[$name]=1
    fi
  done
  for sc in $SCENARIOS; do
    [ "$sc" != idle-1k ] || restart_servers
    for name in $SERVERS; do
      [ -z "${FAILED[$name]:-}" ] || continue
      if [ "$sc" = idle-1k ]; then
        run_idle "$name" "$round"
      else
        run_wrk "$name" "$sc" "$round"
      fi
    done
  done
  for name in $SERVERS; do
    stop_server "$name"
  done
}

# ---------------------------------------------------------------- reporting

# versions prints one Markdown table row per program.
versions() {
  local fh
  fh=$(awk '{ for (i = 1; i < NF; i++) if ($i == "github.com/valyala/fasthttp") print $(i + 1) }' "$BENCH/fasthttp/go.mod")
  echo "| eventmpm | $("$EVENTMPM" version | sed -n 's/^Server version: //p') ($EVENTMPM_REV), $EVENTMPM_MODE |"
  echo "| nginx | $(nginx -v 2>&1 | sed 's/^nginx version: //') (Debian $(dpkg-query -W -f='${Version}' nginx 2>/dev/null || echo '?')) |"
  echo "| h2o | $(h2o --version 2>&1 | sed -n 's/^h2o version //p') (Debian $(dpkg-query -W -f='${Version}' h2o 2>/dev/null || echo '?')) |"
  echo "| fasthttp | $fh, $(go version | awk '{ print $3 }') |"
  echo "| Apache httpd | $(apache2 -v | sed -n 's/^Server version: //p') (Debian $(dpkg-query -W -f='${Version}' apache2 2>/dev/null || echo '?')) |"
  echo "| wrk | $(wrk -v 2>&1 | awk 'NR == 1 { print $2 }' || true) |"
}

# write_section prints the generated section of BENCHMARKS.md.
write_section() {
  local name f
  cat <<EOF
## Latest \`make bench-compare\` run

- Date: $(date -u '+%Y-%m-%d %H:%M UTC')
- Machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), Linux $(uname -r), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM
- Settings: ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP IDLE_CONNS=$IDLE_CONNS THREADS=$THREADS; servers on CPU $SERVER_CPU, wrk and the idle holder on CPU $CLIENT_CPU; \`wrk -t1 --latency --timeout 5s\`
- Raw output: \`bench/out/$STAMP/\` (not committed)
EOF
  if [[ $EVENTMPM_MODE == FALLBACK* ]]; then
    # shellcheck disable=SC2016 # Markdown backquotes
    printf '\n> **eventmpm ran as ONE child (`start -X`)**: `start --foreground` (the supervisor) did not work yet,\n> so eventmpm had one child where Apache and nginx had two processes. Rerun when the supervisor lands.\n'
  fi
  printf '\n| Program | Version |\n|---|---|\n'
  versions
  "$TOOLS/benchtool" report -scenarios "$OUT/scenarios.tsv" "$RESULTS"
  # shellcheck disable=SC2016 # Markdown backquotes
  printf '\n### The configurations used\n\nPorts and the temp dir (`$WORK`) change every run.\n'
  for name in $SERVERS; do
    f=$(config_file "$name")
    [ -f "$OUT/config-$name" ] || continue
    printf '\n<details><summary>%s: <code>%s</code></summary>\n\n```\n' "$name" "${f#"$WORK"/}"
    cat "$OUT/config-$name"
    printf '```\n\n</details>\n'
  done
}

# save_configs keeps each server's config from the last round, with the
# temp dir written as $WORK.
save_configs() {
  local name f
  for name in $SERVERS; do
    f=$(config_file "$name")
    [ -f "$f" ] && sed "s|$WORK|\$WORK|g" "$f" >"$OUT/config-$name"
  done
  return 0
}

# ---------------------------------------------------------------- main

main() {
  local round sc
  ensure_packages
  WORK=$(mktemp -d /tmp/eventmpm-bench.XXXXXX)
  trap 'say "compare.sh: line $LINENO: a command failed (exit $?)"' ERR
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  raise_nofile
  mkdir -p "$OUT/raw"
  build_tools
  make_docroot
  printf 'round\tserver\tscenario\tconns\trps\tp50_ms\tp99_ms\trequests\terrors\tnon2xx\tcpu_s\tprocs\trss_before_kb\trss_idle_kb\tidle_want\tidle_opened\tidle_open\tidle_dropped\tmachine_cpu_s\n' >"$RESULTS"
  {
    printf 'name\ttitle\n'
    for sc in $SCENARIOS; do printf '%s\t%s\n' "$sc" "${SC_TITLE[$sc]}"; done
  } >"$OUT/scenarios.tsv"
  say "== eventmpm bench-compare: ROUNDS=$ROUNDS DURATION=$DURATION servers [$SERVERS] on CPU $SERVER_CPU, client on CPU $CLIENT_CPU"
  say "== work dir $WORK, results $OUT"
  for ((round = 1; round <= ROUNDS; round++)); do
    run_round "$round"
    save_configs
  done
  write_section >"$OUT/section.md"
  if [ "$WRITE_MD" = 1 ]; then
    "$TOOLS/benchtool" splice "$REPO/BENCHMARKS.md" bench-compare <"$OUT/section.md"
    say "== wrote BENCHMARKS.md (section bench-compare)"
  fi
  say "== done: $OUT/section.md"
  if [[ $EVENTMPM_MODE == FALLBACK* ]]; then
    say "!! NOTE: eventmpm ran as ONE child (start -X fallback); see above."
  fi
}

main "$@"
