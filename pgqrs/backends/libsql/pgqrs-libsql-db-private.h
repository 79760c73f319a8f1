/* pgqrs-libsql-db-private.h — a store's connection to a Turso/libSQL database
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-hrana-private.h"
#include "pgqrs-turso-engine-private.h"

G_BEGIN_DECLS

/* The libSQL client of one store, and for turso:///path the Turso engine it
 * runs: opened, used and closed on the store's owner thread. */
typedef struct _PgqrsLibsqlDb PgqrsLibsqlDb;

/* @dsn as pgqrs_config passes it on (pgqrs's own options taken out);
 * @timeout_s bounds each request; @statement_sql names the statements
 * (NULL: none).  Errors: INVALID_CONFIG, BACKEND_UNAVAILABLE (no Turso
 * engine for a local file), CONNECTION. */
PgqrsLibsqlDb *_pgqrs_libsql_db_open     (const char     *dsn,
                                          guint           timeout_s,
                                          const char   *(*statement_sql) (guint id),
                                          GError        **error);
void           _pgqrs_libsql_db_close    (PgqrsLibsqlDb  *self);
/* How long a request refused for the write lock is tried again. */
void           _pgqrs_libsql_db_set_busy_timeout (PgqrsLibsqlDb *self,
                                                  guint          busy_timeout_ms);

/* The connection to run statements on.  For a local file whose engine
 * has died since the last call, it starts the engine again first (the
 * file keeps everything committed). */
PgqrsSqlDb    *_pgqrs_libsql_db_get      (PgqrsLibsqlDb  *self,
                                          GError        **error);
/* Where the server is, for errors and for the tests (never the token). */
const char    *_pgqrs_libsql_db_get_url  (PgqrsLibsqlDb  *self);
/* Whether the store runs the Turso engine itself (turso:///path). */
gboolean       _pgqrs_libsql_db_is_local (PgqrsLibsqlDb  *self);
/* The engine of a local file, or NULL. */
PgqrsTursoEngine *_pgqrs_libsql_db_get_engine (PgqrsLibsqlDb *self);

G_END_DECLS
