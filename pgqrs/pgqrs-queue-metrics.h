/* pgqrs-queue-metrics.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#if !defined(PGQRS_INSIDE) && !defined(PGQRS_COMPILATION)
# error "Only <pgqrs.h> can be included directly."
#endif

#include <glib-object.h>

#include "pgqrs-version-macros.h"

G_BEGIN_DECLS

#define PGQRS_TYPE_QUEUE_METRICS (pgqrs_queue_metrics_get_type ())

PGQRS_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (PgqrsQueueMetrics, pgqrs_queue_metrics, PGQRS, QUEUE_METRICS, GObject)

PGQRS_AVAILABLE_IN_1_0
const char *pgqrs_queue_metrics_get_queue_name         (PgqrsQueueMetrics *self);
PGQRS_AVAILABLE_IN_1_0
gint64      pgqrs_queue_metrics_get_total              (PgqrsQueueMetrics *self);
PGQRS_AVAILABLE_IN_1_0
gint64      pgqrs_queue_metrics_get_pending            (PgqrsQueueMetrics *self);
PGQRS_AVAILABLE_IN_1_0
gint64      pgqrs_queue_metrics_get_delayed            (PgqrsQueueMetrics *self);
PGQRS_AVAILABLE_IN_1_0
gint64      pgqrs_queue_metrics_get_leased             (PgqrsQueueMetrics *self);
PGQRS_AVAILABLE_IN_1_0
gint64      pgqrs_queue_metrics_get_archived           (PgqrsQueueMetrics *self);
PGQRS_AVAILABLE_IN_1_0
gint64      pgqrs_queue_metrics_get_dead_lettered      (PgqrsQueueMetrics *self);
PGQRS_AVAILABLE_IN_1_0
double      pgqrs_queue_metrics_get_oldest_pending_age (PgqrsQueueMetrics *self);

G_END_DECLS
