/* pgqrs-store.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pgqrs-config-private.h"
#include "pgqrs-error-private.h"
#include "pgqrs-rate-limiter-private.h"
#include "pgqrs-backends-private.h"
#include "pgqrs-store-private.h"
#include "pgqrs-validation-private.h"

/**
 * PgqrsStore:
 *
 * A connection to one pgqrs database, and its administration.
 *
 * A store is made from a DSN ([ctor@Store.new], [func@Store.new_async])
 * or from a [class@Config] ([ctor@Store.new_for_config]). The DSN picks the
 * backend: SQLite (`sqlite:///path.db`, `sqlite::memory:`), PostgreSQL
 * (`postgresql://…`) or Turso.
 *
 * [method@Store.install] creates or upgrades the pgqrs tables; it is
 * idempotent, so applications call it at start-up. The store then creates,
 * finds, lists, purges and deletes [class@Queue]s, reads their
 * [class@QueueMetrics], lists archived and dead-lettered messages and
 * replays them.
 *
 * Every operation exists as a blocking call and as an `_async`/`_finish`
 * pair whose callback runs in the thread-default main context of the caller.
 * Async calls never block the caller's main loop: SQLite work runs on a
 * thread that owns the database handle, PostgreSQL work on nonblocking
 * connections watched by the main loop.
 *
 * A store may be used from several threads at once.
 *
 * Since: 1.0
 */

struct _PgqrsStore
{
  GObject           parent_instance;

  char             *dsn;
  PgqrsConfig      *config;
  PgqrsBackend     *backend;
  PgqrsRateLimiter *rate_limiter;

  GMutex            init_mutex;
  gboolean          initialized;
  GError           *init_error;

  /* requests sent, per operation: what a workflow step costs is a
   * property the tests check (_pgqrs_store_get_op_count) */
  gint              op_counts[PGQRS_N_OPS];
};

static void pgqrs_store_initable_iface_init       (GInitableIface      *iface);
static void pgqrs_store_async_initable_iface_init (GAsyncInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PgqrsStore, pgqrs_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      pgqrs_store_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE,
                                                      pgqrs_store_async_initable_iface_init))

enum {
  PROP_0,
  PROP_CONFIG,
  PROP_DSN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pgqrs_store_finalize (GObject *object)
{
  PgqrsStore *self = (PgqrsStore *)object;

  g_clear_object (&self->backend);
  g_clear_object (&self->config);
  g_clear_pointer (&self->dsn, g_free);
  g_clear_pointer (&self->rate_limiter, _pgqrs_rate_limiter_free);
  g_clear_error (&self->init_error);
  g_mutex_clear (&self->init_mutex);

  G_OBJECT_CLASS (pgqrs_store_parent_class)->finalize (object);
}

static void
pgqrs_store_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PgqrsStore *self = PGQRS_STORE (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;
    case PROP_DSN:
      g_value_set_string (value, self->config ? pgqrs_config_get_dsn (self->config) : NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pgqrs_store_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  PgqrsStore *self = PGQRS_STORE (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      /* A copy, so that later changes to the caller's object cannot change
       * a live store's behaviour behind its back. */
      if (g_value_get_object (value) != NULL)
        self->config = pgqrs_config_copy (g_value_get_object (value));
      break;
    case PROP_DSN:
      self->dsn = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pgqrs_store_class_init (PgqrsStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  _pgqrs_ensure_i18n ();

  object_class->finalize = pgqrs_store_finalize;
  object_class->get_property = pgqrs_store_get_property;
  object_class->set_property = pgqrs_store_set_property;

  /**
   * PgqrsStore:config:
   *
   * The store's settings: a copy of the configuration it was made with, or
   * the one parsed from [property@Store:dsn].
   *
   * Since: 1.0
   */
  properties[PROP_CONFIG] =
    g_param_spec_object ("config", NULL, NULL, PGQRS_TYPE_CONFIG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PgqrsStore:dsn:
   *
   * The DSN to connect to, when no [property@Store:config] is given. Read
   * back, it never shows a password.
   *
   * Since: 1.0
   */
  properties[PROP_DSN] =
    g_param_spec_string ("dsn", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pgqrs_store_init (PgqrsStore *self)
{
  g_mutex_init (&self->init_mutex);
}

/* The part of initialization that needs no I/O: the configuration, its
 * validation and the backend object. */
static gboolean
prepare_backend (PgqrsStore  *self,
                 GError     **error)
{
  if (self->config == NULL)
    {
      if (self->dsn == NULL)
        {
          g_set_error_literal (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                               _("A store needs a DSN or a configuration"));
          return FALSE;
        }

      if (!(self->config = pgqrs_config_new_from_dsn (self->dsn, error)))
        return FALSE;
    }

  /* Only the redacted form is kept once the configuration holds the DSN. */
  g_clear_pointer (&self->dsn, g_free);

  if (!_pgqrs_config_validate (self->config, error))
    return FALSE;

  if (!(self->backend = _pgqrs_backend_new_for_config (self->config, error)))
    return FALSE;

  self->rate_limiter =
    _pgqrs_rate_limiter_new (pgqrs_config_get_enqueue_rate_limit (self->config),
                             pgqrs_config_get_enqueue_burst (self->config));

  return TRUE;
}

/* Backends may complete their tasks without a source object, so callbacks
 * find the backend through the store, never through @object. */
static void
open_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PgqrsStore *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!_pgqrs_backend_open_finish (self->backend, result, &error))
    {
      g_mutex_lock (&self->init_mutex);
      self->init_error = g_error_copy (error);
      g_mutex_unlock (&self->init_mutex);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
pgqrs_store_init_async (GAsyncInitable      *initable,
                        int                  io_priority,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  PgqrsStore *self = PGQRS_STORE (initable);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  gboolean already;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pgqrs_store_init_async);
  g_task_set_priority (task, io_priority);

  g_mutex_lock (&self->init_mutex);
  already = self->initialized;
  self->initialized = TRUE;
  if (already && self->init_error)
    error = g_error_copy (self->init_error);
  g_mutex_unlock (&self->init_mutex);

  if (already)
    {
      if (error)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_boolean (task, TRUE);
      return;
    }

  if (!prepare_backend (self, &error))
    {
      g_mutex_lock (&self->init_mutex);
      self->init_error = g_error_copy (error);
      g_mutex_unlock (&self->init_mutex);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  _pgqrs_backend_open_async (self->backend, cancellable, open_cb, g_steal_pointer (&task));
}

static gboolean
pgqrs_store_init_finish (GAsyncInitable  *initable,
                         GAsyncResult    *result,
                         GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, initable), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
pgqrs_store_async_initable_iface_init (GAsyncInitableIface *iface)
{
  iface->init_async = pgqrs_store_init_async;
  iface->init_finish = pgqrs_store_init_finish;
}

static gboolean
pgqrs_store_initable_init (GInitable     *initable,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;
  PgqrsSyncWait wait = { FALSE, NULL };
  gboolean ret;

  g_main_context_push_thread_default (context);
  pgqrs_store_init_async (G_ASYNC_INITABLE (initable), G_PRIORITY_DEFAULT,
                          cancellable, _pgqrs_sync_wait_cb, &wait);
  result = _pgqrs_sync_wait_run (context, &wait);
  ret = pgqrs_store_init_finish (G_ASYNC_INITABLE (initable), result, error);
  g_main_context_pop_thread_default (context);

  return ret;
}

static void
pgqrs_store_initable_iface_init (GInitableIface *iface)
{
  iface->init = pgqrs_store_initable_init;
}

/**
 * pgqrs_store_new:
 * @dsn: the DSN of the database, such as `sqlite:///var/lib/app/jobs.db`
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Connects to the database @dsn names. See [class@Config] for the DSN forms
 * and options.
 *
 * Returns: (transfer full): a new #PgqrsStore, or %NULL with @error set:
 *   %PGQRS_ERROR_INVALID_CONFIG for a malformed DSN,
 *   %PGQRS_ERROR_BACKEND_UNAVAILABLE for a backend this build lacks,
 *   %PGQRS_ERROR_CONNECTION when the database cannot be reached
 *
 * Since: 1.0
 */
PgqrsStore *
pgqrs_store_new (const char    *dsn,
                 GCancellable  *cancellable,
                 GError       **error)
{
  return g_initable_new (PGQRS_TYPE_STORE, cancellable, error, "dsn", dsn, NULL);
}

/**
 * pgqrs_store_new_async:
 * @dsn: the DSN of the database
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when the store is ready
 * @user_data: data for @callback
 *
 * Connects to the database @dsn names without blocking. Finish with
 * [ctor@Store.new_finish].
 *
 * Since: 1.0
 */
void
pgqrs_store_new_async (const char          *dsn,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_async_initable_new_async (PGQRS_TYPE_STORE, G_PRIORITY_DEFAULT, cancellable,
                              callback, user_data, "dsn", dsn, NULL);
}

/**
 * pgqrs_store_new_for_config:
 * @config: the settings, including the DSN
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Connects with the settings of @config. The store keeps a copy: later
 * changes to @config do not affect it.
 *
 * Returns: (transfer full): a new #PgqrsStore, or %NULL with @error set
 *
 * Since: 1.0
 */
PgqrsStore *
pgqrs_store_new_for_config (PgqrsConfig   *config,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_return_val_if_fail (PGQRS_IS_CONFIG (config), NULL);

  return g_initable_new (PGQRS_TYPE_STORE, cancellable, error, "config", config, NULL);
}

/**
 * pgqrs_store_new_for_config_async:
 * @config: the settings, including the DSN
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when the store is ready
 * @user_data: data for @callback
 *
 * Connects with the settings of @config without blocking. Finish with
 * [ctor@Store.new_finish].
 *
 * Since: 1.0
 */
void
pgqrs_store_new_for_config_async (PgqrsConfig         *config,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (PGQRS_IS_CONFIG (config));

  g_async_initable_new_async (PGQRS_TYPE_STORE, G_PRIORITY_DEFAULT, cancellable,
                              callback, user_data, "config", config, NULL);
}

/**
 * pgqrs_store_new_finish:
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [func@Store.new_async] or [func@Store.new_for_config_async].
 *
 * Returns: (transfer full): the new #PgqrsStore, or %NULL with @error set
 *
 * Since: 1.0
 */
PgqrsStore *
pgqrs_store_new_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_autoptr(GObject) source = g_async_result_get_source_object (result);

  return PGQRS_STORE (g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, error));
}

/**
 * pgqrs_store_get_config:
 * @self: a #PgqrsStore
 *
 * Gets the settings the store was made with.
 *
 * Returns: (transfer none): the store's settings; treat them as read-only
 *
 * Since: 1.0
 */
PgqrsConfig *
pgqrs_store_get_config (PgqrsStore *self)
{
  g_return_val_if_fail (PGQRS_IS_STORE (self), NULL);

  return self->config;
}

PgqrsBackend *
_pgqrs_store_get_backend (PgqrsStore *self)
{
  return self->backend;
}

gboolean
_pgqrs_store_take_enqueue_tokens (PgqrsStore  *self,
                                  const char  *queue_name,
                                  guint        n_messages,
                                  GError     **error)
{
  return _pgqrs_rate_limiter_take (self->rate_limiter, queue_name, n_messages, error);
}

static gboolean
check_usable (PgqrsStore  *self,
              GError     **error)
{
  if (self->backend == NULL)
    {
      g_set_error_literal (error, PGQRS_ERROR, PGQRS_ERROR_FAILED,
                           _("The store is not initialized; make it with pgqrs_store_new()"));
      return FALSE;
    }

  return TRUE;
}

static void
execute_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PgqrsBackend *backend = g_task_get_task_data (task);
  GError *error = NULL;
  PgqrsReply *reply;

  if ((reply = _pgqrs_backend_execute_finish (backend, result, &error)))
    g_task_return_pointer (task, reply, (GDestroyNotify)_pgqrs_reply_free);
  else
    g_task_return_error (task, error);
}

void
_pgqrs_store_execute_async (PgqrsStore          *self,
                            gpointer             source_object,
                            PgqrsRequest        *request,
                            gpointer             source_tag,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  if (!check_usable (self, &error))
    {
      _pgqrs_request_free (request);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_set_task_data (task, g_object_ref (self->backend), g_object_unref);
  g_atomic_int_inc (&self->op_counts[request->op]);
  _pgqrs_backend_execute_async (self->backend, request, cancellable,
                                execute_cb, g_steal_pointer (&task));
}

PgqrsReply *
_pgqrs_store_execute_finish (gpointer       source_object,
                             GAsyncResult  *result,
                             gpointer       source_tag,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, source_object), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The tests' injectable clock: every statement on the database reads "now"
 * as the real time plus @seconds (pgqrs_clock, migration 002), for every
 * process on it.  Consumers of this store are woken, since messages may
 * have become visible. */
gboolean
_pgqrs_store_set_clock_skew (PgqrsStore  *self,
                             double       seconds,
                             GError     **error)
{
  PgqrsRequest *request = _pgqrs_request_new_clock_set (seconds);
  g_autoptr(PgqrsReply) reply = NULL;

  /* the backend wakes the watchers */
  return (reply = _pgqrs_store_execute (self, request, NULL, error)) != NULL;
}

/* How many requests of @op the store has sent to its backend. */
guint
_pgqrs_store_get_op_count (PgqrsStore *self,
                           PgqrsOp     op)
{
  g_return_val_if_fail ((guint)op < PGQRS_N_OPS, 0);

  return g_atomic_int_get (&self->op_counts[op]);
}

PgqrsReply *
_pgqrs_store_execute (PgqrsStore    *self,
                      PgqrsRequest  *request,
                      GCancellable  *cancellable,
                      GError       **error)
{
  if (!check_usable (self, error))
    {
      _pgqrs_request_free (request);
      return NULL;
    }

  g_atomic_int_inc (&self->op_counts[request->op]);

  /* A backend that can answer a waiting thread directly spares the call a
   * main context of its own and the trip through it. */
  if (_pgqrs_backend_has_execute_sync (self->backend))
    return _pgqrs_backend_execute_sync (self->backend, request, cancellable, error);

  return _pgqrs_backend_execute_waiting (self->backend, request, cancellable, error);
}

/**
 * pgqrs_store_install:
 * @self: a #PgqrsStore
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Creates the pgqrs tables, or brings them up to the newest version. It is
 * idempotent and safe to run from several processes at once.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
pgqrs_store_install (PgqrsStore    *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  g_return_val_if_fail (PGQRS_IS_STORE (self), FALSE);

  reply = _pgqrs_store_execute (self, _pgqrs_request_new_install (), cancellable, error);

  return reply != NULL;
}

/**
 * pgqrs_store_install_async:
 * @self: a #PgqrsStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.install] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_install_async (PgqrsStore          *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (PGQRS_IS_STORE (self));

  _pgqrs_store_execute_async (self, self, _pgqrs_request_new_install (),
                              pgqrs_store_install_async, cancellable, callback, user_data);
}

/**
 * pgqrs_store_install_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.install_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
pgqrs_store_install_finish (PgqrsStore    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  reply = _pgqrs_store_execute_finish (self, result, pgqrs_store_install_async, error);

  return reply != NULL;
}

/**
 * pgqrs_store_verify:
 * @self: a #PgqrsStore
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Checks that the pgqrs tables are installed and up to date.
 *
 * Returns: %TRUE if they are; %FALSE with %PGQRS_ERROR_SCHEMA_MISSING if
 *   [method@Store.install] is needed
 *
 * Since: 1.0
 */
gboolean
pgqrs_store_verify (PgqrsStore    *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  g_return_val_if_fail (PGQRS_IS_STORE (self), FALSE);

  reply = _pgqrs_store_execute (self, _pgqrs_request_new_verify (), cancellable, error);

  return reply != NULL;
}

/**
 * pgqrs_store_verify_async:
 * @self: a #PgqrsStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.verify] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_verify_async (PgqrsStore          *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (PGQRS_IS_STORE (self));

  _pgqrs_store_execute_async (self, self, _pgqrs_request_new_verify (),
                              pgqrs_store_verify_async, cancellable, callback, user_data);
}

/**
 * pgqrs_store_verify_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.verify_async].
 *
 * Returns: %TRUE if the tables are installed and up to date
 *
 * Since: 1.0
 */
gboolean
pgqrs_store_verify_finish (PgqrsStore    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  reply = _pgqrs_store_execute_finish (self, result, pgqrs_store_verify_async, error);

  return reply != NULL;
}

static gboolean
reply_to_server_info (PgqrsReply  *reply,
                      guint       *schema_version,
                      char       **server_version)
{
  if (reply == NULL)
    return FALSE;

  if (schema_version != NULL)
    *schema_version = reply->count;
  if (server_version != NULL)
    *server_version = g_steal_pointer (&reply->server_version);

  return TRUE;
}

/**
 * pgqrs_store_get_server_info:
 * @self: a #PgqrsStore
 * @schema_version: (out) (optional): the version of the installed pgqrs tables
 * @server_version: (out) (optional) (transfer full): the database's name and
 *   version, such as `PostgreSQL 15.5` or `SQLite 3.40.1`
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads the version of the pgqrs tables and of the database holding them.
 *
 * Returns: %TRUE on success; %FALSE with @error set:
 *   %PGQRS_ERROR_SCHEMA_MISSING if [method@Store.install] is needed
 *
 * Since: 1.0
 */
gboolean
pgqrs_store_get_server_info (PgqrsStore    *self,
                             guint         *schema_version,
                             char         **server_version,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  g_return_val_if_fail (PGQRS_IS_STORE (self), FALSE);

  reply = _pgqrs_store_execute (self, _pgqrs_request_new_server_info (), cancellable, error);

  return reply_to_server_info (reply, schema_version, server_version);
}

/**
 * pgqrs_store_get_server_info_async:
 * @self: a #PgqrsStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.get_server_info] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_get_server_info_async (PgqrsStore          *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (PGQRS_IS_STORE (self));

  _pgqrs_store_execute_async (self, self, _pgqrs_request_new_server_info (),
                              pgqrs_store_get_server_info_async, cancellable, callback, user_data);
}

/**
 * pgqrs_store_get_server_info_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @schema_version: (out) (optional): the version of the installed pgqrs tables
 * @server_version: (out) (optional) (transfer full): the database's name and
 *   version
 * @error: return location for a #GError
 *
 * Finishes [method@Store.get_server_info_async].
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
pgqrs_store_get_server_info_finish (PgqrsStore    *self,
                                    GAsyncResult  *result,
                                    guint         *schema_version,
                                    char         **server_version,
                                    GError       **error)
{
  g_autoptr(PgqrsReply) reply =
    _pgqrs_store_execute_finish (self, result, pgqrs_store_get_server_info_async, error);

  return reply_to_server_info (reply, schema_version, server_version);
}

/* Shared by the topic files (pgqrs-store-queues.c, -workers.c,
 * -workflows.c). */

/* Requests that name a queue validate the name first, so that a bad name
 * never reaches the database. */
PgqrsRequest *
_pgqrs_store_queue_request (PgqrsRequest *(*request_new) (const char *queue_name),
                            const char    *name,
                            GError       **error)
{
  if (!_pgqrs_validate_name (_("queue name"), name, error))
    return NULL;

  return request_new (name);
}

void
_pgqrs_store_report_error (gpointer             source_object,
                           gpointer             source_tag,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data,
                           GError              *error)
{
  g_task_report_error (source_object, callback, user_data, source_tag, error);
}

/* The one object of a reply about a single queue. */
gpointer
_pgqrs_store_only_object (GPtrArray *objects)
{
  g_assert (objects != NULL && objects->len == 1);

  return g_object_ref (g_ptr_array_index (objects, 0));
}
