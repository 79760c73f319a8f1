/* test-postgres.c — what only the PostgreSQL backend has: libpq options in
 * the DSN, a main loop that is never blocked, connection loss and server
 * restarts, LISTEN/NOTIFY wakeups, concurrent installs and several
 * consumer processes on one queue.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <unistd.h>

#include "pgqrs-backend-private.h"
#include "pgqrs-store-private.h"
#include "test-cluster.h"
#include "test-cluster-control.h"
#include "test-util.h"

/* --- helpers -------------------------------------------------------------- */

static void
ignore_notice (void       *arg,
               const char *message)
{
}

/* A blocking libpq connection to the cluster, for looking behind the
 * store's back. */
static PGconn *
admin_connect (void)
{
  PGconn *conn = PQconnectdb (pgqrs_test_cluster_dsn (FALSE));

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("admin connection: %s", PQerrorMessage (conn));
  PQsetNoticeProcessor (conn, ignore_notice, NULL);

  return conn;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)

/* Runs @sql with one text parameter (or none); returns the first value of
 * the first row, or NULL. */
static char *
admin_query (PGconn     *conn,
             const char *sql,
             const char *param)
{
  const char *values[] = { param };
  PGresult *result = PQexecParams (conn, sql, param ? 1 : 0, NULL, values, NULL, NULL, 0);
  char *value = NULL;

  if (PQresultStatus (result) != PGRES_TUPLES_OK && PQresultStatus (result) != PGRES_COMMAND_OK)
    g_error ("admin query “%s”: %s", sql, PQerrorMessage (conn));
  if (PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) > 0 &&
      !PQgetisnull (result, 0, 0))
    value = g_strdup (PQgetvalue (result, 0, 0));
  PQclear (result);

  return value;
}

static gint64
admin_count (PGconn     *conn,
             const char *sql,
             const char *param)
{
  g_autofree char *value = admin_query (conn, sql, param);

  return value ? g_ascii_strtoll (value, NULL, 10) : 0;
}

/* A DSN with a schema of its own and an application_name that marks the
 * store's connections, to find them in pg_stat_activity. */
static char *
new_dsn_named (const char  *application_name,
               const char  *options)
{
  g_autofree char *extra = g_strdup_printf ("application_name=%s%s%s", application_name,
                                            options ? "&" : "", options ? options : "");

  return pgqrs_test_new_dsn (extra);
}

static PgqrsStore *
open_store (const char *dsn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) store = pgqrs_store_new (dsn, NULL, &error);

  g_assert_no_error (error);
  pgqrs_store_install (store, NULL, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&store);
}

static JsonNode *
seq_payload (gint64 seq)
{
  g_autofree char *text = g_strdup_printf ("{\"seq\":%" G_GINT64_FORMAT "}", seq);

  return pgqrs_test_json (text);
}

static gint64
payload_seq (PgqrsMessage *message)
{
  return json_object_get_int_member (json_node_get_object (pgqrs_message_get_payload (message)),
                                     "seq");
}

static void
assert_no_password (const GError *error,
                    const char   *password)
{
  g_assert_nonnull (error);
  if (strstr (error->message, password) != NULL)
    g_error ("the password shows in “%s”", error->message);
}

/* --- the DSN -------------------------------------------------------------- */

/* Options pgqrs does not know go to libpq as they are. */
static void
test_application_name (void)
{
  g_autofree char *name = g_strdup_printf ("pgqrs-appname-%d", (int)getpid ());
  g_autofree char *dsn = new_dsn_named (name, "connect_timeout=5");
  g_autoptr(PgqrsStore) store = open_store (dsn);
  g_autoptr(PGconn) admin = admin_connect ();

  g_assert_cmpint (admin_count (admin, "SELECT count (*) FROM pg_stat_activity "
                                       " WHERE application_name = $1", name), >=, 1);
  g_assert_finalize_object (g_steal_pointer (&store));
}

/* Without one, the connections still say who they are. */
static void
test_fallback_application_name (void)
{
  g_autofree char *dsn = pgqrs_test_new_dsn (NULL);
  g_autoptr(PgqrsStore) store = open_store (dsn);
  g_autoptr(PGconn) admin = admin_connect ();

  g_assert_cmpint (admin_count (admin, "SELECT count (*) FROM pg_stat_activity "
                                       " WHERE application_name = 'pgqrs'", NULL), >=, 1);
  g_assert_finalize_object (g_steal_pointer (&store));
}

static void
test_bad_sslmode (void)
{
  g_autofree char *dsn = pgqrs_test_new_dsn ("sslmode=bogus");
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) store = pgqrs_store_new (dsn, NULL, &error);

  g_assert_null (store);
  g_assert_nonnull (error);
  g_assert_true (g_error_matches (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG) ||
                 g_error_matches (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION));
  g_assert_nonnull (strstr (error->message, "sslmode"));
}

/* A base DSN of the cluster with a user and password put in. */
static char *
dsn_with_credentials (const char *user,
                      const char *password,
                      guint       port,
                      const char *options)
{
  return g_strdup_printf ("postgresql://%s:%s@127.0.0.1:%u/postgres?%s",
                          user, password, port, options ? options : "connect_timeout=5");
}

static guint
cluster_port (void)
{
  g_autoptr(GUri) uri = g_uri_parse (pgqrs_test_cluster_dsn (FALSE), G_URI_FLAGS_NONE, NULL);

  return g_uri_get_port (uri);
}

/* The cluster trusts everyone; this user must give a password. */
static void
ensure_password_user (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      g_autoptr(PGconn) admin = admin_connect ();
      g_autofree char *hba_file = admin_query (admin, "SHOW hba_file", NULL);
      g_autofree char *hba = NULL;
      g_autofree char *rules = NULL;
      g_autoptr(GError) error = NULL;

      g_free (admin_query (admin, "DROP ROLE IF EXISTS pgqrs_pw", NULL));
      g_free (admin_query (admin, "CREATE ROLE pgqrs_pw LOGIN SUPERUSER "
                                  "PASSWORD 'right-horse-battery'", NULL));

      g_file_get_contents (hba_file, &hba, NULL, &error);
      g_assert_no_error (error);
      rules = g_strconcat ("host all pgqrs_pw 127.0.0.1/32 scram-sha-256\n", hba, NULL);
      g_file_set_contents (hba_file, rules, -1, &error);
      g_assert_no_error (error);
      g_free (admin_query (admin, "SELECT pg_reload_conf ()", NULL));
      /* the postmaster rereads the file asynchronously */
      g_usleep (G_USEC_PER_SEC / 2);

      g_once_init_leave (&done, 1);
    }
}

static void
test_password (void)
{
  g_autofree char *good = dsn_with_credentials ("pgqrs_pw", "right-horse-battery", cluster_port (), NULL);
  g_autofree char *bad = dsn_with_credentials ("pgqrs_pw", "wrong-s3cr3t-word", cluster_port (), NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) store = NULL;

  ensure_password_user ();

  store = pgqrs_store_new (good, NULL, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (g_steal_pointer (&store));

  store = pgqrs_store_new (bad, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION);
  g_test_message ("wrong password: %s", error->message);
  assert_no_password (error, "wrong-s3cr3t-word");
  g_assert_nonnull (strstr (error->message, "pgqrs_pw"));
}

static void
test_unreachable (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) store = NULL;
  g_autofree char *refused = NULL;

  /* a port nothing listens on: the one a closed socket just had */
  {
    GSocketAddress *address = NULL;
    g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                              G_SOCKET_PROTOCOL_TCP, NULL);
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);

    g_socket_bind (socket, any, TRUE, &error);
    g_assert_no_error (error);
    address = g_socket_get_local_address (socket, &error);
    g_assert_no_error (error);
    refused = dsn_with_credentials ("postgres", "an0ther-s3cret", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)), NULL);
    g_object_unref (address);
  }

  store = pgqrs_store_new (refused, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION);
  g_test_message ("refused: %s", error->message);
  assert_no_password (error, "an0ther-s3cret");
}

/* A DSN libpq itself refuses; its message quotes the URI. */
static void
test_malformed_uri_password (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) store = NULL;
  g_autofree char *dsn = g_strdup_printf ("postgresql://postgres:s3cr%%zzet@127.0.0.1:%u/postgres",
                                          cluster_port ());

  store = pgqrs_store_new (dsn, NULL, &error);
  g_assert_null (store);
  g_assert_true (g_error_matches (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG) ||
                 g_error_matches (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION));
  g_test_message ("malformed: %s", error->message);
  assert_no_password (error, "s3cr");
}

/* A host name is looked up without blocking; libpq gets the address. */
static void
test_host_name (void)
{
  g_autofree char *dsn = g_strdup_printf ("postgresql://postgres@localhost:%u/postgres?schema=t%d_host",
                                          cluster_port (), (int)getpid ());
  g_autoptr(PgqrsStore) store = open_store (dsn);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = pgqrs_store_create_queue (store, "by-name", NULL, &error);

  g_assert_no_error (error);
  g_clear_object (&queue);
  g_assert_finalize_object (g_steal_pointer (&store));
}

/* The schema name is quoted: case and dashes are kept. */
static void
test_schema_quoting (void)
{
  g_autofree char *dsn = g_strdup_printf ("%s?schema=Mixed-Case_%d", pgqrs_test_cluster_dsn (FALSE),
                                          (int)getpid ());
  g_autofree char *schema = g_strdup_printf ("Mixed-Case_%d", (int)getpid ());
  g_autoptr(PgqrsStore) store = open_store (dsn);
  g_autoptr(PGconn) admin = admin_connect ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = pgqrs_store_create_queue (store, "quoted", NULL, &error);
  g_autoptr(JsonNode) payload = pgqrs_test_json ("{\"ok\":true}");
  g_autoptr(GPtrArray) leased = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_queue_enqueue (queue, payload, NULL, &error), >, 0);
  g_assert_no_error (error);
  leased = pgqrs_queue_dequeue (queue, 1, 30, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (leased->len, ==, 1);

  g_assert_cmpint (admin_count (admin, "SELECT count (*) FROM pg_tables "
                                       " WHERE schemaname = $1 AND tablename = 'pgqrs_messages'",
                                schema), ==, 1);
  g_clear_object (&queue);
  g_clear_pointer (&leased, g_ptr_array_unref);
  g_assert_finalize_object (g_steal_pointer (&store));
}

/* --- installs ------------------------------------------------------------- */

/* The install analyzes the one-row clock table (migration 4): costed as
 * the ~2,000 rows of a table never analyzed, the clock subqueries made
 * PostgreSQL plan the run transitions again at every execution. */
static void
test_clock_analyzed (void)
{
  g_autofree char *schema = g_strdup_printf ("clock_%d", (int)getpid ());
  g_autofree char *dsn = g_strdup_printf ("%s?schema=%s", pgqrs_test_cluster_dsn (FALSE), schema);
  g_autoptr(PgqrsStore) store = open_store (dsn);
  g_autoptr(PGconn) admin = admin_connect ();
  g_autofree char *tuples = admin_query (admin, "SELECT reltuples::int FROM pg_class c "
                                                "  JOIN pg_namespace n ON n.oid = c.relnamespace "
                                                " WHERE n.nspname = $1 AND c.relname = 'pgqrs_clock'",
                                         schema);

  g_assert_cmpstr (tuples, ==, "1");
  g_assert_finalize_object (g_steal_pointer (&store));
}

/* Whether one of the store's sessions last ran a lease that reads @limit
 * (pg_stat_activity shows a prepared statement's text). */
static gboolean
session_ran_lease (PGconn     *admin,
                   const char *application_name,
                   const char *limit)
{
  g_autofree char *pattern = g_strdup_printf ("%%ORDER BY vt, id %s %%FOR UPDATE SKIP LOCKED%%", limit);
  const char *values[] = { application_name, pattern };
  PGresult *result = PQexecParams (admin,
                                   "SELECT count (*) FROM pg_stat_activity "
                                   " WHERE application_name = $1 AND query LIKE $2",
                                   2, NULL, values, NULL, NULL, 0);
  gboolean ran;

  g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
  ran = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10) > 0;
  PQclear (result);

  return ran;
}

/* Leases @limit messages, checks that the store's session ran the lease
 * with @limit_sql, and archives them. */
static guint
dequeue_and_archive (PgqrsQueue *queue,
                     guint       limit,
                     PGconn     *admin,
                     const char *application_name,
                     const char *limit_sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = pgqrs_queue_dequeue (queue, limit, 30, NULL, &error);
  g_autoptr(GArray) done = NULL;

  g_assert_no_error (error);
  if (limit_sql != NULL)
    g_assert_true (session_ran_lease (admin, application_name, limit_sql));
  done = pgqrs_queue_archive_batch (queue, messages, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < done->len; i++)
    g_assert_true (g_array_index (done, gboolean, i));

  return messages->len;
}

/* The lease writes the size of its window into the statement, a prepared
 * statement per size, so that PostgreSQL keeps one plan for it instead of
 * planning it at every execution (pgqrs-postgres-lease-forms.c); sizes
 * beyond the first sixteen take it as a parameter.  Every size leases
 * exactly what it asks for either way. */
static void
test_lease_limit_written_in (void)
{
  g_autofree char *name = g_strdup_printf ("pgqrs-lease-forms-%d", (int)getpid ());
  g_autofree char *dsn = new_dsn_named (name, NULL);
  g_autoptr(PgqrsStore) store = open_store (dsn);
  g_autoptr(PGconn) admin = admin_connect ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = pgqrs_store_create_queue (store, "forms", NULL, &error);
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  g_autoptr(GArray) ids = NULL;
  guint leased = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < 300; i++)
    g_ptr_array_add (payloads, seq_payload (i));
  ids = pgqrs_queue_enqueue_batch (queue, payloads, 0, NULL, &error);
  g_assert_no_error (error);

  /* sizes 1 to 20: the first sixteen get forms of their own */
  for (guint limit = 1; limit <= 20; limit++)
    {
      g_autofree char *written = g_strdup_printf ("LIMIT %u", limit);

      g_assert_cmpuint (dequeue_and_archive (queue, limit, admin, name,
                                             limit <= 16 ? written : "LIMIT $5::int"), ==, limit);
      leased += limit;
    }

  /* a size that has its form keeps it */
  g_assert_cmpuint (dequeue_and_archive (queue, 7, admin, name, "LIMIT 7"), ==, 7);
  leased += 7;

  /* the rest in one go, more than is left */
  g_assert_cmpuint (dequeue_and_archive (queue, 100, admin, name, NULL), ==, 300 - leased);

  g_clear_object (&queue);
  g_assert_finalize_object (g_steal_pointer (&store));
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

/* Two stores install one schema at the same moment: the advisory lock
 * makes one wait, and it finds nothing left to do. */
static void
test_concurrent_install (void)
{
  g_autofree char *dsn = pgqrs_test_new_dsn (NULL);
  g_autoptr(GError) error = NULL;
  PgqrsStore *stores[4];
  GAsyncResult *results[G_N_ELEMENTS (stores)] = { NULL, };

  for (guint i = 0; i < G_N_ELEMENTS (stores); i++)
    {
      stores[i] = pgqrs_store_new (dsn, NULL, &error);
      g_assert_no_error (error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (stores); i++)
    pgqrs_store_install_async (stores[i], NULL, store_result_cb, &results[i]);

  for (guint i = 0; i < G_N_ELEMENTS (stores); i++)
    {
      while (results[i] == NULL)
        g_main_context_iteration (NULL, TRUE);
      g_assert_true (pgqrs_store_install_finish (stores[i], results[i], &error));
      g_assert_no_error (error);
      g_clear_object (&results[i]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (stores); i++)
    {
      g_assert_true (pgqrs_store_verify (stores[i], NULL, &error));
      g_assert_no_error (error);
      g_assert_finalize_object (stores[i]);
    }
}

/* --- the main loop -------------------------------------------------------- */

typedef struct
{
  gint64 last;
  gint64 max_gap;
  guint  ticks;
} Ticker;

static gboolean
tick_cb (gpointer user_data)
{
  Ticker *ticker = user_data;
  gint64 now = g_get_monotonic_time ();

  if (ticker->last != 0)
    ticker->max_gap = MAX (ticker->max_gap, now - ticker->last);
  ticker->last = now;
  ticker->ticks++;

  return G_SOURCE_CONTINUE;
}

typedef struct
{
  guint pending;
  guint failed;
} Batch;

static void
enqueued_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Batch *batch = user_data;
  g_autoptr(GError) error = NULL;

  if (pgqrs_queue_enqueue_finish (PGQRS_QUEUE (source), result, &error) <= 0)
    batch->failed++;
  batch->pending--;
}

static void
dequeued_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Batch *batch = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) leased = pgqrs_queue_dequeue_finish (PGQRS_QUEUE (source), result, &error);

  if (leased == NULL || leased->len != 1)
    batch->failed++;
  batch->pending--;
}

/* A 1 ms timeout keeps firing on time while 200 async enqueues and 200
 * async dequeues run: no call blocks the loop. */
static void
test_main_loop_not_blocked (void)
{
  g_autoptr(PgqrsStore) store = pgqrs_test_open_store (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = pgqrs_store_create_queue (store, "ticks", NULL, &error);
  g_autoptr(JsonNode) payload = pgqrs_test_json ("{\"tick\":true,\"filler\":\"0123456789abcdef\"}");
  Ticker ticker = { 0, };
  Batch batch = { 0, };
  guint source_id;
  gint64 started;

  g_assert_no_error (error);
  source_id = g_timeout_add (1, tick_cb, &ticker);

  started = g_get_monotonic_time ();
  for (guint i = 0; i < 200; i++, batch.pending++)
    pgqrs_queue_enqueue_async (queue, payload, NULL, enqueued_cb, &batch);
  while (batch.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (batch.failed, ==, 0);

  for (guint i = 0; i < 200; i++, batch.pending++)
    pgqrs_queue_dequeue_async (queue, 1, 30, NULL, dequeued_cb, &batch);
  while (batch.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (batch.failed, ==, 0);

  g_source_remove (source_id);
  g_test_message ("400 async calls in %.1f ms; the 1 ms timeout fired %u times, "
                  "longest gap %.1f ms",
                  (g_get_monotonic_time () - started) / 1000.0, ticker.ticks,
                  ticker.max_gap / 1000.0);
  g_assert_cmpuint (ticker.ticks, >, 10);
  /* Generous for loaded CI machines and sanitizer builds; a blocking call
   * would show as a gap of a whole round trip per query queued behind it. */
  g_assert_cmpint (ticker.max_gap, <, 50 * 1000);

  g_clear_object (&queue);
  g_assert_finalize_object (g_steal_pointer (&store));
}

/* --- the pool ------------------------------------------------------------- */

typedef struct
{
  GArray *order;
  guint   index;
} Order;

static void
ordered_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Order *order = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id = pgqrs_queue_enqueue_finish (PGQRS_QUEUE (source), result, &error);

  g_assert_no_error (error);
  g_array_append_val (order->order, id);
}

/* With one connection, callers are served in the order they came. */
static void
test_pool_fifo (void)
{
  g_autoptr(PgqrsStore) store = pgqrs_test_open_store ("max_connections=1");
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = pgqrs_store_create_queue (store, "fifo", NULL, &error);
  Order order = { g_array_new (FALSE, FALSE, sizeof (gint64)), 0 };

  g_assert_no_error (error);

  for (gint64 i = 0; i < 20; i++)
    {
      g_autoptr(JsonNode) payload = seq_payload (i);

      pgqrs_queue_enqueue_async (queue, payload, NULL, ordered_cb, &order);
    }
  while (order.order->len < 20)
    g_main_context_iteration (NULL, TRUE);

  for (guint i = 1; i < order.order->len; i++)
    g_assert_cmpint (g_array_index (order.order, gint64, i), >, g_array_index (order.order, gint64, i - 1));

  g_array_unref (order.order);
  g_clear_object (&queue);
  g_assert_finalize_object (g_steal_pointer (&store));
}

/* One store, one connection, four threads making blocking calls: a call
 * that finds the connection idle waits in its own thread, the others wait
 * for it in the pool on their private contexts and get it handed over when
 * it comes back.  Every call is answered and nothing is lost. */
#define SHARING_THREADS 4
#define SHARING_CALLS 40

typedef struct
{
  PgqrsQueue *queue;
  guint       archived;
  guint       waited;     /* calls that waited in the pool */
} Sharing;

static gpointer
sharing_thread (gpointer data)
{
  Sharing *sharing = data;
  PgqrsQueue *queue = sharing->queue;
  g_autoptr(GError) error = NULL;

  for (gint64 i = 0; i < SHARING_CALLS; i++)
    {
      g_autoptr(JsonNode) payload = seq_payload (i);
      g_autoptr(GPtrArray) messages = NULL;

      g_assert_cmpint (pgqrs_queue_enqueue (queue, payload, NULL, &error), >, 0);
      g_assert_no_error (error);
      messages = pgqrs_queue_dequeue (queue, 1, 30, NULL, &error);
      g_assert_no_error (error);
      for (guint j = 0; j < messages->len; j++)
        {
          g_assert_true (pgqrs_queue_archive (queue, g_ptr_array_index (messages, j), NULL, &error));
          g_assert_no_error (error);
          sharing->archived++;
        }
    }
  _pgqrs_backend_get_sync_context (&sharing->waited);

  return NULL;
}

static void
test_pool_shared_by_blocking_threads (void)
{
  g_autoptr(PgqrsStore) store = pgqrs_test_open_store ("max_connections=1");
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = pgqrs_store_create_queue (store, "sharing", NULL, &error);
  g_autoptr(GPtrArray) left = NULL;
  GThread *threads[SHARING_THREADS];
  Sharing sharing[SHARING_THREADS];
  guint archived = 0, waited = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < SHARING_THREADS; i++)
    {
      sharing[i] = (Sharing){ queue, 0, 0 };
      threads[i] = g_thread_new ("sharing", sharing_thread, &sharing[i]);
    }
  for (guint i = 0; i < SHARING_THREADS; i++)
    {
      g_thread_join (threads[i]);
      archived += sharing[i].archived;
      waited += sharing[i].waited;
    }
  g_test_message ("%u of %u calls waited for the connection", waited,
                  SHARING_THREADS * SHARING_CALLS * 3);

  left = pgqrs_queue_dequeue (queue, 1000, 30, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (archived + left->len, ==, SHARING_THREADS * SHARING_CALLS);
  /* the hand-over from a caller that waited in its thread to one that
   * waited in the pool happened */
  g_assert_cmpuint (waited, >, 0);

  g_clear_object (&queue);
  g_assert_finalize_object (g_steal_pointer (&store));
}

/* Holds an exclusive lock on the store's queue table from another session,
 * so that the store's statements wait on the server. */
static PGconn *
lock_queues (const char *schema)
{
  PGconn *admin = admin_connect ();
  g_autofree char *sql = g_strdup_printf ("LOCK TABLE \"%s\".pgqrs_queues IN ACCESS EXCLUSIVE MODE",
                                          schema);

  g_free (admin_query (admin, "BEGIN", NULL));
  g_free (admin_query (admin, sql, NULL));

  return admin;
}

static void
unlock_queues (PGconn *admin)
{
  g_free (admin_query (admin, "ROLLBACK", NULL));
  PQfinish (admin);
}

static gint64
waiting_on_lock (PGconn     *admin,
                 const char *application_name)
{
  return admin_count (admin, "SELECT count (*) FROM pg_stat_activity "
                             " WHERE application_name = $1 AND wait_event_type = 'Lock'",
                      application_name);
}

typedef struct
{
  gboolean  done;
  GError   *error;
} Outcome;

static void
outcome_clear (Outcome *outcome)
{
  g_clear_error (&outcome->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Outcome, outcome_clear)

static void
create_queue_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Outcome *outcome = user_data;
  g_autoptr(PgqrsQueue) queue = pgqrs_store_create_queue_finish (PGQRS_STORE (source), result,
                                                                 &outcome->error);

  outcome->done = TRUE;
}

static void
await_outcome (Outcome *outcome)
{
  while (!outcome->done)
    g_main_context_iteration (NULL, TRUE);
}

static const char *
store_schema (PgqrsStore *store)
{
  return pgqrs_config_get_schema (pgqrs_store_get_config (store));
}

/* Cancelling a call that waits on the server ends it at once, the
 * statement is cancelled on the server, and the store goes on; cancelling
 * one that waits for a connection takes it out of the line. */
static void
test_cancel_in_flight (void)
{
  g_autofree char *name = g_strdup_printf ("pgqrs-cancel-%d", (int)getpid ());
  g_autofree char *dsn = new_dsn_named (name, "max_connections=1");
  g_autoptr(PgqrsStore) store = open_store (dsn);
  g_autoptr(GCancellable) first = g_cancellable_new ();
  g_autoptr(GCancellable) second = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(PGconn) watcher = admin_connect ();
  g_auto(Outcome) first_outcome = { 0, };
  g_auto(Outcome) second_outcome = { 0, };
  PGconn *admin = lock_queues (store_schema (store));
  gint64 deadline;

  pgqrs_store_create_queue_async (store, "blocked", first, create_queue_cb, &first_outcome);
  pgqrs_store_create_queue_async (store, "waiting", second, create_queue_cb, &second_outcome);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (waiting_on_lock (watcher, name) == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (waiting_on_lock (watcher, name), ==, 1);

  /* the second waits in the pool's line: cancel it there */
  g_cancellable_cancel (second);
  await_outcome (&second_outcome);
  g_assert_error (second_outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (first_outcome.done);

  /* the first waits on the server: cancel it there */
  g_cancellable_cancel (first);
  await_outcome (&first_outcome);
  g_assert_error (first_outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* the server gives up the statement without the lock being released */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (waiting_on_lock (watcher, name) > 0 && g_get_monotonic_time () < deadline)
    g_usleep (G_USEC_PER_SEC / 50);
  g_assert_cmpint (waiting_on_lock (watcher, name), ==, 0);

  unlock_queues (admin);

  queue = pgqrs_store_create_queue (store, "after", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (pgqrs_store_get_queue (store, "blocked", NULL, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_NOT_FOUND);

  g_clear_object (&queue);
  g_assert_finalize_object (g_steal_pointer (&store));
}

/* Whether anything but its own wakeup is attached to @context: a
 * descriptor to poll, or a timeout. */
static void
assert_nothing_attached (GMainContext *context)
{
  GPollFD fds[8];
  gint priority, timeout, n;

  g_assert_true (g_main_context_acquire (context));
  g_main_context_prepare (context, &priority);
  n = g_main_context_query (context, G_MAXINT, &timeout, fds, G_N_ELEMENTS (fds));
  g_main_context_check (context, G_MAXINT, fds, MIN (n, (gint)G_N_ELEMENTS (fds)));
  g_main_context_release (context);

  g_assert_cmpint (n, ==, 1);
  g_assert_cmpint (timeout, ==, -1);
}

typedef struct
{
  PgqrsStore   *store;
  GCancellable *cancellable;
  const char   *name;
} BlockingContext;

static gpointer
cancel_when_waiting (gpointer data)
{
  BlockingContext *b = data;
  g_autoptr(PGconn) watcher = admin_connect ();
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (waiting_on_lock (watcher, b->name) == 0 && g_get_monotonic_time () < deadline)
    g_usleep (G_USEC_PER_SEC / 100);
  g_cancellable_cancel (b->cancellable);
  return NULL;
}

/* A thread's blocking calls wait in the thread itself when the pool has an
 * idle connection: no main context is made for them, not when they
 * succeed, not when the server refuses them, not when they are cancelled
 * while the server makes them wait (that drops the connection).  The
 * next call, which has to connect again, goes through the async path on
 * a private main context of the thread and leaves nothing attached to
 * it; the call after it waits in the thread again. */
static gpointer
blocking_calls_thread (gpointer data)
{
  BlockingContext *b = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(JsonNode) payload = seq_payload (1);
  GThread *canceller;
  GMainContext *context;
  guint n_calls;
  PGconn *admin;

  queue = pgqrs_store_create_queue (b->store, "context", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_queue_enqueue (queue, payload, NULL, &error), >, 0);
  g_assert_no_error (error);
  messages = pgqrs_queue_dequeue (queue, 1, 30, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 1);
  g_assert_null (pgqrs_store_get_queue (b->store, "missing", NULL, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (_pgqrs_backend_get_sync_context (&n_calls));
  g_assert_cmpuint (n_calls, ==, 0);

  admin = lock_queues (store_schema (b->store));
  canceller = g_thread_new ("canceller", cancel_when_waiting, b);
  g_assert_null (pgqrs_store_create_queue (b->store, "blocked", b->cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_thread_join (canceller);
  unlock_queues (admin);
  g_assert_null (_pgqrs_backend_get_sync_context (&n_calls));

  g_clear_pointer (&messages, g_ptr_array_unref);
  messages = pgqrs_queue_dequeue (queue, 1, 30, NULL, &error);
  g_assert_no_error (error);
  context = _pgqrs_backend_get_sync_context (&n_calls);
  g_assert_nonnull (context);
  g_assert_true (context != g_main_context_default ());
  g_assert_cmpuint (n_calls, ==, 1);
  assert_nothing_attached (context);

  g_assert_cmpint (pgqrs_queue_enqueue (queue, payload, NULL, &error), >, 0);
  g_assert_no_error (error);
  g_assert_true (_pgqrs_backend_get_sync_context (&n_calls) == context);
  g_assert_cmpuint (n_calls, ==, 1);

  return NULL;
}

static void
test_blocking_context (void)
{
  g_autofree char *name = g_strdup_printf ("pgqrs-context-%d", (int)getpid ());
  g_autofree char *dsn = new_dsn_named (name, NULL);
  g_autoptr(PgqrsStore) store = open_store (dsn);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  BlockingContext b = { store, cancellable, name };

  g_thread_join (g_thread_new ("blocking", blocking_calls_thread, &b));
  g_assert_finalize_object (g_steal_pointer (&store));
}

/* While a call waits 300 ms on the server (a lock held by another
 * session), the loop keeps running: the 1 ms timeout fires all along. A
 * call that blocked the loop would leave one gap as long as the wait. */
static void
test_main_loop_runs_while_server_waits (void)
{
  g_autofree char *name = g_strdup_printf ("pgqrs-wait-%d", (int)getpid ());
  g_autofree char *dsn = new_dsn_named (name, NULL);
  g_autoptr(PgqrsStore) store = open_store (dsn);
  g_autoptr(PGconn) watcher = admin_connect ();
  g_auto(Outcome) outcome = { 0, };
  Ticker ticker = { 0, };
  PGconn *admin = lock_queues (store_schema (store));
  guint source_id;
  gint64 deadline;

  pgqrs_store_create_queue_async (store, "waits", NULL, create_queue_cb, &outcome);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (waiting_on_lock (watcher, name) == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (waiting_on_lock (watcher, name), ==, 1);

  source_id = g_timeout_add (1, tick_cb, &ticker);
  deadline = g_get_monotonic_time () + 300 * 1000;
  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (source_id);

  g_test_message ("300 ms waiting on the server: the 1 ms timeout fired %u times, "
                  "longest gap %.1f ms", ticker.ticks, ticker.max_gap / 1000.0);
  g_assert_false (outcome.done);
  g_assert_cmpuint (ticker.ticks, >, 100);
  g_assert_cmpint (ticker.max_gap, <, 50 * 1000);

  unlock_queues (admin);
  await_outcome (&outcome);
  g_assert_no_error (outcome.error);

  g_assert_finalize_object (g_steal_pointer (&store));
}

/* --- connection loss ------------------------------------------------------ */

static gint64
terminate_backends (PGconn     *admin,
                    const char *application_name)
{
  return admin_count (admin, "SELECT count (*) FROM ("
                             "  SELECT pg_terminate_backend (pid) FROM pg_stat_activity "
                             "   WHERE application_name = $1) killed", application_name);
}

/* Connections the server closed while they sat in the pool are noticed
 * and replaced. */
static void
test_connection_loss_idle (void)
{
  g_autofree char *name = g_strdup_printf ("pgqrs-idle-loss-%d", (int)getpid ());
  g_autofree char *dsn = new_dsn_named (name, NULL);
  g_autoptr(PgqrsStore) store = open_store (dsn);
  g_autoptr(PGconn) admin = admin_connect ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = pgqrs_store_create_queue (store, "loss", NULL, &error);
  g_autoptr(JsonNode) payload = pgqrs_test_json ("1");

  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_queue_enqueue (queue, payload, NULL, &error), >, 0);
  g_assert_cmpint (terminate_backends (admin, name), >=, 1);
  g_usleep (G_USEC_PER_SEC / 10);

  /* The first call may fail, with CONNECTION; the next one works. */
  if (pgqrs_queue_enqueue (queue, payload, NULL, &error) <= 0)
    {
      g_test_message ("first call after the loss: %s", error->message);
      g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION);
      g_clear_error (&error);
    }
  g_assert_cmpint (pgqrs_queue_enqueue (queue, payload, NULL, &error), >, 0);
  g_assert_no_error (error);

  g_clear_object (&queue);
  g_assert_finalize_object (g_steal_pointer (&store));
}

/* A connection lost in the middle of a statement fails that call with
 * CONNECTION, and the next call reconnects. */
static void
test_connection_loss_in_flight (void)
{
  g_autofree char *name = g_strdup_printf ("pgqrs-busy-loss-%d", (int)getpid ());
  g_autofree char *dsn = new_dsn_named (name, NULL);
  g_autoptr(PgqrsStore) store = open_store (dsn);
  g_autoptr(PGconn) watcher = admin_connect ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_auto(Outcome) blocked = { 0, };
  PGconn *admin = lock_queues (store_schema (store));
  gint64 deadline;

  pgqrs_store_create_queue_async (store, "blocked", NULL, create_queue_cb, &blocked);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (waiting_on_lock (watcher, name) == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (terminate_backends (watcher, name), >=, 1);

  await_outcome (&blocked);
  g_assert_nonnull (blocked.error);
  g_test_message ("lost in flight: %s", blocked.error->message);
  g_assert_error (blocked.error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION);
  unlock_queues (admin);

  queue = pgqrs_store_create_queue (store, "after", NULL, &error);
  g_assert_no_error (error);

  g_clear_object (&queue);
  g_assert_finalize_object (g_steal_pointer (&store));
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
        g_assert_cmpint (g_get_monotonic_time (), <, retry_deadline);           \
        retries++;                                                              \
        g_usleep (G_USEC_PER_SEC / 20);                                         \
      }                                                                         \
  } G_STMT_END

static gpointer
restart_thread (gpointer data)
{
  pgqrs_test_cluster_restart ();
  g_atomic_int_set ((int *)data, TRUE);
  return NULL;
}

/* `pg_ctl restart -m fast` in the middle of a run of enqueue, dequeue and
 * archive: calls fail with CONNECTION while the server is away, the store
 * reconnects, and every message is archived. */
static void
test_server_restart (void)
{
  const gint64 n = 600;
  g_autoptr(PgqrsStore) store = pgqrs_test_open_store (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = pgqrs_store_create_queue (store, "restart", NULL, &error);
  g_autoptr(PgqrsQueueMetrics) metrics = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  GThread *restarter = NULL;
  int restarted = FALSE;
  guint retries = 0;
  gint64 produced = 0;

  g_assert_no_error (error);

  for (;;)
    {
      g_autoptr(GPtrArray) leased = NULL;
      g_autoptr(GArray) flags = NULL;

      if (produced == n / 3 && restarter == NULL)
        restarter = g_thread_new ("restart", restart_thread, &restarted);

      if (produced < n)
        {
          g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
          g_autoptr(GArray) ids = NULL;

          for (gint64 i = 0; i < 10; i++)
            g_ptr_array_add (payloads, seq_payload (produced + i));
          RETRY (ids = pgqrs_queue_enqueue_batch (queue, payloads, 0, NULL, &error), ids != NULL);
          produced += 10;
        }

      /* a lease whose answer was lost with the connection comes back
       * after 2 s */
      RETRY (leased = pgqrs_queue_dequeue (queue, 7, 2, NULL, &error), leased != NULL);
      if (leased->len > 0)
        {
          RETRY (flags = pgqrs_queue_archive_batch (queue, leased, NULL, &error), flags != NULL);
          continue;
        }

      if (produced < n || !g_atomic_int_get (&restarted))
        continue;

      /* An archive whose answer was lost may have happened all the same:
       * done when nothing is left unarchived. */
      RETRY (metrics = pgqrs_store_get_metrics (store, "restart", NULL, &error), metrics != NULL);
      if (pgqrs_queue_metrics_get_archived (metrics) == pgqrs_queue_metrics_get_total (metrics))
        break;
      g_clear_object (&metrics);
      g_usleep (G_USEC_PER_SEC / 10);
    }

  g_thread_join (restarter);
  g_test_message ("%u calls failed while the server restarted", retries);
  g_assert_cmpuint (retries, >, 0);

  /* Every sequence number made it; an enqueue retried after a lost answer
   * may have made a second copy of a batch, never fewer. */
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

  g_clear_object (&queue);
  g_clear_object (&metrics);
  g_assert_finalize_object (g_steal_pointer (&store));
}

/* --- LISTEN/NOTIFY -------------------------------------------------------- */

typedef struct
{
  GMutex  mutex;
  GArray *queue_ids;   /* element-type gint64 */
} Heard;

static void
message_available_cb (PgqrsBackend *backend,
                      gint64        queue_id,
                      gpointer      user_data)
{
  Heard *heard = user_data;

  /* in the listener's thread */
  g_mutex_lock (&heard->mutex);
  g_array_append_val (heard->queue_ids, queue_id);
  g_mutex_unlock (&heard->mutex);
  g_main_context_wakeup (NULL);
}

/* Waits up to 10 s for @queue_id to be heard; clears what was heard. */
static gboolean
wait_heard (Heard  *heard,
            gint64  queue_id)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      gboolean found = FALSE;

      g_mutex_lock (&heard->mutex);
      for (guint i = 0; i < heard->queue_ids->len; i++)
        found |= g_array_index (heard->queue_ids, gint64, i) == queue_id;
      if (found)
        g_array_set_size (heard->queue_ids, 0);
      g_mutex_unlock (&heard->mutex);

      if (found)
        return TRUE;
      g_usleep (G_USEC_PER_SEC / 100);
    }

  return FALSE;
}

/* An enqueue through another store (another process, as far as the server
 * knows) wakes this store's consumers; after its LISTEN connection is lost,
 * it listens again. */
static void
test_listen_wakeup (void)
{
  g_autofree char *dsn = pgqrs_test_new_dsn (NULL);
  g_autoptr(PgqrsStore) listener = open_store (dsn);
  g_autoptr(PgqrsStore) producer = open_store (dsn);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = pgqrs_store_create_queue (producer, "wake", NULL, &error);
  g_autoptr(JsonNode) payload = pgqrs_test_json ("{\"wake\":1}");
  g_autoptr(PGconn) admin = admin_connect ();
  PgqrsBackend *backend = _pgqrs_store_get_backend (listener);
  g_autofree char *channel = NULL;
  Heard heard = { .queue_ids = g_array_new (FALSE, FALSE, sizeof (gint64)) };
  gulong handler;

  g_assert_no_error (error);
  g_mutex_init (&heard.mutex);
  handler = g_signal_connect (backend, "message-available", G_CALLBACK (message_available_cb), &heard);
  _pgqrs_backend_set_watching (backend, TRUE);

  /* listening has started: "something may have changed" */
  g_assert_true (wait_heard (&heard, 0));

  g_assert_cmpint (pgqrs_queue_enqueue (queue, payload, NULL, &error), >, 0);
  g_assert_true (wait_heard (&heard, pgqrs_queue_get_id (queue)));

  /* lose the listening connection: it comes back and listens again */
  channel = g_strdup_printf ("LISTEN \"pgqrs_%s\"", store_schema (listener));
  g_assert_cmpint (admin_count (admin, "SELECT count (*) FROM ("
                                       "  SELECT pg_terminate_backend (pid) FROM pg_stat_activity "
                                       "   WHERE query = $1) killed", channel), ==, 1);
  g_assert_true (wait_heard (&heard, 0));

  g_assert_cmpint (pgqrs_queue_enqueue (queue, payload, NULL, &error), >, 0);
  g_assert_true (wait_heard (&heard, pgqrs_queue_get_id (queue)));

  _pgqrs_backend_set_watching (backend, FALSE);
  g_signal_handler_disconnect (backend, handler);
  g_array_unref (heard.queue_ids);
  g_mutex_clear (&heard.mutex);

  g_clear_object (&queue);
  g_assert_finalize_object (g_steal_pointer (&listener));
  g_assert_finalize_object (g_steal_pointer (&producer));
}

/* --- several processes ---------------------------------------------------- */

/* Four consumer processes share a queue of 20,000 messages: every message
 * is archived exactly once, by one of them, and none is lost. */
static void
test_four_consumers (void)
{
  const guint n = 20000;
  const guint n_consumers = 4;
  g_autofree char *dsn = pgqrs_test_new_dsn (NULL);
  g_autofree char *total = g_strdup_printf ("%u", n);
  g_autoptr(PgqrsStore) store = open_store (dsn);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = pgqrs_store_create_queue (store, "shared", NULL, &error);
  g_autoptr(GHashTable) by_seq = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GHashTable) by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(PgqrsQueueMetrics) metrics = NULL;
  PgqrsTestChild *consumers[4];
  guint archived = 0;
  gint64 started = g_get_monotonic_time ();

  g_assert_no_error (error);

  {
    const char *args[] = { "produce", dsn, "shared", total, "500", NULL };
    g_autoptr(PgqrsTestChild) producer = pgqrs_test_spawn_worker (args);

    pgqrs_test_child_wait (producer);
  }

  /* they start together on the full queue */
  for (guint i = 0; i < n_consumers; i++)
    {
      const char *args[] = { "consume", dsn, "shared", total, "--batch=25", "--timeout=240", NULL };

      consumers[i] = pgqrs_test_spawn_worker (args);
    }

  for (guint i = 0; i < n_consumers; i++)
    {
      g_auto(GStrv) lines = NULL;
      guint mine = 0;

      pgqrs_test_child_wait (consumers[i]);
      lines = g_strsplit (consumers[i]->out, "\n", -1);
      for (guint l = 0; lines[l] != NULL; l++)
        {
          gint64 id, seq;
          guint read_count;

          if (sscanf (lines[l], "archived %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %u",
                      &id, &seq, &read_count) != 3)
            continue;
          if (g_hash_table_contains (by_id, &id) || g_hash_table_contains (by_seq, &seq))
            g_error ("message %" G_GINT64_FORMAT " (seq %" G_GINT64_FORMAT ") was archived twice",
                     id, seq);
          g_hash_table_add (by_id, g_memdup2 (&id, sizeof id));
          g_hash_table_add (by_seq, g_memdup2 (&seq, sizeof seq));
          mine++;
        }
      g_test_message ("consumer %u archived %u", i, mine);
      g_assert_cmpuint (mine, >, 0);
      archived += mine;
      pgqrs_test_child_free (consumers[i]);
    }

  g_test_message ("%u messages through %u consumers in %.1f s", n, n_consumers,
                  (g_get_monotonic_time () - started) / (double)G_USEC_PER_SEC);
  g_assert_cmpuint (archived, ==, n);
  for (gint64 seq = 0; seq < n; seq++)
    g_assert_true (g_hash_table_contains (by_seq, &seq));

  metrics = pgqrs_store_get_metrics (store, "shared", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_queue_metrics_get_total (metrics), ==, n);
  g_assert_cmpint (pgqrs_queue_metrics_get_archived (metrics), ==, n);

  g_clear_object (&queue);
  g_assert_finalize_object (g_steal_pointer (&store));
}

int
main (int   argc,
      char *argv[])
{
  /* these are about the server itself, reached directly */
  g_setenv ("PGQRS_TEST_BACKEND", "postgres", TRUE);
  pgqrs_test_init (&argc, &argv);

  g_test_add_func ("/pgqrs/postgres/dsn/application-name", test_application_name);
  g_test_add_func ("/pgqrs/postgres/dsn/fallback-application-name", test_fallback_application_name);
  g_test_add_func ("/pgqrs/postgres/dsn/bad-sslmode", test_bad_sslmode);
  g_test_add_func ("/pgqrs/postgres/dsn/password", test_password);
  g_test_add_func ("/pgqrs/postgres/dsn/unreachable", test_unreachable);
  g_test_add_func ("/pgqrs/postgres/dsn/malformed-uri-password", test_malformed_uri_password);
  g_test_add_func ("/pgqrs/postgres/dsn/host-name", test_host_name);
  g_test_add_func ("/pgqrs/postgres/schema-quoting", test_schema_quoting);
  g_test_add_func ("/pgqrs/postgres/concurrent-install", test_concurrent_install);
  g_test_add_func ("/pgqrs/postgres/clock-analyzed", test_clock_analyzed);
  g_test_add_func ("/pgqrs/postgres/lease-limit-written-in", test_lease_limit_written_in);
  g_test_add_func ("/pgqrs/postgres/main-loop-not-blocked", test_main_loop_not_blocked);
  g_test_add_func ("/pgqrs/postgres/main-loop-runs-while-server-waits",
                   test_main_loop_runs_while_server_waits);
  g_test_add_func ("/pgqrs/postgres/pool/fifo", test_pool_fifo);
  g_test_add_func ("/pgqrs/postgres/pool/shared-by-blocking-threads",
                   test_pool_shared_by_blocking_threads);
  g_test_add_func ("/pgqrs/postgres/pool/cancel", test_cancel_in_flight);
  g_test_add_func ("/pgqrs/postgres/blocking-context", test_blocking_context);
  g_test_add_func ("/pgqrs/postgres/connection-loss/idle", test_connection_loss_idle);
  g_test_add_func ("/pgqrs/postgres/connection-loss/in-flight", test_connection_loss_in_flight);
  g_test_add_func ("/pgqrs/postgres/listen-wakeup", test_listen_wakeup);
  g_test_add_func ("/pgqrs/postgres/four-consumers", test_four_consumers);
  g_test_add_func ("/pgqrs/postgres/server-restart", test_server_restart);

  return g_test_run ();
}
