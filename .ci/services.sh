#!/usr/bin/env bash
# Make PostgreSQL and Redis available on loopback, for CI, tests and benchmarks.
#
#   .ci/services.sh           install what is missing (Debian), start them (or reuse them), and
#                             print `export DATABASE_URL=...`, `export REDIS_URL=...` and
#                             `export VCC_TEST_IMAP_URL=...`
#   source .ci/services.sh    the same, exporting those into this shell
#   .ci/services.sh stop      stop them (the cluster's files stay, for a quick restart)
#   .ci/services.sh stop-dovecot   stop only the test IMAP server
#   .ci/services.sh status    say what runs; exit 0 only if all answer
#
# PostgreSQL is a private cluster (trust auth, 127.0.0.1 only, UTF-8) in $VCC_SERVICES_DIR/pg,
# run by the postgres OS user, with database `vcc`; the role in DATABASE_URL is a superuser
# (the tests create a test database and the pg_trgm extension). Redis runs daemonized with no
# persistence. Dovecot (IMAP, for the email capture's tests) is a private instance with its own
# config in $VCC_SERVICES_DIR/dovecot: plain IMAP on 127.0.0.1 only, one passwd-file user
# (capture@vcc.test) with a Maildir; the tests create a mailbox of their own in it. No systemd
# needed. Settings (environment):
#   VCC_SERVICES_DIR  where the cluster, sockets and logs live   (/tmp/vcc-services)
#   VCC_PG_PORT       PostgreSQL's port                          (25432)
#   VCC_PG_USER       the superuser role in DATABASE_URL         (postgres)
#   VCC_REDIS_PORT    Redis's port                               (26379)
#   VCC_IMAP_PORT     the test IMAP server's port                (21143)
# Progress goes to stderr; stdout carries only the export lines.

if (return 0 2>/dev/null); then
  # Sourced: run as a child (so that `set -euo pipefail` and the helpers stay out of the caller's
  # shell) and evaluate the export lines it prints. Only a known command is taken from "$@"
  # (a sourcing script's own arguments are inherited here).
  case "${1:-}" in
    stop | stop-dovecot | status | start) _vcc_services_cmd=$1 ;;
    *) _vcc_services_cmd=start ;;
  esac
  if _vcc_services_out=$(bash "${BASH_SOURCE[0]}" "$_vcc_services_cmd"); then
    eval "$_vcc_services_out"
    unset _vcc_services_out _vcc_services_cmd
  else
    _vcc_services_rc=$?
    unset _vcc_services_out _vcc_services_cmd
    return "$_vcc_services_rc"
  fi
  unset _vcc_services_rc
  return 0
fi

set -euo pipefail

SERVICES_DIR=$(realpath -m "${VCC_SERVICES_DIR:-/tmp/vcc-services}")
PG_PORT=${VCC_PG_PORT:-25432}
PG_USER=${VCC_PG_USER:-postgres}
REDIS_PORT=${VCC_REDIS_PORT:-26379}
PG_DATA="$SERVICES_DIR/pg"
PG_LOG="$SERVICES_DIR/pg.log"
REDIS_DIR="$SERVICES_DIR/redis"
IMAP_PORT=${VCC_IMAP_PORT:-21143}
DOVECOT_DIR="$SERVICES_DIR/dovecot"
IMAP_USER=capture@vcc.test
IMAP_PASSWORD=capture-pass

log() { echo "[services] $*" >&2; }
die() {
  echo "[services] error: $*" >&2
  exit 1
}

# The newest server installed (/usr/lib/postgresql/<major>/bin), or nothing.
pg_bin() {
  local dir
  dir=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  if [ -n "$dir" ] && [ -x "$dir/postgres" ]; then echo "$dir"; fi
}

pg_trgm_available() {
  local bin=$1 major
  major=$(basename "$(dirname "$bin")")
  [ -f "/usr/share/postgresql/$major/extension/pg_trgm.control" ]
}

install_missing() {
  local want=() bin
  bin=$(pg_bin)
  if [ -z "$bin" ]; then
    want+=(postgresql postgresql-contrib)
  elif ! pg_trgm_available "$bin"; then
    want+=(postgresql-contrib)
  fi
  command -v redis-server >/dev/null || want+=(redis-server)
  command -v redis-cli >/dev/null || want+=(redis-tools)
  command -v dovecot >/dev/null || want+=(dovecot-imapd)
  if [ ${#want[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing ${want[*]} and not root: install them first"
    log "installing ${want[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y "${want[@]}" >&2
  fi
  bin=$(pg_bin)
  [ -n "$bin" ] || die "no PostgreSQL server under /usr/lib/postgresql/*/bin"
  pg_trgm_available "$bin" || die "pg_trgm is missing (postgresql-contrib)"
}

# Run a command as the postgres OS user when we are root (PostgreSQL refuses to run as root).
as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    # From / : the postgres user may not be allowed into the current directory.
    su postgres -s /bin/bash -c "cd / && $(printf '%q ' "$@")"
  else
    "$@"
  fi
}

psql_su() {
  "$(pg_bin)/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres "$@"
}

pg_running() {
  [ -s "$PG_DATA/PG_VERSION" ] && as_postgres "$(pg_bin)/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

redis_up() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

start_postgres() {
  local bin
  bin=$(pg_bin)
  mkdir -p "$SERVICES_DIR"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "no postgres OS user (is the postgresql package installed?)"
    chown postgres "$SERVICES_DIR"
    as_postgres test -w "$SERVICES_DIR" ||
      die "the postgres user cannot write $SERVICES_DIR (choose VCC_SERVICES_DIR under /tmp)"
  fi
  if [ ! -s "$PG_DATA/PG_VERSION" ]; then
    log "initdb $PG_DATA"
    rm -rf "$PG_DATA"
    as_postgres "$bin/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
      --no-sync >/dev/null
  fi
  if pg_running; then
    log "PostgreSQL already runs from $PG_DATA"
  else
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    if ! as_postgres "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 -o \
      "-p $PG_PORT -k $SERVICES_DIR -c listen_addresses=127.0.0.1 -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off" start >/dev/null; then
      tail -n 30 "$PG_LOG" >&2 || true
      die "PostgreSQL did not start (log: $PG_LOG)"
    fi
  fi
  local ready=""
  for _ in $(seq 1 100); do
    if psql_su -Atc "select 1" >/dev/null 2>&1; then
      ready=1
      break
    fi
    sleep 0.2
  done
  [ -n "$ready" ] || die "PostgreSQL on 127.0.0.1:$PG_PORT does not answer as postgres"
  if [ "$PG_USER" != postgres ]; then
    psql_su -v role="$PG_USER" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN SUPERUSER', :'role')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN SUPERUSER', :'role') \gexec
SQL
  fi
  psql_su <<'SQL'
SELECT 'CREATE DATABASE vcc' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'vcc')
\gexec
SQL
}

start_redis() {
  if redis_up; then
    log "Redis already answers on 127.0.0.1:$REDIS_PORT"
    return
  fi
  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  mkdir -p "$REDIS_DIR"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save "" \
    --appendonly no --dir "$REDIS_DIR" --logfile "$REDIS_DIR/redis.log" \
    --pidfile "$REDIS_DIR/redis.pid"
  for _ in $(seq 1 100); do
    redis_up && return
    sleep 0.1
  done
  tail -n 30 "$REDIS_DIR/redis.log" >&2 || true
  die "Redis did not start (log: $REDIS_DIR/redis.log)"
}

imap_up() {
  python3 - "$IMAP_PORT" "$IMAP_USER" "$IMAP_PASSWORD" <<'PY' >/dev/null 2>&1
import imaplib, sys
imap = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]), timeout=5)
imap.login(sys.argv[2], sys.argv[3])
imap.logout()
PY
}

# A private dovecot: its config, state, sockets and Maildir under $DOVECOT_DIR. As root, the
# master starts as root and serves the mailbox as the `dovecot` system user; otherwise it runs
# as the calling user.
start_dovecot() {
  if imap_up; then
    log "Dovecot already answers on 127.0.0.1:$IMAP_PORT"
    return
  fi
  local mail_user uid gid
  if [ "$(id -u)" = 0 ]; then mail_user=dovecot; else mail_user=$(id -un); fi
  uid=$(id -u "$mail_user")
  gid=$(id -g "$mail_user")
  mkdir -p "$DOVECOT_DIR/run" "$DOVECOT_DIR/state" "$DOVECOT_DIR/home/capture"
  echo "$IMAP_USER:{PLAIN}$IMAP_PASSWORD:$uid:$gid::$DOVECOT_DIR/home/capture" >"$DOVECOT_DIR/passwd"
  cat >"$DOVECOT_DIR/dovecot.conf" <<CONF
base_dir = $DOVECOT_DIR/run
state_dir = $DOVECOT_DIR/state
log_path = $DOVECOT_DIR/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = $mail_user
default_internal_group = $(id -gn "$mail_user")
default_login_user = $mail_user
first_valid_uid = $uid
last_valid_uid = $uid
mail_location = maildir:~/Maildir
mail_max_userip_connections = 100
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DOVECOT_DIR/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u $DOVECOT_DIR/passwd
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
CONF
  if [ "$(id -u)" = 0 ]; then
    chown -R "$mail_user" "$DOVECOT_DIR/home" "$DOVECOT_DIR/state"
  fi
  log "starting Dovecot (IMAP) on 127.0.0.1:$IMAP_PORT"
  dovecot -c "$DOVECOT_DIR/dovecot.conf" || die "Dovecot did not start (log: $DOVECOT_DIR/dovecot.log)"
  for _ in $(seq 1 100); do
    imap_up && return
    sleep 0.1
  done
  tail -n 30 "$DOVECOT_DIR/dovecot.log" >&2 || true
  die "Dovecot does not answer on 127.0.0.1:$IMAP_PORT (log: $DOVECOT_DIR/dovecot.log)"
}

stop_dovecot() {
  if [ -f "$DOVECOT_DIR/dovecot.conf" ] && [ -f "$DOVECOT_DIR/run/master.pid" ]; then
    doveadm -c "$DOVECOT_DIR/dovecot.conf" stop >/dev/null 2>&1 || true
    log "Dovecot stopped"
  fi
}

stop_all() {
  stop_dovecot
  if [ -n "$(pg_bin)" ] && pg_running; then
    as_postgres "$(pg_bin)/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
    log "PostgreSQL stopped"
  fi
  if redis_up; then
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    for _ in $(seq 1 50); do
      redis_up || break
      sleep 0.1
    done
    log "Redis stopped"
  fi
}

status() {
  local rc=0
  if [ -n "$(pg_bin)" ] && psql_su -Atc "select 1" >/dev/null 2>&1; then
    log "PostgreSQL answers on 127.0.0.1:$PG_PORT"
  else
    log "PostgreSQL is not running on 127.0.0.1:$PG_PORT"
    rc=1
  fi
  if command -v redis-cli >/dev/null && redis_up; then
    log "Redis answers on 127.0.0.1:$REDIS_PORT"
  else
    log "Redis is not running on 127.0.0.1:$REDIS_PORT"
    rc=1
  fi
  if imap_up; then
    log "Dovecot (IMAP) answers on 127.0.0.1:$IMAP_PORT"
  else
    log "Dovecot (IMAP) is not running on 127.0.0.1:$IMAP_PORT"
    rc=1
  fi
  return "$rc"
}

case "${1:-start}" in
  start)
    install_missing
    start_postgres
    start_redis
    start_dovecot
    imap_url="imap://${IMAP_USER/@/%40}:$IMAP_PASSWORD@127.0.0.1:$IMAP_PORT/INBOX"
    database_url="postgres://$PG_USER@127.0.0.1:$PG_PORT/vcc"
    redis_url="redis://127.0.0.1:$REDIS_PORT/0"
    log "DATABASE_URL=$database_url REDIS_URL=$redis_url"
    echo "export DATABASE_URL=$database_url"
    echo "export REDIS_URL=$redis_url"
    echo "export VCC_TEST_IMAP_URL=$imap_url"
    ;;
  stop) stop_all ;;
  stop-dovecot) stop_dovecot ;;
  status) status ;;
  *)
    echo "usage: $0 [start|stop|stop-dovecot|status]" >&2
    exit 2
    ;;
esac
