/* test-idempotency.c — retries that cannot duplicate (issue 14, item 4),
 * on the backend PGQRS_TEST_BACKEND names.
 *
 * An enqueue (single or batch) or a run's creation that carries an
 * idempotency key gets back what an earlier one with the same key made, for
 * as long as that exists (archived included, until purged).
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

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
  f->queue = pgqrs_store_create_queue (f->store, "orders", NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->queue);
  g_assert_finalize_object (f->store);
}

static gint64
enqueue_keyed (PgqrsQueue *queue,
               const char *payload,
               const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = pgqrs_test_json (payload);
  gint64 id = pgqrs_queue_enqueue_with_key (queue, node, key, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static gint64
total (Fixture    *f,
       const char *queue)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueueMetrics) metrics = pgqrs_store_get_metrics (f->store, queue, NULL, &error);

  g_assert_no_error (error);
  return pgqrs_queue_metrics_get_total (metrics);
}

/* A second enqueue with the key returns the first message's id, while it
 * is pending, leased and archived; after a purge the key is free. */
static void
test_enqueue (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) other = pgqrs_store_create_queue (f->store, "invoices", NULL, &error);
  g_autoptr(GPtrArray) leased = NULL;
  gint64 first, again, id;

  g_assert_no_error (error);
  first = enqueue_keyed (f->queue, "{\"order\":1}", "order-1");
  again = enqueue_keyed (f->queue, "{\"order\":1,\"retry\":true}", "order-1");
  g_assert_cmpint (again, ==, first);
  g_assert_cmpint (total (f, "orders"), ==, 1);

  /* any text is a key, whatever an array literal would make of it */
  {
    const char *odd = "a \"quoted\", {braced} \\ NULL key";
    gint64 odd_id = enqueue_keyed (f->queue, "{}", odd);

    g_assert_cmpint (enqueue_keyed (f->queue, "{}", odd), ==, odd_id);
    g_assert_cmpint (enqueue_keyed (f->queue, "{}", "NULL"), !=, odd_id);
    g_assert_cmpint (enqueue_keyed (f->queue, "{}", "NULL"), ==, enqueue_keyed (f->queue, "{}", "NULL"));
    g_assert_cmpint (pgqrs_store_purge_queue (f->store, "orders", NULL, &error), ==, 3);
    g_assert_no_error (error);
    first = enqueue_keyed (f->queue, "{\"order\":1}", "order-1");
  }

  /* another key, or another queue, is another message */
  g_assert_cmpint (enqueue_keyed (f->queue, "{\"order\":2}", "order-2"), !=, first);
  id = enqueue_keyed (other, "{\"order\":1}", "order-1");
  g_assert_cmpint (id, !=, first);
  g_assert_cmpint (total (f, "invoices"), ==, 1);

  /* leased, then archived: still the same message, and no new one */
  leased = pgqrs_queue_dequeue (f->queue, 10, 30, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (leased->len, ==, 2);
  g_assert_cmpint (enqueue_keyed (f->queue, "{}", "order-1"), ==, first);
  for (guint i = 0; i < leased->len; i++)
    {
      g_assert_true (pgqrs_queue_archive (f->queue, g_ptr_array_index (leased, i), NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (enqueue_keyed (f->queue, "{}", "order-1"), ==, first);
  g_assert_cmpint (total (f, "orders"), ==, 2);

  /* the payload stored is the first one */
  {
    g_autoptr(GPtrArray) archived = pgqrs_store_list_archived (f->store, "orders", FALSE, 10, 0,
                                                               NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (archived->len, ==, 2);
  }

  /* purged: the key makes a new message */
  g_assert_cmpint (pgqrs_store_purge_queue (f->store, "orders", NULL, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpint (enqueue_keyed (f->queue, "{}", "order-1"), >, first);
}

/* Keys in a batch: each one's message, new or old, in input order; a key
 * repeated in the batch is one message. */
static void
test_batch (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  const char * const keys[] = { "a", "b", "a", NULL };
  const char * const more_keys[] = { "b", "c", NULL };
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GArray) more = NULL;
  gint64 single;

  single = enqueue_keyed (f->queue, "{\"n\":0}", "b");
  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (payloads, pgqrs_test_json ("{\"n\":1}"));

  ids = pgqrs_queue_enqueue_batch_with_keys (f->queue, payloads, keys, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 3);
  g_assert_cmpint (g_array_index (ids, gint64, 0), ==, g_array_index (ids, gint64, 2));
  g_assert_cmpint (g_array_index (ids, gint64, 1), ==, single);
  g_assert_cmpint (g_array_index (ids, gint64, 0), !=, single);
  g_assert_cmpint (total (f, "orders"), ==, 2);

  g_ptr_array_set_size (payloads, 2);
  more = pgqrs_queue_enqueue_batch_with_keys (f->queue, payloads, more_keys, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_array_index (more, gint64, 0), ==, single);
  g_assert_cmpint (g_array_index (more, gint64, 1), >, g_array_index (ids, gint64, 0));
  g_assert_cmpint (total (f, "orders"), ==, 3);

  /* one key per payload */
  g_ptr_array_add (payloads, pgqrs_test_json ("{\"n\":3}"));
  g_assert_null (pgqrs_queue_enqueue_batch_with_keys (f->queue, payloads, more_keys, NULL, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
  g_assert_cmpint (total (f, "orders"), ==, 3);
}

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

/* The same without blocking; and keys are validated. */
static void
test_async_and_bad_keys (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) payload = pgqrs_test_json ("{}");
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *long_key = g_strnfill (256, 'k');
  gint64 first = enqueue_keyed (f->queue, "{}", "async");

  pgqrs_queue_enqueue_with_key_async (f->queue, payload, "async", NULL, result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (pgqrs_queue_enqueue_with_key_finish (f->queue, result, &error), ==, first);
  g_assert_no_error (error);

  g_assert_cmpint (pgqrs_queue_enqueue_with_key (f->queue, payload, "", NULL, &error), ==, 0);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
  g_clear_error (&error);
  g_assert_cmpint (pgqrs_queue_enqueue_with_key (f->queue, payload, long_key, NULL, &error), ==, 0);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
  g_clear_error (&error);
  g_assert_cmpint (total (f, "orders"), ==, 1);
}

/* A run created twice with one key is one run, with one trigger. */
static void
test_runs (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) input = pgqrs_test_json ("{\"file\":\"a.csv\"}");
  g_autoptr(PgqrsWorkflow) first = NULL;
  g_autoptr(PgqrsWorkflow) again = NULL;
  g_autoptr(PgqrsWorkflow) other = NULL;
  g_autoptr(PgqrsWorkflow) local = NULL;
  g_autoptr(PgqrsWorkflow) local_again = NULL;

  g_assert_true (pgqrs_store_define_workflow (f->store, "import", "orders", NULL, &error));
  g_assert_no_error (error);

  first = pgqrs_store_trigger_workflow_with_key (f->store, "import", input, "import-a", NULL, &error);
  g_assert_no_error (error);
  again = pgqrs_store_trigger_workflow_with_key (f->store, "import", input, "import-a", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_workflow_get_id (again), ==, pgqrs_workflow_get_id (first));
  g_assert_cmpint (pgqrs_workflow_get_message_id (again), ==, pgqrs_workflow_get_message_id (first));
  g_assert_cmpint (total (f, "orders"), ==, 1);

  other = pgqrs_store_trigger_workflow_with_key (f->store, "import", input, "import-b", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_workflow_get_id (other), !=, pgqrs_workflow_get_id (first));
  g_assert_cmpint (total (f, "orders"), ==, 2);

  /* in-process runs too */
  local = pgqrs_store_create_workflow_with_key (f->store, "import", input, "local", NULL, &error);
  g_assert_no_error (error);
  local_again = pgqrs_store_create_workflow_with_key (f->store, "import", input, "local", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_workflow_get_id (local_again), ==, pgqrs_workflow_get_id (local));
  g_assert_cmpint (pgqrs_workflow_get_message_id (local), ==, 0);
}

/* --- the consumer retries a settle --------------------------------------- */

typedef struct
{
  PgqrsStore *store;
  guint       handled;
  guint       errors;
  gboolean    allowed;     /* the database lets archives through again */
} Settling;

static void
refuse_archives (PgqrsStore *store,
                 gboolean    refuse)
{
  if (refuse)
    pgqrs_test_exec_sql (store,
                         "CREATE TRIGGER pgqrs_test_refuse_archive "
                         "BEFORE UPDATE OF archived_at ON pgqrs_messages "
                         "WHEN NEW.archived_at IS NOT NULL "
                         "BEGIN SELECT RAISE (ABORT, 'archives refused by the test'); END",
                         "CREATE FUNCTION @SCHEMA@.pgqrs_test_refuse () RETURNS trigger "
                         "LANGUAGE plpgsql AS $$ BEGIN "
                         "  RAISE EXCEPTION 'archives refused by the test'; END $$; "
                         "CREATE TRIGGER pgqrs_test_refuse_archive "
                         "BEFORE UPDATE ON @SCHEMA@.pgqrs_messages FOR EACH ROW "
                         "WHEN (NEW.archived_at IS NOT NULL) "
                         "EXECUTE FUNCTION @SCHEMA@.pgqrs_test_refuse ()");
  else
    pgqrs_test_exec_sql (store,
                         "DROP TRIGGER pgqrs_test_refuse_archive",
                         "DROP TRIGGER pgqrs_test_refuse_archive ON @SCHEMA@.pgqrs_messages");
}

static gboolean
count_job (PgqrsJob *job,
           gpointer  user_data)
{
  ((Settling *)user_data)->handled++;
  return TRUE;
}

/* The first failed archive is reported; the database then takes archives
 * again, and the consumer's next try goes through. */
static void
settle_error_cb (PgqrsConsumer *consumer,
                 const GError  *error,
                 gpointer       user_data)
{
  Settling *s = user_data;

  g_test_message ("consumer error: %s", error->message);
  if (s->errors++ == 0)
    {
      refuse_archives (s->store, FALSE);
      s->allowed = TRUE;
    }
}

static void
consumer_stopped_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  *(gboolean *)user_data = TRUE;
}

/* An archive that fails is tried again before the lease runs out, so the
 * job does not run a second time. */
static void
test_settle_retried (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) payload = pgqrs_test_json ("{\"n\":1}");
  g_autoptr(PgqrsConsumer) consumer = pgqrs_consumer_new (f->queue, "settler");
  g_autoptr(PgqrsQueueMetrics) metrics = NULL;
  Settling s = { .store = f->store };
  gboolean stopped = FALSE;
  gint64 deadline;

  refuse_archives (f->store, TRUE);
  pgqrs_queue_enqueue (f->queue, payload, NULL, &error);
  g_assert_no_error (error);

  /* long enough a lease that only a retry, not a second delivery, can
   * archive it within the wait below */
  g_object_set (consumer, "visibility-timeout", 30.0, "poll-interval", 0.05, NULL);
  pgqrs_consumer_set_handler (consumer, count_job, &s, NULL);
  g_signal_connect (consumer, "error", G_CALLBACK (settle_error_cb), &s);
  pgqrs_consumer_run_async (consumer, NULL, consumer_stopped_cb, &stopped);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  for (;;)
    {
      g_clear_object (&metrics);
      metrics = pgqrs_store_get_metrics (f->store, "orders", NULL, &error);
      g_assert_no_error (error);
      if (pgqrs_queue_metrics_get_archived (metrics) == 1)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }

  pgqrs_consumer_stop (consumer);
  while (!stopped)
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (s.allowed);
  g_assert_cmpuint (s.errors, ==, 1);
  g_assert_cmpuint (s.handled, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  pgqrs_test_init (&argc, &argv);

  g_test_add ("/pgqrs/idempotency/enqueue", Fixture, NULL, fixture_setup, test_enqueue, fixture_teardown);
  g_test_add ("/pgqrs/idempotency/batch", Fixture, NULL, fixture_setup, test_batch, fixture_teardown);
  g_test_add ("/pgqrs/idempotency/async-and-bad-keys", Fixture, NULL, fixture_setup,
              test_async_and_bad_keys, fixture_teardown);
  g_test_add ("/pgqrs/idempotency/runs", Fixture, NULL, fixture_setup, test_runs, fixture_teardown);
  g_test_add ("/pgqrs/idempotency/settle-retried", Fixture, NULL, fixture_setup,
              test_settle_retried, fixture_teardown);

  return g_test_run ();
}
