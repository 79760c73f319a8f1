/* test-consumer.c — the consumer loop (semantics rules 13–16), on the
 * backend PGQRS_TEST_BACKEND names.  No test sleeps for more than ~2 s.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "test-util.h"
#include "pgqrs-store-private.h"

typedef struct
{
  PgqrsStore    *store;
  PgqrsQueue    *queue;
  PgqrsConsumer *consumer;
  GMainLoop     *loop;

  /* what the handler saw */
  GPtrArray     *seen;         /* "n@attempt" strings */
  GArray        *batch_sizes;  /* guint */
  GPtrArray     *deferred;     /* PgqrsJob, held by the test */
  guint          fail_first;   /* fail attempts below this */
  gboolean       defer;
  guint          complete_after_ms;  /* defer, and complete that much later */
  guint64        leases_at_seen;     /* leases sent when `seen` reached leases_at_n */
  guint          leases_at_n;
  guint          in_flight;
  guint          max_in_flight;
  gint64         first_seen_us;
  gboolean       finished;
  GError        *run_error;
  double         skew;         /* the database's clock, as last set */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->store = pgqrs_test_open_store (data);
  f->queue = pgqrs_store_create_queue (f->store, "tasks", NULL, &error);
  g_assert_no_error (error);
  f->consumer = pgqrs_consumer_new (f->queue, "consumer-1");
  f->loop = g_main_loop_new (NULL, FALSE);
  f->seen = g_ptr_array_new_with_free_func (g_free);
  f->batch_sizes = g_array_new (FALSE, FALSE, sizeof (guint));
  f->deferred = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_error (&f->run_error);
  g_ptr_array_unref (f->seen);
  g_array_unref (f->batch_sizes);
  g_ptr_array_unref (f->deferred);
  g_main_loop_unref (f->loop);
  g_assert_finalize_object (f->consumer);
  g_assert_finalize_object (f->queue);
  g_assert_finalize_object (f->store);
}

/* "n" of the test's own payloads, "seq" of pgqrs-test-worker's */
static gint64
payload_n (PgqrsMessage *message)
{
  JsonObject *object = json_node_get_object (pgqrs_message_get_payload (message));

  return json_object_get_int_member_with_default (object, "n",
           json_object_get_int_member_with_default (object, "seq", -1));
}

static gboolean
complete_later (gpointer data)
{
  pgqrs_job_complete (data);
  return G_SOURCE_REMOVE;
}

static gboolean
handler (PgqrsJob *job,
         gpointer  user_data)
{
  Fixture *f = user_data;
  GPtrArray *messages = pgqrs_job_get_messages (job);

  if (f->first_seen_us == 0)
    f->first_seen_us = g_get_monotonic_time ();

  g_array_append_val (f->batch_sizes, messages->len);
  for (guint i = 0; i < messages->len; i++)
    g_ptr_array_add (f->seen, g_strdup_printf ("%" G_GINT64_FORMAT "@%u",
                                               payload_n (g_ptr_array_index (messages, i)),
                                               pgqrs_message_get_read_count (g_ptr_array_index (messages, i))));
  if (f->leases_at_n > 0 && f->seen->len == f->leases_at_n)
    f->leases_at_seen = _pgqrs_store_get_op_count (f->store, PGQRS_OP_LEASE);

  if (f->complete_after_ms > 0)
    {
      pgqrs_job_defer (job);
      g_timeout_add_full (G_PRIORITY_DEFAULT, f->complete_after_ms, complete_later,
                          g_object_ref (job), g_object_unref);
      return FALSE;   /* ignored: deferred */
    }

  if (f->defer)
    {
      pgqrs_job_defer (job);
      g_ptr_array_add (f->deferred, g_object_ref (job));
      f->in_flight++;
      f->max_in_flight = MAX (f->max_in_flight, f->in_flight);
      return FALSE;   /* ignored: deferred */
    }

  return pgqrs_job_get_attempt (job) >= f->fail_first;
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Fixture *f = user_data;

  pgqrs_consumer_run_finish (PGQRS_CONSUMER (object), result, &f->run_error);
  f->finished = TRUE;
  g_main_loop_quit (f->loop);
}

static void
start (Fixture *f)
{
  pgqrs_consumer_set_handler (f->consumer, handler, f, NULL);
  pgqrs_consumer_run_async (f->consumer, NULL, run_cb, f);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* Runs the main loop for @seconds or until @done (if given) turns TRUE. */
static void
spin (Fixture  *f,
      double    seconds,
      gboolean (*done) (Fixture *f))
{
  gint64 end = g_get_monotonic_time () + (gint64)(seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end && !(done && done (f)))
    {
      g_autoptr(GSource) tick = g_timeout_source_new (10);

      g_source_set_callback (tick, quit_loop, f->loop, NULL);
      g_source_attach (tick, NULL);
      g_main_loop_run (f->loop);
      g_source_destroy (tick);
    }
}

static void
stop_and_wait (Fixture *f)
{
  pgqrs_consumer_stop (f->consumer);
  while (!f->finished)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (f->run_error);
  g_assert_false (pgqrs_consumer_is_running (f->consumer));
}

static void
enqueue_n (Fixture *f,
           guint    from,
           guint    count,
           double   delay)
{
  for (guint i = from; i < from + count; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = g_strdup_printf ("{\"n\":%u}", i);
      g_autoptr(JsonNode) payload = pgqrs_test_json (text);

      pgqrs_queue_enqueue_delayed (f->queue, payload, delay, NULL, &error);
      g_assert_no_error (error);
    }
}

static PgqrsQueueMetrics *
metrics (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  PgqrsQueueMetrics *m = pgqrs_store_get_metrics (f->store, "tasks", NULL, &error);

  g_assert_no_error (error);
  return m;
}

static gboolean
all_archived (Fixture *f)
{
  g_autoptr(PgqrsQueueMetrics) m = metrics (f);

  return pgqrs_queue_metrics_get_archived (m) == pgqrs_queue_metrics_get_total (m) &&
         pgqrs_queue_metrics_get_total (m) > 0;
}

static void
test_handles_and_archives (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(PgqrsQueueMetrics) m = NULL;
  PgqrsWorker *worker;

  enqueue_n (f, 0, 5, 0);
  start (f);
  spin (f, 2, all_archived);

  g_assert_cmpuint (f->seen->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *expected = g_strdup_printf ("%u@1", i);
      g_assert_cmpstr (g_ptr_array_index (f->seen, i), ==, expected);
    }

  worker = pgqrs_consumer_get_worker (f->consumer);
  g_assert_nonnull (worker);
  g_assert_cmpstr (pgqrs_worker_get_name (worker), ==, "consumer-1");

  stop_and_wait (f);
  g_assert_cmpint (pgqrs_worker_get_status (worker), ==, PGQRS_WORKER_STATUS_STOPPED);
  g_assert_cmpuint (pgqrs_consumer_get_processed_count (f->consumer), ==, 5);

  m = metrics (f);
  g_assert_cmpint (pgqrs_queue_metrics_get_archived (m), ==, 5);
  g_assert_cmpint (pgqrs_queue_metrics_get_pending (m), ==, 0);
}

static gboolean
queue_empty (Fixture *f)
{
  g_autoptr(PgqrsQueueMetrics) m = metrics (f);

  return pgqrs_queue_metrics_get_total (m) == 0;
}

static void
test_delete_on_success (Fixture       *f,
                        gconstpointer  data)
{
  enqueue_n (f, 0, 3, 0);
  g_object_set (f->consumer, "delete-on-success", TRUE, NULL);
  start (f);
  spin (f, 2, queue_empty);
  g_assert_true (queue_empty (f));
  stop_and_wait (f);
}

static gboolean
seen_3_retried (Fixture *f)
{
  return f->seen->len >= 6;
}

/* A failing message neither stops the loop nor blocks the others; without a
 * retry policy it comes back at once. */
static void
test_failure_releases (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(PgqrsQueueMetrics) m = NULL;

  f->fail_first = 2;      /* every first attempt fails */
  enqueue_n (f, 0, 3, 0);
  start (f);
  spin (f, 2, seen_3_retried);
  spin (f, 2, all_archived);

  g_assert_cmpuint (f->seen->len, ==, 6);
  g_assert_cmpuint (pgqrs_consumer_get_failed_count (f->consumer), ==, 3);
  g_assert_cmpuint (pgqrs_consumer_get_processed_count (f->consumer), ==, 3);
  g_assert_true (g_ptr_array_find_with_equal_func (f->seen, "1@2", g_str_equal, NULL));
  stop_and_wait (f);
}

static gboolean
seen_3 (Fixture *f)
{
  return f->seen->len >= 3;
}

static void
test_retry_backoff (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(PgqrsRetryPolicy) policy = pgqrs_retry_policy_new_fixed (3, 0.3);
  gint64 start_us;
  double elapsed;

  f->fail_first = 3;      /* attempts 1 and 2 fail, 3 succeeds */
  g_object_set (f->consumer, "retry-policy", policy, NULL);
  enqueue_n (f, 7, 1, 0);

  start_us = g_get_monotonic_time ();
  start (f);
  spin (f, 2.5, seen_3);
  elapsed = (g_get_monotonic_time () - start_us) / (double)G_USEC_PER_SEC;

  g_assert_cmpuint (f->seen->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (f->seen, 2), ==, "7@3");
  /* two backoffs of 0.3 s, and no spin before them */
  g_assert_cmpfloat (elapsed, >=, 0.55);
  spin (f, 1, all_archived);
  g_assert_true (all_archived (f));
  stop_and_wait (f);
}

static gboolean
has_dead_letter (Fixture *f)
{
  g_autoptr(PgqrsQueueMetrics) m = metrics (f);

  return pgqrs_queue_metrics_get_dead_lettered (m) == 1;
}

/* The one message is put off: it waits, unleased, for a later time. */
static gboolean
put_off (Fixture *f)
{
  g_autoptr(PgqrsQueueMetrics) m = metrics (f);

  return pgqrs_queue_metrics_get_delayed (m) == 1 && pgqrs_queue_metrics_get_leased (m) == 0 &&
         pgqrs_queue_metrics_get_pending (m) == 0;
}

static gint64
delayed (Fixture *f)
{
  g_autoptr(PgqrsQueueMetrics) m = metrics (f);

  return pgqrs_queue_metrics_get_delayed (m);
}

/* Rule 14 with a retry policy: a message that always fails is put off
 * after failed attempt n for between @shortest[n-1] and @longest[n-1]
 * seconds by the database's clock, which the test moves instead of
 * waiting; the attempt after the policy's last retry dead-letters it. */
static void
assert_retry_schedule (Fixture          *f,
                       PgqrsRetryPolicy *policy,
                       const double     *shortest,
                       const double     *longest)
{
  guint retries = pgqrs_retry_policy_get_max_retries (policy);

  f->fail_first = 100;
  g_object_set (f->consumer, "retry-policy", policy, NULL);
  enqueue_n (f, 1, 1, 0);
  start (f);

  for (guint attempt = 1; attempt <= retries + 1; attempt++)
    {
      g_autofree char *expected = g_strdup_printf ("1@%u", attempt);

      spin (f, 5, attempt <= retries ? put_off : has_dead_letter);
      g_assert_cmpuint (f->seen->len, ==, attempt);
      g_assert_cmpstr (g_ptr_array_index (f->seen, attempt - 1), ==, expected);
      if (attempt > retries)
        break;

      /* still waiting a moment before its shortest delay... */
      pgqrs_test_set_clock (f->store, f->skew + shortest[attempt - 1] - 0.25);
      g_assert_cmpint (delayed (f), ==, 1);

      /* ...and due a moment after its longest */
      f->skew += longest[attempt - 1] + 0.25;
      pgqrs_test_set_clock (f->store, f->skew);
      g_assert_cmpint (delayed (f), ==, 0);
    }

  g_assert_true (has_dead_letter (f));
  g_assert_cmpuint (pgqrs_consumer_get_failed_count (f->consumer), ==, retries + 1);
  stop_and_wait (f);
}

/* 10, 20, then the 30 s cap (10·2² = 40 s) */
static void
test_retry_exponential (Fixture       *f,
                        gconstpointer  data)
{
  static const double delays[] = { 10, 20, 30 };
  g_autoptr(PgqrsRetryPolicy) policy = pgqrs_retry_policy_new_exponential (3, 10, 30, FALSE);

  assert_retry_schedule (f, policy, delays, delays);
}

/* the same, each delay drawn from its upper half */
static void
test_retry_exponential_jitter (Fixture       *f,
                               gconstpointer  data)
{
  static const double shortest[] = { 5, 10, 15 };
  static const double longest[] = { 10, 20, 30 };
  g_autoptr(PgqrsRetryPolicy) policy = pgqrs_retry_policy_new_exponential (3, 10, 30, TRUE);

  assert_retry_schedule (f, policy, shortest, longest);
}

static void
test_retries_exhausted_dead_letter (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(PgqrsRetryPolicy) policy = pgqrs_retry_policy_new_fixed (1, 0.05);
  g_autoptr(GPtrArray) dead = NULL;
  g_autoptr(GError) error = NULL;

  f->fail_first = 100;    /* always fails */
  g_object_set (f->consumer, "retry-policy", policy, NULL);
  enqueue_n (f, 1, 1, 0);
  start (f);
  spin (f, 10, has_dead_letter);   /* returns as soon as it is there */

  g_assert_true (has_dead_letter (f));
  g_assert_cmpuint (f->seen->len, ==, 2);
  dead = pgqrs_store_list_archived (f->store, "tasks", TRUE, 0, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dead->len, ==, 1);
  g_assert_cmpint (pgqrs_message_get_archive_reason (g_ptr_array_index (dead, 0)), ==,
                   PGQRS_ARCHIVE_REASON_DEAD_LETTER);
  stop_and_wait (f);
}

static gboolean
seen_25 (Fixture *f)
{
  return f->seen->len >= 25;
}

static void
test_batch_handler (Fixture       *f,
                    gconstpointer  data)
{
  guint total = 0;

  g_object_set (f->consumer, "batch-size", 10, NULL);
  enqueue_n (f, 0, 25, 0);
  start (f);
  spin (f, 2, seen_25);
  spin (f, 1, all_archived);

  g_assert_true (all_archived (f));
  g_assert_cmpuint (f->batch_sizes->len, ==, 3);
  for (guint i = 0; i < f->batch_sizes->len; i++)
    {
      g_assert_cmpuint (g_array_index (f->batch_sizes, guint, i), <=, 10);
      total += g_array_index (f->batch_sizes, guint, i);
    }
  g_assert_cmpuint (total, ==, 25);
  g_assert_cmpuint (g_array_index (f->batch_sizes, guint, 0), ==, 10);
  stop_and_wait (f);
}

static gboolean
complete_one (gpointer data)
{
  pgqrs_job_complete (data);
  return G_SOURCE_REMOVE;
}

static gpointer
complete_in_thread (gpointer data)
{
  g_usleep (50 * 1000);
  pgqrs_job_complete (data);
  return NULL;
}

/* Deferred jobs: at most `concurrency` in the handler at once, finished
 * later from the main loop or from another thread. */
static void
test_concurrency_and_deferred_completion (Fixture       *f,
                                          gconstpointer  data)
{
  GThread *thread;

  f->defer = TRUE;
  g_object_set (f->consumer, "concurrency", 3, NULL);
  enqueue_n (f, 0, 5, 0);
  start (f);
  spin (f, 0.5, NULL);

  g_assert_cmpuint (f->deferred->len, ==, 3);
  g_assert_cmpuint (f->max_in_flight, ==, 3);

  /* finishing one lets one more in */
  g_idle_add (complete_one, g_ptr_array_index (f->deferred, 0));
  thread = g_thread_new ("completer", complete_in_thread, g_ptr_array_index (f->deferred, 1));
  spin (f, 0.5, NULL);
  g_thread_join (thread);
  spin (f, 0.2, NULL);
  g_assert_cmpuint (f->deferred->len, ==, 5);

  for (guint i = 2; i < 5; i++)
    pgqrs_job_complete (g_ptr_array_index (f->deferred, i));
  spin (f, 1, all_archived);
  g_assert_true (all_archived (f));
  stop_and_wait (f);
}

static gboolean
seen_1 (Fixture *f)
{
  return f->seen->len >= 1;
}

/* Rule 13: with a 10 s poll interval, an enqueue is handled at once. */
static void
test_wakeup_beats_poll_interval (Fixture       *f,
                                 gconstpointer  data)
{
  gint64 enqueued_us;
  double latency;

  start (f);
  spin (f, 0.3, NULL);    /* the consumer is idle, waiting */

  enqueued_us = g_get_monotonic_time ();
  enqueue_n (f, 42, 1, 0);
  spin (f, 2, seen_1);

  g_assert_cmpuint (f->seen->len, ==, 1);
  latency = (f->first_seen_us - enqueued_us) / (double)G_USEC_PER_SEC;
  g_test_message ("enqueue to handler: %.1f ms", latency * 1000);
  g_assert_cmpfloat (latency, <, 1.0);
  stop_and_wait (f);
}

/* Another process enqueues one message while the consumer idles; returns
 * the seconds from spawning that process (which also connects) to the
 * handler. */
static double
enqueue_from_another_process (Fixture *f)
{
  const char *dsn = pgqrs_config_get_dsn (pgqrs_store_get_config (f->store));
  g_autoptr(PgqrsTestChild) producer = NULL;
  gint64 spawned_us;
  double latency;

  start (f);
  spin (f, 0.3, NULL);    /* the consumer is idle, waiting */

  spawned_us = g_get_monotonic_time ();
  producer = pgqrs_test_spawn_workerl ("produce", dsn, "tasks", "1", "1", "--first=7", NULL);
  spin (f, 5, seen_1);
  pgqrs_test_child_wait (producer);

  g_assert_cmpuint (f->seen->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->seen, 0), ==, "7@1");
  latency = (f->first_seen_us - spawned_us) / (double)G_USEC_PER_SEC;
  g_test_message ("another process's enqueue to handler, spawn included: %.1f ms",
                  latency * 1000);
  stop_and_wait (f);

  return latency;
}

/* Rule 13: an enqueue by another process wakes the consumer long before
 * the 10 s poll interval — NOTIFY on PostgreSQL, the watch on the
 * write-ahead log on SQLite. (Not through a transaction-mode pooler, which
 * carries no LISTEN.) */
static void
test_wakeup_from_another_process (Fixture       *f,
                                  gconstpointer  data)
{
  g_assert_cmpfloat (enqueue_from_another_process (f), <, 1.0);
}

/* Rule 13's fallback, which is all there is through a transaction-mode
 * pooler: the consumer finds the message within its poll interval. */
static void
test_poll_fallback_from_another_process (Fixture       *f,
                                         gconstpointer  data)
{
  double poll_interval = pgqrs_config_get_poll_interval (pgqrs_store_get_config (f->store));

  g_assert_cmpfloat (poll_interval, ==, 0.5);
  g_assert_cmpfloat (enqueue_from_another_process (f), <, poll_interval + 1.0);
}

/* The wait also ends when a delayed message becomes visible. */
static void
test_delayed_message_wakes (Fixture       *f,
                            gconstpointer  data)
{
  gint64 start_us = g_get_monotonic_time ();
  double latency;

  enqueue_n (f, 1, 1, 0.5);
  start (f);
  spin (f, 2, seen_1);

  g_assert_cmpuint (f->seen->len, ==, 1);
  latency = (f->first_seen_us - start_us) / (double)G_USEC_PER_SEC;
  g_assert_cmpfloat (latency, >=, 0.45);
  g_assert_cmpfloat (latency, <, 1.5);
  stop_and_wait (f);
}

static void
test_heartbeats_while_idle (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) first = NULL;
  PgqrsWorker *worker;

  g_object_set (f->consumer, "heartbeat-interval", 0.2, NULL);
  start (f);
  spin (f, 0.3, NULL);
  worker = pgqrs_consumer_get_worker (f->consumer);
  g_assert_nonnull (worker);
  pgqrs_worker_refresh (worker, NULL, &error);
  g_assert_no_error (error);
  first = g_date_time_ref (pgqrs_worker_get_heartbeat_at (worker));

  spin (f, 0.7, NULL);
  pgqrs_worker_refresh (worker, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_date_time_difference (pgqrs_worker_get_heartbeat_at (worker), first), >=, 300000);
  g_assert_true (pgqrs_worker_is_healthy (worker, 0.5));
  stop_and_wait (f);
}

/* Rule 15: a handler slower than the visibility timeout keeps its lease. */
static void
test_long_handler_keeps_lease (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stolen = NULL;

  f->defer = TRUE;
  g_object_set (f->consumer, "visibility-timeout", 0.4, "heartbeat-interval", 0.1, NULL);
  enqueue_n (f, 1, 1, 0);
  start (f);
  spin (f, 1.2, NULL);    /* three visibility timeouts */

  g_assert_cmpuint (f->deferred->len, ==, 1);
  stolen = pgqrs_queue_dequeue (f->queue, 1, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stolen->len, ==, 0);

  pgqrs_job_complete (g_ptr_array_index (f->deferred, 0));
  spin (f, 1, all_archived);
  g_assert_true (all_archived (f));
  stop_and_wait (f);
}

static gboolean
seen_2 (Fixture *f)
{
  return f->seen->len >= 2;
}

/* A lease asks for twice what the free slots take: with concurrency 1, one
 * message runs and one waits prefetched, its lease kept alive by the
 * heartbeat like the running one's; a handler that runs long makes the
 * consumer lease no more.  The prefetched message runs once the slot is
 * free, on its first lease; a stop hands back what is still held. */
static void
test_prefetch_one_lease_ahead (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stolen = NULL;
  g_autoptr(PgqrsQueueMetrics) m = NULL;

  f->defer = TRUE;
  g_object_set (f->consumer, "visibility-timeout", 0.4, "heartbeat-interval", 0.1,
                "poll-interval", 0.1, "stop-timeout", 0.2, NULL);
  enqueue_n (f, 0, 3, 0);
  start (f);
  spin (f, 1.2, NULL);    /* three visibility timeouts, several polls */

  g_assert_cmpuint (f->deferred->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->seen, 0), ==, "0@1");
  /* of the other two, one is held (prefetched), one is not */
  stolen = pgqrs_queue_dequeue (f->queue, 10, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stolen->len, ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (
                     pgqrs_message_get_payload (g_ptr_array_index (stolen, 0))), "n"), ==, 2);
  g_assert_true (pgqrs_queue_release (f->queue, g_ptr_array_index (stolen, 0), 0, NULL, &error));
  g_assert_no_error (error);

  pgqrs_job_complete (g_ptr_array_index (f->deferred, 0));
  spin (f, 2, seen_2);
  g_assert_cmpuint (f->seen->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (f->seen, 1), ==, "1@1");

  stop_and_wait (f);
  m = metrics (f);
  g_assert_cmpint (pgqrs_queue_metrics_get_archived (m), ==, 1);
  g_assert_cmpint (pgqrs_queue_metrics_get_leased (m), ==, 0);
}

static gboolean
deferred_4 (Fixture *f)
{
  return f->deferred->len >= 4;
}

/* With batches, each free slot takes a batch: a consumer of concurrency 4
 * and batch size 10 leases 80 messages at once, 40 for its four handlers
 * and 40 ahead of them, and then leases no more while they run.  (It once
 * leased two batches whatever its concurrency, and took four statements
 * to fill its slots.) */
static void
test_prefetch_a_batch_per_slot (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) left = NULL;
  guint64 leases;

  f->defer = TRUE;
  g_object_set (f->consumer, "concurrency", 4, "batch-size", 10, "stop-timeout", 0.2, NULL);
  enqueue_n (f, 0, 100, 0);
  leases = _pgqrs_store_get_op_count (f->store, PGQRS_OP_LEASE);
  start (f);
  spin (f, 5, deferred_4);
  spin (f, 0.3, NULL);    /* time for a lease that should not be sent */

  g_assert_cmpuint (f->deferred->len, ==, 4);
  for (guint i = 0; i < f->batch_sizes->len; i++)
    g_assert_cmpuint (g_array_index (f->batch_sizes, guint, i), ==, 10);
  g_assert_cmpuint (_pgqrs_store_get_op_count (f->store, PGQRS_OP_LEASE) - leases, ==, 1);
  left = pgqrs_queue_dequeue (f->queue, 100, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (left->len, ==, 20);
  for (guint i = 0; i < left->len; i++)
    {
      g_assert_true (pgqrs_queue_release (f->queue, g_ptr_array_index (left, i), 0, NULL, &error));
      g_assert_no_error (error);
    }

  for (guint i = 0; i < f->deferred->len; i++)
    pgqrs_job_complete (g_ptr_array_index (f->deferred, i));
  stop_and_wait (f);
}

static gboolean
seen_300 (Fixture *f)
{
  return f->seen->len >= 300;
}

/* Handlers that get through a lease sooner than the database answers the
 * next make the leases grow, up to eight batches per free slot: 300
 * messages, one at a time, take about 40 leases instead of the 150 of
 * leases of two. */
static void
test_lease_grows_for_quick_handlers (Fixture       *f,
                                     gconstpointer  data)
{
  guint64 leases;

  enqueue_n (f, 0, 300, 0);
  leases = _pgqrs_store_get_op_count (f->store, PGQRS_OP_LEASE);
  start (f);
  spin (f, 30, seen_300);
  g_assert_cmpuint (f->seen->len, ==, 300);
  leases = _pgqrs_store_get_op_count (f->store, PGQRS_OP_LEASE) - leases;
  g_test_message ("300 messages in %" G_GUINT64_FORMAT " leases", leases);
  g_assert_cmpuint (leases, >=, 300 / 8);
  g_assert_cmpuint (leases, <, 100);
  for (guint i = 0; i < f->batch_sizes->len; i++)
    g_assert_cmpuint (g_array_index (f->batch_sizes, guint, i), ==, 1);
  spin (f, 5, all_archived);
  g_assert_true (all_archived (f));
  stop_and_wait (f);
}

static gboolean
seen_6 (Fixture *f)
{
  return f->seen->len >= 6;
}

/* Handlers slower than the database keep the leases at two batches per
 * free slot, so that a slow consumer holds no more than that: six
 * messages of 100 ms each take three leases of two. */
static void
test_lease_stays_small_for_slow_handlers (Fixture       *f,
                                          gconstpointer  data)
{
  guint64 leases;

  f->complete_after_ms = 100;
  f->leases_at_n = 6;
  enqueue_n (f, 0, 6, 0);
  leases = _pgqrs_store_get_op_count (f->store, PGQRS_OP_LEASE);
  start (f);
  spin (f, 10, seen_6);
  g_assert_cmpuint (f->seen->len, ==, 6);
  g_assert_cmpuint (f->leases_at_seen - leases, ==, 3);
  spin (f, 5, all_archived);
  g_assert_true (all_archived (f));
  stop_and_wait (f);
}

static gboolean
finished (Fixture *f)
{
  return f->finished;
}

/* Rule 16: stop lets running handlers finish. */
static void
test_graceful_stop (Fixture       *f,
                    gconstpointer  data)
{
  f->defer = TRUE;
  enqueue_n (f, 1, 2, 0);
  start (f);
  spin (f, 2, seen_1);
  g_assert_cmpuint (f->deferred->len, ==, 1);

  pgqrs_consumer_stop (f->consumer);
  spin (f, 0.2, NULL);
  g_assert_false (f->finished);           /* waiting for the handler */
  g_assert_cmpuint (f->seen->len, ==, 1); /* and leasing no more */

  pgqrs_job_complete (g_ptr_array_index (f->deferred, 0));
  spin (f, 10, finished);
  g_assert_true (f->finished);
  g_assert_no_error (f->run_error);

  {
    g_autoptr(PgqrsQueueMetrics) m = metrics (f);

    g_assert_cmpint (pgqrs_queue_metrics_get_archived (m), ==, 1);
    g_assert_cmpint (pgqrs_queue_metrics_get_pending (m), ==, 1);
  }
  g_assert_cmpint (pgqrs_worker_get_status (pgqrs_consumer_get_worker (f->consumer)), ==,
                   PGQRS_WORKER_STATUS_STOPPED);
}

/* ...up to a deadline, after which their leases go back to the queue. */
static void
test_stop_deadline_releases (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(PgqrsQueueMetrics) m = NULL;

  f->defer = TRUE;
  g_object_set (f->consumer, "stop-timeout", 0.3, NULL);
  enqueue_n (f, 1, 1, 0);
  start (f);
  spin (f, 2, seen_1);

  pgqrs_consumer_stop (f->consumer);
  while (!f->finished)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (f->run_error);

  m = metrics (f);
  g_assert_cmpint (pgqrs_queue_metrics_get_pending (m), ==, 1);
  g_assert_cmpint (pgqrs_worker_get_status (pgqrs_consumer_get_worker (f->consumer)), ==,
                   PGQRS_WORKER_STATUS_STOPPED);

  /* a late completion changes nothing */
  pgqrs_job_complete (g_ptr_array_index (f->deferred, 0));
  spin (f, 0.1, NULL);
  g_clear_object (&m);
  m = metrics (f);
  g_assert_cmpint (pgqrs_queue_metrics_get_archived (m), ==, 0);
}

static gboolean
worker_polling (Fixture *f)
{
  PgqrsWorker *worker = pgqrs_consumer_get_worker (f->consumer);

  return worker != NULL && pgqrs_worker_get_status (worker) == PGQRS_WORKER_STATUS_POLLING;
}

static gboolean
worker_suspended (Fixture *f)
{
  PgqrsWorker *worker = pgqrs_consumer_get_worker (f->consumer);

  return worker != NULL && pgqrs_worker_get_status (worker) == PGQRS_WORKER_STATUS_SUSPENDED;
}

static void
test_suspend_resume_interrupt (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  PgqrsWorker *worker;

  g_assert_false (pgqrs_consumer_suspend (f->consumer, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE);
  g_clear_error (&error);

  start (f);
  /* until the consumer is polling: a slow database takes a while */
  spin (f, 5, worker_polling);
  worker = pgqrs_consumer_get_worker (f->consumer);
  g_assert_cmpint (pgqrs_worker_get_status (worker), ==, PGQRS_WORKER_STATUS_POLLING);

  g_assert_true (pgqrs_consumer_suspend (f->consumer, &error));
  g_assert_no_error (error);
  enqueue_n (f, 1, 1, 0);
  spin (f, 0.4, NULL);
  g_assert_cmpuint (f->seen->len, ==, 0);
  g_assert_cmpint (pgqrs_worker_get_status (worker), ==, PGQRS_WORKER_STATUS_SUSPENDED);

  g_assert_false (pgqrs_consumer_interrupt (f->consumer, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE);
  g_clear_error (&error);

  g_assert_true (pgqrs_consumer_resume (f->consumer, &error));
  spin (f, 2, seen_1);
  g_assert_cmpuint (f->seen->len, ==, 1);
  spin (f, 5, worker_polling);
  g_assert_cmpint (pgqrs_worker_get_status (worker), ==, PGQRS_WORKER_STATUS_POLLING);

  g_assert_true (pgqrs_consumer_interrupt (f->consumer, &error));
  spin (f, 5, worker_suspended);
  g_assert_cmpint (pgqrs_worker_get_status (worker), ==, PGQRS_WORKER_STATUS_SUSPENDED);
  enqueue_n (f, 2, 1, 0);
  spin (f, 0.3, NULL);
  g_assert_cmpuint (f->seen->len, ==, 1);

  stop_and_wait (f);
  g_assert_cmpint (pgqrs_worker_get_status (worker), ==, PGQRS_WORKER_STATUS_STOPPED);
}

static void
test_refuses_to_start (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(PgqrsConsumer) twin = pgqrs_consumer_new (f->queue, "consumer-1");

  /* no handler */
  pgqrs_consumer_run_async (twin, NULL, run_cb, f);
  while (!f->finished)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (f->run_error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE);
  g_clear_error (&f->run_error);
  f->finished = FALSE;

  /* a live worker of the same name */
  start (f);
  spin (f, 0.3, NULL);
  pgqrs_consumer_set_handler (twin, handler, f, NULL);
  {
    gboolean twin_done = FALSE;
    g_autoptr(GError) error = NULL;

    g_assert_false (pgqrs_consumer_run (twin, NULL, &error));
    g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_WORKER_EXISTS);
    (void)twin_done;
  }
  stop_and_wait (f);
}

/* The crash test's child: consumes with a handler that never finishes,
 * telling the parent (on stdout) when it holds the message. */
static gboolean
child_handler (PgqrsJob *job,
               gpointer  user_data)
{
  g_print ("holding %" G_GINT64_FORMAT "\n", pgqrs_message_get_id (pgqrs_job_get_message (job)));
  fflush (stdout);
  pgqrs_job_defer (job);
  return FALSE;
}

/* The acknowledgement-window crash test's child: handles quickly, and
 * kills itself in the handler of its ACK_CHILD_KILL_AT-th message, when
 * the acknowledgements of the ones before are coalescing, not yet sent.
 * It tells the parent (on stdout) each message it handled. */
#define ACK_CHILD_KILL_AT 6

static gboolean
ack_child_handler (PgqrsJob *job,
                   gpointer  user_data)
{
  guint *handled = user_data;

  if (++*handled == ACK_CHILD_KILL_AT)
    raise (SIGKILL);

  g_print ("handled %" G_GINT64_FORMAT "\n", pgqrs_message_get_id (pgqrs_job_get_message (job)));
  fflush (stdout);
  return TRUE;
}

/* --child or --ack-child */
static int
run_child (const char *mode,
           const char *dsn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) store = pgqrs_store_new (dsn, NULL, &error);
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(PgqrsConsumer) consumer = NULL;
  guint handled = 0;

  if (store == NULL || !(queue = pgqrs_store_get_queue (store, "tasks", NULL, &error)))
    g_error ("child: %s", error->message);

  consumer = pgqrs_consumer_new (queue, "doomed");
  if (g_str_equal (mode, "--ack-child"))
    {
      g_object_set (consumer, "visibility-timeout", 1.0, "concurrency", 4, NULL);
      pgqrs_consumer_set_handler (consumer, ack_child_handler, &handled, NULL);
    }
  else
    {
      g_object_set (consumer, "visibility-timeout", 0.8, "heartbeat-interval", 0.1, NULL);
      pgqrs_consumer_set_handler (consumer, child_handler, NULL, NULL);
    }
  pgqrs_consumer_run (consumer, NULL, &error);

  return 0;
}

/* Rule 14: a consumer killed mid-handler loses nothing; its lease expires
 * and another consumer gets the message. */
static void
test_sigkill_mid_handler (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *dsn = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autoptr(PgqrsQueueMetrics) m = NULL;
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);

  g_object_get (pgqrs_store_get_config (f->store), "dsn", &dsn, NULL);
  enqueue_n (f, 5, 1, 0);

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            self_path, "--child", dsn, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "holding "));

  /* the child holds the lease and keeps it alive with heartbeats */
  g_usleep (300 * 1000);
  g_subprocess_send_signal (child, SIGKILL);
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);

  g_object_set (f->consumer, "poll-interval", 0.1, NULL);
  start (f);
  /* sqld keeps the write lock of a transaction the child was killed in
   * until it takes it back, 5 s later */
  spin (f, pgqrs_test_backend_kind () == PGQRS_BACKEND_KIND_TURSO ? 8 : 2.5, all_archived);

  g_assert_cmpuint (f->seen->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->seen, 0), ==, "5@2");
  m = metrics (f);
  g_assert_cmpint (pgqrs_queue_metrics_get_archived (m), ==, 1);
  stop_and_wait (f);
}

static gboolean
seen_20 (Fixture *f)
{
  return all_archived (f) && pgqrs_queue_metrics_get_total (metrics (f)) == 20;
}

/* A consumer killed with acknowledgements pending loses nothing: what it
 * handled but had not acknowledged comes back once its leases run out, and
 * every message ends archived exactly once (docs/design.md, "The
 * acknowledgement window"). */
static void
test_sigkill_acks_pending (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *dsn = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) archived = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GHashTable) handled = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);

  g_object_get (pgqrs_store_get_config (f->store), "dsn", &dsn, NULL);
  enqueue_n (f, 0, 20, 0);

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            self_path, "--ack-child", dsn, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (child, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);

  lines = g_strsplit (g_strstrip (out), "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      gint64 id;

      g_assert_cmpint (sscanf (lines[i], "handled %" G_GINT64_FORMAT, &id), ==, 1);
      g_assert_true (g_hash_table_add (handled, g_memdup2 (&id, sizeof id)));
    }
  g_assert_cmpuint (g_hash_table_size (handled), ==, ACK_CHILD_KILL_AT - 1);

  /* the child's leases run out after 1 s; sqld keeps the write lock of a
   * transaction the child was killed in until it takes it back, 5 s later */
  g_object_set (f->consumer, "poll-interval", 0.1, NULL);
  start (f);
  spin (f, pgqrs_test_backend_kind () == PGQRS_BACKEND_KIND_TURSO ? 12 : 6, seen_20);
  stop_and_wait (f);

  /* every message archived, each once */
  archived = pgqrs_store_list_archived (f->store, "tasks", FALSE, 100, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (archived->len, ==, 20);
  for (guint i = 0; i < archived->len; i++)
    {
      gint64 id = pgqrs_message_get_id (g_ptr_array_index (archived, i));

      g_assert_cmpint (pgqrs_message_get_archive_reason (g_ptr_array_index (archived, i)), ==,
                       PGQRS_ARCHIVE_REASON_DONE);
      g_assert_true (g_hash_table_add (ids, g_memdup2 (&id, sizeof id)));
    }

  /* none of the child's acknowledgements was written: all it handled was
   * delivered again (read count 2), the rest once or twice (the one it
   * died in, and any it held prefetched) */
  g_assert_cmpuint (f->seen->len, ==, 20);
  for (guint i = 0; i < archived->len; i++)
    {
      PgqrsMessage *message = g_ptr_array_index (archived, i);
      gint64 id = pgqrs_message_get_id (message);

      if (g_hash_table_contains (handled, &id))
        g_assert_cmpuint (pgqrs_message_get_read_count (message), ==, 2);
    }
}

/* Wakeups reach each watcher in the thread-default main context it
 * registered from, whichever thread heard of the messages: here a thread
 * with a context of its own watches while the test thread enqueues. */
typedef struct
{
  PgqrsBackend *backend;
  gint64        queue_id;

  GMutex        mutex;
  GCond         cond;
  gboolean      registered;

  GThread      *thread;        /* the watcher's */
  GMainContext *context;       /* the watcher's */
  guint         n_calls;
  guint         n_elsewhere;   /* calls outside the watcher's thread or context */
  gboolean      heard;         /* a call for the queue */
} WakeupWatch;

static void
wakeup_watch_cb (gint64   queue_id,
                 gpointer user_data)
{
  WakeupWatch *w = user_data;

  w->n_calls++;
  if (g_thread_self () != w->thread ||
      g_main_context_get_thread_default () != w->context ||
      !g_main_context_is_owner (w->context))
    w->n_elsewhere++;
  if (queue_id == w->queue_id || queue_id == 0)
    w->heard = TRUE;
  /* if called elsewhere, the watcher's loop must still notice */
  g_main_context_wakeup (w->context);
}

static gboolean
wakeup_watch_timeout (gpointer user_data)
{
  g_error ("No wakeup reached the watcher's context within 10 s");
  return G_SOURCE_REMOVE;
}

static gpointer
wakeup_watch_thread (gpointer data)
{
  WakeupWatch *w = data;
  g_autoptr(GSource) timeout = g_timeout_source_new_seconds (10);
  guint id;

  w->thread = g_thread_self ();
  w->context = g_main_context_new ();
  g_main_context_push_thread_default (w->context);
  g_source_set_callback (timeout, wakeup_watch_timeout, NULL, NULL);
  g_source_attach (timeout, w->context);

  id = _pgqrs_backend_watch (w->backend, wakeup_watch_cb, w, NULL);

  g_mutex_lock (&w->mutex);
  w->registered = TRUE;
  g_cond_signal (&w->cond);
  g_mutex_unlock (&w->mutex);

  while (!w->heard)
    g_main_context_iteration (w->context, TRUE);

  _pgqrs_backend_unwatch (w->backend, id);
  g_source_destroy (timeout);
  g_main_context_pop_thread_default (w->context);
  g_main_context_unref (w->context);

  return NULL;
}

static void
test_wakeup_in_watcher_context (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) payload = pgqrs_test_json ("{\"n\":1}");
  WakeupWatch w = {
    .backend = _pgqrs_store_get_backend (f->store),
    .queue_id = pgqrs_queue_get_id (f->queue),
  };
  GThread *thread;

  g_mutex_init (&w.mutex);
  g_cond_init (&w.cond);
  thread = g_thread_new ("watcher", wakeup_watch_thread, &w);

  g_mutex_lock (&w.mutex);
  while (!w.registered)
    g_cond_wait (&w.cond, &w.mutex);
  g_mutex_unlock (&w.mutex);

  /* from this thread, whose context the watcher never runs */
  g_assert_cmpint (pgqrs_queue_enqueue (f->queue, payload, NULL, &error), >, 0);
  g_assert_no_error (error);

  g_thread_join (thread);
  g_assert_true (w.heard);
  g_assert_cmpuint (w.n_calls, >, 0);
  g_assert_cmpuint (w.n_elsewhere, ==, 0);

  g_mutex_clear (&w.mutex);
  g_cond_clear (&w.cond);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && (g_str_equal (argv[1], "--child") || g_str_equal (argv[1], "--ack-child")))
    return run_child (argv[1], argv[2]);

  pgqrs_test_init (&argc, &argv);

#define ADD(path, func, options) \
  g_test_add ("/pgqrs/consumer/" path, Fixture, options, fixture_setup, func, fixture_teardown)

  /* A 10 s poll interval everywhere: anything faster is a wakeup. */
  ADD ("handles-and-archives", test_handles_and_archives, "poll_interval=10");
  ADD ("delete-on-success", test_delete_on_success, "poll_interval=10");
  ADD ("failure-releases", test_failure_releases, "poll_interval=10");
  ADD ("retry-backoff", test_retry_backoff, "poll_interval=10");
  ADD ("retries-exhausted-dead-letter", test_retries_exhausted_dead_letter, "poll_interval=10");
  ADD ("retry-exponential", test_retry_exponential, "poll_interval=10");
  ADD ("retry-exponential-jitter", test_retry_exponential_jitter, "poll_interval=10");
  ADD ("batch-handler", test_batch_handler, "poll_interval=10");
  ADD ("concurrency-and-deferred-completion", test_concurrency_and_deferred_completion, "poll_interval=10");
  ADD ("wakeup-beats-poll-interval", test_wakeup_beats_poll_interval, "poll_interval=10");
  ADD ("wakeup-in-watcher-context", test_wakeup_in_watcher_context, "poll_interval=10");
  /* Through a transaction-mode pooler there is no LISTEN, and a libSQL
   * server tells no one of commits: other processes are heard by polling
   * there (poll-fallback-from-another-process). */
  if (!g_str_equal (pgqrs_test_backend_name (), "pgbouncer") &&
      pgqrs_test_backend_kind () != PGQRS_BACKEND_KIND_TURSO)
    ADD ("wakeup-from-another-process", test_wakeup_from_another_process, "poll_interval=10");
  ADD ("poll-fallback-from-another-process", test_poll_fallback_from_another_process,
       "poll_interval=0.5");
  ADD ("delayed-message-wakes", test_delayed_message_wakes, "poll_interval=10");
  ADD ("heartbeats-while-idle", test_heartbeats_while_idle, "poll_interval=10");
  ADD ("long-handler-keeps-lease", test_long_handler_keeps_lease, "poll_interval=10");
  ADD ("prefetch-one-lease-ahead", test_prefetch_one_lease_ahead, "poll_interval=10");
  ADD ("prefetch-a-batch-per-slot", test_prefetch_a_batch_per_slot, "poll_interval=10");
  ADD ("lease-grows-for-quick-handlers", test_lease_grows_for_quick_handlers, "poll_interval=10");
  ADD ("lease-stays-small-for-slow-handlers", test_lease_stays_small_for_slow_handlers,
       "poll_interval=10");
  ADD ("graceful-stop", test_graceful_stop, "poll_interval=10");
  ADD ("stop-deadline-releases", test_stop_deadline_releases, "poll_interval=10");
  ADD ("suspend-resume-interrupt", test_suspend_resume_interrupt, "poll_interval=10");
  ADD ("refuses-to-start", test_refuses_to_start, "poll_interval=10");
  ADD ("sigkill-mid-handler", test_sigkill_mid_handler, "poll_interval=10");
  ADD ("sigkill-acks-pending", test_sigkill_acks_pending, "poll_interval=10");

  return g_test_run ();
}
