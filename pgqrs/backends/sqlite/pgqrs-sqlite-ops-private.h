/* pgqrs-sqlite-ops-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-backend-private.h"
#include <sqlite3.h>

#include "pgqrs-sql-db-private.h"
#include "pgqrs-sqlite-schema-private.h"
#include "pgqrs-sqlite-statements-private.h"

G_BEGIN_DECLS

/* Runs @request on @conn (on the owner thread), filling @reply. */
gboolean _pgqrs_sqlite_execute (PgqrsSqlDb             *conn,
                                PgqrsRequest           *request,
                                PgqrsReply             *reply,
                                GError                **error);

/* Shared by the queue and the workflow operations. */
const char *_pgqrs_sqlite_column_text (PgqrsSqlStmt           *stmt,
                                       int                     column);
gint64      _pgqrs_sqlite_find_queue  (PgqrsSqlDb             *conn,
                                       const char             *name,
                                       GError                **error);
gboolean    _pgqrs_sqlite_queue_not_found (const char         *name,
                                           GError            **error);

/* The operations of the other files, in the op table of pgqrs-sqlite-ops.c. */

/* pgqrs-sqlite-worker-ops.c */
gboolean _pgqrs_sqlite_op_worker_register (PgqrsSqlDb             *conn,
                                           PgqrsRequest           *request,
                                           PgqrsReply             *reply,
                                           GError                **error);
gboolean _pgqrs_sqlite_op_worker_get (PgqrsSqlDb             *conn,
                                      PgqrsRequest           *request,
                                      PgqrsReply             *reply,
                                      GError                **error);
gboolean _pgqrs_sqlite_op_worker_heartbeat (PgqrsSqlDb             *conn,
                                            PgqrsRequest           *request,
                                            PgqrsReply             *reply,
                                            GError                **error);
gboolean _pgqrs_sqlite_op_worker_transition (PgqrsSqlDb             *conn,
                                             PgqrsRequest           *request,
                                             PgqrsReply             *reply,
                                             GError                **error);
gboolean _pgqrs_sqlite_op_worker_list (PgqrsSqlDb             *conn,
                                       PgqrsRequest           *request,
                                       PgqrsReply             *reply,
                                       GError                **error);
gboolean _pgqrs_sqlite_op_worker_stats (PgqrsSqlDb             *conn,
                                        PgqrsRequest           *request,
                                        PgqrsReply             *reply,
                                        GError                **error);
gboolean _pgqrs_sqlite_op_worker_reclaim (PgqrsSqlDb             *conn,
                                          PgqrsRequest           *request,
                                          PgqrsReply             *reply,
                                          GError                **error);

/* pgqrs-sqlite-workflow-ops.c */
gboolean _pgqrs_sqlite_op_workflow_define (PgqrsSqlDb             *conn,
                                           PgqrsRequest           *request,
                                           PgqrsReply             *reply,
                                           GError                **error);
gboolean _pgqrs_sqlite_op_run_create (PgqrsSqlDb             *conn,
                                      PgqrsRequest           *request,
                                      PgqrsReply             *reply,
                                      GError                **error);
gboolean _pgqrs_sqlite_op_run_get (PgqrsSqlDb             *conn,
                                   PgqrsRequest           *request,
                                   PgqrsReply             *reply,
                                   GError                **error);
gboolean _pgqrs_sqlite_op_run_transition (PgqrsSqlDb             *conn,
                                          PgqrsRequest           *request,
                                          PgqrsReply             *reply,
                                          GError                **error);
gboolean _pgqrs_sqlite_op_step_acquire (PgqrsSqlDb             *conn,
                                        PgqrsRequest           *request,
                                        PgqrsReply             *reply,
                                        GError                **error);
gboolean _pgqrs_sqlite_op_step_complete (PgqrsSqlDb             *conn,
                                         PgqrsRequest           *request,
                                         PgqrsReply             *reply,
                                         GError                **error);
gboolean _pgqrs_sqlite_op_step_fail (PgqrsSqlDb             *conn,
                                     PgqrsRequest           *request,
                                     PgqrsReply             *reply,
                                     GError                **error);
gboolean _pgqrs_sqlite_op_run_list (PgqrsSqlDb             *conn,
                                    PgqrsRequest           *request,
                                    PgqrsReply             *reply,
                                    GError                **error);
gboolean _pgqrs_sqlite_op_step_list (PgqrsSqlDb             *conn,
                                     PgqrsRequest           *request,
                                     PgqrsReply             *reply,
                                     GError                **error);
gboolean _pgqrs_sqlite_op_step_lookup (PgqrsSqlDb             *conn,
                                       PgqrsRequest           *request,
                                       PgqrsReply             *reply,
                                       GError                **error);
gboolean _pgqrs_sqlite_op_step_record (PgqrsSqlDb             *conn,
                                       PgqrsRequest           *request,
                                       PgqrsReply             *reply,
                                       GError                **error);

G_END_DECLS
