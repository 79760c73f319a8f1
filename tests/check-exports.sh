#!/bin/sh
# The shared library exports the public API and nothing else: every
# exported function is pgqrs_*, none is a private _pgqrs_* helper or a
# backend's type.
set -eu
lib="$1"

exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" || $2 == "D" || $2 == "B" { print $3 }')
count=$(printf '%s\n' "$exported" | grep -c . || true)
bad=$(printf '%s\n' "$exported" | grep -v '^pgqrs_' || true)
private=$(printf '%s\n' "$exported" | grep -E '^pgqrs_(sqlite|postgres)_|^pgqrs_backend_get_type$' || true)

echo "1..2"
if [ -z "$bad" ] && [ "$count" -gt 100 ]; then
  echo "ok 1 - $count exported symbols, all pgqrs_*"
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
