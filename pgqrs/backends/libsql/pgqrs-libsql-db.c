/* pgqrs-libsql-db.c — a store's connection to a Turso/libSQL database
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <unistd.h>

#include "pgqrs-error.h"
#include "pgqrs-libsql-db-private.h"
#include "pgqrs-libsql-dsn-private.h"
#include "pgqrs-turso-engine-private.h"

struct _PgqrsLibsqlDb
{
  PgqrsLibsqlTarget  target;
  guint              timeout_s;
  guint              busy_timeout_ms;
  const char      *(*statement_sql) (guint id);
  PgqrsTursoEngine  *engine;      /* turso:///path only */
  guint              generation;  /* of the engine the client talks to */
  int                lock_fd;     /* the engine's connection lock, this store's own */
  PgqrsHrana        *client;
};

static char *
locate_engine (gpointer   data,
               gboolean   refused,
               GError   **error)
{
  PgqrsLibsqlDb *self = data;

  if (!_pgqrs_turso_engine_locate (self->engine, refused, error))
    return NULL;

  return _pgqrs_turso_engine_get_url (self->engine, &self->generation);
}

static gboolean
connect_client (PgqrsLibsqlDb  *self,
                GError        **error)
{
  g_autofree char *url = self->engine ? _pgqrs_turso_engine_get_url (self->engine, &self->generation)
                                      : g_strdup (self->target.url);

  g_clear_pointer (&self->client, _pgqrs_hrana_free);
  self->client = _pgqrs_hrana_new (url, self->target.token, self->timeout_s);
  _pgqrs_hrana_set_busy_timeout (self->client, self->busy_timeout_ms);
  if (self->engine != NULL)
    {
      _pgqrs_hrana_set_connection_lock (self->client, self->lock_fd);
      _pgqrs_hrana_set_locator (self->client, locate_engine, self);
    }
  if (self->statement_sql != NULL)
    _pgqrs_hrana_set_statements (self->client, self->statement_sql);
  if (!_pgqrs_hrana_connect (self->client, error))
    {
      g_clear_pointer (&self->client, _pgqrs_hrana_free);
      return FALSE;
    }

  if (self->engine != NULL)
    {
      /* The engine's one connection is ours alone: the foreign keys the
       * schema relies on are set on it once (sqld has them on). */
      if (!_pgqrs_sql_exec (_pgqrs_hrana_get_db (self->client), "PRAGMA foreign_keys = ON", error))
        {
          g_clear_pointer (&self->client, _pgqrs_hrana_free);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
start_engine (PgqrsLibsqlDb  *self,
              GError        **error)
{
  const char *lock_path;

  if (!(self->engine = _pgqrs_turso_engine_start (self->target.local_path, error)))
    return FALSE;

  lock_path = _pgqrs_turso_engine_get_lock_path (self->engine);
  if ((self->lock_fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                   _("Cannot open %s: %s"), lock_path, g_strerror (errno));
      return FALSE;
    }

  return connect_client (self, error);
}

PgqrsLibsqlDb *
_pgqrs_libsql_db_open (const char    *dsn,
                       guint          timeout_s,
                       const char *(*statement_sql) (guint id),
                       GError       **error)
{
  PgqrsLibsqlDb *self = g_new0 (PgqrsLibsqlDb, 1);

  self->timeout_s = timeout_s;
  self->statement_sql = statement_sql;
  self->lock_fd = -1;

  if (!_pgqrs_libsql_dsn_parse (dsn, &self->target, error) ||
      !(self->target.local_path ? start_engine (self, error) : connect_client (self, error)))
    {
      _pgqrs_libsql_db_close (self);
      return NULL;
    }

  return self;
}

void
_pgqrs_libsql_db_close (PgqrsLibsqlDb *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->client, _pgqrs_hrana_free);
  g_clear_pointer (&self->engine, _pgqrs_turso_engine_stop);
  if (self->lock_fd >= 0)
    close (self->lock_fd);
  _pgqrs_libsql_target_clear (&self->target);
  g_free (self);
}

void
_pgqrs_libsql_db_set_busy_timeout (PgqrsLibsqlDb *self,
                                   guint          busy_timeout_ms)
{
  self->busy_timeout_ms = busy_timeout_ms;
  if (self->client != NULL)
    _pgqrs_hrana_set_busy_timeout (self->client, busy_timeout_ms);
}

PgqrsSqlDb *
_pgqrs_libsql_db_get (PgqrsLibsqlDb  *self,
                      GError        **error)
{
  if (self->engine != NULL)
    {
      /* another store of this process may have started it again already */
      if (!_pgqrs_turso_engine_ensure (self->engine, error))
        return NULL;
      if (_pgqrs_turso_engine_get_generation (self->engine) != self->generation)
        g_clear_pointer (&self->client, _pgqrs_hrana_free);
    }

  if (self->client == NULL && !connect_client (self, error))
    return NULL;

  return _pgqrs_hrana_get_db (self->client);
}

const char *
_pgqrs_libsql_db_get_url (PgqrsLibsqlDb *self)
{
  return self->client ? _pgqrs_hrana_get_location (self->client) : self->target.url;
}

gboolean
_pgqrs_libsql_db_is_local (PgqrsLibsqlDb *self)
{
  return self->engine != NULL;
}

PgqrsTursoEngine *
_pgqrs_libsql_db_get_engine (PgqrsLibsqlDb *self)
{
  return self->engine;
}
