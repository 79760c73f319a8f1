/* pgqrs-queue-metrics-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-internal-private.h"

#include "pgqrs-queue-metrics.h"

G_BEGIN_DECLS

typedef struct
{
  const char *queue_name;
  gint64      total;
  gint64      pending;
  gint64      delayed;
  gint64      leased;
  gint64      archived;
  gint64      dead_lettered;
  double      oldest_pending_age;
} PgqrsQueueMetricsRow;

PGQRS_INTERNAL
PgqrsQueueMetrics *_pgqrs_queue_metrics_new (const PgqrsQueueMetricsRow *row);

G_END_DECLS
