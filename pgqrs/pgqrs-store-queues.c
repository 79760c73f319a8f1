/* pgqrs-store-queues.c — PgqrsStore: queues, metrics, archive, replay
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pgqrs-error.h"
#include "pgqrs-queue-private.h"
#include "pgqrs-store-private.h"
#include "pgqrs-validation-private.h"

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

  if (!(request = _pgqrs_store_queue_request (_pgqrs_request_new_queue_create, name, error)) ||
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

  if (!(request = _pgqrs_store_queue_request (_pgqrs_request_new_queue_create, name, &error)))
    return _pgqrs_store_report_error (self, pgqrs_store_create_queue_async,
                                       callback, user_data, error);

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

  if (!(request = _pgqrs_store_queue_request (_pgqrs_request_new_queue_get, name, error)) ||
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

  if (!(request = _pgqrs_store_queue_request (_pgqrs_request_new_queue_get, name, &error)))
    return _pgqrs_store_report_error (self, pgqrs_store_get_queue_async,
                                       callback, user_data, error);

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

  if (!(reply = _pgqrs_store_execute (self, _pgqrs_request_new_queue_list (),
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

  _pgqrs_store_execute_async (self, self, _pgqrs_request_new_queue_list (),
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
  if (!_pgqrs_validate_name (_("queue name"), name, error))
    return NULL;

  return _pgqrs_request_new_queue_delete (name, cascade);
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
    return _pgqrs_store_report_error (self, pgqrs_store_delete_queue_async,
                                       callback, user_data, error);

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

  if (!(request = _pgqrs_store_queue_request (_pgqrs_request_new_queue_purge, name, error)) ||
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

  if (!(request = _pgqrs_store_queue_request (_pgqrs_request_new_queue_purge, name, &error)))
    return _pgqrs_store_report_error (self, pgqrs_store_purge_queue_async,
                                       callback, user_data, error);

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

  if (!(request = _pgqrs_store_queue_request (_pgqrs_request_new_metrics, queue_name, error)) ||
      !(reply = _pgqrs_store_execute (self, request, cancellable, error)))
    return NULL;

  return _pgqrs_store_only_object (reply->metrics);
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

  if (!(request = _pgqrs_store_queue_request (_pgqrs_request_new_metrics, queue_name, &error)))
    return _pgqrs_store_report_error (self, pgqrs_store_get_metrics_async,
                                       callback, user_data, error);

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

  return _pgqrs_store_only_object (reply->metrics);
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

  if (!(reply = _pgqrs_store_execute (self, _pgqrs_request_new_metrics (NULL),
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

  _pgqrs_store_execute_async (self, self, _pgqrs_request_new_metrics (NULL),
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
  if (queue_name != NULL && !_pgqrs_validate_name (_("queue name"), queue_name, error))
    return NULL;

  return _pgqrs_request_new_list_archived (queue_name, dead_letters_only,
                                           limit > 0 ? limit : 100, offset);
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
    return _pgqrs_store_report_error (self, pgqrs_store_list_archived_async,
                                       callback, user_data, error);

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
  return _pgqrs_request_new_replay (message_id);
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

  return _pgqrs_reply_get_flag (reply);
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

  return _pgqrs_reply_get_flag (reply);
}
