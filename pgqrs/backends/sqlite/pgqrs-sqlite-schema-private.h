/* pgqrs-sqlite-schema-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-sql-db-private.h"
#include "pgqrs-sqlite-statements-private.h"

G_BEGIN_DECLS

/* Migrations from the GResource, all in one transaction, on any
 * SQLite-dialect database (SQLite, sqld, the Turso engine). */
int      _pgqrs_sql_latest_schema_version (void);
gboolean _pgqrs_sql_migrate               (PgqrsSqlDb  *self,
                                           GError     **error);
gboolean _pgqrs_sql_verify                (PgqrsSqlDb  *self,
                                           GError     **error);

G_END_DECLS
