/* pgqrs-worker-stats-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-internal-private.h"

#include "pgqrs-worker-stats.h"

G_BEGIN_DECLS

/* What a backend reads for one queue; by_status is indexed by
 * PgqrsWorkerStatus. */
typedef struct
{
  const char *queue_name;
  gint64      by_status[PGQRS_WORKER_STATUS_STOPPED + 1];
  gint64      stale;
  gint64      held_messages;
  double      oldest_heartbeat_age;
} PgqrsWorkerStatsRow;

PGQRS_INTERNAL
PgqrsWorkerStats *_pgqrs_worker_stats_new (const PgqrsWorkerStatsRow *row);

G_END_DECLS
