#!/bin/sh
# bench/run.sh — run every pgqrs benchmark and write the report.
#
#   bench/run.sh [--quick] [--no-build] [--out DIR] [--only LIST]
#                [--baseline-bench PROGRAM]
#
#   --quick     seconds, tiny sizes, SQLite and PostgreSQL only (no peers, no
#               npm); exits non-zero if any scenario fails or prints
#               malformed JSON.  `meson test --suite bench` runs this.
#   --no-build  use the programs named by $PGQRS_BENCH and
#               $PGQRS_SQLITE_CEILING (set by meson test; the ceilings
#               default to those beside $PGQRS_BENCH), or those of
#               the benchmark build directory ($PGQRS_BENCH_BUILD,
#               default /tmp/pgqrs-bench-build) if unset
#   --out DIR   where results go (default: bench/results of the source tree)
#   --only LIST run only these backends (comma-separated: postgres, sqlite,
#               sqld, turso; libsql means sqld,turso), e.g. --only libsql
#   --baseline-bench PROGRAM
#               the pgqrs-bench of an earlier build (e.g. a release build
#               of the commit before a change): the workflow scenarios
#               alternate with it, and the report gives new / baseline
#
# Without --no-build it configures and builds its own build directory
# (meson setup $PGQRS_BENCH_BUILD -Dbench=true -Dbuildtype=release).  It
# starts a throwaway PostgreSQL cluster (bench/pg-cluster.sh; as root the
# server runs as the `postgres` user), runs every scenario on PostgreSQL and
# SQLite, the ceilings (pgbench with the library's own lease and archive
# statements, bench/sqlite-ceiling) and the peers (pg-boss and
# graphile-worker from bench/peers, installed with `npm ci` if missing), then
# writes results.json, REPORT.md and the SVG charts to the output directory.
# The cluster is removed on exit.  Without PostgreSQL server binaries the
# PostgreSQL part is skipped (and the report says so).  Turso/libSQL: it
# starts sqld on loopback, and runs turso:///path stores (the library starts
# tursodb itself), both found in .engines/ (scripts/install-engines), by
# $PGQRS_SQLD / $PGQRS_TURSODB, or on PATH; the ceiling is
# bench/libsql-ceiling ($PGQRS_LIBSQL_CEILING).  A missing engine is skipped
# (and the report says so).
#
# SPDX-License-Identifier: MIT
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
cmdline="bench/run.sh"
[ $# -gt 0 ] && cmdline="$cmdline $*"

quick=0
only=""
baseline=""
build=1
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --no-build) build=0 ;;
    --out) shift; out=${1:?--out needs a directory} ;;
    --out=*) out=${1#--out=} ;;
    --only) shift; only=${1:?--only needs a list of backends} ;;
    --only=*) only=${1#--only=} ;;
    --baseline-bench) shift; baseline=${1:?--baseline-bench needs a program} ;;
    --baseline-bench=*) baseline=${1#--baseline-bench=} ;;
    -h|--help) sed -n '2,36p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$out" ] || out="$src/bench/results"

PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1; then PYTHON=$p; break; fi
  done
fi
[ -n "$PYTHON" ] || { echo "run.sh: python3 is needed to drive the benchmark" >&2; exit 1; }

builddir=${PGQRS_BENCH_BUILD:-/tmp/pgqrs-bench-build}
if [ "$build" = 1 ]; then
  if [ ! -f "$builddir/build.ninja" ]; then
    meson setup "$builddir" "$src" -Dbench=true -Dbuildtype=release \
      -Dintrospection=disabled -Dvapi=false -Ddocumentation=false -Dexamples=false -Dtests=false
  fi
  meson compile -C "$builddir" pgqrs-bench sqlite-ceiling resident-floor
  PGQRS_BENCH="$builddir/bench/pgqrs-bench"
  PGQRS_SQLITE_CEILING="$builddir/bench/sqlite-ceiling"
  # built only with libsoup-3 (the Turso/libSQL backend)
  if grep -q '^build bench/libsql-ceiling:' "$builddir/build.ninja"; then
    meson compile -C "$builddir" libsql-ceiling
    PGQRS_LIBSQL_CEILING="$builddir/bench/libsql-ceiling"
  fi
  # the backend modules the library loads for PostgreSQL and libSQL DSNs
  for module in postgres libsql; do
    if grep -q "^build pgqrs/backends/pgqrs-backend-$module.so:" "$builddir/build.ninja"; then
      meson compile -C "$builddir" "pgqrs-backend-$module"
    fi
  done
else
  # the ceilings of the same build as pgqrs-bench: a build without libsoup
  # has no libsql-ceiling, and its libSQL part is skipped
  PGQRS_BENCH=${PGQRS_BENCH:-$builddir/bench/pgqrs-bench}
  benchdir=$(dirname "$PGQRS_BENCH")
  PGQRS_SQLITE_CEILING=${PGQRS_SQLITE_CEILING:-$benchdir/sqlite-ceiling}
  [ -n "${PGQRS_LIBSQL_CEILING:-}" ] || [ ! -x "$benchdir/libsql-ceiling" ] ||
    PGQRS_LIBSQL_CEILING="$benchdir/libsql-ceiling"
fi
# pgqrs-bench loads the backend modules of its own build tree.
PGQRS_BACKEND_DIR=${PGQRS_BACKEND_DIR:-$(dirname "$(dirname "$PGQRS_BENCH")")/pgqrs/backends}
export PGQRS_BACKEND_DIR
for prog in "$PGQRS_BENCH" "$PGQRS_SQLITE_CEILING"; do
  [ -x "$prog" ] || { echo "run.sh: $prog is not built (drop --no-build, or set PGQRS_BENCH / PGQRS_SQLITE_CEILING)" >&2; exit 1; }
done

set -- --bench "$PGQRS_BENCH" --ceiling "$PGQRS_SQLITE_CEILING" --out "$out" --src "$src" --cmdline "$cmdline"
[ "$quick" = 1 ] && set -- "$@" --quick
[ -n "${PGQRS_LIBSQL_CEILING:-}" ] && set -- "$@" --libsql-ceiling "$PGQRS_LIBSQL_CEILING"
[ -n "$only" ] && set -- "$@" --only "$only"
if [ -n "$baseline" ]; then
  [ -x "$baseline" ] || { echo "run.sh: --baseline-bench $baseline is not a program" >&2; exit 1; }
  set -- "$@" --baseline-bench "$baseline"
fi
exec "$PYTHON" "$here/driver.py" "$@"
