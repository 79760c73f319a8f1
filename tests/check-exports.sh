#!/bin/sh
# The shared library exports the public API, pgqrs_*, and the internals the
# backend modules call, _pgqrs_* (marked PGQRS_INTERNAL, see
# pgqrs/pgqrs-internal-private.h), and nothing else: no backend's type, no
# helper of another name.
set -eu
lib="$1"

exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" || $2 == "D" || $2 == "B" { print $3 }')
count=$(printf '%s\n' "$exported" | grep -c . || true)
bad=$(printf '%s\n' "$exported" | grep -v '^_\?pgqrs_' || true)
private=$(printf '%s\n' "$exported" | grep -E '^pgqrs_(sqlite|postgres|libsql)_|^pgqrs_backend_get_type$' || true)

echo "1..2"
if [ -z "$bad" ] && [ "$count" -gt 100 ]; then
  echo "ok 1 - $count exported symbols, all pgqrs_* or _pgqrs_*"
else
  echo "not ok 1 - exported symbols outside the API (of $count):"
  printf '%s\n' "$bad" | sed 's/^/# /'
fi
if [ -z "$private" ]; then
  echo "ok 2 - no backend or interface internals exported"
else
  echo "not ok 2 - internals exported:"
  printf '%s\n' "$private" | sed 's/^/# /'
fi
