/* pgqrs-request.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "pgqrs-request-private.h"

static PgqrsRequest *
request_new (PgqrsOp op)
{
  PgqrsRequest *request = g_new0 (PgqrsRequest, 1);

  request->op = op;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_install (void)
{
  return request_new (PGQRS_OP_INSTALL);
}

PgqrsRequest *
_pgqrs_request_new_verify (void)
{
  return request_new (PGQRS_OP_VERIFY);
}

PgqrsRequest *
_pgqrs_request_new_queue_create (const char *queue_name)
{
  PgqrsRequest *request = request_new (PGQRS_OP_QUEUE_CREATE);

  request->queue_create.queue_name = g_strdup (queue_name);

  return request;
}

PgqrsRequest *
_pgqrs_request_new_queue_get (const char *queue_name)
{
  PgqrsRequest *request = request_new (PGQRS_OP_QUEUE_GET);

  request->queue_get.queue_name = g_strdup (queue_name);

  return request;
}

PgqrsRequest *
_pgqrs_request_new_queue_list (void)
{
  return request_new (PGQRS_OP_QUEUE_LIST);
}

PgqrsRequest *
_pgqrs_request_new_queue_delete (const char *queue_name,
                                 gboolean    cascade)
{
  PgqrsRequest *request = request_new (PGQRS_OP_QUEUE_DELETE);

  request->queue_delete.queue_name = g_strdup (queue_name);
  request->queue_delete.cascade = cascade;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_queue_purge (const char *queue_name)
{
  PgqrsRequest *request = request_new (PGQRS_OP_QUEUE_PURGE);

  request->queue_purge.queue_name = g_strdup (queue_name);

  return request;
}

PgqrsRequest *
_pgqrs_request_new_enqueue (gint64      queue_id,
                            const char *queue_name,
                            gint64      worker_id,
                            GPtrArray  *payloads,
                            double      delay_seconds)
{
  PgqrsRequest *request = request_new (PGQRS_OP_ENQUEUE);

  request->enqueue.queue_id = queue_id;
  request->enqueue.queue_name = g_strdup (queue_name);
  request->enqueue.worker_id = worker_id;
  request->enqueue.payloads = payloads;
  request->enqueue.delay_seconds = delay_seconds;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_lease (gint64 queue_id,
                          gint64 worker_id,
                          guint  limit,
                          double visibility_seconds,
                          guint  max_read_count)
{
  PgqrsRequest *request = request_new (PGQRS_OP_LEASE);

  request->lease.queue_id = queue_id;
  request->lease.worker_id = worker_id;
  request->lease.limit = limit;
  request->lease.visibility_seconds = visibility_seconds;
  request->lease.max_read_count = max_read_count;

  return request;
}

/* Every settle's arguments start with a PgqrsSettleArgs, so the union
 * members overlap there; this is the one place that relies on it. */
static PgqrsSettleArgs *
settle_args (PgqrsRequest *request)
{
  /* four of the ops: if rather than a switch that would list them all */
  if (request->op == PGQRS_OP_ARCHIVE)
    return &request->archive.settle;
  if (request->op == PGQRS_OP_DELETE)
    return &request->delete.settle;
  if (request->op == PGQRS_OP_RELEASE)
    return &request->release.settle;
  if (request->op == PGQRS_OP_EXTEND)
    return &request->extend.settle;
  return NULL;
}

static PgqrsRequest *
settle_new (PgqrsOp op,
            gint64  queue_id)
{
  PgqrsRequest *request = request_new (op);
  PgqrsSettleArgs *settle = settle_args (request);

  settle->queue_id = queue_id;
  settle->tokens = g_array_new (FALSE, FALSE, sizeof (PgqrsLeaseToken));

  return request;
}

PgqrsRequest *
_pgqrs_request_new_archive (gint64   queue_id,
                            gboolean dead_letter)
{
  PgqrsRequest *request = settle_new (PGQRS_OP_ARCHIVE, queue_id);

  request->archive.dead_letter = dead_letter;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_delete (gint64 queue_id)
{
  return settle_new (PGQRS_OP_DELETE, queue_id);
}

PgqrsRequest *
_pgqrs_request_new_release (gint64 queue_id,
                            double delay_seconds)
{
  PgqrsRequest *request = settle_new (PGQRS_OP_RELEASE, queue_id);

  request->release.delay_seconds = delay_seconds;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_extend (gint64 queue_id,
                           double extend_seconds)
{
  PgqrsRequest *request = settle_new (PGQRS_OP_EXTEND, queue_id);

  request->extend.extend_seconds = extend_seconds;

  return request;
}

void
_pgqrs_request_add_token (PgqrsRequest *request,
                          gint64        id,
                          gint64        lease_count)
{
  PgqrsSettleArgs *settle = settle_args (request);
  PgqrsLeaseToken token = { id, lease_count };

  g_return_if_fail (settle != NULL);

  g_array_append_val (settle->tokens, token);
}

void
_pgqrs_request_set_idempotency_keys (PgqrsRequest *request,
                                     GPtrArray    *keys)
{
  g_return_if_fail (request->op == PGQRS_OP_ENQUEUE);
  g_return_if_fail (keys == NULL || keys->len == request->enqueue.payloads->len);

  g_clear_pointer (&request->enqueue.idempotency_keys, g_ptr_array_unref);
  request->enqueue.idempotency_keys = keys;
}

void
_pgqrs_request_set_idempotency_key (PgqrsRequest *request,
                                    const char   *key)
{
  g_return_if_fail (request->op == PGQRS_OP_RUN_CREATE);

  g_free (request->run_create.idempotency_key);
  request->run_create.idempotency_key = g_strdup (key);
}

void
_pgqrs_request_set_fence (PgqrsRequest          *request,
                          const PgqrsLeaseToken *fence)
{
  g_return_if_fail (request->op == PGQRS_OP_RUN_TRANSITION ||
                    request->op == PGQRS_OP_STEP_ACQUIRE ||
                    request->op == PGQRS_OP_STEP_COMPLETE ||
                    request->op == PGQRS_OP_STEP_FAIL ||
                    request->op == PGQRS_OP_STEP_LOOKUP ||
                    request->op == PGQRS_OP_STEP_RECORD);

  request->fence = fence ? *fence : (PgqrsLeaseToken) { 0, 0 };
}

gboolean
_pgqrs_request_archives_trigger (const PgqrsRequest *request)
{
  return request->op == PGQRS_OP_RUN_TRANSITION && request->run_transition.archive_trigger &&
         request->run_transition.to == PGQRS_RUN_STATUS_SUCCESS && request->fence.id != 0;
}

const PgqrsSettleArgs *
_pgqrs_request_get_settle (const PgqrsRequest *request)
{
  return settle_args ((PgqrsRequest *)request);
}

PgqrsRequest *
_pgqrs_request_new_metrics (const char *queue_name)
{
  PgqrsRequest *request = request_new (PGQRS_OP_METRICS);

  request->metrics.queue_name = g_strdup (queue_name);

  return request;
}

PgqrsRequest *
_pgqrs_request_new_list_archived (const char *queue_name,
                                  gboolean    dead_letter_only,
                                  guint       limit,
                                  guint       offset)
{
  PgqrsRequest *request = request_new (PGQRS_OP_LIST_ARCHIVED);

  request->list_archived.queue_name = g_strdup (queue_name);
  request->list_archived.dead_letter_only = dead_letter_only;
  request->list_archived.limit = limit;
  request->list_archived.offset = offset;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_replay (gint64 message_id)
{
  PgqrsRequest *request = request_new (PGQRS_OP_REPLAY);

  request->replay.message_id = message_id;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_next_visible (gint64 queue_id)
{
  PgqrsRequest *request = request_new (PGQRS_OP_NEXT_VISIBLE);

  request->next_visible.queue_id = queue_id;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_worker_register (const char *worker_name,
                                    const char *queue_name,
                                    double      takeover_after_seconds)
{
  PgqrsRequest *request = request_new (PGQRS_OP_WORKER_REGISTER);

  request->worker_register.worker_name = g_strdup (worker_name);
  request->worker_register.queue_name = g_strdup (queue_name);
  request->worker_register.takeover_after_seconds = takeover_after_seconds;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_worker_get (gint64 worker_id)
{
  PgqrsRequest *request = request_new (PGQRS_OP_WORKER_GET);

  request->worker_get.worker_id = worker_id;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_worker_heartbeat (gint64 worker_id)
{
  PgqrsRequest *request = request_new (PGQRS_OP_WORKER_HEARTBEAT);

  request->worker_heartbeat.worker_id = worker_id;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_worker_transition (gint64            worker_id,
                                      PgqrsWorkerStatus to,
                                      guint             allowed_from)
{
  PgqrsRequest *request = request_new (PGQRS_OP_WORKER_TRANSITION);

  request->worker_transition.worker_id = worker_id;
  request->worker_transition.to = to;
  request->worker_transition.allowed_from = allowed_from;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_worker_list (const char *queue_name)
{
  PgqrsRequest *request = request_new (PGQRS_OP_WORKER_LIST);

  request->worker_list.queue_name = g_strdup (queue_name);

  return request;
}

PgqrsRequest *
_pgqrs_request_new_worker_reclaim (double stale_after_seconds)
{
  PgqrsRequest *request = request_new (PGQRS_OP_WORKER_RECLAIM);

  request->worker_reclaim.stale_after_seconds = stale_after_seconds;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_worker_stats (const char *queue_name,
                                 double      stale_after_seconds)
{
  PgqrsRequest *request = request_new (PGQRS_OP_WORKER_STATS);

  request->worker_stats.queue_name = g_strdup (queue_name);
  request->worker_stats.stale_after_seconds = stale_after_seconds;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_workflow_define (const char *workflow_name,
                                    const char *queue_name)
{
  PgqrsRequest *request = request_new (PGQRS_OP_WORKFLOW_DEFINE);

  request->workflow_define.workflow_name = g_strdup (workflow_name);
  request->workflow_define.queue_name = g_strdup (queue_name);

  return request;
}

PgqrsRequest *
_pgqrs_request_new_run_create (const char *workflow_name,
                               const char *input,
                               gboolean    trigger,
                               gint64      worker_id)
{
  PgqrsRequest *request = request_new (PGQRS_OP_RUN_CREATE);

  request->run_create.workflow_name = g_strdup (workflow_name);
  request->run_create.input = g_strdup (input);
  request->run_create.trigger = trigger;
  request->run_create.worker_id = worker_id;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_run_get (gint64 run_id,
                            gint64 message_id)
{
  PgqrsRequest *request = request_new (PGQRS_OP_RUN_GET);

  request->run_get.run_id = run_id;
  request->run_get.message_id = message_id;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_run_transition (gint64          run_id,
                                   PgqrsRunStatus  to,
                                   guint           allowed_from,
                                   const char     *detail,
                                   double          resume_after_seconds,
                                   gint64          worker_id)
{
  PgqrsRequest *request = request_new (PGQRS_OP_RUN_TRANSITION);

  request->run_transition.run_id = run_id;
  request->run_transition.to = to;
  request->run_transition.allowed_from = allowed_from;
  request->run_transition.detail = g_strdup (detail);
  request->run_transition.resume_after_seconds = resume_after_seconds;
  request->run_transition.worker_id = worker_id;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_step_acquire (gint64      run_id,
                                 const char *step_name)
{
  PgqrsRequest *request = request_new (PGQRS_OP_STEP_ACQUIRE);

  request->step_acquire.run_id = run_id;
  request->step_acquire.step_name = g_strdup (step_name);

  return request;
}

PgqrsRequest *
_pgqrs_request_new_step_complete (gint64      step_id,
                                  const char *output)
{
  PgqrsRequest *request = request_new (PGQRS_OP_STEP_COMPLETE);

  request->step_complete.step_id = step_id;
  request->step_complete.output = g_strdup (output);

  return request;
}

PgqrsRequest *
_pgqrs_request_new_step_fail (gint64      step_id,
                              gint64      run_id,
                              const char *step_name,
                              const char *error,
                              double      retry_after_seconds)
{
  PgqrsRequest *request = request_new (PGQRS_OP_STEP_FAIL);

  request->step_fail.step_id = step_id;
  request->step_fail.run_id = run_id;
  request->step_fail.step_name = g_strdup (step_name);
  request->step_fail.error = g_strdup (error);
  request->step_fail.retry_after_seconds = retry_after_seconds;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_step_lookup (gint64      run_id,
                                const char *step_name)
{
  PgqrsRequest *request = request_new (PGQRS_OP_STEP_LOOKUP);

  request->step_lookup.run_id = run_id;
  request->step_lookup.step_name = g_strdup (step_name);

  return request;
}

PgqrsRequest *
_pgqrs_request_new_step_record (gint64      run_id,
                                const char *step_name,
                                const char *started_at,
                                const char *output)
{
  PgqrsRequest *request = request_new (PGQRS_OP_STEP_RECORD);

  request->step_record.run_id = run_id;
  request->step_record.step_name = g_strdup (step_name);
  request->step_record.started_at = g_strdup (started_at);
  request->step_record.output = g_strdup (output);

  return request;
}

PgqrsRequest *
_pgqrs_request_new_clock_set (double skew_seconds)
{
  PgqrsRequest *request = request_new (PGQRS_OP_CLOCK_SET);

  request->clock_set.skew_seconds = skew_seconds;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_message_list (gint64             queue_id,
                                 PgqrsMessageState  states,
                                 guint              limit,
                                 guint              offset)
{
  PgqrsRequest *request = request_new (PGQRS_OP_MESSAGE_LIST);

  request->message_list.queue_id = queue_id;
  request->message_list.states = states;
  request->message_list.limit = limit;
  request->message_list.offset = offset;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_message_get (gint64 queue_id,
                                gint64 message_id)
{
  PgqrsRequest *request = request_new (PGQRS_OP_MESSAGE_GET);

  request->message_get.queue_id = queue_id;
  request->message_get.message_id = message_id;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_run_list (const char *workflow_name,
                             guint       statuses,
                             const char *created_after,
                             const char *created_before,
                             guint       limit,
                             guint       offset)
{
  PgqrsRequest *request = request_new (PGQRS_OP_RUN_LIST);

  request->run_list.workflow_name = g_strdup (workflow_name);
  request->run_list.statuses = statuses;
  request->run_list.created_after = g_strdup (created_after);
  request->run_list.created_before = g_strdup (created_before);
  request->run_list.limit = limit;
  request->run_list.offset = offset;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_step_list (gint64 run_id)
{
  PgqrsRequest *request = request_new (PGQRS_OP_STEP_LIST);

  request->step_list.run_id = run_id;

  return request;
}

PgqrsRequest *
_pgqrs_request_new_server_info (void)
{
  return request_new (PGQRS_OP_SERVER_INFO);
}

void
_pgqrs_request_free (PgqrsRequest *request)
{
  PgqrsSettleArgs *settle;

  if (request == NULL)
    return;

  switch (request->op)
    {
    case PGQRS_OP_QUEUE_CREATE:
      g_free (request->queue_create.queue_name);
      break;
    case PGQRS_OP_QUEUE_GET:
      g_free (request->queue_get.queue_name);
      break;
    case PGQRS_OP_QUEUE_DELETE:
      g_free (request->queue_delete.queue_name);
      break;
    case PGQRS_OP_QUEUE_PURGE:
      g_free (request->queue_purge.queue_name);
      break;
    case PGQRS_OP_ENQUEUE:
      g_free (request->enqueue.queue_name);
      g_clear_pointer (&request->enqueue.payloads, g_ptr_array_unref);
      g_clear_pointer (&request->enqueue.idempotency_keys, g_ptr_array_unref);
      break;
    case PGQRS_OP_ARCHIVE:
    case PGQRS_OP_DELETE:
    case PGQRS_OP_RELEASE:
    case PGQRS_OP_EXTEND:
      settle = settle_args (request);
      g_clear_pointer (&settle->tokens, g_array_unref);
      break;
    case PGQRS_OP_METRICS:
      g_free (request->metrics.queue_name);
      break;
    case PGQRS_OP_LIST_ARCHIVED:
      g_free (request->list_archived.queue_name);
      break;
    case PGQRS_OP_WORKER_REGISTER:
      g_free (request->worker_register.worker_name);
      g_free (request->worker_register.queue_name);
      break;
    case PGQRS_OP_WORKER_LIST:
      g_free (request->worker_list.queue_name);
      break;
    case PGQRS_OP_WORKER_STATS:
      g_free (request->worker_stats.queue_name);
      break;
    case PGQRS_OP_WORKFLOW_DEFINE:
      g_free (request->workflow_define.workflow_name);
      g_free (request->workflow_define.queue_name);
      break;
    case PGQRS_OP_RUN_CREATE:
      g_free (request->run_create.workflow_name);
      g_free (request->run_create.input);
      g_free (request->run_create.idempotency_key);
      break;
    case PGQRS_OP_RUN_TRANSITION:
      g_free (request->run_transition.detail);
      break;
    case PGQRS_OP_STEP_ACQUIRE:
      g_free (request->step_acquire.step_name);
      break;
    case PGQRS_OP_STEP_COMPLETE:
      g_free (request->step_complete.output);
      break;
    case PGQRS_OP_STEP_FAIL:
      g_free (request->step_fail.step_name);
      g_free (request->step_fail.error);
      break;
    case PGQRS_OP_STEP_LOOKUP:
      g_free (request->step_lookup.step_name);
      break;
    case PGQRS_OP_STEP_RECORD:
      g_free (request->step_record.step_name);
      g_free (request->step_record.started_at);
      g_free (request->step_record.output);
      break;
    case PGQRS_OP_RUN_LIST:
      g_free (request->run_list.workflow_name);
      g_free (request->run_list.created_after);
      g_free (request->run_list.created_before);
      break;
    case PGQRS_OP_INSTALL:
    case PGQRS_OP_VERIFY:
    case PGQRS_OP_QUEUE_LIST:
    case PGQRS_OP_LEASE:
    case PGQRS_OP_REPLAY:
    case PGQRS_OP_NEXT_VISIBLE:
    case PGQRS_OP_WORKER_GET:
    case PGQRS_OP_WORKER_HEARTBEAT:
    case PGQRS_OP_WORKER_TRANSITION:
    case PGQRS_OP_WORKER_RECLAIM:
    case PGQRS_OP_RUN_GET:
    case PGQRS_OP_CLOCK_SET:
    case PGQRS_OP_MESSAGE_LIST:
    case PGQRS_OP_MESSAGE_GET:
    case PGQRS_OP_STEP_LIST:
    case PGQRS_OP_SERVER_INFO:
    default:
      break;
    }

  g_free (request);
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
    [PGQRS_OP_MESSAGE_LIST] = "list messages",
    [PGQRS_OP_MESSAGE_GET] = "get message",
    [PGQRS_OP_RUN_LIST] = "list runs",
    [PGQRS_OP_STEP_LIST] = "list steps",
    [PGQRS_OP_SERVER_INFO] = "read the versions",
    [PGQRS_OP_STEP_LOOKUP] = "look up step",
    [PGQRS_OP_STEP_RECORD] = "record step",
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
  g_free (reply->server_version);
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

GArray *
_pgqrs_reply_steal_ids (PgqrsReply *reply)
{
  if (reply->ids == NULL)
    return g_array_new (FALSE, FALSE, sizeof (gint64));

  return g_steal_pointer (&reply->ids);
}

gboolean
_pgqrs_reply_get_flag (PgqrsReply *reply)
{
  return reply->flags != NULL && reply->flags->len > 0 &&
         g_array_index (reply->flags, gboolean, 0);
}
