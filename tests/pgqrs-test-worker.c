/* pgqrs-test-worker.c — a producer or consumer process for the tests that
 * put several processes on one database.
 *
 *   pgqrs-test-worker install DSN QUEUE
 *       Installs the pgqrs tables and creates QUEUE unless it exists, then
 *       prints "installed"; several at once on one database must all succeed.
 *
 *   pgqrs-test-worker produce DSN QUEUE COUNT BATCH [--first=SEQ]
 *       Enqueues COUNT messages {"seq": SEQ, …, "seq": SEQ+COUNT-1} (SEQ
 *       defaults to 0), BATCH at a time (1: one enqueue call each), then
 *       prints "produced COUNT".
 *
 *   pgqrs-test-worker consume DSN QUEUE TOTAL [--batch=N] [--visibility=S] [--timeout=S]
 *       Leases up to N messages at a time (default 10) for S seconds
 *       (default 30) and archives them, printing "archived ID SEQ READ_COUNT"
 *       for each message it archived and "lost ID SEQ" for each whose lease
 *       was no longer current.  It stops once the queue holds TOTAL archived
 *       messages, whoever archived them — so any number of consumers can share
 *       a queue — and prints "consumed N".  Fails after --timeout seconds
 *       (default 120).
 *
 *   pgqrs-test-worker lease DSN QUEUE COUNT [--visibility=S]
 *       Leases up to COUNT messages, prints "leased ID SEQ" for each and
 *       exits without archiving them, as a consumer that crashed would.
 *
 * Except for install, the queue must exist.  Exit status: 0 on success,
 * 1 on a pgqrs error or timeout (the message on stderr), 2 on bad usage.
 * It uses only the public API of the shared library.
 *
 * SPDX-License-Identifier: MIT
 */

#include <stdio.h>
#include <stdlib.h>

#include <pgqrs.h>

static gint64 opt_first = 0;
static gint   opt_batch = 10;
static double opt_visibility = 30;
static double opt_timeout = 120;

static const GOptionEntry entries[] = {
  { "first", 0, 0, G_OPTION_ARG_INT64, &opt_first, "produce: the first sequence number", "SEQ" },
  { "batch", 0, 0, G_OPTION_ARG_INT, &opt_batch, "consume: messages per lease", "N" },
  { "visibility", 0, 0, G_OPTION_ARG_DOUBLE, &opt_visibility, "consume, lease: visibility timeout", "S" },
  { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opt_timeout, "consume: give up after S seconds", "S" },
  { NULL }
};

static gint64
payload_seq (PgqrsMessage *message)
{
  JsonNode *payload = pgqrs_message_get_payload (message);

  if (!JSON_NODE_HOLDS_OBJECT (payload))
    return -1;

  return json_object_get_int_member_with_default (json_node_get_object (payload), "seq", -1);
}

static gboolean
produce (PgqrsQueue  *queue,
         guint64      count,
         guint64      batch_size,
         GError     **error)
{
  for (guint64 done = 0; done < count; )
    {
      guint64 n = MIN (batch_size, count - done);
      g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);

      for (guint64 i = 0; i < n; i++)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "seq");
          json_builder_add_int_value (builder, opt_first + done + i);
          json_builder_end_object (builder);
          g_ptr_array_add (payloads, json_builder_get_root (builder));
        }

      if (n == 1)
        {
          if (pgqrs_queue_enqueue (queue, g_ptr_array_index (payloads, 0), NULL, error) <= 0)
            return FALSE;
        }
      else
        {
          g_autoptr(GArray) ids = pgqrs_queue_enqueue_batch (queue, payloads, 0, NULL, error);

          if (ids == NULL)
            return FALSE;
          g_assert (ids->len == n);
        }

      done += n;
    }

  printf ("produced %" G_GUINT64_FORMAT "\n", count);
  return TRUE;
}

static gint64
archived_in_queue (PgqrsStore  *store,
                   const char  *queue_name,
                   GError     **error)
{
  g_autoptr(PgqrsQueueMetrics) metrics = pgqrs_store_get_metrics (store, queue_name, NULL, error);

  return metrics ? pgqrs_queue_metrics_get_archived (metrics) : -1;
}

static gboolean
consume (PgqrsStore  *store,
         PgqrsQueue  *queue,
         guint64      total,
         GError     **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)(opt_timeout * G_USEC_PER_SEC);
  guint64 consumed = 0;

  for (;;)
    {
      g_autoptr(GPtrArray) messages = NULL;
      g_autoptr(GArray) flags = NULL;

      if (!(messages = pgqrs_queue_dequeue (queue, opt_batch, opt_visibility, NULL, error)))
        return FALSE;

      if (messages->len == 0)
        {
          gint64 archived = archived_in_queue (store, pgqrs_queue_get_name (queue), error);

          if (archived < 0)
            return FALSE;
          if ((guint64)archived >= total)
            break;
          if (g_get_monotonic_time () > deadline)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "timed out with %" G_GINT64_FORMAT " of %" G_GUINT64_FORMAT
                           " messages archived (%" G_GUINT64_FORMAT " by this consumer)",
                           archived, total, consumed);
              return FALSE;
            }
          /* Nothing visible: the producer is behind, or leases must expire. */
          g_usleep (G_USEC_PER_SEC / 100);
          continue;
        }

      if (!(flags = pgqrs_queue_archive_batch (queue, messages, NULL, error)))
        return FALSE;

      for (guint i = 0; i < messages->len; i++)
        {
          PgqrsMessage *message = g_ptr_array_index (messages, i);

          if (g_array_index (flags, gboolean, i))
            {
              consumed++;
              printf ("archived %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %u\n",
                      pgqrs_message_get_id (message), payload_seq (message),
                      pgqrs_message_get_read_count (message));
            }
          else
            printf ("lost %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
                    pgqrs_message_get_id (message), payload_seq (message));
        }
    }

  printf ("consumed %" G_GUINT64_FORMAT "\n", consumed);
  return TRUE;
}

static gboolean
lease (PgqrsQueue  *queue,
       guint64      count,
       GError     **error)
{
  g_autoptr(GPtrArray) messages = pgqrs_queue_dequeue (queue, count, opt_visibility, NULL, error);

  if (messages == NULL)
    return FALSE;

  for (guint i = 0; i < messages->len; i++)
    printf ("leased %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
            pgqrs_message_get_id (g_ptr_array_index (messages, i)),
            payload_seq (g_ptr_array_index (messages, i)));

  return TRUE;
}

static gboolean
install (PgqrsStore  *store,
         const char  *queue_name,
         GError     **error)
{
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!pgqrs_store_install (store, NULL, error))
    return FALSE;

  if (!(queue = pgqrs_store_create_queue (store, queue_name, NULL, &local_error)) &&
      !g_error_matches (local_error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_EXISTS))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  printf ("installed\n");
  return TRUE;
}

static guint64
parse_count (const char *text,
             const char *what)
{
  guint64 value = 0;
  g_autoptr(GError) error = NULL;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT32, &value, &error))
    {
      g_printerr ("%s: %s\n", what, error->message);
      exit (2);
    }

  return value;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context =
    g_option_context_new ("install DSN QUEUE | produce DSN QUEUE COUNT BATCH | "
                          "consume DSN QUEUE TOTAL | lease DSN QUEUE COUNT");
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) store = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  const char *command, *dsn, *queue_name;
  int n_args;
  gboolean ok;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  command = argc > 1 ? argv[1] : "";
  if (g_str_equal (command, "install"))
    n_args = 4;
  else if (g_str_equal (command, "produce"))
    n_args = 6;
  else if (g_str_equal (command, "consume") || g_str_equal (command, "lease"))
    n_args = 5;
  else
    n_args = -1;

  if (argc != n_args || opt_batch < 1 || opt_visibility <= 0)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("%s", help);
      return 2;
    }

  dsn = argv[2];
  queue_name = argv[3];

  if (!(store = pgqrs_store_new (dsn, NULL, &error)))
    ok = FALSE;
  else if (g_str_equal (command, "install"))
    ok = install (store, queue_name, &error);
  else if (!(queue = pgqrs_store_get_queue (store, queue_name, NULL, &error)))
    ok = FALSE;
  else if (g_str_equal (command, "produce"))
    ok = produce (queue, parse_count (argv[4], "COUNT"), parse_count (argv[5], "BATCH"), &error);
  else if (g_str_equal (command, "consume"))
    ok = consume (store, queue, parse_count (argv[4], "TOTAL"), &error);
  else
    ok = lease (queue, parse_count (argv[4], "COUNT"), &error);

  fflush (stdout);

  if (!ok)
    {
      g_printerr ("%s %s: %s\n", command, queue_name, error->message);
      return 1;
    }

  return 0;
}
