/* consumer.c — hand pgqrs a handler and let it run the queue.
 *
 * The C form of the seed's
 *
 *     dequeue().from("tasks").handle(|msg| async { send_email(msg).await })
 *
 * A PgqrsConsumer leases messages from "tasks", calls the handler for each,
 * archives the ones it handled and gives failed ones back for a retry. It
 * waits for work without polling in a loop: an enqueue wakes it at once.
 * Like a service, it runs until SIGINT (Ctrl-C) or SIGTERM tells it to
 * stop; then it finishes the jobs in hand and returns.
 *
 * Usage: consumer [DSN]      (default: sqlite://consumer-example.db)
 *
 * SPDX-License-Identifier: MIT
 */

#include <glib-unix.h>
#include <pgqrs.h>
#include <signal.h>

#define N_TASKS 5

typedef struct
{
  PgqrsConsumer *consumer;
  guint          handled;
} Example;

/* The handler: return TRUE when the work is done, FALSE when it failed. A
 * handler that has to wait for something calls pgqrs_job_defer() and later
 * pgqrs_job_complete() or pgqrs_job_fail(). */
static gboolean
send_email (PgqrsJob *job,
            gpointer  user_data)
{
  Example *example = user_data;
  JsonObject *task = json_node_get_object (pgqrs_job_get_payload (job));
  const char *to = json_object_get_string_member (task, "to");

  g_print ("sending email #%u to %s (attempt %u)\n",
           ++example->handled, to, pgqrs_job_get_attempt (job));

  if (example->handled == N_TASKS)
    g_print ("all %u sent; waiting for more until SIGINT or SIGTERM\n", N_TASKS);

  return TRUE;
}

/* A signal source runs on the main context it is attached to, here the
 * default one, which g_main_loop_run() below iterates.  (The blocking
 * pgqrs_consumer_run() iterates a private context instead, so a signal
 * source would never run while it blocks: a program that stops on signals
 * runs the consumer with pgqrs_consumer_run_async() on its own loop.) */
static gboolean
stop_on_signal_cb (gpointer user_data)
{
  Example *example = user_data;

  g_print ("stopping on a signal\n");
  pgqrs_consumer_stop (example->consumer);   /* graceful: jobs in hand finish */

  return G_SOURCE_CONTINUE;
}

/* The consumer survives database errors and tries again after its poll
 * interval; this example would rather say so and stop. */
static void
consumer_error_cb (PgqrsConsumer *consumer,
                   const GError  *error,
                   gpointer       user_data)
{
  g_printerr ("consumer error: %s\n", error->message);
  pgqrs_consumer_stop (consumer);
}

static void
stopped_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!pgqrs_consumer_run_finish (PGQRS_CONSUMER (object), result, &error))
    g_printerr ("consumer failed: %s\n", error->message);

  g_main_loop_quit (user_data);
}

int
main (int   argc,
      char *argv[])
{
  const char *dsn = argc > 1 ? argv[1] : "sqlite://consumer-example.db";
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) store = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(PgqrsRetryPolicy) retry = NULL;
  g_autoptr(PgqrsQueueMetrics) metrics = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Example example = { 0 };

  if (!(store = pgqrs_store_new (dsn, NULL, &error)) ||
      !pgqrs_store_install (store, NULL, &error))
    {
      g_printerr ("cannot open %s: %s\n", dsn, error->message);
      return 1;
    }

  if (!(queue = pgqrs_store_get_queue (store, "tasks", NULL, NULL)) &&
      !(queue = pgqrs_store_create_queue (store, "tasks", NULL, &error)))
    {
      g_printerr ("cannot create the queue: %s\n", error->message);
      return 1;
    }

  /* Three retries with exponential backoff and jitter, from 1 s. */
  retry = pgqrs_retry_policy_new ();

  example.consumer = pgqrs_consumer_new (queue, "email-sender");
  g_object_set (example.consumer,
                "retry-policy", retry,
                "concurrency", 2,
                NULL);
  pgqrs_consumer_set_handler (example.consumer, send_email, &example, NULL);
  g_signal_connect (example.consumer, "error", G_CALLBACK (consumer_error_cb), NULL);
  g_unix_signal_add (SIGINT, stop_on_signal_cb, &example);
  g_unix_signal_add (SIGTERM, stop_on_signal_cb, &example);
  pgqrs_consumer_run_async (example.consumer, NULL, stopped_cb, loop);

  /* The producer side: enqueued while the consumer already waits. */
  for (guint i = 1; i <= N_TASKS; i++)
    {
      g_autofree char *text =
        g_strdup_printf ("{\"task\": \"send_email\", \"to\": \"user%u@example.com\"}", i);
      g_autoptr(JsonNode) payload = json_from_string (text, NULL);

      if (!pgqrs_queue_enqueue (queue, payload, NULL, &error))
        {
          g_printerr ("cannot enqueue: %s\n", error->message);
          return 1;
        }
    }

  g_main_loop_run (loop);

  if (!(metrics = pgqrs_store_get_metrics (store, "tasks", NULL, &error)))
    {
      g_printerr ("cannot read metrics: %s\n", error->message);
      return 1;
    }

  g_print ("handled %u; queue \"tasks\": %" G_GINT64_FORMAT " pending, %" G_GINT64_FORMAT " archived\n",
           example.handled,
           pgqrs_queue_metrics_get_pending (metrics),
           pgqrs_queue_metrics_get_archived (metrics));

  g_clear_object (&example.consumer);

  return example.handled == N_TASKS ? 0 : 1;
}
