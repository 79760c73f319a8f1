/* pgqrs-postgres-call.c — one request, as a chain of queries on a pooled connection
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <stdlib.h>

#include "pgqrs-error.h"
#include "pgqrs-postgres-call-private.h"

typedef struct
{
  PgqrsPostgresCall        pub;

  GTask                   *task;
  PgqrsPostgresConnection *conn;
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
} Call;

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
  g_free (self);
}

/* Ends the call: the connection goes back first, so that the next caller
 * can have it before this one's callback runs. */
static void
complete (Call   *self,
          GError *error)
{
  GTask *task = g_steal_pointer (&self->task);
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
      gpointer owner = g_task_get_source_object (task);

      for (guint i = 0; self->wake != NULL && i < self->wake->len; i++)
        self->pub.env->wake (owner, g_array_index (self->wake, gint64, i));
      reply = g_steal_pointer (&self->pub.reply);
    }

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
rollback_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Call *self = user_data;
  g_autoptr(PGresult) res = _pgqrs_postgres_connection_query_finish (self->conn, result, NULL);

  /* Whatever the rollback says, the call fails with what made it roll
   * back; a connection it left in a transaction is closed by complete(). */
  self->in_transaction = FALSE;
  complete (self, g_steal_pointer (&self->failure));
}

static void
send_query (Call                     *self,
            const PgqrsPostgresQuery *query,
            GCancellable             *cancellable,
            GAsyncReadyCallback       callback)
{
  _pgqrs_postgres_connection_query_async (self->conn, query, cancellable, callback, self);
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
      send_query (self, &rollback_query, NULL, rollback_cb);
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
query_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Call *self = user_data;
  GError *error = NULL;
  g_autoptr(PGresult) res = _pgqrs_postgres_connection_query_finish (self->conn, result, &error);
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
commit_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Call *self = user_data;
  GError *error = NULL;
  g_autoptr(PGresult) res = _pgqrs_postgres_connection_query_finish (self->conn, result, &error);

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
  send_query (self, &self->query, g_task_get_cancellable (self->task), query_cb);
}

static void
begin_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Call *self = user_data;
  GError *error = NULL;
  g_autoptr(PGresult) res = _pgqrs_postgres_connection_query_finish (self->conn, result, &error);

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
        send_query (self, &begin_query, g_task_get_cancellable (self->task), begin_cb);
      else
        send_queued (self);
    }
  else if (self->in_transaction)
    send_query (self, &commit_query, NULL, commit_cb);
  else
    complete (self, NULL);
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

  if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (self->task), &error))
    {
      complete (self, error);
      return;
    }

  step (self, start, NULL);
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
  Call *self = g_new0 (Call, 1);

  self->pub.request = request;
  self->pub.reply = _pgqrs_reply_new ();
  self->pub.env = env;
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

static char *
format_double (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

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
        g_ptr_array_add (self->params, g_strdup_printf ("%" G_GINT64_FORMAT, va_arg (args, gint64)));
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
