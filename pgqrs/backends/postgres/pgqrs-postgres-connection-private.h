/* pgqrs-postgres-connection-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <gio/gio.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

/* What every connection of a backend is made from: the libpq options of the
 * DSN, parsed once, and what must never be shown of them. */
typedef struct _PgqrsPostgresConnectInfo PgqrsPostgresConnectInfo;

/* @call_timeout: how long one query may go unanswered, in seconds; it
 * bounds connecting too, and sets the keepalives the DSN does not. */
PgqrsPostgresConnectInfo *_pgqrs_postgres_connect_info_new    (const char                *conninfo,
                                                               const char                *dsn,
                                                               double                     call_timeout,
                                                               GError                   **error);
PgqrsPostgresConnectInfo *_pgqrs_postgres_connect_info_ref    (PgqrsPostgresConnectInfo  *info);
void                      _pgqrs_postgres_connect_info_unref  (PgqrsPostgresConnectInfo  *info);
const char               *_pgqrs_postgres_connect_info_get_dsn (PgqrsPostgresConnectInfo *info);
char                     *_pgqrs_postgres_connect_info_redact (PgqrsPostgresConnectInfo  *info,
                                                               const char                *text);

/* libpq's reading of the secrets of @dsn (see PgqrsBackendModule). */
gboolean                  _pgqrs_postgres_add_dsn_secrets     (const char                *dsn,
                                                               GPtrArray                 *secrets);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgqrsPostgresConnectInfo, _pgqrs_postgres_connect_info_unref)

/* One nonblocking PGconn.  Every wait of query_async is a source on the
 * thread-default main context of the caller at the time of the call, and
 * query_sync waits in its caller's thread, so a connection can serve
 * callers in any context and thread, one operation at a time. */
typedef struct _PgqrsPostgresConnection PgqrsPostgresConnection;

typedef struct
{
  const char         *name;      /* prepared statement to (make and) use, or NULL: unnamed */
  const char         *sql;
  int                 n_params;  /* < 0: a script of several statements, without parameters */
  const char * const *values;    /* text parameters; NULL elements are SQL NULL */
} PgqrsPostgresQuery;

void                     _pgqrs_postgres_connection_open_async   (PgqrsPostgresConnectInfo  *info,
                                                                  GCancellable              *cancellable,
                                                                  GAsyncReadyCallback        callback,
                                                                  gpointer                   user_data);
PgqrsPostgresConnection *_pgqrs_postgres_connection_open_finish  (GAsyncResult              *result,
                                                                  GError                   **error);
void                     _pgqrs_postgres_connection_free         (PgqrsPostgresConnection   *self);

/* Runs @query.  Returns the result, which may be a server error
 * (PGRES_FATAL_ERROR: the connection is still good); fails with
 * PGQRS_ERROR_CONNECTION when the connection is lost and with
 * G_IO_ERROR_CANCELLED, and in both cases the connection is broken. */
void                     _pgqrs_postgres_connection_query_async  (PgqrsPostgresConnection   *self,
                                                                  const PgqrsPostgresQuery  *query,
                                                                  GCancellable              *cancellable,
                                                                  GAsyncReadyCallback        callback,
                                                                  gpointer                   user_data);
PGresult                *_pgqrs_postgres_connection_query_finish (PgqrsPostgresConnection   *self,
                                                                  GAsyncResult              *result,
                                                                  GError                   **error);

/* The same, waiting in the calling thread (poll() on the socket, and on
 * @cancellable) instead of on sources of its main context. */
PGresult                *_pgqrs_postgres_connection_query_sync   (PgqrsPostgresConnection   *self,
                                                                  const PgqrsPostgresQuery  *query,
                                                                  GCancellable              *cancellable,
                                                                  GError                   **error);

gboolean                 _pgqrs_postgres_connection_is_broken    (PgqrsPostgresConnection   *self);
void                     _pgqrs_postgres_connection_set_broken   (PgqrsPostgresConnection   *self);
/* Whether an idle connection can take a query: not broken, and the server
 * has not closed it (terminated backend, restart) while it sat idle. */
gboolean                 _pgqrs_postgres_connection_check_idle   (PgqrsPostgresConnection   *self);
PGconn                  *_pgqrs_postgres_connection_get_pg       (PgqrsPostgresConnection   *self);
PgqrsPostgresConnectInfo *_pgqrs_postgres_connection_get_info    (PgqrsPostgresConnection   *self);

/* The text of a libpq error, on one line and without the password. */
char                    *_pgqrs_postgres_connection_error_text   (PgqrsPostgresConnection   *self,
                                                                  const char                *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgqrsPostgresConnection, _pgqrs_postgres_connection_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

G_END_DECLS
