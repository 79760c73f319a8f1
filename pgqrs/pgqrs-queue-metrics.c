/* pgqrs-queue-metrics.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "pgqrs-queue-metrics-private.h"

/**
 * PgqrsQueueMetrics:
 *
 * Counts of one queue's messages by state, read in one query.
 *
 * Since: 1.0
 */

struct _PgqrsQueueMetrics
{
  GObject  parent_instance;

  char    *queue_name;
  gint64   total;
  gint64   pending;
  gint64   delayed;
  gint64   leased;
  gint64   archived;
  gint64   dead_lettered;
  double   oldest_pending_age;
};

G_DEFINE_FINAL_TYPE (PgqrsQueueMetrics, pgqrs_queue_metrics, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_QUEUE_NAME,
  PROP_TOTAL,
  PROP_PENDING,
  PROP_DELAYED,
  PROP_LEASED,
  PROP_ARCHIVED,
  PROP_DEAD_LETTERED,
  PROP_OLDEST_PENDING_AGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pgqrs_queue_metrics_finalize (GObject *object)
{
  PgqrsQueueMetrics *self = (PgqrsQueueMetrics *)object;

  g_clear_pointer (&self->queue_name, g_free);

  G_OBJECT_CLASS (pgqrs_queue_metrics_parent_class)->finalize (object);
}

static void
pgqrs_queue_metrics_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  PgqrsQueueMetrics *self = PGQRS_QUEUE_METRICS (object);

  switch (prop_id)
    {
    case PROP_QUEUE_NAME:
      g_value_set_string (value, self->queue_name);
      break;
    case PROP_TOTAL:
      g_value_set_int64 (value, self->total);
      break;
    case PROP_PENDING:
      g_value_set_int64 (value, self->pending);
      break;
    case PROP_DELAYED:
      g_value_set_int64 (value, self->delayed);
      break;
    case PROP_LEASED:
      g_value_set_int64 (value, self->leased);
      break;
    case PROP_ARCHIVED:
      g_value_set_int64 (value, self->archived);
      break;
    case PROP_DEAD_LETTERED:
      g_value_set_int64 (value, self->dead_lettered);
      break;
    case PROP_OLDEST_PENDING_AGE:
      g_value_set_double (value, self->oldest_pending_age);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pgqrs_queue_metrics_class_init (PgqrsQueueMetricsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = pgqrs_queue_metrics_finalize;
  object_class->get_property = pgqrs_queue_metrics_get_property;

  /**
   * PgqrsQueueMetrics:queue-name:
   *
   * The queue these counts describe.
   *
   * Since: 1.0
   */
  properties[PROP_QUEUE_NAME] =
    g_param_spec_string ("queue-name", NULL, NULL, NULL, ro);

  /**
   * PgqrsQueueMetrics:total:
   *
   * All messages of the queue, archived ones included.
   *
   * Since: 1.0
   */
  properties[PROP_TOTAL] =
    g_param_spec_int64 ("total", NULL, NULL, 0, G_MAXINT64, 0, ro);

  /**
   * PgqrsQueueMetrics:pending:
   *
   * Messages visible now, waiting for a consumer.
   *
   * Since: 1.0
   */
  properties[PROP_PENDING] =
    g_param_spec_int64 ("pending", NULL, NULL, 0, G_MAXINT64, 0, ro);

  /**
   * PgqrsQueueMetrics:delayed:
   *
   * Messages not leased that become visible later: enqueued with a delay or
   * released with one.
   *
   * Since: 1.0
   */
  properties[PROP_DELAYED] =
    g_param_spec_int64 ("delayed", NULL, NULL, 0, G_MAXINT64, 0, ro);

  /**
   * PgqrsQueueMetrics:leased:
   *
   * Messages held by a consumer whose visibility timeout has not run out.
   *
   * Since: 1.0
   */
  properties[PROP_LEASED] =
    g_param_spec_int64 ("leased", NULL, NULL, 0, G_MAXINT64, 0, ro);

  /**
   * PgqrsQueueMetrics:archived:
   *
   * Archived messages, dead letters included.
   *
   * Since: 1.0
   */
  properties[PROP_ARCHIVED] =
    g_param_spec_int64 ("archived", NULL, NULL, 0, G_MAXINT64, 0, ro);

  /**
   * PgqrsQueueMetrics:dead-lettered:
   *
   * Messages archived because they were leased too many times.
   *
   * Since: 1.0
   */
  properties[PROP_DEAD_LETTERED] =
    g_param_spec_int64 ("dead-lettered", NULL, NULL, 0, G_MAXINT64, 0, ro);

  /**
   * PgqrsQueueMetrics:oldest-pending-age:
   *
   * Seconds since the oldest pending message was enqueued; 0 when none is
   * pending.
   *
   * Since: 1.0
   */
  properties[PROP_OLDEST_PENDING_AGE] =
    g_param_spec_double ("oldest-pending-age", NULL, NULL, 0, G_MAXDOUBLE, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pgqrs_queue_metrics_init (PgqrsQueueMetrics *self)
{
}

PgqrsQueueMetrics *
_pgqrs_queue_metrics_new (const PgqrsQueueMetricsRow *row)
{
  PgqrsQueueMetrics *self = g_object_new (PGQRS_TYPE_QUEUE_METRICS, NULL);

  self->queue_name = g_strdup (row->queue_name);
  self->total = row->total;
  self->pending = row->pending;
  self->delayed = row->delayed;
  self->leased = row->leased;
  self->archived = row->archived;
  self->dead_lettered = row->dead_lettered;
  self->oldest_pending_age = MAX (0.0, row->oldest_pending_age);

  return self;
}

/**
 * pgqrs_queue_metrics_get_queue_name:
 * @self: a #PgqrsQueueMetrics
 *
 * Gets the name of the queue the metrics describe.
 *
 * Returns: the name of the queue
 *
 * Since: 1.0
 */
const char *
pgqrs_queue_metrics_get_queue_name (PgqrsQueueMetrics *self)
{
  g_return_val_if_fail (PGQRS_IS_QUEUE_METRICS (self), NULL);
  return self->queue_name;
}

#define DEFINE_COUNT(name) \
  gint64 \
  pgqrs_queue_metrics_get_##name (PgqrsQueueMetrics *self) \
  { \
    g_return_val_if_fail (PGQRS_IS_QUEUE_METRICS (self), 0); \
    return self->name; \
  }

/**
 * pgqrs_queue_metrics_get_total:
 * @self: a #PgqrsQueueMetrics
 *
 * Gets how many messages the queue holds, archived ones included.
 *
 * Returns: the value of [property@QueueMetrics:total]
 *
 * Since: 1.0
 */
DEFINE_COUNT (total)

/**
 * pgqrs_queue_metrics_get_pending:
 * @self: a #PgqrsQueueMetrics
 *
 * Gets how many messages are visible and waiting to be leased.
 *
 * Returns: the value of [property@QueueMetrics:pending]
 *
 * Since: 1.0
 */
DEFINE_COUNT (pending)

/**
 * pgqrs_queue_metrics_get_delayed:
 * @self: a #PgqrsQueueMetrics
 *
 * Gets how many messages are waiting for their delay to end.
 *
 * Returns: the value of [property@QueueMetrics:delayed]
 *
 * Since: 1.0
 */
DEFINE_COUNT (delayed)

/**
 * pgqrs_queue_metrics_get_leased:
 * @self: a #PgqrsQueueMetrics
 *
 * Gets how many messages are currently leased by a consumer.
 *
 * Returns: the value of [property@QueueMetrics:leased]
 *
 * Since: 1.0
 */
DEFINE_COUNT (leased)

/**
 * pgqrs_queue_metrics_get_archived:
 * @self: a #PgqrsQueueMetrics
 *
 * Gets how many messages are archived, dead-lettered ones included.
 *
 * Returns: the value of [property@QueueMetrics:archived]
 *
 * Since: 1.0
 */
DEFINE_COUNT (archived)

/**
 * pgqrs_queue_metrics_get_dead_lettered:
 * @self: a #PgqrsQueueMetrics
 *
 * Gets how many messages were archived as dead-lettered.
 *
 * Returns: the value of [property@QueueMetrics:dead-lettered]
 *
 * Since: 1.0
 */
DEFINE_COUNT (dead_lettered)

/**
 * pgqrs_queue_metrics_get_oldest_pending_age:
 * @self: a #PgqrsQueueMetrics
 *
 * Gets how long the oldest pending message has been waiting.
 *
 * Returns: the value of [property@QueueMetrics:oldest-pending-age], in seconds
 *
 * Since: 1.0
 */
double
pgqrs_queue_metrics_get_oldest_pending_age (PgqrsQueueMetrics *self)
{
  g_return_val_if_fail (PGQRS_IS_QUEUE_METRICS (self), 0);
  return self->oldest_pending_age;
}
