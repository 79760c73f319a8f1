/* pgqrs-queue-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-backend-private.h"
#include "pgqrs-queue.h"

G_BEGIN_DECLS

PgqrsQueue *_pgqrs_queue_new (PgqrsStore          *store,
                              const PgqrsQueueRow *row);

G_END_DECLS
