/* pgqrs-sqlite-schema.c — the SQLite-dialect schema: migrations and their check
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "pgqrs-backend-support-private.h"
#include "pgqrs-error.h"
#include "pgqrs-sqlite-schema-private.h"

/* The same scripts serve SQLite, sqld and the Turso engine. */
#define MIGRATIONS_PATH "/org/pgqrs/sqlite/sql"

int
_pgqrs_sql_latest_schema_version (void)
{
  return _pgqrs_migrations_latest (MIGRATIONS_PATH);
}

static int
read_schema_version (PgqrsSqlDb  *self,
                     GError     **error)
{
  PgqrsSqlStmt *stmt;
  int rc;

  if (!(stmt = _pgqrs_sql_prepare (self, SQLITE_STMT_SCHEMA_VERSION, error)))
    return -1;

  if (!(rc = _pgqrs_sql_step (self, stmt, error)))
    return -1;

  rc = _pgqrs_sql_column_int (stmt, 0);
  _pgqrs_sql_reset (stmt);

  return rc;
}

gboolean
_pgqrs_sql_migrate (PgqrsSqlDb  *self,
                    GError     **error)
{
  g_auto(GStrv) names = _pgqrs_migrations_list (MIGRATIONS_PATH);
  int current;

  /* One write transaction for the whole upgrade: a second process
   * installing at the same time waits for it, then finds nothing to do. */
  if (!_pgqrs_sql_begin (self, error))
    return FALSE;

  if (!_pgqrs_sql_exec (self,
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

      if (!_pgqrs_sql_exec (self, g_bytes_get_data (script, NULL), error) ||
          !_pgqrs_sql_exec (self, record, error))
        goto failed;
    }

  return _pgqrs_sql_commit (self, error);

failed:
  _pgqrs_sql_rollback (self);
  return FALSE;
}

gboolean
_pgqrs_sql_verify (PgqrsSqlDb  *self,
                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  int latest = _pgqrs_sql_latest_schema_version ();
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
