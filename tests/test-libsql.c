/* test-libsql.c — what only the Turso/libSQL backend has: servers that
 * restart under a run, tokens, the Turso engine's life
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "test-util.h"
#include "test-libsql-server.h"
#include "pgqrs-store-private.h"
#include "backends/libsql/pgqrs-libsql-backend-private.h"

static JsonNode *
seq_payload (gint64 seq)
{
  g_autofree char *text = g_strdup_printf ("{\"seq\": %" G_GINT64_FORMAT "}", seq);

  return pgqrs_test_json (text);
}

static gint64
payload_seq (PgqrsMessage *message)
{
  return json_object_get_int_member (json_node_get_object (pgqrs_message_get_payload (message)), "seq");
}

/* Retries a call while the server is away; fails the test after 60 s. */
#define RETRY(call, ok)                                                         \
  G_STMT_START {                                                                \
    gint64 retry_deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;      \
    for (;;)                                                                    \
      {                                                                         \
        g_clear_error (&error);                                                 \
        call;                                                                   \
        if (ok)                                                                 \
          break;                                                                \
        g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION);            \
        if (g_get_monotonic_time () > retry_deadline)                           \
          g_error ("still failing: %s", error->message);                        \
        retries++;                                                              \
        g_usleep (G_USEC_PER_SEC / 20);                                         \
      }                                                                         \
  } G_STMT_END

typedef struct
{
  PgqrsStore *store;
  int         killed_engine;   /* turso: the engine's process id */
  int         done;
} Restart;

/* sqld: stopped and started again on its port and files; the Turso engine:
 * killed, for the store to start it again. */
static gpointer
restart_thread (gpointer data)
{
  Restart *restart = data;
  PgqrsBackend *backend = _pgqrs_store_get_backend (restart->store);
  g_autofree char *url = _pgqrs_libsql_backend_get_url (backend);

  g_usleep (G_USEC_PER_SEC / 20);

  if (g_str_equal (pgqrs_test_backend_name (), "turso"))
    {
      int pid = _pgqrs_libsql_backend_get_engine_pid (backend);

      g_assert_cmpint (pid, >, 0);
      kill (pid, SIGKILL);
      restart->killed_engine = pid;
    }
  else
    pgqrs_test_sqld_restart (url);

  g_atomic_int_set (&restart->done, TRUE);
  return NULL;
}

/* The server goes away in the middle of a run of enqueue, dequeue and
 * archive: calls fail with CONNECTION while it is away, the store carries
 * on with it when it is back, every message is archived, and none twice. */
static void
test_server_restart (void)
{
  const gint64 n = 300;
  g_autoptr(PgqrsStore) store = pgqrs_test_open_store (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = pgqrs_store_create_queue (store, "restart", NULL, &error);
  g_autoptr(PgqrsQueueMetrics) metrics = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  Restart restart = { store, 0, FALSE };
  GThread *restarter = NULL;
  guint retries = 0;
  guint archived = 0;
  gint64 produced = 0;

  g_assert_no_error (error);

  for (;;)
    {
      g_autoptr(GPtrArray) leased = NULL;
      g_autoptr(GArray) flags = NULL;

      if (produced == n / 3 && restarter == NULL)
        restarter = g_thread_new ("restart", restart_thread, &restart);

      if (produced < n)
        {
          g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
          g_autoptr(GArray) ids = NULL;

          for (gint64 i = 0; i < 10; i++)
            g_ptr_array_add (payloads, seq_payload (produced + i));
          RETRY (ids = pgqrs_queue_enqueue_batch (queue, payloads, 0, NULL, &error), ids != NULL);
          produced += 10;
        }

      /* a lease whose answer was lost with the server comes back after 2 s */
      RETRY (leased = pgqrs_queue_dequeue (queue, 7, 2, NULL, &error), leased != NULL);
      if (leased->len > 0)
        {
          RETRY (flags = pgqrs_queue_archive_batch (queue, leased, NULL, &error), flags != NULL);
          for (guint i = 0; i < flags->len; i++)
            archived += g_array_index (flags, gboolean, i);
          continue;
        }

      if (produced < n || !g_atomic_int_get (&restart.done))
        continue;

      /* an archive whose answer was lost may have happened all the same:
       * done when nothing is left unarchived */
      RETRY (metrics = pgqrs_store_get_metrics (store, "restart", NULL, &error), metrics != NULL);
      if (pgqrs_queue_metrics_get_archived (metrics) == pgqrs_queue_metrics_get_total (metrics))
        break;
      g_clear_object (&metrics);
      g_usleep (G_USEC_PER_SEC / 10);
    }

  g_thread_join (restarter);
  g_test_message ("%u calls failed while the server was away", retries);
  if (restart.killed_engine != 0)
    {
      /* The engine was killed and the store runs another.  Calls fail only
       * if one was in flight: one the engine refused had not reached it,
       * and was sent again to the engine started anew. */
      int engine = _pgqrs_libsql_backend_get_engine_pid (_pgqrs_store_get_backend (store));

      g_assert_cmpint (engine, >, 0);
      g_assert_cmpint (engine, !=, restart.killed_engine);
    }
  else
    g_assert_cmpuint (retries, >, 0);

  /* every sequence number made it (an enqueue retried after a lost answer
   * may have made a second copy of a batch, never fewer) */
  g_assert_cmpint (pgqrs_queue_metrics_get_total (metrics), >=, n);
  all = pgqrs_store_list_archived (store, "restart", FALSE, 100000, 0, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < all->len; i++)
    {
      gint64 seq = payload_seq (g_ptr_array_index (all, i));

      g_hash_table_add (seen, g_memdup2 (&seq, sizeof seq));
    }
  for (gint64 seq = 0; seq < n; seq++)
    g_assert_true (g_hash_table_contains (seen, &seq));
  /* an archive's lease token dies with the archive: no message archived
   * twice, even by an archive retried after a lost answer */
  g_assert_cmpuint (archived, <=, all->len);
  g_assert_cmpuint (all->len, ==, pgqrs_queue_metrics_get_total (metrics));

  g_clear_object (&queue);
  g_clear_object (&metrics);
  g_assert_finalize_object (g_steal_pointer (&store));
}

/* A store on @dsn with the tables and @queue_name installed, which runs
 * the Turso engine: its process id in *engine. */
static PgqrsStore *
open_engine_owner (const char *dsn,
                   const char *queue_name,
                   int        *engine)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) store = pgqrs_store_new (dsn, NULL, &error);
  g_autoptr(PgqrsQueue) queue = NULL;

  g_assert_no_error (error);
  pgqrs_store_install (store, NULL, &error);
  g_assert_no_error (error);
  queue = pgqrs_store_create_queue (store, queue_name, NULL, &error);
  g_assert_no_error (error);
  *engine = _pgqrs_libsql_backend_get_engine_pid (_pgqrs_store_get_backend (store));
  g_assert_cmpint (*engine, >, 0);

  return g_steal_pointer (&store);
}

/* turso:///path: the process that runs the engine stops it (its store
 * closes) while another process sends one enqueue after another on it.
 * The other process loses no call and makes no duplicate: the engine is
 * stopped between two of its requests, never under one, and its next
 * request goes to the engine it starts again. */
static void
test_engine_handoff (void)
{
  const guint n = 200;
  g_autofree char *dsn = pgqrs_test_new_dsn (NULL);
  g_autofree char *produced = g_strdup_printf ("produced %u", n);
  g_autoptr(GError) error = NULL;
  int first_engine;
  g_autoptr(PgqrsStore) owner = open_engine_owner (dsn, "handoff", &first_engine);
  g_autoptr(PgqrsStore) after = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(PgqrsQueueMetrics) metrics = NULL;
  g_autoptr(PgqrsTestChild) producer = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  producer = pgqrs_test_spawn_workerl ("produce", dsn, "handoff", "200", "1", NULL);
  for (gint64 total = 0; total < 20; g_usleep (G_USEC_PER_SEC / 50))
    {
      g_clear_object (&metrics);
      metrics = pgqrs_store_get_metrics (owner, "handoff", NULL, &error);
      g_assert_no_error (error);
      total = pgqrs_queue_metrics_get_total (metrics);
    }
  /* the producer is in the middle of its run: the engine goes */
  g_assert_finalize_object (g_steal_pointer (&owner));
  g_assert_cmpint (kill (first_engine, 0), !=, 0);

  pgqrs_test_child_wait (producer);
  g_assert_cmpstr (g_strstrip (producer->out), ==, produced);

  after = pgqrs_store_new (dsn, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&metrics);
  metrics = pgqrs_store_get_metrics (after, "handoff", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_queue_metrics_get_total (metrics), ==, n);
  queue = pgqrs_store_get_queue (after, "handoff", NULL, &error);
  g_assert_no_error (error);
  pending = pgqrs_queue_list_messages (queue, PGQRS_MESSAGE_STATE_PENDING, n + 10, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, n);
  for (guint i = 0; i < pending->len; i++)
    {
      gint64 seq = payload_seq (g_ptr_array_index (pending, i));

      g_assert_true (seq >= 0 && seq < n);
      g_assert_true (g_hash_table_add (seen, g_memdup2 (&seq, sizeof seq)));
    }
  g_clear_pointer (&pending, g_ptr_array_unref);
  g_clear_object (&queue);
  g_assert_finalize_object (g_steal_pointer (&after));
}

/* turso:///path: the engine another process runs is killed while this
 * one is idle; its next call finds the engine gone (the connection is
 * refused, so the request never reached it), starts it again and goes
 * through.  The other process is played by a store on the same file
 * through a symbolic link: its own registry entry, which adopts the
 * engine as a store of another process does. */
static void
test_engine_killed_elsewhere (void)
{
  g_autofree char *dsn = pgqrs_test_new_dsn (NULL);
  g_autofree char *path = g_strdup (dsn + strlen ("turso://"));
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *link = g_strconcat (dir, "-link", NULL);
  g_autofree char *linked_dsn = g_strdup_printf ("turso://%s/%s", link, base);
  g_autoptr(GError) error = NULL;
  int engine;
  g_autoptr(PgqrsStore) owner = open_engine_owner (dsn, "killed", &engine);
  g_autoptr(PgqrsStore) other = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(PgqrsQueue) other_queue = NULL;
  g_autoptr(PgqrsQueueMetrics) metrics = NULL;
  g_autoptr(JsonNode) one = pgqrs_test_json ("{\"seq\": 1}");

  queue = pgqrs_store_get_queue (owner, "killed", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (symlink (dir, link), ==, 0);

  other = pgqrs_store_new (linked_dsn, NULL, &error);
  g_assert_no_error (error);
  other_queue = pgqrs_store_get_queue (other, "killed", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (_pgqrs_libsql_backend_get_engine_pid (_pgqrs_store_get_backend (other)), ==, 0);

  kill (engine, SIGKILL);
  while (kill (engine, 0) == 0)
    g_usleep (G_USEC_PER_SEC / 100);

  pgqrs_queue_enqueue (other_queue, one, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (_pgqrs_libsql_backend_get_engine_pid (_pgqrs_store_get_backend (other)), >, 0);
  pgqrs_queue_enqueue (queue, one, NULL, &error);
  g_assert_no_error (error);

  metrics = pgqrs_store_get_metrics (owner, "killed", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_queue_metrics_get_total (metrics), ==, 2);

  g_clear_object (&queue);
  g_clear_object (&other_queue);
  g_assert_finalize_object (g_steal_pointer (&owner));
  g_assert_finalize_object (g_steal_pointer (&other));
  g_unlink (link);
}

/* turso:///path: two stores of one process share the engine; the one
 * that started it closes (its owner thread ends) and the engine, which the
 * other still uses, stays. */
static void
test_engine_outlives_first_store (void)
{
  g_autofree char *dsn = pgqrs_test_new_dsn (NULL);
  g_autoptr(GError) error = NULL;
  int engine;
  g_autoptr(PgqrsStore) first = open_engine_owner (dsn, "shared", &engine);
  g_autoptr(PgqrsStore) second = pgqrs_store_new (dsn, NULL, &error);
  g_autoptr(PgqrsQueueMetrics) metrics = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (_pgqrs_libsql_backend_get_engine_pid (_pgqrs_store_get_backend (second)), ==, engine);
  g_assert_finalize_object (g_steal_pointer (&first));

  /* a killed engine is gone within this */
  g_usleep (G_USEC_PER_SEC / 2);
  g_assert_cmpint (kill (engine, 0), ==, 0);
  metrics = pgqrs_store_get_metrics (second, "shared", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (_pgqrs_libsql_backend_get_engine_pid (_pgqrs_store_get_backend (second)), ==, engine);
  g_clear_object (&metrics);
  g_assert_finalize_object (g_steal_pointer (&second));
}

/* A token in the DSN reaches the server and nothing else: not the dsn
 * property, not an error.  A wrong one is a clear CONNECTION error. */
static void
test_token_in_dsn (void)
{
  const char *token = NULL;
  const char *url = pgqrs_test_sqld_start (TRUE, &token);
  const char *bad = pgqrs_test_sqld_bad_token ();
  g_autofree char *good_dsn = g_strdup_printf ("%s?authToken=%s&max_read_count=3", url, token);
  g_autofree char *bad_dsn = g_strdup_printf ("%s?authToken=%s", url, bad);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) store = NULL;
  g_autoptr(PgqrsStore) refused = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autofree char *shown = NULL;

  g_unsetenv ("PGQRS_AUTH_TOKEN");
  g_unsetenv ("LIBSQL_AUTH_TOKEN");

  store = pgqrs_store_new (good_dsn, NULL, &error);
  g_assert_no_error (error);
  pgqrs_store_install (store, NULL, &error);
  g_assert_no_error (error);
  queue = pgqrs_store_create_queue (store, "guarded", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pgqrs_config_get_max_read_count (pgqrs_store_get_config (store)), ==, 3);
  g_object_get (pgqrs_store_get_config (store), "dsn", &shown, NULL);
  g_test_message ("dsn: %s", shown);
  g_assert_null (strstr (shown, token));
  g_assert_null (strstr (shown, strrchr (token, '.') + 1));

  refused = pgqrs_store_new (bad_dsn, NULL, &error);
  if (refused != NULL)
    pgqrs_store_install (refused, NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "HTTP 401"));
  g_assert_null (strstr (error->message, bad));
  g_assert_null (strstr (error->message, strrchr (bad, '.') + 1));
}

int
main (int   argc,
      char *argv[])
{
  pgqrs_test_init (&argc, &argv);

  g_test_add_func ("/pgqrs/libsql/server-restart", test_server_restart);
  if (g_str_equal (pgqrs_test_backend_name (), "sqld"))
    g_test_add_func ("/pgqrs/libsql/token-in-dsn", test_token_in_dsn);
  if (g_str_equal (pgqrs_test_backend_name (), "turso"))
    {
      g_test_add_func ("/pgqrs/libsql/engine-handoff", test_engine_handoff);
      g_test_add_func ("/pgqrs/libsql/engine-killed-elsewhere", test_engine_killed_elsewhere);
      g_test_add_func ("/pgqrs/libsql/engine-outlives-first-store", test_engine_outlives_first_store);
    }

  return g_test_run ();
}
