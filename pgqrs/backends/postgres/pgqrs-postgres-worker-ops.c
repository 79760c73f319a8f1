/* pgqrs-postgres-worker-ops.c — workers on PostgreSQL
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pgqrs-error.h"
#include "pgqrs-types-private.h"
#include "pgqrs-postgres-ops-private.h"
#include "pgqrs-worker-stats-private.h"

/* Each of these is one statement at a time, without a transaction: the
 * statements themselves carry the conditions (a stopped name, an allowed
 * status, no leases), so a concurrent change makes them match nothing
 * rather than write over it, and the unique name settles races. */

/* Reads the rows of WORKER_COLUMNS; returns how many. */
static int
collect_workers (PgqrsPostgresCall *call,
                 PGresult          *result)
{
  int n = PQntuples (result);

  for (int row = 0; row < n; row++)
    {
      PgqrsWorkerRow w = {
        .id = _pgqrs_postgres_int (result, row, 0),
        .name = (char *)_pgqrs_postgres_text (result, row, 1),
        .queue_id = _pgqrs_postgres_int (result, row, 2),
        .status = _pgqrs_worker_status_from_string (_pgqrs_postgres_text (result, row, 3)),
        .started_at = (char *)_pgqrs_postgres_text (result, row, 4),
        .heartbeat_at = (char *)_pgqrs_postgres_text (result, row, 5),
        .shutdown_at = (char *)_pgqrs_postgres_text (result, row, 6),
        .heartbeat_age = MAX (0.0, _pgqrs_postgres_double (result, row, 7)),
      };

      _pgqrs_reply_add_worker (call->reply, &w);
    }

  return n;
}

static gboolean
worker_not_found (gint64   worker_id,
                  GError **error)
{
  g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_NOT_FOUND,
               _("There is no worker with id %lld"), (long long)worker_id);
  return FALSE;
}

static PGQRS_POSTGRES_STEP (worker_read)
{
  gint64 worker_id = call->request->op == PGQRS_OP_WORKER_GET
                   ? call->request->worker_get.worker_id
                   : call->request->worker_heartbeat.worker_id;

  return collect_workers (call, result) > 0 || worker_not_found (worker_id, error);
}

static PGQRS_POSTGRES_STEP (worker_inserted)
{
  collect_workers (call, result);
  return TRUE;
}

static void
worker_insert_failed (PgqrsPostgresCall  *call,
                      const char         *sqlstate,
                      GError            **error)
{
  if (g_strcmp0 (sqlstate, "23505") == 0)           /* unique_violation: the name */
    {
      g_clear_error (error);
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_WORKER_EXISTS,
                   _("A live worker named “%s” is registered already; "
                         "its name is taken over once it has sent no heartbeat for %g s"),
                   call->request->worker_register.worker_name,
                   call->request->worker_register.takeover_after_seconds);
    }
  else if (g_strcmp0 (sqlstate, "23503") == 0)      /* foreign_key_violation: the queue */
    {
      g_clear_error (error);
      _pgqrs_postgres_queue_not_found (call->request->worker_register.queue_name, error);
    }
}

/* A stopped worker's name is taken over; otherwise a new row, which the
 * unique name refuses while a live worker has it. */
static PGQRS_POSTGRES_STEP (worker_reused)
{
  if (collect_workers (call, result) > 0)
    return TRUE;

  _pgqrs_postgres_call_query (call, PG_STMT_WORKER_INSERT, worker_inserted,
                              PG_TEXT (call->request->worker_register.worker_name),
                              PG_INT (*(gint64 *)call->data), PG_END);
  _pgqrs_postgres_call_catch (call, worker_insert_failed);
  return TRUE;
}

static void
reuse_worker (PgqrsPostgresCall *call)
{
  _pgqrs_postgres_call_query (call, PG_STMT_WORKER_REUSE, worker_reused,
                              PG_TEXT (call->request->worker_register.worker_name),
                              PG_INT (*(gint64 *)call->data), PG_END);
  _pgqrs_postgres_call_catch (call, worker_insert_failed);
}

static PGQRS_POSTGRES_STEP (worker_queue_found)
{
  if (PQntuples (result) == 0)
    return _pgqrs_postgres_queue_not_found (call->request->worker_register.queue_name, error);

  *(gint64 *)call->data = _pgqrs_postgres_int (result, 0, 0);
  reuse_worker (call);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (register_fresh);

static PGQRS_POSTGRES_STEP (worker_stale_reclaimed)
{
  if (_pgqrs_postgres_int (result, 0, 0) > 0)
    _pgqrs_postgres_call_wake (call, 0);

  return register_fresh (call, result, error);
}

/* A worker of this name that stopped heartbeating (its process died) is
 * reclaimed first; then a stopped worker's name is taken over, and a live
 * one is refused. */
PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_worker_register)
{
  const PgqrsWorkerRegisterArgs *args = &call->request->worker_register;

  /* the id of the worker's queue, once found */
  call->data = g_new0 (gint64, 1);
  call->data_free = g_free;

  if (args->takeover_after_seconds > 0)
    {
      _pgqrs_postgres_call_query (call, PG_STMT_WORKER_RECLAIM, worker_stale_reclaimed,
                                  PG_DOUBLE (args->takeover_after_seconds),
                                  PG_TEXT (args->worker_name), PG_END);
      return TRUE;
    }

  return register_fresh (call, result, error);
}

static PGQRS_POSTGRES_STEP (register_fresh)
{
  if (call->request->worker_register.queue_name != NULL)
    _pgqrs_postgres_call_query (call, PG_STMT_QUEUE_SELECT, worker_queue_found,
                                PG_TEXT (call->request->worker_register.queue_name), PG_END);
  else
    reuse_worker (call);

  return TRUE;
}

PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_worker_get)
{
  _pgqrs_postgres_call_query (call, PG_STMT_WORKER_SELECT, worker_read,
                              PG_INT (call->request->worker_get.worker_id), PG_END);
  return TRUE;
}

PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_worker_heartbeat)
{
  _pgqrs_postgres_call_query (call, PG_STMT_WORKER_HEARTBEAT, worker_read,
                              PG_INT (call->request->worker_heartbeat.worker_id), PG_END);
  return TRUE;
}

/* A refused transition is explained from a fresh look at the worker; if
 * that shows no reason (it changed in between), the transition is tried
 * again, a few times. */
#define TRANSITION_ATTEMPTS 3

static PGQRS_POSTGRES_STEP (transitioned);

static void
try_transition (PgqrsPostgresCall *call)
{
  const PgqrsWorkerTransitionArgs *args = &call->request->worker_transition;

  (*(guint *)call->data)++;
  _pgqrs_postgres_call_query (call, PG_STMT_WORKER_TRANSITION, transitioned,
                              PG_INT (args->worker_id),
                              PG_TEXT (pgqrs_worker_status_to_string (args->to)),
                              PG_INT (args->allowed_from), PG_END);
}

static PGQRS_POSTGRES_STEP (transition_refused)
{
  const PgqrsWorkerTransitionArgs *args = &call->request->worker_transition;
  const char *to = pgqrs_worker_status_to_string (args->to);
  PgqrsWorkerStatus from;
  gint64 leases;

  if (PQntuples (result) == 0)
    return worker_not_found (args->worker_id, error);

  from = _pgqrs_worker_status_from_string (_pgqrs_postgres_text (result, 0, 3));
  leases = _pgqrs_postgres_int (result, 0, 8);

  if (args->to == PGQRS_WORKER_STATUS_STOPPED && leases > 0)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE,
                   _("Worker %lld still holds %lld lease(s); release or archive them "
                     "before shutting it down"),
                   (long long)args->worker_id, (long long)leases);
      return FALSE;
    }

  if (!(args->allowed_from & (1u << from)) || *(guint *)call->data >= TRANSITION_ATTEMPTS)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE,
                   _("Worker “%s” cannot go from %s to %s"),
                   _pgqrs_postgres_text (result, 0, 1), pgqrs_worker_status_to_string (from), to);
      return FALSE;
    }

  try_transition (call);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (transitioned)
{
  if (collect_workers (call, result) > 0)
    return TRUE;

  _pgqrs_postgres_call_query (call, PG_STMT_WORKER_STATE, transition_refused,
                              PG_INT (call->request->worker_transition.worker_id), PG_END);
  return TRUE;
}

PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_worker_transition)
{
  call->data = g_new0 (guint, 1);
  call->data_free = g_free;

  try_transition (call);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (workers_listed)
{
  collect_workers (call, result);

  if (call->reply->workers == NULL)
    call->reply->workers = g_ptr_array_new_with_free_func ((GDestroyNotify)_pgqrs_worker_row_free);

  return TRUE;
}

static PGQRS_POSTGRES_STEP (list_queue_found)
{
  if (PQntuples (result) == 0)
    return _pgqrs_postgres_queue_not_found (call->request->worker_list.queue_name, error);

  _pgqrs_postgres_call_query (call, PG_STMT_WORKER_LIST, workers_listed,
                              PG_TEXT (_pgqrs_postgres_text (result, 0, 0)), PG_END);
  return TRUE;
}

PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_worker_list)
{
  if (call->request->worker_list.queue_name != NULL)
    _pgqrs_postgres_call_query (call, PG_STMT_QUEUE_SELECT, list_queue_found,
                                PG_TEXT (call->request->worker_list.queue_name), PG_END);
  else
    _pgqrs_postgres_call_query (call, PG_STMT_WORKER_LIST, workers_listed, PG_TEXT (NULL), PG_END);

  return TRUE;
}

static PGQRS_POSTGRES_STEP (stats_read)
{
  PgqrsReply *reply = call->reply;

  reply->worker_stats = g_ptr_array_new_with_free_func (g_object_unref);

  for (int row = 0; row < PQntuples (result); row++)
    {
      PgqrsWorkerStatsRow s = {
        .queue_name = _pgqrs_postgres_text (result, row, 0),
        .stale = _pgqrs_postgres_int (result, row, 6),
        .held_messages = _pgqrs_postgres_int (result, row, 7),
        .oldest_heartbeat_age = _pgqrs_postgres_double (result, row, 8),
      };

      for (guint status = 0; status < G_N_ELEMENTS (s.by_status); status++)
        s.by_status[status] = _pgqrs_postgres_int (result, row, 1 + status);

      g_ptr_array_add (reply->worker_stats, _pgqrs_worker_stats_new (&s));
    }

  if (call->request->worker_stats.queue_name != NULL && reply->worker_stats->len == 0)
    return _pgqrs_postgres_queue_not_found (call->request->worker_stats.queue_name, error);

  return TRUE;
}

PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_worker_stats)
{
  _pgqrs_postgres_call_query (call, PG_STMT_WORKER_STATS, stats_read,
                              PG_TEXT (call->request->worker_stats.queue_name),
                              PG_DOUBLE (call->request->worker_stats.stale_after_seconds), PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (reclaimed)
{
  call->reply->count = _pgqrs_postgres_int (result, 0, 0);

  /* their leases are visible again, in whichever queues */
  if (call->reply->count > 0)
    _pgqrs_postgres_call_wake (call, 0);

  return TRUE;
}

PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_worker_reclaim)
{
  _pgqrs_postgres_call_query (call, PG_STMT_WORKER_RECLAIM, reclaimed,
                              PG_DOUBLE (call->request->worker_reclaim.stale_after_seconds),
                              PG_TEXT (NULL), PG_END);
  return TRUE;
}
