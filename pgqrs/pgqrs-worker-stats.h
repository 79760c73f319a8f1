/* pgqrs-worker-stats.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#if !defined(PGQRS_INSIDE) && !defined(PGQRS_COMPILATION)
# error "Only <pgqrs.h> can be included directly."
#endif

#include <glib-object.h>

#include "pgqrs-version-macros.h"
#include "pgqrs-types.h"

G_BEGIN_DECLS

#define PGQRS_TYPE_WORKER_STATS (pgqrs_worker_stats_get_type ())

PGQRS_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (PgqrsWorkerStats, pgqrs_worker_stats, PGQRS, WORKER_STATS, GObject)

PGQRS_AVAILABLE_IN_1_0
const char *pgqrs_worker_stats_get_queue_name            (PgqrsWorkerStats  *self);
PGQRS_AVAILABLE_IN_1_0
gint64      pgqrs_worker_stats_get_total                 (PgqrsWorkerStats  *self);
PGQRS_AVAILABLE_IN_1_0
gint64      pgqrs_worker_stats_get_count                 (PgqrsWorkerStats  *self,
                                                          PgqrsWorkerStatus  status);
PGQRS_AVAILABLE_IN_1_0
gint64      pgqrs_worker_stats_get_stale                 (PgqrsWorkerStats  *self);
PGQRS_AVAILABLE_IN_1_0
gint64      pgqrs_worker_stats_get_held_messages         (PgqrsWorkerStats  *self);
PGQRS_AVAILABLE_IN_1_0
double      pgqrs_worker_stats_get_oldest_heartbeat_age  (PgqrsWorkerStats  *self);

G_END_DECLS
