#!/bin/sh
# pg-cluster.sh — a throwaway PostgreSQL cluster for the benchmarks.
#
#   bench/pg-cluster.sh start DIR     initdb in DIR, start on a free port,
#                                     print "PORT" on stdout
#   bench/pg-cluster.sh stop DIR      stop it and remove DIR
#
# PostgreSQL refuses to run as root: when root, the cluster runs as the
# `postgres` user.  Durability is PostgreSQL's default (fsync on,
# synchronous_commit on, full_page_writes on); the settings changed from the
# defaults are listed below and recorded by the report.
#
# SPDX-License-Identifier: MIT
set -eu

PGBIN=${PGBIN:-}
if [ -z "$PGBIN" ]; then
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && PGBIN=$d
  done
fi
if [ -z "$PGBIN" ] && command -v pg_config >/dev/null 2>&1; then
  PGBIN=$(pg_config --bindir)
fi
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "pg-cluster.sh: no PostgreSQL server binaries found (set PGBIN)" >&2
  exit 77
fi

as_pg () {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port () {
  py=$(command -v python3 || echo /usr/bin/python3)
  "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

cmd=${1:?usage: pg-cluster.sh start|stop DIR}
dir=${2:?usage: pg-cluster.sh start|stop DIR}

case "$cmd" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2; exit 1; }
    port=$(free_port)
    cat >>"$dir/data/postgresql.conf" <<CONF
# pgqrs benchmark cluster
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 512MB
work_mem = 16MB
maintenance_work_mem = 256MB
max_wal_size = 4GB
checkpoint_timeout = 30min
log_min_messages = warning
CONF
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null || {
      cat "$dir/server.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    echo "$port"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg-cluster.sh start|stop DIR" >&2
    exit 2
    ;;
esac
