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
  "id", "read_count", "enqueued_at", "visible_at", "holder", "payload", NULL
};
static const char * const archived_columns[] = {
  "id", "read_count", "enqueued_at", "archived_at", "archive_reason", "payload", NULL
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

/* Worker id → name, for naming the holders of leases. */
static GHashTable *
worker_names (PgqrsStore  *store,
              const char  *queue_name,
              GError     **error)
{
  g_autoptr(GPtrArray) workers = pgqrs_store_list_workers (store, queue_name, NULL, error);
  GHashTable *names;

  if (workers == NULL)
    return NULL;

  names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  for (guint i = 0; i < workers->len; i++)
    {
      PgqrsWorker *worker = g_ptr_array_index (workers, i);
      gint64 *id = g_new (gint64, 1);

      *id = pgqrs_worker_get_id (worker);
      g_hash_table_insert (names, id, g_strdup (pgqrs_worker_get_name (worker)));
    }

  return names;
}

static gboolean
cmd_messages (PgqrsCli  *cli,
              int        argc,
              char     **argv,
              GError   **error)
{
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GHashTable) holders = NULL;
  g_autoptr(JsonNode) document = NULL;
  JsonArray *rows;
  gboolean pending = FALSE, delayed = FALSE, leased = FALSE, archived = FALSE, dead = FALSE;
  int limit = 100, offset = 0;
  const GOptionEntry entries[] = {
    { "pending", 0, 0, G_OPTION_ARG_NONE, &pending,
      N_("Messages visible now, in the order they will be leased"), NULL },
    { "delayed", 0, 0, G_OPTION_ARG_NONE, &delayed,
      N_("Messages that become visible later"), NULL },
    { "leased", 0, 0, G_OPTION_ARG_NONE, &leased,
      N_("Leased messages and their holders, the soonest to expire first"), NULL },
    { "archived", 0, 0, G_OPTION_ARG_NONE, &archived,
      N_("Archived messages, done and dead-lettered, the newest first"), NULL },
    { "dead", 0, 0, G_OPTION_ARG_NONE, &dead,
      N_("Dead-lettered messages only, the newest first"), NULL },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("List at most N messages (default 100)"), "N" },
    { "offset", 0, 0, G_OPTION_ARG_INT, &offset, N_("Skip the first N, for paging"), "N" },
    G_OPTION_ENTRY_NULL
  };
  PgqrsMessageState states = 0;

  if (!pgqrs_cli_parse (cli, &argc, &argv, "QUEUE",
                        _("Lists a queue’s messages without leasing them: pending, delayed and "
                          "leased ones (all three unless some are asked for), or the archived "
                          "or dead-lettered ones."),
                        entries, 1, 1, error))
    return FALSE;

  if (pending)
    states |= PGQRS_MESSAGE_STATE_PENDING;
  if (delayed)
    states |= PGQRS_MESSAGE_STATE_DELAYED;
  if (leased)
    states |= PGQRS_MESSAGE_STATE_LEASED;

  if ((archived || dead) && (states != 0 || (archived && dead)))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--archived and --dead go alone: with neither the other states, nor "
                     "each other"));
      return FALSE;
    }
  if (limit < 1 || offset < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--limit must be 1 or more and --offset 0 or more"));
      return FALSE;
    }

  if (!(queue = pgqrs_cli_get_queue (cli, argv[1], error)))
    return FALSE;

  if (archived || dead)
    messages = pgqrs_store_list_archived (pgqrs_queue_get_store (queue), argv[1], dead,
                                          limit, offset, NULL, error);
  else if ((holders = worker_names (pgqrs_queue_get_store (queue), argv[1], error)))
    messages = pgqrs_queue_list_messages (queue, states, limit, offset, NULL, error);
  if (messages == NULL)
    return FALSE;

  document = pgqrs_cli_new_array (&rows);
  for (guint i = 0; i < messages->len; i++)
    {
      PgqrsMessage *message = g_ptr_array_index (messages, i);
      JsonNode *row = pgqrs_cli_message_to_json (message, argv[1]);
      gint64 holder = pgqrs_message_get_consumer_worker_id (message);

      /* The worker that leased it last: a leased message's holder. A
       * one-off lease names no worker. */
      if (holders != NULL)
        {
          JsonObject *object = json_node_get_object (row);
          const char *name = g_hash_table_lookup (holders, &holder);

          if (name != NULL)
            json_object_set_string_member (object, "holder", name);
          else
            json_object_set_null_member (object, "holder");
        }
      json_array_add_element (rows, row);
    }

  pgqrs_cli_print (cli, document, archived || dead ? archived_columns : message_columns);
  return TRUE;
}

static gboolean
cmd_replay (PgqrsCli  *cli,
            int        argc,
            char     **argv,
            GError   **error)
{
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(PgqrsMessage) message = NULL;
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

  /* The library replays by id alone: make sure it is this queue's. */
  if (!(message = pgqrs_queue_get_message (queue, id, NULL, error)))
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

typedef enum { SETTLE_ARCHIVE, SETTLE_DELETE, SETTLE_RELEASE } Settle;

/* archive, delete and release act on the message as it was read just
 * before: if a consumer leased or settled it in between, its lease token
 * no longer matches and nothing happens. */
static gboolean
settle (PgqrsCli    *cli,
        int          argc,
        char       **argv,
        Settle       how,
        GError     **error)
{
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(PgqrsMessage) message = NULL;
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(GError) settle_error = NULL;
  const char *key = how == SETTLE_ARCHIVE ? "archived" : how == SETTLE_DELETE ? "deleted" : "released";
  JsonObject *object;
  double delay = 0;
  const GOptionEntry release_entries[] = {
    { "delay", 0, 0, G_OPTION_ARG_DOUBLE, &delay,
      N_("Make it visible again only after this many seconds"), "SECONDS" },
    G_OPTION_ENTRY_NULL
  };
  const char *summaries[] = {
    N_("Archives a message that is not archived yet, as done, whoever holds it."),
    N_("Deletes a message that is not archived, whoever holds it."),
    N_("Ends a message’s lease, whoever holds it, and makes it visible again: now, or "
       "after --delay."),
  };
  gboolean done;
  gint64 id;

  if (!pgqrs_cli_parse (cli, &argc, &argv, "QUEUE ID", _(summaries[how]),
                        how == SETTLE_RELEASE ? release_entries : NULL, 2, 2, error) ||
      !pgqrs_cli_parse_id (argv[2], &id, error))
    return FALSE;

  if (delay < 0 || !isfinite (delay))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--delay must be zero or more seconds"));
      return FALSE;
    }

  if (!(queue = pgqrs_cli_get_queue (cli, argv[1], error)) ||
      !(message = pgqrs_queue_get_message (queue, id, NULL, error)))
    return FALSE;

  if (pgqrs_message_get_archived_at (message) != NULL)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE,
                   _("message %lld is archived (“pgqrs replay” brings it back)"), (long long)id);
      return FALSE;
    }

  switch (how)
    {
    case SETTLE_ARCHIVE:
      done = pgqrs_queue_archive (queue, message, NULL, &settle_error);
      break;
    case SETTLE_DELETE:
      done = pgqrs_queue_delete_message (queue, message, NULL, &settle_error);
      break;
    case SETTLE_RELEASE:
    default:
      done = pgqrs_queue_release (queue, message, delay, NULL, &settle_error);
      break;
    }

  if (settle_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&settle_error));
      return FALSE;
    }
  if (!done)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONFLICT,
                   _("message %lld changed while this ran (a consumer leased or settled it); "
                     "look again"), (long long)id);
      return FALSE;
    }

  document = pgqrs_cli_new_object (&object);
  json_object_set_string_member (object, "queue", argv[1]);
  json_object_set_int_member (object, "id", id);
  json_object_set_boolean_member (object, key, TRUE);
  switch (how)
    {
    case SETTLE_ARCHIVE:
      pgqrs_cli_print_done (cli, document, _("Archived message %lld."), (long long)id);
      break;
    case SETTLE_DELETE:
      pgqrs_cli_print_done (cli, document, _("Deleted message %lld."), (long long)id);
      break;
    case SETTLE_RELEASE:
    default:
      pgqrs_cli_print_done (cli, document, _("Released message %lld."), (long long)id);
      break;
    }

  return TRUE;
}

static gboolean
cmd_archive (PgqrsCli  *cli,
             int        argc,
             char     **argv,
             GError   **error)
{
  return settle (cli, argc, argv, SETTLE_ARCHIVE, error);
}

static gboolean
cmd_delete (PgqrsCli  *cli,
            int        argc,
            char     **argv,
            GError   **error)
{
  return settle (cli, argc, argv, SETTLE_DELETE, error);
}

static gboolean
cmd_release (PgqrsCli  *cli,
             int        argc,
             char     **argv,
             GError   **error)
{
  return settle (cli, argc, argv, SETTLE_RELEASE, error);
}

const PgqrsCliCommand pgqrs_cli_message_commands[] = {
  { "send", N_("Send messages to a queue"), cmd_send },
  { "messages", N_("List a queue’s messages"), cmd_messages },
  { "archive", N_("Archive a message by hand"), cmd_archive },
  { "delete", N_("Delete a message"), cmd_delete },
  { "release", N_("End a message’s lease and make it visible again"), cmd_release },
  { "replay", N_("Put an archived message back in its queue"), cmd_replay },
  { NULL }
};
