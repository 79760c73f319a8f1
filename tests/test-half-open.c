/* test-half-open.c — PostgreSQL connections that die without a word
 *
 * A server behind a connection that goes silent (a failover behind a
 * virtual IP, a NAT that dropped the flow) sends neither FIN nor RST; only
 * a bound on each call tells.  A proxy on loopback plays the silent
 * network: it keeps the sockets open and drops what passes.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test-cluster.h"
#include "test-proxy.h"
#include "test-util.h"

static guint
cluster_port (void)
{
  g_autoptr(GUri) uri = g_uri_parse (pgqrs_test_cluster_dsn (FALSE), G_URI_FLAGS_NONE, NULL);

  return g_uri_get_port (uri);
}

/* A DSN through @proxy, with a schema of its own. */
static char *
proxied_dsn (PgqrsTestProxy *proxy,
             const char     *name,
             const char     *options)
{
  return g_strdup_printf ("postgresql://postgres@127.0.0.1:%u/postgres?schema=t%d_%s&%s",
                          pgqrs_test_proxy_get_port (proxy), (int)getpid (), name, options);
}

static JsonNode *
payload (int n)
{
  g_autofree char *text = g_strdup_printf ("{\"n\":%d}", n);

  return pgqrs_test_json (text);
}

/* A call that gets no answer fails within the bound, saying so; its
 * connection is not used again, and the next call works on a new one. */
static void
test_call_bound (void)
{
  g_autoptr(PgqrsTestProxy) proxy = pgqrs_test_proxy_new (cluster_port ());
  g_autofree char *dsn = proxied_dsn (proxy, "bound", "call_timeout=1.5&max_connections=1");
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) store = pgqrs_store_new (dsn, NULL, &error);
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(JsonNode) first = payload (1);
  g_autoptr(JsonNode) lost = payload (2);
  g_autoptr(JsonNode) again = payload (3);
  g_autoptr(GPtrArray) messages = NULL;
  gint64 started, elapsed;
  gint64 id;

  g_assert_no_error (error);
  pgqrs_store_install (store, NULL, &error);
  g_assert_no_error (error);
  queue = pgqrs_store_create_queue (store, "silent", NULL, &error);
  g_assert_no_error (error);
  pgqrs_queue_enqueue (queue, first, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (pgqrs_test_proxy_stall (proxy), ==, 1);

  started = g_get_monotonic_time ();
  id = pgqrs_queue_enqueue (queue, lost, NULL, &error);
  elapsed = g_get_monotonic_time () - started;
  g_test_message ("silent: %s after %.2f s", error ? error->message : "(no error)",
                  elapsed / (double)G_USEC_PER_SEC);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION);
  g_assert_cmpint (id, ==, 0);
  g_assert_nonnull (strstr (error->message, "call-timeout"));
  g_assert_nonnull (strstr (error->message, "1.5 seconds"));
  g_assert_cmpint (elapsed, >=, 1.4 * G_USEC_PER_SEC);
  g_assert_cmpint (elapsed, <, 4 * G_USEC_PER_SEC);
  g_clear_error (&error);

  /* Connecting through the silent network is bounded too. */
  pgqrs_test_proxy_set_silent (proxy, TRUE);
  started = g_get_monotonic_time ();
  id = pgqrs_queue_enqueue (queue, lost, NULL, &error);
  elapsed = g_get_monotonic_time () - started;
  g_test_message ("silent connect: %s after %.2f s", error ? error->message : "(no error)",
                  elapsed / (double)G_USEC_PER_SEC);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, "call-timeout"));
  g_assert_cmpint (elapsed, <, 4 * G_USEC_PER_SEC);
  g_clear_error (&error);
  pgqrs_test_proxy_set_silent (proxy, FALSE);

  /* The pool has one place: only a new connection can serve this. */
  pgqrs_queue_enqueue (queue, again, NULL, &error);
  g_assert_no_error (error);
  messages = pgqrs_queue_dequeue (queue, 10, 30, NULL, &error);
  g_assert_no_error (error);
  /* the silent call never reached the server */
  g_assert_cmpuint (messages->len, ==, 2);

  g_clear_pointer (&messages, g_ptr_array_unref);
  g_clear_object (&queue);
  g_assert_finalize_object (g_steal_pointer (&store));
}

typedef struct
{
  GMutex     lock;
  GPtrArray *handled;    /* element-type int: the "n" of each payload */
  GPtrArray *errors;     /* element-type utf8: the consumer's error signals */
} Seen;

static gboolean
record_job (PgqrsJob *job,
            gpointer  user_data)
{
  Seen *seen = user_data;
  JsonObject *payload = json_node_get_object (pgqrs_job_get_payload (job));

  g_ptr_array_add (seen->handled, GINT_TO_POINTER (json_object_get_int_member (payload, "n")));
  return TRUE;
}

static void
record_error (PgqrsConsumer *consumer,
              const GError  *error,
              gpointer       user_data)
{
  Seen *seen = user_data;

  g_test_message ("consumer error: %s", error->message);
  g_ptr_array_add (seen->errors, g_strdup (error->message));
}

static void
run_until (gboolean (*done) (Seen *seen),
           Seen     *seen,
           double    seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!done (seen))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
handled_one (Seen *seen)
{
  return seen->handled->len >= 1;
}

static gboolean
handled_two (Seen *seen)
{
  return seen->handled->len >= 2;
}

static void
stopped_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(gboolean *)user_data = TRUE;
}

/* A consumer whose connections all go silent at once (its pooled one,
 * which its leases, settles and heartbeats share, and its LISTEN
 * connection) says why in an error signal, connects again and handles
 * what comes next, within the bound. */
static void
test_consumer_resumes (void)
{
  g_autoptr(PgqrsTestProxy) proxy = pgqrs_test_proxy_new (cluster_port ());
  g_autofree char *dsn = proxied_dsn (proxy, "consumer",
                                      "call_timeout=1&heartbeat_interval=0.3&poll_interval=0.2"
                                      "&max_connections=1");
  g_autofree char *direct_dsn = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) store = pgqrs_store_new (dsn, NULL, &error);
  g_autoptr(PgqrsStore) direct = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(PgqrsQueue) direct_queue = NULL;
  g_autoptr(PgqrsConsumer) consumer = NULL;
  g_autoptr(JsonNode) first = payload (1);
  g_autoptr(JsonNode) second = payload (2);
  Seen seen = { .handled = g_ptr_array_new (), .errors = g_ptr_array_new_with_free_func (g_free) };
  gboolean stopped = FALSE, said_why = FALSE;
  gint64 stalled_at, elapsed;

  g_assert_no_error (error);
  pgqrs_store_install (store, NULL, &error);
  g_assert_no_error (error);
  queue = pgqrs_store_create_queue (store, "work", NULL, &error);
  g_assert_no_error (error);

  /* the producer reaches the server directly */
  direct_dsn = g_strdup_printf ("%s?schema=t%d_consumer", pgqrs_test_cluster_dsn (FALSE), (int)getpid ());
  direct = pgqrs_store_new (direct_dsn, NULL, &error);
  g_assert_no_error (error);
  direct_queue = pgqrs_store_get_queue (direct, "work", NULL, &error);
  g_assert_no_error (error);

  consumer = pgqrs_consumer_new (queue, "through-the-proxy");
  pgqrs_consumer_set_handler (consumer, record_job, &seen, NULL);
  g_signal_connect (consumer, "error", G_CALLBACK (record_error), &seen);
  pgqrs_consumer_run_async (consumer, NULL, stopped_cb, &stopped);

  pgqrs_queue_enqueue (direct_queue, first, NULL, &error);
  g_assert_no_error (error);
  run_until (handled_one, &seen, 10);

  g_assert_cmpuint (pgqrs_test_proxy_stall (proxy), >=, 1);
  stalled_at = g_get_monotonic_time ();
  pgqrs_queue_enqueue (direct_queue, second, NULL, &error);
  g_assert_no_error (error);
  run_until (handled_two, &seen, 15);
  elapsed = g_get_monotonic_time () - stalled_at;
  g_test_message ("handled again %.2f s after the network went silent", elapsed / (double)G_USEC_PER_SEC);

  /* within a few bounds: one for the call in flight, one for the next */
  g_assert_cmpint (elapsed, <, 5 * G_USEC_PER_SEC);
  for (guint i = 0; i < seen.errors->len; i++)
    said_why |= strstr (g_ptr_array_index (seen.errors, i), "call-timeout") != NULL;
  g_assert_true (said_why);

  pgqrs_consumer_stop (consumer);
  while (!stopped)
    g_main_context_iteration (NULL, TRUE);
  g_ptr_array_unref (seen.handled);
  g_ptr_array_unref (seen.errors);
}

static int
socket_option (int fd,
               int level,
               int name)
{
  int value = -1;
  socklen_t len = sizeof value;

  g_assert_cmpint (getsockopt (fd, level, name, &value, &len), ==, 0);

  return value;
}

/* The store's socket to @port on loopback, found among this process's
 * file descriptors: the library shows none. */
static int
find_socket_to (guint port)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      int fd = atoi (name);
      struct sockaddr_in peer;
      socklen_t len = sizeof peer;

      if (getpeername (fd, (struct sockaddr *)&peer, &len) == 0 && peer.sin_family == AF_INET &&
          ntohs (peer.sin_port) == port)
        return fd;
    }

  g_assert_not_reached ();
}

/* The kernel watches the connections too: keepalives and a user timeout
 * from the call bound, unless the DSN sets them. */
static void
test_keepalives (void)
{
  static const struct {
    const char *options;
    int         idle;
    int         interval;
    int         user_timeout_ms;
  } cases[] = {
    { "call_timeout=30", 10, 3, 30000 },
    { "heartbeat_interval=2", 2, 1, 6000 },
    { "call_timeout=30&keepalives_idle=7&tcp_user_timeout=4500", 7, 3, 4500 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      /* a proxy of its own, to tell this store's socket from the others */
      g_autoptr(PgqrsTestProxy) proxy = pgqrs_test_proxy_new (cluster_port ());
      g_autofree char *dsn = proxied_dsn (proxy, "keepalive", cases[i].options);
      g_autoptr(GError) error = NULL;
      g_autoptr(PgqrsStore) store = pgqrs_store_new (dsn, NULL, &error);
      int fd;

      g_assert_no_error (error);
      fd = find_socket_to (pgqrs_test_proxy_get_port (proxy));
      g_test_message ("%s: SO_KEEPALIVE %d, idle %d, interval %d, count %d, user timeout %d",
                      cases[i].options, socket_option (fd, SOL_SOCKET, SO_KEEPALIVE),
                      socket_option (fd, IPPROTO_TCP, TCP_KEEPIDLE),
                      socket_option (fd, IPPROTO_TCP, TCP_KEEPINTVL),
                      socket_option (fd, IPPROTO_TCP, TCP_KEEPCNT),
                      socket_option (fd, IPPROTO_TCP, TCP_USER_TIMEOUT));
      g_assert_cmpint (socket_option (fd, SOL_SOCKET, SO_KEEPALIVE), ==, 1);
      g_assert_cmpint (socket_option (fd, IPPROTO_TCP, TCP_KEEPIDLE), ==, cases[i].idle);
      g_assert_cmpint (socket_option (fd, IPPROTO_TCP, TCP_KEEPINTVL), ==, cases[i].interval);
      g_assert_cmpint (socket_option (fd, IPPROTO_TCP, TCP_KEEPCNT), ==, 3);
      g_assert_cmpint (socket_option (fd, IPPROTO_TCP, TCP_USER_TIMEOUT), ==, cases[i].user_timeout_ms);
      g_assert_finalize_object (g_steal_pointer (&store));
    }
}

int
main (int   argc,
      char *argv[])
{
  pgqrs_test_init (&argc, &argv);

  g_test_add_func ("/pgqrs/postgres/half-open/call-bound", test_call_bound);
  g_test_add_func ("/pgqrs/postgres/half-open/keepalives", test_keepalives);
  g_test_add_func ("/pgqrs/postgres/half-open/consumer-resumes", test_consumer_resumes);

  return g_test_run ();
}
