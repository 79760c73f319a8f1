/* pgqrs-postgres-call.c — one request, as a chain of queries on a pooled connection
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

#include "pgqrs-error.h"
#include "pgqrs-postgres-call-private.h"

typedef struct _Call Call;

/* Gets what a query gave: its result (owned), or @error. */
typedef void (*QueryDone) (Call     *self,
                           PGresult *result,
                           GError   *error);

struct _Call
{
  PgqrsPostgresCall        pub;

  gpointer                 owner;
  GCancellable            *cancellable;     /* the task's, or the blocking caller's */
  PgqrsPostgresConnection *conn;
  /* A blocking call has no task: its queries are sent by
   * _pgqrs_postgres_call_run_sync() and what it ends with is kept for
   * the caller. */
  GTask                   *task;
  gboolean                 blocking;
  const PgqrsPostgresQuery *to_send;
  GCancellable            *to_send_cancellable;
  QueryDone                query_done;
  gboolean                 finished;
  PgqrsReply              *outcome;
  GError                  *outcome_error;
  gboolean                 want_transaction;
  gboolean                 in_transaction;

  /* the query queued by the last step, and then in flight */
  gboolean                 queued;
  PgqrsPostgresQuery       query;
  GPtrArray               *params;          /* element-type utf8, NULL for SQL NULL */
  char                    *script;
  PgqrsPostgresThen        then;
  PgqrsPostgresOnError     on_error;

  GError                  *failure;         /* reported once the rollback is done */
  GArray                  *wake;            /* element-type gint64 */
};

static void advance (Call *self);

static void
call_free (Call *self)
{
  g_assert (self->conn == NULL);

  if (self->pub.data_free != NULL)
    g_clear_pointer (&self->pub.data, self->pub.data_free);
  g_clear_pointer (&self->pub.request, _pgqrs_request_free);
  g_clear_pointer (&self->pub.reply, _pgqrs_reply_free);
  g_clear_pointer (&self->params, g_ptr_array_unref);
  g_clear_pointer (&self->script, g_free);
  g_clear_pointer (&self->wake, g_array_unref);
  g_clear_error (&self->failure);
  g_clear_pointer (&self->outcome, _pgqrs_reply_free);
  g_clear_error (&self->outcome_error);
  g_free (self);
}

/* Ends the call: the connection goes back first, so that the next caller
 * can have it before this one's callback runs. */
static void
complete (Call   *self,
          GError *error)
{
  GTask *task;
  PgqrsReply *reply = NULL;

  if (self->conn != NULL)
    {
      PgqrsPostgresConnection *conn = g_steal_pointer (&self->conn);

      /* A connection left inside a transaction (a failed ROLLBACK) must
       * not serve anyone else. */
      if (PQtransactionStatus (_pgqrs_postgres_connection_get_pg (conn)) != PQTRANS_IDLE)
        _pgqrs_postgres_connection_set_broken (conn);
      _pgqrs_postgres_pool_release (self->pub.env->pool, conn);
    }

  if (error == NULL)
    {
      for (guint i = 0; self->wake != NULL && i < self->wake->len; i++)
        self->pub.env->wake (self->owner, g_array_index (self->wake, gint64, i));
      reply = g_steal_pointer (&self->pub.reply);
    }

  if (self->blocking)
    {
      self->outcome = reply;
      self->outcome_error = error;
      self->finished = TRUE;
      return;
    }

  task = g_steal_pointer (&self->task);
  call_free (self);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, reply, (GDestroyNotify)_pgqrs_reply_free);
  g_object_unref (task);
}

static int
error_code_for_sqlstate (const char *sqlstate)
{
  if (sqlstate == NULL)
    return PGQRS_ERROR_DATABASE;

  if (g_str_has_prefix (sqlstate, "08") ||        /* connection exception */
      g_str_equal (sqlstate, "57P01") ||           /* admin shutdown */
      g_str_equal (sqlstate, "57P02") ||           /* crash shutdown */
      g_str_equal (sqlstate, "57P03") ||           /* cannot connect now */
      g_str_equal (sqlstate, "53300"))             /* too many connections */
    return PGQRS_ERROR_CONNECTION;

  if (g_str_equal (sqlstate, "42P01") ||           /* undefined table */
      g_str_equal (sqlstate, "3F000"))             /* invalid schema name */
    return PGQRS_ERROR_SCHEMA_MISSING;

  if (g_str_has_prefix (sqlstate, "23"))           /* integrity constraint violation */
    return PGQRS_ERROR_CONFLICT;

  if (g_str_has_prefix (sqlstate, "22"))           /* data exception */
    return PGQRS_ERROR_VALIDATION;

  return PGQRS_ERROR_DATABASE;
}

static GError *
server_error (Call     *self,
              PGresult *result)
{
  const char *sqlstate = PQresultErrorField (result, PG_DIAG_SQLSTATE);
  const char *primary = PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY);
  const char *what = _pgqrs_op_to_string (self->pub.request->op);
  g_autofree char *text = _pgqrs_postgres_connection_error_text (self->conn,
                                                                 primary ? primary
                                                                 : PQresultErrorMessage (result));
  int code = error_code_for_sqlstate (sqlstate);

  /* A server that goes away says why before it closes the socket; when it
   * just vanishes, libpq's own message has no SQLSTATE. */
  if (code == PGQRS_ERROR_CONNECTION ||
      PQstatus (_pgqrs_postgres_connection_get_pg (self->conn)) == CONNECTION_BAD)
    {
      _pgqrs_postgres_connection_set_broken (self->conn);
      if (sqlstate == NULL)
        return g_error_new (PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                            _("Lost the connection to %s while trying to %s: %s"),
                            self->pub.env->dsn, what, text);
      return g_error_new (PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                          _("Lost the connection to %s while trying to %s: %s (SQLSTATE %s)"),
                          self->pub.env->dsn, what, text, sqlstate);
    }

  if (sqlstate == NULL)
    sqlstate = "XX000";

  if (code == PGQRS_ERROR_SCHEMA_MISSING)
    return g_error_new (PGQRS_ERROR, code,
                        _("Cannot %s: the pgqrs tables are not installed in schema “%s” of %s "
                          "(%s, SQLSTATE %s); run pgqrs_store_install() first"),
                        what, self->pub.env->schema, self->pub.env->dsn, text, sqlstate);

  return g_error_new (PGQRS_ERROR, code, _("Cannot %s in %s: %s (SQLSTATE %s)"),
                      what, self->pub.env->dsn, text, sqlstate);
}

static void
rollback_done (Call     *self,
               PGresult *result,
               GError   *error)
{
  g_clear_pointer (&result, PQclear);
  g_clear_error (&error);

  /* Whatever the rollback says, the call fails with what made it roll
   * back; a connection it left in a transaction is closed by complete(). */
  self->in_transaction = FALSE;
  complete (self, g_steal_pointer (&self->failure));
}

static void
query_ready_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Call *self = user_data;
  GError *error = NULL;
  PGresult *res = _pgqrs_postgres_connection_query_finish (self->conn, result, &error);

  self->query_done (self, res, error);
}

/* Sends @query; @done gets what it gives.  A blocking call leaves it to
 * _pgqrs_postgres_call_run_sync(), so that a chain of queries is a loop,
 * not a recursion. */
static void
send_query (Call                     *self,
            const PgqrsPostgresQuery *query,
            GCancellable             *cancellable,
            QueryDone                 done)
{
  self->query_done = done;

  if (self->blocking)
    {
      self->to_send = query;
      self->to_send_cancellable = cancellable;
      return;
    }

  _pgqrs_postgres_connection_query_async (self->conn, query, cancellable, query_ready_cb, self);
}

static const PgqrsPostgresQuery begin_query = { NULL, "BEGIN", -1, NULL };
static const PgqrsPostgresQuery commit_query = { NULL, "COMMIT", -1, NULL };
static const PgqrsPostgresQuery rollback_query = { NULL, "ROLLBACK", -1, NULL };

static void
fail (Call   *self,
      GError *error)
{
  if (self->in_transaction && !_pgqrs_postgres_connection_is_broken (self->conn))
    {
      self->failure = error;
      /* not cancellable: a cancelled call still ends its transaction */
      send_query (self, &rollback_query, NULL, rollback_done);
      return;
    }

  complete (self, error);
}

static void
step (Call              *self,
      PgqrsPostgresThen  then,
      PGresult          *result)
{
  GError *error = NULL;

  if (!then (&self->pub, result, &error))
    {
      g_assert (error != NULL);
      fail (self, error);
      return;
    }

  advance (self);
}

static void
query_done (Call     *self,
            PGresult *result,
            GError   *error)
{
  g_autoptr(PGresult) res = result;
  PgqrsPostgresThen then = self->then;
  PgqrsPostgresOnError on_error = self->on_error;

  self->then = NULL;
  self->on_error = NULL;

  if (res == NULL)
    {
      fail (self, error);
      return;
    }

  if (PQresultStatus (res) == PGRES_FATAL_ERROR || PQresultStatus (res) == PGRES_NONFATAL_ERROR)
    {
      error = server_error (self, res);
      if (on_error != NULL && error->code != PGQRS_ERROR_CONNECTION)
        on_error (&self->pub, PQresultErrorField (res, PG_DIAG_SQLSTATE), &error);
      fail (self, error);
      return;
    }

  step (self, then, res);
}

static void
commit_done (Call     *self,
             PGresult *result,
             GError   *error)
{
  g_autoptr(PGresult) res = result;

  /* A failed COMMIT ends the transaction too. */
  self->in_transaction = FALSE;

  if (res != NULL && PQresultStatus (res) != PGRES_COMMAND_OK)
    error = server_error (self, res);

  complete (self, error);
}

static void
send_queued (Call *self)
{
  self->queued = FALSE;
  self->query.values = self->params ? (const char * const *)self->params->pdata : NULL;
  send_query (self, &self->query, self->cancellable, query_done);
}

static void
begin_done (Call     *self,
            PGresult *result,
            GError   *error)
{
  g_autoptr(PGresult) res = result;

  if (res != NULL && PQresultStatus (res) != PGRES_COMMAND_OK)
    error = server_error (self, res);

  if (error != NULL)
    {
      fail (self, error);
      return;
    }

  self->in_transaction = TRUE;
  send_queued (self);
}

static void
advance (Call *self)
{
  if (self->queued)
    {
      if (self->want_transaction && !self->in_transaction)
        send_query (self, &begin_query, self->cancellable, begin_done);
      else
        send_queued (self);
    }
  else if (self->in_transaction)
    send_query (self, &commit_query, NULL, commit_done);
  else
    complete (self, NULL);
}

/* The call has its connection: the operation's first step. */
static void
start_with (Call              *self,
            PgqrsPostgresThen  start)
{
  GError *error = NULL;

  if (g_cancellable_set_error_if_cancelled (self->cancellable, &error))
    {
      complete (self, error);
      return;
    }

  step (self, start, NULL);
}

static void
acquired_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Call *self = user_data;
  GError *error = NULL;
  PgqrsPostgresThen start = self->then;

  self->then = NULL;
  self->conn = _pgqrs_postgres_pool_acquire_finish (self->pub.env->pool, result, &error);

  if (self->conn == NULL)
    {
      complete (self, error);
      return;
    }

  start_with (self, start);
}

static Call *
call_new (const PgqrsPostgresEnv *env,
          gpointer                owner,
          PgqrsRequest           *request,
          GCancellable           *cancellable)
{
  Call *self = g_new0 (Call, 1);

  self->pub.request = request;
  self->pub.reply = _pgqrs_reply_new ();
  self->pub.env = env;
  self->owner = owner;
  self->cancellable = cancellable;

  return self;
}

void
_pgqrs_postgres_call_run (const PgqrsPostgresEnv *env,
                          gpointer                owner,
                          PgqrsRequest           *request,
                          PgqrsPostgresThen       start,
                          GCancellable           *cancellable,
                          GAsyncReadyCallback     callback,
                          gpointer                user_data)
{
  Call *self = call_new (env, owner, request, cancellable);

  self->task = g_task_new (owner, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, _pgqrs_postgres_call_run);

  if (g_cancellable_is_cancelled (cancellable))
    {
      GError *error = NULL;

      g_cancellable_set_error_if_cancelled (cancellable, &error);
      complete (self, error);
      return;
    }

  self->then = start;
  _pgqrs_postgres_pool_acquire_async (env->pool, cancellable, acquired_cb, self);
}

PgqrsReply *
_pgqrs_postgres_call_run_sync (const PgqrsPostgresEnv   *env,
                               gpointer                  owner,
                               PgqrsPostgresConnection  *conn,
                               PgqrsRequest             *request,
                               PgqrsPostgresThen         start,
                               GCancellable             *cancellable,
                               GError                  **error)
{
  Call *self = call_new (env, owner, request, cancellable);
  PgqrsReply *reply;

  self->blocking = TRUE;
  self->conn = conn;
  start_with (self, start);

  while (!self->finished)
    {
      const PgqrsPostgresQuery *query = g_steal_pointer (&self->to_send);
      GError *query_error = NULL;
      PGresult *result;

      g_assert (query != NULL);
      result = _pgqrs_postgres_connection_query_sync (self->conn, query,
                                                     self->to_send_cancellable, &query_error);
      self->query_done (self, result, query_error);
    }

  if (self->outcome_error != NULL)
    g_propagate_error (error, g_steal_pointer (&self->outcome_error));
  reply = g_steal_pointer (&self->outcome);
  call_free (self);

  return reply;
}

PgqrsReply *
_pgqrs_postgres_call_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == _pgqrs_postgres_call_run, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
_pgqrs_postgres_call_begin (PgqrsPostgresCall *call)
{
  ((Call *)call)->want_transaction = TRUE;
}

/* Parameters are formatted for every query of every call: printf's
 * machinery had about 3% of a drain loop's client samples (perf record of
 * pgqrs-bench --scenario drain --consumers 2 --batch 10). */
static char *
format_int64 (gint64 value)
{
  char buf[24];
  char *p = buf + sizeof buf;
  guint64 magnitude = value < 0 ? -(guint64)value : (guint64)value;

  *--p = '\0';
  do
    *--p = '0' + magnitude % 10;
  while ((magnitude /= 10) != 0);
  if (value < 0)
    *--p = '-';

  return g_memdup2 (p, buf + sizeof buf - p);
}

/* Whole numbers (lease lengths, delays in seconds) as integers, which
 * float8 takes as well; the rest as the shortest exact form. */
static char *
format_double (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (fabs (value) < 1e15 && value == (double)(gint64)value)
    return format_int64 ((gint64)value);

  return g_strdup (g_ascii_dtostr (buf, sizeof buf, value));
}

static void
call_query_valist (Call              *self,
                   const char        *name,
                   const char        *sql,
                   int                n_params,
                   PgqrsPostgresThen  then,
                   va_list            args)
{
  PgqrsPostgresParam kind;

  g_assert (!self->queued);
  g_assert (n_params >= 0);

  g_clear_pointer (&self->params, g_ptr_array_unref);
  self->params = g_ptr_array_new_with_free_func (g_free);

  while ((kind = va_arg (args, int)) != PGQRS_POSTGRES_PARAM_END)
    switch (kind)
      {
      case PGQRS_POSTGRES_PARAM_INT:
        g_ptr_array_add (self->params, format_int64 (va_arg (args, gint64)));
        break;
      case PGQRS_POSTGRES_PARAM_DOUBLE:
        g_ptr_array_add (self->params, format_double (va_arg (args, double)));
        break;
      case PGQRS_POSTGRES_PARAM_BOOL:
        g_ptr_array_add (self->params, g_strdup (va_arg (args, int) ? "t" : "f"));
        break;
      case PGQRS_POSTGRES_PARAM_TEXT:
        g_ptr_array_add (self->params, g_strdup (va_arg (args, const char *)));
        break;
      case PGQRS_POSTGRES_PARAM_JSON:
        {
          const char *json = va_arg (args, const char *);
          GString *text;

          if (json == NULL)
            {
              g_ptr_array_add (self->params, NULL);
              break;
            }
          text = g_string_new (NULL);
          _pgqrs_postgres_append_json (text, json);
          g_ptr_array_add (self->params, g_string_free (text, FALSE));
        }
        break;
      case PGQRS_POSTGRES_PARAM_END:
      default:
        g_assert_not_reached ();
      }

  g_assert ((int)self->params->len == n_params);

  self->queued = TRUE;
  self->then = then;
  self->query.name = name;
  self->query.sql = sql;
  self->query.n_params = self->params->len;
}

void
_pgqrs_postgres_call_query (PgqrsPostgresCall *call,
                            PgqrsPostgresStmt  stmt,
                            PgqrsPostgresThen  then,
                            ...)
{
  va_list args;

  va_start (args, then);
  call_query_valist ((Call *)call, call->env->names[stmt], call->env->sql[stmt],
                     _pgqrs_postgres_statement_n_params (stmt), then, args);
  va_end (args);
}

void
_pgqrs_postgres_call_query_as (PgqrsPostgresCall *call,
                               const char        *name,
                               const char        *sql,
                               int                n_params,
                               PgqrsPostgresThen  then,
                               ...)
{
  va_list args;

  va_start (args, then);
  call_query_valist ((Call *)call, name, sql, n_params, then, args);
  va_end (args);
}

void
_pgqrs_postgres_call_script (PgqrsPostgresCall *call,
                             const char        *sql,
                             PgqrsPostgresThen  then)
{
  Call *self = (Call *)call;

  g_assert (!self->queued);

  g_free (self->script);
  self->script = g_strdup (sql);
  g_clear_pointer (&self->params, g_ptr_array_unref);

  self->queued = TRUE;
  self->then = then;
  self->query.name = NULL;
  self->query.sql = self->script;
  self->query.n_params = -1;
}

void
_pgqrs_postgres_call_catch (PgqrsPostgresCall    *call,
                            PgqrsPostgresOnError  on_error)
{
  Call *self = (Call *)call;

  g_assert (self->queued);
  self->on_error = on_error;
}

void
_pgqrs_postgres_call_wake (PgqrsPostgresCall *call,
                           gint64             queue_id)
{
  Call *self = (Call *)call;

  if (self->wake == NULL)
    self->wake = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_val (self->wake, queue_id);
}

void
_pgqrs_postgres_append_json (GString    *out,
                             const char *json)
{
  for (const char *p = json; *p != '\0'; p++)
    {
      if ((guchar)*p < 0x20)
        g_string_append_printf (out, "\\u%04x", (guchar)*p);
      else
        g_string_append_c (out, *p);
    }
}

const char *
_pgqrs_postgres_text (PGresult *result,
                      int       row,
                      int       column)
{
  return PQgetisnull (result, row, column) ? NULL : PQgetvalue (result, row, column);
}

gint64
_pgqrs_postgres_int (PGresult *result,
                     int       row,
                     int       column)
{
  const char *text = _pgqrs_postgres_text (result, row, column);

  return text ? g_ascii_strtoll (text, NULL, 10) : 0;
}

double
_pgqrs_postgres_double (PGresult *result,
                        int       row,
                        int       column)
{
  const char *text = _pgqrs_postgres_text (result, row, column);

  return text ? g_ascii_strtod (text, NULL) : 0.0;
}

gboolean
_pgqrs_postgres_bool (PGresult *result,
                      int       row,
                      int       column)
{
  const char *text = _pgqrs_postgres_text (result, row, column);

  return text != NULL && text[0] == 't';
}

gboolean
_pgqrs_postgres_is_null (PGresult *result,
                         int       row,
                         int       column)
{
  return PQgetisnull (result, row, column);
}
