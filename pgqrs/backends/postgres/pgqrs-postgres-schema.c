/* pgqrs-postgres-schema.c — install and verify: the versioned migrations
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "pgqrs-backend-support-private.h"
#include "pgqrs-error.h"
#include "pgqrs-postgres-ops-private.h"

#define MIGRATIONS_PATH "/org/pgqrs/postgres/sql"

typedef struct
{
  GStrv names;
  guint next;
  int   current;
} Install;

static void
install_free (Install *install)
{
  g_strfreev (install->names);
  g_free (install);
}

static PGQRS_POSTGRES_STEP (migration_applied);

/* Runs the first migration newer than the schema, or ends the install
 * (the transaction commits) when there is none. */
static PGQRS_POSTGRES_STEP (apply_next)
{
  Install *install = call->data;

  while (install->names[install->next] != NULL)
    {
      const char *name = install->names[install->next++];
      g_autofree char *path = NULL;
      g_autofree char *sql = NULL;
      g_autoptr(GBytes) script = NULL;

      if (_pgqrs_migration_version (name) <= install->current)
        continue;

      path = g_strconcat (MIGRATIONS_PATH "/", name, NULL);
      script = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
      g_assert (script != NULL);

      sql = _pgqrs_postgres_qualify (g_bytes_get_data (script, NULL), call->env->schema);
      _pgqrs_postgres_call_script (call, sql, migration_applied);
      install->current = _pgqrs_migration_version (name);
      return TRUE;
    }

  return TRUE;
}

static PGQRS_POSTGRES_STEP (migration_recorded)
{
  return apply_next (call, NULL, error);
}

static PGQRS_POSTGRES_STEP (migration_applied)
{
  Install *install = call->data;

  _pgqrs_postgres_call_query (call, PG_STMT_SCHEMA_VERSION_RECORD, migration_recorded,
                              PG_INT (install->current), PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (version_read)
{
  Install *install = call->data;

  install->current = _pgqrs_postgres_int (result, 0, 0);
  return apply_next (call, NULL, error);
}

static PGQRS_POSTGRES_STEP (bootstrapped)
{
  _pgqrs_postgres_call_query (call, PG_STMT_SCHEMA_VERSION, version_read, PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (locked)
{
  _pgqrs_postgres_call_script (call, call->env->sql[PG_STMT_INSTALL_BOOTSTRAP], bootstrapped);
  return TRUE;
}

/* The whole upgrade is one transaction behind an advisory lock on the
 * schema: a second process installing at the same time waits, then finds
 * the version current and nothing to do; a failed migration leaves
 * nothing behind. */
PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_install)
{
  Install *install = g_new0 (Install, 1);

  install->names = _pgqrs_migrations_list (MIGRATIONS_PATH);
  call->data = install;
  call->data_free = (GDestroyNotify)install_free;

  _pgqrs_postgres_call_begin (call);
  _pgqrs_postgres_call_query (call, PG_STMT_INSTALL_LOCK, locked,
                              PG_TEXT (call->env->schema), PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (verified)
{
  int current = _pgqrs_postgres_int (result, 0, 0);
  int latest = _pgqrs_migrations_latest (MIGRATIONS_PATH);

  if (current != latest)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_SCHEMA_MISSING,
                   _("The pgqrs tables in schema “%s” of %s are at version %d; this library "
                     "needs %d. Run pgqrs_store_install()"),
                   call->env->schema, call->env->dsn, current, latest);
      return FALSE;
    }

  return TRUE;
}

static void
verify_failed (PgqrsPostgresCall  *call,
               const char         *sqlstate,
               GError            **error)
{
  if ((*error)->code == PGQRS_ERROR_SCHEMA_MISSING)
    {
      g_clear_error (error);
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_SCHEMA_MISSING,
                   _("The pgqrs tables are not installed in schema “%s” of %s: "
                     "%s.pgqrs_schema_version is missing; run pgqrs_store_install()"),
                   call->env->schema, call->env->dsn, call->env->schema);
    }
}

PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_verify)
{
  _pgqrs_postgres_call_query (call, PG_STMT_SCHEMA_VERSION, verified, PG_END);
  _pgqrs_postgres_call_catch (call, verify_failed);
  return TRUE;
}
