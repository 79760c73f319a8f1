/* pgqrs-postgres-call-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-backend-private.h"
#include "pgqrs-postgres-lease-forms-private.h"
#include "pgqrs-postgres-pool-private.h"
#include "pgqrs-postgres-statements-private.h"

G_BEGIN_DECLS

/* What the calls of one backend share; it outlives them (each call holds
 * @owner). */
typedef struct
{
  PgqrsPostgresPool *pool;
  const char        *dsn;                 /* redacted, for messages */
  const char        *schema;
  const char        *channel;             /* the NOTIFY channel of the schema */
  char              *sql[PG_N_STMTS];     /* the statements, schema-qualified */
  char              *names[PG_N_STMTS];   /* prepared statement names; all NULL without them */
  PgqrsPostgresLeaseForms *lease_forms;   /* NULL without prepared statements */
  /* Called on success for each queue that was given messages, before the
   * caller hears of it. */
  void             (*wake)                (gpointer  owner,
                                           gint64    queue_id);
} PgqrsPostgresEnv;

/*
 * A call runs one PgqrsRequest: it takes a connection from the pool, runs
 * the operation's queries one after another — each one's result goes to a
 * continuation that queues the next, or none when the operation is done —
 * inside a transaction if the operation asked for one, and gives the
 * connection back.  All of it happens on the thread-default main context of
 * the caller, or, for a blocking call, in the caller's thread.
 */
typedef struct _PgqrsPostgresCall PgqrsPostgresCall;

/* Gets the result of the query it was queued with (NULL for the first
 * step).  Returns FALSE with @error to fail the call; its transaction is
 * rolled back. */
typedef gboolean (*PgqrsPostgresThen)    (PgqrsPostgresCall  *call,
                                          PGresult           *result,
                                          GError            **error);

/* Called when the query it was set for fails on the server; may replace
 * *@error with what the failure means for the operation. */
typedef void     (*PgqrsPostgresOnError) (PgqrsPostgresCall  *call,
                                          const char         *sqlstate,
                                          GError            **error);

struct _PgqrsPostgresCall
{
  PgqrsRequest           *request;
  PgqrsReply             *reply;
  const PgqrsPostgresEnv *env;
  /* the operation's own state, freed with the call */
  gpointer                data;
  GDestroyNotify          data_free;
};

/* Parameters of _pgqrs_postgres_call_query(), typed by these macros and
 * ended by PG_END. */
typedef enum
{
  PGQRS_POSTGRES_PARAM_END,
  PGQRS_POSTGRES_PARAM_INT,
  PGQRS_POSTGRES_PARAM_DOUBLE,
  PGQRS_POSTGRES_PARAM_BOOL,
  PGQRS_POSTGRES_PARAM_TEXT,
  PGQRS_POSTGRES_PARAM_JSON,
} PgqrsPostgresParam;

#define PG_INT(v)    PGQRS_POSTGRES_PARAM_INT, (gint64)(v)
#define PG_DOUBLE(v) PGQRS_POSTGRES_PARAM_DOUBLE, (double)(v)
#define PG_BOOL(v)   PGQRS_POSTGRES_PARAM_BOOL, (int)!!(v)
#define PG_TEXT(v)   PGQRS_POSTGRES_PARAM_TEXT, (const char *)(v)   /* NULL: SQL NULL */
#define PG_JSON(v)   PGQRS_POSTGRES_PARAM_JSON, (const char *)(v)   /* NULL: SQL NULL */
#define PG_END       PGQRS_POSTGRES_PARAM_END

void        _pgqrs_postgres_call_run      (const PgqrsPostgresEnv  *env,
                                           gpointer                 owner,
                                           PgqrsRequest            *request,
                                           PgqrsPostgresThen        start,
                                           GCancellable            *cancellable,
                                           GAsyncReadyCallback      callback,
                                           gpointer                 user_data);
PgqrsReply *_pgqrs_postgres_call_finish   (GAsyncResult            *result,
                                           GError                 **error);
/* The same as a blocking call on @conn, an idle connection of the pool
 * that the call gives back: each query waits in the calling thread, with
 * no task, source or main context. */
PgqrsReply *_pgqrs_postgres_call_run_sync (const PgqrsPostgresEnv  *env,
                                           gpointer                 owner,
                                           PgqrsPostgresConnection *conn,
                                           PgqrsRequest            *request,
                                           PgqrsPostgresThen        start,
                                           GCancellable            *cancellable,
                                           GError                 **error);

/* For the operations: what to run next. */
void        _pgqrs_postgres_call_begin    (PgqrsPostgresCall       *call);
void        _pgqrs_postgres_call_query    (PgqrsPostgresCall       *call,
                                           PgqrsPostgresStmt        stmt,
                                           PgqrsPostgresThen        then,
                                           ...);
/* The same with another form of a statement: its prepared statement
 * @name (NULL: not prepared), @sql and number of parameters. */
void        _pgqrs_postgres_call_query_as (PgqrsPostgresCall       *call,
                                           const char              *name,
                                           const char              *sql,
                                           int                      n_params,
                                           PgqrsPostgresThen        then,
                                           ...);
void        _pgqrs_postgres_call_script   (PgqrsPostgresCall       *call,
                                           const char              *sql,
                                           PgqrsPostgresThen        then);
void        _pgqrs_postgres_call_catch    (PgqrsPostgresCall       *call,
                                           PgqrsPostgresOnError     on_error);
void        _pgqrs_postgres_call_wake     (PgqrsPostgresCall       *call,
                                           gint64                   queue_id);

/* Appends JSON text such that PostgreSQL takes it: json-glib 1.6 leaves
 * U+001F unescaped, which the JSON grammar (and so jsonb) refuses.  In
 * compact JSON a control character can only be inside a string. */
void        _pgqrs_postgres_append_json   (GString                 *out,
                                           const char              *json);

/* Reading results. */
const char *_pgqrs_postgres_text          (PGresult                *result,
                                           int                      row,
                                           int                      column);
gint64      _pgqrs_postgres_int           (PGresult                *result,
                                           int                      row,
                                           int                      column);
double      _pgqrs_postgres_double        (PGresult                *result,
                                           int                      row,
                                           int                      column);
gboolean    _pgqrs_postgres_bool          (PGresult                *result,
                                           int                      row,
                                           int                      column);
gboolean    _pgqrs_postgres_is_null       (PGresult                *result,
                                           int                      row,
                                           int                      column);

G_END_DECLS
