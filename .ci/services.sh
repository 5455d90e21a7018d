#!/usr/bin/env bash
# Make PostgreSQL and Redis available on loopback for tests and benchmarks.
#   .ci/services.sh          install if missing, start both, print the export lines
#   .ci/services.sh stop     stop both
#   source .ci/services.sh   the same, exporting DATABASE_URL and REDIS_URL into the shell
# A private PostgreSQL cluster and a Redis without persistence, under $VCC_SERVICES_DIR.
set -euo pipefail

VCC_SERVICES_DIR=${VCC_SERVICES_DIR:-/tmp/vcc-services}
PG_PORT=${VCC_PG_PORT:-55432}
REDIS_PORT=${VCC_REDIS_PORT:-56379}
PG_DATA="$VCC_SERVICES_DIR/pg"

log() { echo "[services] $*" >&2; }

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && echo "$dir"
}

install_missing() {
  local want=()
  [ -n "$(pg_bin)" ] || want+=(postgresql)
  [ -n "$(ls /usr/share/postgresql/*/extension/pg_trgm.control 2>/dev/null)" ] || want+=(postgresql-contrib)
  command -v redis-server >/dev/null || want+=(redis-server)
  if [ ${#want[@]} -gt 0 ]; then
    log "installing ${want[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${want[@]}" >/dev/null
  fi
}

run_as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

start_postgres() {
  local bin
  bin=$(pg_bin)
  if [ ! -s "$PG_DATA/PG_VERSION" ]; then
    mkdir -p "$PG_DATA"
    [ "$(id -u)" = 0 ] && chown -R postgres "$VCC_SERVICES_DIR"
    run_as_postgres "$bin/initdb -D '$PG_DATA' -A trust -U postgres --no-sync >/dev/null"
  fi
  if ! run_as_postgres "$bin/pg_ctl -D '$PG_DATA' status >/dev/null 2>&1"; then
    run_as_postgres "$bin/pg_ctl -D '$PG_DATA' -w -l '$VCC_SERVICES_DIR/pg.log' \
      -o \"-p $PG_PORT -k '$VCC_SERVICES_DIR' -c listen_addresses=127.0.0.1 -c fsync=off \
      -c synchronous_commit=off -c full_page_writes=off\" start >/dev/null"
  fi
  for _ in $(seq 1 50); do
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -Atc "select 1" >/dev/null 2>&1 && break
    sleep 0.2
  done
  if ! psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -Atc \
      "select 1 from pg_database where datname = 'vcc'" | grep -q 1; then
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "create database vcc" >/dev/null
  fi
}

start_redis() {
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    mkdir -p "$VCC_SERVICES_DIR"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save "" \
      --appendonly no --dir "$VCC_SERVICES_DIR" --logfile "$VCC_SERVICES_DIR/redis.log" \
      --pidfile "$VCC_SERVICES_DIR/redis.pid"
  fi
  for _ in $(seq 1 50); do
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
}

stop_all() {
  local bin
  bin=$(pg_bin || true)
  if [ -n "$bin" ] && [ -s "$PG_DATA/PG_VERSION" ]; then
    run_as_postgres "$bin/pg_ctl -D '$PG_DATA' -m fast stop >/dev/null 2>&1" || true
  fi
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
}

if [ "${1:-start}" = "stop" ]; then
  stop_all
  log "stopped"
else
  install_missing
  start_postgres
  start_redis
  export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/vcc"
  export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
  log "PostgreSQL at $DATABASE_URL, Redis at $REDIS_URL"
  echo "export DATABASE_URL=$DATABASE_URL"
  echo "export REDIS_URL=$REDIS_URL"
fi
