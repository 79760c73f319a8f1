/* pgqrs-worker.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pgqrs-enums.h"
#include "pgqrs-error.h"
#include "pgqrs-store-private.h"
#include "pgqrs-worker-private.h"

/**
 * PgqrsWorker:
 *
 * A registered worker: a named identity in the store with a status and a
 * heartbeat.
 *
 * Register one with [method@Store.register_worker]. A [class@Consumer]
 * registers its own worker and drives its status; a program may also drive a
 * worker by hand with [method@Worker.transition] and
 * [method@Worker.heartbeat]. Workers whose heartbeat stops are found and
 * stopped by [method@Store.reclaim_workers], which also gives their leases
 * back.
 *
 * The properties are a snapshot of the row, as of the last call that read
 * it (registration, [method@Worker.refresh], a heartbeat or a transition);
 * they change, with notifications, in the thread that completes such a call.
 *
 * Since: 1.0
 */

struct _PgqrsWorker
{
  GObject            parent_instance;

  PgqrsStore        *store;
  gint64             id;
  char              *name;
  gint64             queue_id;
  PgqrsWorkerStatus  status;
  GDateTime         *started_at;
  GDateTime         *heartbeat_at;
  GDateTime         *shutdown_at;
  double             heartbeat_age;
};

G_DEFINE_FINAL_TYPE (PgqrsWorker, pgqrs_worker, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  PROP_ID,
  PROP_NAME,
  PROP_QUEUE_ID,
  PROP_STATUS,
  PROP_STARTED_AT,
  PROP_HEARTBEAT_AT,
  PROP_SHUTDOWN_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pgqrs_worker_finalize (GObject *object)
{
  PgqrsWorker *self = (PgqrsWorker *)object;

  g_clear_object (&self->store);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->started_at, g_date_time_unref);
  g_clear_pointer (&self->heartbeat_at, g_date_time_unref);
  g_clear_pointer (&self->shutdown_at, g_date_time_unref);

  G_OBJECT_CLASS (pgqrs_worker_parent_class)->finalize (object);
}

static void
pgqrs_worker_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PgqrsWorker *self = PGQRS_WORKER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_QUEUE_ID:
      g_value_set_int64 (value, self->queue_id);
      break;
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_STARTED_AT:
      g_value_set_boxed (value, self->started_at);
      break;
    case PROP_HEARTBEAT_AT:
      g_value_set_boxed (value, self->heartbeat_at);
      break;
    case PROP_SHUTDOWN_AT:
      g_value_set_boxed (value, self->shutdown_at);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pgqrs_worker_class_init (PgqrsWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = pgqrs_worker_finalize;
  object_class->get_property = pgqrs_worker_get_property;

  /**
   * PgqrsWorker:store:
   *
   * The store the worker is registered in.
   *
   * Since: 1.0
   */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, PGQRS_TYPE_STORE, ro);

  /**
   * PgqrsWorker:id:
   *
   * The worker's id in the store.
   *
   * Since: 1.0
   */
  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, ro);

  /**
   * PgqrsWorker:name:
   *
   * The worker's unique name.
   *
   * Since: 1.0
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, ro);

  /**
   * PgqrsWorker:queue-id:
   *
   * The id of the queue the worker serves, or 0.
   *
   * Since: 1.0
   */
  properties[PROP_QUEUE_ID] =
    g_param_spec_int64 ("queue-id", NULL, NULL, 0, G_MAXINT64, 0, ro);

  /**
   * PgqrsWorker:status:
   *
   * The worker's status, as last read from the store.
   *
   * Since: 1.0
   */
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, PGQRS_TYPE_WORKER_STATUS,
                       PGQRS_WORKER_STATUS_READY, ro);

  /**
   * PgqrsWorker:started-at:
   *
   * When the worker was registered.
   *
   * Since: 1.0
   */
  properties[PROP_STARTED_AT] =
    g_param_spec_boxed ("started-at", NULL, NULL, G_TYPE_DATE_TIME, ro);

  /**
   * PgqrsWorker:heartbeat-at:
   *
   * The worker's last heartbeat.
   *
   * Since: 1.0
   */
  properties[PROP_HEARTBEAT_AT] =
    g_param_spec_boxed ("heartbeat-at", NULL, NULL, G_TYPE_DATE_TIME, ro);

  /**
   * PgqrsWorker:shutdown-at:
   *
   * When the worker stopped, or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_SHUTDOWN_AT] =
    g_param_spec_boxed ("shutdown-at", NULL, NULL, G_TYPE_DATE_TIME, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pgqrs_worker_init (PgqrsWorker *self)
{
}

static gboolean
set_time (GDateTime  **field,
          const char  *text)
{
  g_autoptr(GDateTime) value = text ? g_date_time_new_from_iso8601 (text, NULL) : NULL;

  if (*field == NULL && value == NULL)
    return FALSE;
  if (*field != NULL && value != NULL && g_date_time_equal (*field, value))
    return FALSE;

  g_clear_pointer (field, g_date_time_unref);
  *field = g_steal_pointer (&value);

  return TRUE;
}

void
_pgqrs_worker_update (PgqrsWorker          *self,
                      const PgqrsWorkerRow *row)
{
  GObject *object = G_OBJECT (self);

  g_object_freeze_notify (object);

  if (self->queue_id != row->queue_id)
    {
      self->queue_id = row->queue_id;
      g_object_notify_by_pspec (object, properties[PROP_QUEUE_ID]);
    }
  if (self->status != row->status)
    {
      self->status = row->status;
      g_object_notify_by_pspec (object, properties[PROP_STATUS]);
    }
  if (set_time (&self->started_at, row->started_at))
    g_object_notify_by_pspec (object, properties[PROP_STARTED_AT]);
  if (set_time (&self->heartbeat_at, row->heartbeat_at))
    g_object_notify_by_pspec (object, properties[PROP_HEARTBEAT_AT]);
  if (set_time (&self->shutdown_at, row->shutdown_at))
    g_object_notify_by_pspec (object, properties[PROP_SHUTDOWN_AT]);
  self->heartbeat_age = row->heartbeat_age;

  g_object_thaw_notify (object);
}

PgqrsWorker *
_pgqrs_worker_new (PgqrsStore           *store,
                   const PgqrsWorkerRow *row)
{
  PgqrsWorker *self = g_object_new (PGQRS_TYPE_WORKER, NULL);

  self->store = g_object_ref (store);
  self->id = row->id;
  self->name = g_strdup (row->name);
  self->status = row->status;
  _pgqrs_worker_update (self, row);

  return self;
}

#define BIT(status) (1u << (status))

/* Semantics rule 10: the statuses a worker may enter each status from. */
static guint
allowed_from (PgqrsWorkerStatus to)
{
  switch (to)
    {
    case PGQRS_WORKER_STATUS_READY:
      return BIT (PGQRS_WORKER_STATUS_POLLING) | BIT (PGQRS_WORKER_STATUS_SUSPENDED);
    case PGQRS_WORKER_STATUS_POLLING:
      return BIT (PGQRS_WORKER_STATUS_READY);
    case PGQRS_WORKER_STATUS_INTERRUPTED:
      return BIT (PGQRS_WORKER_STATUS_POLLING);
    case PGQRS_WORKER_STATUS_SUSPENDED:
      return BIT (PGQRS_WORKER_STATUS_READY) | BIT (PGQRS_WORKER_STATUS_POLLING) |
             BIT (PGQRS_WORKER_STATUS_INTERRUPTED);
    case PGQRS_WORKER_STATUS_STOPPED:
      return BIT (PGQRS_WORKER_STATUS_SUSPENDED);
    default:
      return 0;
    }
}

static PgqrsRequest *
transition_request (PgqrsWorker       *self,
                    PgqrsWorkerStatus  to)
{
  return _pgqrs_request_new_worker_transition (self->id, to, allowed_from (to));
}

/* Every worker call answers the worker's row; keep the snapshot fresh. */
static gboolean
apply_reply (PgqrsWorker *self,
             PgqrsReply  *reply)
{
  if (reply == NULL)
    return FALSE;

  g_assert (reply->workers != NULL && reply->workers->len == 1);
  _pgqrs_worker_update (self, g_ptr_array_index (reply->workers, 0));

  return TRUE;
}

static gboolean
run_sync (PgqrsWorker   *self,
          PgqrsRequest  *request,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(PgqrsReply) reply = _pgqrs_store_execute (self->store, request, cancellable, error);

  return apply_reply (self, reply);
}

static gboolean
run_finish (PgqrsWorker   *self,
            GAsyncResult  *result,
            gpointer       source_tag,
            GError       **error)
{
  g_autoptr(PgqrsReply) reply = _pgqrs_store_execute_finish (self, result, source_tag, error);

  return apply_reply (self, reply);
}

/**
 * pgqrs_worker_refresh:
 * @self: a #PgqrsWorker
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads the worker's row again, updating its properties.
 *
 * Returns: %TRUE on success; %PGQRS_ERROR_NOT_FOUND if the worker is gone
 *
 * Since: 1.0
 */
gboolean
pgqrs_worker_refresh (PgqrsWorker   *self,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_return_val_if_fail (PGQRS_IS_WORKER (self), FALSE);

  return run_sync (self, _pgqrs_request_new_worker_get (self->id), cancellable, error);
}

/**
 * pgqrs_worker_refresh_async:
 * @self: a #PgqrsWorker
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Worker.refresh] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_worker_refresh_async (PgqrsWorker         *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (PGQRS_IS_WORKER (self));

  _pgqrs_store_execute_async (self->store, self, _pgqrs_request_new_worker_get (self->id),
                              pgqrs_worker_refresh_async, cancellable, callback, user_data);
}

/**
 * pgqrs_worker_refresh_finish:
 * @self: a #PgqrsWorker
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Worker.refresh_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
pgqrs_worker_refresh_finish (PgqrsWorker   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return run_finish (self, result, pgqrs_worker_refresh_async, error);
}

/**
 * pgqrs_worker_heartbeat:
 * @self: a #PgqrsWorker
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Records that the worker is alive, by the database's clock.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
pgqrs_worker_heartbeat (PgqrsWorker   *self,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_return_val_if_fail (PGQRS_IS_WORKER (self), FALSE);

  return run_sync (self, _pgqrs_request_new_worker_heartbeat (self->id), cancellable, error);
}

/**
 * pgqrs_worker_heartbeat_async:
 * @self: a #PgqrsWorker
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Worker.heartbeat] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_worker_heartbeat_async (PgqrsWorker         *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (PGQRS_IS_WORKER (self));

  _pgqrs_store_execute_async (self->store, self, _pgqrs_request_new_worker_heartbeat (self->id),
                              pgqrs_worker_heartbeat_async, cancellable, callback, user_data);
}

/**
 * pgqrs_worker_heartbeat_finish:
 * @self: a #PgqrsWorker
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Worker.heartbeat_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
pgqrs_worker_heartbeat_finish (PgqrsWorker   *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return run_finish (self, result, pgqrs_worker_heartbeat_async, error);
}

/**
 * pgqrs_worker_transition:
 * @self: a #PgqrsWorker
 * @to: the status to move to
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Moves the worker to another status, atomically checking that the move is
 * allowed from the status it is in (see [enum@WorkerStatus]). Moving to
 * %PGQRS_WORKER_STATUS_STOPPED is refused while the worker holds leases.
 *
 * Returns: %TRUE on success; %FALSE with %PGQRS_ERROR_INVALID_STATE naming
 *   both statuses if the move is not allowed
 *
 * Since: 1.0
 */
gboolean
pgqrs_worker_transition (PgqrsWorker        *self,
                         PgqrsWorkerStatus   to,
                         GCancellable       *cancellable,
                         GError            **error)
{
  g_return_val_if_fail (PGQRS_IS_WORKER (self), FALSE);

  return run_sync (self, transition_request (self, to), cancellable, error);
}

/**
 * pgqrs_worker_transition_async:
 * @self: a #PgqrsWorker
 * @to: the status to move to
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Worker.transition] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_worker_transition_async (PgqrsWorker         *self,
                               PgqrsWorkerStatus    to,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (PGQRS_IS_WORKER (self));

  _pgqrs_store_execute_async (self->store, self, transition_request (self, to),
                              pgqrs_worker_transition_async, cancellable, callback, user_data);
}

/**
 * pgqrs_worker_transition_finish:
 * @self: a #PgqrsWorker
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Worker.transition_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
pgqrs_worker_transition_finish (PgqrsWorker   *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return run_finish (self, result, pgqrs_worker_transition_async, error);
}

/**
 * pgqrs_worker_is_healthy:
 * @self: a #PgqrsWorker
 * @max_age_seconds: how old the last heartbeat may be
 *
 * Whether the worker is live and its last heartbeat was within
 * @max_age_seconds, as of the last call that read the worker's row.
 *
 * Returns: %TRUE if the worker is healthy
 *
 * Since: 1.0
 */
gboolean
pgqrs_worker_is_healthy (PgqrsWorker *self,
                         double       max_age_seconds)
{
  g_return_val_if_fail (PGQRS_IS_WORKER (self), FALSE);

  return self->status != PGQRS_WORKER_STATUS_STOPPED &&
         self->heartbeat_age <= max_age_seconds;
}

/**
 * pgqrs_worker_get_store:
 * @self: a #PgqrsWorker
 *
 * Gets the store the worker is registered in.
 *
 * Returns: (transfer none): the store the worker is registered in
 *
 * Since: 1.0
 */
PgqrsStore *
pgqrs_worker_get_store (PgqrsWorker *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKER (self), NULL);
  return self->store;
}

/**
 * pgqrs_worker_get_id:
 * @self: a #PgqrsWorker
 *
 * Gets the worker's id in the store.
 *
 * Returns: the worker's id
 *
 * Since: 1.0
 */
gint64
pgqrs_worker_get_id (PgqrsWorker *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKER (self), 0);
  return self->id;
}

/**
 * pgqrs_worker_get_name:
 * @self: a #PgqrsWorker
 *
 * Gets the worker's name, unique in the store.
 *
 * Returns: the worker's name
 *
 * Since: 1.0
 */
const char *
pgqrs_worker_get_name (PgqrsWorker *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKER (self), NULL);
  return self->name;
}

/**
 * pgqrs_worker_get_queue_id:
 * @self: a #PgqrsWorker
 *
 * Gets the id of the queue the worker serves.
 *
 * Returns: the id of the queue the worker serves, or 0
 *
 * Since: 1.0
 */
gint64
pgqrs_worker_get_queue_id (PgqrsWorker *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKER (self), 0);
  return self->queue_id;
}

/**
 * pgqrs_worker_get_status:
 * @self: a #PgqrsWorker
 *
 * Gets the worker's status as it was last read or changed.
 *
 * Returns: the worker's status, as last read
 *
 * Since: 1.0
 */
PgqrsWorkerStatus
pgqrs_worker_get_status (PgqrsWorker *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKER (self), PGQRS_WORKER_STATUS_STOPPED);
  return self->status;
}

/**
 * pgqrs_worker_get_started_at:
 * @self: a #PgqrsWorker
 *
 * Gets when the worker was registered.
 *
 * Returns: (transfer none) (nullable): when the worker was registered
 *
 * Since: 1.0
 */
GDateTime *
pgqrs_worker_get_started_at (PgqrsWorker *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKER (self), NULL);
  return self->started_at;
}

/**
 * pgqrs_worker_get_heartbeat_at:
 * @self: a #PgqrsWorker
 *
 * Gets when the worker sent its last heartbeat.
 *
 * Returns: (transfer none) (nullable): the last heartbeat
 *
 * Since: 1.0
 */
GDateTime *
pgqrs_worker_get_heartbeat_at (PgqrsWorker *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKER (self), NULL);
  return self->heartbeat_at;
}

/**
 * pgqrs_worker_get_shutdown_at:
 * @self: a #PgqrsWorker
 *
 * Gets when the worker was stopped.
 *
 * Returns: (transfer none) (nullable): when the worker stopped
 *
 * Since: 1.0
 */
GDateTime *
pgqrs_worker_get_shutdown_at (PgqrsWorker *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKER (self), NULL);
  return self->shutdown_at;
}

/**
 * pgqrs_worker_get_heartbeat_age:
 * @self: a #PgqrsWorker
 *
 * Gets how old the worker's last heartbeat was when the worker was last
 * read.
 *
 * Returns: seconds between the last heartbeat and the last read of the
 *   worker's row, by the database's clock
 *
 * Since: 1.0
 */
double
pgqrs_worker_get_heartbeat_age (PgqrsWorker *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKER (self), 0);
  return self->heartbeat_age;
}
