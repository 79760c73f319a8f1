/* test-retry-policy.c — the shape of PgqrsRetryPolicy's delays (semantics
 * rules 14 and 19): fixed, exponential with its cap, and jitter.
 *
 * Needs no database: the policy is a pure function of the attempt, so the
 * binary runs once, not once per backend.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "test-util.h"

/* Enough draws that a jitter confined to part of its range, or none at
 * all, cannot pass by luck, while a uniform one fails a check below by
 * chance with a probability under 1e-20. */
#define DRAWS 1000

/* Attempts 1..@n_expected give exactly these delays. */
static void
assert_delays (PgqrsRetryPolicy *policy,
               const double     *expected,
               guint             n_expected)
{
  for (guint attempt = 1; attempt <= n_expected; attempt++)
    {
      double delay = pgqrs_retry_policy_get_delay (policy, attempt);

      if (delay != expected[attempt - 1])
        g_error ("attempt %u: delay %g s, expected %g s", attempt, delay, expected[attempt - 1]);
    }
}

/* The policy's parameters, and that it allows a retry after each of the
 * first @max_retries attempts and none after the next. */
static void
assert_policy (PgqrsRetryPolicy *policy,
               guint             max_retries,
               PgqrsBackoff      backoff,
               double            base_delay,
               double            max_delay)
{
  g_assert_cmpuint (pgqrs_retry_policy_get_max_retries (policy), ==, max_retries);
  g_assert_cmpint (pgqrs_retry_policy_get_backoff (policy), ==, backoff);
  g_assert_cmpfloat (pgqrs_retry_policy_get_base_delay (policy), ==, base_delay);
  g_assert_cmpfloat (pgqrs_retry_policy_get_max_delay (policy), ==, max_delay);

  for (guint attempt = 1; attempt <= max_retries; attempt++)
    g_assert_true (pgqrs_retry_policy_should_retry (policy, attempt));
  g_assert_false (pgqrs_retry_policy_should_retry (policy, max_retries + 1));
  g_assert_false (pgqrs_retry_policy_should_retry (policy, max_retries + 100));
}

/* Over DRAWS draws, every delay of @attempt lies in [full / 2, full], and
 * the draws cover that range: they reach both ends and average about its
 * middle, as a uniform draw does. */
static void
assert_jittered (PgqrsRetryPolicy *policy,
                 guint             attempt,
                 double            full)
{
  double lowest = G_MAXDOUBLE, highest = 0, sum = 0;

  for (guint i = 0; i < DRAWS; i++)
    {
      double delay = pgqrs_retry_policy_get_delay (policy, attempt);

      if (delay < full / 2 || delay > full)
        g_error ("attempt %u: delay %g s outside [%g, %g]", attempt, delay, full / 2, full);
      lowest = MIN (lowest, delay);
      highest = MAX (highest, delay);
      sum += delay;
    }

  g_assert_cmpfloat (lowest, <, full * 0.55);
  g_assert_cmpfloat (highest, >, full * 0.95);
  g_assert_cmpfloat_with_epsilon (sum / DRAWS, full * 0.75, full * 0.05);
}

static void
test_default (void)
{
  g_autoptr(PgqrsRetryPolicy) policy = pgqrs_retry_policy_new ();
  g_autoptr(PgqrsRetryPolicy) bare = g_object_new (PGQRS_TYPE_RETRY_POLICY, NULL);
  PgqrsRetryPolicy *both[] = { policy, bare };

  /* 3 retries, exponential with jitter from 1 s, capped at 60 s; the same
   * from the constructor and from g_object_new(), as bindings make it */
  for (guint i = 0; i < G_N_ELEMENTS (both); i++)
    assert_policy (both[i], 3, PGQRS_BACKOFF_EXPONENTIAL_JITTER, 1, 60);

  /* 1, 2, 4, … 32 s, then the cap: attempt 7 would be 64 s */
  for (guint attempt = 1; attempt <= 6; attempt++)
    assert_jittered (policy, attempt, 1 << (attempt - 1));
  for (guint attempt = 7; attempt <= 9; attempt++)
    assert_jittered (policy, attempt, 60);
}

static void
test_fixed (void)
{
  static const double expected[] = { 5, 5, 5, 5, 5, 5, 5, 5 };
  g_autoptr(PgqrsRetryPolicy) policy = pgqrs_retry_policy_new_fixed (2, 5);

  assert_policy (policy, 2, PGQRS_BACKOFF_FIXED, 5, 5);

  /* no growth and no jitter, past the retries too */
  assert_delays (policy, expected, G_N_ELEMENTS (expected));
  for (guint i = 0; i < DRAWS; i++)
    g_assert_cmpfloat (pgqrs_retry_policy_get_delay (policy, 1 + i % 4), ==, 5);
}

static void
test_exponential (void)
{
  /* doubling from the base, then the cap, which 0.5·2^5 = 16 s passes */
  static const double expected[] = { 0.5, 1, 2, 4, 8, 10, 10, 10, 10, 10 };
  g_autoptr(PgqrsRetryPolicy) policy = pgqrs_retry_policy_new_exponential (5, 0.5, 10, FALSE);

  assert_policy (policy, 5, PGQRS_BACKOFF_EXPONENTIAL, 0.5, 10);

  assert_delays (policy, expected, G_N_ELEMENTS (expected));

  /* without jitter the same attempt always waits the same */
  for (guint i = 0; i < DRAWS; i++)
    g_assert_cmpfloat (pgqrs_retry_policy_get_delay (policy, 3), ==, 2);

  /* attempts far past the cap, to the last one, stay at it */
  g_assert_cmpfloat (pgqrs_retry_policy_get_delay (policy, 64), ==, 10);
  g_assert_cmpfloat (pgqrs_retry_policy_get_delay (policy, 1100), ==, 10);
  g_assert_cmpfloat (pgqrs_retry_policy_get_delay (policy, G_MAXUINT), ==, 10);
}

static void
test_exponential_jitter (void)
{
  g_autoptr(PgqrsRetryPolicy) policy = pgqrs_retry_policy_new_exponential (4, 2, 12, TRUE);

  assert_policy (policy, 4, PGQRS_BACKOFF_EXPONENTIAL_JITTER, 2, 12);

  /* 2, 4, 8 s, then the 12 s cap (2·2^3 = 16 s), each drawn from
   * between half and all of it */
  assert_jittered (policy, 1, 2);
  assert_jittered (policy, 2, 4);
  assert_jittered (policy, 3, 8);
  assert_jittered (policy, 4, 12);
  assert_jittered (policy, 5, 12);
  assert_jittered (policy, G_MAXUINT, 12);
}

/* The properties, set as a binding would: the others keep the defaults. */
static void
test_properties (void)
{
  static const double expected[] = { 3, 6, 12, 24, 48, 60, 60 };
  g_autoptr(PgqrsRetryPolicy) policy = g_object_new (PGQRS_TYPE_RETRY_POLICY,
                                                     "backoff", PGQRS_BACKOFF_EXPONENTIAL,
                                                     "base-delay", 3.0,
                                                     NULL);

  assert_policy (policy, 3, PGQRS_BACKOFF_EXPONENTIAL, 3, 60);
  assert_delays (policy, expected, G_N_ELEMENTS (expected));
}

int
main (int   argc,
      char *argv[])
{
  pgqrs_test_init (&argc, &argv);

  g_test_add_func ("/pgqrs/retry-policy/default", test_default);
  g_test_add_func ("/pgqrs/retry-policy/fixed", test_fixed);
  g_test_add_func ("/pgqrs/retry-policy/exponential", test_exponential);
  g_test_add_func ("/pgqrs/retry-policy/exponential-jitter", test_exponential_jitter);
  g_test_add_func ("/pgqrs/retry-policy/properties", test_properties);

  return g_test_run ();
}
