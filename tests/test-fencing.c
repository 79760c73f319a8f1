/* test-fencing.c — a workflow executor that lost its trigger's lease
 * changes nothing (issue 14, item 1), on the backend PGQRS_TEST_BACKEND
 * names.
 *
 * Executor A stalls inside a step past its lease (as a paused VM would:
 * no heartbeat extends it; the database's clock is moved past it), B
 * leases the trigger and takes the step over, and A wakes up while B is
 * still at it.  A's step output must not be stored, A must not fail the
 * run, and the run must end with B's work.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "test-util.h"

#define A_OUTPUT 100
#define B_OUTPUT 200
#define LEASE_SECONDS 5.0

typedef struct
{
  const char *name;
  int         s2_output;
  GMutex     *lock;
  GCond      *cond;
  gboolean    in_s2;       /* its s2 body runs and waits for release */
  gboolean    released;
  gboolean    returned;    /* its workflow function has returned */
  GError     *step_error;  /* what its last run_step failed with */
  guint       n_errors;    /* the consumer's error signals */
} Executor;

typedef struct
{
  PgqrsStore *store;
  GMutex      lock;
  GCond       cond;
  Executor    a;
  Executor    b;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->store = pgqrs_test_open_store (NULL);
  g_mutex_init (&f->lock);
  g_cond_init (&f->cond);
  f->a = (Executor) { "A", A_OUTPUT, &f->lock, &f->cond };
  f->b = (Executor) { "B", B_OUTPUT, &f->lock, &f->cond };
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_error (&f->a.step_error);
  g_clear_error (&f->b.step_error);
  g_mutex_clear (&f->lock);
  g_cond_clear (&f->cond);
  g_assert_finalize_object (f->store);
}

static JsonNode *
s1_body (PgqrsStep *step,
         gpointer   user_data)
{
  return pgqrs_test_json ("1");
}

/* Says it is in, then waits for the test to let it finish. */
static JsonNode *
s2_body (PgqrsStep *step,
         gpointer   user_data)
{
  Executor *e = user_data;
  g_autofree char *output = g_strdup_printf ("%d", e->s2_output);

  g_mutex_lock (e->lock);
  e->in_s2 = TRUE;
  g_cond_broadcast (e->cond);
  while (!e->released)
    g_cond_wait (e->cond, e->lock);
  g_mutex_unlock (e->lock);

  return pgqrs_test_json (output);
}

static JsonNode *
s3_body (PgqrsStep *step,
         gpointer   user_data)
{
  return pgqrs_test_json ("3");
}

/* Runs on a pool thread of the executor's consumer. */
static JsonNode *
three_steps (PgqrsWorkflow *run,
             gpointer       user_data)
{
  Executor *e = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) s1 = NULL;
  g_autoptr(JsonNode) s2 = NULL;
  g_autoptr(JsonNode) s3 = NULL;
  JsonNode *output = NULL;

  if ((s1 = pgqrs_workflow_run_step (run, "s1", s1_body, e, NULL, &error)) &&
      (s2 = pgqrs_workflow_run_step (run, "s2", s2_body, e, NULL, &error)) &&
      (s3 = pgqrs_workflow_run_step (run, "s3", s3_body, e, NULL, &error)))
    {
      g_autofree char *text = g_strdup_printf ("{\"s2\":%" G_GINT64_FORMAT ",\"s3\":%" G_GINT64_FORMAT "}",
                                               json_node_get_int (s2), json_node_get_int (s3));

      output = pgqrs_test_json (text);
    }

  g_mutex_lock (e->lock);
  g_clear_error (&e->step_error);
  e->step_error = g_steal_pointer (&error);
  e->returned = TRUE;
  g_cond_broadcast (e->cond);
  g_mutex_unlock (e->lock);

  return output;
}

static void
error_cb (PgqrsConsumer *consumer,
          const GError  *error,
          gpointer       user_data)
{
  Executor *e = user_data;

  g_test_message ("consumer %s: error signal: %s", e->name, error->message);
  e->n_errors++;
}

static void
stopped_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(gboolean *)user_data = TRUE;
}

static PgqrsConsumer *
start_executor (PgqrsQueue *queue,
                Executor   *e,
                double      heartbeat,
                gboolean   *stopped)
{
  g_autofree char *name = g_strdup_printf ("executor-%s", e->name);
  PgqrsConsumer *consumer = pgqrs_consumer_new (queue, name);

  g_object_set (consumer,
                "visibility-timeout", LEASE_SECONDS,
                "heartbeat-interval", heartbeat,
                "poll-interval", 0.05,
                NULL);
  g_signal_connect (consumer, "error", G_CALLBACK (error_cb), e);
  pgqrs_consumer_set_workflow (consumer, three_steps, e, NULL);
  pgqrs_consumer_run_async (consumer, NULL, stopped_cb, stopped);

  return consumer;
}

/* Iterates the test's main context (where the consumers run) until
 * *@flag, which a pool thread sets under the lock, is TRUE. */
static void
wait_for (Fixture  *f,
          gboolean *flag)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  for (;;)
    {
      gboolean done;

      g_mutex_lock (&f->lock);
      done = *flag;
      g_mutex_unlock (&f->lock);
      if (done)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
release (Fixture  *f,
         Executor *e)
{
  g_mutex_lock (&f->lock);
  e->released = TRUE;
  g_cond_broadcast (&f->cond);
  g_mutex_unlock (&f->lock);
}

static void
stop (PgqrsConsumer *consumer,
      gboolean      *stopped)
{
  pgqrs_consumer_stop (consumer);
  while (!*stopped)
    g_main_context_iteration (NULL, TRUE);
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static void
test_stale_executor (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = pgqrs_store_create_queue (f->store, "runs", NULL, &error);
  g_autoptr(JsonNode) input = pgqrs_test_json ("{}");
  g_autoptr(PgqrsWorkflow) run = NULL;
  g_autoptr(PgqrsConsumer) a = NULL;
  g_autoptr(PgqrsConsumer) b = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) output = NULL;
  g_autofree char *text = NULL;
  gboolean a_stopped = FALSE, b_stopped = FALSE;
  gint64 s2_output;

  g_assert_no_error (error);
  g_assert_true (pgqrs_store_define_workflow (f->store, "fenced", "runs", NULL, &error));
  g_assert_no_error (error);
  run = pgqrs_store_trigger_workflow (f->store, "fenced", input, NULL, &error);
  g_assert_no_error (error);

  /* A: no heartbeat will extend its lease while it stalls */
  a = start_executor (queue, &f->a, 3600, &a_stopped);
  wait_for (f, &f->a.in_s2);

  /* A's lease runs out; B leases the trigger, replays s1 and takes s2 over */
  pgqrs_test_set_clock (f->store, LEASE_SECONDS + 1);
  b = start_executor (queue, &f->b, 1, &b_stopped);
  wait_for (f, &f->b.in_s2);

  /* A wakes up while B is inside s2: it finds out, and changes nothing */
  release (f, &f->a);
  wait_for (f, &f->a.returned);
  g_test_message ("stale executor: %s", f->a.step_error ? f->a.step_error->message : "(no error)");
  g_assert_error (f->a.step_error, PGQRS_ERROR, PGQRS_ERROR_SUPERSEDED);
  g_assert_true (pgqrs_workflow_refresh (run, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_workflow_get_status (run), ==, PGQRS_RUN_STATUS_RUNNING);

  release (f, &f->b);
  pgqrs_workflow_wait_async (run, 20, NULL, wait_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  output = pgqrs_workflow_wait_finish (run, result, &error);
  g_assert_no_error (error);
  text = json_to_string (output, FALSE);
  g_assert_cmpstr (text, ==, "{\"s2\":200,\"s3\":3}");
  g_assert_cmpint (pgqrs_workflow_get_status (run), ==, PGQRS_RUN_STATUS_SUCCESS);
  g_assert_no_error (f->b.step_error);

  /* the step's stored output is B's, not the stale one */
  s2_output = pgqrs_test_exec_sql (f->store,
                                   "SELECT CAST (output AS INTEGER) FROM pgqrs_workflow_steps "
                                   " WHERE step_name = 's2'",
                                   "SELECT output::text::bigint FROM @SCHEMA@.pgqrs_workflow_steps "
                                   " WHERE step_name = 's2'");
  g_assert_cmpint (s2_output, ==, B_OUTPUT);

  stop (a, &a_stopped);
  stop (b, &b_stopped);
  /* quietly: superseded is no error of the consumer's */
  g_assert_cmpuint (f->a.n_errors, ==, 0);
  g_assert_cmpuint (f->b.n_errors, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  pgqrs_test_init (&argc, &argv);

  g_test_add ("/pgqrs/fencing/stale-executor", Fixture, NULL,
              fixture_setup, test_stale_executor, fixture_teardown);

  return g_test_run ();
}
