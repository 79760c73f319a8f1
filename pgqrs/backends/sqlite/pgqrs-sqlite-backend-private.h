/* pgqrs-sqlite-backend-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-internal-private.h"

#include "pgqrs-backend-private.h"
#include "pgqrs-config.h"
#include "pgqrs-sql-db-private.h"

G_BEGIN_DECLS

#define PGQRS_TYPE_SQLITE_BACKEND (pgqrs_sqlite_backend_get_type ())

G_DECLARE_FINAL_TYPE (PgqrsSqliteBackend, pgqrs_sqlite_backend, PGQRS, SQLITE_BACKEND, GObject)

PgqrsBackend *_pgqrs_sqlite_backend_new (PgqrsConfig *config);

/* How the owner thread reaches an SQLite-dialect database: the SQLite
 * library on a file, or the libSQL remote protocol (the libsql backend).
 * Every function runs on the owner thread, or with callers_run on a
 * blocking caller's thread while it holds the connection. */
typedef struct
{
  const char   *thread_name;
  gpointer    (*open)         (PgqrsConfig  *config,
                               GError      **error);
  /* The connection for the next request; may reconnect. */
  PgqrsSqlDb *(*get_db)       (gpointer      connection,
                               GError      **error);
  void        (*close)        (gpointer      connection);
  /* Whether other processes' commits can be heard (a local file's
   * write-ahead log); otherwise consumers poll. */
  gboolean      watch_wal;
  /* Whether a blocking caller may use the connection on its own thread
   * when the backend is idle: a local file's handle can, a client bound
   * to the owner thread's main context cannot. */
  gboolean      callers_run;
  /* Group commit, where the transport has it (else NULL): requests queued
   * together run in one transaction that group_begin opens, each in a
   * savepoint of its own; group_lost says whether that transaction went
   * away (rolled back as a whole by the database); group_commit commits
   * it, or rolls it back and fails. */
  gboolean    (*group_begin)  (gpointer      connection,
                               GError      **error);
  gboolean    (*group_lost)   (gpointer      connection);
  gboolean    (*group_commit) (gpointer      connection,
                               GError      **error);
} PgqrsSqlTransport;

PGQRS_INTERNAL
PgqrsBackend *_pgqrs_sqlite_backend_new_with_transport (PgqrsConfig             *config,
                                                        const PgqrsSqlTransport *transport);
/* Runs @func on the owner thread with the connection's database and waits
 * for it; FALSE when there is none (the store is not open, or the
 * transport cannot reconnect).  For bench/pgqrs-bench's setup on a libSQL
 * server, which owns its file: the benchmark is linked as an application
 * is, without the libSQL module's client. */
PGQRS_INTERNAL
gboolean      _pgqrs_sqlite_backend_run_sql_sync       (PgqrsBackend            *backend,
                                                        void                   (*func) (PgqrsSqlDb *db,
                                                                                        gpointer    data),
                                                        gpointer                 data,
                                                        GError                 **error);
/* Runs @func on the owner thread with the transport's open connection (or
 * NULL) and waits for it: for the tests. */
PGQRS_INTERNAL
void          _pgqrs_sqlite_backend_run_sync           (PgqrsBackend            *backend,
                                                        void                   (*func) (gpointer connection,
                                                                                        gpointer data),
                                                        gpointer                 data);
/* Requests waiting for the owner thread: for the tests. */
guint         _pgqrs_sqlite_backend_get_n_queued       (PgqrsBackend            *backend);
/* Requests pushed to the owner thread and not yet run, or blocking
 * callers waiting for their turn on the connection: for the tests. */
guint         _pgqrs_sqlite_backend_get_n_in_flight     (PgqrsBackend           *backend);
guint         _pgqrs_sqlite_backend_get_n_waiting_turns (PgqrsBackend           *backend);
/* Whether the directory of the file is watched for other processes'
 * commits now (update_file_watch()): for the tests. */
gboolean      _pgqrs_sqlite_backend_is_watching_file   (PgqrsBackend            *backend);

G_END_DECLS
