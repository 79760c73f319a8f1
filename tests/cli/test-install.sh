#!/bin/sh
# `meson install` puts the tool, its manual page and its bash completion in
# place, and `man pgqrs` works (TAP):
#
#   test-install.sh BUILD-DIR
set -u

build="$1"
destdir=$(mktemp -d)
trap 'rm -rf "$destdir"' EXIT

echo "1..4"

if meson install -C "$build" --no-rebuild --quiet --destdir "$destdir" >"$destdir.log" 2>&1; then
  echo "ok 1 - meson install"
else
  echo "not ok 1 - meson install failed:"
  sed 's/^/# /' "$destdir.log"
fi
rm -f "$destdir.log"

program=$(find "$destdir" -path '*/bin/pgqrs' -type f | head -n 1)
library_dir=$(dirname "$(find "$destdir" -name 'libpgqrs-1.so*' | head -n 1)")
page=$(find "$destdir" -path '*/man1/pgqrs.1' -type f | head -n 1)
completion=$(find "$destdir" -path '*/bash-completion/completions/pgqrs' -type f | head -n 1)

if [ -n "$program" ] && LD_LIBRARY_PATH="$library_dir" "$program" --version | grep -q '^pgqrs '; then
  echo "ok 2 - the installed pgqrs runs"
else
  echo "not ok 2 - no runnable bin/pgqrs under $destdir"
fi

if [ -n "$page" ] && MANWIDTH=80 man -l "$page" 2>&1 | grep -q '^EXIT STATUS' &&
   MANWIDTH=80 man -l "$page" 2>&1 | grep -q 'pgqrs consume emails --concurrency 4'; then
  echo "ok 3 - man -l shows the installed pgqrs(1)"
else
  echo "not ok 3 - no readable man1/pgqrs.1 under $destdir"
fi

if [ -n "$completion" ] &&
   bash -c '. "$1" && complete -p pgqrs' _ "$completion" | grep -q -- '-F _pgqrs pgqrs'; then
  echo "ok 4 - the bash completion is installed"
else
  echo "not ok 4 - no bash-completion/completions/pgqrs under $destdir"
fi
