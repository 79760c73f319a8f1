/* pgqrs-sqlite-worker-ops.c — the worker operations of PgqrsBackend on SQLite
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pgqrs-error.h"
#include "pgqrs-types-private.h"
#include "pgqrs-worker-stats-private.h"
#include "pgqrs-sqlite-ops-private.h"

/* Reads the rows of WORKER_COLUMNS; returns how many, or -1 on error. */
static int
collect_workers (PgqrsSqlDb             *conn,
                 PgqrsSqlStmt           *stmt,
                 PgqrsReply             *reply,
                 GError                **error)
{
  int n = 0;
  int rc;

  while ((rc = _pgqrs_sql_step (conn, stmt, error)) == PGQRS_SQL_ROW)
    {
      PgqrsWorkerRow row = {
        .id = _pgqrs_sql_column_int64 (stmt, 0),
        .name = (char *)_pgqrs_sqlite_column_text (stmt, 1),
        .queue_id = _pgqrs_sql_column_int64 (stmt, 2),
        .status = _pgqrs_worker_status_from_string (_pgqrs_sqlite_column_text (stmt, 3)),
        .started_at = (char *)_pgqrs_sqlite_column_text (stmt, 4),
        .heartbeat_at = (char *)_pgqrs_sqlite_column_text (stmt, 5),
        .shutdown_at = (char *)_pgqrs_sqlite_column_text (stmt, 6),
        .heartbeat_age = MAX (0.0, _pgqrs_sql_column_double (stmt, 7)),
      };

      _pgqrs_reply_add_worker (reply, &row);
      n++;
    }

  return rc == PGQRS_SQL_DONE ? n : -1;
}

static gboolean
worker_not_found (gint64   worker_id,
                  GError **error)
{
  g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_NOT_FOUND,
               _("There is no worker with id %lld"), (long long)worker_id);
  return FALSE;
}

/* Marks the workers (all, or the one named) whose heartbeat is older than
 * @stale_after_seconds stopped and hands their leases back. */
static gboolean
reclaim_stale (PgqrsSqlDb             *conn,
               double                  stale_after_seconds,
               const char             *worker_name,
               GError                **error)
{
  PgqrsSqlStmt *stmt;

  /* Leases first: the stale set is defined by status, which the second
   * statement changes. */
  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_WORKER_RECLAIM_LEASES, error)))
    return FALSE;
  _pgqrs_sql_bind_double (stmt, 1, stale_after_seconds);
  _pgqrs_sql_bind_text (stmt, 2, worker_name);
  if (!_pgqrs_sql_step (conn, stmt, error))
    return FALSE;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_WORKER_RECLAIM, error)))
    return FALSE;
  _pgqrs_sql_bind_double (stmt, 1, stale_after_seconds);
  _pgqrs_sql_bind_text (stmt, 2, worker_name);

  return _pgqrs_sql_step (conn, stmt, error) != 0;
}

gboolean
_pgqrs_sqlite_op_worker_register (PgqrsSqlDb             *conn,
                                  PgqrsRequest           *request,
                                  PgqrsReply             *reply,
                                  GError                **error)
{
  gint64 queue_id = 0;
  PgqrsSqlStmt *stmt;
  int n;

  if (request->worker_register.queue_name != NULL &&
      !(queue_id = _pgqrs_sqlite_find_queue (conn, request->worker_register.queue_name, error)))
    return FALSE;

  /* A worker of this name that stopped heartbeating (its process died) is
   * reclaimed first; then a stopped worker's name is taken over, and a live
   * one is refused. */
  if (request->worker_register.takeover_after_seconds > 0 &&
      !reclaim_stale (conn, request->worker_register.takeover_after_seconds,
                      request->worker_register.worker_name, error))
    return FALSE;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_WORKER_REUSE, error)))
    return FALSE;
  _pgqrs_sql_bind_text (stmt, 1, request->worker_register.worker_name);
  _pgqrs_sql_bind_int64 (stmt, 2, queue_id);
  if ((n = collect_workers (conn, stmt, reply, error)) != 0)
    return n > 0;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_WORKER_INSERT, error)))
    return FALSE;
  _pgqrs_sql_bind_text (stmt, 1, request->worker_register.worker_name);
  _pgqrs_sql_bind_int64 (stmt, 2, queue_id);

  {
    g_autoptr(GError) local_error = NULL;

    if (collect_workers (conn, stmt, reply, &local_error) < 0)
      {
        if (g_error_matches (local_error, PGQRS_ERROR, PGQRS_ERROR_CONFLICT))
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_WORKER_EXISTS,
                       _("A live worker named “%s” is registered already; "
                         "its name is taken over once it has sent no heartbeat for %g s"),
                       request->worker_register.worker_name,
                       request->worker_register.takeover_after_seconds);
        else
          g_propagate_error (error, g_steal_pointer (&local_error));
        return FALSE;
      }
  }

  return TRUE;
}

/* Runs a statement on one worker id and reads its row back. */
static gboolean
worker_statement (PgqrsSqlDb             *conn,
                  PgqrsSqliteStmt         which,
                  gint64                  worker_id,
                  PgqrsReply             *reply,
                  GError                **error)
{
  PgqrsSqlStmt *stmt;
  int n;

  if (!(stmt = _pgqrs_sql_prepare (conn, which, error)))
    return FALSE;
  _pgqrs_sql_bind_int64 (stmt, 1, worker_id);

  if ((n = collect_workers (conn, stmt, reply, error)) < 0)
    return FALSE;
  if (n == 0)
    return worker_not_found (worker_id, error);

  return TRUE;
}

gboolean
_pgqrs_sqlite_op_worker_get (PgqrsSqlDb             *conn,
                             PgqrsRequest           *request,
                             PgqrsReply             *reply,
                             GError                **error)
{
  return worker_statement (conn, SQLITE_STMT_WORKER_SELECT,
                           request->worker_get.worker_id, reply, error);
}

gboolean
_pgqrs_sqlite_op_worker_heartbeat (PgqrsSqlDb             *conn,
                                   PgqrsRequest           *request,
                                   PgqrsReply             *reply,
                                   GError                **error)
{
  return worker_statement (conn, SQLITE_STMT_WORKER_HEARTBEAT,
                           request->worker_heartbeat.worker_id, reply, error);
}

static gint64
count_worker_leases (PgqrsSqlDb             *conn,
                     gint64                  worker_id,
                     GError                **error)
{
  PgqrsSqlStmt *stmt;
  gint64 n;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_WORKER_LEASES, error)))
    return -1;
  _pgqrs_sql_bind_int64 (stmt, 1, worker_id);
  if (_pgqrs_sql_step (conn, stmt, error) != PGQRS_SQL_ROW)
    return -1;
  n = _pgqrs_sql_column_int64 (stmt, 0);
  _pgqrs_sql_reset (stmt);

  return n;
}

gboolean
_pgqrs_sqlite_op_worker_transition (PgqrsSqlDb             *conn,
                                    PgqrsRequest           *request,
                                    PgqrsReply             *reply,
                                    GError                **error)
{
  const char *to = pgqrs_worker_status_to_string (request->worker_transition.to);
  g_autoptr(PgqrsReply) current = NULL;
  PgqrsSqlStmt *stmt;
  int n;

  if (request->worker_transition.to == PGQRS_WORKER_STATUS_STOPPED)
    {
      gint64 leases = count_worker_leases (conn, request->worker_transition.worker_id, error);

      if (leases < 0)
        return FALSE;
      if (leases > 0)
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE,
                       _("Worker %lld still holds %lld lease(s); release or archive them "
                         "before shutting it down"),
                       (long long)request->worker_transition.worker_id, (long long)leases);
          return FALSE;
        }
    }

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_WORKER_TRANSITION, error)))
    return FALSE;
  _pgqrs_sql_bind_int64 (stmt, 1, request->worker_transition.worker_id);
  _pgqrs_sql_bind_text (stmt, 2, to);
  _pgqrs_sql_bind_int (stmt, 3, request->worker_transition.allowed_from);

  if ((n = collect_workers (conn, stmt, reply, error)) < 0)
    return FALSE;
  if (n > 0)
    return TRUE;

  /* Refused: read the status it is in, to name both ends. */
  current = _pgqrs_reply_new ();
  if (!worker_statement (conn, SQLITE_STMT_WORKER_SELECT, request->worker_transition.worker_id,
                         current, error))
    return FALSE;

  g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE,
               _("Worker “%s” cannot go from %s to %s"),
               ((PgqrsWorkerRow *)g_ptr_array_index (current->workers, 0))->name,
               pgqrs_worker_status_to_string (
                 ((PgqrsWorkerRow *)g_ptr_array_index (current->workers, 0))->status),
               to);
  return FALSE;
}

gboolean
_pgqrs_sqlite_op_worker_list (PgqrsSqlDb             *conn,
                              PgqrsRequest           *request,
                              PgqrsReply             *reply,
                              GError                **error)
{
  PgqrsSqlStmt *stmt;
  gint64 queue_id = 0;

  if (request->worker_list.queue_name != NULL &&
      !(queue_id = _pgqrs_sqlite_find_queue (conn, request->worker_list.queue_name, error)))
    return FALSE;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_WORKER_LIST, error)))
    return FALSE;
  if (queue_id != 0)
    _pgqrs_sql_bind_int64 (stmt, 1, queue_id);

  if (collect_workers (conn, stmt, reply, error) < 0)
    return FALSE;

  if (reply->workers == NULL)
    reply->workers = g_ptr_array_new_with_free_func ((GDestroyNotify)_pgqrs_worker_row_free);

  return TRUE;
}

gboolean
_pgqrs_sqlite_op_worker_stats (PgqrsSqlDb             *conn,
                               PgqrsRequest           *request,
                               PgqrsReply             *reply,
                               GError                **error)
{
  PgqrsSqlStmt *stmt;
  int rc;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_WORKER_STATS, error)))
    return FALSE;

  _pgqrs_sql_bind_text (stmt, 1, request->worker_stats.queue_name);
  _pgqrs_sql_bind_double (stmt, 2, request->worker_stats.stale_after_seconds);

  reply->worker_stats = g_ptr_array_new_with_free_func (g_object_unref);

  while ((rc = _pgqrs_sql_step (conn, stmt, error)) == PGQRS_SQL_ROW)
    {
      PgqrsWorkerStatsRow row = {
        .queue_name = _pgqrs_sqlite_column_text (stmt, 0),
        .stale = _pgqrs_sql_column_int64 (stmt, 6),
        .held_messages = _pgqrs_sql_column_int64 (stmt, 7),
        .oldest_heartbeat_age = _pgqrs_sql_column_double (stmt, 8),
      };

      for (guint status = 0; status < G_N_ELEMENTS (row.by_status); status++)
        row.by_status[status] = _pgqrs_sql_column_int64 (stmt, 1 + status);

      g_ptr_array_add (reply->worker_stats, _pgqrs_worker_stats_new (&row));
    }

  if (rc != PGQRS_SQL_DONE)
    return FALSE;

  if (request->worker_stats.queue_name != NULL && reply->worker_stats->len == 0)
    return _pgqrs_sqlite_queue_not_found (request->worker_stats.queue_name, error);

  return TRUE;
}

gboolean
_pgqrs_sqlite_op_worker_reclaim (PgqrsSqlDb             *conn,
                                 PgqrsRequest           *request,
                                 PgqrsReply             *reply,
                                 GError                **error)
{
  if (!reclaim_stale (conn, request->worker_reclaim.stale_after_seconds, NULL, error))
    return FALSE;

  reply->count = _pgqrs_sql_changes (conn);

  return TRUE;
}
