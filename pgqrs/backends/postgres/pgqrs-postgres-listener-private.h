/* pgqrs-postgres-listener-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-postgres-connection-private.h"

G_BEGIN_DECLS

/* Called in the listener's thread for each notification on the channel,
 * with the queue id it carries, and with 0 whenever listening starts
 * again: what was sent meanwhile was missed. */
typedef void (*PgqrsPostgresNotifyFunc) (gint64    queue_id,
                                         gpointer  user_data);

/* A dedicated connection that LISTENs on @channel, in a thread of its own,
 * reconnecting (and listening again) whenever it is lost. */
typedef struct _PgqrsPostgresListener PgqrsPostgresListener;

PgqrsPostgresListener *_pgqrs_postgres_listener_new  (PgqrsPostgresConnectInfo *info,
                                                      const char               *channel,
                                                      PgqrsPostgresNotifyFunc   func,
                                                      gpointer                  user_data);
/* Stops the thread and closes the connection; @func is not called after
 * it returns. */
void                   _pgqrs_postgres_listener_free (PgqrsPostgresListener    *self);

G_END_DECLS
