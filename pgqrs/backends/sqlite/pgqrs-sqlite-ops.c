/* pgqrs-sqlite-ops.c — the semantic operations of PgqrsBackend on SQLite
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pgqrs-backend-support-private.h"
#include "pgqrs-error.h"
#include "pgqrs-types-private.h"
#include "pgqrs-message-private.h"
#include "pgqrs-queue-metrics-private.h"
#include "pgqrs-sqlite-ops-private.h"

/* Each op runs on the owner thread, so none of them locks anything; every
 * op that writes does so inside one BEGIN IMMEDIATE transaction. */

const char *
_pgqrs_sqlite_column_text (PgqrsSqlStmt *stmt,
                           int           column)
{
  return (const char *)_pgqrs_sql_column_text (stmt, column);
}

static PgqrsArchiveReason
archive_reason_from_text (const char *text)
{
  if (text == NULL)
    return PGQRS_ARCHIVE_REASON_NONE;
  if (g_str_equal (text, "dead_letter"))
    return PGQRS_ARCHIVE_REASON_DEAD_LETTER;
  return PGQRS_ARCHIVE_REASON_DONE;
}

#define column_text _pgqrs_sqlite_column_text

/* Reads a row of MESSAGE_COLUMNS. */
static PgqrsMessage *
message_from_row (PgqrsSqlStmt  *stmt,
                  GError       **error)
{
  PgqrsMessageRow row = {
    .id = _pgqrs_sql_column_int64 (stmt, 0),
    .queue_id = _pgqrs_sql_column_int64 (stmt, 1),
    .payload = column_text (stmt, 2),
    .enqueued_at = column_text (stmt, 3),
    .visible_at = column_text (stmt, 4),
    .dequeued_at = column_text (stmt, 5),
    .archived_at = column_text (stmt, 6),
    .archive_reason = archive_reason_from_text (column_text (stmt, 7)),
    .read_count = _pgqrs_sql_column_int (stmt, 8),
    .producer_worker_id = _pgqrs_sql_column_int64 (stmt, 9),
    .consumer_worker_id = _pgqrs_sql_column_int64 (stmt, 10),
    .lease_count = _pgqrs_sql_column_int64 (stmt, 11),
  };

  return _pgqrs_message_new_from_row (&row, error);
}

static gboolean
collect_messages (PgqrsSqlDb             *conn,
                  PgqrsSqlStmt           *stmt,
                  PgqrsReply             *reply,
                  GError                **error)
{
  int rc;

  if (reply->messages == NULL)
    reply->messages = g_ptr_array_new_with_free_func (g_object_unref);

  while ((rc = _pgqrs_sql_step (conn, stmt, error)) == PGQRS_SQL_ROW)
    {
      PgqrsMessage *message = message_from_row (stmt, error);

      if (message == NULL)
        {
          _pgqrs_sql_reset (stmt);
          return FALSE;
        }
      g_ptr_array_add (reply->messages, message);
    }

  return rc == PGQRS_SQL_DONE;
}

static gboolean
collect_queues (PgqrsSqlDb             *conn,
                PgqrsSqlStmt           *stmt,
                PgqrsReply             *reply,
                GError                **error)
{
  int rc;

  while ((rc = _pgqrs_sql_step (conn, stmt, error)) == PGQRS_SQL_ROW)
    _pgqrs_reply_add_queue (reply, _pgqrs_sql_column_int64 (stmt, 0),
                            column_text (stmt, 1), column_text (stmt, 2));

  return rc == PGQRS_SQL_DONE;
}

gboolean
_pgqrs_sqlite_queue_not_found (const char  *name,
                               GError     **error)
{
  g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_NOT_FOUND,
               _("There is no queue named “%s”"), name);
  return FALSE;
}

/* Looks a queue up by name; QUEUE_NOT_FOUND if there is none. */
gint64
_pgqrs_sqlite_find_queue (PgqrsSqlDb             *conn,
                          const char             *name,
                          GError                **error)
{
  PgqrsSqlStmt *stmt;
  gint64 id;
  int rc;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_QUEUE_SELECT, error)))
    return 0;

  _pgqrs_sql_bind_text (stmt, 1, name);

  if (!(rc = _pgqrs_sql_step (conn, stmt, error)))
    return 0;

  if (rc == PGQRS_SQL_DONE)
    {
      _pgqrs_sqlite_queue_not_found (name, error);
      return 0;
    }

  id = _pgqrs_sql_column_int64 (stmt, 0);
  _pgqrs_sql_reset (stmt);

  return id;
}

static gboolean
op_queue_create (PgqrsSqlDb             *conn,
                 PgqrsRequest           *request,
                 PgqrsReply             *reply,
                 GError                **error)
{
  g_autoptr(GError) local_error = NULL;
  PgqrsSqlStmt *stmt;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_QUEUE_INSERT, error)))
    return FALSE;

  _pgqrs_sql_bind_text (stmt, 1, request->queue_create.queue_name);

  if (!collect_queues (conn, stmt, reply, &local_error))
    {
      if (g_error_matches (local_error, PGQRS_ERROR, PGQRS_ERROR_CONFLICT))
        g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_EXISTS,
                     _("A queue named “%s” exists already"), request->queue_create.queue_name);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

static gboolean
op_queue_get (PgqrsSqlDb             *conn,
              PgqrsRequest           *request,
              PgqrsReply             *reply,
              GError                **error)
{
  PgqrsSqlStmt *stmt;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_QUEUE_SELECT, error)))
    return FALSE;

  _pgqrs_sql_bind_text (stmt, 1, request->queue_get.queue_name);

  if (!collect_queues (conn, stmt, reply, error))
    return FALSE;

  if (reply->queues == NULL)
    {
      return _pgqrs_sqlite_queue_not_found (request->queue_get.queue_name, error);
    }

  return TRUE;
}

static gboolean
op_queue_list (PgqrsSqlDb             *conn,
               PgqrsRequest           *request,
               PgqrsReply             *reply,
               GError                **error)
{
  PgqrsSqlStmt *stmt;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_QUEUE_LIST, error)))
    return FALSE;

  return collect_queues (conn, stmt, reply, error);
}

/* Runs a statement whose only parameter is a queue id. */
static gboolean
run_for_queue (PgqrsSqlDb             *conn,
               PgqrsSqliteStmt         which,
               gint64                  queue_id,
               GError                **error)
{
  PgqrsSqlStmt *stmt;

  if (!(stmt = _pgqrs_sql_prepare (conn, which, error)))
    return FALSE;

  _pgqrs_sql_bind_int64 (stmt, 1, queue_id);

  return _pgqrs_sql_step (conn, stmt, error) != 0;
}

static gboolean
check_queue_unused (PgqrsSqlDb             *conn,
                    const char             *queue_name,
                    gint64                  queue_id,
                    GError                **error)
{
  PgqrsSqlStmt *stmt;
  gint64 messages, workers, workflows;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_QUEUE_USAGE, error)))
    return FALSE;

  _pgqrs_sql_bind_int64 (stmt, 1, queue_id);

  if (_pgqrs_sql_step (conn, stmt, error) != PGQRS_SQL_ROW)
    return FALSE;

  messages = _pgqrs_sql_column_int64 (stmt, 0);
  workers = _pgqrs_sql_column_int64 (stmt, 1);
  workflows = _pgqrs_sql_column_int64 (stmt, 2);
  _pgqrs_sql_reset (stmt);

  if (messages > 0 || workers > 0 || workflows > 0)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_IN_USE,
                   _("Queue “%s” still has %lld message(s), %lld live worker(s) and "
                     "%lld workflow(s); purge it or delete it with cascade"),
                   queue_name, (long long)messages, (long long)workers,
                   (long long)workflows);
      return FALSE;
    }

  return TRUE;
}

static gboolean
op_queue_delete (PgqrsSqlDb             *conn,
                 PgqrsRequest           *request,
                 PgqrsReply             *reply,
                 GError                **error)
{
  gint64 queue_id;

  if (!(queue_id = _pgqrs_sqlite_find_queue (conn, request->queue_delete.queue_name, error)))
    return FALSE;

  if (!request->queue_delete.cascade)
    {
      if (!check_queue_unused (conn, request->queue_delete.queue_name, queue_id, error))
        return FALSE;
    }
  else if (!run_for_queue (conn, SQLITE_STMT_QUEUE_DELETE_RUNS, queue_id, error) ||
           !run_for_queue (conn, SQLITE_STMT_QUEUE_DELETE_WORKFLOWS, queue_id, error) ||
           !run_for_queue (conn, SQLITE_STMT_QUEUE_DETACH_WORKERS, queue_id, error) ||
           !run_for_queue (conn, SQLITE_STMT_QUEUE_DELETE_MESSAGES, queue_id, error))
    return FALSE;

  return run_for_queue (conn, SQLITE_STMT_QUEUE_DELETE, queue_id, error);
}

static gboolean
op_queue_purge (PgqrsSqlDb             *conn,
                PgqrsRequest           *request,
                PgqrsReply             *reply,
                GError                **error)
{
  gint64 queue_id;

  if (!(queue_id = _pgqrs_sqlite_find_queue (conn, request->queue_purge.queue_name, error)) ||
      !run_for_queue (conn, SQLITE_STMT_QUEUE_PURGE_RUNS, queue_id, error) ||
      !run_for_queue (conn, SQLITE_STMT_QUEUE_DELETE_MESSAGES, queue_id, error))
    return FALSE;

  reply->count = _pgqrs_sql_changes (conn);

  return TRUE;
}

static gboolean
op_enqueue (PgqrsSqlDb             *conn,
            PgqrsRequest           *request,
            PgqrsReply             *reply,
            GError                **error)
{
  GPtrArray *keys = request->enqueue.idempotency_keys;

  for (guint i = 0; i < request->enqueue.payloads->len; i++)
    {
      g_autoptr(GError) local_error = NULL;
      const char *key = keys ? g_ptr_array_index (keys, i) : NULL;
      PgqrsSqlStmt *stmt;
      int rc;

      /* A key already held, by an earlier call or earlier in this batch:
       * that message is the answer.  One transaction: no other writer
       * comes between the look and the insert. */
      if (key != NULL)
        {
          if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_MESSAGE_BY_KEY, error)))
            return FALSE;
          _pgqrs_sql_bind_int64 (stmt, 1, request->enqueue.queue_id);
          _pgqrs_sql_bind_text (stmt, 2, key);
          if ((rc = _pgqrs_sql_step (conn, stmt, error)) == 0)
            return FALSE;
          if (rc == PGQRS_SQL_ROW)
            {
              _pgqrs_reply_add_id (reply, _pgqrs_sql_column_int64 (stmt, 0));
              _pgqrs_sql_reset (stmt);
              continue;
            }
        }

      if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_MESSAGE_INSERT, error)))
        return FALSE;

      _pgqrs_sql_bind_int64 (stmt, 1, request->enqueue.queue_id);
      _pgqrs_sql_bind_text (stmt, 2, g_ptr_array_index (request->enqueue.payloads, i));
      _pgqrs_sql_bind_double (stmt, 3, request->enqueue.delay_seconds);
      _pgqrs_sql_bind_int64 (stmt, 4, request->enqueue.worker_id);
      if (key != NULL)
        _pgqrs_sql_bind_text (stmt, 5, key);

      if (_pgqrs_sql_step (conn, stmt, &local_error) != PGQRS_SQL_ROW)
        {
          /* The only foreign key of a new message that can go away is its
           * queue; other constraints (a trigger's, say) speak for
           * themselves. */
          if (_pgqrs_sql_errcode (conn) == SQLITE_CONSTRAINT_FOREIGNKEY)
            g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_NOT_FOUND,
                         _("Queue “%s” no longer exists"), request->enqueue.queue_name);
          else
            g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      _pgqrs_reply_add_id (reply, _pgqrs_sql_column_int64 (stmt, 0));
      _pgqrs_sql_reset (stmt);
    }

  return TRUE;
}

static int
compare_message_ids (gconstpointer a,
                     gconstpointer b)
{
  gint64 id_a = pgqrs_message_get_id (*(PgqrsMessage **)a);
  gint64 id_b = pgqrs_message_get_id (*(PgqrsMessage **)b);

  return (id_a > id_b) - (id_a < id_b);
}

static gboolean
op_lease (PgqrsSqlDb             *conn,
          PgqrsRequest           *request,
          PgqrsReply             *reply,
          GError                 **error)
{
  PgqrsSqlStmt *stmt;

  /* Dead letters in the window are archived first, until the window holds
   * only messages that may still be leased (semantics rule 7). */
  do
    {
      if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_MESSAGE_DEAD_LETTER, error)))
        return FALSE;

      _pgqrs_sql_bind_int64 (stmt, 1, request->lease.queue_id);
      _pgqrs_sql_bind_int (stmt, 2, request->lease.limit);
      _pgqrs_sql_bind_int (stmt, 3, request->lease.max_read_count);

      if (!_pgqrs_sql_step (conn, stmt, error))
        return FALSE;
    }
  while (_pgqrs_sql_changes (conn) > 0);

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_MESSAGE_LEASE, error)))
    return FALSE;

  _pgqrs_sql_bind_int64 (stmt, 1, request->lease.queue_id);
  _pgqrs_sql_bind_int (stmt, 2, request->lease.limit);
  _pgqrs_sql_bind_double (stmt, 3, request->lease.visibility_seconds);
  _pgqrs_sql_bind_int64 (stmt, 4, request->lease.worker_id);

  if (!collect_messages (conn, stmt, reply, error))
    return FALSE;

  /* RETURNING gives no order; the window was taken oldest first. */
  g_ptr_array_sort (reply->messages, compare_message_ids);

  return TRUE;
}

static guint
token_hash (gconstpointer key)
{
  const PgqrsLeaseToken *token = key;

  return g_int64_hash (&token->id) ^ g_int64_hash (&token->lease_count);
}

static gboolean
token_equal (gconstpointer a,
             gconstpointer b)
{
  const PgqrsLeaseToken *x = a, *y = b;

  return x->id == y->id && x->lease_count == y->lease_count;
}

static gboolean
op_fenced (PgqrsSqlDb             *conn,
           PgqrsRequest           *request,
           PgqrsReply             *reply,
           GError                **error)
{
  const PgqrsSettleArgs *settle = _pgqrs_request_get_settle (request);
  /* only a batch can repeat a token; a single one needs no table */
  g_autoptr(GHashTable) seen = settle->tokens->len > 1
                               ? g_hash_table_new (token_hash, token_equal) : NULL;
  PgqrsSqliteStmt which;

  /* four of the ops: if rather than a switch that would list them all */
  if (request->op == PGQRS_OP_ARCHIVE)
    which = SQLITE_STMT_MESSAGE_ARCHIVE;
  else if (request->op == PGQRS_OP_DELETE)
    which = SQLITE_STMT_MESSAGE_DELETE;
  else if (request->op == PGQRS_OP_RELEASE)
    which = SQLITE_STMT_MESSAGE_RELEASE;
  else if (request->op == PGQRS_OP_EXTEND)
    which = SQLITE_STMT_MESSAGE_EXTEND;
  else
    g_return_val_if_reached (FALSE);

  for (guint i = 0; i < settle->tokens->len; i++)
    {
      const PgqrsLeaseToken *token = &g_array_index (settle->tokens, PgqrsLeaseToken, i);
      PgqrsSqlStmt *stmt;

      /* A repeated token counts once, at its first place, as on
       * PostgreSQL: extend does not move the lease count on, so without
       * this a repeat would extend twice and answer TRUE twice. */
      if (seen != NULL && !g_hash_table_add (seen, (gpointer)token))
        {
          _pgqrs_reply_add_flag (reply, FALSE);
          continue;
        }

      if (!(stmt = _pgqrs_sql_prepare (conn, which, error)))
        return FALSE;

      _pgqrs_sql_bind_int64 (stmt, 1, token->id);
      _pgqrs_sql_bind_int64 (stmt, 2, settle->queue_id);
      _pgqrs_sql_bind_int64 (stmt, 3, token->lease_count);
      if (request->op == PGQRS_OP_ARCHIVE)
        _pgqrs_sql_bind_int (stmt, 4, request->archive.dead_letter);
      else if (request->op == PGQRS_OP_RELEASE)
        _pgqrs_sql_bind_double (stmt, 4, request->release.delay_seconds);
      else if (request->op == PGQRS_OP_EXTEND)
        _pgqrs_sql_bind_double (stmt, 4, request->extend.extend_seconds);

      if (!_pgqrs_sql_step (conn, stmt, error))
        return FALSE;

      _pgqrs_reply_add_flag (reply, _pgqrs_sql_changes (conn) > 0);
    }

  return TRUE;
}

static gboolean
op_metrics (PgqrsSqlDb             *conn,
            PgqrsRequest           *request,
            PgqrsReply             *reply,
            GError                **error)
{
  PgqrsSqlStmt *stmt;
  int rc;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_METRICS, error)))
    return FALSE;

  if (request->metrics.queue_name != NULL)
    _pgqrs_sql_bind_text (stmt, 1, request->metrics.queue_name);

  reply->metrics = g_ptr_array_new_with_free_func (g_object_unref);

  while ((rc = _pgqrs_sql_step (conn, stmt, error)) == PGQRS_SQL_ROW)
    {
      PgqrsQueueMetricsRow row = {
        .queue_name = column_text (stmt, 0),
        .total = _pgqrs_sql_column_int64 (stmt, 1),
        .pending = _pgqrs_sql_column_int64 (stmt, 2),
        .delayed = _pgqrs_sql_column_int64 (stmt, 3),
        .leased = _pgqrs_sql_column_int64 (stmt, 4),
        .archived = _pgqrs_sql_column_int64 (stmt, 5),
        .dead_lettered = _pgqrs_sql_column_int64 (stmt, 6),
        .oldest_pending_age = _pgqrs_sql_column_double (stmt, 7),
      };

      g_ptr_array_add (reply->metrics, _pgqrs_queue_metrics_new (&row));
    }

  if (rc != PGQRS_SQL_DONE)
    return FALSE;

  if (request->metrics.queue_name != NULL && reply->metrics->len == 0)
    {
      return _pgqrs_sqlite_queue_not_found (request->metrics.queue_name, error);
    }

  return TRUE;
}

static gboolean
op_list_archived (PgqrsSqlDb             *conn,
                  PgqrsRequest           *request,
                  PgqrsReply             *reply,
                  GError                **error)
{
  PgqrsSqlStmt *stmt;
  gint64 queue_id = 0;

  if (request->list_archived.queue_name != NULL &&
      !(queue_id = _pgqrs_sqlite_find_queue (conn, request->list_archived.queue_name, error)))
    return FALSE;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_LIST_ARCHIVED, error)))
    return FALSE;

  if (queue_id != 0)
    _pgqrs_sql_bind_int64 (stmt, 1, queue_id);
  _pgqrs_sql_bind_int (stmt, 2, request->list_archived.dead_letter_only);
  _pgqrs_sql_bind_int64 (stmt, 3, request->list_archived.limit);
  _pgqrs_sql_bind_int64 (stmt, 4, request->list_archived.offset);

  return collect_messages (conn, stmt, reply, error);
}

static gboolean
op_replay (PgqrsSqlDb             *conn,
           PgqrsRequest           *request,
           PgqrsReply             *reply,
           GError                **error)
{
  PgqrsSqlStmt *stmt;
  int rc;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_MESSAGE_REPLAY, error)))
    return FALSE;

  _pgqrs_sql_bind_int64 (stmt, 1, request->replay.message_id);

  if (!_pgqrs_sql_step (conn, stmt, error))
    return FALSE;

  if (_pgqrs_sql_changes (conn) > 0)
    {
      _pgqrs_reply_add_flag (reply, TRUE);
      return TRUE;
    }

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_MESSAGE_EXISTS, error)))
    return FALSE;

  _pgqrs_sql_bind_int64 (stmt, 1, request->replay.message_id);

  if (!(rc = _pgqrs_sql_step (conn, stmt, error)))
    return FALSE;
  _pgqrs_sql_reset (stmt);

  if (rc == PGQRS_SQL_DONE)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_NOT_FOUND,
                   _("There is no message with id %lld"), (long long)request->replay.message_id);
      return FALSE;
    }

  _pgqrs_reply_add_flag (reply, FALSE);

  return TRUE;
}

static gboolean
op_message_list (PgqrsSqlDb             *conn,
                 PgqrsRequest           *request,
                 PgqrsReply             *reply,
                 GError                **error)
{
  const PgqrsMessageListArgs *args = &request->message_list;
  PgqrsSqlStmt *stmt;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_MESSAGE_LIST, error)))
    return FALSE;

  _pgqrs_sql_bind_int64 (stmt, 1, args->queue_id);
  _pgqrs_sql_bind_int (stmt, 2, args->states);
  _pgqrs_sql_bind_int64 (stmt, 3, args->limit);
  _pgqrs_sql_bind_int64 (stmt, 4, args->offset);

  return collect_messages (conn, stmt, reply, error);
}

static gboolean
op_message_get (PgqrsSqlDb             *conn,
                PgqrsRequest           *request,
                PgqrsReply             *reply,
                GError                **error)
{
  PgqrsSqlStmt *stmt;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_MESSAGE_GET, error)))
    return FALSE;

  _pgqrs_sql_bind_int64 (stmt, 1, request->message_get.message_id);
  _pgqrs_sql_bind_int64 (stmt, 2, request->message_get.queue_id);

  if (!collect_messages (conn, stmt, reply, error))
    return FALSE;

  if (reply->messages->len == 0)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_NOT_FOUND,
                   _("The queue has no message %lld"), (long long)request->message_get.message_id);
      return FALSE;
    }

  return TRUE;
}

static gboolean
op_server_info (PgqrsSqlDb             *conn,
                PgqrsRequest           *request,
                PgqrsReply             *reply,
                GError                **error)
{
  PgqrsSqlStmt *stmt;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_SERVER_INFO, error)) ||
      _pgqrs_sql_step (conn, stmt, error) != PGQRS_SQL_ROW)
    return FALSE;

  reply->count = _pgqrs_sql_column_int64 (stmt, 0);
  reply->server_version = g_strconcat ("SQLite ", column_text (stmt, 1), NULL);
  _pgqrs_sql_reset (stmt);

  return TRUE;
}

static gboolean
op_next_visible (PgqrsSqlDb             *conn,
                 PgqrsRequest           *request,
                 PgqrsReply             *reply,
                 GError                **error)
{
  PgqrsSqlStmt *stmt;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_NEXT_VISIBLE, error)))
    return FALSE;

  _pgqrs_sql_bind_int64 (stmt, 1, request->next_visible.queue_id);

  if (_pgqrs_sql_step (conn, stmt, error) != PGQRS_SQL_ROW)
    return FALSE;

  reply->seconds = _pgqrs_sql_column_type (stmt, 0) == PGQRS_SQL_NULL
                 ? -1 : MAX (0.0, _pgqrs_sql_column_double (stmt, 0));
  _pgqrs_sql_reset (stmt);

  return TRUE;
}

static gboolean
op_clock_set (PgqrsSqlDb             *conn,
              PgqrsRequest           *request,
              PgqrsReply             *reply,
              GError                **error)
{
  PgqrsSqlStmt *stmt;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_CLOCK_SET, error)))
    return FALSE;

  _pgqrs_sql_bind_double (stmt, 1, request->clock_set.skew_seconds);

  return _pgqrs_sql_step (conn, stmt, error) != 0;
}

/* A fenced request (a workflow executor's) applies only while its lease
 * on the run's trigger message is current; in the op's transaction, so
 * that no lease can come between. */
static gboolean
check_fence (PgqrsSqlDb             *conn,
             PgqrsRequest           *request,
             GError                **error)
{
  PgqrsSqlStmt *stmt;
  int rc;

  if (!(stmt = _pgqrs_sql_prepare (conn, SQLITE_STMT_FENCE_CHECK, error)))
    return FALSE;

  _pgqrs_sql_bind_int64 (stmt, 1, request->fence.id);
  _pgqrs_sql_bind_int64 (stmt, 2, request->fence.lease_count);
  if ((rc = _pgqrs_sql_step (conn, stmt, error)) == 0)
    return FALSE;
  if (rc != PGQRS_SQL_ROW)
    {
      _pgqrs_set_superseded_error (error, request);
      return FALSE;
    }

  return TRUE;
}

typedef gboolean (*OpFunc) (PgqrsSqlDb             *conn,
                            PgqrsRequest           *request,
                            PgqrsReply             *reply,
                            GError                **error);

static const struct {
  OpFunc   func;
  gboolean writes;
} ops[] = {
  [PGQRS_OP_QUEUE_CREATE]  = { op_queue_create,  TRUE },
  [PGQRS_OP_QUEUE_GET]     = { op_queue_get,     FALSE },
  [PGQRS_OP_QUEUE_LIST]    = { op_queue_list,    FALSE },
  [PGQRS_OP_QUEUE_DELETE]  = { op_queue_delete,  TRUE },
  [PGQRS_OP_QUEUE_PURGE]   = { op_queue_purge,   TRUE },
  [PGQRS_OP_ENQUEUE]       = { op_enqueue,       TRUE },
  [PGQRS_OP_LEASE]         = { op_lease,         TRUE },
  [PGQRS_OP_ARCHIVE]       = { op_fenced,        TRUE },
  [PGQRS_OP_DELETE]        = { op_fenced,        TRUE },
  [PGQRS_OP_RELEASE]       = { op_fenced,        TRUE },
  [PGQRS_OP_EXTEND]        = { op_fenced,        TRUE },
  [PGQRS_OP_METRICS]       = { op_metrics,       FALSE },
  [PGQRS_OP_LIST_ARCHIVED] = { op_list_archived, FALSE },
  [PGQRS_OP_REPLAY]        = { op_replay,        TRUE },
  [PGQRS_OP_NEXT_VISIBLE]  = { op_next_visible,  FALSE },
  [PGQRS_OP_WORKER_REGISTER]   = { _pgqrs_sqlite_op_worker_register,   TRUE },
  [PGQRS_OP_WORKER_GET]        = { _pgqrs_sqlite_op_worker_get,        FALSE },
  [PGQRS_OP_WORKER_HEARTBEAT]  = { _pgqrs_sqlite_op_worker_heartbeat,  TRUE },
  [PGQRS_OP_WORKER_TRANSITION] = { _pgqrs_sqlite_op_worker_transition, TRUE },
  [PGQRS_OP_WORKER_LIST]       = { _pgqrs_sqlite_op_worker_list,       FALSE },
  [PGQRS_OP_WORKER_STATS]      = { _pgqrs_sqlite_op_worker_stats,      FALSE },
  [PGQRS_OP_WORKER_RECLAIM]    = { _pgqrs_sqlite_op_worker_reclaim,    TRUE },
  [PGQRS_OP_WORKFLOW_DEFINE]   = { _pgqrs_sqlite_op_workflow_define, TRUE },
  [PGQRS_OP_RUN_CREATE]        = { _pgqrs_sqlite_op_run_create,      TRUE },
  [PGQRS_OP_RUN_GET]           = { _pgqrs_sqlite_op_run_get,         FALSE },
  [PGQRS_OP_RUN_TRANSITION]    = { _pgqrs_sqlite_op_run_transition,  TRUE },
  [PGQRS_OP_STEP_ACQUIRE]      = { _pgqrs_sqlite_op_step_acquire,    TRUE },
  [PGQRS_OP_STEP_COMPLETE]     = { _pgqrs_sqlite_op_step_complete,   TRUE },
  [PGQRS_OP_STEP_FAIL]         = { _pgqrs_sqlite_op_step_fail,       TRUE },
  [PGQRS_OP_CLOCK_SET]         = { op_clock_set,                     TRUE },
  [PGQRS_OP_MESSAGE_LIST]      = { op_message_list,                  FALSE },
  [PGQRS_OP_MESSAGE_GET]       = { op_message_get,                   FALSE },
  [PGQRS_OP_RUN_LIST]          = { _pgqrs_sqlite_op_run_list,        FALSE },
  [PGQRS_OP_STEP_LIST]         = { _pgqrs_sqlite_op_step_list,       FALSE },
  [PGQRS_OP_SERVER_INFO]       = { op_server_info,                   FALSE },
  [PGQRS_OP_STEP_LOOKUP]       = { _pgqrs_sqlite_op_step_lookup,     FALSE },
  [PGQRS_OP_STEP_RECORD]       = { _pgqrs_sqlite_op_step_record,     TRUE },
};

static gboolean
execute (PgqrsSqlDb             *conn,
         PgqrsRequest           *request,
         PgqrsReply             *reply,
         GError                **error)
{
  g_autoptr(GError) local_error = NULL;

  /* the two ops outside the table */
  if (request->op == PGQRS_OP_INSTALL)
    return _pgqrs_sql_migrate (conn, error);
  if (request->op == PGQRS_OP_VERIFY)
    return _pgqrs_sql_verify (conn, error);

  g_return_val_if_fail ((guint)request->op < G_N_ELEMENTS (ops) && ops[request->op].func, FALSE);

  if (!ops[request->op].writes)
    return ops[request->op].func (conn, request, reply, error);

  if (!_pgqrs_sql_begin (conn, &local_error))
    goto failed;

  if ((request->fence.id != 0 && !check_fence (conn, request, &local_error)) ||
      !ops[request->op].func (conn, request, reply, &local_error))
    {
      _pgqrs_sql_rollback (conn);
      goto failed;
    }

  if (!_pgqrs_sql_commit (conn, &local_error))
    goto failed;

  return TRUE;

failed:
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

gboolean
_pgqrs_sqlite_execute (PgqrsSqlDb             *conn,
                       PgqrsRequest           *request,
                       PgqrsReply             *reply,
                       GError                **error)
{
  gboolean ok;

  _pgqrs_sql_set_operation (conn, _pgqrs_op_to_string (request->op));
  ok = execute (conn, request, reply, error);
  _pgqrs_sql_set_operation (conn, NULL);
  _pgqrs_sql_finish (conn);

  return ok;
}
