/* pgqrs-cli-consume.c — `pgqrs consume QUEUE -- COMMAND [ARGUMENT…]`
 *
 * Makes any program a durable worker: a PgqrsConsumer leases the queue's
 * messages and runs COMMAND once per message, with the payload (as one line
 * of JSON) on its standard input and the message's id in its environment.
 * Exit status 0 archives the message; anything else fails it, and the retry
 * policy brings it back later or dead-letters it.
 *
 * Everything runs on one main loop: the consumer, the children (GSubprocess,
 * waited for asynchronously, so --concurrency children run at once) and the
 * SIGINT/SIGTERM handlers, which stop the consumer gracefully.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib-unix.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "pgqrs-cli-private.h"

/* How often --drain asks whether the queue is empty. */
#define DRAIN_CHECK_MS 200

typedef struct
{
  PgqrsCli      *cli;
  PgqrsQueue    *queue;
  PgqrsConsumer *consumer;
  GMainLoop     *loop;
  char         **command;
  guint          running;       /* children not yet exited */
  gboolean       drain;
  gboolean       checking;      /* a --drain metrics call is in flight */
  gboolean       stopping;
  guint          drain_id;
  GError        *error;
} Consume;

typedef struct
{
  Consume  *consume;
  PgqrsJob *job;
  gint64    message_id;
} Child;

static void
child_free (Child *child)
{
  g_clear_object (&child->job);
  g_free (child);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Child, child_free)

static void
payload_written (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autofree char *text = user_data;
  g_autoptr(GError) error = NULL;

  /* A command that does not read its input, or exits before reading all
   * of it, closes the pipe: that is its business, and its exit status
   * decides. */
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
    g_printerr (_("%s: cannot write the payload to the command: %s\n"),
                g_get_prgname (), error->message);

  g_output_stream_close (G_OUTPUT_STREAM (object), NULL, NULL);
}

static void
child_exited (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(Child) child = user_data;
  g_autoptr(GError) error = NULL;
  GSubprocess *process = G_SUBPROCESS (object);
  g_autofree char *reason = NULL;

  child->consume->running--;

  if (!g_subprocess_wait_finish (process, result, &error))
    reason = g_strdup (error->message);
  else if (g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0)
    {
      pgqrs_job_complete (child->job);
      return;
    }
  else if (g_subprocess_get_if_exited (process))
    reason = g_strdup_printf (_("the command exited with status %d"),
                              g_subprocess_get_exit_status (process));
  else
    reason = g_strdup_printf (_("the command was killed by signal %d"),
                              g_subprocess_get_term_sig (process));

  /* Translators: the tool's name, the message's id, which delivery, why */
  g_printerr (_("%s: message %lld (attempt %u) failed: %s\n"), g_get_prgname (),
              (long long)child->message_id, pgqrs_job_get_attempt (child->job), reason);
  pgqrs_job_fail (child->job, reason);
}

static gboolean
handle (PgqrsJob *job,
        gpointer  user_data)
{
  Consume *consume = user_data;
  PgqrsMessage *message = pgqrs_job_get_message (job);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, pgqrs_message_get_id (message));
  g_autofree char *attempt = g_strdup_printf ("%u", pgqrs_job_get_attempt (job));
  g_autofree char *payload = NULL;
  Child *child;

  pgqrs_job_defer (job);

  g_subprocess_launcher_setenv (launcher, "PGQRS_MESSAGE_ID", id, TRUE);
  g_subprocess_launcher_setenv (launcher, "PGQRS_QUEUE", pgqrs_queue_get_name (consume->queue), TRUE);
  g_subprocess_launcher_setenv (launcher, "PGQRS_ATTEMPT", attempt, TRUE);

  if (!(process = g_subprocess_launcher_spawnv (launcher, (const char * const *)consume->command,
                                                &error)))
    {
      g_printerr (_("%s: message %s: %s\n"), g_get_prgname (), id, error->message);
      pgqrs_job_fail (job, error->message);
      return FALSE;
    }

  {
    JsonNode *node = pgqrs_message_get_payload (message);
    g_autofree char *text = node ? json_to_string (node, FALSE) : g_strdup ("null");

    /* One line, so that `read` in a shell script gets all of it. */
    payload = g_strconcat (text, "\n", NULL);
  }

  consume->running++;
  child = g_new0 (Child, 1);
  child->consume = consume;
  child->job = g_object_ref (job);
  child->message_id = pgqrs_message_get_id (message);
  g_subprocess_wait_async (process, NULL, child_exited, child);

  g_output_stream_write_all_async (g_subprocess_get_stdin_pipe (process), payload,
                                   strlen (payload), G_PRIORITY_DEFAULT, NULL,
                                   payload_written, payload);
  g_steal_pointer (&payload);

  return TRUE;
}

static void
stop (Consume *consume)
{
  if (consume->stopping)
    return;
  consume->stopping = TRUE;
  g_clear_handle_id (&consume->drain_id, g_source_remove);
  pgqrs_consumer_stop (consume->consumer);
}

static gboolean
on_signal (gpointer user_data)
{
  Consume *consume = user_data;

  if (consume->stopping)
    {
      /* A second signal: the user does not want to wait for the commands.
       * The leases they hold run out and their messages come back. */
      g_printerr (_("%s: stopping without waiting for the running commands\n"), g_get_prgname ());
      exit (PGQRS_CLI_EXIT_FAILURE);
    }

  stop (consume);
  return G_SOURCE_CONTINUE;
}

static void
drain_checked (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Consume *consume = user_data;
  g_autoptr(PgqrsQueueMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;

  consume->checking = FALSE;
  if (!(metrics = pgqrs_store_get_metrics_finish (PGQRS_STORE (object), result, &error)))
    {
      g_printerr (_("%s: warning: %s\n"), g_get_prgname (), error->message);
      return;
    }

  if (consume->running == 0 &&
      pgqrs_queue_metrics_get_pending (metrics) == 0 &&
      pgqrs_queue_metrics_get_delayed (metrics) == 0 &&
      pgqrs_queue_metrics_get_leased (metrics) == 0)
    stop (consume);
}

static gboolean
drain_check (gpointer user_data)
{
  Consume *consume = user_data;

  if (!consume->checking && !consume->stopping)
    {
      consume->checking = TRUE;
      pgqrs_store_get_metrics_async (pgqrs_queue_get_store (consume->queue),
                                     pgqrs_queue_get_name (consume->queue), NULL,
                                     drain_checked, consume);
    }

  return G_SOURCE_CONTINUE;
}

static void
on_consumer_error (PgqrsConsumer *consumer,
                   GError        *error,
                   gpointer       user_data)
{
  g_printerr (_("%s: warning: %s\n"), g_get_prgname (), error->message);
}

static void
run_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Consume *consume = user_data;

  pgqrs_consumer_run_finish (PGQRS_CONSUMER (object), result, &consume->error);
  g_main_loop_quit (consume->loop);
}

static gboolean
cmd_consume (PgqrsCli  *cli,
             int        argc,
             char     **argv,
             GError   **error)
{
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(PgqrsConsumer) consumer = NULL;
  g_autoptr(PgqrsRetryPolicy) policy = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *worker_name = NULL;
  g_autofree char *program = NULL;
  int concurrency = 1, retries = 3;
  double retry_delay = 1, visibility = 0;
  gboolean drain = FALSE;
  const GOptionEntry entries[] = {
    { "concurrency", 'c', 0, G_OPTION_ARG_INT, &concurrency,
      N_("Run up to N commands at once (default 1)"), "N" },
    { "worker", 'w', 0, G_OPTION_ARG_STRING, &worker_name,
      N_("Register as this worker (default: consume-QUEUE-HOST-PID)"), "NAME" },
    { "retries", 0, 0, G_OPTION_ARG_INT, &retries,
      N_("Retry a failed message N times before dead-lettering it (default 3)"), "N" },
    { "retry-delay", 0, 0, G_OPTION_ARG_DOUBLE, &retry_delay,
      N_("Wait about this long before the first retry, doubling each time up to a minute "
      "(default 1)"), "SECONDS" },
    { "visibility-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &visibility,
      N_("Lease messages for this long, renewed while the command runs (default: the store’s)"),
      "SECONDS" },
    { "drain", 0, 0, G_OPTION_ARG_NONE, &drain,
      N_("Stop once no message is pending, delayed or leased"), NULL },
    G_OPTION_ENTRY_NULL
  };
  Consume consume = { NULL, };
  guint sigint_id, sigterm_id;
  int first;

  if (!pgqrs_cli_parse (cli, &argc, &argv, "QUEUE -- COMMAND [ARGUMENT…]",
                        _("Runs COMMAND once for each message of QUEUE, with the payload as one "
                        "line of JSON on its standard input and PGQRS_MESSAGE_ID, PGQRS_QUEUE "
                        "and PGQRS_ATTEMPT in its environment. Exit status 0 archives the "
                        "message; any other fails it, to be retried after a backoff and "
                        "dead-lettered when the retries are spent. SIGINT or SIGTERM stops "
                        "gracefully: no new messages, running commands finish (a second signal "
                        "stops at once)."),
                        entries, 2, -1, error))
    return FALSE;

  first = argc > 2 && g_str_equal (argv[2], "--") ? 3 : 2;
  if (first >= argc)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("expects QUEUE -- COMMAND [ARGUMENT…] (see --help)"));
      return FALSE;
    }
  if (concurrency < 1 || concurrency > 10000 || retries < 0 ||
      retry_delay < 0 || !isfinite (retry_delay) || visibility < 0 || !isfinite (visibility))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--concurrency must be 1 to 10000, --retries 0 or more, and the times 0 "
                   "or more seconds"));
      return FALSE;
    }
  /* A missing command is a mistake in the invocation, not a failure of
   * each message in turn. */
  if (!(program = g_find_program_in_path (argv[first])))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("the command “%s” is not found"), argv[first]);
      return FALSE;
    }

  if (!(queue = pgqrs_cli_get_queue (cli, argv[1], error)))
    return FALSE;

  if (worker_name == NULL)
    worker_name = g_strdup_printf ("consume-%s-%s-%d", argv[1], g_get_host_name (), (int)getpid ());

  policy = pgqrs_retry_policy_new_exponential (retries, retry_delay, MAX (60, retry_delay), TRUE);
  consumer = pgqrs_consumer_new (queue, worker_name);
  g_object_set (consumer,
                "concurrency", (guint)concurrency,
                "retry-policy", policy,
                "visibility-timeout", visibility,
                NULL);

  loop = g_main_loop_new (NULL, FALSE);
  consume.cli = cli;
  consume.queue = queue;
  consume.consumer = consumer;
  consume.loop = loop;
  consume.command = argv + first;
  consume.drain = drain;
  pgqrs_consumer_set_handler (consumer, handle, &consume, NULL);
  g_signal_connect (consumer, "error", G_CALLBACK (on_consumer_error), NULL);

  /* A command that exits without reading its input must not kill us
   * through SIGPIPE; the write reports EPIPE instead. */
  signal (SIGPIPE, SIG_IGN);
  sigint_id = g_unix_signal_add (SIGINT, on_signal, &consume);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal, &consume);
  if (drain)
    consume.drain_id = g_timeout_add (DRAIN_CHECK_MS, drain_check, &consume);

  pgqrs_consumer_run_async (consumer, NULL, run_done, &consume);
  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_clear_handle_id (&consume.drain_id, g_source_remove);

  /* A metrics call of --drain may still be on its way back. */
  while (consume.checking)
    g_main_context_iteration (NULL, TRUE);

  if (consume.error != NULL)
    {
      g_propagate_error (error, consume.error);
      return FALSE;
    }

  if (cli->json)
    {
      JsonObject *object;
      g_autoptr(JsonNode) document = pgqrs_cli_new_object (&object);

      json_object_set_string_member (object, "queue", argv[1]);
      json_object_set_string_member (object, "worker", worker_name);
      json_object_set_int_member (object, "processed", pgqrs_consumer_get_processed_count (consumer));
      json_object_set_int_member (object, "failed", pgqrs_consumer_get_failed_count (consumer));
      pgqrs_cli_print (cli, document, NULL);
    }

  return TRUE;
}

const PgqrsCliCommand pgqrs_cli_consume_commands[] = {
  { "consume", N_("Run a command for each message of a queue"), cmd_consume },
  { NULL }
};
