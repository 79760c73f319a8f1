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
} Flow;

static Flow *
flow_new (PgqrsPostgresCall *call)
{
  call->data = g_new0 (Flow, 1);
  call->data_free = g_free;

  return call->data;
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

  row = (PgqrsRunRow) {
    .id = _pgqrs_postgres_int (result, 0, 0),
    .workflow_name = (char *)_pgqrs_postgres_text (result, 0, 1),
    .message_id = _pgqrs_postgres_int (result, 0, 2),
    .status = _pgqrs_run_status_from_string (_pgqrs_postgres_text (result, 0, 3)),
    .input = (char *)_pgqrs_postgres_text (result, 0, 4),
    .output = (char *)_pgqrs_postgres_text (result, 0, 5),
    .error = (char *)_pgqrs_postgres_text (result, 0, 6),
    .pause_reason = (char *)_pgqrs_postgres_text (result, 0, 7),
    .created_at = (char *)_pgqrs_postgres_text (result, 0, 8),
    .updated_at = (char *)_pgqrs_postgres_text (result, 0, 9),
    .started_at = (char *)_pgqrs_postgres_text (result, 0, 10),
    .paused_at = (char *)_pgqrs_postgres_text (result, 0, 11),
    .completed_at = (char *)_pgqrs_postgres_text (result, 0, 12),
    .resume_at = (char *)_pgqrs_postgres_text (result, 0, 13),
    .worker_id = _pgqrs_postgres_int (result, 0, 14),
  };

  if (call->data != NULL)
    ((Flow *)call->data)->not_due = _pgqrs_postgres_bool (result, 0, 15);

  g_clear_pointer (&call->reply->runs, g_ptr_array_unref);
  _pgqrs_reply_add_run (call->reply, &row);

  return TRUE;
}

/* Reads one step (STEP_COLUMNS) into the reply, in place of any before. */
static gboolean
read_step (PgqrsPostgresCall  *call,
           PGresult           *result,
           GError            **error)
{
  PgqrsStepRow row;

  if (PQntuples (result) == 0)
    {
      g_set_error_literal (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE,
                           _("The step is not running"));
      return FALSE;
    }

  row = (PgqrsStepRow) {
    .id = _pgqrs_postgres_int (result, 0, 0),
    .run_id = _pgqrs_postgres_int (result, 0, 1),
    .name = (char *)_pgqrs_postgres_text (result, 0, 2),
    .status = _pgqrs_step_status_from_string (_pgqrs_postgres_text (result, 0, 3)),
    .output = (char *)_pgqrs_postgres_text (result, 0, 4),
    .error = (char *)_pgqrs_postgres_text (result, 0, 5),
    .retry_count = _pgqrs_postgres_int (result, 0, 6),
    .retry_at = (char *)_pgqrs_postgres_text (result, 0, 7),
    .started_at = (char *)_pgqrs_postgres_text (result, 0, 8),
    .completed_at = (char *)_pgqrs_postgres_text (result, 0, 9),
  };

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

static PGQRS_POSTGRES_STEP (run_inserted)
{
  Flow *flow = call->data;
  const PgqrsRunCreateArgs *args = &call->request->run_create;

  flow->run_id = _pgqrs_postgres_int (result, 0, 0);

  if (args->trigger)
    _pgqrs_postgres_call_query (call, PG_STMT_RUN_TRIGGER, triggered,
                                PG_INT (flow->run_id), PG_INT (flow->queue_id),
                                PG_TEXT (args->workflow_name), PG_INT (args->worker_id),
                                PG_TEXT (call->env->channel), PG_END);
  else
    _pgqrs_postgres_call_query (call, PG_STMT_RUN_SELECT, run_read,
                                PG_INT (flow->run_id), PG_END);
  return TRUE;
}

#define ENSURE_ATTEMPTS 3

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

  _pgqrs_postgres_call_query (call, PG_STMT_RUN_INSERT, run_inserted,
                              PG_INT (flow->workflow_id),
                              PG_JSON (args->input), PG_INT (args->worker_id), PG_END);
  return TRUE;
}

PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_run_create)
{
  flow_new (call);

  /* The run and its trigger message exist together or not at all. */
  _pgqrs_postgres_call_begin (call);
  _pgqrs_postgres_call_query (call, PG_STMT_WORKFLOW_ENSURE, workflow_ensured,
                              PG_TEXT (call->request->run_create.workflow_name), PG_END);
  return TRUE;
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

PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_step_fail)
{
  const PgqrsStepFailArgs *args = &call->request->step_fail;

  flow_new (call);
  _pgqrs_postgres_call_begin (call);

  if (args->retry_after_seconds >= 0)
    _pgqrs_postgres_call_query (call, PG_STMT_STEP_FAIL_RETRY, step_failed,
                                PG_INT (args->step_id), PG_JSON (args->error),
                                PG_DOUBLE (args->retry_after_seconds), PG_END);
  else
    _pgqrs_postgres_call_query (call, PG_STMT_STEP_FAIL_FINAL, step_failed,
                                PG_INT (args->step_id), PG_JSON (args->error), PG_END);
  return TRUE;
}
