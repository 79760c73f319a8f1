/* pgqrs-cli-worker.c — `pgqrs worker list|stats|reclaim`
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "pgqrs-cli-private.h"

static const char * const worker_columns[] = {
  "id", "name", "queue", "status", "started_at", "heartbeat_at", NULL
};

static const char * const stats_columns[] = {
  "queue", "total", "ready", "polling", "interrupted", "suspended", "stopped", "stale",
  "held_messages", "oldest_heartbeat_age", NULL
};

static gboolean
cmd_list (PgqrsCli  *cli,
          int        argc,
          char     **argv,
          GError   **error)
{
  g_autoptr(GPtrArray) workers = NULL;
  g_autoptr(GPtrArray) queues = NULL;
  g_autoptr(GHashTable) queue_names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(PgqrsQueue) queue_filter = NULL;
  g_autoptr(JsonNode) document = NULL;
  g_autofree char *queue_name = NULL;
  JsonArray *rows;
  PgqrsStore *store;
  const GOptionEntry entries[] = {
    { "queue", 'q', 0, G_OPTION_ARG_STRING, &queue_name, N_("Only the workers of this queue"), "QUEUE" },
    G_OPTION_ENTRY_NULL
  };

  if (!pgqrs_cli_parse (cli, &argc, &argv, "",
                        _("Lists the registered workers, live and stopped."),
                        entries, 0, 0, error) ||
      !(store = pgqrs_cli_open_store (cli, error)) ||
      (queue_name != NULL && !(queue_filter = pgqrs_cli_get_queue (cli, queue_name, error))) ||
      !(queues = pgqrs_store_list_queues (store, NULL, error)) ||
      !(workers = pgqrs_store_list_workers (store, queue_name, NULL, error)))
    return FALSE;

  for (guint i = 0; i < queues->len; i++)
    {
      PgqrsQueue *queue = g_ptr_array_index (queues, i);
      gint64 *id = g_new (gint64, 1);

      *id = pgqrs_queue_get_id (queue);
      g_hash_table_insert (queue_names, id, (gpointer)pgqrs_queue_get_name (queue));
    }

  document = pgqrs_cli_new_array (&rows);
  for (guint i = 0; i < workers->len; i++)
    {
      PgqrsWorker *worker = g_ptr_array_index (workers, i);
      JsonNode *row = pgqrs_cli_worker_to_json (worker);
      gint64 queue_id = pgqrs_worker_get_queue_id (worker);
      const char *name = g_hash_table_lookup (queue_names, &queue_id);

      if (name != NULL)
        json_object_set_string_member (json_node_get_object (row), "queue", name);
      else
        json_object_set_null_member (json_node_get_object (row), "queue");
      json_array_add_element (rows, row);
    }

  pgqrs_cli_print (cli, document, worker_columns);
  return TRUE;
}

static JsonNode *
stats_to_json (PgqrsWorkerStats *stats)
{
  JsonObject *object;
  JsonNode *node = pgqrs_cli_new_object (&object);
  const char *queue = pgqrs_worker_stats_get_queue_name (stats);

  if (queue != NULL)
    json_object_set_string_member (object, "queue", queue);
  else
    json_object_set_null_member (object, "queue");
  json_object_set_int_member (object, "total", pgqrs_worker_stats_get_total (stats));
  for (PgqrsWorkerStatus status = PGQRS_WORKER_STATUS_READY;
       status <= PGQRS_WORKER_STATUS_STOPPED; status++)
    json_object_set_int_member (object, pgqrs_worker_status_to_string (status),
                                pgqrs_worker_stats_get_count (stats, status));
  json_object_set_int_member (object, "stale", pgqrs_worker_stats_get_stale (stats));
  json_object_set_int_member (object, "held_messages", pgqrs_worker_stats_get_held_messages (stats));
  json_object_set_double_member (object, "oldest_heartbeat_age",
                                 pgqrs_worker_stats_get_oldest_heartbeat_age (stats));

  return node;
}

static gboolean
cmd_stats (PgqrsCli  *cli,
           int        argc,
           char     **argv,
           GError   **error)
{
  return pgqrs_cli_parse (cli, &argc, &argv, "[QUEUE]",
                          _("Counts a queue’s workers by status, the stale ones (live, with a "
                          "heartbeat older than three heartbeat intervals) and the messages "
                          "they hold. Without QUEUE, a table of every queue."),
                          NULL, 0, 1, error) &&
         pgqrs_cli_print_one_or_all (cli, argc == 2 ? argv[1] : NULL,
                                     (PgqrsCliGetOne)pgqrs_store_get_worker_stats,
                                     (PgqrsCliGetAll)pgqrs_store_list_worker_stats,
                                     (PgqrsCliToJson)stats_to_json, stats_columns, error);
}

static gboolean
cmd_reclaim (PgqrsCli  *cli,
             int        argc,
             char     **argv,
             GError   **error)
{
  g_autoptr(JsonNode) document = NULL;
  JsonObject *object;
  PgqrsStore *store;
  double older_than = 0;
  gint64 reclaimed;
  const GOptionEntry entries[] = {
    { "older-than", 0, 0, G_OPTION_ARG_DOUBLE, &older_than,
      N_("Reclaim workers whose last heartbeat is older than this (default: three heartbeat "
      "intervals)"), "SECONDS" },
    G_OPTION_ENTRY_NULL
  };

  if (!pgqrs_cli_parse (cli, &argc, &argv, "",
                        _("Marks the workers whose heartbeat stopped as stopped and puts the "
                        "messages they held back in their queues at once."),
                        entries, 0, 0, error))
    return FALSE;

  if (older_than < 0 || !isfinite (older_than))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--older-than must be zero or more seconds"));
      return FALSE;
    }

  if (!(store = pgqrs_cli_open_store (cli, error)))
    return FALSE;

  /* The same threshold past which the library lets a restarted process
   * take a silent worker's name back. */
  if (older_than == 0)
    older_than = 3 * pgqrs_config_get_heartbeat_interval (pgqrs_store_get_config (store));

  if ((reclaimed = pgqrs_store_reclaim_workers (store, older_than, NULL, error)) < 0)
    return FALSE;

  document = pgqrs_cli_new_object (&object);
  json_object_set_int_member (object, "reclaimed", reclaimed);
  pgqrs_cli_print_done (cli, document,
                        ngettext ("Reclaimed %lld worker.", "Reclaimed %lld workers.", reclaimed),
                        (long long)reclaimed);

  return TRUE;
}

const PgqrsCliCommand pgqrs_cli_worker_commands[] = {
  { "list", N_("List the workers"), cmd_list },
  { "stats", N_("Count a queue’s workers by status"), cmd_stats },
  { "reclaim", N_("Stop dead workers and release their messages"), cmd_reclaim },
  { NULL }
};
