/* pgqrs-worker-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-backend-private.h"
#include "pgqrs-worker.h"

G_BEGIN_DECLS

PgqrsWorker *_pgqrs_worker_new    (PgqrsStore           *store,
                                   const PgqrsWorkerRow *row);
void         _pgqrs_worker_update (PgqrsWorker          *self,
                                   const PgqrsWorkerRow *row);

G_END_DECLS
