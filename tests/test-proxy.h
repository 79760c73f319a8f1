/* test-proxy.h — a TCP proxy on loopback that can go silent
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Forwards connections from a free port on 127.0.0.1 to @target_port
 * there, each on a thread of its own.  pgqrs_test_proxy_stall() makes the
 * connections open at that moment a black hole: what either side sends is
 * read and dropped, nothing is closed (no FIN, no RST) — as when a
 * failover moves a virtual IP or a NAT forgets the flow.  Connections
 * made afterwards are forwarded as usual. */
typedef struct _PgqrsTestProxy PgqrsTestProxy;

PgqrsTestProxy *pgqrs_test_proxy_new      (guint           target_port);
guint           pgqrs_test_proxy_get_port (PgqrsTestProxy *self);
/* Returns how many connections went silent. */
guint           pgqrs_test_proxy_stall    (PgqrsTestProxy *self);
/* Whether connections made from now on are silent from the start: the
 * TCP handshake completes, nothing else does. */
void            pgqrs_test_proxy_set_silent (PgqrsTestProxy *self,
                                             gboolean        silent);
void            pgqrs_test_proxy_free     (PgqrsTestProxy *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgqrsTestProxy, pgqrs_test_proxy_free)

G_END_DECLS
