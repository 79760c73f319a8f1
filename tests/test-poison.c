/* test-poison.c — a stored row whose payload cannot be read never stops its
 * queue (semantics rule 27): the lease returns the other messages and
 * dead-letters the bad one with the reason, on the backend
 * PGQRS_TEST_BACKEND names.
 *
 * The bad payloads are written behind the library's back. SQLite keeps any
 * text: a truncated object, bytes that are not UTF-8, a number beyond the
 * range of a double. PostgreSQL's jsonb refuses text that is not JSON, but
 * takes 1e400 (a numeric), which no double holds: that is the one it gets.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

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

  f->store = pgqrs_test_open_store (data);
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

typedef struct
{
  const char *sqlite;     /* the payload's SQL literal on SQLite */
  const char *postgres;   /* and on PostgreSQL, NULL: none */
  const char *path;       /* the reason names the place… */
  const char *why;        /* …and the problem */
} Poison;

static const Poison poisons[] = {
  { "'{\"amount\": 1e400}'", "'{\"amount\": 1e400}'", "$.amount", "beyond the range of a double" },
  { "'{\"amount\": 12'", NULL, "$", "not JSON" },
  { "CAST (X'7B226E616D65223A2263616CE9227D' AS TEXT)", NULL, "$.name", "not valid UTF-8" },
  { "'[1, 2, 3, NaN]'", NULL, "$[3]", "not JSON" },
};

static gint64
enqueue (Fixture    *f,
         const char *json)
{
  g_autoptr(GError) error = NULL;
  gint64 id = pgqrs_queue_enqueue_text (f->queue, json, NULL, &error);

  g_assert_no_error (error);
  return id;
}

static void
poison (Fixture      *f,
        gint64        id,
        const Poison *p)
{
  g_autofree char *sqlite = g_strdup_printf ("UPDATE pgqrs_messages SET payload = %s WHERE id = %"
                                             G_GINT64_FORMAT, p->sqlite, id);
  g_autofree char *postgres = g_strdup_printf ("UPDATE @SCHEMA@.pgqrs_messages SET payload = %s "
                                               "WHERE id = %" G_GINT64_FORMAT,
                                               p->postgres ? p->postgres : p->sqlite, id);

  pgqrs_test_exec_sql (f->store, sqlite, postgres);
}

static GPtrArray *
dequeue (Fixture  *f,
         gboolean  async)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GPtrArray *messages;

  if (!async)
    messages = pgqrs_queue_dequeue (f->queue, 10, 30, NULL, &error);
  else
    {
      pgqrs_queue_dequeue_async (f->queue, 10, 30, NULL, pgqrs_test_store_result, &result);
      messages = pgqrs_queue_dequeue_finish (f->queue, pgqrs_test_await (&result), &error);
    }
  g_assert_no_error (error);
  return messages;
}

/* Each poison between two good messages: the lease returns the two good
 * ones, blocking and async, and the bad one is a dead letter whose listing
 * says why. */
static void
test_lease_skips_and_dead_letters (Fixture       *f,
                                   gconstpointer  data)
{
  guint n_poisons = 0;

  for (guint i = 0; i < G_N_ELEMENTS (poisons); i++)
    {
      const Poison *p = &poisons[i];
      g_autoptr(GPtrArray) messages = NULL;
      g_autoptr(GPtrArray) dead = NULL;
      g_autoptr(PgqrsQueueMetrics) metrics = NULL;
      g_autoptr(GError) error = NULL;
      gint64 before, bad, after;
      PgqrsMessage *listed = NULL;

      if (!pgqrs_test_backend_is_sqlite () && p->postgres == NULL)
        continue;
      n_poisons++;
      g_test_message ("poison %s", p->sqlite);

      before = enqueue (f, "{\"n\":1}");
      bad = enqueue (f, "{\"n\":2}");
      after = enqueue (f, "{\"n\":3}");
      poison (f, bad, p);

      messages = dequeue (f, i % 2 == 1);
      g_assert_cmpuint (messages->len, ==, 2);
      g_assert_cmpint (pgqrs_message_get_id (g_ptr_array_index (messages, 0)), ==, before);
      g_assert_cmpint (pgqrs_message_get_id (g_ptr_array_index (messages, 1)), ==, after);
      for (guint m = 0; m < messages->len; m++)
        {
          g_assert_nonnull (pgqrs_message_get_payload (g_ptr_array_index (messages, m)));
          g_assert_true (pgqrs_queue_archive (f->queue, g_ptr_array_index (messages, m), NULL, &error));
          g_assert_no_error (error);
        }

      /* nothing is left to lease, and the queue is not blocked */
      g_clear_pointer (&messages, g_ptr_array_unref);
      messages = dequeue (f, FALSE);
      g_assert_cmpuint (messages->len, ==, 0);

      metrics = pgqrs_store_get_metrics (f->store, "jobs", NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (pgqrs_queue_metrics_get_dead_lettered (metrics), ==, n_poisons);
      g_assert_cmpint (pgqrs_queue_metrics_get_pending (metrics), ==, 0);

      dead = pgqrs_store_list_archived (f->store, "jobs", TRUE, 0, 0, NULL, &error);
      g_assert_no_error (error);
      for (guint m = 0; m < dead->len; m++)
        if (pgqrs_message_get_id (g_ptr_array_index (dead, m)) == bad)
          listed = g_ptr_array_index (dead, m);
      g_assert_nonnull (listed);
      g_assert_cmpint (pgqrs_message_get_archive_reason (listed), ==, PGQRS_ARCHIVE_REASON_DEAD_LETTER);
      g_assert_null (pgqrs_message_get_payload (listed));
      g_test_message ("listed: %s", pgqrs_message_get_payload_error (listed));
      if (strstr (pgqrs_message_get_payload_error (listed), p->path) == NULL ||
          strstr (pgqrs_message_get_payload_error (listed), p->why) == NULL)
        g_error ("the reason “%s” does not say %s and “%s”",
                 pgqrs_message_get_payload_error (listed), p->path, p->why);
    }
}

static gboolean
count_job (PgqrsJob *job,
           gpointer  user_data)
{
  guint *handled = user_data;
  GPtrArray *messages = pgqrs_job_get_messages (job);

  for (guint i = 0; i < messages->len; i++)
    g_assert_nonnull (pgqrs_message_get_payload (g_ptr_array_index (messages, i)));
  *handled += messages->len;
  return TRUE;
}

static void
consumer_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  *(gboolean *)user_data = TRUE;
}

/* A consumer's leases go the same way: its handler sees only the good
 * messages, and it goes on. */
static void
test_consumer_skips (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(PgqrsConsumer) consumer = pgqrs_consumer_new (f->queue, "poison-eater");
  g_autoptr(PgqrsQueueMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;
  guint handled = 0;
  gboolean stopped = FALSE;
  gint64 bad;

  enqueue (f, "{\"n\":1}");
  bad = enqueue (f, "{\"n\":2}");
  enqueue (f, "{\"n\":3}");
  poison (f, bad, &poisons[0]);

  g_object_set (consumer, "batch-size", 10, "poll-interval", 0.1, NULL);
  pgqrs_consumer_set_handler (consumer, count_job, &handled, NULL);
  pgqrs_consumer_run_async (consumer, NULL, consumer_done_cb, &stopped);
  while (handled < 2)
    g_main_context_iteration (NULL, TRUE);
  pgqrs_consumer_stop (consumer);
  while (!stopped)
    g_main_context_iteration (NULL, TRUE);

  metrics = pgqrs_store_get_metrics (f->store, "jobs", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_queue_metrics_get_dead_lettered (metrics), ==, 1);
  g_assert_cmpint (pgqrs_queue_metrics_get_archived (metrics), ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  pgqrs_test_init (&argc, &argv);

  g_test_add ("/pgqrs/poison/lease-skips-and-dead-letters", Fixture, NULL,
              fixture_setup, test_lease_skips_and_dead_letters, fixture_teardown);
  g_test_add ("/pgqrs/poison/consumer-skips", Fixture, NULL,
              fixture_setup, test_consumer_skips, fixture_teardown);

  return g_test_run ();
}
