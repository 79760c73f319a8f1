/* pgqrs-postgres-workflow-ops.c — workflow runs and steps on PostgreSQL
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pgqrs-backend-support-private.h"
#include "pgqrs-error.h"
#include "pgqrs-types-private.h"
#include "pgqrs-postgres-ops-private.h"

/* A run's transitions and its steps each take one transaction that starts
 * by locking the run's row: a read followed by a write is then one atomic
 * step, as on SQLite, and two workers on one run take turns.  That is what
 * makes step acquire an atomic upsert here. */

typedef struct
{
  PgqrsRunStatus from;          /* the run's status when it was locked */
  gboolean       not_due;       /* its resume time (or the step's retry time) is ahead */
  guint          attempts;
  gint64         workflow_id;
  gint64         queue_id;
  gint64         run_id;
  PgqrsPostgresThen otherwise;  /* a direct transition that did not apply */
} Flow;

/* The call's Flow, made on first use: a direct transition that falls back
 * to the locking one keeps it. */
static Flow *
flow_new (PgqrsPostgresCall *call)
{
  if (call->data == NULL)
    {
      call->data = g_new0 (Flow, 1);
      call->data_free = g_free;
    }

  return call->data;
}

/* A text[] literal of the names of @statuses (bits 1 << PgqrsRunStatus),
 * which need no quoting. */
static char *
status_array (guint statuses)
{
  g_autoptr(GString) names = g_string_new ("{");

  for (PgqrsRunStatus s = PGQRS_RUN_STATUS_QUEUED; s <= PGQRS_RUN_STATUS_CANCELLED; s++)
    if (statuses & (1u << s))
      g_string_append_printf (names, "%s%s", names->len > 1 ? "," : "",
                              pgqrs_run_status_to_string (s));
  g_string_append_c (names, '}');

  return g_string_free (g_steal_pointer (&names), FALSE);
}

static PgqrsRunRow *
reply_run (PgqrsPostgresCall *call)
{
  return g_ptr_array_index (call->reply->runs, 0);
}

static PgqrsStepRow *
reply_step (PgqrsPostgresCall *call)
{
  return g_ptr_array_index (call->reply->steps, 0);
}

/* Row @row of @result as a run (RUN_SELECT_FROM); its strings live as
 * long as @result. */
static PgqrsRunRow
run_row (PGresult *result,
         int       row)
{
  return (PgqrsRunRow) {
    .id = _pgqrs_postgres_int (result, row, 0),
    .workflow_name = (char *)_pgqrs_postgres_text (result, row, 1),
    .message_id = _pgqrs_postgres_int (result, row, 2),
    .status = _pgqrs_run_status_from_string (_pgqrs_postgres_text (result, row, 3)),
    .input = (char *)_pgqrs_postgres_text (result, row, 4),
    .output = (char *)_pgqrs_postgres_text (result, row, 5),
    .error = (char *)_pgqrs_postgres_text (result, row, 6),
    .pause_reason = (char *)_pgqrs_postgres_text (result, row, 7),
    .created_at = (char *)_pgqrs_postgres_text (result, row, 8),
    .updated_at = (char *)_pgqrs_postgres_text (result, row, 9),
    .started_at = (char *)_pgqrs_postgres_text (result, row, 10),
    .paused_at = (char *)_pgqrs_postgres_text (result, row, 11),
    .completed_at = (char *)_pgqrs_postgres_text (result, row, 12),
    .resume_at = (char *)_pgqrs_postgres_text (result, row, 13),
    .worker_id = _pgqrs_postgres_int (result, row, 14),
  };
}

/* Row @row of @result as a step (STEP_COLUMNS). */
static PgqrsStepRow
step_row (PGresult *result,
          int       row)
{
  return (PgqrsStepRow) {
    .id = _pgqrs_postgres_int (result, row, 0),
    .run_id = _pgqrs_postgres_int (result, row, 1),
    .name = (char *)_pgqrs_postgres_text (result, row, 2),
    .status = _pgqrs_step_status_from_string (_pgqrs_postgres_text (result, row, 3)),
    .output = (char *)_pgqrs_postgres_text (result, row, 4),
    .error = (char *)_pgqrs_postgres_text (result, row, 5),
    .retry_count = _pgqrs_postgres_int (result, row, 6),
    .retry_at = (char *)_pgqrs_postgres_text (result, row, 7),
    .started_at = (char *)_pgqrs_postgres_text (result, row, 8),
    .completed_at = (char *)_pgqrs_postgres_text (result, row, 9),
  };
}

/* Reads one run (RUN_SELECT_FROM) into the reply, in place of any before. */
static gboolean
read_run (PgqrsPostgresCall  *call,
          PGresult           *result,
          GError            **error)
{
  PgqrsRunRow row;

  if (PQntuples (result) == 0)
    {
      g_set_error_literal (error, PGQRS_ERROR, PGQRS_ERROR_NOT_FOUND,
                           _("There is no such workflow run"));
      return FALSE;
    }

  row = run_row (result, 0);

  if (call->data != NULL)
    ((Flow *)call->data)->not_due = _pgqrs_postgres_bool (result, 0, 15);

  g_clear_pointer (&call->reply->runs, g_ptr_array_unref);
  _pgqrs_reply_add_run (call->reply, &row);

  return TRUE;
}

static gboolean
step_not_running (GError **error)
{
  g_set_error_literal (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE,
                       _("The step is not running"));
  return FALSE;
}

/* Reads one step (STEP_COLUMNS) into the reply, in place of any before. */
static gboolean
read_step (PgqrsPostgresCall  *call,
           PGresult           *result,
           GError            **error)
{
  PgqrsStepRow row;

  if (PQntuples (result) == 0)
    return step_not_running (error);

  row = step_row (result, 0);

  if (call->data != NULL)
    ((Flow *)call->data)->not_due = _pgqrs_postgres_bool (result, 0, 10);

  g_clear_pointer (&call->reply->steps, g_ptr_array_unref);
  _pgqrs_reply_add_step (call->reply, &row);

  return TRUE;
}

static PGQRS_POSTGRES_STEP (done)
{
  return TRUE;
}

static PGQRS_POSTGRES_STEP (run_read)
{
  return read_run (call, result, error);
}

static PGQRS_POSTGRES_STEP (step_read)
{
  return read_step (call, result, error);
}

/* Sets the run's status, with @text (the output or error JSON, or the
 * reason for a pause) and the pause's length, and reads the run back; then
 * @then. */
static void
set_run_status (PgqrsPostgresCall *call,
                gint64             run_id,
                PgqrsRunStatus     status,
                const char        *text,
                double             seconds,
                gint64             worker_id,
                PgqrsPostgresThen  then)
{
  gboolean paused = status == PGQRS_RUN_STATUS_PAUSED;

  _pgqrs_postgres_call_query (call, PG_STMT_RUN_SET_STATUS, then,
                              PG_INT (run_id), PG_TEXT (pgqrs_run_status_to_string (status)),
                              PG_JSON (paused ? NULL : text), PG_DOUBLE (seconds),
                              PG_INT (worker_id), PG_TEXT (paused ? text : NULL), PG_END);
}

/* Makes the run's trigger message (if any) visible at @when, or now. */
static void
show_message_at (PgqrsPostgresCall *call,
                 gint64             run_id,
                 const char        *when)
{
  _pgqrs_postgres_call_query (call, PG_STMT_RUN_MESSAGE_VISIBLE_AT, done,
                              PG_INT (run_id), PG_TEXT (when), PG_END);
}

/* --- workflows ------------------------------------------------------------ */

static PGQRS_POSTGRES_STEP (define_queue_found)
{
  if (PQntuples (result) == 0)
    return _pgqrs_postgres_queue_not_found (call->request->workflow_define.queue_name, error);

  _pgqrs_postgres_call_query (call, PG_STMT_WORKFLOW_DEFINE, done,
                              PG_TEXT (call->request->workflow_define.workflow_name),
                              PG_INT (_pgqrs_postgres_int (result, 0, 0)), PG_END);
  return TRUE;
}

PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_workflow_define)
{
  _pgqrs_postgres_call_query (call, PG_STMT_QUEUE_SELECT, define_queue_found,
                              PG_TEXT (call->request->workflow_define.queue_name), PG_END);
  return TRUE;
}

/* --- runs ----------------------------------------------------------------- */

static PGQRS_POSTGRES_STEP (triggered)
{
  Flow *flow = call->data;

  /* so that the backend wakes this queue's consumers */
  _pgqrs_postgres_call_wake (call, flow->queue_id);

  _pgqrs_postgres_call_query (call, PG_STMT_RUN_SELECT, run_read, PG_INT (flow->run_id), PG_END);
  return TRUE;
}

#define ENSURE_ATTEMPTS 3

static PGQRS_POSTGRES_STEP (run_inserted)
{
  Flow *flow = call->data;
  const PgqrsRunCreateArgs *args = &call->request->run_create;

  /* Its key was taken by a transaction that committed after this
   * statement began: the next statement sees that run. */
  if (PQntuples (result) == 0)
    {
      if (++flow->attempts >= ENSURE_ATTEMPTS)
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONFLICT,
                       _("Runs of workflow “%s” with one idempotency key are being created "
                         "and purged concurrently"), args->workflow_name);
          return FALSE;
        }
      _pgqrs_postgres_call_query (call, PG_STMT_RUN_INSERT, run_inserted,
                                  PG_INT (flow->workflow_id), PG_JSON (args->input),
                                  PG_INT (args->worker_id), PG_TEXT (args->idempotency_key),
                                  PG_END);
      return TRUE;
    }

  flow->run_id = _pgqrs_postgres_int (result, 0, 0);

  /* made before, with this key: its trigger is there already */
  if (args->trigger && _pgqrs_postgres_bool (result, 0, 1))
    _pgqrs_postgres_call_query (call, PG_STMT_RUN_TRIGGER, triggered,
                                PG_INT (flow->run_id), PG_INT (flow->queue_id),
                                PG_TEXT (args->workflow_name), PG_INT (args->worker_id),
                                PG_TEXT (call->env->channel), PG_END);
  else
    _pgqrs_postgres_call_query (call, PG_STMT_RUN_SELECT, run_read,
                                PG_INT (flow->run_id), PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (workflow_ensured)
{
  Flow *flow = call->data;
  const PgqrsRunCreateArgs *args = &call->request->run_create;

  /* Made by a transaction that committed after this statement began:
   * the next statement sees it. */
  if (PQntuples (result) == 0)
    {
      if (++flow->attempts >= ENSURE_ATTEMPTS)
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONFLICT,
                       _("Workflow “%s” is being created and deleted concurrently"),
                       args->workflow_name);
          return FALSE;
        }
      _pgqrs_postgres_call_query (call, PG_STMT_WORKFLOW_ENSURE, workflow_ensured,
                                  PG_TEXT (args->workflow_name), PG_END);
      return TRUE;
    }

  flow->workflow_id = _pgqrs_postgres_int (result, 0, 0);
  flow->queue_id = _pgqrs_postgres_int (result, 0, 1);

  if (args->trigger && flow->queue_id == 0)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                   _("Workflow “%s” is not bound to a queue; define it with "
                     "pgqrs_store_define_workflow() before triggering it"),
                   args->workflow_name);
      return FALSE;
    }

  flow->attempts = 0;
  _pgqrs_postgres_call_query (call, PG_STMT_RUN_INSERT, run_inserted,
                              PG_INT (flow->workflow_id),
                              PG_JSON (args->input), PG_INT (args->worker_id),
                              PG_TEXT (args->idempotency_key), PG_END);
  return TRUE;
}

/* The run and its trigger message exist together or not at all, and the
 * workflow is made if it is new: one transaction. */
static PGQRS_POSTGRES_STEP (create_in_transaction)
{
  _pgqrs_postgres_call_begin (call);
  _pgqrs_postgres_call_query (call, PG_STMT_WORKFLOW_ENSURE, workflow_ensured,
                              PG_TEXT (call->request->run_create.workflow_name), PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (inserted_directly)
{
  if (PQntuples (result) > 0)
    return read_run (call, result, error);

  return create_in_transaction (call, NULL, error);
}

PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_run_create)
{
  const PgqrsRunCreateArgs *args = &call->request->run_create;

  flow_new (call);

  /* An in-process run of a known workflow is one insert. */
  if (!args->trigger && args->idempotency_key == NULL)
    {
      _pgqrs_postgres_call_query (call, PG_STMT_RUN_INSERT_DIRECT, inserted_directly,
                                  PG_TEXT (args->workflow_name), PG_JSON (args->input),
                                  PG_INT (args->worker_id), PG_END);
      return TRUE;
    }

  return create_in_transaction (call, NULL, error);
}

PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_run_get)
{
  if (call->request->run_get.run_id != 0)
    _pgqrs_postgres_call_query (call, PG_STMT_RUN_SELECT, run_read,
                                PG_INT (call->request->run_get.run_id), PG_END);
  else
    _pgqrs_postgres_call_query (call, PG_STMT_RUN_SELECT_BY_MESSAGE, run_read,
                                PG_INT (call->request->run_get.message_id), PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (run_status_set)
{
  Flow *flow = call->data;
  PgqrsRunStatus to = call->request->run_transition.to;

  if (!read_run (call, result, error))
    return FALSE;

  /* Durable sleep: the trigger message comes back at the resume time; a
   * cancelled sleeper is delivered now, to be finalised. */
  if (to == PGQRS_RUN_STATUS_PAUSED)
    show_message_at (call, call->request->run_transition.run_id, reply_run (call)->resume_at);
  else if (to == PGQRS_RUN_STATUS_CANCELLING && flow->from == PGQRS_RUN_STATUS_PAUSED)
    show_message_at (call, call->request->run_transition.run_id, NULL);

  return TRUE;
}

static PGQRS_POSTGRES_STEP (run_locked_for_transition)
{
  Flow *flow = call->data;
  const PgqrsRunTransitionArgs *args = &call->request->run_transition;
  PgqrsRunStatus to = args->to;

  if (!read_run (call, result, error))
    return FALSE;
  flow->from = reply_run (call)->status;

  /* Starting a run that was cancelled meanwhile finalises it instead; the
   * caller sees CANCELLED in the row (rule 21). */
  if (to == PGQRS_RUN_STATUS_RUNNING && flow->from == PGQRS_RUN_STATUS_CANCELLING)
    {
      set_run_status (call, args->run_id, PGQRS_RUN_STATUS_CANCELLED, NULL, 0, 0, run_read);
      return TRUE;
    }

  if (to == PGQRS_RUN_STATUS_RUNNING && flow->from == PGQRS_RUN_STATUS_PAUSED && flow->not_due)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_PAUSED,
                   _("Workflow run %lld is paused until %s"),
                   (long long)args->run_id, reply_run (call)->resume_at);
      return FALSE;
    }

  if (!(args->allowed_from & (1u << flow->from)))
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE,
                   _("Workflow run %lld cannot go from %s to %s"),
                   (long long)args->run_id, pgqrs_run_status_to_string (flow->from),
                   pgqrs_run_status_to_string (to));
      return FALSE;
    }

  set_run_status (call, args->run_id, to, args->detail, args->resume_after_seconds,
                  args->worker_id, run_status_set);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (transitioned_directly)
{
  Flow *flow = call->data;

  if (PQntuples (result) > 0)
    {
      if (_pgqrs_request_archives_trigger (call->request))
        call->reply->count = 1;
      return read_run (call, result, error);
    }

  /* the transaction archives nothing: the caller settles the trigger */
  return flow->otherwise (call, NULL, error);
}

/* A start, a completion or a failure from QUEUED or RUNNING changes the
 * run's row and nothing else (but the trigger a completion may archive):
 * one statement, fenced, with no transaction around it.  Every other
 * transition (a pause moves the trigger message,
 * a cancellation may finalise the run, a paused run may not be due yet),
 * and one whose run was not in such a status, goes to @otherwise: the
 * transaction that locks the run and decides. */
gboolean
_pgqrs_postgres_run_transition_direct (PgqrsPostgresCall  *call,
                                       PgqrsPostgresThen   otherwise,
                                       GError            **error)
{
  const PgqrsRequest *request = call->request;
  const PgqrsRunTransitionArgs *args = &request->run_transition;
  guint direct = args->allowed_from & ((1u << PGQRS_RUN_STATUS_QUEUED) |
                                       (1u << PGQRS_RUN_STATUS_RUNNING));
  g_autofree char *statuses = NULL;
  Flow *flow;

  if (direct == 0 ||
      (args->to != PGQRS_RUN_STATUS_RUNNING && args->to != PGQRS_RUN_STATUS_SUCCESS &&
       args->to != PGQRS_RUN_STATUS_ERROR))
    return otherwise (call, NULL, error);

  flow = flow_new (call);
  flow->otherwise = otherwise;
  statuses = status_array (direct);

  _pgqrs_postgres_call_query (call,
                              _pgqrs_request_archives_trigger (request) ? PG_STMT_RUN_TRANSITION_ARCHIVING
                                                                        : PG_STMT_RUN_TRANSITION_DIRECT,
                              transitioned_directly,
                              PG_INT (args->run_id), PG_TEXT (pgqrs_run_status_to_string (args->to)),
                              PG_JSON (args->detail), PG_DOUBLE (0), PG_INT (args->worker_id),
                              PG_TEXT (NULL), PG_TEXT (statuses),
                              PG_INT (request->fence.id), PG_INT (request->fence.lease_count),
                              PG_END);
  return TRUE;
}

PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_run_transition)
{
  flow_new (call);

  _pgqrs_postgres_call_begin (call);
  _pgqrs_postgres_call_query (call, PG_STMT_RUN_LOCK, run_locked_for_transition,
                              PG_INT (call->request->run_transition.run_id), PG_END);
  return TRUE;
}

/* --- steps ---------------------------------------------------------------- */

static PGQRS_POSTGRES_STEP (step_found)
{
  Flow *flow = call->data;
    PgqrsStepRow *step;

  if (!read_step (call, result, error))
    return FALSE;
  step = reply_step (call);

  switch (_pgqrs_step_row_judge (step, &call->request->step_acquire, flow->not_due, error))
    {
    case PGQRS_STEP_VERDICT_REPLAY:
      return TRUE;
    case PGQRS_STEP_VERDICT_REFUSED:
      return FALSE;
    case PGQRS_STEP_VERDICT_RESTART:
    default:
      break;
    }

  _pgqrs_postgres_call_query (call, PG_STMT_STEP_RESTART, step_read, PG_INT (step->id), PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (step_inserted)
{
  /* new: run it */
  if (PQntuples (result) > 0)
    return read_step (call, result, error);

  _pgqrs_postgres_call_query (call, PG_STMT_STEP_SELECT, step_found,
                              PG_INT (call->request->step_acquire.run_id),
                              PG_TEXT (call->request->step_acquire.step_name),
                              PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (run_locked_for_step)
{
  const PgqrsStepAcquireArgs *args = &call->request->step_acquire;
  PgqrsRunStatus status;

  if (!read_run (call, result, error))
    return FALSE;
  status = reply_run (call)->status;

  /* A step boundary: a run being cancelled ends here, with no user code
   * run; the caller sees CANCELLED in the row and no step. */
  if (status == PGQRS_RUN_STATUS_CANCELLING)
    {
      set_run_status (call, args->run_id, PGQRS_RUN_STATUS_CANCELLED, NULL, 0, 0, run_read);
      return TRUE;
    }

  if (!_pgqrs_run_check_running (args->run_id, status, error))
    return FALSE;

  _pgqrs_postgres_call_query (call, PG_STMT_STEP_INSERT, step_inserted,
                              PG_INT (args->run_id), PG_TEXT (args->step_name), PG_END);
  return TRUE;
}

PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_step_acquire)
{
  flow_new (call);

  _pgqrs_postgres_call_begin (call);
  _pgqrs_postgres_call_query (call, PG_STMT_RUN_LOCK, run_locked_for_step,
                              PG_INT (call->request->step_acquire.run_id), PG_END);
  return TRUE;
}

PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_step_complete)
{
  _pgqrs_postgres_call_query (call, PG_STMT_STEP_COMPLETE, step_read,
                              PG_INT (call->request->step_complete.step_id),
                              PG_JSON (call->request->step_complete.output), PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (step_looked_up)
{
  PgqrsStepRow row;
  gboolean has_row;

  /* no run: STEP_ACQUIRE says so */
  if (PQntuples (result) == 0)
    return TRUE;

  has_row = !PQgetisnull (result, 0, 0);
  row = step_row (result, 0);
  if (_pgqrs_step_lookup_judge (&row, has_row,
                                _pgqrs_run_status_from_string (_pgqrs_postgres_text (result, 0, 11)),
                                _pgqrs_postgres_bool (result, 0, 12)))
    _pgqrs_reply_add_step (call->reply, &row);

  return TRUE;
}

PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_step_lookup)
{
  const PgqrsRequest *request = call->request;

  _pgqrs_postgres_call_query (call, PG_STMT_STEP_LOOKUP, step_looked_up,
                              PG_INT (request->step_lookup.run_id),
                              PG_TEXT (request->step_lookup.step_name),
                              PG_INT (request->fence.id), PG_INT (request->fence.lease_count),
                              PG_END);
  return TRUE;
}

/* STEP_RECORD left the step alone: tell why. */
static PGQRS_POSTGRES_STEP (record_fence_checked)
{
  if (PQntuples (result) == 0)
    {
      _pgqrs_set_superseded_error (error, call->request);
      return FALSE;
    }

  return step_not_running (error);
}

static PGQRS_POSTGRES_STEP (step_recorded)
{
  const PgqrsRequest *request = call->request;

  if (PQntuples (result) > 0 || request->fence.id == 0)
    return read_step (call, result, error);

  _pgqrs_postgres_call_query (call, PG_STMT_FENCE_CHECK, record_fence_checked,
                              PG_INT (request->fence.id), PG_INT (request->fence.lease_count),
                              PG_END);
  return TRUE;
}

PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_step_record)
{
  const PgqrsRequest *request = call->request;
  const PgqrsStepRecordArgs *args = &request->step_record;

  _pgqrs_postgres_call_query (call, PG_STMT_STEP_RECORD, step_recorded,
                              PG_INT (args->run_id), PG_TEXT (args->step_name),
                              PG_TEXT (args->started_at), PG_JSON (args->output),
                              PG_INT (request->fence.id), PG_INT (request->fence.lease_count),
                              PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (step_failed)
{
  const PgqrsStepFailArgs *args = &call->request->step_fail;

  if (!read_step (call, result, error))
    return FALSE;

  /* Rule 19: the trigger message waits for the retry time instead of
   * spinning through its read count; a final failure fails the run. */
  if (args->retry_after_seconds >= 0)
    show_message_at (call, args->run_id, reply_step (call)->retry_at);
  else
    set_run_status (call, args->run_id, PGQRS_RUN_STATUS_ERROR,
                    args->error, 0, 0, run_read);

  return TRUE;
}

static void
fail_step (PgqrsPostgresCall *call,
           gint64             step_id)
{
  const PgqrsStepFailArgs *args = &call->request->step_fail;

  if (args->retry_after_seconds >= 0)
    _pgqrs_postgres_call_query (call, PG_STMT_STEP_FAIL_RETRY, step_failed,
                                PG_INT (step_id), PG_JSON (args->error),
                                PG_DOUBLE (args->retry_after_seconds), PG_END);
  else
    _pgqrs_postgres_call_query (call, PG_STMT_STEP_FAIL_FINAL, step_failed,
                                PG_INT (step_id), PG_JSON (args->error), PG_END);
}

static PGQRS_POSTGRES_STEP (fail_row_found)
{
  if (PQntuples (result) == 0)
    return step_not_running (error);

  fail_step (call, _pgqrs_postgres_int (result, 0, 0));
  return TRUE;
}

/* A step that failed before it had a row gets one, RUNNING, to fail. */
static PGQRS_POSTGRES_STEP (fail_row_inserted)
{
  const PgqrsStepFailArgs *args = &call->request->step_fail;

  if (PQntuples (result) > 0)
    return fail_row_found (call, result, error);

  _pgqrs_postgres_call_query (call, PG_STMT_STEP_SELECT, fail_row_found,
                              PG_INT (args->run_id), PG_TEXT (args->step_name), PG_END);
  return TRUE;
}

PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_step_fail)
{
  const PgqrsStepFailArgs *args = &call->request->step_fail;

  flow_new (call);
  _pgqrs_postgres_call_begin (call);

  if (args->step_id == 0)
    _pgqrs_postgres_call_query (call, PG_STMT_STEP_INSERT, fail_row_inserted,
                                PG_INT (args->run_id), PG_TEXT (args->step_name), PG_END);
  else
    fail_step (call, args->step_id);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (runs_listed)
{
  call->reply->runs = g_ptr_array_new_with_free_func ((GDestroyNotify)_pgqrs_run_row_free);
  for (int row = 0; row < PQntuples (result); row++)
    {
      PgqrsRunRow run = run_row (result, row);

      _pgqrs_reply_add_run (call->reply, &run);
    }

  return TRUE;
}

PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_run_list)
{
  const PgqrsRunListArgs *args = &call->request->run_list;
  g_autofree char *statuses = NULL;

  if (args->statuses != 0)
    statuses = status_array (args->statuses);

  _pgqrs_postgres_call_query (call, PG_STMT_RUN_LIST, runs_listed,
                              PG_TEXT (args->workflow_name), PG_TEXT (statuses),
                              PG_TEXT (args->created_after), PG_TEXT (args->created_before),
                              PG_INT (args->limit), PG_INT (args->offset), PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (steps_listed)
{
  call->reply->steps = g_ptr_array_new_with_free_func ((GDestroyNotify)_pgqrs_step_row_free);
  for (int row = 0; row < PQntuples (result); row++)
    {
      PgqrsStepRow step = step_row (result, row);

      _pgqrs_reply_add_step (call->reply, &step);
    }

  return TRUE;
}

PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_step_list)
{
  _pgqrs_postgres_call_query (call, PG_STMT_STEP_LIST, steps_listed,
                              PG_INT (call->request->step_list.run_id), PG_END);
  return TRUE;
}
