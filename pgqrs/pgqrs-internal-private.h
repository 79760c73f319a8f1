/* pgqrs-internal-private.h — the internals the backend modules call
 *
 * The PostgreSQL and libSQL backends are modules that libpgqrs loads when a
 * DSN asks for them (pgqrs-backends.c), so that a program that uses only
 * SQLite never maps libpq or libsoup.  A module is linked against libpgqrs
 * and calls the library's internals directly, as the code did when it was
 * in the library: the request/reply contract, the backend support, the
 * SQLite backend's pieces the libSQL transport reuses.  Those declarations
 * are marked PGQRS_INTERNAL, which exports them from the shared library
 * (everything else is hidden).  They all carry the _pgqrs_ prefix, stay
 * out of the public headers and the GIR, and tests/check-exports.sh
 * allows exactly that prefix besides the API's pgqrs_.  A table of
 * function pointers handed to the modules would export nothing, but would
 * have to mirror some forty functions by hand, and every call in the
 * backends would read differently from the SQLite backend's.
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#define PGQRS_INTERNAL __attribute__ ((visibility ("default"))) extern
