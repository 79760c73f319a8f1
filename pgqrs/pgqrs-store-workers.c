/* pgqrs-store-workers.c — PgqrsStore: workers, their statistics, reclaim
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pgqrs-error.h"
#include "pgqrs-store-private.h"
#include "pgqrs-validation-private.h"
#include "pgqrs-worker-private.h"

/* A live worker's name is refused, unless its heartbeat is this many
 * heartbeat intervals old: its process died, and a restart takes it over. */
#define TAKEOVER_HEARTBEATS 3

/* A live worker that sent no heartbeat this long is taken for dead: its
 * name may be taken over, and it counts as stale. */
static double
takeover_after (PgqrsStore *self)
{
  PgqrsConfig *config = pgqrs_store_get_config (self);

  return TAKEOVER_HEARTBEATS * pgqrs_config_get_heartbeat_interval (config);
}

static PgqrsRequest *
register_worker_request (PgqrsStore  *self,
                         const char  *name,
                         const char  *queue_name,
                         GError     **error)
{
  if (!_pgqrs_validate_name (_("worker name"), name, error) ||
      (queue_name != NULL && !_pgqrs_validate_name (_("queue name"), queue_name, error)))
    return NULL;

  return _pgqrs_request_new_worker_register (name, queue_name, takeover_after (self));
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
    return _pgqrs_store_report_error (self, pgqrs_store_register_worker_async,
                                       callback, user_data, error);

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
    return _pgqrs_store_queue_request (_pgqrs_request_new_worker_list, queue_name, error);

  return _pgqrs_request_new_worker_list (NULL);
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
    return _pgqrs_store_report_error (self, pgqrs_store_list_workers_async,
                                       callback, user_data, error);

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
  if (queue_name != NULL && !_pgqrs_validate_name (_("queue name"), queue_name, error))
    return NULL;

  return _pgqrs_request_new_worker_stats (queue_name, takeover_after (self));
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

  return _pgqrs_store_only_object (reply->worker_stats);
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
    return _pgqrs_store_report_error (self, pgqrs_store_get_worker_stats_async,
                                       callback, user_data, error);

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

  return _pgqrs_store_only_object (reply->worker_stats);
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
  if (!(older_than_seconds > 0))
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                   _("Reclaim needs a positive heartbeat age, not %g"), older_than_seconds);
      return NULL;
    }

  return _pgqrs_request_new_worker_reclaim (older_than_seconds);
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
    return _pgqrs_store_report_error (self, pgqrs_store_reclaim_workers_async,
                                       callback, user_data, error);

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
