/* pgqrs-sqlite-ops.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-backend-private.h"
#include "pgqrs-sqlite-connection.h"

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

#define PGQRS_SQLITE_OP(name) \
  gboolean _pgqrs_sqlite_op_##name (PgqrsSqliteConnection  *conn, \
                                    PgqrsRequest           *request, \
                                    PgqrsReply             *reply, \
                                    GError                **error)

/* pgqrs-sqlite-workflow-ops.c */
PGQRS_SQLITE_OP (workflow_define);
PGQRS_SQLITE_OP (run_create);
PGQRS_SQLITE_OP (run_get);
PGQRS_SQLITE_OP (run_transition);
PGQRS_SQLITE_OP (step_acquire);
PGQRS_SQLITE_OP (step_complete);
PGQRS_SQLITE_OP (step_fail);

G_END_DECLS
