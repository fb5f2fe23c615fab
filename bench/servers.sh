# shellcheck shell=bash
# PID and PORT are compare.sh's associative arrays; EVENTMPM_MODE is read there.
# shellcheck disable=SC2004,SC2034
# bench/servers.sh — how compare.sh configures, starts and stops each server.
# Sourced by compare.sh; not meant to run alone.
#
# Every server gets a directory $WORK/NAME with its own config, logs and pid
# file, listens on 127.0.0.1:$port (a fresh free port per start) and serves
# the shared docroot $DOCROOT. Every server has: no access log, a 60 s
# keep-alive timeout, no limit on requests per connection, room for more
# than IDLE_CONNS connections, and one CPU ($SERVER_CPU, through taskset).
#
# For each NAME there is config_NAME DIR PORT (writes the config files and
# prints the command line) and the shared start_server / stop_server below.

# as_root_user prints the user the workers switch to when we run as root.
as_root_user() { [ "$(id -u)" = 0 ] && echo nobody; }

# config_nginx: master + 2 workers, sendfile, no access log.
config_nginx() {
  local dir=$1 port=$2 user
  user=$(as_root_user || true)
  mkdir -p "$dir/tmp"
  {
    echo "# nginx: master + 2 workers, one core for all of them (taskset)."
    echo "daemon off;"
    echo "master_process on;"
    [ -n "$user" ] && echo "user $user nogroup;"
    cat <<EOF
worker_processes 2;
worker_rlimit_nofile $NOFILE;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events {
    worker_connections $NOFILE;
}
http {
    access_log off;
    sendfile on;
    keepalive_timeout 60;
    keepalive_requests 1000000000;
    include $WORK/nginx-mime.types;
    default_type application/octet-stream;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    server {
        listen 127.0.0.1:$port;
        root $DOCROOT;
        index index.html;
    }
}
EOF
  } >"$dir/nginx.conf"
  echo nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log"
}

# config_h2o: one process, 2 threads, no access log. No pid-file: as root,
# h2o writes it after switching to nobody, who cannot write in $dir.
config_h2o() {
  local dir=$1 port=$2 user
  user=$(as_root_user || true)
  {
    echo "# h2o: one process with 2 threads, one core (taskset)."
    [ -n "$user" ] && echo "user: $user"
    cat <<EOF
listen:
  host: 127.0.0.1
  port: $port
num-threads: 2
max-connections: $NOFILE
http1-request-timeout: 60
error-log: $dir/error.log
hosts:
  default:
    paths:
      /:
        file.dir: $DOCROOT
        file.index: [ 'index.html' ]
EOF
  } >"$dir/h2o.conf"
  echo h2o -c "$dir/h2o.conf"
}

# config_fasthttp: bench/fasthttp, one process, GOMAXPROCS=1 (one core).
config_fasthttp() {
  local dir=$1 port=$2
  echo "# fasthttp: bench/fasthttp/main.go (fasthttp.FS, IdleTimeout 60 s), GOMAXPROCS=1" >"$dir/fasthttp.cmd"
  echo "env GOMAXPROCS=1 fasthttp-server -addr 127.0.0.1:$port -root $DOCROOT -idle 60s" >>"$dir/fasthttp.cmd"
  echo env GOMAXPROCS=1 "$TOOLS/fasthttp-server" -addr "127.0.0.1:$port" -root "$DOCROOT" -idle 60s
}

# apache_mpm prints the event MPM block Apache and eventmpm share: exactly
# 2 children of $THREADS threads, never more, never fewer.
apache_mpm() {
  cat <<EOF
StartServers             2
ServerLimit              2
ThreadLimit              $THREADS
ThreadsPerChild          $THREADS
MaxRequestWorkers        $((2 * THREADS))
# MinSpare 1 and MaxSpare above MaxRequestWorkers: the parent never has a
# reason to start a third child or stop one of the two.
MinSpareThreads          1
MaxSpareThreads          $((4 * THREADS))
MaxConnectionsPerChild   0
Timeout                  60
KeepAlive                On
KeepAliveTimeout         60
MaxKeepAliveRequests     0
EOF
}

# config_apache: Apache 2.4 (Debian's), event MPM, 2 children, no access log.
config_apache() {
  local dir=$1 port=$2 user mods=/usr/lib/apache2/modules
  user=$(as_root_user || true)
  mkdir -p "$dir/run"
  {
    echo "# Apache httpd 2.4, event MPM: 2 children, one core for all (taskset)."
    cat <<EOF
ServerRoot "$dir"
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule mime_module $mods/mod_mime.so
LoadModule dir_module $mods/mod_dir.so
# mod_unixd (User, Group) and mod_log_config are built into Debian's apache2;
# with no CustomLog there is no access log.
EOF
    [ -n "$user" ] && printf 'User %s\nGroup nogroup\n' "$user"
    cat <<EOF
Listen 127.0.0.1:$port
ServerName localhost
DefaultRuntimeDir "$dir/run"
PidFile "$dir/apache2.pid"
ErrorLog "$dir/error.log"
LogLevel warn
$(apache_mpm)
# Stock Apache stops accepting at ThreadsPerChild + factor x idle workers
# connections per child; this factor lets 2 x $THREADS threads hold
# $(( 2 * (THREADS + APACHE_ASYNC_FACTOR * THREADS) )) connections, above the idle scenario's $IDLE_CONNS.
AsyncRequestWorkerFactor $APACHE_ASYNC_FACTOR
EnableSendfile On
TypesConfig "$WORK/mime.types"
DocumentRoot "$DOCROOT"
DirectoryIndex index.html
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "$DOCROOT">
    AllowOverride None
    Require all granted
</Directory>
EOF
  } >"$dir/apache2.conf"
  echo apache2 -d "$dir" -f "$dir/apache2.conf" -DFOREGROUND
}

# config_eventmpm: the same MPM block as Apache, no access log. Prints the
# supervisor's command line; start_eventmpm falls back to `start -X`.
config_eventmpm() {
  local dir=$1 port=$2
  mkdir -p "$dir/conf" "$dir/logs"
  {
    echo "# eventmpm: 2 children (supervisor), one core for all (taskset)."
    cat <<EOF
Listen 127.0.0.1:$port
ServerName localhost
$(apache_mpm)
PidFile logs/eventmpm.pid
ScoreBoardFile logs/eventmpm.scoreboard
ErrorLog logs/error_log
LogLevel warn
TypesConfig "$WORK/mime.types"
DocumentRoot "$DOCROOT"
DirectoryIndex index.html
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "$DOCROOT">
    AllowOverride None
    Require all granted
</Directory>
EOF
  } >"$dir/conf/eventmpm.conf"
  echo "$EVENTMPM" -d "$dir" start --foreground
}

# config_file NAME prints the path of NAME's main config file.
config_file() {
  case $1 in
    nginx) echo "$WORK/nginx/nginx.conf" ;;
    h2o) echo "$WORK/h2o/h2o.conf" ;;
    fasthttp) echo "$WORK/fasthttp/fasthttp.cmd" ;;
    apache) echo "$WORK/apache/apache2.conf" ;;
    eventmpm) echo "$WORK/eventmpm/conf/eventmpm.conf" ;;
  esac
}

# alive PID: the process exists and is not a zombie (our exited children
# stay zombies until wait, and kill -0 still succeeds on them).
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# launch NAME DIR CMD... starts CMD on $SERVER_CPU in the background, its
# output in DIR/console.log, and records its pid (taskset execs, so the pid
# is the server's own).
launch() {
  local name=$1 dir=$2
  shift 2
  echo "\$ taskset -c $SERVER_CPU $*" >>"$dir/console.log"
  taskset -c "$SERVER_CPU" "$@" >>"$dir/console.log" 2>&1 &
  PID[$name]=$!
}

# wait_ready NAME: the server answers / with the 1 KiB file within 15 s and
# its process is still there. The content checks of the other files follow.
wait_ready() {
  local name=$1 url="http://127.0.0.1:${PORT[$1]}"
  "$TOOLS/benchtool" get "$url/" 1024 15s >/dev/null 2>&1 || return 1
  alive "${PID[$name]}" || return 1
  "$TOOLS/benchtool" get "$url/16k.bin" 16384 2s >/dev/null &&
    "$TOOLS/benchtool" get "$url/1m.bin" 1048576 2s >/dev/null
}

# start_server NAME: fresh dir, fresh port, config, start, wait until ready.
# Returns 1 (and shows the server's log) when it does not come up.
start_server() {
  local name=$1 dir=$WORK/$1 port
  local -a cmd
  rm -rf "$dir"
  mkdir -p "$dir"
  port=$("$TOOLS/benchtool" freeport)
  PORT[$name]=$port
  read -r -a cmd <<<"$("config_$name" "$dir" "$port")"
  launch "$name" "$dir" "${cmd[@]}"
  if [ "$name" = eventmpm ]; then
    start_eventmpm_fallback "$dir" || return 1
  fi
  if ! wait_ready "$name"; then
    say "!! $name did not start (or serves wrong content); its log:"
    tail -n 20 "$dir/console.log" "$dir"/error*log "$dir"/logs/error_log 2>/dev/null | sed 's/^/   /'
    stop_server "$name"
    return 1
  fi
}

# start_eventmpm_fallback DIR: until the supervisor exists, `start
# --foreground` fails; then stop trying and run one child with `start -X`,
# saying so loudly, because one child is not the configuration compared.
start_eventmpm_fallback() {
  local dir=$1 i
  for ((i = 0; i < 100; i++)); do # 10 s, or until it exits
    alive "${PID[eventmpm]}" || break
    if "$TOOLS/benchtool" get "http://127.0.0.1:${PORT[eventmpm]}/" 1024 0s >/dev/null 2>&1; then
      EVENTMPM_MODE="supervisor (start --foreground)"
      return 0
    fi
    sleep 0.1
  done
  stop_server eventmpm
  say "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  say "!! eventmpm: 'start --foreground' exited or did not serve within 10 s:"
  tail -n 3 "$dir/console.log" | sed 's/^/!!   /'
  say "!! FALLING BACK to 'start -X': ONE child, not the 2 children the others get."
  say "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  EVENTMPM_MODE="FALLBACK: start -X, one child (the supervisor's start --foreground failed)"
  launch eventmpm "$dir" "$EVENTMPM" -d "$dir" start -X
}

# stop_server NAME: TERM the server, KILL what is left of its process tree
# after 5 s, reap it. Processes are named by pid and start time, so a
# recycled pid is never signalled. Safe to call twice.
stop_server() {
  local name=$1 pid=${PID[$1]:-} tree i
  [ -n "$pid" ] || return 0
  tree=$("$TOOLS/benchtool" tree "$pid" 2>/dev/null || true)
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    alive "$pid" || break
    sleep 0.1
  done
  # shellcheck disable=SC2086 # one PID:STARTTIME a word
  [ -z "$tree" ] || "$TOOLS/benchtool" signal KILL $tree
  wait "$pid" 2>/dev/null || true
  PID[$name]=
}
