/* pgqrs-libsql-backend.c — PgqrsBackend on Turso/libSQL
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "pgqrs-config-private.h"
#include "pgqrs-libsql-backend-private.h"
#include "pgqrs-libsql-db-private.h"
#include "backends/sqlite/pgqrs-sqlite-backend-private.h"
#include "backends/sqlite/pgqrs-sqlite-statements-private.h"

/*
 * libSQL and Turso speak SQLite's dialect, so the store runs the SQLite
 * backend's statements, migrations and ops, on its owner thread, over the
 * libSQL remote protocol (pgqrs-hrana.c) instead of the SQLite library.
 * Where an engine needs a statement of its own, it goes in this table, with
 * the engine that needs it; none does yet — sqld 0.24 and tursodb 0.7 run
 * every statement and migration of the SQLite backend as they are.
 */
static const char * const engine_statements[SQLITE_N_STMTS] = {
  NULL,
};

const char *
_pgqrs_libsql_statement_sql (guint id)
{
  if (id < G_N_ELEMENTS (engine_statements) && engine_statements[id] != NULL)
    return engine_statements[id];
  return _pgqrs_sqlite_statement_sql (id);
}

/* A request waits at most this long for the server's answer, or the SQLite
 * busy timeout and a margin if that is longer: sqld waits for its lock
 * before it answers. */
#define MIN_REQUEST_TIMEOUT_S 30

static gpointer
libsql_open (PgqrsConfig  *config,
             GError      **error)
{
  guint timeout_s = MAX (MIN_REQUEST_TIMEOUT_S, pgqrs_config_get_busy_timeout (config) / 1000 + 5);
  PgqrsLibsqlDb *db = _pgqrs_libsql_db_open (_pgqrs_config_get_conninfo (config), timeout_s,
                                             _pgqrs_libsql_statement_sql, error);

  if (db != NULL)
    _pgqrs_libsql_db_set_busy_timeout (db, pgqrs_config_get_busy_timeout (config));

  return db;
}

static PgqrsSqlDb *
libsql_get_db (gpointer   connection,
               GError   **error)
{
  return _pgqrs_libsql_db_get (connection, error);
}

static void
libsql_close (gpointer connection)
{
  _pgqrs_libsql_db_close (connection);
}

static const PgqrsSqlTransport libsql_transport = {
  .thread_name = "pgqrs-libsql",
  .open = libsql_open,
  .get_db = libsql_get_db,
  .close = libsql_close,
  /* The server's files are not ours to watch (nor, for a local file, is
   * the engine's log SQLite's): other processes are heard by polling. */
  .watch_wal = FALSE,
};

PgqrsBackend *
_pgqrs_libsql_backend_new (PgqrsConfig *config)
{
  return _pgqrs_sqlite_backend_new_with_transport (config, &libsql_transport);
}

const PgqrsBackendModule _pgqrs_libsql_backend_module = {
  .version = PACKAGE_VERSION,
  .backend_new = _pgqrs_libsql_backend_new,
};

static void
get_url (gpointer connection,
         gpointer data)
{
  *(char **)data = connection ? g_strdup (_pgqrs_libsql_db_get_url (connection)) : NULL;
}

static void
get_engine_pid (gpointer connection,
                gpointer data)
{
  PgqrsTursoEngine *engine = connection ? _pgqrs_libsql_db_get_engine (connection) : NULL;

  *(int *)data = engine ? _pgqrs_turso_engine_get_pid (engine) : 0;
}

int
_pgqrs_libsql_backend_get_engine_pid (PgqrsBackend *backend)
{
  int pid = 0;

  _pgqrs_sqlite_backend_run_sync (backend, get_engine_pid, &pid);

  return pid;
}

char *
_pgqrs_libsql_backend_get_url (PgqrsBackend *backend)
{
  char *url = NULL;

  _pgqrs_sqlite_backend_run_sync (backend, get_url, &url);

  return url;
}
