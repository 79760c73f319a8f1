/* pgqrs-postgres-source-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Called with the conditions the socket reported; return G_SOURCE_REMOVE
 * to destroy the source. */
typedef gboolean (*PgqrsPostgresSocketFunc) (GIOCondition  revents,
                                             gpointer      user_data);

GSource *_pgqrs_postgres_socket_source_new   (void);
void     _pgqrs_postgres_socket_source_watch (GSource      *source,
                                              int           fd,
                                              GIOCondition  condition);

G_END_DECLS
