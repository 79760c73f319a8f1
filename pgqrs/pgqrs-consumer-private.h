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

G_END_DECLS
