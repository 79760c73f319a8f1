/* pgqrs-sqlite-connection.c — one SQLite handle, its statements and migrations
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "pgqrs-backend-support-private.h"
#include "pgqrs-config-private.h"
#include "pgqrs-error.h"
#include "pgqrs-sqlite-connection-private.h"

#define MIGRATIONS_PATH "/org/pgqrs/sqlite/sql"

struct _PgqrsSqliteConnection
{
  sqlite3      *db;
  sqlite3_stmt *stmts[SQLITE_N_STMTS];
  char         *location;      /* for error messages */
  const char   *operation;     /* what a failed statement was for, or NULL */
};

void
_pgqrs_sqlite_connection_set_error (PgqrsSqliteConnection  *self,
                                    int                     rc,
                                    const char             *what,
                                    GError                **error)
{
  const char *message = self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);
  int extended = self->db ? sqlite3_extended_errcode (self->db) : rc;
  int code;

  switch (rc & 0xff)
    {
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_FULL:
      code = PGQRS_ERROR_CONNECTION;
      break;
    case SQLITE_CONSTRAINT:
      code = PGQRS_ERROR_CONFLICT;
      break;
    case SQLITE_ERROR:
      code = g_str_has_prefix (message, "no such table") ? PGQRS_ERROR_SCHEMA_MISSING
                                                          : PGQRS_ERROR_DATABASE;
      break;
    default:
      code = PGQRS_ERROR_DATABASE;
    }

  if (code == PGQRS_ERROR_SCHEMA_MISSING)
    g_set_error (error, PGQRS_ERROR, code,
                 _("Cannot %s in %s: %s; run pgqrs_store_install() first"),
                 what, self->location, message);
  else
    g_set_error (error, PGQRS_ERROR, code,
                 _("Cannot %s in %s: %s (SQLite error %d)"),
                 what, self->location, message, extended);
}

/* Runs in the owner thread, which may wait. Switching a new file to WAL
 * takes a lock for which SQLite does not always call the busy handler (it
 * would risk a deadlock between two connections upgrading at once), so
 * processes opening one fresh file together can get SQLITE_BUSY here:
 * retry it for as long as the busy timeout allows. */
static gboolean
exec_pragma (PgqrsSqliteConnection  *self,
             const char             *sql,
             guint                   busy_timeout_ms,
             GError                **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)busy_timeout_ms * 1000;
  int rc;

  while ((rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL)) != SQLITE_OK &&
         ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) &&
         g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);

  if (rc != SQLITE_OK)
    {
      _pgqrs_sqlite_connection_set_error (self, rc, _("configure the database"), error);
      return FALSE;
    }

  return TRUE;
}

PgqrsSqliteConnection *
_pgqrs_sqlite_connection_open (PgqrsConfig  *config,
                               GError      **error)
{
  PgqrsSqliteConnection *self = g_new0 (PgqrsSqliteConnection, 1);
  gboolean in_memory = _pgqrs_config_get_sqlite_in_memory (config);
  const char *path = in_memory ? ":memory:" : _pgqrs_config_get_sqlite_path (config);
  g_autofree char *pragmas = NULL;
  int rc;

  self->location = in_memory ? g_strdup (_("the in-memory database"))
                             : g_strdup_printf ("“%s”", path);

  /* NOMUTEX: the handle is only ever used by its owner thread. */
  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                        SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                   _("Cannot open the SQLite database %s: %s"),
                   self->location, self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      _pgqrs_sqlite_connection_close (self);
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, TRUE);
  sqlite3_busy_timeout (self->db, pgqrs_config_get_busy_timeout (config));

  /* WAL lets readers in other processes go on while one writes;
   * synchronous=NORMAL is durable in WAL mode up to the last checkpointed
   * transaction on power loss, and crash-safe for the process. */
  pragmas = g_strdup_printf ("PRAGMA foreign_keys = ON;"
                             "%s"
                             "PRAGMA synchronous = NORMAL;",
                             in_memory ? "" : "PRAGMA journal_mode = WAL;");
  if (!exec_pragma (self, pragmas, pgqrs_config_get_busy_timeout (config), error))
    {
      _pgqrs_sqlite_connection_close (self);
      return NULL;
    }

  return self;
}

void
_pgqrs_sqlite_connection_close (PgqrsSqliteConnection *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; i < SQLITE_N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);

  g_clear_pointer (&self->db, sqlite3_close);
  g_free (self->location);
  g_free (self);
}

sqlite3_stmt *
_pgqrs_sqlite_connection_prepare (PgqrsSqliteConnection  *self,
                                  PgqrsSqliteStmt         stmt,
                                  GError                **error)
{
  if (self->stmts[stmt] == NULL)
    {
      int rc = sqlite3_prepare_v3 (self->db, _pgqrs_sqlite_statement_sql (stmt), -1,
                                   SQLITE_PREPARE_PERSISTENT, &self->stmts[stmt], NULL);

      if (rc != SQLITE_OK)
        {
          _pgqrs_sqlite_connection_set_error (self, rc, _("prepare a statement"), error);
          return NULL;
        }
    }
  else
    {
      sqlite3_reset (self->stmts[stmt]);
      sqlite3_clear_bindings (self->stmts[stmt]);
    }

  return self->stmts[stmt];
}

gboolean
_pgqrs_sqlite_connection_exec (PgqrsSqliteConnection  *self,
                               const char             *sql,
                               GError                **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      _pgqrs_sqlite_connection_set_error (self, rc, _("run SQL"), error);
      return FALSE;
    }

  return TRUE;
}

gboolean
_pgqrs_sqlite_connection_begin (PgqrsSqliteConnection  *self,
                                GError                **error)
{
  int rc = sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      _pgqrs_sqlite_connection_set_error (self, rc, _("begin a transaction"), error);
      return FALSE;
    }

  return TRUE;
}

gboolean
_pgqrs_sqlite_connection_commit (PgqrsSqliteConnection  *self,
                                 GError                **error)
{
  int rc = sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      _pgqrs_sqlite_connection_set_error (self, rc, _("commit a transaction"), error);
      _pgqrs_sqlite_connection_rollback (self);
      return FALSE;
    }

  return TRUE;
}

void
_pgqrs_sqlite_connection_rollback (PgqrsSqliteConnection *self)
{
  /* Statements left mid-step would keep the transaction's locks. */
  for (guint i = 0; i < SQLITE_N_STMTS; i++)
    if (self->stmts[i] != NULL)
      sqlite3_reset (self->stmts[i]);

  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

int
_pgqrs_sqlite_connection_step (PgqrsSqliteConnection  *self,
                               sqlite3_stmt           *stmt,
                               GError                **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return rc;

  _pgqrs_sqlite_connection_set_error (self, rc,
                                      self->operation ? self->operation : _("run a statement"),
                                      error);
  sqlite3_reset (stmt);

  return 0;
}

int
_pgqrs_sqlite_connection_changes (PgqrsSqliteConnection *self)
{
  return sqlite3_changes (self->db);
}

/* Names what the statements that follow are for, in their errors ("Cannot
 * enqueue in …"); NULL for a plain "run a statement". */
void
_pgqrs_sqlite_connection_set_operation (PgqrsSqliteConnection *self,
                                        const char            *operation)
{
  self->operation = operation;
}

/* The extended result code of the last failed call, such as
 * SQLITE_CONSTRAINT_FOREIGNKEY. */
int
_pgqrs_sqlite_connection_errcode (PgqrsSqliteConnection *self)
{
  return sqlite3_extended_errcode (self->db);
}

int
_pgqrs_sqlite_latest_schema_version (void)
{
  return _pgqrs_migrations_latest (MIGRATIONS_PATH);
}

static int
read_schema_version (PgqrsSqliteConnection  *self,
                     GError                **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = _pgqrs_sqlite_connection_prepare (self, SQLITE_STMT_SCHEMA_VERSION, error)))
    return -1;

  if (!(rc = _pgqrs_sqlite_connection_step (self, stmt, error)))
    return -1;

  rc = sqlite3_column_int (stmt, 0);
  sqlite3_reset (stmt);

  return rc;
}

gboolean
_pgqrs_sqlite_connection_migrate (PgqrsSqliteConnection  *self,
                                  GError                **error)
{
  g_auto(GStrv) names = _pgqrs_migrations_list (MIGRATIONS_PATH);
  int current;

  /* One write transaction for the whole upgrade: a second process
   * installing at the same time waits for it, then finds nothing to do. */
  if (!_pgqrs_sqlite_connection_begin (self, error))
    return FALSE;

  if (!_pgqrs_sqlite_connection_exec (self,
                                      "CREATE TABLE IF NOT EXISTS pgqrs_schema_version ("
                                      "  version INTEGER PRIMARY KEY,"
                                      "  applied_at TEXT NOT NULL"
                                      "    DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))",
                                      error) ||
      (current = read_schema_version (self, error)) < 0)
    goto failed;

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_strconcat (MIGRATIONS_PATH "/", names[i], NULL);
      g_autofree char *record = NULL;
      g_autoptr(GBytes) script = NULL;
      int version = _pgqrs_migration_version (names[i]);

      if (version <= current)
        continue;

      script = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
      g_assert (script != NULL);

      record = g_strdup_printf ("INSERT INTO pgqrs_schema_version (version) VALUES (%d)", version);

      if (!_pgqrs_sqlite_connection_exec (self, g_bytes_get_data (script, NULL), error) ||
          !_pgqrs_sqlite_connection_exec (self, record, error))
        goto failed;
    }

  return _pgqrs_sqlite_connection_commit (self, error);

failed:
  _pgqrs_sqlite_connection_rollback (self);
  return FALSE;
}

gboolean
_pgqrs_sqlite_connection_verify (PgqrsSqliteConnection  *self,
                                 GError                **error)
{
  g_autoptr(GError) local_error = NULL;
  int latest = _pgqrs_sqlite_latest_schema_version ();
  int current = read_schema_version (self, &local_error);

  if (current < 0)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_SCHEMA_MISSING,
                   _("The pgqrs tables are not installed in %s; run pgqrs_store_install()"),
                   self->location);
      return FALSE;
    }

  if (current != latest)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_SCHEMA_MISSING,
                   _("The pgqrs tables in %s are at version %d; this library needs %d. "
                     "Run pgqrs_store_install()"),
                   self->location, current, latest);
      return FALSE;
    }

  return TRUE;
}
