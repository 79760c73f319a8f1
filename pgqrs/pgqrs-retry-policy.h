/* pgqrs-retry-policy.h
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

/**
 * PgqrsBackoff:
 * @PGQRS_BACKOFF_FIXED: the same delay before every retry
 * @PGQRS_BACKOFF_EXPONENTIAL: the delay doubles with each retry, up to a cap
 * @PGQRS_BACKOFF_EXPONENTIAL_JITTER: exponential, with each delay drawn
 *   uniformly between half and all of it, so that retries of many failed
 *   jobs spread out
 *
 * How the delay between retries grows.
 *
 * Since: 1.0
 */
typedef enum
{
  PGQRS_BACKOFF_FIXED,
  PGQRS_BACKOFF_EXPONENTIAL,
  PGQRS_BACKOFF_EXPONENTIAL_JITTER,
} PgqrsBackoff;

#define PGQRS_TYPE_RETRY_POLICY (pgqrs_retry_policy_get_type ())

PGQRS_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (PgqrsRetryPolicy, pgqrs_retry_policy, PGQRS, RETRY_POLICY, GObject)

PGQRS_AVAILABLE_IN_1_0
PgqrsRetryPolicy *pgqrs_retry_policy_new             (void);
PGQRS_AVAILABLE_IN_1_0
PgqrsRetryPolicy *pgqrs_retry_policy_new_fixed       (guint             max_retries,
                                                      double            delay_seconds);
PGQRS_AVAILABLE_IN_1_0
PgqrsRetryPolicy *pgqrs_retry_policy_new_exponential (guint             max_retries,
                                                      double            base_seconds,
                                                      double            max_seconds,
                                                      gboolean          jitter);
PGQRS_AVAILABLE_IN_1_0
guint             pgqrs_retry_policy_get_max_retries (PgqrsRetryPolicy *self);
PGQRS_AVAILABLE_IN_1_0
PgqrsBackoff      pgqrs_retry_policy_get_backoff     (PgqrsRetryPolicy *self);
PGQRS_AVAILABLE_IN_1_0
double            pgqrs_retry_policy_get_base_delay  (PgqrsRetryPolicy *self);
PGQRS_AVAILABLE_IN_1_0
double            pgqrs_retry_policy_get_max_delay   (PgqrsRetryPolicy *self);
PGQRS_AVAILABLE_IN_1_0
gboolean          pgqrs_retry_policy_should_retry    (PgqrsRetryPolicy *self,
                                                      guint             attempt);
PGQRS_AVAILABLE_IN_1_0
double            pgqrs_retry_policy_get_delay       (PgqrsRetryPolicy *self,
                                                      guint             attempt);

G_END_DECLS
