/* pgqrs-sqlite-ops-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-backend-private.h"
#include "pgqrs-sqlite-connection-private.h"

G_BEGIN_DECLS

/* Runs @request on @conn (on the owner thread), filling @reply. */
gboolean _pgqrs_sqlite_execute (PgqrsSqliteConnection  *conn,
                                PgqrsRequest           *request,
                                PgqrsReply             *reply,
                                GError                **error);

/* Shared by the queue and the workflow operations. */
const char *_pgqrs_sqlite_column_text (sqlite3_stmt           *stmt,
                                       int                     column);
gint64      _pgqrs_sqlite_find_queue  (PgqrsSqliteConnection  *conn,
                                       const char             *name,
                                       GError                **error);
gboolean    _pgqrs_sqlite_queue_not_found (const char         *name,
                                           GError            **error);

/* The operations of the other files, in the op table of pgqrs-sqlite-ops.c. */

/* pgqrs-sqlite-worker-ops.c */
gboolean _pgqrs_sqlite_op_worker_register (PgqrsSqliteConnection  *conn,
                                           PgqrsRequest           *request,
                                           PgqrsReply             *reply,
                                           GError                **error);
gboolean _pgqrs_sqlite_op_worker_get (PgqrsSqliteConnection  *conn,
                                      PgqrsRequest           *request,
                                      PgqrsReply             *reply,
                                      GError                **error);
gboolean _pgqrs_sqlite_op_worker_heartbeat (PgqrsSqliteConnection  *conn,
                                            PgqrsRequest           *request,
                                            PgqrsReply             *reply,
                                            GError                **error);
gboolean _pgqrs_sqlite_op_worker_transition (PgqrsSqliteConnection  *conn,
                                             PgqrsRequest           *request,
                                             PgqrsReply             *reply,
                                             GError                **error);
gboolean _pgqrs_sqlite_op_worker_list (PgqrsSqliteConnection  *conn,
                                       PgqrsRequest           *request,
                                       PgqrsReply             *reply,
                                       GError                **error);
gboolean _pgqrs_sqlite_op_worker_stats (PgqrsSqliteConnection  *conn,
                                        PgqrsRequest           *request,
                                        PgqrsReply             *reply,
                                        GError                **error);
gboolean _pgqrs_sqlite_op_worker_reclaim (PgqrsSqliteConnection  *conn,
                                          PgqrsRequest           *request,
                                          PgqrsReply             *reply,
                                          GError                **error);

/* pgqrs-sqlite-workflow-ops.c */
gboolean _pgqrs_sqlite_op_workflow_define (PgqrsSqliteConnection  *conn,
                                           PgqrsRequest           *request,
                                           PgqrsReply             *reply,
                                           GError                **error);
gboolean _pgqrs_sqlite_op_run_create (PgqrsSqliteConnection  *conn,
                                      PgqrsRequest           *request,
                                      PgqrsReply             *reply,
                                      GError                **error);
gboolean _pgqrs_sqlite_op_run_get (PgqrsSqliteConnection  *conn,
                                   PgqrsRequest           *request,
                                   PgqrsReply             *reply,
                                   GError                **error);
gboolean _pgqrs_sqlite_op_run_transition (PgqrsSqliteConnection  *conn,
                                          PgqrsRequest           *request,
                                          PgqrsReply             *reply,
                                          GError                **error);
gboolean _pgqrs_sqlite_op_step_acquire (PgqrsSqliteConnection  *conn,
                                        PgqrsRequest           *request,
                                        PgqrsReply             *reply,
                                        GError                **error);
gboolean _pgqrs_sqlite_op_step_complete (PgqrsSqliteConnection  *conn,
                                         PgqrsRequest           *request,
                                         PgqrsReply             *reply,
                                         GError                **error);
gboolean _pgqrs_sqlite_op_step_fail (PgqrsSqliteConnection  *conn,
                                     PgqrsRequest           *request,
                                     PgqrsReply             *reply,
                                     GError                **error);

G_END_DECLS
