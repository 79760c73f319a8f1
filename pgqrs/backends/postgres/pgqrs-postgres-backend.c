/* pgqrs-postgres-backend.c — PgqrsBackend on PostgreSQL, with nonblocking libpq
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pgqrs-config-private.h"
#include "pgqrs-error.h"
#include "pgqrs-postgres-backend-private.h"
#include "pgqrs-postgres-call-private.h"
#include "pgqrs-postgres-connection-private.h"
#include "pgqrs-postgres-listener-private.h"
#include "pgqrs-postgres-ops-private.h"

/*
 * Nothing here blocks: every request runs on connections from a pool, on
 * the thread-default main context of its caller, with the sockets watched
 * by sources there (see pgqrs-postgres-call.c).  The schema option is
 * applied by qualifying every table name in the SQL, once, here; no
 * session state is set, so a transaction-mode pooler can serve it.
 *
 * The `prepared-statements` option says whether the server connections are
 * the backend's own.  When they are (the default) each statement is
 * prepared once per connection, and a dedicated connection LISTENs for
 * wakeups.  Behind PgBouncer in transaction mode they are not: statements
 * go unnamed (Debian 12's PgBouncer 1.18 cannot carry named ones) and
 * consumers poll.
 */

#define MAX_CHANNEL_BYTES 63   /* NAMEDATALEN - 1 */

struct _PgqrsPostgresBackend
{
  GObject                   parent_instance;

  PgqrsConfig              *config;
  PgqrsPostgresConnectInfo *info;
  PgqrsPostgresEnv          env;
  char                     *dsn;
  char                     *schema;
  char                     *channel;
  gboolean                  listen;

  PgqrsWatchList           *watchers;
  GMutex                    watch_mutex;   /* guards the listener */
  PgqrsPostgresListener    *listener;
};

static void pgqrs_postgres_backend_iface_init (PgqrsBackendInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PgqrsPostgresBackend, pgqrs_postgres_backend, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PGQRS_TYPE_BACKEND,
                                                      pgqrs_postgres_backend_iface_init))

char *
_pgqrs_postgres_channel_for_schema (const char *schema)
{
  g_autofree char *channel = g_strconcat ("pgqrs_", schema, NULL);

  /* A channel is an identifier: longer ones are refused, so a long
   * schema name is hashed. */
  if (strlen (channel) > MAX_CHANNEL_BYTES)
    {
      g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA1, schema, -1);

      g_free (channel);
      channel = g_strconcat ("pgqrs_", digest, NULL);
    }

  return g_steal_pointer (&channel);
}

static void
wake (gpointer owner,
      gint64   queue_id)
{
  _pgqrs_watch_list_notify (PGQRS_POSTGRES_BACKEND (owner)->watchers, queue_id);
}

/* In the listener's thread. */
static void
notified (gint64   queue_id,
          gpointer user_data)
{
  _pgqrs_watch_list_notify (PGQRS_POSTGRES_BACKEND (user_data)->watchers, queue_id);
}

static guint
pgqrs_postgres_backend_watch (PgqrsBackend    *backend,
                              GMainContext    *context,
                              PgqrsWakeupFunc  func,
                              gpointer         user_data,
                              GDestroyNotify   destroy)
{
  PgqrsPostgresBackend *self = PGQRS_POSTGRES_BACKEND (backend);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->watch_mutex);

  /* Through a transaction-mode pooler a LISTEN would stay on whichever
   * server connection ran it: consumers poll instead. */
  if (self->listen && self->info != NULL && self->listener == NULL)
    self->listener = _pgqrs_postgres_listener_new (self->info, self->channel, notified, self);

  return _pgqrs_watch_list_add (self->watchers, context, func, user_data, destroy);
}

static void
pgqrs_postgres_backend_unwatch (PgqrsBackend *backend,
                                guint         watch_id)
{
  PgqrsPostgresBackend *self = PGQRS_POSTGRES_BACKEND (backend);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->watch_mutex);

  if (_pgqrs_watch_list_remove (self->watchers, watch_id) &&
      _pgqrs_watch_list_is_empty (self->watchers))
    g_clear_pointer (&self->listener, _pgqrs_postgres_listener_free);
}

static void
pgqrs_postgres_backend_dispose (GObject *object)
{
  PgqrsPostgresBackend *self = (PgqrsPostgresBackend *)object;

  /* Joined while the object is still whole: the thread notifies its
   * watchers. */
  g_mutex_lock (&self->watch_mutex);
  g_clear_pointer (&self->listener, _pgqrs_postgres_listener_free);
  g_mutex_unlock (&self->watch_mutex);

  G_OBJECT_CLASS (pgqrs_postgres_backend_parent_class)->dispose (object);
}

static void
pgqrs_postgres_backend_finalize (GObject *object)
{
  PgqrsPostgresBackend *self = (PgqrsPostgresBackend *)object;

  g_clear_pointer (&self->env.pool, _pgqrs_postgres_pool_free);
  for (guint i = 0; i < PG_N_STMTS; i++)
    {
      g_free (self->env.sql[i]);
      g_free (self->env.names[i]);
    }
  g_clear_pointer (&self->env.lease_forms, _pgqrs_postgres_lease_forms_free);
  g_clear_pointer (&self->info, _pgqrs_postgres_connect_info_unref);
  g_clear_object (&self->config);
  g_free (self->dsn);
  g_free (self->schema);
  g_free (self->channel);
  _pgqrs_watch_list_free (self->watchers);
  g_mutex_clear (&self->watch_mutex);

  G_OBJECT_CLASS (pgqrs_postgres_backend_parent_class)->finalize (object);
}

static void
pgqrs_postgres_backend_class_init (PgqrsPostgresBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pgqrs_postgres_backend_dispose;
  object_class->finalize = pgqrs_postgres_backend_finalize;
}

static void
pgqrs_postgres_backend_init (PgqrsPostgresBackend *self)
{
  self->watchers = _pgqrs_watch_list_new ();
  g_mutex_init (&self->watch_mutex);
}

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PgqrsPostgresBackend *self = g_task_get_source_object (task);
  GError *error = NULL;
  PgqrsPostgresConnection *conn = _pgqrs_postgres_pool_acquire_finish (self->env.pool, result, &error);

  if (conn == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* Connected: the DSN and the credentials work.  The connection stays in
   * the pool for the first request. */
  _pgqrs_postgres_pool_release (self->env.pool, conn);
  g_task_return_boolean (task, TRUE);
}

static void
pgqrs_postgres_backend_open_async (PgqrsBackend        *backend,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  PgqrsPostgresBackend *self = PGQRS_POSTGRES_BACKEND (backend);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, pgqrs_postgres_backend_open_async);

  if (self->env.pool != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (!(self->info = _pgqrs_postgres_connect_info_new (_pgqrs_config_get_conninfo (self->config),
                                                       self->dsn,
                                                       _pgqrs_config_get_call_bound (self->config),
                                                       &error)))
    {
      g_task_return_error (task, error);
      return;
    }

  self->env.pool = _pgqrs_postgres_pool_new (self->info,
                                             pgqrs_config_get_max_connections (self->config));
  _pgqrs_postgres_pool_acquire_async (self->env.pool, cancellable, opened_cb,
                                      g_steal_pointer (&task));
}

static gboolean
pgqrs_postgres_backend_open_finish (PgqrsBackend  *backend,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, backend), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
pgqrs_postgres_backend_execute_async (PgqrsBackend        *backend,
                                      PgqrsRequest        *request,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  PgqrsPostgresBackend *self = PGQRS_POSTGRES_BACKEND (backend);

  if (self->env.pool == NULL)
    {
      g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

      _pgqrs_request_free (request);
      g_task_set_source_tag (task, pgqrs_postgres_backend_execute_async);
      g_task_return_new_error (task, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                               _("The PostgreSQL backend for %s is not connected"), self->dsn);
      return;
    }

  _pgqrs_postgres_call_run (&self->env, self, request, _pgqrs_postgres_op_start (request->op),
                            cancellable, callback, user_data);
}

/* A blocking call: on an idle connection, the call waits for each query
 * in the calling thread, with poll(), and spares itself the tasks, sources
 * and main context iterations of the async path, a quarter of a drain
 * loop's client CPU (client_cpu_s of pgqrs-bench --scenario drain
 * --consumers 2 --batch 10 --messages 20000: 0.68 s before, 0.50 after).
 * Opening a connection, or waiting for one, goes through the async path,
 * on a main context of the caller's own. */
static PgqrsReply *
pgqrs_postgres_backend_execute_sync (PgqrsBackend  *backend,
                                     PgqrsRequest  *request,
                                     GCancellable  *cancellable,
                                     GError       **error)
{
  PgqrsPostgresBackend *self = PGQRS_POSTGRES_BACKEND (backend);
  PgqrsPostgresConnection *conn;

  if (self->env.pool == NULL || g_cancellable_is_cancelled (cancellable) ||
      !(conn = _pgqrs_postgres_pool_try_acquire (self->env.pool)))
    return _pgqrs_backend_execute_waiting (backend, request, cancellable, error);

  return _pgqrs_postgres_call_run_sync (&self->env, self, conn, request,
                                        _pgqrs_postgres_op_start (request->op),
                                        cancellable, error);
}

static PgqrsReply *
pgqrs_postgres_backend_execute_finish (PgqrsBackend  *backend,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, backend), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
pgqrs_postgres_backend_iface_init (PgqrsBackendInterface *iface)
{
  iface->open_async = pgqrs_postgres_backend_open_async;
  iface->open_finish = pgqrs_postgres_backend_open_finish;
  iface->execute_async = pgqrs_postgres_backend_execute_async;
  iface->execute_finish = pgqrs_postgres_backend_execute_finish;
  iface->execute_sync = pgqrs_postgres_backend_execute_sync;
  iface->watch = pgqrs_postgres_backend_watch;
  iface->unwatch = pgqrs_postgres_backend_unwatch;
}

PgqrsBackend *
_pgqrs_postgres_backend_new (PgqrsConfig *config)
{
  PgqrsPostgresBackend *self = g_object_new (PGQRS_TYPE_POSTGRES_BACKEND, NULL);
  gboolean prepared = pgqrs_config_get_prepared_statements (config);

  self->config = g_object_ref (config);
  self->dsn = g_strdup (pgqrs_config_get_dsn (config));
  self->schema = g_strdup (pgqrs_config_get_schema (config));
  self->channel = _pgqrs_postgres_channel_for_schema (self->schema);
  self->listen = prepared;

  self->env.dsn = self->dsn;
  self->env.schema = self->schema;
  self->env.channel = self->channel;
  self->env.wake = wake;

  for (guint i = 0; i < PG_N_STMTS; i++)
    {
      self->env.sql[i] = _pgqrs_postgres_qualify (_pgqrs_postgres_statement_sql (i), self->schema);
      if (prepared && _pgqrs_postgres_statement_n_params (i) >= 0)
        self->env.names[i] = g_strdup_printf ("pgqrs_%u", i);
    }
  if (prepared)
    self->env.lease_forms = _pgqrs_postgres_lease_forms_new (self->env.sql[PG_STMT_MESSAGE_LEASE]);

  return PGQRS_BACKEND (self);
}

const PgqrsBackendModule _pgqrs_postgres_backend_module = {
  .version = PACKAGE_VERSION,
  .backend_new = _pgqrs_postgres_backend_new,
  .add_dsn_secrets = _pgqrs_postgres_add_dsn_secrets,
};
