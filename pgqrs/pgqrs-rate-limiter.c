/* pgqrs-rate-limiter.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "pgqrs-error.h"
#include "pgqrs-rate-limiter-private.h"

struct _PgqrsRateLimiter
{
  GMutex      mutex;
  double      rate;       /* tokens per second */
  double      burst;      /* bucket size */
  GHashTable *buckets;    /* key → Bucket */
};

typedef struct
{
  double tokens;
  gint64 updated;         /* monotonic µs */
} Bucket;

PgqrsRateLimiter *
_pgqrs_rate_limiter_new (double rate,
                         guint  burst)
{
  PgqrsRateLimiter *self = g_new0 (PgqrsRateLimiter, 1);

  g_mutex_init (&self->mutex);
  self->rate = rate;
  self->burst = burst > 0 ? burst : MAX (1.0, ceil (rate));
  self->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  return self;
}

void
_pgqrs_rate_limiter_free (PgqrsRateLimiter *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->buckets);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

gboolean
_pgqrs_rate_limiter_take (PgqrsRateLimiter  *self,
                          const char        *key,
                          guint              n,
                          GError           **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  gint64 now = g_get_monotonic_time ();
  Bucket *bucket;

  if (self->rate <= 0)
    return TRUE;

  locker = g_mutex_locker_new (&self->mutex);

  if (!(bucket = g_hash_table_lookup (self->buckets, key)))
    {
      bucket = g_new0 (Bucket, 1);
      bucket->tokens = self->burst;
      bucket->updated = now;
      g_hash_table_insert (self->buckets, g_strdup (key), bucket);
    }

  bucket->tokens = MIN (self->burst,
                        bucket->tokens + (now - bucket->updated) * self->rate / G_USEC_PER_SEC);
  bucket->updated = now;

  if (bucket->tokens < n)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_RATE_LIMITED,
                   _("Enqueueing %u message(s) into queue “%s” would exceed the rate limit "
                     "of %g per second"),
                   n, key, self->rate);
      return FALSE;
    }

  bucket->tokens -= n;

  return TRUE;
}
