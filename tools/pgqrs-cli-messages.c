/* pgqrs-cli-messages.c — `pgqrs send | messages | replay`
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <gio/gunixinputstream.h>
#include <math.h>

#include <glib/gi18n.h>

#include "pgqrs-cli-private.h"

/* Payloads read from standard input go in batches of this many: one
 * transaction each, and a bound on what is held in memory. */
#define SEND_BATCH 500

static const char * const message_columns[] = {
  "id", "read_count", "enqueued_at", "visible_at", "archived_at", "archive_reason", "payload", NULL
};

/* Every line of standard input that is not blank, parsed, before anything
 * is sent: a malformed line sends nothing. */
static GPtrArray *
read_payloads (GError **error)
{
  g_autoptr(GInputStream) input = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  g_autoptr(GDataInputStream) lines = g_data_input_stream_new (input);
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  guint number = 0;

  for (;;)
    {
      g_autoptr(GError) read_error = NULL;
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &read_error);
      JsonNode *payload;

      if (read_error != NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&read_error),
                                      _("standard input, line %u: "), number + 1);
          return NULL;
        }
      if (line == NULL)
        break;

      number++;
      g_strstrip (line);
      if (*line == '\0')
        continue;
      if (!(payload = json_from_string (line, error)))
        {
          g_prefix_error (error, _("standard input, line %u: "), number);
          return NULL;
        }
      g_ptr_array_add (payloads, payload);
    }

  return g_steal_pointer (&payloads);
}

static gboolean
cmd_send (PgqrsCli  *cli,
          int        argc,
          char     **argv,
          GError   **error)
{
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(GPtrArray) payloads = NULL;
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(GError) send_error = NULL;
  JsonObject *object;
  JsonArray *ids;
  double delay = 0;
  const GOptionEntry entries[] = {
    { "delay", 0, 0, G_OPTION_ARG_DOUBLE, &delay,
      N_("Make the messages visible only after this many seconds"), "SECONDS" },
    G_OPTION_ENTRY_NULL
  };

  if (!pgqrs_cli_parse (cli, &argc, &argv, "QUEUE [JSON]",
                        _("Sends a message with the JSON value given as its payload; without "
                        "JSON, sends one message per line of standard input (blank lines are "
                        "skipped, and nothing is sent if a line is not JSON). Prints the new "
                        "messages’ ids, one per line."),
                        entries, 1, 2, error))
    return FALSE;

  if (delay < 0 || !isfinite (delay))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--delay must be zero or more seconds"));
      return FALSE;
    }

  if (argc == 3)
    {
      JsonNode *payload = json_from_string (argv[2], error);

      if (payload == NULL)
        {
          g_prefix_error (error, _("the payload is not JSON: "));
          return FALSE;
        }
      payloads = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
      g_ptr_array_add (payloads, payload);
    }
  else if (!(payloads = read_payloads (error)))
    return FALSE;

  if (!(queue = pgqrs_cli_get_queue (cli, argv[1], error)))
    return FALSE;

  document = pgqrs_cli_new_object (&object);
  json_object_set_string_member (object, "queue", argv[1]);
  ids = json_array_new ();
  json_object_set_array_member (object, "ids", ids);

  for (guint start = 0; start < payloads->len && send_error == NULL; start += SEND_BATCH)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new ();
      g_autoptr(GArray) batch_ids = NULL;

      for (guint i = start; i < payloads->len && i < start + SEND_BATCH; i++)
        g_ptr_array_add (batch, g_ptr_array_index (payloads, i));

      if (!(batch_ids = pgqrs_queue_enqueue_batch (queue, batch, delay, NULL, &send_error)))
        break;

      for (guint i = 0; i < batch_ids->len; i++)
        {
          gint64 id = g_array_index (batch_ids, gint64, i);

          json_array_add_int_element (ids, id);
          if (!cli->json)
            g_print ("%" G_GINT64_FORMAT "\n", id);
        }
    }

  /* What was sent before a failure is printed, so nothing sent goes
   * unreported. */
  if (cli->json)
    pgqrs_cli_print (cli, document, NULL);

  if (send_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&send_error));
      return FALSE;
    }

  return TRUE;
}

static gboolean
cmd_messages (PgqrsCli  *cli,
              int        argc,
              char     **argv,
              GError   **error)
{
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(JsonNode) document = NULL;
  JsonArray *rows;
  gboolean archived = FALSE, dead = FALSE;
  int limit = 100, offset = 0;
  const GOptionEntry entries[] = {
    { "archived", 0, 0, G_OPTION_ARG_NONE, &archived,
      N_("Archived messages, done and dead-lettered, the newest first"), NULL },
    { "dead", 0, 0, G_OPTION_ARG_NONE, &dead,
      N_("Dead-lettered messages only, the newest first"), NULL },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("List at most N messages (default 100)"), "N" },
    { "offset", 0, 0, G_OPTION_ARG_INT, &offset, N_("Skip the first N, for paging"), "N" },
    G_OPTION_ENTRY_NULL
  };

  if (!pgqrs_cli_parse (cli, &argc, &argv, "QUEUE",
                        _("Lists a queue’s archived (--archived) or dead-lettered (--dead) "
                        "messages."),
                        entries, 1, 1, error))
    return FALSE;

  if (archived + dead != 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("give one of --archived or --dead"));
      return FALSE;
    }
  if (limit < 1 || offset < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--limit must be 1 or more and --offset 0 or more"));
      return FALSE;
    }

  if (!(queue = pgqrs_cli_get_queue (cli, argv[1], error)) ||
      !(messages = pgqrs_store_list_archived (pgqrs_queue_get_store (queue), argv[1], dead,
                                              limit, offset, NULL, error)))
    return FALSE;

  document = pgqrs_cli_new_array (&rows);
  for (guint i = 0; i < messages->len; i++)
    json_array_add_element (rows, pgqrs_cli_message_to_json (g_ptr_array_index (messages, i),
                                                             argv[1]));

  pgqrs_cli_print (cli, document, message_columns);
  return TRUE;
}

static gboolean
cmd_replay (PgqrsCli  *cli,
            int        argc,
            char     **argv,
            GError   **error)
{
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(JsonNode) document = NULL;
  JsonObject *object;
  gint64 id;

  if (!pgqrs_cli_parse (cli, &argc, &argv, "QUEUE ID",
                        _("Puts an archived message — done or dead-lettered — back in its queue, "
                        "visible now, with a read count of zero."),
                        NULL, 2, 2, error) ||
      !pgqrs_cli_parse_id (argv[2], &id, error) ||
      !(queue = pgqrs_cli_get_queue (cli, argv[1], error)))
    return FALSE;

  if (!pgqrs_store_replay (pgqrs_queue_get_store (queue), id, NULL, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE,
                     _("message %lld is not archived"), (long long)id);
      return FALSE;
    }

  document = pgqrs_cli_new_object (&object);
  json_object_set_string_member (object, "queue", argv[1]);
  json_object_set_int_member (object, "id", id);
  json_object_set_boolean_member (object, "replayed", TRUE);
  pgqrs_cli_print_done (cli, document, _("Message %lld is back in queue %s."),
                        (long long)id, argv[1]);

  return TRUE;
}

const PgqrsCliCommand pgqrs_cli_message_commands[] = {
  { "send", N_("Send messages to a queue"), cmd_send },
  { "messages", N_("List a queue’s messages"), cmd_messages },
  { "replay", N_("Put an archived message back in its queue"), cmd_replay },
  { NULL }
};
