/* test-inspect.c — what an operator looks at without changing anything:
 * a queue's messages by state (peeked, not leased), one message by id,
 * workflow runs by workflow, status and time, and a run's steps; and
 * resuming a paused run early; on the backend PGQRS_TEST_BACKEND names.
 *
 * Each case runs through the blocking calls and through the _async/_finish
 * pairs.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "test-util.h"

typedef enum { MODE_SYNC, MODE_ASYNC } Mode;

typedef struct
{
  Mode        mode;
  PgqrsStore *store;
  PgqrsQueue *queue;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->mode = GPOINTER_TO_INT (data);
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

#define AWAIT(call_async, finish_call)                  \
  G_STMT_START {                                        \
    g_autoptr(GAsyncResult) result_ = NULL;             \
    call_async;                                         \
    g_assert_null (result_);                            \
    pgqrs_test_await (&result_);                        \
    ret = finish_call;                                  \
  } G_STMT_END

#define RESULT (&result_)
#define CB pgqrs_test_store_result

static GPtrArray *
list_messages (Fixture           *f,
               PgqrsMessageState  states,
               guint              limit,
               guint              offset,
               GError           **error)
{
  GPtrArray *ret;

  if (f->mode == MODE_SYNC)
    return pgqrs_queue_list_messages (f->queue, states, limit, offset, NULL, error);
  AWAIT (pgqrs_queue_list_messages_async (f->queue, states, limit, offset, NULL, CB, RESULT),
         pgqrs_queue_list_messages_finish (f->queue, result_, error));
  return ret;
}

static PgqrsMessage *
get_message (Fixture  *f,
             gint64    id,
             GError  **error)
{
  PgqrsMessage *ret;

  if (f->mode == MODE_SYNC)
    return pgqrs_queue_get_message (f->queue, id, NULL, error);
  AWAIT (pgqrs_queue_get_message_async (f->queue, id, NULL, CB, RESULT),
         pgqrs_queue_get_message_finish (f->queue, result_, error));
  return ret;
}

static GPtrArray *
list_runs (Fixture              *f,
           const char           *workflow,
           const PgqrsRunStatus *statuses,
           guint                 n_statuses,
           GDateTime            *created_after,
           GDateTime            *created_before,
           guint                 limit,
           guint                 offset,
           GError              **error)
{
  GPtrArray *ret;

  if (f->mode == MODE_SYNC)
    return pgqrs_store_list_workflow_runs (f->store, workflow, statuses, n_statuses,
                                           created_after, created_before, limit, offset,
                                           NULL, error);
  AWAIT (pgqrs_store_list_workflow_runs_async (f->store, workflow, statuses, n_statuses,
                                               created_after, created_before, limit, offset,
                                               NULL, CB, RESULT),
         pgqrs_store_list_workflow_runs_finish (f->store, result_, error));
  return ret;
}

static GPtrArray *
list_steps (Fixture        *f,
            PgqrsWorkflow  *run,
            GError        **error)
{
  GPtrArray *ret;

  if (f->mode == MODE_SYNC)
    return pgqrs_workflow_list_steps (run, NULL, error);
  AWAIT (pgqrs_workflow_list_steps_async (run, NULL, CB, RESULT),
         pgqrs_workflow_list_steps_finish (run, result_, error));
  return ret;
}

static gint64
enqueue (Fixture    *f,
         const char *json,
         double      delay)
{
  g_autoptr(JsonNode) payload = pgqrs_test_json (json);
  g_autoptr(GError) error = NULL;
  gint64 id = pgqrs_queue_enqueue_delayed (f->queue, payload, delay, NULL, &error);

  g_assert_no_error (error);
  return id;
}

static void
assert_ids (GPtrArray *messages,
            ...)
{
  va_list args;
  guint i = 0;
  gint64 id;

  g_assert_nonnull (messages);
  va_start (args, messages);
  while ((id = va_arg (args, gint64)) != 0)
    {
      g_assert_cmpuint (i, <, messages->len);
      g_assert_cmpint (pgqrs_message_get_id (g_ptr_array_index (messages, i)), ==, id);
      i++;
    }
  va_end (args);
  g_assert_cmpuint (messages->len, ==, i);
}

/* Pending, delayed and leased messages are listed apart or together, in the
 * order a lease would take them, and looking leases nothing. */
static void
test_list_by_state (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) leased = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(PgqrsQueueMetrics) metrics = NULL;
  gint64 first = enqueue (f, "{\"n\": 1}", 0);
  gint64 second = enqueue (f, "{\"n\": 2}", 0);
  gint64 later = enqueue (f, "{\"n\": 3}", 3600);
  gint64 third = enqueue (f, "{\"n\": 4}", 0);
  PgqrsMessage *held;

  leased = pgqrs_queue_dequeue (f->queue, 1, 60, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (leased->len, ==, 1);
  held = g_ptr_array_index (leased, 0);
  g_assert_cmpint (pgqrs_message_get_id (held), ==, first);

  list = list_messages (f, PGQRS_MESSAGE_STATE_PENDING, 0, 0, &error);
  g_assert_no_error (error);
  assert_ids (list, second, third, (gint64)0);
  {
    g_autofree char *text = pgqrs_test_json_text (pgqrs_message_get_payload (g_ptr_array_index (list, 0)));

    g_assert_cmpstr (text, ==, "{\"n\":2}");
  }
  g_assert_cmpuint (pgqrs_message_get_read_count (g_ptr_array_index (list, 0)), ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);

  list = list_messages (f, PGQRS_MESSAGE_STATE_DELAYED, 0, 0, &error);
  g_assert_no_error (error);
  assert_ids (list, later, (gint64)0);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* The leased message names its holder. */
  list = list_messages (f, PGQRS_MESSAGE_STATE_LEASED, 0, 0, &error);
  g_assert_no_error (error);
  assert_ids (list, first, (gint64)0);
  g_assert_cmpuint (pgqrs_message_get_read_count (g_ptr_array_index (list, 0)), ==, 1);
  g_assert_nonnull (pgqrs_message_get_dequeued_at (g_ptr_array_index (list, 0)));
  g_clear_pointer (&list, g_ptr_array_unref);

  list = list_messages (f, PGQRS_MESSAGE_STATE_PENDING | PGQRS_MESSAGE_STATE_DELAYED |
                        PGQRS_MESSAGE_STATE_LEASED, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 4);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* Paged. */
  list = list_messages (f, PGQRS_MESSAGE_STATE_PENDING, 1, 1, &error);
  g_assert_no_error (error);
  assert_ids (list, third, (gint64)0);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* Nothing was leased by looking. */
  metrics = pgqrs_store_get_metrics (f->store, "jobs", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_queue_metrics_get_pending (metrics), ==, 2);
  g_assert_cmpint (pgqrs_queue_metrics_get_delayed (metrics), ==, 1);
  g_assert_cmpint (pgqrs_queue_metrics_get_leased (metrics), ==, 1);

  /* Archived messages are not in any of these states. */
  g_assert_true (pgqrs_queue_archive (f->queue, held, NULL, &error));
  g_assert_no_error (error);
  list = list_messages (f, PGQRS_MESSAGE_STATE_LEASED, 0, 0, &error);
  g_assert_no_error (error);
  assert_ids (list, (gint64)0);
}

static gboolean
defer_job (PgqrsJob *job,
           gpointer  user_data)
{
  GPtrArray *jobs = user_data;

  pgqrs_job_defer (job);
  g_ptr_array_add (jobs, g_object_ref (job));
  return TRUE;
}

static void
consumer_stopped (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  pgqrs_consumer_run_finish (PGQRS_CONSUMER (source), result, &error);
  g_assert_no_error (error);
  *(gboolean *)user_data = TRUE;
}

static PgqrsMessage *
find_message (GPtrArray *messages,
              gint64     id)
{
  for (guint i = 0; i < messages->len; i++)
    if (pgqrs_message_get_id (g_ptr_array_index (messages, i)) == id)
      return g_ptr_array_index (messages, i);

  return NULL;
}

/* A leased message names its holder: the worker of the consumer that leased
 * it, or none for a one-off lease. */
static void
test_list_leased_holder (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsConsumer) consumer = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 one_off = enqueue (f, "{}", 0);
  gint64 consumed = enqueue (f, "{}", 0);
  gboolean stopped = FALSE;

  g_ptr_array_unref (pgqrs_queue_dequeue (f->queue, 1, 60, NULL, &error));
  g_assert_no_error (error);

  consumer = pgqrs_consumer_new (f->queue, "holder");
  pgqrs_consumer_set_handler (consumer, defer_job, jobs, NULL);
  pgqrs_consumer_run_async (consumer, NULL, consumer_stopped, &stopped);
  while (jobs->len == 0)
    g_main_context_iteration (NULL, TRUE);

  list = list_messages (f, PGQRS_MESSAGE_STATE_LEASED, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_nonnull (find_message (list, one_off));
  g_assert_cmpint (pgqrs_message_get_consumer_worker_id (find_message (list, one_off)), <=, 0);
  g_assert_nonnull (find_message (list, consumed));
  g_assert_cmpint (pgqrs_message_get_consumer_worker_id (find_message (list, consumed)), ==,
                   pgqrs_worker_get_id (pgqrs_consumer_get_worker (consumer)));

  pgqrs_job_complete (g_ptr_array_index (jobs, 0));
  pgqrs_consumer_stop (consumer);
  pgqrs_test_wait (&stopped);
}

/* One message by id, in any state, archived included; its lease token is
 * the current one, so a lease operation on it acts unless the message
 * changed meanwhile. */
static void
test_get_message (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsMessage) message = NULL;
  g_autoptr(PgqrsMessage) again = NULL;
  g_autoptr(PgqrsQueue) other = NULL;
  g_autoptr(GPtrArray) leased = NULL;
  gint64 id = enqueue (f, "{\"k\": \"v\"}", 0);

  message = get_message (f, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_message_get_id (message), ==, id);
  g_assert_cmpint (pgqrs_message_get_queue_id (message), ==, pgqrs_queue_get_id (f->queue));
  g_assert_null (pgqrs_message_get_archived_at (message));

  /* Leased meanwhile: the token read before is stale. */
  leased = pgqrs_queue_dequeue (f->queue, 1, 60, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (pgqrs_queue_archive (f->queue, message, NULL, &error));
  g_assert_no_error (error);

  /* Read again, it acts: an operator archives a message someone holds. */
  again = get_message (f, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pgqrs_message_get_read_count (again), ==, 1);
  g_assert_true (pgqrs_queue_archive (f->queue, again, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (pgqrs_queue_archive (f->queue, g_ptr_array_index (leased, 0), NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&again);

  again = get_message (f, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pgqrs_message_get_archived_at (again));
  g_assert_cmpint (pgqrs_message_get_archive_reason (again), ==, PGQRS_ARCHIVE_REASON_DONE);
  g_clear_object (&again);

  /* Not in another queue, and not at all. */
  other = pgqrs_store_create_queue (f->store, "other", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (pgqrs_queue_get_message (other, id, NULL, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (get_message (f, id + 1000, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_NOT_FOUND);
}

static PgqrsWorkflow *
make_run (Fixture        *f,
          const char     *workflow,
          PgqrsRunStatus  status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) input = pgqrs_test_json ("{\"in\": true}");
  g_autoptr(PgqrsWorkflow) run = pgqrs_store_create_workflow (f->store, workflow, input, NULL, &error);

  g_assert_no_error (error);
  if (status != PGQRS_RUN_STATUS_QUEUED)
    {
      pgqrs_workflow_start (run, NULL, &error);
      g_assert_no_error (error);
    }
  if (status == PGQRS_RUN_STATUS_SUCCESS)
    {
      g_autoptr(JsonNode) output = pgqrs_test_json ("\"done\"");

      pgqrs_workflow_complete (run, output, NULL, &error);
      g_assert_no_error (error);
    }
  return g_steal_pointer (&run);
}

static void
assert_runs (GPtrArray *runs,
             ...)
{
  va_list args;
  guint i = 0;
  PgqrsWorkflow *run;

  g_assert_nonnull (runs);
  va_start (args, runs);
  while ((run = va_arg (args, PgqrsWorkflow *)) != NULL)
    {
      g_assert_cmpuint (i, <, runs->len);
      g_assert_cmpint (pgqrs_workflow_get_id (g_ptr_array_index (runs, i)), ==,
                       pgqrs_workflow_get_id (run));
      i++;
    }
  va_end (args);
  g_assert_cmpuint (runs->len, ==, i);
}

/* Runs by workflow, status and creation time, the newest first, paged. */
static void
test_list_runs (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsWorkflow) a1 = NULL;
  g_autoptr(PgqrsWorkflow) a2 = NULL;
  g_autoptr(PgqrsWorkflow) b1 = NULL;
  g_autoptr(PgqrsWorkflow) a3 = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GDateTime) between = NULL;
  const PgqrsRunStatus finished[] = { PGQRS_RUN_STATUS_SUCCESS, PGQRS_RUN_STATUS_ERROR };
  const PgqrsRunStatus queued[] = { PGQRS_RUN_STATUS_QUEUED };

  a1 = make_run (f, "alpha", PGQRS_RUN_STATUS_SUCCESS);
  a2 = make_run (f, "alpha", PGQRS_RUN_STATUS_RUNNING);
  b1 = make_run (f, "beta", PGQRS_RUN_STATUS_QUEUED);
  g_assert_nonnull (pgqrs_workflow_get_created_at (b1));

  /* Creation times have milliseconds: a bound 10 ms before the last run
   * falls after the others. */
  g_usleep (30 * 1000);
  a3 = make_run (f, "alpha", PGQRS_RUN_STATUS_QUEUED);
  between = g_date_time_add (pgqrs_workflow_get_created_at (a3), -10 * 1000);
  g_assert_cmpint (g_date_time_compare (pgqrs_workflow_get_created_at (b1), between), <, 0);

  runs = list_runs (f, NULL, NULL, 0, NULL, NULL, 0, 0, &error);
  g_assert_no_error (error);
  assert_runs (runs, a3, b1, a2, a1, NULL);
  g_assert_cmpstr (pgqrs_workflow_get_name (g_ptr_array_index (runs, 1)), ==, "beta");
  g_assert_cmpint (pgqrs_workflow_get_status (g_ptr_array_index (runs, 3)), ==,
                   PGQRS_RUN_STATUS_SUCCESS);
  g_clear_pointer (&runs, g_ptr_array_unref);

  runs = list_runs (f, "alpha", NULL, 0, NULL, NULL, 0, 0, &error);
  g_assert_no_error (error);
  assert_runs (runs, a3, a2, a1, NULL);
  g_clear_pointer (&runs, g_ptr_array_unref);

  runs = list_runs (f, NULL, finished, G_N_ELEMENTS (finished), NULL, NULL, 0, 0, &error);
  g_assert_no_error (error);
  assert_runs (runs, a1, NULL);
  g_clear_pointer (&runs, g_ptr_array_unref);

  runs = list_runs (f, "alpha", queued, G_N_ELEMENTS (queued), NULL, NULL, 0, 0, &error);
  g_assert_no_error (error);
  assert_runs (runs, a3, NULL);
  g_clear_pointer (&runs, g_ptr_array_unref);

  runs = list_runs (f, NULL, NULL, 0, between, NULL, 0, 0, &error);
  g_assert_no_error (error);
  assert_runs (runs, a3, NULL);
  g_clear_pointer (&runs, g_ptr_array_unref);

  runs = list_runs (f, NULL, NULL, 0, NULL, between, 0, 0, &error);
  g_assert_no_error (error);
  assert_runs (runs, b1, a2, a1, NULL);
  g_clear_pointer (&runs, g_ptr_array_unref);

  runs = list_runs (f, NULL, NULL, 0, NULL, NULL, 2, 1, &error);
  g_assert_no_error (error);
  assert_runs (runs, b1, a2, NULL);
  g_clear_pointer (&runs, g_ptr_array_unref);

  runs = list_runs (f, "gamma", NULL, 0, NULL, NULL, 0, 0, &error);
  g_assert_no_error (error);
  assert_runs (runs, NULL);
}

static JsonNode *
step_output (PgqrsStep *step,
             gpointer   user_data)
{
  return pgqrs_test_json (user_data);
}

/* A run's steps, in the order they were first acquired, with their
 * outcomes. */
static void
test_list_steps (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsWorkflow) run = make_run (f, "steps", PGQRS_RUN_STATUS_RUNNING);
  g_autoptr(PgqrsWorkflow) empty = make_run (f, "steps", PGQRS_RUN_STATUS_QUEUED);
  g_autoptr(PgqrsStep) failing = NULL;
  g_autoptr(JsonNode) out = NULL;
  g_autoptr(GPtrArray) steps = NULL;
  PgqrsStep *step;

  out = pgqrs_workflow_run_step (run, "fetch", step_output, (gpointer)"[1, 2]", NULL, &error);
  g_assert_no_error (error);
  failing = pgqrs_workflow_acquire_step (run, "send", NULL, &error);
  g_assert_no_error (error);
  pgqrs_step_fail (failing, "the mail server said no", TRUE, NULL, &error);
  g_assert_no_error (error);

  steps = list_steps (f, run, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (steps->len, ==, 2);

  step = g_ptr_array_index (steps, 0);
  g_assert_cmpstr (pgqrs_step_get_name (step), ==, "fetch");
  g_assert_cmpint (pgqrs_step_get_status (step), ==, PGQRS_STEP_STATUS_SUCCESS);
  g_assert_true (pgqrs_step_get_workflow (step) == run);
  {
    g_autofree char *text = pgqrs_test_json_text (pgqrs_step_get_output (step));

    g_assert_cmpstr (text, ==, "[1,2]");
  }

  step = g_ptr_array_index (steps, 1);
  g_assert_cmpstr (pgqrs_step_get_name (step), ==, "send");
  g_assert_cmpint (pgqrs_step_get_status (step), ==, PGQRS_STEP_STATUS_ERROR);
  g_assert_nonnull (pgqrs_step_get_error (step));
  g_assert_cmpuint (pgqrs_step_get_retry_count (step), ==, 1);
  g_assert_nonnull (pgqrs_step_get_retry_at (step));
  g_clear_pointer (&steps, g_ptr_array_unref);

  steps = list_steps (f, empty, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (steps->len, ==, 0);
}

static gboolean
resume (Fixture        *f,
        PgqrsWorkflow  *run,
        GError        **error)
{
  gboolean ret;

  if (f->mode == MODE_SYNC)
    return pgqrs_workflow_resume (run, NULL, error);
  AWAIT (pgqrs_workflow_resume_async (run, NULL, CB, RESULT),
         pgqrs_workflow_resume_finish (run, result_, error));
  return ret;
}

/* A paused run resumes now: its trigger message is visible at once, and an
 * in-process start is no longer refused. */
static void
test_resume (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) input = pgqrs_test_json ("{}");
  g_autoptr(PgqrsWorkflow) run = NULL;
  g_autoptr(GPtrArray) list = NULL;

  pgqrs_store_define_workflow (f->store, "sleeper", "jobs", NULL, &error);
  g_assert_no_error (error);
  run = pgqrs_store_trigger_workflow (f->store, "sleeper", input, NULL, &error);
  g_assert_no_error (error);

  /* Not paused: nothing to resume. */
  g_assert_false (resume (f, run, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE);
  g_clear_error (&error);

  pgqrs_workflow_start (run, NULL, &error);
  g_assert_no_error (error);
  pgqrs_workflow_pause (run, "waiting for a reply", 3600, NULL, &error);
  g_assert_no_error (error);
  list = list_messages (f, PGQRS_MESSAGE_STATE_DELAYED, 0, 0, &error);
  g_assert_no_error (error);
  assert_ids (list, pgqrs_workflow_get_message_id (run), (gint64)0);
  g_clear_pointer (&list, g_ptr_array_unref);
  g_assert_false (pgqrs_workflow_start (run, NULL, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_PAUSED);
  g_clear_error (&error);

  g_assert_true (resume (f, run, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_workflow_get_status (run), ==, PGQRS_RUN_STATUS_PAUSED);
  g_assert_cmpstr (pgqrs_workflow_get_pause_reason (run), ==, "waiting for a reply");

  list = list_messages (f, PGQRS_MESSAGE_STATE_PENDING, 0, 0, &error);
  g_assert_no_error (error);
  assert_ids (list, pgqrs_workflow_get_message_id (run), (gint64)0);

  g_assert_true (pgqrs_workflow_start (run, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_workflow_get_status (run), ==, PGQRS_RUN_STATUS_RUNNING);
}

/* The versions of the tables and of the database, once installed. */
static void
test_server_info (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) fresh = NULL;
  g_autofree char *dsn = pgqrs_test_new_dsn (NULL);
  g_autofree char *server = NULL;
  guint schema = 0;
  gboolean ok;

  if (f->mode == MODE_SYNC)
    ok = pgqrs_store_get_server_info (f->store, &schema, &server, NULL, &error);
  else
    {
      g_autoptr(GAsyncResult) result = NULL;

      pgqrs_store_get_server_info_async (f->store, NULL, pgqrs_test_store_result, &result);
      pgqrs_test_await (&result);
      ok = pgqrs_store_get_server_info_finish (f->store, result, &schema, &server, &error);
    }
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (schema, >=, 2);
  /* libSQL and the Turso engine run the SQLite backend's statements and
   * answer sqlite_version () with the SQLite version they are built on */
  g_assert_true (g_str_has_prefix (server, pgqrs_test_backend_kind () == PGQRS_BACKEND_KIND_POSTGRES
                                           ? "PostgreSQL " : "SQLite 3."));

  fresh = pgqrs_store_new (dsn, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (pgqrs_store_get_server_info (fresh, NULL, NULL, NULL, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_SCHEMA_MISSING);
}

int
main (int   argc,
      char *argv[])
{
  pgqrs_test_init (&argc, &argv);

#define ADD(path, func)                                                                  \
  G_STMT_START {                                                                         \
    g_test_add ("/pgqrs/inspect/" path "/sync", Fixture, GINT_TO_POINTER (MODE_SYNC),    \
                fixture_setup, func, fixture_teardown);                                  \
    g_test_add ("/pgqrs/inspect/" path "/async", Fixture, GINT_TO_POINTER (MODE_ASYNC),  \
                fixture_setup, func, fixture_teardown);                                  \
  } G_STMT_END

  ADD ("list-by-state", test_list_by_state);
  ADD ("list-leased-holder", test_list_leased_holder);
  ADD ("get-message", test_get_message);
  ADD ("list-runs", test_list_runs);
  ADD ("list-steps", test_list_steps);
  ADD ("resume", test_resume);
  ADD ("server-info", test_server_info);

  return g_test_run ();
}
