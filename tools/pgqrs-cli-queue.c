/* pgqrs-cli-queue.c — `pgqrs queue create|list|delete|purge|metrics`
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pgqrs-cli-private.h"

static const char * const queue_columns[] = { "id", "name", "created_at", NULL };
static const char * const metrics_columns[] = {
  "queue", "total", "pending", "delayed", "leased", "archived", "dead_lettered",
  "oldest_pending_age", NULL
};

static gboolean
cmd_create (PgqrsCli  *cli,
            int        argc,
            char     **argv,
            GError   **error)
{
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(JsonNode) document = NULL;
  PgqrsStore *store;

  if (!pgqrs_cli_parse (cli, &argc, &argv, "NAME",
                        _("Creates a queue. NAME is 1 to 63 letters, digits, “_” or “-”, "
                        "starting with a letter or “_”."),
                        NULL, 1, 1, error) ||
      !(store = pgqrs_cli_open_store (cli, error)) ||
      !(queue = pgqrs_store_create_queue (store, argv[1], NULL, error)))
    return FALSE;

  document = pgqrs_cli_queue_to_json (queue);
  pgqrs_cli_print_done (cli, document, _("Created queue %s."), pgqrs_queue_get_name (queue));

  return TRUE;
}

static gboolean
cmd_list (PgqrsCli  *cli,
          int        argc,
          char     **argv,
          GError   **error)
{
  g_autoptr(GPtrArray) queues = NULL;
  g_autoptr(JsonNode) document = NULL;
  PgqrsStore *store;

  if (!pgqrs_cli_parse (cli, &argc, &argv, "", _("Lists the queues."), NULL, 0, 0, error) ||
      !(store = pgqrs_cli_open_store (cli, error)) ||
      !(queues = pgqrs_store_list_queues (store, NULL, error)))
    return FALSE;

  document = pgqrs_cli_list_to_json (queues, (PgqrsCliToJson)pgqrs_cli_queue_to_json);

  pgqrs_cli_print (cli, document, queue_columns);
  return TRUE;
}

static gboolean
cmd_delete (PgqrsCli  *cli,
            int        argc,
            char     **argv,
            GError   **error)
{
  g_autoptr(JsonNode) document = NULL;
  JsonObject *object;
  gboolean cascade = FALSE;
  const GOptionEntry entries[] = {
    { "cascade", 0, 0, G_OPTION_ARG_NONE, &cascade,
      N_("Delete its messages, its workflows and their runs too"), NULL },
    G_OPTION_ENTRY_NULL
  };
  PgqrsStore *store;

  if (!pgqrs_cli_parse (cli, &argc, &argv, "QUEUE",
                        _("Deletes a queue. Without --cascade, a queue that still has messages "
                        "(archived ones too), live workers or a workflow is kept."),
                        entries, 1, 1, error) ||
      !(store = pgqrs_cli_open_store (cli, error)) ||
      !pgqrs_store_delete_queue (store, argv[1], cascade, NULL, error))
    return FALSE;

  document = pgqrs_cli_new_object (&object);
  json_object_set_string_member (object, "queue", argv[1]);
  json_object_set_boolean_member (object, "deleted", TRUE);
  pgqrs_cli_print_done (cli, document, _("Deleted queue %s."), argv[1]);

  return TRUE;
}

static gboolean
cmd_purge (PgqrsCli  *cli,
           int        argc,
           char     **argv,
           GError   **error)
{
  g_autoptr(JsonNode) document = NULL;
  JsonObject *object;
  PgqrsStore *store;
  gint64 purged;

  if (!pgqrs_cli_parse (cli, &argc, &argv, "QUEUE",
                        _("Deletes every message of a queue, archived ones included, and the "
                        "workflow runs they triggered."),
                        NULL, 1, 1, error) ||
      !(store = pgqrs_cli_open_store (cli, error)) ||
      (purged = pgqrs_store_purge_queue (store, argv[1], NULL, error)) < 0)
    return FALSE;

  document = pgqrs_cli_new_object (&object);
  json_object_set_string_member (object, "queue", argv[1]);
  json_object_set_int_member (object, "purged", purged);
  pgqrs_cli_print_done (cli, document,
                        ngettext ("Purged %lld message from queue %s.",
                                  "Purged %lld messages from queue %s.", purged),
                        (long long)purged, argv[1]);

  return TRUE;
}

static gboolean
cmd_metrics (PgqrsCli  *cli,
             int        argc,
             char     **argv,
             GError   **error)
{
  return pgqrs_cli_parse (cli, &argc, &argv, "[QUEUE]",
                          _("Counts a queue’s messages: pending (visible now), delayed, leased, "
                          "archived, dead-lettered, and the age in seconds of the oldest "
                          "pending one. Without QUEUE, a table of every queue."),
                          NULL, 0, 1, error) &&
         pgqrs_cli_print_one_or_all (cli, argc == 2 ? argv[1] : NULL,
                                     (PgqrsCliGetOne)pgqrs_store_get_metrics,
                                     (PgqrsCliGetAll)pgqrs_store_list_metrics,
                                     (PgqrsCliToJson)pgqrs_cli_metrics_to_json, metrics_columns,
                                     error);
}

const PgqrsCliCommand pgqrs_cli_queue_commands[] = {
  { "create", N_("Create a queue"), cmd_create },
  { "list", N_("List the queues"), cmd_list },
  { "delete", N_("Delete a queue"), cmd_delete },
  { "purge", N_("Delete every message of a queue"), cmd_purge },
  { "metrics", N_("Count a queue’s messages by state"), cmd_metrics },
  { NULL }
};
