/* pgqrs-retry-policy.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <math.h>

#include "pgqrs-enums.h"
#include "pgqrs-retry-policy.h"

/**
 * PgqrsRetryPolicy:
 *
 * How often, and after how long, failed work is tried again.
 *
 * The default policy — [ctor@RetryPolicy.new] — allows 3 retries with
 * exponential backoff and jitter from a 1 second base, capped at 60 seconds.
 * Attempts count from 1: attempt 1 is the first run, so a policy with 3
 * retries allows attempts 1 to 4.
 *
 * A policy is immutable once made.
 *
 * Since: 1.0
 */

struct _PgqrsRetryPolicy
{
  GObject      parent_instance;

  guint        max_retries;
  PgqrsBackoff backoff;
  double       base_delay;
  double       max_delay;
};

G_DEFINE_FINAL_TYPE (PgqrsRetryPolicy, pgqrs_retry_policy, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MAX_RETRIES,
  PROP_BACKOFF,
  PROP_BASE_DELAY,
  PROP_MAX_DELAY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pgqrs_retry_policy_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PgqrsRetryPolicy *self = PGQRS_RETRY_POLICY (object);

  switch (prop_id)
    {
    case PROP_MAX_RETRIES:
      g_value_set_uint (value, self->max_retries);
      break;
    case PROP_BACKOFF:
      g_value_set_enum (value, self->backoff);
      break;
    case PROP_BASE_DELAY:
      g_value_set_double (value, self->base_delay);
      break;
    case PROP_MAX_DELAY:
      g_value_set_double (value, self->max_delay);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pgqrs_retry_policy_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  PgqrsRetryPolicy *self = PGQRS_RETRY_POLICY (object);

  switch (prop_id)
    {
    case PROP_MAX_RETRIES:
      self->max_retries = g_value_get_uint (value);
      break;
    case PROP_BACKOFF:
      self->backoff = g_value_get_enum (value);
      break;
    case PROP_BASE_DELAY:
      self->base_delay = g_value_get_double (value);
      break;
    case PROP_MAX_DELAY:
      self->max_delay = g_value_get_double (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pgqrs_retry_policy_class_init (PgqrsRetryPolicyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = pgqrs_retry_policy_get_property;
  object_class->set_property = pgqrs_retry_policy_set_property;

  /**
   * PgqrsRetryPolicy:max-retries:
   *
   * How many times failed work is tried again after its first attempt.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_RETRIES] =
    g_param_spec_uint ("max-retries", NULL, NULL, 0, 1000, 3, flags);

  /**
   * PgqrsRetryPolicy:backoff:
   *
   * How the delay grows from one retry to the next.
   *
   * Since: 1.0
   */
  properties[PROP_BACKOFF] =
    g_param_spec_enum ("backoff", NULL, NULL, PGQRS_TYPE_BACKOFF,
                       PGQRS_BACKOFF_EXPONENTIAL_JITTER, flags);

  /**
   * PgqrsRetryPolicy:base-delay:
   *
   * Seconds before the first retry (and every retry, with fixed backoff).
   *
   * Since: 1.0
   */
  properties[PROP_BASE_DELAY] =
    g_param_spec_double ("base-delay", NULL, NULL, 0, 86400, 1.0, flags);

  /**
   * PgqrsRetryPolicy:max-delay:
   *
   * The longest delay between two attempts, in seconds.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_DELAY] =
    g_param_spec_double ("max-delay", NULL, NULL, 0, 86400, 60.0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pgqrs_retry_policy_init (PgqrsRetryPolicy *self)
{
  self->max_retries = 3;
  self->backoff = PGQRS_BACKOFF_EXPONENTIAL_JITTER;
  self->base_delay = 1.0;
  self->max_delay = 60.0;
}

/**
 * pgqrs_retry_policy_new:
 *
 * Makes the default policy: 3 retries, exponential backoff with jitter,
 * 1 second base, 60 seconds cap.
 *
 * Returns: (transfer full): a new #PgqrsRetryPolicy
 *
 * Since: 1.0
 */
PgqrsRetryPolicy *
pgqrs_retry_policy_new (void)
{
  return g_object_new (PGQRS_TYPE_RETRY_POLICY, NULL);
}

/**
 * pgqrs_retry_policy_new_fixed:
 * @max_retries: retries after the first attempt
 * @delay_seconds: seconds before each retry
 *
 * Makes a policy with the same delay before every retry.
 *
 * Returns: (transfer full): a new #PgqrsRetryPolicy
 *
 * Since: 1.0
 */
PgqrsRetryPolicy *
pgqrs_retry_policy_new_fixed (guint  max_retries,
                              double delay_seconds)
{
  return g_object_new (PGQRS_TYPE_RETRY_POLICY,
                       "max-retries", max_retries,
                       "backoff", PGQRS_BACKOFF_FIXED,
                       "base-delay", delay_seconds,
                       "max-delay", delay_seconds,
                       NULL);
}

/**
 * pgqrs_retry_policy_new_exponential:
 * @max_retries: retries after the first attempt
 * @base_seconds: seconds before the first retry
 * @max_seconds: the longest delay
 * @jitter: whether to spread each delay between half and all of it
 *
 * Makes a policy whose delay doubles with each retry.
 *
 * Returns: (transfer full): a new #PgqrsRetryPolicy
 *
 * Since: 1.0
 */
PgqrsRetryPolicy *
pgqrs_retry_policy_new_exponential (guint    max_retries,
                                    double   base_seconds,
                                    double   max_seconds,
                                    gboolean jitter)
{
  return g_object_new (PGQRS_TYPE_RETRY_POLICY,
                       "max-retries", max_retries,
                       "backoff", jitter ? PGQRS_BACKOFF_EXPONENTIAL_JITTER
                                         : PGQRS_BACKOFF_EXPONENTIAL,
                       "base-delay", base_seconds,
                       "max-delay", MAX (base_seconds, max_seconds),
                       NULL);
}

/**
 * pgqrs_retry_policy_should_retry:
 * @self: a #PgqrsRetryPolicy
 * @attempt: the attempt that just failed, counting from 1
 *
 * Tells whether another attempt may follow the failure of attempt @attempt.
 *
 * Returns: %TRUE if another attempt is allowed
 *
 * Since: 1.0
 */
gboolean
pgqrs_retry_policy_should_retry (PgqrsRetryPolicy *self,
                                 guint             attempt)
{
  g_return_val_if_fail (PGQRS_IS_RETRY_POLICY (self), FALSE);

  return attempt <= self->max_retries;
}

/**
 * pgqrs_retry_policy_get_delay:
 * @self: a #PgqrsRetryPolicy
 * @attempt: the attempt that just failed, counting from 1
 *
 * Computes how long to wait before retrying after attempt @attempt failed.
 *
 * Returns: seconds to wait before the next attempt
 *
 * Since: 1.0
 */
double
pgqrs_retry_policy_get_delay (PgqrsRetryPolicy *self,
                              guint             attempt)
{
  double delay;

  g_return_val_if_fail (PGQRS_IS_RETRY_POLICY (self), 0);

  if (self->backoff == PGQRS_BACKOFF_FIXED)
    return self->base_delay;

  delay = MIN (self->max_delay, self->base_delay * ldexp (1.0, MIN (attempt, 64u) - 1));

  if (self->backoff == PGQRS_BACKOFF_EXPONENTIAL_JITTER)
    delay = g_random_double_range (delay / 2, delay);

  return delay;
}

/**
 * pgqrs_retry_policy_get_max_retries:
 * @self: a #PgqrsRetryPolicy
 *
 * Gets how many retries the policy allows after the first attempt.
 *
 * Returns: the value of [property@RetryPolicy:max-retries]
 *
 * Since: 1.0
 */
guint
pgqrs_retry_policy_get_max_retries (PgqrsRetryPolicy *self)
{
  g_return_val_if_fail (PGQRS_IS_RETRY_POLICY (self), 0);
  return self->max_retries;
}

/**
 * pgqrs_retry_policy_get_backoff:
 * @self: a #PgqrsRetryPolicy
 *
 * Gets how the policy's delay grows from one retry to the next.
 *
 * Returns: the value of [property@RetryPolicy:backoff]
 *
 * Since: 1.0
 */
PgqrsBackoff
pgqrs_retry_policy_get_backoff (PgqrsRetryPolicy *self)
{
  g_return_val_if_fail (PGQRS_IS_RETRY_POLICY (self), 0);
  return self->backoff;
}

/**
 * pgqrs_retry_policy_get_base_delay:
 * @self: a #PgqrsRetryPolicy
 *
 * Gets the delay before the first retry, in seconds.
 *
 * Returns: the value of [property@RetryPolicy:base-delay]
 *
 * Since: 1.0
 */
double
pgqrs_retry_policy_get_base_delay (PgqrsRetryPolicy *self)
{
  g_return_val_if_fail (PGQRS_IS_RETRY_POLICY (self), 0);
  return self->base_delay;
}

/**
 * pgqrs_retry_policy_get_max_delay:
 * @self: a #PgqrsRetryPolicy
 *
 * Gets the longest delay the policy waits between retries, in seconds.
 *
 * Returns: the value of [property@RetryPolicy:max-delay]
 *
 * Since: 1.0
 */
double
pgqrs_retry_policy_get_max_delay (PgqrsRetryPolicy *self)
{
  g_return_val_if_fail (PGQRS_IS_RETRY_POLICY (self), 0);
  return self->max_delay;
}
