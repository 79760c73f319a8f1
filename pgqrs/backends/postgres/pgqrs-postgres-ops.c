/* pgqrs-postgres-ops.c — the queue operations of PgqrsBackend on PostgreSQL
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pgqrs-backend-support-private.h"
#include "pgqrs-error.h"
#include "pgqrs-message-private.h"
#include "pgqrs-postgres-ops-private.h"
#include "pgqrs-queue-metrics-private.h"

/* The hot paths (enqueue, lease, archive, delete, release, extend) are one
 * statement each, atomic without a transaction of their own; admin
 * operations that read before they write take a transaction and lock what
 * they read. */

gboolean
_pgqrs_postgres_queue_not_found (const char  *queue_name,
                                 GError     **error)
{
  g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_NOT_FOUND,
               _("There is no queue named “%s”"), queue_name);
  return FALSE;
}

/* A PostgreSQL array literal of @items, each element quoted; with @json,
 * each element made acceptable to jsonb first. */
static char *
quoted_array (GPtrArray *items,
              gboolean   json)
{
  g_autoptr(GString) item = g_string_new (NULL);
  GString *out = g_string_new ("{");

  for (guint i = 0; i < items->len; i++)
    {
      g_string_truncate (item, 0);
      if (json)
        _pgqrs_postgres_append_json (item, g_ptr_array_index (items, i));
      else
        g_string_append (item, g_ptr_array_index (items, i));

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, '"');
      for (const char *p = item->str; *p != '\0'; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

static char *
json_array (GPtrArray *items)
{
  return quoted_array (items, TRUE);
}

/* The ids and lease counts of lease tokens, as two array literals. */
static void
token_arrays (GArray  *tokens,
              char   **ids,
              char   **lease_counts)
{
  GString *id_text = g_string_new ("{");
  GString *lease_text = g_string_new ("{");

  for (guint i = 0; i < tokens->len; i++)
    {
      const PgqrsLeaseToken *token = &g_array_index (tokens, PgqrsLeaseToken, i);
      const char *sep = i > 0 ? "," : "";

      g_string_append_printf (id_text, "%s%" G_GINT64_FORMAT, sep, token->id);
      g_string_append_printf (lease_text, "%s%" G_GINT64_FORMAT, sep, token->lease_count);
    }
  g_string_append_c (id_text, '}');
  g_string_append_c (lease_text, '}');

  *ids = g_string_free (id_text, FALSE);
  *lease_counts = g_string_free (lease_text, FALSE);
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

/* The columns of MESSAGE_COLUMNS, which come first in a row. */
#define MESSAGE_N_COLUMNS 12

/* Reads the rows of MESSAGE_COLUMNS into the reply, which always gets a
 * message array, empty or not. */
static gboolean
collect_messages (PgqrsPostgresCall  *call,
                  PGresult           *result,
                  GError            **error)
{
  PgqrsReply *reply = call->reply;

  if (reply->messages == NULL)
    reply->messages = g_ptr_array_new_with_free_func (g_object_unref);

  for (int row = 0; row < PQntuples (result); row++)
    {
      PgqrsMessageRow m = {
        .id = _pgqrs_postgres_int (result, row, 0),
        .queue_id = _pgqrs_postgres_int (result, row, 1),
        .payload = _pgqrs_postgres_text (result, row, 2),
        .enqueued_at = _pgqrs_postgres_text (result, row, 3),
        .visible_at = _pgqrs_postgres_text (result, row, 4),
        .dequeued_at = _pgqrs_postgres_text (result, row, 5),
        .archived_at = _pgqrs_postgres_text (result, row, 6),
        .archive_reason = archive_reason_from_text (_pgqrs_postgres_text (result, row, 7)),
        .read_count = _pgqrs_postgres_int (result, row, 8),
        .producer_worker_id = _pgqrs_postgres_int (result, row, 9),
        .consumer_worker_id = _pgqrs_postgres_int (result, row, 10),
        .lease_count = _pgqrs_postgres_int (result, row, 11),
      };
      PgqrsMessage *message = _pgqrs_message_new_from_row (&m, error);

      if (message == NULL)
        return FALSE;
      g_ptr_array_add (reply->messages, message);
    }

  return TRUE;
}

static void
collect_queues (PgqrsPostgresCall *call,
                PGresult          *result)
{
  for (int row = 0; row < PQntuples (result); row++)
    _pgqrs_reply_add_queue (call->reply, _pgqrs_postgres_int (result, row, 0),
                            _pgqrs_postgres_text (result, row, 1),
                            _pgqrs_postgres_text (result, row, 2));
}

/* --- queues --------------------------------------------------------------- */

static PGQRS_POSTGRES_STEP (queues_read)
{
  collect_queues (call, result);
  return TRUE;
}

static void
queue_create_failed (PgqrsPostgresCall  *call,
                     const char         *sqlstate,
                     GError            **error)
{
  if (g_strcmp0 (sqlstate, "23505") == 0)     /* unique_violation */
    {
      g_clear_error (error);
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_EXISTS,
                   _("A queue named “%s” exists already"),
                   call->request->queue_create.queue_name);
    }
}

static PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_queue_create)
{
  _pgqrs_postgres_call_query (call, PG_STMT_QUEUE_INSERT, queues_read,
                              PG_TEXT (call->request->queue_create.queue_name), PG_END);
  _pgqrs_postgres_call_catch (call, queue_create_failed);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (queue_found)
{
  if (PQntuples (result) == 0)
    return _pgqrs_postgres_queue_not_found (call->request->queue_get.queue_name, error);

  collect_queues (call, result);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_queue_get)
{
  _pgqrs_postgres_call_query (call, PG_STMT_QUEUE_SELECT, queue_found,
                              PG_TEXT (call->request->queue_get.queue_name), PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_queue_list)
{
  _pgqrs_postgres_call_query (call, PG_STMT_QUEUE_LIST, queues_read, PG_END);
  return TRUE;
}

/* Deleting with cascade: what refers to the queue goes first. */
static const PgqrsPostgresStmt cascade[] = {
  PG_STMT_QUEUE_DELETE_RUNS,
  PG_STMT_QUEUE_DELETE_WORKFLOWS,
  PG_STMT_QUEUE_DETACH_WORKERS,
  PG_STMT_QUEUE_DELETE_MESSAGES,
  PG_STMT_QUEUE_DELETE,
};

/* What a queue delete learns on its way. */
typedef struct
{
  gint64 queue_id;
  guint  next;          /* in cascade[] */
} QueueDelete;

static PGQRS_POSTGRES_STEP (queue_delete_next)
{
  QueueDelete *del = call->data;

  if (del->next < G_N_ELEMENTS (cascade))
    _pgqrs_postgres_call_query (call, cascade[del->next++], queue_delete_next,
                                PG_INT (del->queue_id), PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (queue_deleted)
{
  return TRUE;
}

static PGQRS_POSTGRES_STEP (queue_usage_checked)
{
  gint64 messages = _pgqrs_postgres_int (result, 0, 0);
  gint64 workers = _pgqrs_postgres_int (result, 0, 1);
  gint64 workflows = _pgqrs_postgres_int (result, 0, 2);

  if (messages > 0 || workers > 0 || workflows > 0)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_IN_USE,
                   _("Queue “%s” still has %lld message(s), %lld live worker(s) and "
                     "%lld workflow(s); purge it or delete it with cascade"),
                   call->request->queue_delete.queue_name, (long long)messages, (long long)workers,
                   (long long)workflows);
      return FALSE;
    }

  _pgqrs_postgres_call_query (call, PG_STMT_QUEUE_DELETE, queue_deleted,
                              PG_INT (((QueueDelete *)call->data)->queue_id), PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (queue_locked)
{
  QueueDelete *del = call->data;

  if (PQntuples (result) == 0)
    return _pgqrs_postgres_queue_not_found (call->request->queue_delete.queue_name, error);

  del->queue_id = _pgqrs_postgres_int (result, 0, 0);

  if (!call->request->queue_delete.cascade)
    {
      _pgqrs_postgres_call_query (call, PG_STMT_QUEUE_USAGE, queue_usage_checked,
                                  PG_INT (del->queue_id), PG_END);
      return TRUE;
    }

  return queue_delete_next (call, NULL, error);
}

static PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_queue_delete)
{
  call->data = g_new0 (QueueDelete, 1);
  call->data_free = g_free;

  /* The lock on the queue row holds off enqueues (their foreign key check
   * waits for it), so what is counted is all there is. */
  _pgqrs_postgres_call_begin (call);
  _pgqrs_postgres_call_query (call, PG_STMT_QUEUE_LOCK, queue_locked,
                              PG_TEXT (call->request->queue_delete.queue_name), PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (queue_purged)
{
  if (_pgqrs_postgres_is_null (result, 0, 0))
    return _pgqrs_postgres_queue_not_found (call->request->queue_purge.queue_name, error);

  call->reply->count = _pgqrs_postgres_int (result, 0, 1);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_queue_purge)
{
  _pgqrs_postgres_call_query (call, PG_STMT_QUEUE_PURGE, queue_purged,
                              PG_TEXT (call->request->queue_purge.queue_name), PG_END);
  return TRUE;
}

/* --- messages ------------------------------------------------------------- */

static PGQRS_POSTGRES_STEP (enqueued)
{
  const char *ids = _pgqrs_postgres_text (result, 0, 0);
  g_auto(GStrv) parts = NULL;

  /* "{1,2,3}", in input order */
  if (ids == NULL || ids[0] != '{')
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_DATABASE,
                   _("Cannot enqueue in %s: the server returned no ids"), call->env->dsn);
      return FALSE;
    }

  parts = g_strsplit_set (ids, "{,}", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      _pgqrs_reply_add_id (call->reply, g_ascii_strtoll (parts[i], NULL, 10));

  _pgqrs_postgres_call_wake (call, call->request->enqueue.queue_id);
  return TRUE;
}

static void
enqueue_failed (PgqrsPostgresCall  *call,
                const char         *sqlstate,
                GError            **error)
{
  /* The only foreign key of a new message that can go away is its queue. */
  if (g_strcmp0 (sqlstate, "23503") == 0)     /* foreign_key_violation */
    {
      g_clear_error (error);
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_NOT_FOUND,
                   _("Queue “%s” no longer exists"), call->request->enqueue.queue_name);
    }
}

#define KEYED_ENQUEUE_ATTEMPTS 3

static void enqueue_keyed (PgqrsPostgresCall *call);

static PGQRS_POSTGRES_STEP (enqueued_keyed)
{
  const char *ids = _pgqrs_postgres_text (result, 0, 0);
  guint *attempts = call->data;

  /* a key stored meanwhile by another transaction: look again */
  if (ids != NULL && strstr (ids, "NULL") != NULL)
    {
      if (++*attempts >= KEYED_ENQUEUE_ATTEMPTS)
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONFLICT,
                       _("Messages of queue “%s” with one idempotency key are being "
                         "enqueued and purged concurrently"), call->request->enqueue.queue_name);
          return FALSE;
        }
      enqueue_keyed (call);
      return TRUE;
    }

  return enqueued (call, result, error);
}

static void
enqueue_keyed (PgqrsPostgresCall *call)
{
  const PgqrsEnqueueArgs *args = &call->request->enqueue;
  g_autofree char *payloads = json_array (args->payloads);
  g_autofree char *keys = quoted_array (args->idempotency_keys, FALSE);

  _pgqrs_postgres_call_query (call, PG_STMT_MESSAGE_ENQUEUE_KEYED, enqueued_keyed,
                              PG_INT (args->queue_id), PG_TEXT (payloads),
                              PG_DOUBLE (args->delay_seconds), PG_INT (args->worker_id),
                              PG_TEXT (call->env->channel), PG_TEXT (keys), PG_END);
  _pgqrs_postgres_call_catch (call, enqueue_failed);
}

static PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_enqueue)
{
  const PgqrsEnqueueArgs *args = &call->request->enqueue;
  g_autofree char *payloads = NULL;

  if (args->idempotency_keys != NULL)
    {
      call->data = g_new0 (guint, 1);
      call->data_free = g_free;
      enqueue_keyed (call);
      return TRUE;
    }

  payloads = json_array (args->payloads);
  _pgqrs_postgres_call_query (call, PG_STMT_MESSAGE_ENQUEUE, enqueued,
                              PG_INT (args->queue_id), PG_TEXT (payloads),
                              PG_DOUBLE (args->delay_seconds), PG_INT (args->worker_id),
                              PG_TEXT (call->env->channel), PG_END);
  _pgqrs_postgres_call_catch (call, enqueue_failed);
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

static void lease_window (PgqrsPostgresCall *call);

static PGQRS_POSTGRES_STEP (leased)
{
  gint64 dead = _pgqrs_postgres_int (result, 0, MESSAGE_N_COLUMNS);

  /* without a leased message, one row of NULLs carries the count */
  if (!_pgqrs_postgres_is_null (result, 0, 0) &&
      !collect_messages (call, result, error))
    return FALSE;
  if (call->reply->messages == NULL)
    call->reply->messages = g_ptr_array_new_with_free_func (g_object_unref);

  /* Dead letters took places in the window: look further, until the
   * window holds only messages that may still be leased (semantics rule
   * 7).  Each round archives at least one, so this ends. */
  if (dead > 0 && call->reply->messages->len < call->request->lease.limit)
    {
      lease_window (call);
      return TRUE;
    }

  g_ptr_array_sort (call->reply->messages, compare_message_ids);
  return TRUE;
}

static void
lease_window (PgqrsPostgresCall *call)
{
  const PgqrsLeaseArgs *args = &call->request->lease;
  guint have = call->reply->messages ? call->reply->messages->len : 0;
  guint window = args->limit - have;
  const char *name, *sql;

  /* the window's size written in, where it has a statement of its own */
  if (call->env->lease_forms != NULL &&
      _pgqrs_postgres_lease_forms_lookup (call->env->lease_forms, window, &name, &sql))
    _pgqrs_postgres_call_query_as (call, name, sql,
                                   _pgqrs_postgres_statement_n_params (PG_STMT_MESSAGE_LEASE) - 1,
                                   leased,
                                   PG_INT (args->queue_id), PG_INT (args->max_read_count),
                                   PG_DOUBLE (args->visibility_seconds), PG_INT (args->worker_id),
                                   PG_END);
  else
    _pgqrs_postgres_call_query (call, PG_STMT_MESSAGE_LEASE, leased,
                                PG_INT (args->queue_id), PG_INT (args->max_read_count),
                                PG_DOUBLE (args->visibility_seconds), PG_INT (args->worker_id),
                                PG_INT (window), PG_END);
}

static PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_lease)
{
  lease_window (call);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (fenced_done)
{
  gboolean any = FALSE;

  for (int row = 0; row < PQntuples (result); row++)
    {
      gboolean done = _pgqrs_postgres_bool (result, row, 0);

      _pgqrs_reply_add_flag (call->reply, done);
      any |= done;
    }

  /* A released message is back in line.  Consumers of this store hear of
   * it: their next lease may have run beside the release, on another
   * connection, and missed it. */
  if (any && call->request->op == PGQRS_OP_RELEASE)
    _pgqrs_postgres_call_wake (call, call->request->release.settle.queue_id);

  return TRUE;
}

static PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_fenced)
{
  PgqrsRequest *request = call->request;
  const PgqrsSettleArgs *settle = _pgqrs_request_get_settle (request);
  g_autofree char *ids = NULL;
  g_autofree char *lease_counts = NULL;

  if (settle->tokens->len == 0)
    return TRUE;

  token_arrays (settle->tokens, &ids, &lease_counts);

  /* four of the ops: if rather than a switch that would list them all */
  if (request->op == PGQRS_OP_ARCHIVE)
    _pgqrs_postgres_call_query (call, PG_STMT_MESSAGE_ARCHIVE, fenced_done,
                                PG_TEXT (ids), PG_TEXT (lease_counts), PG_INT (settle->queue_id),
                                PG_BOOL (request->archive.dead_letter), PG_END);
  else if (request->op == PGQRS_OP_DELETE)
    _pgqrs_postgres_call_query (call, PG_STMT_MESSAGE_DELETE, fenced_done,
                                PG_TEXT (ids), PG_TEXT (lease_counts), PG_INT (settle->queue_id),
                                PG_END);
  else if (request->op == PGQRS_OP_RELEASE)
    _pgqrs_postgres_call_query (call, PG_STMT_MESSAGE_RELEASE, fenced_done,
                                PG_TEXT (ids), PG_TEXT (lease_counts), PG_INT (settle->queue_id),
                                PG_DOUBLE (request->release.delay_seconds), PG_END);
  else if (request->op == PGQRS_OP_EXTEND)
    _pgqrs_postgres_call_query (call, PG_STMT_MESSAGE_EXTEND, fenced_done,
                                PG_TEXT (ids), PG_TEXT (lease_counts), PG_INT (settle->queue_id),
                                PG_DOUBLE (request->extend.extend_seconds), PG_END);
  else
    g_return_val_if_reached (FALSE);

  return TRUE;
}

static PGQRS_POSTGRES_STEP (metrics_read)
{
  PgqrsReply *reply = call->reply;

  reply->metrics = g_ptr_array_new_with_free_func (g_object_unref);

  for (int row = 0; row < PQntuples (result); row++)
    {
      PgqrsQueueMetricsRow m = {
        .queue_name = _pgqrs_postgres_text (result, row, 0),
        .total = _pgqrs_postgres_int (result, row, 1),
        .pending = _pgqrs_postgres_int (result, row, 2),
        .delayed = _pgqrs_postgres_int (result, row, 3),
        .leased = _pgqrs_postgres_int (result, row, 4),
        .archived = _pgqrs_postgres_int (result, row, 5),
        .dead_lettered = _pgqrs_postgres_int (result, row, 6),
        .oldest_pending_age = MAX (0.0, _pgqrs_postgres_double (result, row, 7)),
      };

      g_ptr_array_add (reply->metrics, _pgqrs_queue_metrics_new (&m));
    }

  if (call->request->metrics.queue_name != NULL && reply->metrics->len == 0)
    return _pgqrs_postgres_queue_not_found (call->request->metrics.queue_name, error);

  return TRUE;
}

static PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_metrics)
{
  _pgqrs_postgres_call_query (call, PG_STMT_METRICS, metrics_read,
                              PG_TEXT (call->request->metrics.queue_name), PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (archived_listed)
{
  return collect_messages (call, result, error);
}

static void
list_archived (PgqrsPostgresCall *call,
               const char        *queue_id)
{
  const PgqrsListArchivedArgs *args = &call->request->list_archived;

  _pgqrs_postgres_call_query (call, PG_STMT_LIST_ARCHIVED, archived_listed,
                              PG_TEXT (queue_id), PG_BOOL (args->dead_letter_only),
                              PG_INT (args->limit), PG_INT (args->offset), PG_END);
}

static PGQRS_POSTGRES_STEP (archive_queue_found)
{
  if (PQntuples (result) == 0)
    return _pgqrs_postgres_queue_not_found (call->request->list_archived.queue_name, error);

  list_archived (call, _pgqrs_postgres_text (result, 0, 0));
  return TRUE;
}

static PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_list_archived)
{
  if (call->request->list_archived.queue_name == NULL)
    list_archived (call, NULL);
  else
    _pgqrs_postgres_call_query (call, PG_STMT_QUEUE_SELECT, archive_queue_found,
                                PG_TEXT (call->request->list_archived.queue_name), PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (messages_listed)
{
  return collect_messages (call, result, error);
}

static PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_message_list)
{
  const PgqrsMessageListArgs *args = &call->request->message_list;

  _pgqrs_postgres_call_query (call, PG_STMT_MESSAGE_LIST, messages_listed,
                              PG_INT (args->queue_id), PG_INT (args->states),
                              PG_INT (args->limit), PG_INT (args->offset), PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (message_got)
{
  if (!collect_messages (call, result, error))
    return FALSE;

  if (call->reply->messages->len == 0)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_NOT_FOUND,
                   _("The queue has no message %lld"),
                   (long long)call->request->message_get.message_id);
      return FALSE;
    }

  return TRUE;
}

static PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_message_get)
{
  _pgqrs_postgres_call_query (call, PG_STMT_MESSAGE_GET, message_got,
                              PG_INT (call->request->message_get.message_id),
                              PG_INT (call->request->message_get.queue_id), PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (server_info_read)
{
  call->reply->count = _pgqrs_postgres_int (result, 0, 0);
  call->reply->server_version = g_strconcat ("PostgreSQL ", _pgqrs_postgres_text (result, 0, 1),
                                             NULL);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_server_info)
{
  _pgqrs_postgres_call_query (call, PG_STMT_SERVER_INFO, server_info_read, PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (replayed)
{
  if (_pgqrs_postgres_bool (result, 0, 0))
    {
      _pgqrs_reply_add_flag (call->reply, TRUE);
      _pgqrs_postgres_call_wake (call, _pgqrs_postgres_int (result, 0, 2));
      return TRUE;
    }

  if (!_pgqrs_postgres_bool (result, 0, 1))
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_NOT_FOUND,
                   _("There is no message with id %lld"),
                   (long long)call->request->replay.message_id);
      return FALSE;
    }

  _pgqrs_reply_add_flag (call->reply, FALSE);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_replay)
{
  _pgqrs_postgres_call_query (call, PG_STMT_MESSAGE_REPLAY, replayed,
                              PG_INT (call->request->replay.message_id), PG_TEXT (call->env->channel),
                              PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (next_visible_read)
{
  call->reply->seconds = _pgqrs_postgres_is_null (result, 0, 0)
                       ? -1 : MAX (0.0, _pgqrs_postgres_double (result, 0, 0));
  return TRUE;
}

static PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_next_visible)
{
  _pgqrs_postgres_call_query (call, PG_STMT_NEXT_VISIBLE, next_visible_read,
                              PG_INT (call->request->next_visible.queue_id), PG_END);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (clock_set)
{
  /* messages may have become visible */
  _pgqrs_postgres_call_wake (call, 0);
  return TRUE;
}

static PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_clock_set)
{
  _pgqrs_postgres_call_query (call, PG_STMT_CLOCK_SET, clock_set,
                              PG_DOUBLE (call->request->clock_set.skew_seconds), PG_END);
  return TRUE;
}

static const PgqrsPostgresThen starts[] = {
  [PGQRS_OP_INSTALL]           = _pgqrs_postgres_op_install,
  [PGQRS_OP_VERIFY]            = _pgqrs_postgres_op_verify,
  [PGQRS_OP_QUEUE_CREATE]      = _pgqrs_postgres_op_queue_create,
  [PGQRS_OP_QUEUE_GET]         = _pgqrs_postgres_op_queue_get,
  [PGQRS_OP_QUEUE_LIST]        = _pgqrs_postgres_op_queue_list,
  [PGQRS_OP_QUEUE_DELETE]      = _pgqrs_postgres_op_queue_delete,
  [PGQRS_OP_QUEUE_PURGE]       = _pgqrs_postgres_op_queue_purge,
  [PGQRS_OP_ENQUEUE]           = _pgqrs_postgres_op_enqueue,
  [PGQRS_OP_LEASE]             = _pgqrs_postgres_op_lease,
  [PGQRS_OP_ARCHIVE]           = _pgqrs_postgres_op_fenced,
  [PGQRS_OP_DELETE]            = _pgqrs_postgres_op_fenced,
  [PGQRS_OP_RELEASE]           = _pgqrs_postgres_op_fenced,
  [PGQRS_OP_EXTEND]            = _pgqrs_postgres_op_fenced,
  [PGQRS_OP_METRICS]           = _pgqrs_postgres_op_metrics,
  [PGQRS_OP_LIST_ARCHIVED]     = _pgqrs_postgres_op_list_archived,
  [PGQRS_OP_REPLAY]            = _pgqrs_postgres_op_replay,
  [PGQRS_OP_NEXT_VISIBLE]      = _pgqrs_postgres_op_next_visible,
  [PGQRS_OP_WORKER_REGISTER]   = _pgqrs_postgres_op_worker_register,
  [PGQRS_OP_WORKER_GET]        = _pgqrs_postgres_op_worker_get,
  [PGQRS_OP_WORKER_HEARTBEAT]  = _pgqrs_postgres_op_worker_heartbeat,
  [PGQRS_OP_WORKER_TRANSITION] = _pgqrs_postgres_op_worker_transition,
  [PGQRS_OP_WORKER_LIST]       = _pgqrs_postgres_op_worker_list,
  [PGQRS_OP_WORKER_STATS]      = _pgqrs_postgres_op_worker_stats,
  [PGQRS_OP_WORKER_RECLAIM]    = _pgqrs_postgres_op_worker_reclaim,
  [PGQRS_OP_WORKFLOW_DEFINE]   = _pgqrs_postgres_op_workflow_define,
  [PGQRS_OP_RUN_CREATE]        = _pgqrs_postgres_op_run_create,
  [PGQRS_OP_RUN_GET]           = _pgqrs_postgres_op_run_get,
  [PGQRS_OP_RUN_TRANSITION]    = _pgqrs_postgres_op_run_transition,
  [PGQRS_OP_STEP_ACQUIRE]      = _pgqrs_postgres_op_step_acquire,
  [PGQRS_OP_STEP_COMPLETE]     = _pgqrs_postgres_op_step_complete,
  [PGQRS_OP_STEP_FAIL]         = _pgqrs_postgres_op_step_fail,
  [PGQRS_OP_CLOCK_SET]         = _pgqrs_postgres_op_clock_set,
  [PGQRS_OP_MESSAGE_LIST]      = _pgqrs_postgres_op_message_list,
  [PGQRS_OP_MESSAGE_GET]       = _pgqrs_postgres_op_message_get,
  [PGQRS_OP_RUN_LIST]          = _pgqrs_postgres_op_run_list,
  [PGQRS_OP_STEP_LIST]         = _pgqrs_postgres_op_step_list,
  [PGQRS_OP_SERVER_INFO]       = _pgqrs_postgres_op_server_info,
  [PGQRS_OP_STEP_LOOKUP]       = _pgqrs_postgres_op_step_lookup,
  [PGQRS_OP_STEP_RECORD]       = _pgqrs_postgres_op_step_record,
};

/* A fenced request (a workflow executor's) applies only while its lease
 * on the run's trigger message is current: checked first, in the
 * operation's transaction. */
static PGQRS_POSTGRES_STEP (fence_checked)
{
  PgqrsRequest *request = call->request;

  if (PQntuples (result) == 0)
    {
      _pgqrs_set_superseded_error (error, request);
      return FALSE;
    }

  return starts[request->op] (call, NULL, error);
}

static PGQRS_POSTGRES_STEP (fenced_start)
{
  PgqrsRequest *request = call->request;

  if (request->fence.id == 0)
    return starts[request->op] (call, NULL, error);

  _pgqrs_postgres_call_begin (call);
  _pgqrs_postgres_call_query (call, PG_STMT_FENCE_CHECK, fence_checked,
                              PG_INT (request->fence.id), PG_INT (request->fence.lease_count),
                              PG_END);
  return TRUE;
}

/* A run transition with no other effect is one statement; any other, or
 * one that statement left alone, takes the fenced transaction. */
static PGQRS_POSTGRES_STEP (transition_start)
{
  return _pgqrs_postgres_run_transition_direct (call, fenced_start, error);
}

PgqrsPostgresThen
_pgqrs_postgres_op_start (PgqrsOp op)
{
  g_return_val_if_fail ((guint)op < G_N_ELEMENTS (starts) && starts[op] != NULL, NULL);

  if (op == PGQRS_OP_RUN_TRANSITION)
    return transition_start;
  if (op == PGQRS_OP_STEP_ACQUIRE || op == PGQRS_OP_STEP_COMPLETE || op == PGQRS_OP_STEP_FAIL)
    return fenced_start;

  return starts[op];
}
