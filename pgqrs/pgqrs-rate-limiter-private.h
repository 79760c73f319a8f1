/* pgqrs-rate-limiter-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A token bucket per key (the queue name), shared by every thread using one
 * store.  A rate of zero lets everything through. */
typedef struct _PgqrsRateLimiter PgqrsRateLimiter;

PgqrsRateLimiter *_pgqrs_rate_limiter_new  (double            rate,
                                            guint             burst);
void              _pgqrs_rate_limiter_free (PgqrsRateLimiter *self);
gboolean          _pgqrs_rate_limiter_take (PgqrsRateLimiter *self,
                                            const char       *key,
                                            guint             n,
                                            GError          **error);

G_END_DECLS
