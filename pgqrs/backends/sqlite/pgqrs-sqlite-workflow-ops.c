/* pgqrs-sqlite-workflow-ops.c — workflow runs and steps on SQLite
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pgqrs-backend-support-private.h"
#include "pgqrs-error.h"
#include "pgqrs-types-private.h"
#include "pgqrs-sqlite-ops-private.h"

/* Like the queue operations, these run on the owner thread inside one
 * BEGIN IMMEDIATE transaction each, so a read followed by a write is one
 * atomic step: that is what makes step acquire an atomic upsert here. */

#define column_text _pgqrs_sqlite_column_text

/* The run at the statement's current row (RUN_COLUMNS); its strings live
 * until the statement moves on. */
static PgqrsRunRow
run_row (PgqrsSqlStmt *stmt)
{
  return (PgqrsRunRow) {
    .id = _pgqrs_sql_column_int64 (stmt, 0),
    .workflow_name = (char *)column_text (stmt, 1),
    .message_id = _pgqrs_sql_column_int64 (stmt, 2),
    .status = _pgqrs_run_status_from_string (column_text (stmt, 3)),
    .input = (char *)column_text (stmt, 4),
    .output = (char *)column_text (stmt, 5),
    .error = (char *)column_text (stmt, 6),
    .pause_reason = (char *)column_text (stmt, 7),
    .created_at = (char *)column_text (stmt, 8),
    .updated_at = (char *)column_text (stmt, 9),
    .started_at = (char *)column_text (stmt, 10),
    .paused_at = (char *)column_text (stmt, 11),
    .completed_at = (char *)column_text (stmt, 12),
    .resume_at = (char *)column_text (stmt, 13),
    .worker_id = _pgqrs_sql_column_int64 (stmt, 14),
  };
}

/* The step at the statement's current row (STEP_COLUMNS). */
static PgqrsStepRow
step_row (PgqrsSqlStmt *stmt,
          gboolean      cached)
{
  return (PgqrsStepRow) {
    .id = _pgqrs_sql_column_int64 (stmt, 0),
    .run_id = _pgqrs_sql_column_int64 (stmt, 1),
    .name = (char *)column_text (stmt, 2),
    .status = _pgqrs_step_status_from_string (column_text (stmt, 3)),
    .output = (char *)column_text (stmt, 4),
    .error = (char *)column_text (stmt, 5),
    .retry_count = _pgqrs_sql_column_int (stmt, 6),
    .retry_at = (char *)column_text (stmt, 7),
    .started_at = (char *)column_text (stmt, 8),
    .completed_at = (char *)column_text (stmt, 9),
    .cached = cached,
  };
}

/* Reads one run (RUN_COLUMNS) into @reply; @not_due tells whether its
 * resume time is still ahead.  Returns FALSE with NOT_FOUND when there is
 * no row. */
static gboolean
read_run (PgqrsSqlDb             *conn,
          PgqrsSqlStmt           *stmt,
          PgqrsReply             *reply,
          gboolean               *not_due,
          GError                **error)
{
  int rc = _pgqrs_sql_step (conn, stmt, error);
  PgqrsRunRow row;

  if (rc == 0)
    return FALSE;

  if (rc == PGQRS_SQL_DONE)
    {
      g_set_error_literal (error, PGQRS_ERROR, PGQRS_ERROR_NOT_FOUND,
                           _("There is no such workflow run"));
      return FALSE;
    }

  row = run_row (stmt);

  if (not_due != NULL)
    *not_due = _pgqrs_sql_column_int (stmt, 15) != 0;

  g_clear_pointer (&reply->runs, g_ptr_array_unref);
  _pgqrs_reply_add_run (reply, &row);
  _pgqrs_sql_reset (stmt);

  return TRUE;
}

static gboolean
load_run (PgqrsSqlDb             *conn,
          gint64                  run_id,
          PgqrsReply             *reply,
          gboolean               *not_due,
          GError                **error)
{
  PgqrsSqlStmt *stmt;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_RUN_SELECT, error)))
    return FALSE;
  _pgqrs_sql_bind_int64 (stmt, 1, run_id);

  return read_run (conn, stmt, reply, not_due, error);
}

static PgqrsRunRow *
reply_run (PgqrsReply *reply)
{
  return g_ptr_array_index (reply->runs, 0);
}

static gboolean
step_not_running (GError **error)
{
  g_set_error_literal (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE,
                       _("The step is not running"));
  return FALSE;
}

/* Reads one step (STEP_COLUMNS) into @reply. */
static gboolean
read_step (PgqrsSqlDb             *conn,
           PgqrsSqlStmt           *stmt,
           PgqrsReply             *reply,
           gboolean                cached,
           gboolean               *not_due,
           GError                **error)
{
  int rc = _pgqrs_sql_step (conn, stmt, error);
  PgqrsStepRow row;

  if (rc == 0)
    return FALSE;

  if (rc == PGQRS_SQL_DONE)
    return step_not_running (error);

  row = step_row (stmt, cached);

  if (not_due != NULL)
    *not_due = _pgqrs_sql_column_int (stmt, 10) != 0;

  g_clear_pointer (&reply->steps, g_ptr_array_unref);
  _pgqrs_reply_add_step (reply, &row);
  _pgqrs_sql_reset (stmt);

  return TRUE;
}

static gboolean
set_run_status (PgqrsSqlDb             *conn,
                gint64                  run_id,
                PgqrsRunStatus          status,
                const char             *json,
                double                  seconds,
                gint64                  worker_id,
                GError                **error)
{
  PgqrsSqlStmt *stmt;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_RUN_SET_STATUS, error)))
    return FALSE;

  _pgqrs_sql_bind_int64 (stmt, 1, run_id);
  _pgqrs_sql_bind_text (stmt, 2, pgqrs_run_status_to_string (status));
  if (json != NULL)
    _pgqrs_sql_bind_text (stmt, 3, json);
  _pgqrs_sql_bind_double (stmt, 4, seconds);
  _pgqrs_sql_bind_int64 (stmt, 5, worker_id);

  return _pgqrs_sql_step (conn, stmt, error) != 0;
}

/* Makes the run's trigger message (if any) visible at @when, or now. */
static gboolean
show_message_at (PgqrsSqlDb             *conn,
                 gint64                  run_id,
                 const char             *when,
                 GError                **error)
{
  PgqrsSqlStmt *stmt;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_RUN_MESSAGE_VISIBLE_AT, error)))
    return FALSE;

  _pgqrs_sql_bind_int64 (stmt, 1, run_id);
  if (when != NULL)
    _pgqrs_sql_bind_text (stmt, 2, when);

  return _pgqrs_sql_step (conn, stmt, error) != 0;
}

/* Archives the fence's message — the run's trigger, checked current when
 * the transaction began — as done; reply->count tells that it did. */
static gboolean
archive_trigger (PgqrsSqlDb             *conn,
                 const PgqrsRequest     *request,
                 PgqrsReply             *reply,
                 GError                **error)
{
  PgqrsSqlStmt *stmt;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_RUN_TRIGGER_ARCHIVE, error)))
    return FALSE;
  _pgqrs_sql_bind_int64 (stmt, 1, request->fence.id);
  _pgqrs_sql_bind_int64 (stmt, 2, request->fence.lease_count);
  if (!_pgqrs_sql_step (conn, stmt, error))
    return FALSE;
  reply->count = _pgqrs_sql_changes (conn);

  return TRUE;
}

static gint64
upsert_workflow (PgqrsSqlDb             *conn,
                 const char             *name,
                 gint64                  queue_id,
                 gint64                 *bound_queue_id,
                 GError                **error)
{
  PgqrsSqlStmt *stmt;
  gint64 id;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_WORKFLOW_UPSERT, error)))
    return 0;
  _pgqrs_sql_bind_text (stmt, 1, name);
  _pgqrs_sql_bind_int64 (stmt, 2, queue_id);
  if (!_pgqrs_sql_step (conn, stmt, error))
    return 0;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_WORKFLOW_SELECT, error)))
    return 0;
  _pgqrs_sql_bind_text (stmt, 1, name);
  if (_pgqrs_sql_step (conn, stmt, error) != PGQRS_SQL_ROW)
    return 0;

  id = _pgqrs_sql_column_int64 (stmt, 0);
  if (bound_queue_id != NULL)
    *bound_queue_id = _pgqrs_sql_column_int64 (stmt, 1);
  _pgqrs_sql_reset (stmt);

  return id;
}

gboolean
_pgqrs_sqlite_op_workflow_define (PgqrsSqlDb             *conn,
                                  PgqrsRequest           *request,
                                  PgqrsReply             *reply,
                                  GError                **error)
{
  gint64 queue_id;

  if (!(queue_id = _pgqrs_sqlite_find_queue (conn, request->workflow_define.queue_name, error)))
    return FALSE;

  return upsert_workflow (conn, request->workflow_define.workflow_name, queue_id, NULL, error) != 0;
}

gboolean
_pgqrs_sqlite_op_run_create (PgqrsSqlDb             *conn,
                             PgqrsRequest           *request,
                             PgqrsReply             *reply,
                             GError                **error)
{
  g_autofree char *trigger = NULL;
  PgqrsSqlStmt *stmt;
  gint64 workflow_id, queue_id = 0, run_id, message_id;

  if (!(workflow_id = upsert_workflow (conn, request->run_create.workflow_name, 0, &queue_id, error)))
    return FALSE;

  if (request->run_create.trigger && queue_id == 0)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                   _("Workflow “%s” is not bound to a queue; define it with "
                     "pgqrs_store_define_workflow() before triggering it"),
                   request->run_create.workflow_name);
      return FALSE;
    }

  /* A run made before with this key is the answer; nothing is made. */
  if (request->run_create.idempotency_key != NULL)
    {
      int rc;

      if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_RUN_BY_KEY, error)))
        return FALSE;
      _pgqrs_sql_bind_int64 (stmt, 1, workflow_id);
      _pgqrs_sql_bind_text (stmt, 2, request->run_create.idempotency_key);
      if ((rc = _pgqrs_sql_step (conn, stmt, error)) == 0)
        return FALSE;
      if (rc == PGQRS_SQL_ROW)
        {
          run_id = _pgqrs_sql_column_int64 (stmt, 0);
          _pgqrs_sql_reset (stmt);
          return load_run (conn, run_id, reply, NULL, error);
        }
    }

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_RUN_INSERT, error)))
    return FALSE;
  _pgqrs_sql_bind_int64 (stmt, 1, workflow_id);
  _pgqrs_sql_bind_text (stmt, 2, request->run_create.input);
  _pgqrs_sql_bind_int64 (stmt, 3, request->run_create.worker_id);
  if (request->run_create.idempotency_key != NULL)
    _pgqrs_sql_bind_text (stmt, 4, request->run_create.idempotency_key);
  if (_pgqrs_sql_step (conn, stmt, error) != PGQRS_SQL_ROW)
    return FALSE;
  run_id = _pgqrs_sql_column_int64 (stmt, 0);
  _pgqrs_sql_reset (stmt);

  if (request->run_create.trigger)
    {
      trigger = g_strdup_printf ("{\"workflow\":\"%s\",\"run_id\":%" G_GINT64_FORMAT "}",
                                 request->run_create.workflow_name, run_id);

      if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_MESSAGE_INSERT, error)))
        return FALSE;
      _pgqrs_sql_bind_int64 (stmt, 1, queue_id);
      _pgqrs_sql_bind_text (stmt, 2, trigger);
      _pgqrs_sql_bind_double (stmt, 3, 0);
      _pgqrs_sql_bind_int64 (stmt, 4, request->run_create.worker_id);
      if (_pgqrs_sql_step (conn, stmt, error) != PGQRS_SQL_ROW)
        return FALSE;
      message_id = _pgqrs_sql_column_int64 (stmt, 0);
      _pgqrs_sql_reset (stmt);

      if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_RUN_SET_MESSAGE, error)))
        return FALSE;
      _pgqrs_sql_bind_int64 (stmt, 1, run_id);
      _pgqrs_sql_bind_int64 (stmt, 2, message_id);
      if (!_pgqrs_sql_step (conn, stmt, error))
        return FALSE;

      /* so that the backend wakes this queue's consumers */
      reply->woken_queue_id = queue_id;
    }

  return load_run (conn, run_id, reply, NULL, error);
}

gboolean
_pgqrs_sqlite_op_run_get (PgqrsSqlDb             *conn,
                          PgqrsRequest           *request,
                          PgqrsReply             *reply,
                          GError                **error)
{
  PgqrsSqlStmt *stmt;

  if (request->run_get.run_id != 0)
    return load_run (conn, request->run_get.run_id, reply, NULL, error);

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_RUN_SELECT_BY_MESSAGE, error)))
    return FALSE;
  _pgqrs_sql_bind_int64 (stmt, 1, request->run_get.message_id);

  return read_run (conn, stmt, reply, NULL, error);
}

gboolean
_pgqrs_sqlite_op_run_transition (PgqrsSqlDb             *conn,
                                 PgqrsRequest           *request,
                                 PgqrsReply             *reply,
                                 GError                **error)
{
  const PgqrsRunTransitionArgs *args = &request->run_transition;
  PgqrsRunStatus from, to = args->to;
  gboolean not_due = FALSE;

  if (!load_run (conn, args->run_id, reply, &not_due, error))
    return FALSE;
  from = reply_run (reply)->status;

  /* Starting a run that was cancelled meanwhile finalises it instead; the
   * caller sees CANCELLED in the row (rule 21). */
  if (to == PGQRS_RUN_STATUS_RUNNING && from == PGQRS_RUN_STATUS_CANCELLING)
    return set_run_status (conn, args->run_id, PGQRS_RUN_STATUS_CANCELLED, NULL, 0, 0, error) &&
           load_run (conn, args->run_id, reply, NULL, error);

  if (to == PGQRS_RUN_STATUS_RUNNING && from == PGQRS_RUN_STATUS_PAUSED && not_due)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_PAUSED,
                   _("Workflow run %lld is paused until %s"),
                   (long long)args->run_id, reply_run (reply)->resume_at);
      return FALSE;
    }

  if (!(args->allowed_from & (1u << from)))
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE,
                   _("Workflow run %lld cannot go from %s to %s"),
                   (long long)args->run_id, pgqrs_run_status_to_string (from),
                   pgqrs_run_status_to_string (to));
      return FALSE;
    }

  if (!set_run_status (conn, args->run_id, to, args->detail,
                       args->resume_after_seconds, args->worker_id, error) ||
      !load_run (conn, args->run_id, reply, NULL, error))
    return FALSE;

  /* Durable sleep: the trigger message comes back at the resume time; a
   * cancelled sleeper is delivered now, to be finalised. */
  if (to == PGQRS_RUN_STATUS_PAUSED)
    return show_message_at (conn, args->run_id, reply_run (reply)->resume_at, error);
  if (to == PGQRS_RUN_STATUS_CANCELLING && from == PGQRS_RUN_STATUS_PAUSED)
    return show_message_at (conn, args->run_id, NULL, error);
  /* a completion and its trigger's acknowledgement: one transaction */
  if (_pgqrs_request_archives_trigger (request))
    return archive_trigger (conn, request, reply, error);

  return TRUE;
}

gboolean
_pgqrs_sqlite_op_step_acquire (PgqrsSqlDb             *conn,
                               PgqrsRequest           *request,
                               PgqrsReply             *reply,
                               GError                **error)
{
  PgqrsRunStatus status;
  PgqrsSqlStmt *stmt;
  gboolean inserted, not_due = FALSE;
  PgqrsStepRow *step;
  const PgqrsStepAcquireArgs *args = &request->step_acquire;

  if (!load_run (conn, args->run_id, reply, NULL, error))
    return FALSE;
  status = reply_run (reply)->status;

  /* A step boundary: a run being cancelled ends here, with no user code
   * run; the caller sees CANCELLED in the row and no step. */
  if (status == PGQRS_RUN_STATUS_CANCELLING)
    return set_run_status (conn, args->run_id, PGQRS_RUN_STATUS_CANCELLED, NULL, 0, 0, error) &&
           load_run (conn, args->run_id, reply, NULL, error);

  if (!_pgqrs_run_check_running (args->run_id, status, error))
    return FALSE;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_STEP_INSERT, error)))
    return FALSE;
  _pgqrs_sql_bind_int64 (stmt, 1, args->run_id);
  _pgqrs_sql_bind_text (stmt, 2, args->step_name);
  if (!_pgqrs_sql_step (conn, stmt, error))
    return FALSE;
  inserted = _pgqrs_sql_changes (conn) > 0;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_STEP_SELECT, error)))
    return FALSE;
  _pgqrs_sql_bind_int64 (stmt, 1, args->run_id);
  _pgqrs_sql_bind_text (stmt, 2, args->step_name);
  if (!read_step (conn, stmt, reply, FALSE, &not_due, error))
    return FALSE;

  step = g_ptr_array_index (reply->steps, 0);

  if (inserted)
    return TRUE;

  switch (_pgqrs_step_row_judge (step, args, not_due, error))
    {
    case PGQRS_STEP_VERDICT_REPLAY:
      return TRUE;
    case PGQRS_STEP_VERDICT_REFUSED:
      return FALSE;
    case PGQRS_STEP_VERDICT_RESTART:
    default:
      break;
    }

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_STEP_RESTART, error)))
    return FALSE;
  _pgqrs_sql_bind_int64 (stmt, 1, step->id);

  return read_step (conn, stmt, reply, FALSE, NULL, error);
}

gboolean
_pgqrs_sqlite_op_step_complete (PgqrsSqlDb             *conn,
                                PgqrsRequest           *request,
                                PgqrsReply             *reply,
                                GError                **error)
{
  PgqrsSqlStmt *stmt;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_STEP_COMPLETE, error)))
    return FALSE;
  _pgqrs_sql_bind_int64 (stmt, 1, request->step_complete.step_id);
  _pgqrs_sql_bind_text (stmt, 2, request->step_complete.output);

  return read_step (conn, stmt, reply, FALSE, NULL, error);
}

/* Reads step @name of run @run_id into @reply: is it RUNNING? */
static gboolean
select_running_step (PgqrsSqlDb             *conn,
                     gint64                  run_id,
                     const char             *name,
                     PgqrsReply             *reply,
                     GError                **error)
{
  PgqrsSqlStmt *stmt;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_STEP_SELECT, error)))
    return FALSE;
  _pgqrs_sql_bind_int64 (stmt, 1, run_id);
  _pgqrs_sql_bind_text (stmt, 2, name);
  if (!read_step (conn, stmt, reply, FALSE, NULL, error))
    return FALSE;

  if (((PgqrsStepRow *)g_ptr_array_index (reply->steps, 0))->status != PGQRS_STEP_STATUS_RUNNING)
    return step_not_running (error);

  return TRUE;
}

gboolean
_pgqrs_sqlite_op_step_lookup (PgqrsSqlDb             *conn,
                              PgqrsRequest           *request,
                              PgqrsReply             *reply,
                              GError                **error)
{
  PgqrsSqlStmt *stmt;
  PgqrsStepRow row;
  int rc;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_STEP_LOOKUP, error)))
    return FALSE;
  _pgqrs_sql_bind_int64 (stmt, 1, request->step_lookup.run_id);
  _pgqrs_sql_bind_text (stmt, 2, request->step_lookup.step_name);
  _pgqrs_sql_bind_int64 (stmt, 3, request->fence.id);
  _pgqrs_sql_bind_int64 (stmt, 4, request->fence.lease_count);

  if ((rc = _pgqrs_sql_step (conn, stmt, error)) == 0)
    return FALSE;
  /* no run: STEP_ACQUIRE says so */
  if (rc == PGQRS_SQL_DONE)
    return TRUE;

  row = step_row (stmt, FALSE);
  if (_pgqrs_step_lookup_judge (&row, _pgqrs_sql_column_type (stmt, 0) != PGQRS_SQL_NULL,
                                _pgqrs_run_status_from_string (column_text (stmt, 11)),
                                _pgqrs_sql_column_int (stmt, 12) != 0))
    _pgqrs_reply_add_step (reply, &row);
  _pgqrs_sql_reset (stmt);

  return TRUE;
}

gboolean
_pgqrs_sqlite_op_step_record (PgqrsSqlDb             *conn,
                              PgqrsRequest           *request,
                              PgqrsReply             *reply,
                              GError                **error)
{
  const PgqrsStepRecordArgs *args = &request->step_record;
  PgqrsSqlStmt *stmt;
  PgqrsStepRow row;
  gint64 step_id;
  int rc;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_STEP_RECORD, error)))
    return FALSE;
  _pgqrs_sql_bind_int64 (stmt, 1, args->run_id);
  _pgqrs_sql_bind_text (stmt, 2, args->step_name);
  if (args->started_at != NULL)
    _pgqrs_sql_bind_text (stmt, 3, args->started_at);
  _pgqrs_sql_bind_text (stmt, 4, args->output);

  if ((rc = _pgqrs_sql_step (conn, stmt, error)) == 0)
    return FALSE;
  if (rc == PGQRS_SQL_ROW)
    {
      row = step_row (stmt, FALSE);
      _pgqrs_reply_add_step (reply, &row);
      _pgqrs_sql_reset (stmt);
      return TRUE;
    }

  /* It has a row: one RUNNING (acquired with a write by another
   * executor) is completed; any other is left alone, so a stored output
   * is never replaced. */
  if (!select_running_step (conn, args->run_id, args->step_name, reply, error))
    return FALSE;
  step_id = ((PgqrsStepRow *)g_ptr_array_index (reply->steps, 0))->id;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_STEP_COMPLETE, error)))
    return FALSE;
  _pgqrs_sql_bind_int64 (stmt, 1, step_id);
  _pgqrs_sql_bind_text (stmt, 2, args->output);

  return read_step (conn, stmt, reply, FALSE, NULL, error);
}

gboolean
_pgqrs_sqlite_op_step_fail (PgqrsSqlDb             *conn,
                            PgqrsRequest           *request,
                            PgqrsReply             *reply,
                            GError                **error)
{
  const PgqrsStepFailArgs *args = &request->step_fail;
  const char *json = args->error;
  gboolean retry = args->retry_after_seconds >= 0;
  gint64 step_id = args->step_id;
  PgqrsSqlStmt *stmt;

  /* A step that failed before it had a row gets one, RUNNING, to fail. */
  if (step_id == 0)
    {
      if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_STEP_INSERT, error)))
        return FALSE;
      _pgqrs_sql_bind_int64 (stmt, 1, args->run_id);
      _pgqrs_sql_bind_text (stmt, 2, args->step_name);
      if (!_pgqrs_sql_step (conn, stmt, error) ||
          !select_running_step (conn, args->run_id, args->step_name, reply, error))
        return FALSE;
      step_id = ((PgqrsStepRow *)g_ptr_array_index (reply->steps, 0))->id;
    }

  if (!(stmt = _pgqrs_sql_prepare (conn, retry ? SQLITE_STMT_STEP_FAIL_RETRY
                                                             : SQLITE_STMT_STEP_FAIL_FINAL,
                                                 error)))
    return FALSE;
  _pgqrs_sql_bind_int64 (stmt, 1, step_id);
  _pgqrs_sql_bind_text (stmt, 2, json);
  if (retry)
    _pgqrs_sql_bind_double (stmt, 3, args->retry_after_seconds);

  if (!read_step (conn, stmt, reply, FALSE, NULL, error))
    return FALSE;

  /* Rule 19: the trigger message waits for the retry time instead of
   * spinning through its read count; a final failure fails the run. */
  if (retry)
    return show_message_at (conn, args->run_id,
                            ((PgqrsStepRow *)g_ptr_array_index (reply->steps, 0))->retry_at,
                            error);

  return set_run_status (conn, args->run_id, PGQRS_RUN_STATUS_ERROR, json, 0, 0, error) &&
         load_run (conn, args->run_id, reply, NULL, error);
}

gboolean
_pgqrs_sqlite_op_run_list (PgqrsSqlDb             *conn,
                           PgqrsRequest           *request,
                           PgqrsReply             *reply,
                           GError                **error)
{
  const PgqrsRunListArgs *args = &request->run_list;
  g_autofree char *statuses = NULL;
  PgqrsSqlStmt *stmt;
  int rc;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_RUN_LIST, error)))
    return FALSE;

  if (args->statuses != 0)
    {
      g_autoptr(GString) names = g_string_new ("[");

      for (PgqrsRunStatus s = PGQRS_RUN_STATUS_QUEUED; s <= PGQRS_RUN_STATUS_CANCELLED; s++)
        if (args->statuses & (1u << s))
          g_string_append_printf (names, "%s\"%s\"", names->len > 1 ? "," : "",
                                  pgqrs_run_status_to_string (s));
      g_string_append_c (names, ']');
      statuses = g_string_free (g_steal_pointer (&names), FALSE);
    }

  _pgqrs_sql_bind_text (stmt, 1, args->workflow_name);
  _pgqrs_sql_bind_text (stmt, 2, statuses);
  _pgqrs_sql_bind_text (stmt, 3, args->created_after);
  _pgqrs_sql_bind_text (stmt, 4, args->created_before);
  _pgqrs_sql_bind_int64 (stmt, 5, args->limit);
  _pgqrs_sql_bind_int64 (stmt, 6, args->offset);

  reply->runs = g_ptr_array_new_with_free_func ((GDestroyNotify)_pgqrs_run_row_free);
  while ((rc = _pgqrs_sql_step (conn, stmt, error)) == PGQRS_SQL_ROW)
    {
      PgqrsRunRow row = run_row (stmt);

      _pgqrs_reply_add_run (reply, &row);
    }
  _pgqrs_sql_reset (stmt);

  return rc == PGQRS_SQL_DONE;
}

gboolean
_pgqrs_sqlite_op_step_list (PgqrsSqlDb             *conn,
                            PgqrsRequest           *request,
                            PgqrsReply             *reply,
                            GError                **error)
{
  PgqrsSqlStmt *stmt;
  int rc;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_STEP_LIST, error)))
    return FALSE;

  _pgqrs_sql_bind_int64 (stmt, 1, request->step_list.run_id);

  reply->steps = g_ptr_array_new_with_free_func ((GDestroyNotify)_pgqrs_step_row_free);
  while ((rc = _pgqrs_sql_step (conn, stmt, error)) == PGQRS_SQL_ROW)
    {
      PgqrsStepRow row = step_row (stmt, FALSE);

      _pgqrs_reply_add_step (reply, &row);
    }
  _pgqrs_sql_reset (stmt);

  return rc == PGQRS_SQL_DONE;
}
