/* pgqrs-postgres-pool-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-postgres-connection-private.h"

G_BEGIN_DECLS

/* A bounded set of connections shared by the callers of one backend, in
 * any thread and main context.  When all are in use, callers wait in
 * arrival order. */
typedef struct _PgqrsPostgresPool PgqrsPostgresPool;

PgqrsPostgresPool       *_pgqrs_postgres_pool_new            (PgqrsPostgresConnectInfo  *info,
                                                              guint                      max_connections);
void                     _pgqrs_postgres_pool_free           (PgqrsPostgresPool         *self);

/* Completes in the thread-default main context of the caller.  A
 * connection is returned even if @cancellable was cancelled meanwhile; the
 * caller checks, and releases it. */
void                     _pgqrs_postgres_pool_acquire_async  (PgqrsPostgresPool         *self,
                                                              GCancellable              *cancellable,
                                                              GAsyncReadyCallback        callback,
                                                              gpointer                   user_data);
PgqrsPostgresConnection *_pgqrs_postgres_pool_acquire_finish (PgqrsPostgresPool         *self,
                                                              GAsyncResult              *result,
                                                              GError                   **error);

/* An idle connection at once, or NULL when none is idle: opening one or
 * waiting for one is acquire_async's. */
PgqrsPostgresConnection *_pgqrs_postgres_pool_try_acquire    (PgqrsPostgresPool         *self);

/* Gives @conn back; a broken one is closed, and the next user of its place
 * connects again. */
void                     _pgqrs_postgres_pool_release        (PgqrsPostgresPool         *self,
                                                              PgqrsPostgresConnection   *conn);

G_END_DECLS
