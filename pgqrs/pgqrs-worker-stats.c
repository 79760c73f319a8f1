/* pgqrs-worker-stats.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "pgqrs-worker-stats-private.h"

/**
 * PgqrsWorkerStats:
 *
 * The workers of one queue, counted by status in one query: how many are
 * registered, how many are live but silent (their heartbeat is late), how
 * many messages they hold, and how long ago the least recent live one
 * reported.
 *
 * Get it with [method@Store.get_worker_stats], or for every queue at once
 * with [method@Store.list_worker_stats].
 *
 * Since: 1.0
 */

struct _PgqrsWorkerStats
{
  GObject  parent_instance;

  char    *queue_name;
  gint64   by_status[PGQRS_WORKER_STATUS_STOPPED + 1];
  gint64   stale;
  gint64   held_messages;
  double   oldest_heartbeat_age;
};

G_DEFINE_FINAL_TYPE (PgqrsWorkerStats, pgqrs_worker_stats, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_QUEUE_NAME,
  PROP_TOTAL,
  /* in PgqrsWorkerStatus order */
  PROP_READY,
  PROP_POLLING,
  PROP_INTERRUPTED,
  PROP_SUSPENDED,
  PROP_STOPPED,
  PROP_STALE,
  PROP_HELD_MESSAGES,
  PROP_OLDEST_HEARTBEAT_AGE,
  N_PROPS
};

G_STATIC_ASSERT (PROP_STOPPED - PROP_READY == PGQRS_WORKER_STATUS_STOPPED - PGQRS_WORKER_STATUS_READY);

static GParamSpec *properties[N_PROPS];

static void
pgqrs_worker_stats_finalize (GObject *object)
{
  PgqrsWorkerStats *self = (PgqrsWorkerStats *)object;

  g_clear_pointer (&self->queue_name, g_free);

  G_OBJECT_CLASS (pgqrs_worker_stats_parent_class)->finalize (object);
}

static void
pgqrs_worker_stats_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PgqrsWorkerStats *self = PGQRS_WORKER_STATS (object);

  switch (prop_id)
    {
    case PROP_QUEUE_NAME:
      g_value_set_string (value, self->queue_name);
      break;
    case PROP_TOTAL:
      g_value_set_int64 (value, pgqrs_worker_stats_get_total (self));
      break;
    case PROP_READY:
    case PROP_POLLING:
    case PROP_INTERRUPTED:
    case PROP_SUSPENDED:
    case PROP_STOPPED:
      g_value_set_int64 (value, self->by_status[PGQRS_WORKER_STATUS_READY + prop_id - PROP_READY]);
      break;
    case PROP_STALE:
      g_value_set_int64 (value, self->stale);
      break;
    case PROP_HELD_MESSAGES:
      g_value_set_int64 (value, self->held_messages);
      break;
    case PROP_OLDEST_HEARTBEAT_AGE:
      g_value_set_double (value, self->oldest_heartbeat_age);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
count_property (const char *name)
{
  return g_param_spec_int64 (name, NULL, NULL, 0, G_MAXINT64, 0,
                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static void
pgqrs_worker_stats_class_init (PgqrsWorkerStatsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pgqrs_worker_stats_finalize;
  object_class->get_property = pgqrs_worker_stats_get_property;

  /**
   * PgqrsWorkerStats:queue-name:
   *
   * The queue whose workers these are.
   *
   * Since: 1.0
   */
  properties[PROP_QUEUE_NAME] =
    g_param_spec_string ("queue-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * PgqrsWorkerStats:total:
   *
   * Workers registered on the queue, stopped ones included.
   *
   * Since: 1.0
   */
  properties[PROP_TOTAL] = count_property ("total");

  /**
   * PgqrsWorkerStats:ready:
   *
   * Workers in %PGQRS_WORKER_STATUS_READY.
   *
   * Since: 1.0
   */
  properties[PROP_READY] = count_property ("ready");

  /**
   * PgqrsWorkerStats:polling:
   *
   * Workers in %PGQRS_WORKER_STATUS_POLLING.
   *
   * Since: 1.0
   */
  properties[PROP_POLLING] = count_property ("polling");

  /**
   * PgqrsWorkerStats:interrupted:
   *
   * Workers in %PGQRS_WORKER_STATUS_INTERRUPTED.
   *
   * Since: 1.0
   */
  properties[PROP_INTERRUPTED] = count_property ("interrupted");

  /**
   * PgqrsWorkerStats:suspended:
   *
   * Workers in %PGQRS_WORKER_STATUS_SUSPENDED.
   *
   * Since: 1.0
   */
  properties[PROP_SUSPENDED] = count_property ("suspended");

  /**
   * PgqrsWorkerStats:stopped:
   *
   * Workers in %PGQRS_WORKER_STATUS_STOPPED: shut down or reclaimed.
   *
   * Since: 1.0
   */
  properties[PROP_STOPPED] = count_property ("stopped");

  /**
   * PgqrsWorkerStats:stale:
   *
   * Workers not stopped whose last heartbeat is older than three
   * [property@Config:heartbeat-interval]s: probably dead, and what
   * [method@Store.reclaim_workers] would stop. A name of such a worker can
   * be registered again (see [method@Store.register_worker]).
   *
   * Since: 1.0
   */
  properties[PROP_STALE] = count_property ("stale");

  /**
   * PgqrsWorkerStats:held-messages:
   *
   * Messages of the queue leased by a registered worker and not expired.
   *
   * Since: 1.0
   */
  properties[PROP_HELD_MESSAGES] = count_property ("held-messages");

  /**
   * PgqrsWorkerStats:oldest-heartbeat-age:
   *
   * Seconds since the least recent heartbeat of a worker that is not
   * stopped; 0 when none is live.
   *
   * Since: 1.0
   */
  properties[PROP_OLDEST_HEARTBEAT_AGE] =
    g_param_spec_double ("oldest-heartbeat-age", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pgqrs_worker_stats_init (PgqrsWorkerStats *self)
{
}

PgqrsWorkerStats *
_pgqrs_worker_stats_new (const PgqrsWorkerStatsRow *row)
{
  PgqrsWorkerStats *self = g_object_new (PGQRS_TYPE_WORKER_STATS, NULL);

  self->queue_name = g_strdup (row->queue_name);
  memcpy (self->by_status, row->by_status, sizeof self->by_status);
  self->stale = row->stale;
  self->held_messages = row->held_messages;
  self->oldest_heartbeat_age = MAX (0.0, row->oldest_heartbeat_age);

  return self;
}

/**
 * pgqrs_worker_stats_get_queue_name:
 * @self: a #PgqrsWorkerStats
 *
 * Gets the name of the queue whose workers were counted.
 *
 * Returns: the name of the queue
 *
 * Since: 1.0
 */
const char *
pgqrs_worker_stats_get_queue_name (PgqrsWorkerStats *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKER_STATS (self), NULL);
  return self->queue_name;
}

/**
 * pgqrs_worker_stats_get_total:
 * @self: a #PgqrsWorkerStats
 *
 * Gets how many workers are registered on the queue, in any status.
 *
 * Returns: the value of [property@WorkerStats:total]
 *
 * Since: 1.0
 */
gint64
pgqrs_worker_stats_get_total (PgqrsWorkerStats *self)
{
  gint64 total = 0;

  g_return_val_if_fail (PGQRS_IS_WORKER_STATS (self), 0);

  for (guint i = 0; i < G_N_ELEMENTS (self->by_status); i++)
    total += self->by_status[i];

  return total;
}

/**
 * pgqrs_worker_stats_get_count:
 * @self: a #PgqrsWorkerStats
 * @status: a worker status
 *
 * Gets how many of the queue's workers are in @status.
 *
 * Returns: the number of workers in @status
 *
 * Since: 1.0
 */
gint64
pgqrs_worker_stats_get_count (PgqrsWorkerStats  *self,
                              PgqrsWorkerStatus  status)
{
  g_return_val_if_fail (PGQRS_IS_WORKER_STATS (self), 0);
  g_return_val_if_fail (status <= PGQRS_WORKER_STATUS_STOPPED, 0);

  return self->by_status[status];
}

/**
 * pgqrs_worker_stats_get_stale:
 * @self: a #PgqrsWorkerStats
 *
 * Gets how many workers are not stopped but have missed their heartbeats.
 *
 * Returns: the value of [property@WorkerStats:stale]
 *
 * Since: 1.0
 */
gint64
pgqrs_worker_stats_get_stale (PgqrsWorkerStats *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKER_STATS (self), 0);
  return self->stale;
}

/**
 * pgqrs_worker_stats_get_held_messages:
 * @self: a #PgqrsWorkerStats
 *
 * Gets how many of the queue's messages its workers hold leased.
 *
 * Returns: the value of [property@WorkerStats:held-messages]
 *
 * Since: 1.0
 */
gint64
pgqrs_worker_stats_get_held_messages (PgqrsWorkerStats *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKER_STATS (self), 0);
  return self->held_messages;
}

/**
 * pgqrs_worker_stats_get_oldest_heartbeat_age:
 * @self: a #PgqrsWorkerStats
 *
 * Gets how long ago the least recent live worker sent a heartbeat.
 *
 * Returns: the value of [property@WorkerStats:oldest-heartbeat-age], in seconds
 *
 * Since: 1.0
 */
double
pgqrs_worker_stats_get_oldest_heartbeat_age (PgqrsWorkerStats *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKER_STATS (self), 0);
  return self->oldest_heartbeat_age;
}
