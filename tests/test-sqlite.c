/* test-sqlite.c — the SQLite backend's owner thread: group commit,
 * blocking calls, and one backend for the stores of one file
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "backends/sqlite/pgqrs-sqlite-backend-private.h"
#include "backends/sqlite/pgqrs-sqlite-checkpointer-private.h"
#include "backends/sqlite/pgqrs-sqlite-connection-private.h"
#include "pgqrs-config-private.h"
#include "pgqrs-message-private.h"
#include "pgqrs-store-private.h"
#include "pgqrs-workflow-private.h"
#include "test-util.h"

/*
 * Requests that queue up while the owner thread is busy run in one
 * transaction (group commit).  To queue them deterministically, a gate
 * holds the owner thread (a function run on it through
 * _pgqrs_sqlite_backend_run_sync, from a thread of its own) until the test
 * has made its requests; a commit hook on the store's connection counts
 * the transactions.
 */

typedef struct
{
  PgqrsStore *store;
  PgqrsQueue *queue;
  gint        commits;
  GThread    *committer;  /* the thread of the last commit */
  GThread    *committers[8];  /* the threads of the first commits after the mark */
  gint        n_committers;   /* -1: not recording */
  gint        hold_commit;    /* 1: the next commit waits for the gate to open */
  /* the gate */
  GMutex      lock;
  GCond       cond;
  gboolean    holding;
  gboolean    open;
  GThread    *holder;
} Fixture;

/* Holds the calling thread at the gate until it opens. */
static void
gate_hold (Fixture *f)
{
  g_mutex_lock (&f->lock);
  f->holding = TRUE;
  g_cond_broadcast (&f->cond);
  while (!f->open)
    g_cond_wait (&f->cond, &f->lock);
  g_mutex_unlock (&f->lock);
}

static int
count_commit (void *data)
{
  Fixture *f = data;

  gint n;

  g_atomic_int_inc (&f->commits);
  g_atomic_pointer_set (&f->committer, g_thread_self ());
  if ((n = g_atomic_int_get (&f->n_committers)) >= 0 && n < (gint)G_N_ELEMENTS (f->committers))
    {
      f->committers[n] = g_thread_self ();
      g_atomic_int_set (&f->n_committers, n + 1);
    }

  /* the gate, held by whoever commits, still holding the connection */
  if (g_atomic_int_compare_and_exchange (&f->hold_commit, 1, 0))
    gate_hold (f);
  return 0;
}

static void
hook_commits (gpointer connection,
              gpointer data)
{
  sqlite3_commit_hook (_pgqrs_sqlite_connection_get_handle (connection), count_commit, data);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->store = pgqrs_test_open_store (NULL);
  f->queue = pgqrs_store_create_queue (f->store, "jobs", NULL, &error);
  g_assert_no_error (error);
  g_mutex_init (&f->lock);
  g_cond_init (&f->cond);
  f->n_committers = -1;
  _pgqrs_sqlite_backend_run_sync (_pgqrs_store_get_backend (f->store), hook_commits, f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->queue);
  g_clear_object (&f->store);
  g_mutex_clear (&f->lock);
  g_cond_clear (&f->cond);
}

static void
hold_owner (gpointer connection,
            gpointer data)
{
  gate_hold (data);
}

static gpointer
holder_thread (gpointer data)
{
  Fixture *f = data;

  _pgqrs_sqlite_backend_run_sync (_pgqrs_store_get_backend (f->store), hold_owner, f);
  return NULL;
}

/* Returns once whatever the gate holds (the owner thread, or a commit in
 * the commit hook) is held. */
static void
gate_wait_held (Fixture *f)
{
  g_mutex_lock (&f->lock);
  while (!f->holding)
    g_cond_wait (&f->cond, &f->lock);
  g_mutex_unlock (&f->lock);
}

/* Returns once the owner thread is held: what is asked now queues up. */
static void
gate_close (Fixture *f)
{
  f->open = FALSE;
  f->holding = FALSE;
  f->holder = g_thread_new ("gate", holder_thread, f);
  gate_wait_held (f);
}

/* Lets what the gate holds go on. */
static void
gate_release (Fixture *f)
{
  g_mutex_lock (&f->lock);
  f->open = TRUE;
  g_cond_broadcast (&f->cond);
  g_mutex_unlock (&f->lock);
}

static void
gate_open (Fixture *f)
{
  gate_release (f);
  g_thread_join (g_steal_pointer (&f->holder));
}

static JsonNode *
payload (const char *key)
{
  g_autofree char *json = g_strdup_printf ("{\"%s\": 1}", key);

  return json_from_string (json, NULL);
}

static gint64
count_messages (Fixture *f)
{
  /* on a connection of its own: only what is committed */
  return pgqrs_test_exec_sql (f->store, "SELECT count(*) FROM pgqrs_messages", NULL);
}

typedef struct
{
  Fixture      *f;
  GAsyncResult *result;
  gint64        committed;   /* messages visible to another connection when answered */
} Answer;

static void
answer_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Answer *answer = user_data;

  answer->committed = count_messages (answer->f);
  answer->result = g_object_ref (result);
}

static void
answer_wait (Answer *answer)
{
  while (answer->result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

/* Three requests queued together, the middle one failing half-way (its
 * first message inserted, its second refused by a trigger): one
 * transaction; the failing request undoes only its own insert; every
 * caller is answered after the commit. */
static void
test_group_isolation (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  Answer a = { f }, b = { f }, c = { f };
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  int before;

  pgqrs_test_exec_sql (f->store,
                       "CREATE TRIGGER refuse BEFORE INSERT ON pgqrs_messages "
                       "WHEN NEW.payload LIKE '%refuse%' BEGIN SELECT RAISE (ABORT, 'refused'); END",
                       NULL);
  g_ptr_array_add (batch, payload ("b"));
  g_ptr_array_add (batch, payload ("refuse"));

  gate_close (f);
  before = g_atomic_int_get (&f->commits);
  pgqrs_queue_enqueue_async (f->queue, payload ("a"), NULL, answer_cb, &a);
  pgqrs_queue_enqueue_batch_async (f->queue, batch, 0, NULL, answer_cb, &b);
  pgqrs_queue_enqueue_async (f->queue, payload ("c"), NULL, answer_cb, &c);
  gate_open (f);
  answer_wait (&a);
  answer_wait (&b);
  answer_wait (&c);

  g_assert_cmpint (g_atomic_int_get (&f->commits) - before, ==, 1);

  g_assert_cmpint (pgqrs_queue_enqueue_finish (f->queue, a.result, &error), >, 0);
  g_assert_no_error (error);
  ids = pgqrs_queue_enqueue_batch_finish (f->queue, b.result, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CONFLICT);
  g_assert_null (ids);
  g_clear_error (&error);
  g_assert_cmpint (pgqrs_queue_enqueue_finish (f->queue, c.result, &error), >, 0);
  g_assert_no_error (error);

  /* a and c, and of b nothing */
  g_assert_cmpint (count_messages (f), ==, 2);
  g_assert_cmpint (pgqrs_test_exec_sql (f->store,
                                        "SELECT count(*) FROM pgqrs_messages WHERE payload LIKE '%\"b\"%'",
                                        NULL), ==, 0);
  /* answered after the commit: each caller saw both of the group's messages */
  g_assert_cmpint (a.committed, ==, 2);
  g_assert_cmpint (b.committed, ==, 2);
  g_assert_cmpint (c.committed, ==, 2);

  g_clear_object (&a.result);
  g_clear_object (&b.result);
  g_clear_object (&c.result);
}

typedef struct
{
  Fixture *f;
  gint64   id;
  gint64   committed;
  GError  *error;
} Blocking;

static gpointer
blocking_enqueue_thread (gpointer data)
{
  Blocking *blocking = data;
  g_autoptr(JsonNode) node = payload ("blocking");

  blocking->id = pgqrs_queue_enqueue (blocking->f->queue, node, NULL, &blocking->error);
  blocking->committed = count_messages (blocking->f);
  return NULL;
}

/* A blocking call that finds the owner thread busy queues and joins the
 * next group, with an async one. */
static void
test_group_blocking (Fixture       *f,
                     gconstpointer  data)
{
  Blocking blocking = { f };
  Answer a = { f };
  g_autoptr(GError) error = NULL;
  GThread *thread;
  int before;

  gate_close (f);
  before = g_atomic_int_get (&f->commits);
  pgqrs_queue_enqueue_async (f->queue, payload ("a"), NULL, answer_cb, &a);
  thread = g_thread_new ("blocking", blocking_enqueue_thread, &blocking);
  /* until the blocking call has queued behind the gate, with the other */
  while (_pgqrs_sqlite_backend_get_n_queued (_pgqrs_store_get_backend (f->store)) < 2)
    g_usleep (1000);
  gate_open (f);
  answer_wait (&a);
  g_thread_join (thread);

  g_assert_no_error (blocking.error);
  g_assert_cmpint (blocking.id, >, 0);
  g_assert_cmpint (pgqrs_queue_enqueue_finish (f->queue, a.result, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (g_atomic_int_get (&f->commits) - before, ==, 1);
  g_assert_cmpint (blocking.committed, ==, 2);
  g_assert_cmpint (a.committed, ==, 2);

  g_clear_object (&a.result);
}

/* A blocking call on an idle store runs on the caller's own thread (no
 * hand-off to the owner thread and back); an async one on the owner. */
static void
test_caller_runs (Fixture       *f,
                  gconstpointer  data)
{
  Answer a = { f };
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (pgqrs_queue_enqueue (f->queue, payload ("blocking"), NULL, &error), >, 0);
  g_assert_no_error (error);
  g_assert_true (g_atomic_pointer_get (&f->committer) == g_thread_self ());

  pgqrs_queue_enqueue_async (f->queue, payload ("async"), NULL, answer_cb, &a);
  answer_wait (&a);
  g_assert_cmpint (pgqrs_queue_enqueue_finish (f->queue, a.result, &error), >, 0);
  g_assert_no_error (error);
  g_assert_true (g_atomic_pointer_get (&f->committer) != g_thread_self ());

  g_clear_object (&a.result);
}

/* A blocking call never overtakes what its thread asked for before: an
 * async request still queued or running keeps the caller from running
 * its own, so the two commit in the order they were made. */
static void
test_caller_waits_its_turn (Fixture       *f,
                            gconstpointer  data)
{
  for (guint i = 0; i < 200; i++)
    {
      Answer a = { f };
      g_autoptr(GError) error = NULL;
      gint64 async_id, blocking_id;

      pgqrs_queue_enqueue_async (f->queue, payload ("first"), NULL, answer_cb, &a);
      blocking_id = pgqrs_queue_enqueue (f->queue, payload ("second"), NULL, &error);
      g_assert_no_error (error);
      answer_wait (&a);
      async_id = pgqrs_queue_enqueue_finish (f->queue, a.result, &error);
      g_assert_no_error (error);
      g_assert_cmpint (async_id, <, blocking_id);
      g_clear_object (&a.result);
    }
}

/* Blocking callers that meet take turns on the connection on their own
 * threads: the one whose turn it is runs, once its own request has
 * committed, the request of the caller that waited behind it; a third
 * caller, meeting both, queues for the owner thread.  Here the first
 * caller's commit holds the connection (the gate, in the commit hook)
 * until the second waits for its turn and the third is queued. */
static gpointer
enqueue_thread (gpointer data)
{
  Blocking *blocking = data;
  g_autoptr(JsonNode) node = payload ("turn");

  blocking->id = pgqrs_queue_enqueue (blocking->f->queue, node, NULL, &blocking->error);
  return NULL;
}

static void
test_callers_take_turns (Fixture       *f,
                         gconstpointer  data)
{
  PgqrsBackend *backend = _pgqrs_store_get_backend (f->store);
  Blocking first = { f }, second = { f }, third = { f };
  GThread *first_thread, *second_thread, *third_thread;

  f->open = FALSE;
  f->holding = FALSE;
  g_atomic_int_set (&f->n_committers, 0);
  g_atomic_int_set (&f->hold_commit, 1);

  first_thread = g_thread_new ("first", enqueue_thread, &first);
  gate_wait_held (f);

  /* within 10 s each, or the test fails rather than hangs */
  second_thread = g_thread_new ("second", enqueue_thread, &second);
  for (guint i = 0; i < 10000 && _pgqrs_sqlite_backend_get_n_waiting_turns (backend) < 1; i++)
    g_usleep (1000);
  g_assert_cmpuint (_pgqrs_sqlite_backend_get_n_waiting_turns (backend), ==, 1);
  third_thread = g_thread_new ("third", enqueue_thread, &third);
  for (guint i = 0; i < 10000 && _pgqrs_sqlite_backend_get_n_in_flight (backend) < 1; i++)
    g_usleep (1000);
  g_assert_cmpuint (_pgqrs_sqlite_backend_get_n_in_flight (backend), ==, 1);

  gate_release (f);
  /* the first caller may answer the second before its own call returns;
   * the threads are compared with the committers below, hence the refs */
  g_thread_join (g_thread_ref (first_thread));
  g_thread_join (g_thread_ref (second_thread));
  g_thread_join (g_thread_ref (third_thread));

  g_assert_no_error (first.error);
  g_assert_no_error (second.error);
  g_assert_no_error (third.error);
  g_assert_cmpint (first.id, >, 0);
  g_assert_cmpint (second.id, >, first.id);
  g_assert_cmpint (third.id, >, 0);
  g_assert_cmpint (count_messages (f), ==, 3);

  /* the first caller's commit and the second's both on the first
   * caller's thread; the third's on the owner thread, neither of them */
  g_assert_cmpint (g_atomic_int_get (&f->n_committers), ==, 3);
  g_assert_true (f->committers[0] == first_thread);
  g_assert_true (f->committers[1] == first_thread || f->committers[2] == first_thread);
  g_assert_true (f->committers[1] != second_thread && f->committers[2] != second_thread);
  g_assert_true (f->committers[1] != third_thread && f->committers[2] != third_thread);
  g_thread_unref (first_thread);
  g_thread_unref (second_thread);
  g_thread_unref (third_thread);
}

/* No request leaves a statement running: one that did would hold the
 * connection's read snapshot, which no checkpoint can pass, and the
 * write-ahead log would grow with every later commit.  A triggered run
 * executed under its trigger's lease uses every kind of request (a
 * lease, a fenced start, fenced step operations, a fenced completion, an
 * archive); afterwards another connection checkpoints the whole log. */
static JsonNode *
one_step (PgqrsStep *step,
          gpointer   user_data)
{
  return json_from_string ("1", NULL);
}

static void
test_no_statement_left_running (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) input = payload ("in");
  g_autoptr(JsonNode) output = payload ("out");
  g_autoptr(JsonNode) step = NULL;
  g_autoptr(PgqrsWorkflow) triggered = NULL;
  g_autoptr(PgqrsWorkflow) run = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  PgqrsMessage *trigger;
  sqlite3 *db;
  int n_log = -1, n_checkpointed = -1;

  g_assert_true (pgqrs_store_define_workflow (f->store, "pipeline", "jobs", NULL, &error));
  g_assert_no_error (error);
  triggered = pgqrs_store_trigger_workflow (f->store, "pipeline", input, NULL, &error);
  g_assert_no_error (error);
  messages = pgqrs_queue_dequeue (f->queue, 1, 30, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 1);
  trigger = g_ptr_array_index (messages, 0);

  run = _pgqrs_workflow_start_triggered (f->store, pgqrs_workflow_get_id (triggered),
                                         pgqrs_message_get_id (trigger),
                                         _pgqrs_message_get_lease_count (trigger), &error);
  g_assert_no_error (error);
  step = pgqrs_workflow_run_step (run, "one", one_step, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pgqrs_workflow_complete (run, output, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (pgqrs_queue_archive (f->queue, trigger, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (sqlite3_open (_pgqrs_config_get_sqlite_path (pgqrs_store_get_config (f->store)), &db),
                   ==, SQLITE_OK);
  /* a first read, for the connection to find the log */
  g_assert_cmpint (sqlite3_exec (db, "SELECT count (*) FROM pgqrs_messages", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &n_log, &n_checkpointed),
                   ==, SQLITE_OK);
  g_assert_cmpint (n_log, ==, 0);
  sqlite3_close (db);
}

/* The stores of one file in a process share one backend (one connection
 * and owner thread), however the path is spelled; another file, another
 * busy timeout or an in-memory database get their own; once the last
 * store of a file is gone, so is its backend. */
static PgqrsStore *
open_store (const char *dsn)
{
  g_autoptr(GError) error = NULL;
  PgqrsStore *store = pgqrs_store_new (dsn, NULL, &error);

  g_assert_no_error (error);
  return store;
}

static void
test_stores_share_a_backend (void)
{
  g_autofree char *dir = g_dir_make_tmp ("pgqrs-shared-XXXXXX", NULL);
  g_autofree char *base = g_path_get_basename (dir);
  g_autofree char *a_dsn = g_strdup_printf ("sqlite://%s/q.db", dir);
  g_autofree char *roundabout = g_strdup_printf ("sqlite://%s/./../%s/q.db", dir, base);
  g_autofree char *patient = g_strdup_printf ("sqlite://%s/q.db?busy_timeout=1234", dir);
  g_autofree char *other = g_strdup_printf ("sqlite://%s/r.db", dir);
  PgqrsStore *a = open_store (a_dsn);
  PgqrsStore *b = open_store (roundabout);
  PgqrsStore *c = open_store (patient);
  PgqrsStore *d = open_store (other);
  PgqrsStore *m1 = open_store ("sqlite::memory:");
  PgqrsStore *m2 = open_store ("sqlite::memory:");
  PgqrsBackend *shared = _pgqrs_store_get_backend (a);
  PgqrsStore *again;

  g_assert_true (_pgqrs_store_get_backend (b) == shared);
  g_assert_true (_pgqrs_store_get_backend (c) != shared);
  g_assert_true (_pgqrs_store_get_backend (d) != shared);
  g_assert_true (_pgqrs_store_get_backend (m1) != _pgqrs_store_get_backend (m2));

  g_object_add_weak_pointer (G_OBJECT (shared), (gpointer *)&shared);
  g_object_unref (a);
  g_assert_nonnull (shared);
  g_object_unref (b);
  g_assert_null (shared);

  again = open_store (a_dsn);
  g_assert_true (_pgqrs_store_get_backend (again) != _pgqrs_store_get_backend (c));

  g_object_unref (again);
  g_object_unref (c);
  g_object_unref (d);
  g_object_unref (m1);
  g_object_unref (m2);
  for (guint i = 0; i < 2; i++)
    for (guint j = 0; j < 3; j++)
      {
        g_autofree char *path = g_strdup_printf ("%s/%s%s", dir, i ? "r.db" : "q.db",
                                                 (const char *[]){ "", "-wal", "-shm" }[j]);
        g_unlink (path);
      }
  g_rmdir (dir);
}

/* Another connection holds the write lock past the busy timeout: a write
 * fails with an error that says so and leaves nothing behind, again on a
 * second try (the transaction's statements are kept prepared and must be
 * ready to run again); once the lock is gone the same store writes, and
 * nothing is lost. */
static void
test_write_lock_held_elsewhere (Fixture       *f,
                                gconstpointer  data)
{
  const char *path = _pgqrs_config_get_sqlite_path (pgqrs_store_get_config (f->store));
  g_autofree char *dsn = g_strdup_printf ("sqlite://%s?busy_timeout=50", path);
  g_autoptr(PgqrsStore) impatient = open_store (dsn);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = pgqrs_store_get_queue (impatient, "jobs", NULL, &error);
  g_autoptr(JsonNode) first = payload ("first");
  g_autoptr(JsonNode) second = payload ("second");
  g_autoptr(GPtrArray) messages = NULL;
  sqlite3 *db;

  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_queue_enqueue (queue, first, NULL, &error), >, 0);
  g_assert_no_error (error);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpint (pgqrs_queue_enqueue (queue, second, NULL, &error), ==, 0);
      g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_DATABASE);
      g_assert_nonnull (strstr (error->message, "begin a transaction"));
      g_assert_nonnull (strstr (error->message, "locked"));
      g_clear_error (&error);
    }
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  g_assert_cmpint (pgqrs_queue_enqueue (queue, second, NULL, &error), >, 0);
  g_assert_no_error (error);
  messages = pgqrs_queue_dequeue (queue, 10, 30, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 2);
}

/* The WAL of a file is copied back into the database (checkpointed) on a
 * thread of the store's, beside the writes, not inside the commits that
 * fill it; and it stays bounded under a steady stream of writes, which
 * seldom leave that thread a moment with no frame added meanwhile.  With
 * SQLite's own checkpoints the thread counts none; with no checkpoints at
 * all 4,000 writes of a 3 KB payload (two or three pages each) leave the
 * WAL at 8,000 frames or more. */
static void
count_checkpoints (gpointer connection,
                   gpointer data)
{
  *(guint *)data = _pgqrs_sqlite_connection_get_checkpoints (connection);
}

static void
test_checkpoints_beside_writes (Fixture       *f,
                                gconstpointer  data)
{
  const char *path = _pgqrs_config_get_sqlite_path (pgqrs_store_get_config (f->store));
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *text = g_strnfill (3000, 'x');
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), text);
  g_autoptr(GError) error = NULL;
  const guint n = 4000;
  guint checkpoints = 0;
  sqlite3 *db;
  sqlite3_stmt *stmt;
  GStatBuf st;
  int page_size;

  for (guint i = 0; i < n; i++)
    {
      gint64 id = pgqrs_queue_enqueue (f->queue, node, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (id, >, 0);
    }

  _pgqrs_sqlite_backend_run_sync (_pgqrs_store_get_backend (f->store), count_checkpoints, &checkpoints);
  g_assert_cmpuint (checkpoints, >, 0);

  /* every message is there, seen from another connection */
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*), (SELECT page_size FROM pragma_page_size) "
                                           "FROM pgqrs_messages", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, n);
  page_size = sqlite3_column_int (stmt, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  /* A WAL file does not shrink: its size is the most frames it held.
   * Frames are a 24-byte header and a page, after a 32-byte file header;
   * the commit that reaches the limit can pass it by its own frames. */
  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_assert_cmpint (st.st_size, <=, 32 + (gint64)(PGQRS_SQLITE_WAL_LIMIT + 10) * (page_size + 24));
}

/* A blocking call, answered without a main context, still wakes this
 * store's watchers in their own context. */
static void
woken_cb (gint64   queue_id,
          gpointer user_data)
{
  *(gint64 *)user_data = queue_id;
}

static void
test_blocking_wakes (void)
{
  /* in memory: no log watch, whose wakeups (queue 0) would merge with it */
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) store = pgqrs_store_new ("sqlite::memory:", NULL, &error);
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(JsonNode) node = payload ("x");
  PgqrsBackend *backend;
  gint64 woken = -1;
  guint watch;

  g_assert_no_error (error);
  g_assert_true (pgqrs_store_install (store, NULL, &error));
  g_assert_no_error (error);
  queue = pgqrs_store_create_queue (store, "jobs", NULL, &error);
  g_assert_no_error (error);
  backend = _pgqrs_store_get_backend (store);

  watch = _pgqrs_backend_watch (backend, woken_cb, &woken, NULL);
  g_assert_cmpint (pgqrs_queue_enqueue (queue, node, NULL, &error), >, 0);
  g_assert_no_error (error);
  while (woken == -1)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (woken, ==, pgqrs_queue_get_id (queue));
  _pgqrs_backend_unwatch (backend, watch);

  messages = pgqrs_queue_dequeue (queue, 1, 30, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 1);
  g_assert_true (pgqrs_queue_archive (queue, g_ptr_array_index (messages, 0), NULL, &error));
  g_assert_no_error (error);
}

/* A consumer that is busy (its lease on its way, its handlers running)
 * looks for work again of itself, so the file is not watched for other
 * processes' commits meanwhile: its handlers' own writes would wake the
 * watching thread on every commit.  Once it waits for work again the
 * file is watched, and another process's enqueue wakes it long before its
 * 10 s poll interval.  An enqueue while it was busy is not lost: it
 * looks at the queue when its handler ends. */
static gboolean
keep_job (PgqrsJob *job,
          gpointer  user_data)
{
  pgqrs_job_defer (job);
  g_ptr_array_add (user_data, g_object_ref (job));
  return FALSE;   /* ignored: deferred */
}

static void
spin_for (double seconds)
{
  gint64 until = g_get_monotonic_time () + (gint64)(seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
}

/* Iterates the default context until @jobs has @n, at most 5 s; returns
 * the seconds it took. */
static double
wait_for_jobs (GPtrArray *jobs,
               guint      n)
{
  gint64 start = g_get_monotonic_time ();

  while (jobs->len < n && g_get_monotonic_time () - start < 5 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  g_assert_cmpuint (jobs->len, ==, n);

  return (g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC;
}

static void
produce_elsewhere (PgqrsStore *store,
                   const char *first)
{
  g_autoptr(PgqrsTestChild) producer = NULL;

  producer = pgqrs_test_spawn_workerl ("produce", pgqrs_config_get_dsn (pgqrs_store_get_config (store)),
                                       "jobs", "1", "1", first, NULL);
  pgqrs_test_child_wait (producer);
}

static void
test_busy_consumer_unwatches_file (Fixture       *f,
                                   gconstpointer  data)
{
  PgqrsBackend *backend = _pgqrs_store_get_backend (f->store);
  g_autoptr(PgqrsConsumer) consumer = pgqrs_consumer_new (f->queue, "busy");
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = payload ("x");

  g_object_set (consumer, "poll-interval", 10.0, NULL);
  pgqrs_consumer_set_handler (consumer, keep_job, jobs, NULL);
  pgqrs_consumer_run_async (consumer, NULL, pgqrs_test_store_result, &result);

  /* waiting for work: watched */
  spin_for (0.3);
  g_assert_true (_pgqrs_sqlite_backend_is_watching_file (backend));

  /* busy: not watched, and another process's enqueue is not heard */
  g_assert_cmpint (pgqrs_queue_enqueue (f->queue, node, NULL, &error), >, 0);
  g_assert_no_error (error);
  wait_for_jobs (jobs, 1);
  spin_for (0.2);
  g_assert_false (_pgqrs_sqlite_backend_is_watching_file (backend));
  produce_elsewhere (f->store, "--first=2");
  spin_for (0.3);
  g_assert_cmpuint (jobs->len, ==, 1);
  g_assert_false (_pgqrs_sqlite_backend_is_watching_file (backend));

  /* done with it: the consumer finds the other process's message */
  pgqrs_job_complete (g_ptr_array_index (jobs, 0));
  g_assert_cmpfloat (wait_for_jobs (jobs, 2), <, 2.0);
  pgqrs_job_complete (g_ptr_array_index (jobs, 1));

  /* waiting again: watched, and woken by another process's enqueue */
  spin_for (0.3);
  g_assert_true (_pgqrs_sqlite_backend_is_watching_file (backend));
  produce_elsewhere (f->store, "--first=3");
  g_assert_cmpfloat (wait_for_jobs (jobs, 3), <, 2.0);
  pgqrs_job_complete (g_ptr_array_index (jobs, 2));

  pgqrs_consumer_stop (consumer);
  g_assert_true (pgqrs_consumer_run_finish (consumer, pgqrs_test_await (&result), &error));
  g_assert_no_error (error);
  g_assert_false (_pgqrs_sqlite_backend_is_watching_file (backend));
}

/* The crash test: a child process enqueues with many requests in flight
 * (so that they run in groups), appends each id to a file once it is
 * answered, and is killed with requests still queued and a group perhaps
 * half-run.  Every id it was answered must be in the database: nothing is
 * reported done before its commit. */
#define CRASH_IN_FLIGHT 32

typedef struct
{
  PgqrsQueue *queue;
  int         fd;
  guint       answered;
  guint       kill_after;
} Crasher;

static void crash_enqueue (Crasher *crasher);

static void
crash_enqueued_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Crasher *crasher = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id = pgqrs_queue_enqueue_finish (crasher->queue, result, &error);
  char line[32];
  int len;

  g_assert_no_error (error);
  len = g_snprintf (line, sizeof line, "%" G_GINT64_FORMAT "\n", id);
  g_assert_cmpint (write (crasher->fd, line, len), ==, len);

  if (++crasher->answered == crasher->kill_after)
    kill (getpid (), SIGKILL);
  crash_enqueue (crasher);
}

static void
crash_enqueue (Crasher *crasher)
{
  pgqrs_queue_enqueue_async (crasher->queue, payload ("crash"), NULL, crash_enqueued_cb, crasher);
}

static void
test_crash (void)
{
  /* made by main(), before any thread: the child inherits it */
  const char *dir = g_getenv ("PGQRS_TEST_CRASH_DIR");
  g_autofree char *dsn = g_strdup_printf ("sqlite://%s/crash.db", dir);
  g_autofree char *answered_path = g_build_filename (dir, "answered", NULL);

  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PgqrsStore) store = pgqrs_store_new (dsn, NULL, &error);
      Crasher crasher = { 0 };

      g_assert_no_error (error);
      crasher.queue = pgqrs_store_get_queue (store, "jobs", NULL, &error);
      g_assert_no_error (error);
      crasher.fd = open (answered_path, O_WRONLY | O_APPEND | O_CREAT, 0600);
      g_assert_cmpint (crasher.fd, >=, 0);
      crasher.kill_after = g_test_rand_int_range (200, 1200);
      for (guint i = 0; i < CRASH_IN_FLIGHT; i++)
        crash_enqueue (&crasher);
      for (;;)
        g_main_context_iteration (NULL, TRUE);
    }
  else
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PgqrsStore) store = pgqrs_store_new (dsn, NULL, &error);
      g_autoptr(PgqrsQueue) queue = NULL;
      g_autofree char *answered = NULL;
      g_auto(GStrv) lines = NULL;
      g_autoptr(GString) ids = g_string_new (NULL);
      guint n = 0;

      g_assert_no_error (error);
      g_assert_true (pgqrs_store_install (store, NULL, &error));
      g_assert_no_error (error);
      queue = pgqrs_store_create_queue (store, "jobs", NULL, &error);
      g_assert_no_error (error);

      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_failed ();

      g_assert_true (g_file_get_contents (answered_path, &answered, NULL, &error));
      g_assert_no_error (error);
      lines = g_strsplit (g_strstrip (answered), "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_string_append_printf (ids, "%s%s", n ? "," : "", lines[i]);
          n++;
        }
      g_assert_cmpuint (n, >=, 200);
      {
        g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM pgqrs_messages WHERE id IN (%s)",
                                                ids->str);

        g_assert_cmpint (pgqrs_test_exec_sql (store, sql, NULL), ==, n);
      }
    }
}

static char *crash_dir;

static void
remove_crash_dir (void)
{
  const char *files[] = { "answered", "crash.db", "crash.db-wal", "crash.db-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (crash_dir, files[i], NULL);

      g_unlink (path);
    }
  g_rmdir (crash_dir);
}

int
main (int    argc,
      char **argv)
{
  pgqrs_test_init (&argc, &argv);

  if (!pgqrs_test_backend_is_sqlite ())
    {
      g_test_skip ("SQLite only");
      return g_test_run ();
    }

  g_test_add ("/sqlite/group-commit/isolation", Fixture, NULL,
              fixture_setup, test_group_isolation, fixture_teardown);
  g_test_add ("/sqlite/group-commit/blocking", Fixture, NULL,
              fixture_setup, test_group_blocking, fixture_teardown);
  g_test_add_func ("/sqlite/blocking/wakes", test_blocking_wakes);
  g_test_add ("/sqlite/blocking/caller-runs", Fixture, NULL,
              fixture_setup, test_caller_runs, fixture_teardown);
  g_test_add ("/sqlite/blocking/caller-waits-its-turn", Fixture, NULL,
              fixture_setup, test_caller_waits_its_turn, fixture_teardown);
  g_test_add ("/sqlite/blocking/callers-take-turns", Fixture, NULL,
              fixture_setup, test_callers_take_turns, fixture_teardown);
  g_test_add ("/sqlite/no-statement-left-running", Fixture, NULL,
              fixture_setup, test_no_statement_left_running, fixture_teardown);
  g_test_add_func ("/sqlite/stores-share-a-backend", test_stores_share_a_backend);
  g_test_add ("/sqlite/checkpoints-beside-writes", Fixture, NULL,
              fixture_setup, test_checkpoints_beside_writes, fixture_teardown);
  g_test_add ("/sqlite/busy-consumer-unwatches-file", Fixture, NULL,
              fixture_setup, test_busy_consumer_unwatches_file, fixture_teardown);
  g_test_add ("/sqlite/write-lock-held-elsewhere", Fixture, NULL,
              fixture_setup, test_write_lock_held_elsewhere, fixture_teardown);
  if (!g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;

      crash_dir = g_dir_make_tmp ("pgqrs-crash-XXXXXX", &error);
      g_assert_no_error (error);
      g_setenv ("PGQRS_TEST_CRASH_DIR", crash_dir, TRUE);
      atexit (remove_crash_dir);
    }
  g_test_add_func ("/sqlite/group-commit/crash", test_crash);

  return g_test_run ();
}
