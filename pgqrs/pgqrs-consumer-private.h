/* pgqrs-consumer-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-internal-private.h"

#include "pgqrs-consumer.h"

G_BEGIN_DECLS

/* Polling only, for the benchmark's poll mode: a consumer started after
 * this does not watch the backend for wakeups. */
PGQRS_INTERNAL
void _pgqrs_consumer_set_wakeups (PgqrsConsumer *self,
                                  gboolean       wakeups);

/* Workflow triggers handed to the runner and waiting there for a thread
 * (on deck, free_slots()): for the tests. */
PGQRS_INTERNAL
guint _pgqrs_consumer_get_n_on_deck (PgqrsConsumer *self);

G_END_DECLS
