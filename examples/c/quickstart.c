/* quickstart.c — the pgqrs job queue in one page.
 *
 * The C form of pgqrs's job-queue quick start: connect to a database,
 * install the pgqrs tables, create a queue, enqueue a job, lease it back as
 * a consumer would, handle it, archive it, and look at the queue's metrics.
 *
 * Usage: quickstart [DSN]      (default: sqlite://quickstart.db, a file in
 *                               the current directory)
 *
 * Build: cc quickstart.c $(pkg-config --cflags --libs pgqrs-1) -o quickstart
 *
 * SPDX-License-Identifier: MIT
 */

#include <locale.h>

#include <pgqrs.h>

int
main (int   argc,
      char *argv[])
{
  const char *dsn = argc > 1 ? argv[1] : "sqlite://quickstart.db";
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) store = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(JsonNode) payload = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(PgqrsQueueMetrics) metrics = NULL;
  gint64 id;

  /* pgqrs's error messages are translated; show them in the user's language
   * and character set. */
  setlocale (LC_ALL, "");

  /* Connect. The DSN picks the database: sqlite:///abs/path.db,
   * sqlite://relative.db, sqlite::memory: or postgresql://user@host/db. */
  if (!(store = pgqrs_store_new (dsn, NULL, &error)))
    {
      g_printerr ("cannot open %s: %s\n", dsn, error->message);
      return 1;
    }

  /* Create the pgqrs tables, or bring them up to date. Install is
   * idempotent, so applications simply call it at start-up. */
  if (!pgqrs_store_install (store, NULL, &error))
    {
      g_printerr ("cannot install the pgqrs tables: %s\n", error->message);
      return 1;
    }

  /* A queue is created once; later runs find it. */
  if (!(queue = pgqrs_store_get_queue (store, "tasks", NULL, &error)))
    {
      if (!g_error_matches (error, PGQRS_ERROR, PGQRS_ERROR_QUEUE_NOT_FOUND))
        {
          g_printerr ("cannot look up the queue: %s\n", error->message);
          return 1;
        }
      g_clear_error (&error);

      if (!(queue = pgqrs_store_create_queue (store, "tasks", NULL, &error)))
        {
          g_printerr ("cannot create the queue: %s\n", error->message);
          return 1;
        }
    }

  /* Produce: any JSON value is a payload. */
  payload = json_from_string ("{\"task\": \"send_email\", \"to\": \"user@example.com\"}", &error);
  g_assert_no_error (error);

  if ((id = pgqrs_queue_enqueue (queue, payload, NULL, &error)) == 0)
    {
      g_printerr ("cannot enqueue: %s\n", error->message);
      return 1;
    }
  g_print ("enqueued message %" G_GINT64_FORMAT "\n", id);

  /* Consume: lease up to 10 messages, the oldest first. For 30 seconds no
   * other consumer sees them; if this process died now, they would come
   * back to the queue when the 30 seconds are up. */
  if (!(messages = pgqrs_queue_dequeue (queue, 10, 30, NULL, &error)))
    {
      g_printerr ("cannot dequeue: %s\n", error->message);
      return 1;
    }

  for (guint i = 0; i < messages->len; i++)
    {
      PgqrsMessage *message = g_ptr_array_index (messages, i);
      g_autofree char *text = json_to_string (pgqrs_message_get_payload (message), FALSE);

      /* … do the work here … */
      g_print ("handling message %" G_GINT64_FORMAT " (read %u time(s)): %s\n",
               pgqrs_message_get_id (message), pgqrs_message_get_read_count (message), text);

      /* Done: archive it. It leaves the queue but stays in the database for
       * audit. FALSE without an error means the lease ran out and another
       * consumer has the message now. */
      if (!pgqrs_queue_archive (queue, message, NULL, &error))
        {
          if (error != NULL)
            {
              g_printerr ("cannot archive: %s\n", error->message);
              return 1;
            }
          g_print ("lease of message %" G_GINT64_FORMAT " lost; someone else has it\n",
                   pgqrs_message_get_id (message));
        }
    }

  /* How the queue is doing. */
  if (!(metrics = pgqrs_store_get_metrics (store, "tasks", NULL, &error)))
    {
      g_printerr ("cannot read metrics: %s\n", error->message);
      return 1;
    }

  g_print ("queue \"%s\": %" G_GINT64_FORMAT " message(s): %" G_GINT64_FORMAT " pending, "
           "%" G_GINT64_FORMAT " leased, %" G_GINT64_FORMAT " archived\n",
           pgqrs_queue_metrics_get_queue_name (metrics),
           pgqrs_queue_metrics_get_total (metrics),
           pgqrs_queue_metrics_get_pending (metrics),
           pgqrs_queue_metrics_get_leased (metrics),
           pgqrs_queue_metrics_get_archived (metrics));

  return 0;
}
