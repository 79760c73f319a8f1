#!/bin/sh
# stop-with-signal.sh — runs a consumer example as a service is run: on a
# fresh SQLite file, until it says it waits for more work; then sends it
# SIGTERM (or the signal named by $STOP_SIGNAL) and checks that it stopped
# on it, cleanly.
#
# Usage: stop-with-signal.sh PROGRAM [ARGS...]    (the DSN is appended)
#
# SPDX-License-Identifier: MIT

dir=$(mktemp -d) || exit 99
trap 'rm -rf "$dir"' EXIT

"$@" "sqlite://$dir/example.db" >"$dir/out" 2>&1 &
pid=$!

tries=0
until grep -q "waiting for more" "$dir/out"; do
  tries=$((tries + 1))
  if [ $tries -gt 600 ] || ! kill -0 $pid 2>/dev/null; then
    echo "the example never got to wait for more work:"
    cat "$dir/out"
    kill -KILL $pid 2>/dev/null
    exit 1
  fi
  sleep 0.1
done

kill -"${STOP_SIGNAL:-TERM}" $pid
wait $pid
status=$?
cat "$dir/out"

if ! grep -q "stopping on a signal" "$dir/out"; then
  echo "the example did not stop on SIG${STOP_SIGNAL:-TERM}"
  exit 1
fi
exit $status
