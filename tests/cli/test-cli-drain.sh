#!/bin/sh
# The `pgqrs` tool as a durable worker, end to end (TAP):
#
#   pgqrs-test-env --backend NAME -- test-cli-drain.sh PATH-TO-PGQRS
#
# A shell script creates a queue, sends 1,000 jobs and drains them with
# `pgqrs consume`, four commands at a time; every job must have been handled
# exactly once, and every message archived.
set -eu

pgqrs="$1"
export PGQRS_DSN="$PGQRS_TEST_DSN"
jobs=1000
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "1..3"

"$pgqrs" install >/dev/null
"$pgqrs" queue create drain >/dev/null
seq 1 $jobs | sed 's/.*/{"job": &}/' | "$pgqrs" send drain > "$work/sent"
if [ "$(wc -l < "$work/sent")" -eq $jobs ]; then
  echo "ok 1 - sent $jobs jobs ($PGQRS_TEST_BACKEND)"
else
  echo "not ok 1 - sent $(wc -l < "$work/sent") jobs, not $jobs ($PGQRS_TEST_BACKEND)"
fi

# Each command appends the message's id and its payload's job number: one
# short write with O_APPEND, so lines of concurrent commands never mix.
cat > "$work/handle" <<SCRIPT
#!/bin/sh
read -r payload
echo "\$PGQRS_MESSAGE_ID \$payload" >> "$work/handled"
SCRIPT
chmod +x "$work/handle"

"$pgqrs" consume drain --drain --concurrency 4 -- "$work/handle"

handled=$(wc -l < "$work/handled")
unique_ids=$(cut -d' ' -f1 "$work/handled" | sort -u | wc -l)
unique_jobs=$(sed 's/.*"job":\([0-9]*\)}$/\1/' "$work/handled" | sort -un | wc -l)
if [ "$handled" -eq $jobs ] && [ "$unique_ids" -eq $jobs ] && [ "$unique_jobs" -eq $jobs ] &&
   [ "$(cut -d' ' -f1 "$work/handled" | sort -n)" = "$(sort -n "$work/sent")" ]; then
  echo "ok 2 - each of the $jobs jobs handled exactly once ($PGQRS_TEST_BACKEND)"
else
  echo "not ok 2 - $handled runs, $unique_ids messages, $unique_jobs jobs ($PGQRS_TEST_BACKEND)"
fi

metrics=$("$pgqrs" --json queue metrics drain | tr -d ' \n')
case "$metrics" in
  *'"total":1000,"pending":0,"delayed":0,"leased":0,"archived":1000,"dead_lettered":0'*)
    echo "ok 3 - every message archived ($PGQRS_TEST_BACKEND)" ;;
  *)
    echo "not ok 3 - metrics after the drain: $metrics ($PGQRS_TEST_BACKEND)" ;;
esac
