/* pgqrs-cli-output.c — the tool's output: JSON documents and aligned tables
 *
 * Every command that prints data builds one JsonNode with stable field
 * names; --json prints it as it is, otherwise a list becomes a table and an
 * object "name  value" lines. So the two forms cannot drift apart, and the
 * JSON field names are the table's headers.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "pgqrs-cli-private.h"

/* A new node holding a new object (array), and the object to fill in,
 * owned by the node. */
JsonNode *
pgqrs_cli_new_object (JsonObject **object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  *object = json_object_new ();
  json_node_take_object (node, *object);
  return node;
}

JsonNode *
pgqrs_cli_new_array (JsonArray **array)
{
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  *array = json_array_new ();
  json_node_take_array (node, *array);
  return node;
}

/* One row per object, in order. */
JsonNode *
pgqrs_cli_list_to_json (GPtrArray      *objects,
                        PgqrsCliToJson  to_json)
{
  JsonArray *rows;
  JsonNode *node = pgqrs_cli_new_array (&rows);

  for (guint i = 0; i < objects->len; i++)
    json_array_add_element (rows, to_json (g_ptr_array_index (objects, i)));

  return node;
}

/* Prints the figures of the queue named, or (@queue_name %NULL) a table of
 * every queue's. */
gboolean
pgqrs_cli_print_one_or_all (PgqrsCli        *cli,
                            const char      *queue_name,
                            PgqrsCliGetOne   get_one,
                            PgqrsCliGetAll   get_all,
                            PgqrsCliToJson       to_json,
                            const char * const  *columns,
                            GError             **error)
{
  g_autoptr(JsonNode) document = NULL;
  PgqrsStore *store = pgqrs_cli_open_store (cli, error);

  if (store == NULL)
    return FALSE;

  if (queue_name != NULL)
    {
      g_autoptr(GObject) one = get_one (store, queue_name, NULL, error);

      if (one == NULL)
        return FALSE;
      document = to_json (one);
    }
  else
    {
      g_autoptr(GPtrArray) all = get_all (store, NULL, error);

      if (all == NULL)
        return FALSE;
      document = pgqrs_cli_list_to_json (all, to_json);
    }

  pgqrs_cli_print (cli, document, columns);
  return TRUE;
}

JsonNode *
pgqrs_cli_time_node (GDateTime *time)
{
  JsonNode *node = json_node_alloc ();

  if (time == NULL)
    return json_node_init_null (node);

  {
    g_autofree char *text = g_date_time_format_iso8601 (time);

    return json_node_init_string (node, text);
  }
}

JsonNode *
pgqrs_cli_id_node (gint64 id)
{
  JsonNode *node = json_node_alloc ();

  /* The library's "none" for a worker or message id is 0 or less. */
  return id > 0 ? json_node_init_int (node, id) : json_node_init_null (node);
}

JsonNode *
pgqrs_cli_payload_node (JsonNode *payload)
{
  return payload ? json_node_copy (payload) : json_node_init_null (json_node_alloc ());
}

static const char *
archive_reason_name (PgqrsArchiveReason reason)
{
  switch (reason)
    {
    case PGQRS_ARCHIVE_REASON_DONE:
      return "done";
    case PGQRS_ARCHIVE_REASON_DEAD_LETTER:
      return "dead_letter";
    case PGQRS_ARCHIVE_REASON_NONE:
    default:
      return NULL;
    }
}

JsonNode *
pgqrs_cli_message_to_json (PgqrsMessage *message,
                           const char   *queue_name)
{
  JsonObject *object;
  JsonNode *node = pgqrs_cli_new_object (&object);
  const char *reason = archive_reason_name (pgqrs_message_get_archive_reason (message));

  json_object_set_int_member (object, "id", pgqrs_message_get_id (message));
  if (queue_name != NULL)
    json_object_set_string_member (object, "queue", queue_name);
  json_object_set_int_member (object, "read_count", pgqrs_message_get_read_count (message));
  json_object_set_member (object, "enqueued_at",
                          pgqrs_cli_time_node (pgqrs_message_get_enqueued_at (message)));
  json_object_set_member (object, "visible_at",
                          pgqrs_cli_time_node (pgqrs_message_get_visible_at (message)));
  json_object_set_member (object, "dequeued_at",
                          pgqrs_cli_time_node (pgqrs_message_get_dequeued_at (message)));
  json_object_set_member (object, "archived_at",
                          pgqrs_cli_time_node (pgqrs_message_get_archived_at (message)));
  if (reason != NULL)
    json_object_set_string_member (object, "archive_reason", reason);
  else
    json_object_set_null_member (object, "archive_reason");
  json_object_set_member (object, "producer_worker_id",
                          pgqrs_cli_id_node (pgqrs_message_get_producer_worker_id (message)));
  json_object_set_member (object, "consumer_worker_id",
                          pgqrs_cli_id_node (pgqrs_message_get_consumer_worker_id (message)));
  json_object_set_member (object, "payload",
                          pgqrs_cli_payload_node (pgqrs_message_get_payload (message)));
  return node;
}

JsonNode *
pgqrs_cli_queue_to_json (PgqrsQueue *queue)
{
  JsonObject *object;
  JsonNode *node = pgqrs_cli_new_object (&object);

  json_object_set_int_member (object, "id", pgqrs_queue_get_id (queue));
  json_object_set_string_member (object, "name", pgqrs_queue_get_name (queue));
  json_object_set_member (object, "created_at",
                          pgqrs_cli_time_node (pgqrs_queue_get_created_at (queue)));
  return node;
}

JsonNode *
pgqrs_cli_metrics_to_json (PgqrsQueueMetrics *metrics)
{
  JsonObject *object;
  JsonNode *node = pgqrs_cli_new_object (&object);

  json_object_set_string_member (object, "queue", pgqrs_queue_metrics_get_queue_name (metrics));
  json_object_set_int_member (object, "total", pgqrs_queue_metrics_get_total (metrics));
  json_object_set_int_member (object, "pending", pgqrs_queue_metrics_get_pending (metrics));
  json_object_set_int_member (object, "delayed", pgqrs_queue_metrics_get_delayed (metrics));
  json_object_set_int_member (object, "leased", pgqrs_queue_metrics_get_leased (metrics));
  json_object_set_int_member (object, "archived", pgqrs_queue_metrics_get_archived (metrics));
  json_object_set_int_member (object, "dead_lettered",
                              pgqrs_queue_metrics_get_dead_lettered (metrics));
  json_object_set_double_member (object, "oldest_pending_age",
                                 pgqrs_queue_metrics_get_oldest_pending_age (metrics));
  return node;
}

JsonNode *
pgqrs_cli_worker_to_json (PgqrsWorker *worker)
{
  JsonObject *object;
  JsonNode *node = pgqrs_cli_new_object (&object);

  json_object_set_int_member (object, "id", pgqrs_worker_get_id (worker));
  json_object_set_string_member (object, "name", pgqrs_worker_get_name (worker));
  json_object_set_member (object, "queue_id", pgqrs_cli_id_node (pgqrs_worker_get_queue_id (worker)));
  json_object_set_string_member (object, "status",
                                 pgqrs_worker_status_to_string (pgqrs_worker_get_status (worker)));
  json_object_set_member (object, "started_at",
                          pgqrs_cli_time_node (pgqrs_worker_get_started_at (worker)));
  json_object_set_member (object, "heartbeat_at",
                          pgqrs_cli_time_node (pgqrs_worker_get_heartbeat_at (worker)));
  json_object_set_member (object, "shutdown_at",
                          pgqrs_cli_time_node (pgqrs_worker_get_shutdown_at (worker)));
  return node;
}

JsonNode *
pgqrs_cli_run_to_json (PgqrsWorkflow *run)
{
  JsonObject *object;
  JsonNode *node = pgqrs_cli_new_object (&object);
  const char *reason = pgqrs_workflow_get_pause_reason (run);

  json_object_set_int_member (object, "id", pgqrs_workflow_get_id (run));
  json_object_set_string_member (object, "workflow", pgqrs_workflow_get_name (run));
  json_object_set_string_member (object, "status",
                                 pgqrs_run_status_to_string (pgqrs_workflow_get_status (run)));
  json_object_set_member (object, "message_id",
                          pgqrs_cli_id_node (pgqrs_workflow_get_message_id (run)));
  json_object_set_member (object, "input", pgqrs_cli_payload_node (pgqrs_workflow_get_input (run)));
  json_object_set_member (object, "output", pgqrs_cli_payload_node (pgqrs_workflow_get_output (run)));
  json_object_set_member (object, "error", pgqrs_cli_payload_node (pgqrs_workflow_get_error (run)));
  if (reason != NULL)
    json_object_set_string_member (object, "pause_reason", reason);
  else
    json_object_set_null_member (object, "pause_reason");
  json_object_set_member (object, "resume_at",
                          pgqrs_cli_time_node (pgqrs_workflow_get_resume_at (run)));
  json_object_set_member (object, "created_at",
                          pgqrs_cli_time_node (pgqrs_workflow_get_created_at (run)));
  json_object_set_member (object, "updated_at",
                          pgqrs_cli_time_node (pgqrs_workflow_get_updated_at (run)));
  return node;
}

/* A value as one table cell: text as it is (with its line breaks shown as
 * \n so a row stays one line), null as "-", anything else as compact JSON. */
char *
pgqrs_cli_format_value (JsonNode *value)
{
  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    return g_strdup ("-");

  if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
    {
      g_autoptr(GString) text = g_string_new (json_node_get_string (value));

      g_string_replace (text, "\n", "\\n", 0);
      return g_string_free (g_steal_pointer (&text), FALSE);
    }

  if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_DOUBLE)
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.3f", json_node_get_double (value)));
    }

  return json_to_string (value, FALSE);
}

static gboolean
is_number (JsonNode *value)
{
  GType type;

  if (value == NULL || !JSON_NODE_HOLDS_VALUE (value))
    return FALSE;
  type = json_node_get_value_type (value);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

static char *
header_for (const char *key)
{
  g_autofree char *upper = g_ascii_strup (key, -1);

  return g_strdelimit (g_steal_pointer (&upper), "_", ' ');
}

static void
print_cell (GString    *line,
            const char *text,
            guint       width,
            gboolean    right,
            gboolean    last)
{
  guint length = g_utf8_strlen (text, -1);
  guint pad = width > length ? width - length : 0;

  if (right)
    g_string_append_printf (line, "%*s", pad, "");
  g_string_append (line, text);
  if (!right && !last)
    g_string_append_printf (line, "%*s", pad, "");
  if (!last)
    g_string_append (line, "  ");
}

void
pgqrs_cli_print_table (JsonArray          *rows,
                       const char * const *columns)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  g_autofree guint *widths = NULL;
  g_autofree gboolean *right = NULL;
  g_autofree gboolean *numbers = NULL;
  guint n_rows = json_array_get_length (rows);

  if (columns != NULL)
    for (guint i = 0; columns[i] != NULL; i++)
      g_ptr_array_add (keys, (gpointer)columns[i]);
  else if (n_rows > 0)
    {
      g_autoptr(GList) members =
        json_object_get_members (json_array_get_object_element (rows, 0));

      for (GList *l = members; l != NULL; l = l->next)
        g_ptr_array_add (keys, l->data);
    }

  if (keys->len == 0)
    return;

  widths = g_new0 (guint, keys->len);
  right = g_new0 (gboolean, keys->len);
  numbers = g_new0 (gboolean, keys->len);

  /* Row 0 of the cells is the header. */
  for (guint c = 0; c < keys->len; c++)
    {
      char *header = header_for (g_ptr_array_index (keys, c));

      widths[c] = g_utf8_strlen (header, -1);
      g_ptr_array_add (cells, header);
      right[c] = TRUE;
    }

  for (guint r = 0; r < n_rows; r++)
    {
      JsonObject *row = json_array_get_object_element (rows, r);

      for (guint c = 0; c < keys->len; c++)
        {
          JsonNode *value = json_object_get_member (row, g_ptr_array_index (keys, c));
          char *text = pgqrs_cli_format_value (value);

          widths[c] = MAX (widths[c], g_utf8_strlen (text, -1));
          /* Numbers go right, and so does a column of numbers with gaps. */
          if (is_number (value))
            numbers[c] = TRUE;
          else if (value != NULL && !JSON_NODE_HOLDS_NULL (value))
            right[c] = FALSE;
          g_ptr_array_add (cells, text);
        }
    }

  for (guint c = 0; c < keys->len; c++)
    right[c] = right[c] && numbers[c];

  for (guint r = 0; r <= n_rows; r++)
    {
      g_autoptr(GString) line = g_string_new (NULL);

      for (guint c = 0; c < keys->len; c++)
        print_cell (line, g_ptr_array_index (cells, r * keys->len + c), widths[c], right[c],
                    c + 1 == keys->len);
      g_print ("%s\n", line->str);
    }
}

static void
print_object (JsonObject *object)
{
  g_autoptr(GList) members = json_object_get_members (object);
  guint width = 0;

  for (GList *l = members; l != NULL; l = l->next)
    width = MAX (width, g_utf8_strlen (l->data, -1));

  for (GList *l = members; l != NULL; l = l->next)
    {
      g_autofree char *text = pgqrs_cli_format_value (json_object_get_member (object, l->data));

      g_print ("%-*s  %s\n", (int)width, (const char *)l->data, text);
    }
}

void
pgqrs_cli_print (PgqrsCli           *cli,
                 JsonNode           *document,
                 const char * const *columns)
{
  if (cli->json)
    {
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autofree char *text = NULL;

      json_generator_set_pretty (generator, TRUE);
      json_generator_set_indent (generator, 2);
      json_generator_set_root (generator, document);
      text = json_generator_to_data (generator, NULL);
      g_print ("%s\n", text);
    }
  else if (JSON_NODE_HOLDS_ARRAY (document))
    pgqrs_cli_print_table (json_node_get_array (document), columns);
  else if (JSON_NODE_HOLDS_OBJECT (document))
    print_object (json_node_get_object (document));
  else
    {
      g_autofree char *text = pgqrs_cli_format_value (document);

      g_print ("%s\n", text);
    }
}

/* What a command that changes something prints: with --json the document
 * saying what it did, otherwise one sentence. */
void
pgqrs_cli_print_done (PgqrsCli   *cli,
                      JsonNode   *document,
                      const char *format,
                      ...)
{
  if (cli->json)
    pgqrs_cli_print (cli, document, NULL);
  else
    {
      va_list args;
      g_autofree char *sentence = NULL;

      va_start (args, format);
      sentence = g_strdup_vprintf (format, args);
      va_end (args);
      g_print ("%s\n", sentence);
    }
}
