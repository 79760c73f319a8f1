/* test-workflow-context.c — with workflow-in-thread off, the workflow
 * function always runs in the consumer's main context, on the thread that
 * iterates it, even when that thread does other work between iterations
 * (as gjs does when it runs promise jobs), on the backend
 * PGQRS_TEST_BACKEND names.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "test-util.h"

#define N_RUNS 100

typedef struct
{
  PgqrsStore *store;
  GThread    *main_thread;
  guint       calls;            /* atomic */
  guint       on_main_thread;   /* atomic */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->store = pgqrs_test_open_store (data);
  f->main_thread = g_thread_self ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->store);
}

static JsonNode *
record_thread (PgqrsWorkflow *run,
               gpointer       user_data)
{
  Fixture *f = user_data;

  if (g_thread_self () == f->main_thread)
    g_atomic_int_inc (&f->on_main_thread);
  g_atomic_int_inc (&f->calls);

  return json_node_init_int (json_node_alloc (), 1);
}

static void
consumer_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  *(gboolean *)user_data = TRUE;
}

/* The program iterates its context itself, without blocking, and does
 * other work between iterations: then nobody owns the context, and a call
 * handed to it from a pool thread must still wait for this thread. */
static void
test_busy_owner (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = pgqrs_store_create_queue (f->store, "pipelines", NULL, &error);
  g_autoptr(PgqrsConsumer) consumer = NULL;
  g_autoptr(JsonNode) input = json_node_init_object (json_node_alloc (), json_object_new ());
  g_autoptr(PgqrsQueueMetrics) metrics = NULL;
  gboolean stopped = FALSE;

  g_assert_no_error (error);
  g_assert_true (pgqrs_store_define_workflow (f->store, "pipeline", "pipelines", NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < N_RUNS; i++)
    {
      g_autoptr(PgqrsWorkflow) run = pgqrs_store_trigger_workflow (f->store, "pipeline", input,
                                                                   NULL, &error);
      g_assert_no_error (error);
    }

  consumer = pgqrs_consumer_new (queue, "context-runner");
  g_object_set (consumer, "workflow-in-thread", FALSE, NULL);
  pgqrs_consumer_set_workflow (consumer, record_thread, f, NULL);
  pgqrs_consumer_run_async (consumer, NULL, consumer_done_cb, &stopped);

  while (g_atomic_int_get (&f->calls) < N_RUNS)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (200);   /* the program's other work */
    }

  pgqrs_consumer_stop (consumer);
  while (!stopped)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (g_atomic_int_get (&f->on_main_thread), ==, N_RUNS);
  metrics = pgqrs_store_get_metrics (f->store, "pipelines", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_queue_metrics_get_archived (metrics), ==, N_RUNS);
}

int
main (int   argc,
      char *argv[])
{
  pgqrs_test_init (&argc, &argv);

  g_test_add ("/pgqrs/workflow-context/busy-owner", Fixture, "poll_interval=0.1",
              fixture_setup, test_busy_owner, fixture_teardown);

  return g_test_run ();
}
