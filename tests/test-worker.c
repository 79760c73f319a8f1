/* test-worker.c — workers: registration, the status machine, heartbeats,
 * reclaim (semantics rules 10–12), on the backend PGQRS_TEST_BACKEND names.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "pgqrs-store-private.h"
#include <string.h>

#include "test-util.h"

typedef struct
{
  PgqrsStore *store;
  PgqrsQueue *queue;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->store = pgqrs_test_open_store (NULL);
  f->queue = pgqrs_store_create_queue (f->store, "jobs", NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->queue);
  g_assert_finalize_object (f->store);
}

/* Leases as a worker, as a consumer does. */
static GPtrArray *
lease_as (Fixture     *f,
          PgqrsWorker *worker,
          guint        n,
          double       visibility)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request = _pgqrs_request_new_lease (pgqrs_queue_get_id (f->queue),
                                                    pgqrs_worker_get_id (worker),
                                                    n, visibility, 100);

  reply = _pgqrs_store_execute (f->store, request, NULL, &error);
  g_assert_no_error (error);

  return _pgqrs_reply_steal_messages (reply);
}

static void
test_register (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsWorker) worker = NULL;
  g_autoptr(PgqrsWorker) again = NULL;
  g_autoptr(PgqrsWorker) admin = NULL;
  g_autoptr(PgqrsWorker) reused = NULL;
  g_autoptr(PgqrsWorker) bad = NULL;

  worker = pgqrs_store_register_worker (f->store, "w-1", "jobs", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pgqrs_worker_get_name (worker), ==, "w-1");
  g_assert_cmpint (pgqrs_worker_get_queue_id (worker), ==, pgqrs_queue_get_id (f->queue));
  g_assert_cmpint (pgqrs_worker_get_status (worker), ==, PGQRS_WORKER_STATUS_READY);
  g_assert_nonnull (pgqrs_worker_get_started_at (worker));
  g_assert_nonnull (pgqrs_worker_get_heartbeat_at (worker));
  g_assert_null (pgqrs_worker_get_shutdown_at (worker));
  g_assert_true (pgqrs_worker_is_healthy (worker, 5));

  again = pgqrs_store_register_worker (f->store, "w-1", "jobs", NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_WORKER_EXISTS);
  g_assert_nonnull (strstr (error->message, "w-1"));
  g_assert_null (again);
  g_clear_error (&error);

  admin = pgqrs_store_register_worker (f->store, "admin", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_worker_get_queue_id (admin), ==, 0);

  bad = pgqrs_store_register_worker (f->store, "no such", NULL, NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
  g_clear_error (&error);
  bad = pgqrs_store_register_worker (f->store, "w-2", "missing", NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_NOT_FOUND);
  g_clear_error (&error);

  /* A stopped worker's name is reused, same row. */
  g_assert_true (pgqrs_worker_transition (worker, PGQRS_WORKER_STATUS_SUSPENDED, NULL, &error));
  g_assert_true (pgqrs_worker_transition (worker, PGQRS_WORKER_STATUS_STOPPED, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (pgqrs_worker_get_shutdown_at (worker));
  g_assert_false (pgqrs_worker_is_healthy (worker, 5));

  reused = pgqrs_store_register_worker (f->store, "w-1", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_worker_get_id (reused), ==, pgqrs_worker_get_id (worker));
  g_assert_cmpint (pgqrs_worker_get_status (reused), ==, PGQRS_WORKER_STATUS_READY);
  g_assert_null (pgqrs_worker_get_shutdown_at (reused));
}

/* The path from ready to each status, by allowed moves. */
static const PgqrsWorkerStatus paths[][3] = {
  [PGQRS_WORKER_STATUS_READY] = { PGQRS_WORKER_STATUS_READY },
  [PGQRS_WORKER_STATUS_POLLING] = { PGQRS_WORKER_STATUS_POLLING },
  [PGQRS_WORKER_STATUS_INTERRUPTED] = { PGQRS_WORKER_STATUS_POLLING, PGQRS_WORKER_STATUS_INTERRUPTED },
  [PGQRS_WORKER_STATUS_SUSPENDED] = { PGQRS_WORKER_STATUS_SUSPENDED },
  [PGQRS_WORKER_STATUS_STOPPED] = { PGQRS_WORKER_STATUS_SUSPENDED, PGQRS_WORKER_STATUS_STOPPED },
};

/* Rule 10, as a table: allowed[from][to]. */
static const gboolean allowed[5][5] = {
  /* to:                      ready  polling interrupted suspended stopped */
  [PGQRS_WORKER_STATUS_READY]       = { FALSE, TRUE,  FALSE, TRUE,  FALSE },
  [PGQRS_WORKER_STATUS_POLLING]     = { TRUE,  FALSE, TRUE,  TRUE,  FALSE },
  [PGQRS_WORKER_STATUS_INTERRUPTED] = { FALSE, FALSE, FALSE, TRUE,  FALSE },
  [PGQRS_WORKER_STATUS_SUSPENDED]   = { TRUE,  FALSE, FALSE, FALSE, TRUE  },
  [PGQRS_WORKER_STATUS_STOPPED]     = { FALSE, FALSE, FALSE, FALSE, FALSE },
};

static void
test_transitions (Fixture       *f,
                  gconstpointer  data)
{
  for (guint from = PGQRS_WORKER_STATUS_READY; from <= PGQRS_WORKER_STATUS_STOPPED; from++)
    for (guint to = PGQRS_WORKER_STATUS_READY; to <= PGQRS_WORKER_STATUS_STOPPED; to++)
      {
        g_autofree char *name = g_strdup_printf ("w-%u-%u", from, to);
        g_autoptr(PgqrsWorker) worker = NULL;
        g_autoptr(GError) error = NULL;
        gboolean ok;

        worker = pgqrs_store_register_worker (f->store, name, "jobs", NULL, &error);
        g_assert_no_error (error);

        for (guint i = 0; pgqrs_worker_get_status (worker) != from; i++)
          {
            g_assert_cmpuint (i, <, 2);
            pgqrs_worker_transition (worker, paths[from][i], NULL, &error);
            g_assert_no_error (error);
          }
        g_assert_cmpint (pgqrs_worker_get_status (worker), ==, from);

        ok = pgqrs_worker_transition (worker, to, NULL, &error);
        if (allowed[from][to])
          {
            g_assert_no_error (error);
            g_assert_true (ok);
            g_assert_cmpint (pgqrs_worker_get_status (worker), ==, to);
          }
        else
          {
            g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE);
            g_assert_false (ok);
            g_assert_nonnull (strstr (error->message, pgqrs_worker_status_to_string (from)));
            g_assert_nonnull (strstr (error->message, pgqrs_worker_status_to_string (to)));

            /* the store agrees nothing changed */
            g_clear_error (&error);
            g_assert_true (pgqrs_worker_refresh (worker, NULL, &error));
            g_assert_cmpint (pgqrs_worker_get_status (worker), ==, from);
          }
      }
}

static void
transition_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GError **error = user_data;

  pgqrs_worker_transition_finish (PGQRS_WORKER (object), result, error);
  if (*error == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "ok");
}

static void
test_transition_async (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(PgqrsWorker) worker = NULL;
  g_autoptr(GError) error = NULL;

  worker = pgqrs_store_register_worker (f->store, "async", "jobs", NULL, &error);
  g_assert_no_error (error);

  pgqrs_worker_transition_async (worker, PGQRS_WORKER_STATUS_STOPPED, NULL, transition_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE);
  g_clear_error (&error);

  pgqrs_worker_transition_async (worker, PGQRS_WORKER_STATUS_POLLING, NULL, transition_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_cmpint (pgqrs_worker_get_status (worker), ==, PGQRS_WORKER_STATUS_POLLING);
}

static void
test_heartbeat (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(PgqrsWorker) worker = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) first = NULL;

  worker = pgqrs_store_register_worker (f->store, "beat", "jobs", NULL, &error);
  g_assert_no_error (error);
  first = g_date_time_ref (pgqrs_worker_get_heartbeat_at (worker));

  g_usleep (300 * 1000);
  g_assert_true (pgqrs_worker_refresh (worker, NULL, &error));
  g_assert_cmpfloat (pgqrs_worker_get_heartbeat_age (worker), >=, 0.25);
  g_assert_false (pgqrs_worker_is_healthy (worker, 0.2));
  g_assert_true (pgqrs_worker_is_healthy (worker, 5));

  g_assert_true (pgqrs_worker_heartbeat (worker, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_date_time_difference (pgqrs_worker_get_heartbeat_at (worker), first), >=, 250000);
  g_assert_cmpfloat (pgqrs_worker_get_heartbeat_age (worker), <, 0.2);
  g_assert_true (pgqrs_worker_is_healthy (worker, 0.2));
}

/* Messages that name a consumer, read behind the library's back. */
static gint64
count_consumed (Fixture *f)
{
  return pgqrs_test_exec_sql (f->store,
                              "SELECT count (*) FROM pgqrs_messages "
                              " WHERE consumer_worker_id IS NOT NULL",
                              "SELECT count (*) FROM @SCHEMA@.pgqrs_messages "
                              " WHERE consumer_worker_id IS NOT NULL");
}

static void
test_shutdown_refused_with_leases (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(PgqrsWorker) worker = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) leased = NULL;
  g_autoptr(JsonNode) payload = pgqrs_test_json ("{\"n\":1}");
  g_autoptr(GArray) flags = NULL;

  pgqrs_queue_enqueue (f->queue, payload, NULL, &error);
  g_assert_no_error (error);

  worker = pgqrs_store_register_worker (f->store, "holder", "jobs", NULL, &error);
  g_assert_no_error (error);
  leased = lease_as (f, worker, 1, 30);
  g_assert_cmpuint (leased->len, ==, 1);
  g_assert_cmpint (pgqrs_message_get_consumer_worker_id (g_ptr_array_index (leased, 0)), ==,
                   pgqrs_worker_get_id (worker));

  g_assert_true (pgqrs_worker_transition (worker, PGQRS_WORKER_STATUS_SUSPENDED, NULL, &error));
  g_assert_false (pgqrs_worker_transition (worker, PGQRS_WORKER_STATUS_STOPPED, NULL, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE);
  g_assert_nonnull (strstr (error->message, "lease"));
  g_clear_error (&error);

  /* rule 6: release clears the consumer */
  g_assert_cmpint (count_consumed (f), ==, 1);
  flags = pgqrs_queue_release_batch (f->queue, leased, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_array_index (flags, gboolean, 0));
  g_assert_cmpint (count_consumed (f), ==, 0);

  g_assert_true (pgqrs_worker_transition (worker, PGQRS_WORKER_STATUS_STOPPED, NULL, &error));
  g_assert_no_error (error);
}

static void
test_reclaim (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(PgqrsWorker) dead = NULL;
  g_autoptr(PgqrsWorker) alive = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) leased = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(JsonNode) payload = pgqrs_test_json ("{\"n\":1}");

  pgqrs_queue_enqueue (f->queue, payload, NULL, &error);
  g_assert_no_error (error);

  dead = pgqrs_store_register_worker (f->store, "dead", "jobs", NULL, &error);
  g_assert_no_error (error);
  leased = lease_as (f, dead, 1, 60);
  g_assert_cmpuint (leased->len, ==, 1);

  g_usleep (400 * 1000);
  alive = pgqrs_store_register_worker (f->store, "alive", "jobs", NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (pgqrs_store_reclaim_workers (f->store, 0.3, NULL, &error), ==, 1);
  g_assert_no_error (error);

  g_assert_true (pgqrs_worker_refresh (dead, NULL, &error));
  g_assert_cmpint (pgqrs_worker_get_status (dead), ==, PGQRS_WORKER_STATUS_STOPPED);
  g_assert_true (pgqrs_worker_refresh (alive, NULL, &error));
  g_assert_cmpint (pgqrs_worker_get_status (alive), ==, PGQRS_WORKER_STATUS_READY);

  /* its lease is back at once, read count kept */
  again = pgqrs_queue_dequeue (f->queue, 10, 30, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, 1);
  g_assert_cmpuint (pgqrs_message_get_read_count (g_ptr_array_index (again, 0)), ==, 2);

  /* the stale token is fenced off */
  g_assert_false (pgqrs_queue_archive (f->queue, g_ptr_array_index (leased, 0), NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (pgqrs_store_reclaim_workers (f->store, 0, NULL, &error), ==, -1);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
}

/* A program restarted after a crash gets its worker name back once the
 * dead worker has missed three heartbeats; its leases are released. */
static void
test_takeover_after_crash (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(PgqrsWorker) dead = NULL;
  g_autoptr(PgqrsWorker) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) leased = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(JsonNode) payload = pgqrs_test_json ("{\"n\":1}");
  double threshold = 3 * pgqrs_config_get_heartbeat_interval (pgqrs_store_get_config (f->store));

  pgqrs_queue_enqueue (f->queue, payload, NULL, &error);
  g_assert_no_error (error);
  dead = pgqrs_store_register_worker (f->store, "crashy", "jobs", NULL, &error);
  g_assert_no_error (error);
  leased = lease_as (f, dead, 1, 3600);
  g_assert_cmpuint (leased->len, ==, 1);

  /* live: refused, saying when the name frees up */
  back = pgqrs_store_register_worker (f->store, "crashy", "jobs", NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_WORKER_EXISTS);
  g_assert_nonnull (strstr (error->message, "crashy"));
  g_assert_nonnull (strstr (error->message, "heartbeat"));
  g_clear_error (&error);

  /* silent, but not for three heartbeats: still refused */
  pgqrs_test_set_clock (f->store, threshold - 1);
  back = pgqrs_store_register_worker (f->store, "crashy", "jobs", NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_WORKER_EXISTS);
  g_clear_error (&error);

  pgqrs_test_set_clock (f->store, threshold + 1);
  back = pgqrs_store_register_worker (f->store, "crashy", "jobs", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pgqrs_worker_get_name (back), ==, "crashy");
  g_assert_cmpint (pgqrs_worker_get_id (back), ==, pgqrs_worker_get_id (dead));
  g_assert_cmpint (pgqrs_worker_get_status (back), ==, PGQRS_WORKER_STATUS_READY);

  /* the dead worker's lease is back at once, read count kept */
  again = pgqrs_queue_dequeue (f->queue, 10, 30, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, 1);
  g_assert_cmpuint (pgqrs_message_get_read_count (g_ptr_array_index (again, 0)), ==, 2);
  g_assert_false (pgqrs_queue_archive (f->queue, g_ptr_array_index (leased, 0), NULL, &error));
  g_assert_no_error (error);
}

static void
test_list (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) other = NULL;
  g_autoptr(PgqrsWorker) a = NULL;
  g_autoptr(PgqrsWorker) b = NULL;
  g_autoptr(PgqrsWorker) c = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) jobs = NULL;
  g_autoptr(GPtrArray) none = NULL;

  other = pgqrs_store_create_queue (f->store, "other", NULL, &error);
  g_assert_no_error (error);
  b = pgqrs_store_register_worker (f->store, "b", "jobs", NULL, &error);
  a = pgqrs_store_register_worker (f->store, "a", "jobs", NULL, &error);
  c = pgqrs_store_register_worker (f->store, "c", "other", NULL, &error);
  g_assert_no_error (error);

  all = pgqrs_store_list_workers (f->store, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_cmpstr (pgqrs_worker_get_name (g_ptr_array_index (all, 0)), ==, "a");
  g_assert_cmpstr (pgqrs_worker_get_name (g_ptr_array_index (all, 2)), ==, "c");

  jobs = pgqrs_store_list_workers (f->store, "jobs", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 2);

  none = pgqrs_store_list_workers (f->store, "missing", NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_NOT_FOUND);
  g_assert_null (none);
}

static void
assert_stats (PgqrsWorkerStats *stats,
              const char       *queue_name,
              const gint64      by_status[],
              gint64            stale,
              gint64            held)
{
  gint64 total = 0;

  g_assert_nonnull (stats);
  g_assert_cmpstr (pgqrs_worker_stats_get_queue_name (stats), ==, queue_name);
  for (guint status = PGQRS_WORKER_STATUS_READY; status <= PGQRS_WORKER_STATUS_STOPPED; status++)
    {
      g_assert_cmpint (pgqrs_worker_stats_get_count (stats, status), ==, by_status[status]);
      total += by_status[status];
    }
  g_assert_cmpint (pgqrs_worker_stats_get_total (stats), ==, total);
  g_assert_cmpint (pgqrs_worker_stats_get_stale (stats), ==, stale);
  g_assert_cmpint (pgqrs_worker_stats_get_held_messages (stats), ==, held);
}

/* Per-queue worker statistics: counts by status, the stale ones (three
 * heartbeat intervals silent), the leases they hold, the oldest heartbeat. */
static void
test_stats (Fixture       *f,
            gconstpointer  data)
{
  static const gint64 none[] = { 0, 0, 0, 0, 0 };
  static const gint64 mixed[] = { 1, 1, 0, 1, 1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) other = NULL;
  g_autoptr(PgqrsWorker) ready = NULL;
  g_autoptr(PgqrsWorker) polling = NULL;
  g_autoptr(PgqrsWorker) suspended = NULL;
  g_autoptr(PgqrsWorker) stopped = NULL;
  g_autoptr(PgqrsWorker) admin = NULL;
  g_autoptr(PgqrsWorkerStats) empty = NULL;
  g_autoptr(PgqrsWorkerStats) stats = NULL;
  g_autoptr(PgqrsWorkerStats) later = NULL;
  g_autoptr(PgqrsWorkerStats) missing = NULL;
  g_autoptr(GPtrArray) leased = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) payload = pgqrs_test_json ("{\"n\":1}");
  double threshold = 3 * pgqrs_config_get_heartbeat_interval (pgqrs_store_get_config (f->store));
  gint64 held = 0;

  other = pgqrs_store_create_queue (f->store, "other", NULL, &error);
  g_assert_no_error (error);
  empty = pgqrs_store_get_worker_stats (f->store, "jobs", NULL, &error);
  g_assert_no_error (error);
  assert_stats (empty, "jobs", none, 0, 0);
  g_assert_cmpfloat (pgqrs_worker_stats_get_oldest_heartbeat_age (empty), ==, 0);

  ready = pgqrs_store_register_worker (f->store, "ready", "jobs", NULL, &error);
  polling = pgqrs_store_register_worker (f->store, "polling", "jobs", NULL, &error);
  suspended = pgqrs_store_register_worker (f->store, "suspended", "jobs", NULL, &error);
  stopped = pgqrs_store_register_worker (f->store, "stopped", "jobs", NULL, &error);
  admin = pgqrs_store_register_worker (f->store, "admin", NULL, NULL, &error);
  g_assert_no_error (error);
  pgqrs_worker_transition (polling, PGQRS_WORKER_STATUS_POLLING, NULL, &error);
  pgqrs_worker_transition (suspended, PGQRS_WORKER_STATUS_SUSPENDED, NULL, &error);
  pgqrs_worker_transition (stopped, PGQRS_WORKER_STATUS_SUSPENDED, NULL, &error);
  pgqrs_worker_transition (stopped, PGQRS_WORKER_STATUS_STOPPED, NULL, &error);
  g_assert_no_error (error);

  /* the polling worker holds two leases, a one-off dequeue one more */
  for (guint i = 0; i < 3; i++)
    {
      pgqrs_queue_enqueue (f->queue, payload, NULL, &error);
      g_assert_no_error (error);
    }
  leased = lease_as (f, polling, 2, 30);
  g_assert_cmpuint (leased->len, ==, 2);
  g_clear_pointer (&leased, g_ptr_array_unref);
  leased = pgqrs_queue_dequeue (f->queue, 1, 30, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (leased->len, ==, 1);

  pgqrs_store_get_worker_stats_async (f->store, "jobs", NULL, pgqrs_test_store_result, &result);
  stats = pgqrs_store_get_worker_stats_finish (f->store, pgqrs_test_await (&result), &error);
  g_assert_no_error (error);
  assert_stats (stats, "jobs", mixed, 0, 2);
  g_assert_cmpfloat (pgqrs_worker_stats_get_oldest_heartbeat_age (stats), <, threshold);
  g_object_get (stats, "held-messages", &held, NULL);
  g_assert_cmpint (held, ==, 2);

  /* three heartbeat intervals later, all three live ones are stale, and
   * the leases have expired; the stopped one never counts */
  pgqrs_test_set_clock (f->store, threshold + 31);
  later = pgqrs_store_get_worker_stats (f->store, "jobs", NULL, &error);
  g_assert_no_error (error);
  assert_stats (later, "jobs", mixed, 3, 0);
  g_assert_cmpfloat (pgqrs_worker_stats_get_oldest_heartbeat_age (later), >=, threshold + 30);

  /* every queue, by name; the admin worker belongs to none */
  g_clear_object (&result);
  pgqrs_store_list_worker_stats_async (f->store, NULL, pgqrs_test_store_result, &result);
  all = pgqrs_store_list_worker_stats_finish (f->store, pgqrs_test_await (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 2);
  assert_stats (g_ptr_array_index (all, 0), "jobs", mixed, 3, 0);
  assert_stats (g_ptr_array_index (all, 1), "other", none, 0, 0);

  missing = pgqrs_store_get_worker_stats (f->store, "missing", NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_NOT_FOUND);
  g_assert_null (missing);
  g_clear_error (&error);
  missing = pgqrs_store_get_worker_stats (f->store, "not a name", NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
  g_assert_null (missing);
}

/* Rule 12 (differs): one-off calls that name no worker leave no rows. */
static void
test_one_off_calls_create_no_worker (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) payload = pgqrs_test_json ("[1,2,3]");
  g_autoptr(GPtrArray) leased = NULL;
  g_autoptr(GPtrArray) workers = NULL;
  g_autoptr(GArray) flags = NULL;

  for (guint i = 0; i < 5; i++)
    {
      pgqrs_queue_enqueue (f->queue, payload, NULL, &error);
      g_assert_no_error (error);
    }
  leased = pgqrs_queue_dequeue (f->queue, 5, 30, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_message_get_consumer_worker_id (g_ptr_array_index (leased, 0)), ==, 0);
  g_assert_cmpint (pgqrs_message_get_producer_worker_id (g_ptr_array_index (leased, 0)), ==, 0);
  flags = pgqrs_queue_archive_batch (f->queue, leased, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_array_index (flags, gboolean, 4));

  workers = pgqrs_store_list_workers (f->store, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (workers->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  pgqrs_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/pgqrs/worker/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("register", test_register);
  ADD ("transitions", test_transitions);
  ADD ("transition-async", test_transition_async);
  ADD ("heartbeat", test_heartbeat);
  ADD ("shutdown-refused-with-leases", test_shutdown_refused_with_leases);
  ADD ("reclaim", test_reclaim);
  ADD ("takeover-after-crash", test_takeover_after_crash);
  ADD ("list", test_list);
  ADD ("stats", test_stats);
  ADD ("one-off-calls-create-no-worker", test_one_off_calls_create_no_worker);

  return g_test_run ();
}
