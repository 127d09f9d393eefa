#!/usr/bin/env bash
# shellcheck disable=SC2317  # <service>_up/_down/_status/_url are called indirectly
# Start/stop the real backing services the test suite runs against:
# PostgreSQL 15, Redis and Elasticsearch 8.19, all on 127.0.0.1 only.
#
#   scripts/services.sh up     [SERVICE...]   start (and install if missing), print env
#   scripts/services.sh down   [SERVICE...]   stop what this script started
#   scripts/services.sh status [SERVICE...]   up/down per service; non-zero if any is down
#   scripts/services.sh env    [SERVICE...]   print `export ...` lines for eval
#
# SERVICE is postgres, redis or elasticsearch (default: all three).
#
# A second, private Elasticsearch or Redis (tests that really stop a service use one, so
# the shared instance keeps serving other runs) is named by ES_INSTANCE / REDIS_INSTANCE
# and placed on other ports; it keeps its data, logs, pid and marker in
# .services/elasticsearch-NAME/ (redis-NAME/) and runs the same unpacked distribution:
#
#   ES_INSTANCE=outage ELASTICSEARCH_PORT=59210 ELASTICSEARCH_TRANSPORT_PORT=59310 \
#     scripts/services.sh up elasticsearch        # ... and `down elasticsearch` to stop it
#   REDIS_INSTANCE=outage REDIS_PORT=56380 scripts/services.sh up redis
# Progress goes to stderr, so `eval "$(scripts/services.sh env)"` stays clean.
# Everything (data, logs, pids, downloads) lives in $ROOT/.services/ (git-ignored).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$SCRIPT_DIR")
SVC_DIR="$ROOT/.services"

POSTGRES_PORT=${POSTGRES_PORT:-55432}
REDIS_PORT=${REDIS_PORT:-56379}
ELASTICSEARCH_PORT=${ELASTICSEARCH_PORT:-59200}
ELASTICSEARCH_TRANSPORT_PORT=${ELASTICSEARCH_TRANSPORT_PORT:-59300}

PG_VERSION=${PG_VERSION:-15}
PG_DIR="$SVC_DIR/postgres"
PG_DATA="$PG_DIR/data"
PG_LOG="$PG_DIR/postgres.log"
PG_DB=comity
PG_USER=comity
PG_PASSWORD=comity

# [a-z0-9-] names only: they become directory, cluster and node names.
ES_INSTANCE=${ES_INSTANCE:-}
REDIS_INSTANCE=${REDIS_INSTANCE:-}
for instance in "$ES_INSTANCE" "$REDIS_INSTANCE"; do
  [[ -z $instance || $instance =~ ^[a-z0-9][a-z0-9-]{0,40}$ ]] ||
    { printf '[services] ERROR: instance name %q: use a-z, 0-9 and -\n' "$instance" >&2; exit 2; }
done

REDIS_DIR="$SVC_DIR/redis${REDIS_INSTANCE:+-$REDIS_INSTANCE}"
REDIS_PIDFILE="$REDIS_DIR/redis.pid"

# The integ-test-zip is the only ES server distribution published on Maven
# Central. It carries just server + transport-netty4 + apm + x-pack-core +
# x-pack-security modules (no analysis-common, painless, reindex, ...).
ES_VERSION=${ES_VERSION:-8.19.21}
ES_USER=comity-es
# The distribution is unpacked once, under the default instance's directory; a named
# instance runs it with its own directory and config dir (ES_PATH_CONF).
ES_DIST_DIR="$SVC_DIR/elasticsearch"
ES_HOME="$ES_DIST_DIR/elasticsearch-$ES_VERSION"
ES_DIR="$SVC_DIR/elasticsearch${ES_INSTANCE:+-$ES_INSTANCE}"
if [[ -n $ES_INSTANCE ]]; then
  ES_CONF="$ES_DIR/config"
  ES_CLUSTER="comity-test-$ES_INSTANCE"
else
  ES_CONF="$ES_HOME/config"
  ES_CLUSTER="comity-test"
fi
ES_DATA="$ES_DIR/data"
ES_LOGS="$ES_DIR/logs"
ES_TMP="$ES_DIR/tmp"
ES_PIDFILE="$ES_DIR/elasticsearch.pid"
ES_HEAP=${ES_HEAP:-512m}
ES_START_TIMEOUT=${ES_START_TIMEOUT:-120}
DOWNLOADS="$SVC_DIR/downloads"
MVN_DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.6.1

ALL_SERVICES=(postgres redis elasticsearch)

# ---------------------------------------------------------------- helpers

log() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

# True if something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# True if pid $1 is alive and its command line contains $2 (guards against
# signalling an unrelated process that reused a stale pid).
pid_matches() {
  local pid=$1 pattern=$2
  [[ -n $pid && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$pattern"
}

# Poll "$@" every 0.5 s until it succeeds or $1 seconds pass.
wait_for() {
  local timeout=$1; shift
  local deadline=$(( $(date +%s) + timeout ))
  until "$@"; do
    (( $(date +%s) < deadline )) || return 1
    sleep 0.5
  done
}

# The started-by-us marker of service $1 (in a named instance's own directory).
marker() {
  case $1 in
    elasticsearch) echo "$ES_DIR/started-by-us" ;;
    redis) echo "$REDIS_DIR/started-by-us" ;;
    *) echo "$SVC_DIR/$1/started-by-us" ;;
  esac
}

# `down` for a service without our marker: never stop someone else's instance.
not_ours() {
  if "$2"; then
    log "$1: running but not started by this script; leaving it alone"
  else
    log "$1: not running"
  fi
}

APT_UPDATED=
apt_install() {
  log "installing missing packages: $*"
  export DEBIAN_FRONTEND=noninteractive
  if [[ -z $APT_UPDATED ]]; then
    apt-get update -qq >&2
    APT_UPDATED=1
  fi
  apt-get install -y -qq --no-install-recommends "$@" >&2
}

# Packages every `up` needs (tests drive a real browser too).
ensure_common_tools() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v curl >/dev/null || missing+=(curl)
  command -v runuser >/dev/null || missing+=(util-linux)
  (( ${#missing[@]} == 0 )) || apt_install "${missing[@]}"
}

# Fail early with a readable message if a service user can't reach our files
# (e.g. checkout under a 0700 home directory).
check_user_access() {
  local user=$1 path=$2
  runuser -u "$user" -- test -r "$path" -a -x "$path" ||
    die "user '$user' cannot access $path - a parent directory of $ROOT is not traversable by others (try: chmod o+x on each parent, or move the checkout)"
}

# ---------------------------------------------------------------- postgres

# Sets PG_BIN (once): PostgreSQL $PG_VERSION, else the newest installed.
resolve_pg_bin() {
  [[ -n ${PG_BIN:-} ]] && return
  local candidates=(/usr/lib/postgresql/*/bin/initdb)
  if [[ -x /usr/lib/postgresql/$PG_VERSION/bin/initdb ]]; then
    PG_BIN=/usr/lib/postgresql/$PG_VERSION/bin
  elif [[ $1 == install ]]; then
    apt_install postgresql
    resolve_pg_bin noinstall
    return
  elif [[ -x ${candidates[0]} ]]; then
    PG_BIN=$(dirname "$(printf '%s\n' "${candidates[@]}" | sort -V | tail -n1)")
    log "WARNING: PostgreSQL $PG_VERSION not found, using $PG_BIN"
  elif [[ $1 == quiet ]]; then
    return 1
  else
    die "postgres: PostgreSQL is not installed (run: $0 up postgres)"
  fi
}

# Unix sockets are limited to ~107 bytes; a deep checkout path could exceed it.
pg_socket_dir() {
  local dir="$PG_DIR/run"
  if (( ${#dir} + 20 > 100 )); then
    dir="/tmp/comity-pg-$POSTGRES_PORT"
  fi
  echo "$dir"
}

pg_healthy() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$POSTGRES_PORT" -t 2; }

# Run a command as the postgres system user from a directory it can read
# (avoids "could not change directory" noise).
as_postgres() { (cd "$PG_DIR" && runuser -u postgres -- "$@"); }

pg_superuser_sql() {
  as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$(pg_socket_dir)" \
    -p "$POSTGRES_PORT" -U postgres -d postgres -tA "$@"
}

pg_ensure_role_and_db() {
  if [[ $(pg_superuser_sql -c "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'") != 1 ]]; then
    pg_superuser_sql -c "CREATE ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD'"
  else
    # Keep the password/attributes right even if someone changed them.
    pg_superuser_sql -c "ALTER ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD'"
  fi
  if [[ $(pg_superuser_sql -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'") != 1 ]]; then
    pg_superuser_sql -c "CREATE DATABASE $PG_DB OWNER $PG_USER"
  fi
}

# Regenerated on every start so port/socket overrides and edits here apply.
pg_write_config() {
  cat >"$PG_DATA/comity-test.conf" <<EOF
# Written by scripts/services.sh on every start - edit the script, not this.
listen_addresses = '127.0.0.1'
port = $POSTGRES_PORT
unix_socket_directories = '$(pg_socket_dir)'
max_connections = 100
shared_buffers = 128MB
# Throwaway test cluster: durability buys nothing here and costs a lot of
# time in test setup/teardown, so skip fsyncs and full-page writes.
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  chown postgres:postgres "$PG_DATA/comity-test.conf"
}

pg_init_cluster() {
  log "postgres: initdb in $PG_DATA"
  as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --no-locale \
    --auth-local=peer --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 ||
    { cat "$PG_DIR/initdb.log" >&2; die "postgres: initdb failed"; }
  echo "include_if_exists = 'comity-test.conf'" >>"$PG_DATA/postgresql.conf"
}

postgres_up() {
  resolve_pg_bin install

  if pg_healthy; then
    if [[ -f $PG_DATA/postmaster.pid ]]; then
      log "postgres: already running on 127.0.0.1:$POSTGRES_PORT"
      pg_ensure_role_and_db
    else
      log "postgres: something not managed here already listens on 127.0.0.1:$POSTGRES_PORT; leaving it alone"
    fi
    return
  fi
  port_open "$POSTGRES_PORT" && die "postgres: port $POSTGRES_PORT is taken by something that is not PostgreSQL"

  local t0; t0=$(now)
  mkdir -p "$PG_DIR" "$(pg_socket_dir)"
  chown postgres:postgres "$PG_DIR" "$(pg_socket_dir)"
  check_user_access postgres "$PG_DIR"
  [[ -f $PG_DATA/PG_VERSION ]] || pg_init_cluster
  pg_write_config
  touch "$PG_LOG" && chown postgres:postgres "$PG_LOG"

  log "postgres: starting on 127.0.0.1:$POSTGRES_PORT"
  # Retry a few times: right after a crash (kill -9) the old backends may still
  # hold the data dir for a moment ("lock file postmaster.pid already exists").
  local attempt
  for attempt in 1 2 3 4; do
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >/dev/null 2>&1 9>&- && break
    if (( attempt == 4 )); then
      tail -n 30 "$PG_LOG" >&2
      die "postgres: failed to start (log: $PG_LOG)"
    fi
    sleep 1.5
  done
  touch "$(marker postgres)"
  pg_ensure_role_and_db
  log "postgres: up in $(elapsed "$t0")"
}

postgres_down() {
  if [[ ! -f $(marker postgres) ]]; then
    not_ours postgres postgres_status
    return
  fi
  resolve_pg_bin noinstall
  # `status` exits 0 only if a postmaster really runs on our data dir (a stale
  # postmaster.pid after a crash would make `stop` fail).
  if as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    log "postgres: stopping"
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null
  fi
  rm -f "$(marker postgres)"
  log "postgres: down"
}

postgres_url() { echo "postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$POSTGRES_PORT/$PG_DB"; }
postgres_status() { resolve_pg_bin quiet && pg_healthy; }

# ---------------------------------------------------------------- redis

redis_healthy() { [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; }

redis_up() {
  command -v redis-server >/dev/null || apt_install redis-server
  # Debian's package starts its own instance on 6379; that one is not ours and
  # can keep running.
  if redis_healthy; then
    log "redis: already running on 127.0.0.1:$REDIS_PORT"
    return
  fi
  port_open "$REDIS_PORT" && die "redis: port $REDIS_PORT is taken by something that is not Redis"

  local t0; t0=$(now)
  mkdir -p "$REDIS_DIR"
  rm -f "$REDIS_PIDFILE"
  log "redis: starting on 127.0.0.1:$REDIS_PORT"
  # No persistence: tests flush it anyway, and snapshots would just cost I/O.
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
    --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_DIR/redis.log" --dir "$REDIS_DIR" \
    --save '' --appendonly no >&2 9>&-
  if ! wait_for 15 redis_healthy; then
    tail -n 30 "$REDIS_DIR/redis.log" >&2
    die "redis: failed to start (log: $REDIS_DIR/redis.log)"
  fi
  touch "$(marker redis)"
  log "redis: up in $(elapsed "$t0")"
}

redis_down() {
  if [[ ! -f $(marker redis) ]]; then
    not_ours redis redis_healthy
    return
  fi
  local pid=
  [[ -f $REDIS_PIDFILE ]] && pid=$(<"$REDIS_PIDFILE")
  if redis_healthy; then
    log "redis: stopping"
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  fi
  if pid_matches "$pid" redis-server; then
    wait_for 15 bash -c "! kill -0 $pid 2>/dev/null" || { kill -KILL "$pid" 2>/dev/null || true; }
  fi
  wait_for 5 bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$REDIS_PORT) 2>/dev/null" ||
    die "redis: still answering on port $REDIS_PORT"
  rm -f "$(marker redis)" "$REDIS_PIDFILE"
  log "redis: down"
}

redis_url() { echo "redis://127.0.0.1:$REDIS_PORT/0"; }
redis_status() { redis_healthy; }

# ---------------------------------------------------------------- elasticsearch

es_health_status() {
  curl -s --max-time 3 "http://127.0.0.1:$ELASTICSEARCH_PORT/_cluster/health" 2>/dev/null |
    sed -n 's/.*"status":"\([a-z]*\)".*/\1/p'
}
es_healthy() { [[ $(es_health_status) =~ ^(green|yellow)$ ]]; }
es_pid() { if [[ -f $ES_PIDFILE ]]; then cat "$ES_PIDFILE"; fi; }

# Prefer Java 17 (ES 8.19's baseline); fall back to whatever JDK is around.
es_java_home() {
  local candidate
  for candidate in "${ES_JAVA_HOME:-}" /usr/lib/jvm/java-17-openjdk-* /usr/lib/jvm/java-21-openjdk-* \
                   /usr/lib/jvm/temurin-*-jdk-* /usr/lib/jvm/*; do
    [[ -n $candidate && -x $candidate/bin/java ]] && { echo "$candidate"; return; }
  done
  return 1
}

es_ensure_user() {
  id -u "$ES_USER" >/dev/null 2>&1 ||
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$ES_USER"
}

es_ensure_distribution() {
  [[ -x $ES_HOME/bin/elasticsearch ]] && return
  mkdir -p "$ES_DIST_DIR"
  local zip="$DOWNLOADS/elasticsearch-$ES_VERSION.zip"
  if [[ ! -f $zip ]]; then
    command -v mvn >/dev/null || apt_install maven
    command -v unzip >/dev/null || apt_install unzip
    log "elasticsearch: fetching $ES_VERSION from Maven Central (~100 MB on first run)"
    mkdir -p "$DOWNLOADS"
    # Run from a pom-less dir; full plugin coordinates so no prefix lookup is needed.
    # Output goes to a file (Debian's mvn prints stray colour codes even with -q).
    (cd "$DOWNLOADS" && mvn -B -q -Dstyle.color=never "$MVN_DEP_PLUGIN:copy" \
      -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
      -DoutputDirectory="$DOWNLOADS") >"$DOWNLOADS/mvn.log" 2>&1 ||
      { tail -n 40 "$DOWNLOADS/mvn.log" >&2; die "elasticsearch: maven download failed"; }
  fi
  command -v unzip >/dev/null || apt_install unzip
  log "elasticsearch: unpacking $zip"
  # Unpack to a temp dir and rename, so an interrupted unzip never looks complete.
  local tmp="$ES_DIST_DIR/.unpack.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  unzip -q "$zip" -d "$tmp"
  mv "$tmp/elasticsearch-$ES_VERSION" "$ES_HOME"
  rm -rf "$tmp"
}

# Regenerated on every start so port overrides and edits here apply.
es_write_config() {
  if [[ -n $ES_INSTANCE ]]; then
    # A named instance's own config dir: the distribution's files (jvm.options,
    # log4j2.properties, ...) plus its own elasticsearch.yml and keystore.
    mkdir -p "$ES_CONF"
    local file
    for file in "$ES_HOME"/config/*; do
      case $(basename "$file") in elasticsearch.yml | elasticsearch.keystore) continue ;; esac
      [[ -e $ES_CONF/$(basename "$file") ]] || cp -a "$file" "$ES_CONF/"
    done
  fi
  cat >"$ES_CONF/elasticsearch.yml" <<EOF
# Written by scripts/services.sh on every start - edit the script, not this.
cluster.name: $ES_CLUSTER
node.name: comity-1
# single-node discovery + loopback binding: no cluster formation and the
# production bootstrap checks (e.g. vm.max_map_count) are only warnings.
discovery.type: single-node
network.host: 127.0.0.1
http.port: $ELASTICSEARCH_PORT
transport.port: $ELASTICSEARCH_TRANSPORT_PORT
path.data: $ES_DATA
path.logs: $ES_LOGS
# Plain HTTP, no auth: a local throwaway test node.
xpack.security.enabled: false
# Let tests delete indices by wildcard.
action.destructive_requires_name: false
# Don't flip indices to read-only when the dev disk is fairly full.
cluster.routing.allocation.disk.threshold_enabled: false
EOF
}

elasticsearch_up() {
  if es_healthy; then
    log "elasticsearch: already running on 127.0.0.1:$ELASTICSEARCH_PORT"
    return
  fi
  port_open "$ELASTICSEARCH_PORT" && ! pid_matches "$(es_pid)" org.elasticsearch &&
    die "elasticsearch: port $ELASTICSEARCH_PORT is taken by something else"

  local java_home
  java_home=$(es_java_home) || { apt_install openjdk-17-jre-headless; java_home=$(es_java_home) || die "elasticsearch: no Java found"; }

  local t0; t0=$(now)
  mkdir -p "$ES_DIR"
  es_ensure_user
  es_ensure_distribution

  # A process from an earlier run may still be starting; don't start a second.
  if ! pid_matches "$(es_pid)" org.elasticsearch; then
    rm -f "$ES_PIDFILE"
    mkdir -p "$ES_DATA" "$ES_LOGS" "$ES_TMP"
    es_write_config
    # ES refuses to run as root; it also writes its keystore into config/.
    chown -R "$ES_USER:" "$ES_HOME" "$ES_CONF" "$ES_DATA" "$ES_LOGS" "$ES_TMP"
    chown "$ES_USER:" "$ES_DIR"
    check_user_access "$ES_USER" "$ES_HOME/bin/elasticsearch"
    runuser -u "$ES_USER" -- test -w "$ES_DATA" || die "elasticsearch: $ES_USER cannot write $ES_DATA"

    log "elasticsearch${ES_INSTANCE:+ ($ES_INSTANCE)}: starting $ES_VERSION on 127.0.0.1:$ELASTICSEARCH_PORT (java: $java_home)"
    # cwd = logs dir: the stock jvm.options writes gc.log/hs_err files relative to it.
    # With -d the launcher returns once the node has started (or failed).
    # The launcher echoes the startup log until the node is ready; keep that
    # in a file and only show it on failure. Raise the fd limit ES warns about.
    local out="$ES_LOGS/startup.out"
    if ! (cd "$ES_LOGS" && { ulimit -n 65535 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true; } &&
          runuser -u "$ES_USER" -- env \
            ES_JAVA_HOME="$java_home" ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP" ES_TMPDIR="$ES_TMP" \
            ES_PATH_CONF="$ES_CONF" \
            "$ES_HOME/bin/elasticsearch" -d -p "$ES_PIDFILE") >"$out" 2>&1 9>&-; then
      tail -n 60 "$out" >&2
      die "elasticsearch: failed to start (startup output above; logs: $ES_LOGS)"
    fi
  fi
  touch "$(marker elasticsearch)"

  local deadline=$(( $(date +%s) + ES_START_TIMEOUT ))
  until es_healthy; do
    if (( $(date +%s) >= deadline )) || ! pid_matches "$(es_pid)" org.elasticsearch; then
      tail -n 40 "$ES_LOGS/$ES_CLUSTER.log" >&2 2>/dev/null || true
      die "elasticsearch: not healthy after ${ES_START_TIMEOUT}s or process died (logs: $ES_LOGS)"
    fi
    sleep 0.5
  done
  log "elasticsearch: up in $(elapsed "$t0")"
}

elasticsearch_down() {
  if [[ ! -f $(marker elasticsearch) ]]; then
    not_ours elasticsearch es_healthy
    return
  fi
  local pid; pid=$(es_pid)
  if pid_matches "$pid" org.elasticsearch; then
    log "elasticsearch: stopping (pid $pid)"
    kill -TERM "$pid"
    if ! wait_for 60 bash -c "! kill -0 $pid 2>/dev/null"; then
      log "elasticsearch: did not stop in 60s, killing"
      kill -KILL "$pid" 2>/dev/null || true
      wait_for 10 bash -c "! kill -0 $pid 2>/dev/null" || true
    fi
    wait_for 10 bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$ELASTICSEARCH_PORT) 2>/dev/null" ||
      die "elasticsearch: still answering on port $ELASTICSEARCH_PORT"
  fi
  rm -f "$(marker elasticsearch)" "$ES_PIDFILE"
  log "elasticsearch: down"
}

elasticsearch_url() { echo "http://127.0.0.1:$ELASTICSEARCH_PORT"; }
elasticsearch_status() { es_healthy; }

# ---------------------------------------------------------------- commands

env_var_name() {
  case $1 in
    postgres) echo DATABASE_URL ;;
    redis) echo REDIS_URL ;;
    elasticsearch) echo ELASTICSEARCH_URL ;;
  esac
}

print_env() {
  local s
  for s in "$@"; do
    echo "export $(env_var_name "$s")=$("${s}_url")"
  done
}

# Serialise up/down so parallel invocations don't race on the same service.
# Daemons are started with `9>&-` so they don't inherit (and hold) the lock.
take_lock() {
  mkdir -p "$SVC_DIR"
  exec 9>"$SVC_DIR/.lock"
  flock 9
}

usage() {
  echo "usage: $0 up|down|status|env [postgres|redis|elasticsearch ...]" >&2
  exit 2
}

main() {
  (( $# >= 1 )) || usage
  local cmd=$1; shift
  local services=("$@") s
  (( ${#services[@]} )) || services=("${ALL_SERVICES[@]}")
  for s in "${services[@]}"; do
    case $s in postgres | redis | elasticsearch) ;; *) usage ;; esac
  done

  case $cmd in
    up)
      [[ $EUID -eq 0 ]] || die "must run as root (installs packages, switches users)"
      take_lock
      ensure_common_tools
      for s in "${services[@]}"; do "${s}_up"; done
      print_env "${services[@]}"
      ;;
    down)
      [[ $EUID -eq 0 ]] || die "must run as root"
      take_lock
      # Reverse order of start-up.
      local i
      for (( i = ${#services[@]} - 1; i >= 0; i-- )); do "${services[i]}_down"; done
      ;;
    status)
      local rc=0 by
      for s in "${services[@]}"; do
        by=""
        [[ -f $(marker "$s") ]] && by=" (started by services.sh)"
        if "${s}_status"; then
          printf '%-14s up    %s%s\n' "$s" "$("${s}_url")" "$by"
        else
          printf '%-14s down  %s\n' "$s" "$("${s}_url")"
          rc=1
        fi
      done
      return "$rc"
      ;;
    env) print_env "${services[@]}" ;;
    *) usage ;;
  esac
}

main "$@"
