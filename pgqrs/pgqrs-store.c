/* pgqrs-store.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pgqrs-config-private.h"
#include "pgqrs-error-private.h"
#include "pgqrs-queue-private.h"
#include "pgqrs-rate-limiter-private.h"
#include "pgqrs-store-private.h"
#include "pgqrs-validation-private.h"
#include "pgqrs-worker-private.h"
#include "pgqrs-workflow-private.h"

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

typedef struct
{
  gboolean      done;
  GAsyncResult *result;
} SyncWait;

static void
sync_wait_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SyncWait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

/* Runs the async path on a private main context, so that a blocking call
 * dispatches nothing of the caller's main loop while it waits. */
static GAsyncResult *
sync_wait_run (GMainContext *context,
               SyncWait     *wait)
{
  while (!wait->done)
    g_main_context_iteration (context, TRUE);

  return wait->result;
}

static gboolean
pgqrs_store_initable_init (GInitable     *initable,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;
  SyncWait wait = { FALSE, NULL };
  gboolean ret;

  g_main_context_push_thread_default (context);
  pgqrs_store_init_async (G_ASYNC_INITABLE (initable), G_PRIORITY_DEFAULT,
                          cancellable, sync_wait_cb, &wait);
  result = sync_wait_run (context, &wait);
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
  PgqrsRequest *request = _pgqrs_request_new (PGQRS_OP_CLOCK_SET);
  g_autoptr(PgqrsReply) reply = NULL;

  request->seconds = seconds;
  /* the backend wakes the watchers */
  return (reply = _pgqrs_store_execute (self, request, NULL, error)) != NULL;
}

PgqrsReply *
_pgqrs_store_execute (PgqrsStore    *self,
                      PgqrsRequest  *request,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  SyncWait wait = { FALSE, NULL };
  PgqrsReply *reply;

  if (!check_usable (self, error))
    {
      _pgqrs_request_free (request);
      return NULL;
    }

  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  _pgqrs_backend_execute_async (self->backend, request, cancellable, sync_wait_cb, &wait);
  result = sync_wait_run (context, &wait);
  reply = _pgqrs_backend_execute_finish (self->backend, result, error);
  g_main_context_pop_thread_default (context);

  return reply;
}

GPtrArray *
_pgqrs_reply_steal_messages (PgqrsReply *reply)
{
  if (reply->messages == NULL)
    return g_ptr_array_new_with_free_func (g_object_unref);

  return g_steal_pointer (&reply->messages);
}

GArray *
_pgqrs_reply_steal_flags (PgqrsReply *reply)
{
  if (reply->flags == NULL)
    return g_array_new (FALSE, FALSE, sizeof (gboolean));

  return g_steal_pointer (&reply->flags);
}

/* Requests that name a queue validate the name first, so that a bad name
 * never reaches the database. */
static PgqrsRequest *
queue_request (PgqrsOp      op,
               const char  *name,
               GError     **error)
{
  PgqrsRequest *request;

  if (!_pgqrs_validate_name (_("queue name"), name, error))
    return NULL;

  request = _pgqrs_request_new (op);
  request->queue_name = g_strdup (name);

  return request;
}

static void
report_error (gpointer             source_object,
              gpointer             source_tag,
              GAsyncReadyCallback  callback,
              gpointer             user_data,
              GError              *error)
{
  g_task_report_error (source_object, callback, user_data, source_tag, error);
}

/* Reply → public value conversions, shared by the blocking and the
 * _finish forms. */

static PgqrsQueue *
reply_to_queue (PgqrsStore *self,
                PgqrsReply *reply)
{
  g_assert (reply->queues != NULL && reply->queues->len == 1);

  return _pgqrs_queue_new (self, g_ptr_array_index (reply->queues, 0));
}

static GPtrArray *
reply_to_queues (PgqrsStore *self,
                 PgqrsReply *reply)
{
  GPtrArray *queues = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; reply->queues != NULL && i < reply->queues->len; i++)
    g_ptr_array_add (queues, _pgqrs_queue_new (self, g_ptr_array_index (reply->queues, i)));

  return queues;
}

static GPtrArray *
reply_to_metrics (PgqrsReply *reply)
{
  if (reply->metrics == NULL)
    return g_ptr_array_new_with_free_func (g_object_unref);

  return g_steal_pointer (&reply->metrics);
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

  reply = _pgqrs_store_execute (self, _pgqrs_request_new (PGQRS_OP_INSTALL), cancellable, error);

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

  _pgqrs_store_execute_async (self, self, _pgqrs_request_new (PGQRS_OP_INSTALL),
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

  reply = _pgqrs_store_execute (self, _pgqrs_request_new (PGQRS_OP_VERIFY), cancellable, error);

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

  _pgqrs_store_execute_async (self, self, _pgqrs_request_new (PGQRS_OP_VERIFY),
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

/**
 * pgqrs_store_create_queue:
 * @self: a #PgqrsStore
 * @name: the queue's name: 1–63 bytes of `[A-Za-z0-9_-]`, starting with a
 *   letter or `_`
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Creates a queue.
 *
 * Returns: (transfer full): the new queue, or %NULL with @error set:
 *   %PGQRS_ERROR_VALIDATION for a bad name, %PGQRS_ERROR_QUEUE_EXISTS if
 *   the queue exists
 *
 * Since: 1.0
 */
PgqrsQueue *
pgqrs_store_create_queue (PgqrsStore    *self,
                          const char    *name,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_STORE (self), NULL);

  if (!(request = queue_request (PGQRS_OP_QUEUE_CREATE, name, error)) ||
      !(reply = _pgqrs_store_execute (self, request, cancellable, error)))
    return NULL;

  return reply_to_queue (self, reply);
}

/**
 * pgqrs_store_create_queue_async:
 * @self: a #PgqrsStore
 * @name: the queue's name
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.create_queue] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_create_queue_async (PgqrsStore          *self,
                                const char          *name,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_STORE (self));

  if (!(request = queue_request (PGQRS_OP_QUEUE_CREATE, name, &error)))
    return report_error (self, pgqrs_store_create_queue_async, callback, user_data, error);

  _pgqrs_store_execute_async (self, self, request, pgqrs_store_create_queue_async,
                              cancellable, callback, user_data);
}

/**
 * pgqrs_store_create_queue_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.create_queue_async].
 *
 * Returns: (transfer full): the new queue, or %NULL with @error set
 *
 * Since: 1.0
 */
PgqrsQueue *
pgqrs_store_create_queue_finish (PgqrsStore    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, pgqrs_store_create_queue_async, error)))
    return NULL;

  return reply_to_queue (self, reply);
}

/**
 * pgqrs_store_get_queue:
 * @self: a #PgqrsStore
 * @name: the queue's name
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Finds an existing queue.
 *
 * Returns: (transfer full): the queue, or %NULL with @error set:
 *   %PGQRS_ERROR_QUEUE_NOT_FOUND if there is none of that name
 *
 * Since: 1.0
 */
PgqrsQueue *
pgqrs_store_get_queue (PgqrsStore    *self,
                       const char    *name,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_STORE (self), NULL);

  if (!(request = queue_request (PGQRS_OP_QUEUE_GET, name, error)) ||
      !(reply = _pgqrs_store_execute (self, request, cancellable, error)))
    return NULL;

  return reply_to_queue (self, reply);
}

/**
 * pgqrs_store_get_queue_async:
 * @self: a #PgqrsStore
 * @name: the queue's name
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.get_queue] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_get_queue_async (PgqrsStore          *self,
                             const char          *name,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_STORE (self));

  if (!(request = queue_request (PGQRS_OP_QUEUE_GET, name, &error)))
    return report_error (self, pgqrs_store_get_queue_async, callback, user_data, error);

  _pgqrs_store_execute_async (self, self, request, pgqrs_store_get_queue_async,
                              cancellable, callback, user_data);
}

/**
 * pgqrs_store_get_queue_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.get_queue_async].
 *
 * Returns: (transfer full): the queue, or %NULL with @error set
 *
 * Since: 1.0
 */
PgqrsQueue *
pgqrs_store_get_queue_finish (PgqrsStore    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, pgqrs_store_get_queue_async, error)))
    return NULL;

  return reply_to_queue (self, reply);
}

/**
 * pgqrs_store_list_queues:
 * @self: a #PgqrsStore
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Lists every queue, by name.
 *
 * Returns: (transfer container) (element-type PgqrsQueue): the queues, or
 *   %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
pgqrs_store_list_queues (PgqrsStore    *self,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  g_return_val_if_fail (PGQRS_IS_STORE (self), NULL);

  if (!(reply = _pgqrs_store_execute (self, _pgqrs_request_new (PGQRS_OP_QUEUE_LIST),
                                      cancellable, error)))
    return NULL;

  return reply_to_queues (self, reply);
}

/**
 * pgqrs_store_list_queues_async:
 * @self: a #PgqrsStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.list_queues] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_list_queues_async (PgqrsStore          *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (PGQRS_IS_STORE (self));

  _pgqrs_store_execute_async (self, self, _pgqrs_request_new (PGQRS_OP_QUEUE_LIST),
                              pgqrs_store_list_queues_async, cancellable, callback, user_data);
}

/**
 * pgqrs_store_list_queues_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.list_queues_async].
 *
 * Returns: (transfer container) (element-type PgqrsQueue): the queues, or
 *   %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
pgqrs_store_list_queues_finish (PgqrsStore    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, pgqrs_store_list_queues_async, error)))
    return NULL;

  return reply_to_queues (self, reply);
}

static PgqrsRequest *
delete_queue_request (const char  *name,
                      gboolean     cascade,
                      GError     **error)
{
  PgqrsRequest *request = queue_request (PGQRS_OP_QUEUE_DELETE, name, error);

  if (request != NULL)
    request->cascade = cascade;

  return request;
}

/**
 * pgqrs_store_delete_queue:
 * @self: a #PgqrsStore
 * @name: the queue's name
 * @cascade: whether to delete what refers to the queue too
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Deletes a queue. Without @cascade, a queue that still has messages
 * (archived ones included), live workers or a workflow bound to it is not
 * deleted. With @cascade, its messages, the workflows bound to it and their
 * runs, and the runs its messages triggered are deleted with it; its
 * workers are kept, bound to no queue.
 *
 * Returns: %TRUE if the queue was deleted; %FALSE with @error set:
 *   %PGQRS_ERROR_QUEUE_NOT_FOUND, or %PGQRS_ERROR_QUEUE_IN_USE
 *
 * Since: 1.0
 */
gboolean
pgqrs_store_delete_queue (PgqrsStore    *self,
                          const char    *name,
                          gboolean       cascade,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_STORE (self), FALSE);

  if (!(request = delete_queue_request (name, cascade, error)))
    return FALSE;

  reply = _pgqrs_store_execute (self, request, cancellable, error);

  return reply != NULL;
}

/**
 * pgqrs_store_delete_queue_async:
 * @self: a #PgqrsStore
 * @name: the queue's name
 * @cascade: whether to delete what refers to the queue too
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.delete_queue] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_delete_queue_async (PgqrsStore          *self,
                                const char          *name,
                                gboolean             cascade,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_STORE (self));

  if (!(request = delete_queue_request (name, cascade, &error)))
    return report_error (self, pgqrs_store_delete_queue_async, callback, user_data, error);

  _pgqrs_store_execute_async (self, self, request, pgqrs_store_delete_queue_async,
                              cancellable, callback, user_data);
}

/**
 * pgqrs_store_delete_queue_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.delete_queue_async].
 *
 * Returns: %TRUE if the queue was deleted
 *
 * Since: 1.0
 */
gboolean
pgqrs_store_delete_queue_finish (PgqrsStore    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  reply = _pgqrs_store_execute_finish (self, result, pgqrs_store_delete_queue_async, error);

  return reply != NULL;
}

/**
 * pgqrs_store_purge_queue:
 * @self: a #PgqrsStore
 * @name: the queue's name
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Deletes all of a queue's messages, archived ones included, and the
 * workflow runs they triggered, in one transaction. The queue stays.
 *
 * Returns: how many messages were deleted, or -1 with @error set
 *
 * Since: 1.0
 */
gint64
pgqrs_store_purge_queue (PgqrsStore    *self,
                         const char    *name,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_STORE (self), -1);

  if (!(request = queue_request (PGQRS_OP_QUEUE_PURGE, name, error)) ||
      !(reply = _pgqrs_store_execute (self, request, cancellable, error)))
    return -1;

  return reply->count;
}

/**
 * pgqrs_store_purge_queue_async:
 * @self: a #PgqrsStore
 * @name: the queue's name
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.purge_queue] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_purge_queue_async (PgqrsStore          *self,
                               const char          *name,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_STORE (self));

  if (!(request = queue_request (PGQRS_OP_QUEUE_PURGE, name, &error)))
    return report_error (self, pgqrs_store_purge_queue_async, callback, user_data, error);

  _pgqrs_store_execute_async (self, self, request, pgqrs_store_purge_queue_async,
                              cancellable, callback, user_data);
}

/**
 * pgqrs_store_purge_queue_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.purge_queue_async].
 *
 * Returns: how many messages were deleted, or -1 with @error set
 *
 * Since: 1.0
 */
gint64
pgqrs_store_purge_queue_finish (PgqrsStore    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, pgqrs_store_purge_queue_async, error)))
    return -1;

  return reply->count;
}

/* The one object of a reply about a single queue. */
static gpointer
only_object (GPtrArray *objects)
{
  g_assert (objects != NULL && objects->len == 1);

  return g_object_ref (g_ptr_array_index (objects, 0));
}

/**
 * pgqrs_store_get_metrics:
 * @self: a #PgqrsStore
 * @queue_name: the queue's name
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Counts one queue's messages by state.
 *
 * Returns: (transfer full): the counts, or %NULL with @error set:
 *   %PGQRS_ERROR_QUEUE_NOT_FOUND if there is no such queue
 *
 * Since: 1.0
 */
PgqrsQueueMetrics *
pgqrs_store_get_metrics (PgqrsStore    *self,
                         const char    *queue_name,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_STORE (self), NULL);

  if (!(request = queue_request (PGQRS_OP_METRICS, queue_name, error)) ||
      !(reply = _pgqrs_store_execute (self, request, cancellable, error)))
    return NULL;

  return only_object (reply->metrics);
}

/**
 * pgqrs_store_get_metrics_async:
 * @self: a #PgqrsStore
 * @queue_name: the queue's name
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.get_metrics] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_get_metrics_async (PgqrsStore          *self,
                               const char          *queue_name,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_STORE (self));

  if (!(request = queue_request (PGQRS_OP_METRICS, queue_name, &error)))
    return report_error (self, pgqrs_store_get_metrics_async, callback, user_data, error);

  _pgqrs_store_execute_async (self, self, request, pgqrs_store_get_metrics_async,
                              cancellable, callback, user_data);
}

/**
 * pgqrs_store_get_metrics_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.get_metrics_async].
 *
 * Returns: (transfer full): the counts, or %NULL with @error set
 *
 * Since: 1.0
 */
PgqrsQueueMetrics *
pgqrs_store_get_metrics_finish (PgqrsStore    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, pgqrs_store_get_metrics_async, error)))
    return NULL;

  return only_object (reply->metrics);
}

/**
 * pgqrs_store_list_metrics:
 * @self: a #PgqrsStore
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Counts the messages of every queue by state, in one query.
 *
 * Returns: (transfer container) (element-type PgqrsQueueMetrics): the counts
 *   of each queue, by queue name, or %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
pgqrs_store_list_metrics (PgqrsStore    *self,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  g_return_val_if_fail (PGQRS_IS_STORE (self), NULL);

  if (!(reply = _pgqrs_store_execute (self, _pgqrs_request_new (PGQRS_OP_METRICS),
                                      cancellable, error)))
    return NULL;

  return reply_to_metrics (reply);
}

/**
 * pgqrs_store_list_metrics_async:
 * @self: a #PgqrsStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.list_metrics] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_list_metrics_async (PgqrsStore          *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (PGQRS_IS_STORE (self));

  _pgqrs_store_execute_async (self, self, _pgqrs_request_new (PGQRS_OP_METRICS),
                              pgqrs_store_list_metrics_async, cancellable, callback, user_data);
}

/**
 * pgqrs_store_list_metrics_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.list_metrics_async].
 *
 * Returns: (transfer container) (element-type PgqrsQueueMetrics): the
 *   counts, or %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
pgqrs_store_list_metrics_finish (PgqrsStore    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, pgqrs_store_list_metrics_async, error)))
    return NULL;

  return reply_to_metrics (reply);
}

static PgqrsRequest *
list_archived_request (const char  *queue_name,
                       gboolean     dead_letters_only,
                       guint        limit,
                       guint        offset,
                       GError     **error)
{
  PgqrsRequest *request;

  if (queue_name != NULL)
    request = queue_request (PGQRS_OP_LIST_ARCHIVED, queue_name, error);
  else
    request = _pgqrs_request_new (PGQRS_OP_LIST_ARCHIVED);

  if (request != NULL)
    {
      request->dead_letter_only = dead_letters_only;
      request->limit = limit > 0 ? limit : 100;
      request->offset = offset;
    }

  return request;
}

/**
 * pgqrs_store_list_archived:
 * @self: a #PgqrsStore
 * @queue_name: (nullable): a queue's name, or %NULL for every queue
 * @dead_letters_only: list only messages archived as dead letters
 * @limit: the most messages to return; 0 means 100
 * @offset: how many of the newest to skip, for paging
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Lists archived messages, the most recently archived first.
 *
 * Returns: (transfer container) (element-type PgqrsMessage): the messages,
 *   or %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
pgqrs_store_list_archived (PgqrsStore    *self,
                           const char    *queue_name,
                           gboolean       dead_letters_only,
                           guint          limit,
                           guint          offset,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_STORE (self), NULL);

  if (!(request = list_archived_request (queue_name, dead_letters_only, limit, offset, error)) ||
      !(reply = _pgqrs_store_execute (self, request, cancellable, error)))
    return NULL;

  return _pgqrs_reply_steal_messages (reply);
}

/**
 * pgqrs_store_list_archived_async:
 * @self: a #PgqrsStore
 * @queue_name: (nullable): a queue's name, or %NULL for every queue
 * @dead_letters_only: list only messages archived as dead letters
 * @limit: the most messages to return; 0 means 100
 * @offset: how many of the newest to skip
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.list_archived] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_list_archived_async (PgqrsStore          *self,
                                 const char          *queue_name,
                                 gboolean             dead_letters_only,
                                 guint                limit,
                                 guint                offset,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_STORE (self));

  if (!(request = list_archived_request (queue_name, dead_letters_only, limit, offset, &error)))
    return report_error (self, pgqrs_store_list_archived_async, callback, user_data, error);

  _pgqrs_store_execute_async (self, self, request, pgqrs_store_list_archived_async,
                              cancellable, callback, user_data);
}

/**
 * pgqrs_store_list_archived_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.list_archived_async].
 *
 * Returns: (transfer container) (element-type PgqrsMessage): the messages,
 *   or %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
pgqrs_store_list_archived_finish (PgqrsStore    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, pgqrs_store_list_archived_async, error)))
    return NULL;

  return _pgqrs_reply_steal_messages (reply);
}

static PgqrsRequest *
replay_request (gint64 message_id)
{
  PgqrsRequest *request = _pgqrs_request_new (PGQRS_OP_REPLAY);

  request->message_id = message_id;

  return request;
}

static gboolean
reply_to_flag (PgqrsReply *reply)
{
  return reply->flags != NULL && reply->flags->len > 0 &&
         g_array_index (reply->flags, gboolean, 0);
}

/**
 * pgqrs_store_replay:
 * @self: a #PgqrsStore
 * @message_id: the id of an archived message
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Puts an archived message — done or dead-lettered — back in its queue:
 * visible now, with a read count of zero.
 *
 * Returns: %TRUE if the message was archived and is back; %FALSE with no
 *   error if it was not archived; %FALSE with %PGQRS_ERROR_NOT_FOUND if
 *   there is no such message
 *
 * Since: 1.0
 */
gboolean
pgqrs_store_replay (PgqrsStore    *self,
                    gint64         message_id,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  g_return_val_if_fail (PGQRS_IS_STORE (self), FALSE);

  if (!(reply = _pgqrs_store_execute (self, replay_request (message_id), cancellable, error)))
    return FALSE;

  return reply_to_flag (reply);
}

/**
 * pgqrs_store_replay_async:
 * @self: a #PgqrsStore
 * @message_id: the id of an archived message
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.replay] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_replay_async (PgqrsStore          *self,
                          gint64               message_id,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (PGQRS_IS_STORE (self));

  _pgqrs_store_execute_async (self, self, replay_request (message_id),
                              pgqrs_store_replay_async, cancellable, callback, user_data);
}

/**
 * pgqrs_store_replay_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.replay_async].
 *
 * Returns: %TRUE if the message is back in its queue
 *
 * Since: 1.0
 */
gboolean
pgqrs_store_replay_finish (PgqrsStore    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, pgqrs_store_replay_async, error)))
    return FALSE;

  return reply_to_flag (reply);
}

/* A live worker's name is refused, unless its heartbeat is this many
 * heartbeat intervals old: its process died, and a restart takes it over. */
#define TAKEOVER_HEARTBEATS 3

static PgqrsRequest *
register_worker_request (PgqrsStore  *self,
                         const char  *name,
                         const char  *queue_name,
                         GError     **error)
{
  PgqrsRequest *request;

  if (!_pgqrs_validate_name (_("worker name"), name, error) ||
      (queue_name != NULL && !_pgqrs_validate_name (_("queue name"), queue_name, error)))
    return NULL;

  request = _pgqrs_request_new (PGQRS_OP_WORKER_REGISTER);
  request->worker_name = g_strdup (name);
  request->queue_name = g_strdup (queue_name);
  request->seconds = TAKEOVER_HEARTBEATS * pgqrs_config_get_heartbeat_interval (self->config);

  return request;
}

static PgqrsWorker *
reply_to_worker (PgqrsStore *self,
                 PgqrsReply *reply)
{
  g_assert (reply->workers != NULL && reply->workers->len == 1);

  return _pgqrs_worker_new (self, g_ptr_array_index (reply->workers, 0));
}

static GPtrArray *
reply_to_workers (PgqrsStore *self,
                  PgqrsReply *reply)
{
  GPtrArray *workers = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; reply->workers != NULL && i < reply->workers->len; i++)
    g_ptr_array_add (workers, _pgqrs_worker_new (self, g_ptr_array_index (reply->workers, i)));

  return workers;
}

/**
 * pgqrs_store_register_worker:
 * @self: a #PgqrsStore
 * @name: the worker's unique name (the rules of queue names apply)
 * @queue_name: (nullable): the queue it serves, or %NULL for an admin worker
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Registers a worker in status %PGQRS_WORKER_STATUS_READY. The name of a
 * stopped worker is reused; the name of a live one is refused — unless it
 * has sent no heartbeat for three times [property@Config:heartbeat-interval]:
 * its process died, so it is reclaimed (as [method@Store.reclaim_workers]
 * does, its leases released) and its name taken over. A program restarted
 * after a crash thus gets its worker name back.
 *
 * Returns: (transfer full): the worker, or %NULL with @error set:
 *   %PGQRS_ERROR_WORKER_EXISTS, %PGQRS_ERROR_QUEUE_NOT_FOUND,
 *   %PGQRS_ERROR_VALIDATION
 *
 * Since: 1.0
 */
PgqrsWorker *
pgqrs_store_register_worker (PgqrsStore    *self,
                             const char    *name,
                             const char    *queue_name,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_STORE (self), NULL);

  if (!(request = register_worker_request (self, name, queue_name, error)) ||
      !(reply = _pgqrs_store_execute (self, request, cancellable, error)))
    return NULL;

  return reply_to_worker (self, reply);
}

/**
 * pgqrs_store_register_worker_async:
 * @self: a #PgqrsStore
 * @name: the worker's unique name
 * @queue_name: (nullable): the queue it serves, or %NULL
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.register_worker] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_register_worker_async (PgqrsStore          *self,
                                   const char          *name,
                                   const char          *queue_name,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_STORE (self));

  if (!(request = register_worker_request (self, name, queue_name, &error)))
    return report_error (self, pgqrs_store_register_worker_async, callback, user_data, error);

  _pgqrs_store_execute_async (self, self, request, pgqrs_store_register_worker_async,
                              cancellable, callback, user_data);
}

/**
 * pgqrs_store_register_worker_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.register_worker_async].
 *
 * Returns: (transfer full): the worker, or %NULL with @error set
 *
 * Since: 1.0
 */
PgqrsWorker *
pgqrs_store_register_worker_finish (PgqrsStore    *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, pgqrs_store_register_worker_async, error)))
    return NULL;

  return reply_to_worker (self, reply);
}

static PgqrsRequest *
list_workers_request (const char  *queue_name,
                      GError     **error)
{
  if (queue_name != NULL)
    return queue_request (PGQRS_OP_WORKER_LIST, queue_name, error);

  return _pgqrs_request_new (PGQRS_OP_WORKER_LIST);
}

/**
 * pgqrs_store_list_workers:
 * @self: a #PgqrsStore
 * @queue_name: (nullable): only the workers of this queue, or %NULL for all
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Lists registered workers, stopped ones included, by name.
 *
 * Returns: (transfer container) (element-type PgqrsWorker): the workers, or
 *   %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
pgqrs_store_list_workers (PgqrsStore    *self,
                          const char    *queue_name,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_STORE (self), NULL);

  if (!(request = list_workers_request (queue_name, error)) ||
      !(reply = _pgqrs_store_execute (self, request, cancellable, error)))
    return NULL;

  return reply_to_workers (self, reply);
}

/**
 * pgqrs_store_list_workers_async:
 * @self: a #PgqrsStore
 * @queue_name: (nullable): only the workers of this queue, or %NULL for all
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.list_workers] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_list_workers_async (PgqrsStore          *self,
                                const char          *queue_name,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_STORE (self));

  if (!(request = list_workers_request (queue_name, &error)))
    return report_error (self, pgqrs_store_list_workers_async, callback, user_data, error);

  _pgqrs_store_execute_async (self, self, request, pgqrs_store_list_workers_async,
                              cancellable, callback, user_data);
}

/**
 * pgqrs_store_list_workers_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.list_workers_async].
 *
 * Returns: (transfer container) (element-type PgqrsWorker): the workers, or
 *   %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
pgqrs_store_list_workers_finish (PgqrsStore    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, pgqrs_store_list_workers_async, error)))
    return NULL;

  return reply_to_workers (self, reply);
}

/* Stale, as [property@WorkerStats:stale] says: the takeover threshold. */
static PgqrsRequest *
worker_stats_request (PgqrsStore  *self,
                      const char  *queue_name,
                      GError     **error)
{
  PgqrsRequest *request;

  if (queue_name != NULL)
    request = queue_request (PGQRS_OP_WORKER_STATS, queue_name, error);
  else
    request = _pgqrs_request_new (PGQRS_OP_WORKER_STATS);

  if (request != NULL)
    request->seconds = TAKEOVER_HEARTBEATS * pgqrs_config_get_heartbeat_interval (self->config);

  return request;
}

/**
 * pgqrs_store_get_worker_stats:
 * @self: a #PgqrsStore
 * @queue_name: the queue's name
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Counts one queue's workers by status, with the stale ones, the messages
 * they hold and the age of the oldest live heartbeat, in one query.
 *
 * Returns: (transfer full): the statistics, or %NULL with @error set:
 *   %PGQRS_ERROR_QUEUE_NOT_FOUND if there is no such queue
 *
 * Since: 1.0
 */
PgqrsWorkerStats *
pgqrs_store_get_worker_stats (PgqrsStore    *self,
                              const char    *queue_name,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_STORE (self), NULL);
  g_return_val_if_fail (queue_name != NULL, NULL);

  if (!(request = worker_stats_request (self, queue_name, error)) ||
      !(reply = _pgqrs_store_execute (self, request, cancellable, error)))
    return NULL;

  return only_object (reply->worker_stats);
}

/**
 * pgqrs_store_get_worker_stats_async:
 * @self: a #PgqrsStore
 * @queue_name: the queue's name
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.get_worker_stats] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_get_worker_stats_async (PgqrsStore          *self,
                                    const char          *queue_name,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_STORE (self));
  g_return_if_fail (queue_name != NULL);

  if (!(request = worker_stats_request (self, queue_name, &error)))
    return report_error (self, pgqrs_store_get_worker_stats_async, callback, user_data, error);

  _pgqrs_store_execute_async (self, self, request, pgqrs_store_get_worker_stats_async,
                              cancellable, callback, user_data);
}

/**
 * pgqrs_store_get_worker_stats_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.get_worker_stats_async].
 *
 * Returns: (transfer full): the statistics, or %NULL with @error set
 *
 * Since: 1.0
 */
PgqrsWorkerStats *
pgqrs_store_get_worker_stats_finish (PgqrsStore    *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, pgqrs_store_get_worker_stats_async,
                                             error)))
    return NULL;

  return only_object (reply->worker_stats);
}

/**
 * pgqrs_store_list_worker_stats:
 * @self: a #PgqrsStore
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Gets [method@Store.get_worker_stats] for every queue, in one query.
 *
 * Returns: (transfer container) (element-type PgqrsWorkerStats): the
 *   statistics of each queue, by queue name, or %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
pgqrs_store_list_worker_stats (PgqrsStore    *self,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  g_return_val_if_fail (PGQRS_IS_STORE (self), NULL);

  if (!(reply = _pgqrs_store_execute (self, worker_stats_request (self, NULL, NULL),
                                      cancellable, error)))
    return NULL;

  return g_steal_pointer (&reply->worker_stats);
}

/**
 * pgqrs_store_list_worker_stats_async:
 * @self: a #PgqrsStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.list_worker_stats] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_list_worker_stats_async (PgqrsStore          *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (PGQRS_IS_STORE (self));

  _pgqrs_store_execute_async (self, self, worker_stats_request (self, NULL, NULL),
                              pgqrs_store_list_worker_stats_async, cancellable, callback,
                              user_data);
}

/**
 * pgqrs_store_list_worker_stats_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.list_worker_stats_async].
 *
 * Returns: (transfer container) (element-type PgqrsWorkerStats): the
 *   statistics, or %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
pgqrs_store_list_worker_stats_finish (PgqrsStore    *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, pgqrs_store_list_worker_stats_async,
                                             error)))
    return NULL;

  return g_steal_pointer (&reply->worker_stats);
}

static PgqrsRequest *
reclaim_request (double   older_than_seconds,
                 GError **error)
{
  PgqrsRequest *request;

  if (!(older_than_seconds > 0))
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                   _("Reclaim needs a positive heartbeat age, not %g"), older_than_seconds);
      return NULL;
    }

  request = _pgqrs_request_new (PGQRS_OP_WORKER_RECLAIM);
  request->seconds = older_than_seconds;

  return request;
}

/**
 * pgqrs_store_reclaim_workers:
 * @self: a #PgqrsStore
 * @older_than_seconds: how old a live worker's last heartbeat must be for
 *   it to count as dead
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Stops the workers whose heartbeat is older than @older_than_seconds and
 * makes their leased messages visible again at once, keeping their read
 * counts.
 *
 * Returns: how many workers were stopped, or -1 with @error set
 *
 * Since: 1.0
 */
gint64
pgqrs_store_reclaim_workers (PgqrsStore    *self,
                             double         older_than_seconds,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_STORE (self), -1);

  if (!(request = reclaim_request (older_than_seconds, error)) ||
      !(reply = _pgqrs_store_execute (self, request, cancellable, error)))
    return -1;

  return reply->count;
}

/**
 * pgqrs_store_reclaim_workers_async:
 * @self: a #PgqrsStore
 * @older_than_seconds: how old a live worker's last heartbeat must be
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.reclaim_workers] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_reclaim_workers_async (PgqrsStore          *self,
                                   double               older_than_seconds,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_STORE (self));

  if (!(request = reclaim_request (older_than_seconds, &error)))
    return report_error (self, pgqrs_store_reclaim_workers_async, callback, user_data, error);

  _pgqrs_store_execute_async (self, self, request, pgqrs_store_reclaim_workers_async,
                              cancellable, callback, user_data);
}

/**
 * pgqrs_store_reclaim_workers_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.reclaim_workers_async].
 *
 * Returns: how many workers were stopped, or -1 with @error set
 *
 * Since: 1.0
 */
gint64
pgqrs_store_reclaim_workers_finish (PgqrsStore    *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, pgqrs_store_reclaim_workers_async, error)))
    return -1;

  return reply->count;
}

static PgqrsRequest *
define_workflow_request (const char  *name,
                         const char  *queue_name,
                         GError     **error)
{
  PgqrsRequest *request;

  if (!_pgqrs_validate_name (_("workflow name"), name, error) ||
      !(request = queue_request (PGQRS_OP_WORKFLOW_DEFINE, queue_name, error)))
    return NULL;

  request->workflow_name = g_strdup (name);

  return request;
}

/**
 * pgqrs_store_define_workflow:
 * @self: a #PgqrsStore
 * @name: the workflow's name (the rules of queue names apply)
 * @queue_name: the queue its trigger messages go to
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Binds a workflow to a queue, so that [method@Store.trigger_workflow] can
 * start runs of it there. Defining it again rebinds it.
 *
 * Returns: %TRUE on success; %PGQRS_ERROR_QUEUE_NOT_FOUND,
 *   %PGQRS_ERROR_VALIDATION
 *
 * Since: 1.0
 */
gboolean
pgqrs_store_define_workflow (PgqrsStore    *self,
                             const char    *name,
                             const char    *queue_name,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_STORE (self), FALSE);

  if (!(request = define_workflow_request (name, queue_name, error)))
    return FALSE;

  reply = _pgqrs_store_execute (self, request, cancellable, error);

  return reply != NULL;
}

/**
 * pgqrs_store_define_workflow_async:
 * @self: a #PgqrsStore
 * @name: the workflow's name
 * @queue_name: the queue its trigger messages go to
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.define_workflow] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_define_workflow_async (PgqrsStore          *self,
                                   const char          *name,
                                   const char          *queue_name,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_STORE (self));

  if (!(request = define_workflow_request (name, queue_name, &error)))
    return report_error (self, pgqrs_store_define_workflow_async, callback, user_data, error);

  _pgqrs_store_execute_async (self, self, request, pgqrs_store_define_workflow_async,
                              cancellable, callback, user_data);
}

/**
 * pgqrs_store_define_workflow_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.define_workflow_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
pgqrs_store_define_workflow_finish (PgqrsStore    *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_autoptr(PgqrsReply) reply =
    _pgqrs_store_execute_finish (self, result, pgqrs_store_define_workflow_async, error);

  return reply != NULL;
}

static PgqrsRequest *
create_run_request (PgqrsStore  *self,
                    const char  *name,
                    JsonNode    *input,
                    gboolean     trigger,
                    GError     **error)
{
  PgqrsRequest *request;
  char *text;

  if (!_pgqrs_validate_name (_("workflow name"), name, error) ||
      !(text = _pgqrs_payload_serialize (self->config, input, -1, error)))
    return NULL;

  request = _pgqrs_request_new (PGQRS_OP_RUN_CREATE);
  request->workflow_name = g_strdup (name);
  request->trigger = trigger;
  request->payloads = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (request->payloads, text);

  return request;
}

static PgqrsWorkflow *
reply_to_run (PgqrsStore *self,
              PgqrsReply *reply)
{
  if (reply == NULL)
    return NULL;

  g_assert (reply->runs != NULL && reply->runs->len == 1);

  return _pgqrs_workflow_new (self, g_ptr_array_index (reply->runs, 0));
}

/**
 * pgqrs_store_create_workflow:
 * @self: a #PgqrsStore
 * @name: the workflow's name
 * @input: the run's input, any JSON value
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Creates a run to execute in this process: `QUEUED`, with no trigger
 * message. Start it with [method@Workflow.start].
 *
 * Returns: (transfer full): the run, or %NULL with @error set
 *
 * Since: 1.0
 */
PgqrsWorkflow *
pgqrs_store_create_workflow (PgqrsStore    *self,
                             const char    *name,
                             JsonNode      *input,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_STORE (self), NULL);

  if (!(request = create_run_request (self, name, input, FALSE, error)))
    return NULL;

  reply = _pgqrs_store_execute (self, request, cancellable, error);

  return reply_to_run (self, reply);
}

/**
 * pgqrs_store_create_workflow_async:
 * @self: a #PgqrsStore
 * @name: the workflow's name
 * @input: the run's input
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.create_workflow] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_create_workflow_async (PgqrsStore          *self,
                                   const char          *name,
                                   JsonNode            *input,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_STORE (self));

  if (!(request = create_run_request (self, name, input, FALSE, &error)))
    return report_error (self, pgqrs_store_create_workflow_async, callback, user_data, error);

  _pgqrs_store_execute_async (self, self, request, pgqrs_store_create_workflow_async,
                              cancellable, callback, user_data);
}

/**
 * pgqrs_store_create_workflow_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.create_workflow_async].
 *
 * Returns: (transfer full): the run, or %NULL with @error set
 *
 * Since: 1.0
 */
PgqrsWorkflow *
pgqrs_store_create_workflow_finish (PgqrsStore    *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_autoptr(PgqrsReply) reply =
    _pgqrs_store_execute_finish (self, result, pgqrs_store_create_workflow_async, error);

  return reply_to_run (self, reply);
}

/**
 * pgqrs_store_trigger_workflow:
 * @self: a #PgqrsStore
 * @name: the name of a workflow bound to a queue with
 *   [method@Store.define_workflow]
 * @input: the run's input, any JSON value
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Creates a run and enqueues its trigger message on the workflow's queue, in
 * one transaction. A [class@Consumer] with a workflow function runs it.
 *
 * Returns: (transfer full): the run, `QUEUED`, or %NULL with @error set:
 *   %PGQRS_ERROR_VALIDATION if the workflow is bound to no queue
 *
 * Since: 1.0
 */
PgqrsWorkflow *
pgqrs_store_trigger_workflow (PgqrsStore    *self,
                              const char    *name,
                              JsonNode      *input,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_STORE (self), NULL);

  if (!(request = create_run_request (self, name, input, TRUE, error)))
    return NULL;

  reply = _pgqrs_store_execute (self, request, cancellable, error);

  return reply_to_run (self, reply);
}

/**
 * pgqrs_store_trigger_workflow_async:
 * @self: a #PgqrsStore
 * @name: the name of a workflow bound to a queue
 * @input: the run's input
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.trigger_workflow] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_trigger_workflow_async (PgqrsStore          *self,
                                    const char          *name,
                                    JsonNode            *input,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_STORE (self));

  if (!(request = create_run_request (self, name, input, TRUE, &error)))
    return report_error (self, pgqrs_store_trigger_workflow_async, callback, user_data, error);

  _pgqrs_store_execute_async (self, self, request, pgqrs_store_trigger_workflow_async,
                              cancellable, callback, user_data);
}

/**
 * pgqrs_store_trigger_workflow_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.trigger_workflow_async].
 *
 * Returns: (transfer full): the run, or %NULL with @error set
 *
 * Since: 1.0
 */
PgqrsWorkflow *
pgqrs_store_trigger_workflow_finish (PgqrsStore    *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_autoptr(PgqrsReply) reply =
    _pgqrs_store_execute_finish (self, result, pgqrs_store_trigger_workflow_async, error);

  return reply_to_run (self, reply);
}

static PgqrsRequest *
get_run_request (gint64 run_id)
{
  PgqrsRequest *request = _pgqrs_request_new (PGQRS_OP_RUN_GET);

  request->run_id = run_id;

  return request;
}

/**
 * pgqrs_store_get_workflow_run:
 * @self: a #PgqrsStore
 * @run_id: a run's id
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Finds a run, for instance to look at its result.
 *
 * Returns: (transfer full): the run, or %NULL with @error set:
 *   %PGQRS_ERROR_NOT_FOUND
 *
 * Since: 1.0
 */
PgqrsWorkflow *
pgqrs_store_get_workflow_run (PgqrsStore    *self,
                              gint64         run_id,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  g_return_val_if_fail (PGQRS_IS_STORE (self), NULL);

  reply = _pgqrs_store_execute (self, get_run_request (run_id), cancellable, error);

  return reply_to_run (self, reply);
}

/**
 * pgqrs_store_get_workflow_run_async:
 * @self: a #PgqrsStore
 * @run_id: a run's id
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.get_workflow_run] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_get_workflow_run_async (PgqrsStore          *self,
                                    gint64               run_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (PGQRS_IS_STORE (self));

  _pgqrs_store_execute_async (self, self, get_run_request (run_id),
                              pgqrs_store_get_workflow_run_async, cancellable, callback, user_data);
}

/**
 * pgqrs_store_get_workflow_run_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.get_workflow_run_async].
 *
 * Returns: (transfer full): the run, or %NULL with @error set
 *
 * Since: 1.0
 */
PgqrsWorkflow *
pgqrs_store_get_workflow_run_finish (PgqrsStore    *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_autoptr(PgqrsReply) reply =
    _pgqrs_store_execute_finish (self, result, pgqrs_store_get_workflow_run_async, error);

  return reply_to_run (self, reply);
}
