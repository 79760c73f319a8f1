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

G_END_DECLS
