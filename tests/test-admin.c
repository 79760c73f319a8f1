/* test-admin.c — the store's administration: making a store, install and
 * verify, queues (create, get, list, delete, purge), metrics, archived and
 * dead-lettered messages and their replay (semantics rules 1, 7, 8, 9), on
 * the backend PGQRS_TEST_BACKEND names.
 *
 * Each case runs twice, through the blocking calls and through the
 * _async/_finish pairs.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gstdio.h>

#include "test-util.h"

typedef enum { MODE_SYNC, MODE_ASYNC } Mode;

typedef struct
{
  Mode        mode;
  PgqrsStore *store;
} Fixture;

/* max_read_count=2 lets the dead-letter cases get there in three leases. */
#define FIXTURE_OPTIONS "max_read_count=2"

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->mode = GPOINTER_TO_INT (data);
  f->store = pgqrs_test_open_store (FIXTURE_OPTIONS);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->store);
}

/* The store's operations, blocking or async as the fixture's mode says.
 * An async call must not answer before it returns. */

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

static gboolean
store_install (Fixture *f, GError **error)
{
  gboolean ret;

  if (f->mode == MODE_SYNC)
    return pgqrs_store_install (f->store, NULL, error);
  AWAIT (pgqrs_store_install_async (f->store, NULL, CB, RESULT),
         pgqrs_store_install_finish (f->store, result_, error));
  return ret;
}

static gboolean
store_verify (Fixture *f, GError **error)
{
  gboolean ret;

  if (f->mode == MODE_SYNC)
    return pgqrs_store_verify (f->store, NULL, error);
  AWAIT (pgqrs_store_verify_async (f->store, NULL, CB, RESULT),
         pgqrs_store_verify_finish (f->store, result_, error));
  return ret;
}

static PgqrsQueue *
create_queue (Fixture *f, const char *name, GError **error)
{
  PgqrsQueue *ret;

  if (f->mode == MODE_SYNC)
    return pgqrs_store_create_queue (f->store, name, NULL, error);
  AWAIT (pgqrs_store_create_queue_async (f->store, name, NULL, CB, RESULT),
         pgqrs_store_create_queue_finish (f->store, result_, error));
  return ret;
}

static PgqrsQueue *
get_queue (Fixture *f, const char *name, GError **error)
{
  PgqrsQueue *ret;

  if (f->mode == MODE_SYNC)
    return pgqrs_store_get_queue (f->store, name, NULL, error);
  AWAIT (pgqrs_store_get_queue_async (f->store, name, NULL, CB, RESULT),
         pgqrs_store_get_queue_finish (f->store, result_, error));
  return ret;
}

static GPtrArray *
list_queues (Fixture *f, GError **error)
{
  GPtrArray *ret;

  if (f->mode == MODE_SYNC)
    return pgqrs_store_list_queues (f->store, NULL, error);
  AWAIT (pgqrs_store_list_queues_async (f->store, NULL, CB, RESULT),
         pgqrs_store_list_queues_finish (f->store, result_, error));
  return ret;
}

static gboolean
delete_queue (Fixture *f, const char *name, gboolean cascade, GError **error)
{
  gboolean ret;

  if (f->mode == MODE_SYNC)
    return pgqrs_store_delete_queue (f->store, name, cascade, NULL, error);
  AWAIT (pgqrs_store_delete_queue_async (f->store, name, cascade, NULL, CB, RESULT),
         pgqrs_store_delete_queue_finish (f->store, result_, error));
  return ret;
}

static gint64
purge_queue (Fixture *f, const char *name, GError **error)
{
  gint64 ret;

  if (f->mode == MODE_SYNC)
    return pgqrs_store_purge_queue (f->store, name, NULL, error);
  AWAIT (pgqrs_store_purge_queue_async (f->store, name, NULL, CB, RESULT),
         pgqrs_store_purge_queue_finish (f->store, result_, error));
  return ret;
}

static PgqrsQueueMetrics *
get_metrics (Fixture *f, const char *name, GError **error)
{
  PgqrsQueueMetrics *ret;

  if (f->mode == MODE_SYNC)
    return pgqrs_store_get_metrics (f->store, name, NULL, error);
  AWAIT (pgqrs_store_get_metrics_async (f->store, name, NULL, CB, RESULT),
         pgqrs_store_get_metrics_finish (f->store, result_, error));
  return ret;
}

static GPtrArray *
list_metrics (Fixture *f, GError **error)
{
  GPtrArray *ret;

  if (f->mode == MODE_SYNC)
    return pgqrs_store_list_metrics (f->store, NULL, error);
  AWAIT (pgqrs_store_list_metrics_async (f->store, NULL, CB, RESULT),
         pgqrs_store_list_metrics_finish (f->store, result_, error));
  return ret;
}

static GPtrArray *
list_archived (Fixture    *f,
               const char *name,
               gboolean    dead_letters_only,
               guint       limit,
               guint       offset,
               GError    **error)
{
  GPtrArray *ret;

  if (f->mode == MODE_SYNC)
    return pgqrs_store_list_archived (f->store, name, dead_letters_only, limit, offset,
                                      NULL, error);
  AWAIT (pgqrs_store_list_archived_async (f->store, name, dead_letters_only, limit, offset,
                                          NULL, CB, RESULT),
         pgqrs_store_list_archived_finish (f->store, result_, error));
  return ret;
}

static gboolean
replay (Fixture *f, gint64 id, GError **error)
{
  gboolean ret;

  if (f->mode == MODE_SYNC)
    return pgqrs_store_replay (f->store, id, NULL, error);
  AWAIT (pgqrs_store_replay_async (f->store, id, NULL, CB, RESULT),
         pgqrs_store_replay_finish (f->store, result_, error));
  return ret;
}

static PgqrsStore *
new_store (Mode mode, const char *dsn, GError **error)
{
  PgqrsStore *ret;

  if (mode == MODE_SYNC)
    return pgqrs_store_new (dsn, NULL, error);
  AWAIT (pgqrs_store_new_async (dsn, NULL, CB, RESULT),
         pgqrs_store_new_finish (result_, error));
  return ret;
}

/* Setup helpers: always blocking, the queue's own calls are test-queue's. */

static PgqrsQueue *
make_queue (Fixture *f, const char *name)
{
  g_autoptr(GError) error = NULL;
  PgqrsQueue *queue = pgqrs_store_create_queue (f->store, name, NULL, &error);

  g_assert_no_error (error);
  return queue;
}

static gint64
enqueue (PgqrsQueue *queue, const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) payload = pgqrs_test_json (json);
  gint64 id = pgqrs_queue_enqueue (queue, payload, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static GPtrArray *
dequeue (PgqrsQueue *queue, guint n, double visibility)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *messages = pgqrs_queue_dequeue (queue, n, visibility, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (messages);
  return messages;
}

/* Leases the oldest message and archives it; returns its id. */
static gint64
dequeue_and_archive (PgqrsQueue *queue)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = dequeue (queue, 1, 30);

  g_assert_cmpuint (messages->len, ==, 1);
  g_assert_true (pgqrs_queue_archive (queue, g_ptr_array_index (messages, 0), NULL, &error));
  g_assert_no_error (error);
  return pgqrs_message_get_id (g_ptr_array_index (messages, 0));
}

/* Leases and releases the oldest message until the fixture's
 * max_read_count=2 makes the next lease dead-letter it.  The queue must
 * hold no other visible message. */
static void
dead_letter_oldest (PgqrsQueue *queue, gint64 expected_id)
{
  g_autoptr(GError) error = NULL;

  for (guint lease = 1; lease <= 2; lease++)
    {
      g_autoptr(GPtrArray) messages = dequeue (queue, 1, 30);

      g_assert_cmpuint (messages->len, ==, 1);
      g_assert_cmpint (pgqrs_message_get_id (g_ptr_array_index (messages, 0)), ==, expected_id);
      g_assert_cmpuint (pgqrs_message_get_read_count (g_ptr_array_index (messages, 0)), ==, lease);
      g_assert_true (pgqrs_queue_release (queue, g_ptr_array_index (messages, 0), 0, NULL, &error));
      g_assert_no_error (error);
    }

  {
    g_autoptr(GPtrArray) none = dequeue (queue, 10, 30);

    g_assert_cmpuint (none->len, ==, 0);
  }
}

static void
define_workflow (Fixture    *f,
                 const char *name,
                 const char *queue_name)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pgqrs_store_define_workflow (f->store, name, queue_name, NULL, &error));
  g_assert_no_error (error);
}

/* Triggers a run of @name; returns its id. */
static gint64
trigger_run (Fixture    *f,
             const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) input = pgqrs_test_json ("{}");
  g_autoptr(PgqrsWorkflow) run = pgqrs_store_trigger_workflow (f->store, name, input, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_workflow_get_message_id (run), >, 0);
  return pgqrs_workflow_get_id (run);
}

static void
assert_run_gone (Fixture *f,
                 gint64   run_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsWorkflow) run = pgqrs_store_get_workflow_run (f->store, run_id, NULL, &error);

  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_NOT_FOUND);
  g_assert_null (run);
}

static void
assert_error_names (GError     *error,
                    const char *word)
{
  g_assert_nonnull (error);
  if (strstr (error->message, word) == NULL)
    g_error ("error “%s” does not name “%s”", error->message, word);
}

typedef struct
{
  gint64 total, pending, delayed, leased, archived, dead_lettered;
} Counts;

static void
assert_metrics (PgqrsQueueMetrics *metrics,
                const char        *name,
                Counts             expected)
{
  g_assert_nonnull (metrics);
  g_assert_cmpstr (pgqrs_queue_metrics_get_queue_name (metrics), ==, name);
  g_assert_cmpint (pgqrs_queue_metrics_get_total (metrics), ==, expected.total);
  g_assert_cmpint (pgqrs_queue_metrics_get_pending (metrics), ==, expected.pending);
  g_assert_cmpint (pgqrs_queue_metrics_get_delayed (metrics), ==, expected.delayed);
  g_assert_cmpint (pgqrs_queue_metrics_get_leased (metrics), ==, expected.leased);
  g_assert_cmpint (pgqrs_queue_metrics_get_archived (metrics), ==, expected.archived);
  g_assert_cmpint (pgqrs_queue_metrics_get_dead_lettered (metrics), ==, expected.dead_lettered);
}

static void
assert_queue_metrics (Fixture    *f,
                      const char *name,
                      Counts      expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueueMetrics) metrics = get_metrics (f, name, &error);

  g_assert_no_error (error);
  assert_metrics (metrics, name, expected);
}

/* --- making a store ---------------------------------------------------- */

static void
test_store_lifecycle (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *dsn = pgqrs_test_new_dsn (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) fresh = NULL;
  g_autoptr(PgqrsStore) second = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(PgqrsQueue) seen = NULL;
  g_autoptr(PgqrsQueueMetrics) metrics = NULL;
  PgqrsStore *fixture_store = f->store;

  fresh = new_store (f->mode, dsn, &error);
  g_assert_no_error (error);
  g_assert_true (PGQRS_IS_STORE (fresh));
  g_assert_true (PGQRS_IS_CONFIG (pgqrs_store_get_config (fresh)));
  g_assert_cmpint (pgqrs_config_get_backend_kind (pgqrs_store_get_config (fresh)), ==,
                   pgqrs_test_backend_kind ());

  /* The wrappers act on f->store: point it at the fresh store for a while. */
  f->store = fresh;

  g_assert_false (store_verify (f, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_SCHEMA_MISSING);
  g_clear_error (&error);

  /* Nothing works before install, and says why. */
  queue = create_queue (f, "early", &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_SCHEMA_MISSING);
  g_assert_null (queue);
  g_clear_error (&error);

  g_assert_true (store_install (f, &error));
  g_assert_no_error (error);
  g_assert_true (store_verify (f, &error));
  g_assert_no_error (error);

  queue = create_queue (f, "jobs", &error);
  g_assert_no_error (error);
  enqueue (queue, "{\"n\":1}");

  /* Install is idempotent: a second run keeps what is there. */
  g_assert_true (store_install (f, &error));
  g_assert_no_error (error);
  g_assert_true (store_verify (f, &error));
  g_assert_no_error (error);
  metrics = get_metrics (f, "jobs", &error);
  g_assert_no_error (error);
  assert_metrics (metrics, "jobs", (Counts) { .total = 1, .pending = 1 });

  /* Another store on the same database sees the same queues. */
  second = new_store (f->mode, dsn, &error);
  g_assert_no_error (error);
  f->store = second;
  g_assert_true (store_verify (f, &error));
  g_assert_no_error (error);
  seen = get_queue (f, "jobs", &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_queue_get_id (seen), ==, pgqrs_queue_get_id (queue));

  f->store = fixture_store;

  g_assert_finalize_object (g_steal_pointer (&seen));
  g_assert_finalize_object (g_steal_pointer (&second));
  g_assert_finalize_object (g_steal_pointer (&queue));
  g_assert_finalize_object (g_steal_pointer (&fresh));
}

typedef struct
{
  const char   *dsn;
  GMainContext *context;
  GThread      *thread;
  guint         callbacks;
  gboolean      timed_out;
} ThreadCase;

static gboolean
thread_timeout_cb (gpointer user_data)
{
  ThreadCase *tc = user_data;

  tc->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs @tc's context until *slot is set or five seconds pass. */
static GAsyncResult *
thread_await (ThreadCase    *tc,
              GAsyncResult **slot)
{
  g_autoptr(GSource) timeout = g_timeout_source_new_seconds (5);

  g_source_set_callback (timeout, thread_timeout_cb, tc, NULL);
  g_source_attach (timeout, tc->context);

  while (*slot == NULL && !tc->timed_out)
    g_main_context_iteration (tc->context, TRUE);
  g_source_destroy (timeout);

  if (tc->timed_out)
    g_error ("an async callback did not arrive in the calling thread's context");

  tc->callbacks++;
  return *slot;
}

static gpointer
store_in_thread (gpointer data)
{
  ThreadCase *tc = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) store = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(GPtrArray) queues = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GAsyncResult) r3 = NULL;
  g_autoptr(GAsyncResult) r4 = NULL;

  tc->thread = g_thread_self ();
  tc->context = g_main_context_new ();
  g_main_context_push_thread_default (tc->context);

  pgqrs_store_new_async (tc->dsn, NULL, pgqrs_test_store_result, &r1);
  store = pgqrs_store_new_finish (thread_await (tc, &r1), &error);
  g_assert_no_error (error);

  pgqrs_store_install_async (store, NULL, pgqrs_test_store_result, &r2);
  g_assert_true (pgqrs_store_install_finish (store, thread_await (tc, &r2), &error));
  g_assert_no_error (error);

  pgqrs_store_create_queue_async (store, "threaded", NULL, pgqrs_test_store_result, &r3);
  queue = pgqrs_store_create_queue_finish (store, thread_await (tc, &r3), &error);
  g_assert_no_error (error);

  pgqrs_store_list_queues_async (store, NULL, pgqrs_test_store_result, &r4);
  queues = pgqrs_store_list_queues_finish (store, thread_await (tc, &r4), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queues->len, ==, 1);

  /* the results hold the store, their source object */
  g_clear_object (&r1);
  g_clear_object (&r2);
  g_clear_object (&r3);
  g_clear_object (&r4);
  g_clear_pointer (&queues, g_ptr_array_unref);
  g_assert_finalize_object (g_steal_pointer (&queue));
  g_assert_finalize_object (g_steal_pointer (&store));

  g_main_context_pop_thread_default (tc->context);
  g_main_context_unref (tc->context);

  return NULL;
}

/* Architecture principle 5: callbacks arrive in the thread-default main
 * context of the caller, here a thread of its own that nobody else
 * iterates. */
static void
test_store_async_in_thread (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *dsn = pgqrs_test_new_dsn (NULL);
  ThreadCase tc = { .dsn = dsn };
  GThread *thread = g_thread_new ("store-async", store_in_thread, &tc);

  g_thread_join (thread);
  g_assert_cmpuint (tc.callbacks, ==, 4);
}

/* An in-memory SQLite database is private to its store. */
static void
test_sqlite_memory (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) one = NULL;
  g_autoptr(PgqrsStore) two = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(PgqrsQueue) missing = NULL;
  g_autoptr(PgqrsQueueMetrics) metrics = NULL;
  g_autoptr(GPtrArray) queues = NULL;
  PgqrsStore *fixture_store = f->store;

  one = new_store (f->mode, "sqlite::memory:", &error);
  g_assert_no_error (error);
  two = new_store (f->mode, "sqlite::memory:", &error);
  g_assert_no_error (error);

  f->store = one;
  g_assert_true (store_install (f, &error));
  g_assert_no_error (error);
  queue = create_queue (f, "jobs", &error);
  g_assert_no_error (error);
  enqueue (queue, "[1,2,3]");
  metrics = get_metrics (f, "jobs", &error);
  g_assert_no_error (error);
  assert_metrics (metrics, "jobs", (Counts) { .total = 1, .pending = 1 });

  f->store = two;
  g_assert_false (store_verify (f, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_SCHEMA_MISSING);
  g_clear_error (&error);
  g_assert_true (store_install (f, &error));
  g_assert_no_error (error);
  queues = list_queues (f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queues->len, ==, 0);
  missing = get_queue (f, "jobs", &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_NOT_FOUND);
  g_assert_null (missing);

  f->store = fixture_store;
  g_assert_finalize_object (g_steal_pointer (&metrics));
  g_assert_finalize_object (g_steal_pointer (&queue));
  g_assert_finalize_object (g_steal_pointer (&one));
  g_assert_finalize_object (g_steal_pointer (&two));
}

/* A database that cannot be opened is an error that names it, and a file
 * that is not a database is left as it was. */
static void
test_sqlite_open_errors (Fixture       *f,
                         gconstpointer  data)
{
  static const char garbage[] = "this is not an SQLite database, just some text in a file";
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("pgqrs-admin-XXXXXX", &error);
  g_autofree char *missing_dir = g_build_filename (dir, "no-such-dir", "jobs.db", NULL);
  g_autofree char *not_db = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *missing_dsn = g_strdup_printf ("sqlite://%s", missing_dir);
  g_autofree char *not_db_dsn = g_strdup_printf ("sqlite://%s", not_db);
  g_autofree char *contents = NULL;
  g_autoptr(PgqrsStore) store = NULL;

  g_assert_no_error (error);

  store = new_store (f->mode, missing_dsn, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION);
  g_assert_null (store);
  assert_error_names (error, missing_dir);
  g_clear_error (&error);
  g_assert_false (g_file_test (missing_dir, G_FILE_TEST_EXISTS));

  g_assert_true (g_file_set_contents (not_db, garbage, -1, NULL));
  store = new_store (f->mode, not_db_dsn, &error);
  if (store != NULL)
    {
      PgqrsStore *fixture_store = f->store;

      f->store = store;
      g_assert_false (store_install (f, &error));
      f->store = fixture_store;
    }
  g_assert_nonnull (error);
  g_assert_true (error->domain == PGQRS_ERROR);
  g_assert_true (error->code == PGQRS_ERROR_DATABASE || error->code == PGQRS_ERROR_CONNECTION);
  assert_error_names (error, not_db);
  g_clear_object (&store);

  g_assert_true (g_file_get_contents (not_db, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, garbage);

  g_remove (not_db);
  g_rmdir (dir);
}

/* --- queues ------------------------------------------------------------- */

static void
test_create_get (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(PgqrsQueue) again = NULL;
  g_autoptr(PgqrsQueue) found = NULL;
  g_autoptr(PgqrsQueue) missing = NULL;
  g_autoptr(PgqrsQueue) other = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  queue = create_queue (f, "jobs", &error);
  g_assert_no_error (error);
  g_assert_true (PGQRS_IS_QUEUE (queue));
  g_assert_cmpstr (pgqrs_queue_get_name (queue), ==, "jobs");
  g_assert_cmpint (pgqrs_queue_get_id (queue), >, 0);
  g_assert_true (pgqrs_queue_get_store (queue) == f->store);
  g_assert_nonnull (pgqrs_queue_get_created_at (queue));
  /* the database clock and ours agree within a minute */
  g_assert_cmpint (ABS (g_date_time_difference (pgqrs_queue_get_created_at (queue), now)),
                   <, 60 * G_TIME_SPAN_SECOND);

  again = create_queue (f, "jobs", &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_EXISTS);
  assert_error_names (error, "jobs");
  g_assert_null (again);
  g_clear_error (&error);

  found = get_queue (f, "jobs", &error);
  g_assert_no_error (error);
  g_assert_true (found != queue);
  g_assert_cmpint (pgqrs_queue_get_id (found), ==, pgqrs_queue_get_id (queue));
  g_assert_cmpstr (pgqrs_queue_get_name (found), ==, "jobs");
  g_assert_true (g_date_time_equal (pgqrs_queue_get_created_at (found),
                                    pgqrs_queue_get_created_at (queue)));

  missing = get_queue (f, "missing", &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_NOT_FOUND);
  assert_error_names (error, "missing");
  g_assert_null (missing);
  g_clear_error (&error);

  /* Names are case-sensitive. */
  missing = get_queue (f, "JOBS", &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_NOT_FOUND);
  g_clear_error (&error);

  other = create_queue (f, "jobs-2", &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_queue_get_id (other), !=, pgqrs_queue_get_id (queue));

  g_assert_finalize_object (g_steal_pointer (&other));
  g_assert_finalize_object (g_steal_pointer (&found));
  g_assert_finalize_object (g_steal_pointer (&queue));
}

static void
test_list_queues (Fixture       *f,
                  gconstpointer  data)
{
  static const char *names[] = { "charlie", "alpha", "bravo_2", "bravo" };
  static const char *sorted[] = { "alpha", "bravo", "bravo_2", "charlie" };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) empty = NULL;
  g_autoptr(GPtrArray) queues = NULL;

  empty = list_queues (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (empty);
  g_assert_cmpuint (empty->len, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_object_unref (make_queue (f, names[i]));

  queues = list_queues (f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queues->len, ==, G_N_ELEMENTS (sorted));
  for (guint i = 0; i < queues->len; i++)
    {
      PgqrsQueue *queue = g_ptr_array_index (queues, i);

      g_assert_true (PGQRS_IS_QUEUE (queue));
      g_assert_cmpstr (pgqrs_queue_get_name (queue), ==, sorted[i]);
      g_assert_cmpint (pgqrs_queue_get_id (queue), >, 0);
    }
}

static void
test_delete_queue (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) empty = make_queue (f, "empty");
  g_autoptr(PgqrsQueue) busy = make_queue (f, "busy");
  g_autoptr(PgqrsQueue) done = make_queue (f, "done");
  g_autoptr(PgqrsQueue) gone = NULL;
  g_autoptr(PgqrsQueue) recreated = NULL;
  g_autoptr(GPtrArray) queues = NULL;
  g_autoptr(JsonNode) payload = pgqrs_test_json ("{}");

  g_assert_true (delete_queue (f, "empty", FALSE, &error));
  g_assert_no_error (error);
  gone = get_queue (f, "empty", &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_NOT_FOUND);
  g_clear_error (&error);

  /* A queue object outlives its queue, but cannot enqueue into it. */
  g_assert_cmpint (pgqrs_queue_enqueue (empty, payload, NULL, &error), ==, 0);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (delete_queue (f, "empty", FALSE, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_NOT_FOUND);
  assert_error_names (error, "empty");
  g_clear_error (&error);

  /* Rule 9: a queue with messages is refused without cascade, and nothing
   * is touched. */
  enqueue (busy, "{\"n\":1}");
  enqueue (busy, "{\"n\":2}");
  g_assert_false (delete_queue (f, "busy", FALSE, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_IN_USE);
  assert_error_names (error, "busy");
  g_clear_error (&error);
  assert_queue_metrics (f, "busy", (Counts) { .total = 2, .pending = 2 });

  /* So does a live worker, but not a stopped one. */
  {
    g_autoptr(PgqrsQueue) staffed = make_queue (f, "staffed");
    g_autoptr(PgqrsWorker) worker = pgqrs_store_register_worker (f->store, "w-1", "staffed", NULL, &error);

    g_assert_no_error (error);
    g_assert_false (delete_queue (f, "staffed", FALSE, &error));
    g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_IN_USE);
    g_clear_error (&error);

    g_assert_true (pgqrs_worker_transition (worker, PGQRS_WORKER_STATUS_SUSPENDED, NULL, &error));
    g_assert_true (pgqrs_worker_transition (worker, PGQRS_WORKER_STATUS_STOPPED, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (delete_queue (f, "staffed", FALSE, &error));
    g_assert_no_error (error);
  }

  /* Archived messages count as messages too. */
  enqueue (done, "{\"n\":3}");
  dequeue_and_archive (done);
  g_assert_false (delete_queue (f, "done", FALSE, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_IN_USE);
  g_clear_error (&error);

  g_assert_true (delete_queue (f, "busy", TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (delete_queue (f, "done", TRUE, &error));
  g_assert_no_error (error);

  queues = list_queues (f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queues->len, ==, 0);

  /* The name is free again, and the new queue starts empty. */
  recreated = make_queue (f, "busy");
  assert_queue_metrics (f, "busy", (Counts) { 0 });

  /* Ids are never reused, so the old objects cannot reach the new queue. */
  g_assert_cmpint (pgqrs_queue_get_id (recreated), >, pgqrs_queue_get_id (done));
  g_assert_cmpint (pgqrs_queue_enqueue (busy, payload, NULL, &error), ==, 0);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (pgqrs_queue_enqueue (done, payload, NULL, &error), ==, 0);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_NOT_FOUND);
  g_clear_error (&error);
  assert_queue_metrics (f, "busy", (Counts) { 0 });
}

static void
test_purge (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) jobs = make_queue (f, "jobs");
  g_autoptr(PgqrsQueue) other = make_queue (f, "other");
  g_autoptr(PgqrsQueue) still = NULL;
  g_autoptr(GPtrArray) leased = NULL;
  g_autoptr(GPtrArray) archived = NULL;

  g_assert_cmpint (purge_queue (f, "jobs", &error), ==, 0);
  g_assert_no_error (error);

  for (guint i = 0; i < 4; i++)
    enqueue (jobs, "{\"job\":true}");
  enqueue (other, "{\"other\":true}");
  dequeue_and_archive (jobs);
  leased = dequeue (jobs, 1, 30);
  g_assert_cmpuint (leased->len, ==, 1);
  assert_queue_metrics (f, "jobs", (Counts) { .total = 4, .pending = 2, .leased = 1, .archived = 1 });

  /* Pending, leased and archived messages all go. */
  g_assert_cmpint (purge_queue (f, "jobs", &error), ==, 4);
  g_assert_no_error (error);
  assert_queue_metrics (f, "jobs", (Counts) { 0 });
  archived = list_archived (f, "jobs", FALSE, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (archived->len, ==, 0);

  /* The queue stays; the other queue is untouched. */
  still = get_queue (f, "jobs", &error);
  g_assert_no_error (error);
  assert_queue_metrics (f, "other", (Counts) { .total = 1, .pending = 1 });

  /* A lease on a purged message is no longer current. */
  g_assert_false (pgqrs_queue_archive (jobs, g_ptr_array_index (leased, 0), NULL, &error));
  g_assert_no_error (error);

  g_assert_true (delete_queue (f, "jobs", FALSE, &error));
  g_assert_no_error (error);

  g_assert_cmpint (purge_queue (f, "jobs", &error), ==, -1);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_NOT_FOUND);
  assert_error_names (error, "jobs");
}

/* Rule 9 for workflows: a purge takes the runs that the queue's trigger
 * messages started, pending or done with; runs on another queue stay, and
 * so does the workflow's binding to the queue. */
static void
test_purge_workflow_runs (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) jobs = make_queue (f, "jobs");
  g_autoptr(PgqrsQueue) other = make_queue (f, "other");
  g_autoptr(PgqrsWorkflow) kept = NULL;
  gint64 pending_run, done_run, kept_run;

  define_workflow (f, "ingest", "jobs");
  define_workflow (f, "report", "other");
  done_run = trigger_run (f, "ingest");
  pending_run = trigger_run (f, "ingest");
  kept_run = trigger_run (f, "report");
  dequeue_and_archive (jobs);

  g_assert_cmpint (purge_queue (f, "jobs", &error), ==, 2);
  g_assert_no_error (error);
  assert_queue_metrics (f, "jobs", (Counts) { 0 });
  assert_run_gone (f, done_run);
  assert_run_gone (f, pending_run);

  kept = pgqrs_store_get_workflow_run (f->store, kept_run, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_workflow_get_status (kept), ==, PGQRS_RUN_STATUS_QUEUED);
  assert_queue_metrics (f, "other", (Counts) { .total = 1, .pending = 1 });

  trigger_run (f, "ingest");
  assert_queue_metrics (f, "jobs", (Counts) { .total = 1, .pending = 1 });
}

/* Rule 9: a workflow bound to a queue keeps it in use, even with no
 * messages; cascade deletes the binding and the runs with the queue. */
static void
test_delete_queue_bound_to_workflow (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) flows = make_queue (f, "flows");
  g_autoptr(PgqrsQueue) gone = NULL;
  g_autoptr(PgqrsWorkflow) unbound = NULL;
  g_autoptr(JsonNode) input = pgqrs_test_json ("{}");
  gint64 run_id;

  define_workflow (f, "ingest", "flows");
  g_assert_false (delete_queue (f, "flows", FALSE, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_IN_USE);
  assert_error_names (error, "flows");
  g_clear_error (&error);

  run_id = trigger_run (f, "ingest");
  g_assert_false (delete_queue (f, "flows", FALSE, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_IN_USE);
  g_clear_error (&error);
  assert_queue_metrics (f, "flows", (Counts) { .total = 1, .pending = 1 });

  g_assert_true (delete_queue (f, "flows", TRUE, &error));
  g_assert_no_error (error);
  gone = get_queue (f, "flows", &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_NOT_FOUND);
  g_clear_error (&error);
  assert_run_gone (f, run_id);

  /* the binding went with the queue */
  unbound = pgqrs_store_trigger_workflow (f->store, "ingest", input, NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
  g_assert_null (unbound);
}

/* --- metrics ------------------------------------------------------------ */

static void
test_metrics (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) jobs = make_queue (f, "jobs");
  g_autoptr(PgqrsQueueMetrics) empty = NULL;
  g_autoptr(PgqrsQueueMetrics) metrics = NULL;
  g_autoptr(PgqrsQueueMetrics) missing = NULL;
  g_autoptr(GPtrArray) leased = NULL;
  g_autoptr(GPtrArray) later = NULL;
  g_autoptr(JsonNode) payload = pgqrs_test_json ("{\"delayed\":true}");
  gint64 dead;

  empty = get_metrics (f, "jobs", &error);
  g_assert_no_error (error);
  assert_metrics (empty, "jobs", (Counts) { 0 });
  g_assert_cmpfloat (pgqrs_queue_metrics_get_oldest_pending_age (empty), ==, 0);

  /* one of each state: */
  dead = enqueue (jobs, "{\"n\":0}");
  dead_letter_oldest (jobs, dead);                        /* dead-lettered */
  enqueue (jobs, "{\"n\":1}");
  enqueue (jobs, "{\"n\":2}");
  leased = dequeue (jobs, 2, 30);                         /* two leased… */
  g_assert_cmpuint (leased->len, ==, 2);
  g_assert_true (pgqrs_queue_archive (jobs, g_ptr_array_index (leased, 1), NULL, &error));
  g_assert_no_error (error);                              /* …one of them archived */
  enqueue (jobs, "{\"n\":3}");
  later = dequeue (jobs, 1, 30);
  g_assert_cmpuint (later->len, ==, 1);                   /* leased, then released for later */
  g_assert_true (pgqrs_queue_release (jobs, g_ptr_array_index (later, 0), 60, NULL, &error));
  g_assert_no_error (error);
  pgqrs_queue_enqueue_delayed (jobs, payload, 60, NULL, &error);
  g_assert_no_error (error);                              /* delayed from the start */
  enqueue (jobs, "{\"n\":4}");
  enqueue (jobs, "{\"n\":5}");                            /* two pending */

  g_usleep (G_USEC_PER_SEC / 20);

  metrics = get_metrics (f, "jobs", &error);
  g_assert_no_error (error);
  assert_metrics (metrics, "jobs", (Counts) {
    .total = 7, .pending = 2, .delayed = 2, .leased = 1, .archived = 2, .dead_lettered = 1,
  });
  /* n=4 and n=5 have waited at least the 50 ms slept, and surely not a minute */
  g_assert_cmpfloat (pgqrs_queue_metrics_get_oldest_pending_age (metrics), >=, 0.04);
  g_assert_cmpfloat (pgqrs_queue_metrics_get_oldest_pending_age (metrics), <, 60);

  missing = get_metrics (f, "missing", &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_NOT_FOUND);
  assert_error_names (error, "missing");
  g_assert_null (missing);
}

static void
test_list_metrics (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(PgqrsQueue) beta = NULL;
  g_autoptr(PgqrsQueue) alpha = NULL;
  g_autoptr(PgqrsQueue) idle = NULL;

  none = list_metrics (f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);

  beta = make_queue (f, "beta");
  alpha = make_queue (f, "alpha");
  idle = make_queue (f, "idle");

  enqueue (beta, "1");
  enqueue (beta, "2");
  enqueue (beta, "3");
  dequeue_and_archive (beta);
  enqueue (alpha, "\"a\"");

  all = list_metrics (f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 3);
  assert_metrics (g_ptr_array_index (all, 0), "alpha", (Counts) { .total = 1, .pending = 1 });
  assert_metrics (g_ptr_array_index (all, 1), "beta", (Counts) { .total = 3, .pending = 2, .archived = 1 });
  assert_metrics (g_ptr_array_index (all, 2), "idle", (Counts) { 0 });
}

/* --- archived messages and replay -------------------------------------- */

static void
assert_ids (GPtrArray    *messages,
            const gint64 *ids,
            guint         n_ids)
{
  g_assert_nonnull (messages);
  g_assert_cmpuint (messages->len, ==, n_ids);
  for (guint i = 0; i < n_ids; i++)
    g_assert_cmpint (pgqrs_message_get_id (g_ptr_array_index (messages, i)), ==, ids[i]);
}

static void
test_list_archived (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) a = make_queue (f, "a");
  g_autoptr(PgqrsQueue) b = make_queue (f, "b");
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) in_a = NULL;
  g_autoptr(GPtrArray) dead = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  gint64 a1, a2, a3, a_dead, b1;

  none = list_archived (f, NULL, FALSE, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);

  /* ids in the order of archiving, so that archive times that tie (SQLite
   * keeps milliseconds) still sort the same */
  a1 = enqueue (a, "{\"a\":1}");
  b1 = enqueue (b, "{\"b\":1}");
  a2 = enqueue (a, "{\"a\":2}");
  a3 = enqueue (a, "{\"a\":3}");
  g_assert_cmpint (dequeue_and_archive (a), ==, a1);
  g_assert_cmpint (dequeue_and_archive (b), ==, b1);
  g_assert_cmpint (dequeue_and_archive (a), ==, a2);
  g_assert_cmpint (dequeue_and_archive (a), ==, a3);
  a_dead = enqueue (a, "{\"a\":\"dead\"}");
  dead_letter_oldest (a, a_dead);
  enqueue (a, "{\"a\":\"pending\"}");

  /* newest first, across queues */
  all = list_archived (f, NULL, FALSE, 0, 0, &error);
  g_assert_no_error (error);
  assert_ids (all, (gint64[]) { a_dead, a3, a2, b1, a1 }, 5);

  in_a = list_archived (f, "a", FALSE, 0, 0, &error);
  g_assert_no_error (error);
  assert_ids (in_a, (gint64[]) { a_dead, a3, a2, a1 }, 4);
  for (guint i = 0; i < in_a->len; i++)
    {
      PgqrsMessage *message = g_ptr_array_index (in_a, i);

      g_assert_cmpint (pgqrs_message_get_queue_id (message), ==, pgqrs_queue_get_id (a));
      g_assert_nonnull (pgqrs_message_get_archived_at (message));
      g_assert_cmpint (pgqrs_message_get_archive_reason (message), ==,
                       i == 0 ? PGQRS_ARCHIVE_REASON_DEAD_LETTER : PGQRS_ARCHIVE_REASON_DONE);
      g_assert_cmpuint (pgqrs_message_get_read_count (message), ==, i == 0 ? 2 : 1);
    }
  {
    g_autofree char *text = pgqrs_test_json_text (pgqrs_message_get_payload (g_ptr_array_index (in_a, 1)));
    g_autoptr(JsonNode) expected = pgqrs_test_json ("{\"a\":3}");

    g_assert_true (json_node_equal (pgqrs_message_get_payload (g_ptr_array_index (in_a, 1)), expected));
    g_assert_cmpstr (text, ==, "{\"a\":3}");
  }

  dead = list_archived (f, "a", TRUE, 0, 0, &error);
  g_assert_no_error (error);
  assert_ids (dead, (gint64[]) { a_dead }, 1);
  g_clear_pointer (&dead, g_ptr_array_unref);
  dead = list_archived (f, "b", TRUE, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dead->len, ==, 0);

  page = list_archived (f, "a", FALSE, 2, 1, &error);
  g_assert_no_error (error);
  assert_ids (page, (gint64[]) { a3, a2 }, 2);
  g_clear_pointer (&page, g_ptr_array_unref);
  page = list_archived (f, "a", FALSE, 10, 4, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 0);
  g_clear_pointer (&page, g_ptr_array_unref);

  none = list_archived (f, "missing", FALSE, 0, 0, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_NOT_FOUND);
  g_assert_null (none);
  g_clear_error (&error);

  /* limit 0 means 100 */
  {
    g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
    g_autoptr(GArray) ids = NULL;
    g_autoptr(GArray) flags = NULL;
    g_autoptr(GPtrArray) leased = NULL;

    for (guint i = 0; i < 110; i++)
      g_ptr_array_add (payloads, json_node_init_int (json_node_alloc (), i));
    ids = pgqrs_queue_enqueue_batch (b, payloads, 0, NULL, &error);
    g_assert_no_error (error);
    leased = dequeue (b, 110, 30);
    g_assert_cmpuint (leased->len, ==, 110);
    flags = pgqrs_queue_archive_batch (b, leased, NULL, &error);
    g_assert_no_error (error);

    page = list_archived (f, "b", FALSE, 0, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (page->len, ==, 100);
  }

  pending = dequeue (a, 10, 30);
  g_assert_cmpuint (pending->len, ==, 1);
}

static void
test_replay (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) jobs = make_queue (f, "jobs");
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) dead_again = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GPtrArray) dead = NULL;
  gint64 done_id, dead_id, pending_id;

  done_id = enqueue (jobs, "{\"job\":\"done\"}");
  g_assert_cmpint (dequeue_and_archive (jobs), ==, done_id);
  dead_id = enqueue (jobs, "{\"job\":\"dead\"}");
  dead_letter_oldest (jobs, dead_id);
  assert_queue_metrics (f, "jobs", (Counts) { .total = 2, .archived = 2, .dead_lettered = 1 });

  /* A done message comes back visible, with a read count of zero. */
  g_assert_true (replay (f, done_id, &error));
  g_assert_no_error (error);
  assert_queue_metrics (f, "jobs", (Counts) { .total = 2, .pending = 1, .archived = 1, .dead_lettered = 1 });

  again = dequeue (jobs, 10, 30);
  g_assert_cmpuint (again->len, ==, 1);
  g_assert_cmpint (pgqrs_message_get_id (g_ptr_array_index (again, 0)), ==, done_id);
  g_assert_cmpuint (pgqrs_message_get_read_count (g_ptr_array_index (again, 0)), ==, 1);
  g_assert_null (pgqrs_message_get_archived_at (g_ptr_array_index (again, 0)));
  g_assert_cmpint (pgqrs_message_get_archive_reason (g_ptr_array_index (again, 0)), ==,
                   PGQRS_ARCHIVE_REASON_NONE);

  /* A leased message is not archived: FALSE, no error. */
  g_assert_false (replay (f, done_id, &error));
  g_assert_no_error (error);
  g_assert_true (pgqrs_queue_archive (jobs, g_ptr_array_index (again, 0), NULL, &error));

  /* A dead letter comes back too, with its full allowance of reads. */
  g_assert_true (replay (f, dead_id, &error));
  g_assert_no_error (error);
  dead = list_archived (f, "jobs", TRUE, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dead->len, ==, 0);
  assert_queue_metrics (f, "jobs", (Counts) { .total = 2, .pending = 1, .archived = 1 });
  dead_again = dequeue (jobs, 10, 30);
  g_assert_cmpuint (dead_again->len, ==, 1);
  g_assert_cmpint (pgqrs_message_get_id (g_ptr_array_index (dead_again, 0)), ==, dead_id);
  g_assert_cmpuint (pgqrs_message_get_read_count (g_ptr_array_index (dead_again, 0)), ==, 1);

  /* A pending message is not archived either. */
  pending_id = enqueue (jobs, "{\"job\":\"pending\"}");
  g_assert_false (replay (f, pending_id, &error));
  g_assert_no_error (error);
  pending = dequeue (jobs, 10, 30);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpuint (pgqrs_message_get_read_count (g_ptr_array_index (pending, 0)), ==, 1);

  g_assert_false (replay (f, pending_id + 1000, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A deleted message is gone for good. */
  g_assert_true (pgqrs_queue_delete_message (jobs, g_ptr_array_index (pending, 0), NULL, &error));
  g_assert_no_error (error);
  g_assert_false (replay (f, pending_id, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  pgqrs_test_init (&argc, &argv);

#define ADD(path, func) \
  G_STMT_START { \
    g_test_add ("/pgqrs/admin/" path "/sync", Fixture, GINT_TO_POINTER (MODE_SYNC), \
                fixture_setup, func, fixture_teardown); \
    g_test_add ("/pgqrs/admin/" path "/async", Fixture, GINT_TO_POINTER (MODE_ASYNC), \
                fixture_setup, func, fixture_teardown); \
  } G_STMT_END

  ADD ("store-lifecycle", test_store_lifecycle);
  if (pgqrs_test_backend_is_sqlite ())
    {
      ADD ("sqlite-memory", test_sqlite_memory);
      ADD ("sqlite-open-errors", test_sqlite_open_errors);
    }
  ADD ("create-get", test_create_get);
  ADD ("list-queues", test_list_queues);
  ADD ("delete-queue", test_delete_queue);
  ADD ("purge", test_purge);
  ADD ("purge-workflow-runs", test_purge_workflow_runs);
  ADD ("delete-queue-bound-to-workflow", test_delete_queue_bound_to_workflow);
  ADD ("metrics", test_metrics);
  ADD ("list-metrics", test_list_metrics);
  ADD ("list-archived", test_list_archived);
  ADD ("replay", test_replay);

  g_test_add ("/pgqrs/admin/store-async-in-thread", Fixture, GINT_TO_POINTER (MODE_ASYNC),
              fixture_setup, test_store_async_in_thread, fixture_teardown);

  return g_test_run ();
}
