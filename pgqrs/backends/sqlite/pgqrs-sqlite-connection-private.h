/* pgqrs-sqlite-connection-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <sqlite3.h>

#include "pgqrs-config.h"
#include "pgqrs-sql-db-private.h"
#include "pgqrs-sqlite-statements-private.h"

G_BEGIN_DECLS

/* One SQLite handle and its prepared statements.  Used only on the owner
 * thread of the backend that opened it. */
typedef struct _PgqrsSqliteConnection PgqrsSqliteConnection;

PgqrsSqliteConnection *_pgqrs_sqlite_connection_open     (PgqrsConfig             *config,
                                                          GError                 **error);
void                   _pgqrs_sqlite_connection_close    (PgqrsSqliteConnection   *self);

/* The statement named @stmt, reset and with its bindings cleared. */
sqlite3_stmt          *_pgqrs_sqlite_connection_prepare  (PgqrsSqliteConnection   *self,
                                                          PgqrsSqliteStmt          stmt,
                                                          GError                 **error);
/* Runs SQL text that returns no rows, such as a migration script. */
gboolean               _pgqrs_sqlite_connection_exec     (PgqrsSqliteConnection   *self,
                                                          const char              *sql,
                                                          GError                 **error);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK.  Writes always take the write lock
 * up front, so a transaction never fails half-way on a lock upgrade. */
gboolean               _pgqrs_sqlite_connection_begin    (PgqrsSqliteConnection   *self,
                                                          GError                 **error);
gboolean               _pgqrs_sqlite_connection_commit   (PgqrsSqliteConnection   *self,
                                                          GError                 **error);
void                   _pgqrs_sqlite_connection_rollback (PgqrsSqliteConnection   *self);

/* Group commit: one BEGIN IMMEDIATE … COMMIT around several requests,
 * whose own begin/commit/rollback become SAVEPOINT/RELEASE/ROLLBACK TO. */
gboolean               _pgqrs_sqlite_connection_group_begin  (PgqrsSqliteConnection  *self,
                                                              GError                **error);
gboolean               _pgqrs_sqlite_connection_group_lost   (PgqrsSqliteConnection  *self);
gboolean               _pgqrs_sqlite_connection_group_commit (PgqrsSqliteConnection  *self,
                                                              GError                **error);

/* Checkpoints run off the write path so far (0 in memory): for the tests. */
guint                  _pgqrs_sqlite_connection_get_checkpoints (PgqrsSqliteConnection *self);

/* The SQLite handle itself: for the tests. */
sqlite3               *_pgqrs_sqlite_connection_get_handle   (PgqrsSqliteConnection  *self);

/* Steps @stmt; returns SQLITE_ROW or SQLITE_DONE, or 0 with @error set. */
int                    _pgqrs_sqlite_connection_step     (PgqrsSqliteConnection   *self,
                                                          sqlite3_stmt            *stmt,
                                                          GError                 **error);
int                    _pgqrs_sqlite_connection_changes  (PgqrsSqliteConnection   *self);
int                    _pgqrs_sqlite_connection_errcode  (PgqrsSqliteConnection   *self);
void                   _pgqrs_sqlite_connection_set_operation (PgqrsSqliteConnection *self,
                                                               const char            *operation);

/* Turns the handle's last error into a GError naming @what failed. */
void                   _pgqrs_sqlite_connection_set_error (PgqrsSqliteConnection  *self,
                                                           int                     rc,
                                                           const char             *what,
                                                           GError                **error);

/* The connection as the interface the ops run on. */
PgqrsSqlDb            *_pgqrs_sqlite_connection_get_db   (PgqrsSqliteConnection   *self);

G_END_DECLS
