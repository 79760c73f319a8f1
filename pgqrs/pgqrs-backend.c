/* pgqrs-backend.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pgqrs-backend-private.h"
#include "pgqrs-error.h"

#include "backends/sqlite/pgqrs-sqlite-backend-private.h"
#ifdef HAVE_POSTGRES
# include "backends/postgres/pgqrs-postgres-backend-private.h"
#endif

G_DEFINE_INTERFACE (PgqrsBackend, pgqrs_backend, G_TYPE_OBJECT)

enum {
  MESSAGE_AVAILABLE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
pgqrs_backend_default_init (PgqrsBackendInterface *iface)
{
  signals[MESSAGE_AVAILABLE] =
    g_signal_new ("message-available",
                  G_TYPE_FROM_INTERFACE (iface),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
}

guint
_pgqrs_backend_watch (PgqrsBackend    *self,
                      PgqrsWakeupFunc  func,
                      gpointer         user_data,
                      GDestroyNotify   destroy)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  return PGQRS_BACKEND_GET_IFACE (self)->watch (self, context, func, user_data, destroy);
}

static void
emit_message_available (gint64   queue_id,
                        gpointer user_data)
{
  g_signal_emit (user_data, signals[MESSAGE_AVAILABLE], 0, queue_id);
}

void
_pgqrs_backend_set_watching (PgqrsBackend *self,
                             gboolean      watching)
{
  static GMutex lock;
  GArray *ids;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);

  /* the watches made here, innermost last */
  if (!(ids = g_object_get_data (G_OBJECT (self), "pgqrs-set-watching")))
    {
      ids = g_array_new (FALSE, FALSE, sizeof (guint));
      g_object_set_data_full (G_OBJECT (self), "pgqrs-set-watching", ids,
                              (GDestroyNotify)g_array_unref);
    }

  if (watching)
    {
      guint id = PGQRS_BACKEND_GET_IFACE (self)->watch (self, NULL, emit_message_available,
                                                        self, NULL);

      g_array_append_val (ids, id);
    }
  else if (ids->len > 0)
    {
      _pgqrs_backend_unwatch (self, g_array_index (ids, guint, ids->len - 1));
      g_array_set_size (ids, ids->len - 1);
    }
}

void
_pgqrs_backend_unwatch (PgqrsBackend *self,
                        guint         watch_id)
{
  PGQRS_BACKEND_GET_IFACE (self)->unwatch (self, watch_id);
}

void
_pgqrs_backend_open_async (PgqrsBackend        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  PGQRS_BACKEND_GET_IFACE (self)->open_async (self, cancellable, callback, user_data);
}

gboolean
_pgqrs_backend_open_finish (PgqrsBackend  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return PGQRS_BACKEND_GET_IFACE (self)->open_finish (self, result, error);
}

void
_pgqrs_backend_execute_async (PgqrsBackend        *self,
                              PgqrsRequest        *request,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  PGQRS_BACKEND_GET_IFACE (self)->execute_async (self, request, cancellable, callback, user_data);
}

PgqrsReply *
_pgqrs_backend_execute_finish (PgqrsBackend  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return PGQRS_BACKEND_GET_IFACE (self)->execute_finish (self, result, error);
}

PgqrsBackend *
_pgqrs_backend_new_for_config (PgqrsConfig  *config,
                               GError      **error)
{
  switch (pgqrs_config_get_backend_kind (config))
    {
    case PGQRS_BACKEND_KIND_SQLITE:
      return _pgqrs_sqlite_backend_new (config);

    case PGQRS_BACKEND_KIND_POSTGRES:
#ifdef HAVE_POSTGRES
      return _pgqrs_postgres_backend_new (config);
#else
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_BACKEND_UNAVAILABLE,
                   _("This build of pgqrs has no PostgreSQL backend (DSN “%s”)"),
                   pgqrs_config_get_dsn (config));
      return NULL;
#endif

    case PGQRS_BACKEND_KIND_TURSO:
    default:
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_BACKEND_UNAVAILABLE,
                   _("This build of pgqrs has no Turso backend (DSN “%s”)"),
                   pgqrs_config_get_dsn (config));
      return NULL;
    }
}

PgqrsRequest *
_pgqrs_request_new (PgqrsOp op)
{
  PgqrsRequest *request = g_new0 (PgqrsRequest, 1);

  request->op = op;

  return request;
}

void
_pgqrs_request_free (PgqrsRequest *request)
{
  if (request == NULL)
    return;

  g_free (request->queue_name);
  g_free (request->worker_name);
  g_free (request->workflow_name);
  g_free (request->step_name);
  g_clear_pointer (&request->payloads, g_ptr_array_unref);
  g_clear_pointer (&request->tokens, g_array_unref);
  g_free (request);
}

void
_pgqrs_request_add_token (PgqrsRequest *request,
                          gint64        id,
                          gint64        lease_count)
{
  PgqrsLeaseToken token = { id, lease_count };

  if (request->tokens == NULL)
    request->tokens = g_array_new (FALSE, FALSE, sizeof (PgqrsLeaseToken));

  g_array_append_val (request->tokens, token);
}

const char *
_pgqrs_op_to_string (PgqrsOp op)
{
  static const char * const names[] = {
    [PGQRS_OP_INSTALL] = "install",
    [PGQRS_OP_VERIFY] = "verify",
    [PGQRS_OP_QUEUE_CREATE] = "create queue",
    [PGQRS_OP_QUEUE_GET] = "get queue",
    [PGQRS_OP_QUEUE_LIST] = "list queues",
    [PGQRS_OP_QUEUE_DELETE] = "delete queue",
    [PGQRS_OP_QUEUE_PURGE] = "purge queue",
    [PGQRS_OP_ENQUEUE] = "enqueue",
    [PGQRS_OP_LEASE] = "dequeue",
    [PGQRS_OP_ARCHIVE] = "archive",
    [PGQRS_OP_DELETE] = "delete",
    [PGQRS_OP_RELEASE] = "release",
    [PGQRS_OP_EXTEND] = "extend visibility",
    [PGQRS_OP_METRICS] = "metrics",
    [PGQRS_OP_LIST_ARCHIVED] = "list archived",
    [PGQRS_OP_REPLAY] = "replay",
    [PGQRS_OP_NEXT_VISIBLE] = "next visible",
    [PGQRS_OP_WORKER_REGISTER] = "register worker",
    [PGQRS_OP_WORKER_GET] = "get worker",
    [PGQRS_OP_WORKER_HEARTBEAT] = "heartbeat",
    [PGQRS_OP_WORKER_TRANSITION] = "change worker status",
    [PGQRS_OP_WORKER_LIST] = "list workers",
    [PGQRS_OP_WORKER_RECLAIM] = "reclaim workers",
    [PGQRS_OP_WORKER_STATS] = "worker statistics",
    [PGQRS_OP_WORKFLOW_DEFINE] = "define workflow",
    [PGQRS_OP_RUN_CREATE] = "create run",
    [PGQRS_OP_RUN_GET] = "get run",
    [PGQRS_OP_RUN_TRANSITION] = "change run status",
    [PGQRS_OP_STEP_ACQUIRE] = "acquire step",
    [PGQRS_OP_STEP_COMPLETE] = "complete step",
    [PGQRS_OP_STEP_FAIL] = "fail step",
    [PGQRS_OP_CLOCK_SET] = "set the clock",
  };

  if ((guint)op < G_N_ELEMENTS (names) && names[op] != NULL)
    return names[op];

  return "unknown operation";
}

void
_pgqrs_queue_row_free (PgqrsQueueRow *row)
{
  if (row == NULL)
    return;

  g_free (row->name);
  g_free (row->created_at);
  g_free (row);
}

PgqrsReply *
_pgqrs_reply_new (void)
{
  return g_new0 (PgqrsReply, 1);
}

void
_pgqrs_reply_free (PgqrsReply *reply)
{
  if (reply == NULL)
    return;

  g_clear_pointer (&reply->queues, g_ptr_array_unref);
  g_clear_pointer (&reply->ids, g_array_unref);
  g_clear_pointer (&reply->flags, g_array_unref);
  g_clear_pointer (&reply->messages, g_ptr_array_unref);
  g_clear_pointer (&reply->metrics, g_ptr_array_unref);
  g_clear_pointer (&reply->worker_stats, g_ptr_array_unref);
  g_clear_pointer (&reply->workers, g_ptr_array_unref);
  g_clear_pointer (&reply->runs, g_ptr_array_unref);
  g_clear_pointer (&reply->steps, g_ptr_array_unref);
  g_free (reply);
}

void
_pgqrs_reply_add_queue (PgqrsReply *reply,
                        gint64      id,
                        const char *name,
                        const char *created_at)
{
  PgqrsQueueRow *row = g_new0 (PgqrsQueueRow, 1);

  row->id = id;
  row->name = g_strdup (name);
  row->created_at = g_strdup (created_at);

  if (reply->queues == NULL)
    reply->queues = g_ptr_array_new_with_free_func ((GDestroyNotify)_pgqrs_queue_row_free);

  g_ptr_array_add (reply->queues, row);
}

void
_pgqrs_reply_add_id (PgqrsReply *reply,
                     gint64      id)
{
  if (reply->ids == NULL)
    reply->ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_array_append_val (reply->ids, id);
}

void
_pgqrs_reply_add_flag (PgqrsReply *reply,
                       gboolean    flag)
{
  if (reply->flags == NULL)
    reply->flags = g_array_new (FALSE, FALSE, sizeof (gboolean));

  g_array_append_val (reply->flags, flag);
}

void
_pgqrs_worker_row_free (PgqrsWorkerRow *row)
{
  if (row == NULL)
    return;

  g_free (row->name);
  g_free (row->started_at);
  g_free (row->heartbeat_at);
  g_free (row->shutdown_at);
  g_free (row);
}

void
_pgqrs_reply_add_worker (PgqrsReply           *reply,
                         const PgqrsWorkerRow *row)
{
  PgqrsWorkerRow *copy = g_new0 (PgqrsWorkerRow, 1);

  *copy = *row;
  copy->name = g_strdup (row->name);
  copy->started_at = g_strdup (row->started_at);
  copy->heartbeat_at = g_strdup (row->heartbeat_at);
  copy->shutdown_at = g_strdup (row->shutdown_at);

  if (reply->workers == NULL)
    reply->workers = g_ptr_array_new_with_free_func ((GDestroyNotify)_pgqrs_worker_row_free);

  g_ptr_array_add (reply->workers, copy);
}

PgqrsWorkerStatus
_pgqrs_worker_status_from_string (const char *text)
{
  for (guint i = PGQRS_WORKER_STATUS_READY; i <= PGQRS_WORKER_STATUS_STOPPED; i++)
    if (g_strcmp0 (text, pgqrs_worker_status_to_string (i)) == 0)
      return i;

  return PGQRS_WORKER_STATUS_STOPPED;
}

void
_pgqrs_run_row_free (PgqrsRunRow *row)
{
  if (row == NULL)
    return;

  g_free (row->workflow_name);
  g_free (row->input);
  g_free (row->output);
  g_free (row->error);
  g_free (row->pause_reason);
  g_free (row->created_at);
  g_free (row->updated_at);
  g_free (row->started_at);
  g_free (row->paused_at);
  g_free (row->completed_at);
  g_free (row->resume_at);
  g_free (row);
}

void
_pgqrs_reply_add_run (PgqrsReply        *reply,
                      const PgqrsRunRow *row)
{
  PgqrsRunRow *copy = g_new0 (PgqrsRunRow, 1);

  *copy = *row;
  copy->workflow_name = g_strdup (row->workflow_name);
  copy->input = g_strdup (row->input);
  copy->output = g_strdup (row->output);
  copy->error = g_strdup (row->error);
  copy->pause_reason = g_strdup (row->pause_reason);
  copy->created_at = g_strdup (row->created_at);
  copy->updated_at = g_strdup (row->updated_at);
  copy->started_at = g_strdup (row->started_at);
  copy->paused_at = g_strdup (row->paused_at);
  copy->completed_at = g_strdup (row->completed_at);
  copy->resume_at = g_strdup (row->resume_at);

  if (reply->runs == NULL)
    reply->runs = g_ptr_array_new_with_free_func ((GDestroyNotify)_pgqrs_run_row_free);

  g_ptr_array_add (reply->runs, copy);
}

void
_pgqrs_step_row_free (PgqrsStepRow *row)
{
  if (row == NULL)
    return;

  g_free (row->name);
  g_free (row->output);
  g_free (row->error);
  g_free (row->retry_at);
  g_free (row->started_at);
  g_free (row->completed_at);
  g_free (row);
}

void
_pgqrs_reply_add_step (PgqrsReply         *reply,
                       const PgqrsStepRow *row)
{
  PgqrsStepRow *copy = g_new0 (PgqrsStepRow, 1);

  *copy = *row;
  copy->name = g_strdup (row->name);
  copy->output = g_strdup (row->output);
  copy->error = g_strdup (row->error);
  copy->retry_at = g_strdup (row->retry_at);
  copy->started_at = g_strdup (row->started_at);
  copy->completed_at = g_strdup (row->completed_at);

  if (reply->steps == NULL)
    reply->steps = g_ptr_array_new_with_free_func ((GDestroyNotify)_pgqrs_step_row_free);

  g_ptr_array_add (reply->steps, copy);
}

PgqrsRunStatus
_pgqrs_run_status_from_string (const char *text)
{
  for (guint i = PGQRS_RUN_STATUS_QUEUED; i <= PGQRS_RUN_STATUS_CANCELLED; i++)
    if (g_strcmp0 (text, pgqrs_run_status_to_string (i)) == 0)
      return i;

  return PGQRS_RUN_STATUS_ERROR;
}

PgqrsStepStatus
_pgqrs_step_status_from_string (const char *text)
{
  for (guint i = PGQRS_STEP_STATUS_PENDING; i <= PGQRS_STEP_STATUS_ERROR; i++)
    if (g_strcmp0 (text, pgqrs_step_status_to_string (i)) == 0)
      return i;

  return PGQRS_STEP_STATUS_ERROR;
}

PgqrsStepVerdict
_pgqrs_step_row_judge (PgqrsStepRow        *step,
                       const PgqrsRequest  *request,
                       gboolean             not_due,
                       GError             **error)
{
  switch (step->status)
    {
    case PGQRS_STEP_STATUS_SUCCESS:
      step->cached = TRUE;      /* rule 18: replay, do not run */
      return PGQRS_STEP_VERDICT_REPLAY;

    case PGQRS_STEP_STATUS_ERROR:
      if (step->retry_at == NULL)
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE,
                       _("Step “%s” of workflow run %lld failed for good"),
                       request->step_name, (long long)request->run_id);
          return PGQRS_STEP_VERDICT_REFUSED;
        }
      if (not_due)
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_STEP_NOT_READY,
                       _("Step “%s” of workflow run %lld may retry at %s"),
                       request->step_name, (long long)request->run_id, step->retry_at);
          return PGQRS_STEP_VERDICT_REFUSED;
        }
      return PGQRS_STEP_VERDICT_RESTART;

    case PGQRS_STEP_STATUS_RUNNING:   /* its process died mid-step: run it again */
    case PGQRS_STEP_STATUS_PENDING:
    default:
      return PGQRS_STEP_VERDICT_RESTART;
    }
}

gboolean
_pgqrs_run_check_running (gint64           run_id,
                          PgqrsRunStatus   status,
                          GError         **error)
{
  if (status == PGQRS_RUN_STATUS_RUNNING)
    return TRUE;

  g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE,
               _("Workflow run %lld is %s; steps run only while it is RUNNING"),
               (long long)run_id, pgqrs_run_status_to_string (status));
  return FALSE;
}
