/* pgqrs-libsql-backend-private.h — PgqrsBackend on Turso/libSQL
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-backend-private.h"
#include "pgqrs-backend-module-private.h"

G_BEGIN_DECLS

/* The SQLite backend's owner thread and ops on the libSQL remote protocol:
 * sqld, Turso Cloud, or the Turso engine the store runs for turso:///path. */
PgqrsBackend *_pgqrs_libsql_backend_new     (PgqrsConfig  *config);
/* What the module pgqrs-backend-libsql gives the factory. */
PGQRS_INTERNAL const PgqrsBackendModule _pgqrs_libsql_backend_module;
/* The text of statement @id (a PgqrsSqliteStmt) as the stores send it:
 * the SQLite backend's, unless an engine needs its own.  Also what
 * bench/libsql-ceiling sends, so the ceiling never drifts from it. */
const char   *_pgqrs_libsql_statement_sql   (guint         id);

/* Where the database answers (a local engine's loopback URL included), for
 * the tests; on the owner thread's behalf, so it waits for queued work. */
char         *_pgqrs_libsql_backend_get_url (PgqrsBackend *backend);
/* The process id of the Turso engine the store runs itself, or 0. */
int           _pgqrs_libsql_backend_get_engine_pid (PgqrsBackend *backend);

G_END_DECLS
