#!/bin/bash
# The bash completion of `pgqrs` (TAP), against the tool of the build tree:
#
#   pgqrs-test-env --backend sqlite -- test-completion.sh COMPLETION-FILE PGQRS
set -u

completion="$1"
PATH="$(dirname "$2"):$PATH"
export PGQRS_DSN="$PGQRS_TEST_DSN"
pgqrs install >/dev/null && pgqrs queue create alpha >/dev/null && pgqrs queue create beta >/dev/null

# shellcheck source=/dev/null
source "$completion"

number=0
complete_line()
{
    local -a COMPREPLY=()
    read -ra COMP_WORDS <<<"$1"
    [[ $1 == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    _pgqrs
    printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

check()
{
    local got
    got=$(complete_line "$1")
    number=$((number + 1))
    if [[ $got == "$2" ]]; then
        echo "ok $number - “$1” completes to “$2”"
    else
        echo "not ok $number - “$1” completes to “$got”, not “$2”"
    fi
}

echo "1..14"
check "pgqrs " "archive consume delete install messages queue release replay run send status verify worker"
check "pgqrs --json q" "queue"
check "pgqrs queue " "create delete list metrics purge"
check "pgqrs run " "cancel list resume show steps wait"
check "pgqrs queue purge " "alpha beta"
check "pgqrs queue create " ""
check "pgqrs send a" "alpha"
check "pgqrs --dsn $PGQRS_DSN worker list --queue b" "beta"
check "pgqrs queue delete --c" "--cascade"
check "pgqrs delete " "alpha beta"
check "pgqrs messages alpha --l" "--leased --limit"
check "pgqrs consume alpha --dr" "--drain"
check "pgqrs consume alpha " "--"
check "pgqrs consume alpha -- pgqr" "pgqrs"
