/* pgqrs-cli-run.c — `pgqrs run show|cancel|wait`
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "pgqrs-cli-private.h"

static PgqrsWorkflow *
get_run (PgqrsCli    *cli,
         const char  *text,
         GError     **error)
{
  PgqrsStore *store;
  gint64 id;

  if (!pgqrs_cli_parse_id (text, &id, error) ||
      !(store = pgqrs_cli_open_store (cli, error)))
    return NULL;

  return pgqrs_store_get_workflow_run (store, id, NULL, error);
}

static gboolean
cmd_show (PgqrsCli  *cli,
          int        argc,
          char     **argv,
          GError   **error)
{
  g_autoptr(PgqrsWorkflow) run = NULL;
  g_autoptr(JsonNode) document = NULL;

  if (!pgqrs_cli_parse (cli, &argc, &argv, "ID",
                        _("Shows a workflow run: its workflow, status, input, output or error, "
                        "and why and until when it is paused."),
                        NULL, 1, 1, error) ||
      !(run = get_run (cli, argv[1], error)))
    return FALSE;

  document = pgqrs_cli_run_to_json (run);
  pgqrs_cli_print (cli, document, NULL);
  return TRUE;
}

static gboolean
cmd_cancel (PgqrsCli  *cli,
            int        argc,
            char     **argv,
            GError   **error)
{
  g_autoptr(PgqrsWorkflow) run = NULL;
  g_autoptr(JsonNode) document = NULL;

  if (!pgqrs_cli_parse (cli, &argc, &argv, "ID",
                        _("Cancels a workflow run. A run that has not started is cancelled at "
                        "once; a running one ends at its next step boundary (CANCELLING, then "
                        "CANCELLED)."),
                        NULL, 1, 1, error) ||
      !(run = get_run (cli, argv[1], error)) ||
      !pgqrs_workflow_cancel (run, NULL, error) ||
      !pgqrs_workflow_refresh (run, NULL, error))
    return FALSE;

  document = pgqrs_cli_run_to_json (run);
  pgqrs_cli_print (cli, document, NULL);
  return TRUE;
}

static gboolean
cmd_resume (PgqrsCli  *cli,
            int        argc,
            char     **argv,
            GError   **error)
{
  g_autoptr(PgqrsWorkflow) run = NULL;
  g_autoptr(JsonNode) document = NULL;

  if (!pgqrs_cli_parse (cli, &argc, &argv, "ID",
                        _("Ends a paused run’s sleep now: its trigger message becomes visible, "
                          "and the next consumer goes on with the run. Prints the run."),
                        NULL, 1, 1, error) ||
      !(run = get_run (cli, argv[1], error)) ||
      !pgqrs_workflow_resume (run, NULL, error))
    return FALSE;

  document = pgqrs_cli_run_to_json (run);
  pgqrs_cli_print (cli, document, NULL);
  return TRUE;
}

typedef struct
{
  GMainLoop *loop;
  JsonNode  *output;
  GError    *error;
} WaitData;

static void
wait_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  WaitData *data = user_data;

  data->output = pgqrs_workflow_wait_finish (PGQRS_WORKFLOW (object), result, &data->error);
  g_main_loop_quit (data->loop);
}

static gboolean
cmd_wait (PgqrsCli  *cli,
          int        argc,
          char     **argv,
          GError   **error)
{
  g_autoptr(PgqrsWorkflow) run = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(JsonNode) output = NULL;
  double timeout = 0;
  const GOptionEntry entries[] = {
    { "timeout", 't', 0, G_OPTION_ARG_DOUBLE, &timeout,
      N_("Give up after this many seconds (default: wait for as long as it takes)"), "SECONDS" },
    G_OPTION_ENTRY_NULL
  };
  WaitData data = { NULL, };

  if (!pgqrs_cli_parse (cli, &argc, &argv, "ID",
                        _("Waits for a workflow run to finish and prints its output. Exits with "
                        "status 1 if the run failed or was cancelled, or time ran out."),
                        entries, 1, 1, error))
    return FALSE;

  if (timeout < 0 || !isfinite (timeout))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--timeout must be zero or more seconds"));
      return FALSE;
    }

  if (!(run = get_run (cli, argv[1], error)))
    return FALSE;

  loop = g_main_loop_new (NULL, FALSE);
  data.loop = loop;
  pgqrs_workflow_wait_async (run, timeout, NULL, wait_done, &data);
  g_main_loop_run (loop);

  if (data.error != NULL)
    {
      g_propagate_error (error, data.error);
      return FALSE;
    }
  output = data.output;

  if (cli->json)
    {
      g_autoptr(JsonNode) document = NULL;

      if (!pgqrs_workflow_refresh (run, NULL, error))
        return FALSE;
      document = pgqrs_cli_run_to_json (run);
      pgqrs_cli_print (cli, document, NULL);
    }
  else
    {
      g_autofree char *text = output ? json_to_string (output, FALSE) : g_strdup ("null");

      g_print ("%s\n", text);
    }

  return TRUE;
}

static gboolean
parse_status (const char      *text,
              PgqrsRunStatus  *status,
              GError         **error)
{
  for (PgqrsRunStatus s = PGQRS_RUN_STATUS_QUEUED; s <= PGQRS_RUN_STATUS_CANCELLED; s++)
    if (g_ascii_strcasecmp (text, pgqrs_run_status_to_string (s)) == 0)
      {
        *status = s;
        return TRUE;
      }

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("“%s” is not a run status: QUEUED, RUNNING, PAUSED, SUCCESS, ERROR, "
                 "CANCELLING or CANCELLED"), text);
  return FALSE;
}

/* An ISO 8601 time (UTC unless it says otherwise), or how long ago:
 * 90s, 30m, 2h, 7d. */
static GDateTime *
parse_time (const char  *option,
            const char  *text,
            GError     **error)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  GDateTime *time = g_date_time_new_from_iso8601 (text, utc);
  char *end = NULL;
  double amount;

  if (time != NULL)
    return time;

  amount = g_ascii_strtod (text, &end);
  if (end != text && amount >= 0 && isfinite (amount) && end[0] != '\0' && end[1] == '\0' &&
      strchr ("smhd", end[0]) != NULL)
    {
      double seconds = amount * (end[0] == 's' ? 1 : end[0] == 'm' ? 60 : end[0] == 'h' ? 3600 : 86400);
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      return g_date_time_add_seconds (now, -seconds);
    }

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("%s “%s” is neither an ISO 8601 time nor a time ago such as 30m, 2h or 7d"),
               option, text);
  return NULL;
}

static const char * const run_columns[] = {
  "id", "workflow", "status", "created_at", "updated_at", "message_id", NULL
};

static gboolean
cmd_list (PgqrsCli  *cli,
          int        argc,
          char     **argv,
          GError   **error)
{
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GArray) statuses = g_array_new (FALSE, FALSE, sizeof (PgqrsRunStatus));
  g_autoptr(GDateTime) after = NULL;
  g_autoptr(GDateTime) before = NULL;
  g_autoptr(JsonNode) document = NULL;
  g_autofree char *workflow = NULL;
  g_autofree char *since = NULL;
  g_autofree char *until = NULL;
  g_auto(GStrv) status_names = NULL;
  int limit = 100, offset = 0;
  const GOptionEntry entries[] = {
    { "workflow", 0, 0, G_OPTION_ARG_STRING, &workflow, N_("Only the runs of this workflow"), "NAME" },
    { "status", 's', 0, G_OPTION_ARG_STRING_ARRAY, &status_names,
      N_("Only the runs in this status (repeat for several)"), "STATUS" },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since,
      N_("Only the runs created after TIME: ISO 8601, or ago such as 30m, 2h, 7d"), "TIME" },
    { "until", 0, 0, G_OPTION_ARG_STRING, &until, N_("Only the runs created before TIME"), "TIME" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("List at most N runs (default 100)"), "N" },
    { "offset", 0, 0, G_OPTION_ARG_INT, &offset, N_("Skip the first N, for paging"), "N" },
    G_OPTION_ENTRY_NULL
  };
  PgqrsStore *store;

  if (!pgqrs_cli_parse (cli, &argc, &argv, "",
                        _("Lists workflow runs, the newest first."), entries, 0, 0, error))
    return FALSE;

  for (guint i = 0; status_names != NULL && status_names[i] != NULL; i++)
    {
      PgqrsRunStatus status;

      if (!parse_status (status_names[i], &status, error))
        return FALSE;
      g_array_append_val (statuses, status);
    }
  if ((since != NULL && !(after = parse_time ("--since", since, error))) ||
      (until != NULL && !(before = parse_time ("--until", until, error))))
    return FALSE;
  if (limit < 1 || offset < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--limit must be 1 or more and --offset 0 or more"));
      return FALSE;
    }

  if (!(store = pgqrs_cli_open_store (cli, error)) ||
      !(runs = pgqrs_store_list_workflow_runs (store, workflow,
                                               (const PgqrsRunStatus *)statuses->data,
                                               statuses->len, after, before, limit, offset,
                                               NULL, error)))
    return FALSE;

  document = pgqrs_cli_list_to_json (runs, (PgqrsCliToJson)pgqrs_cli_run_to_json);
  pgqrs_cli_print (cli, document, run_columns);
  return TRUE;
}

static JsonNode *
step_to_json (PgqrsStep *step)
{
  JsonObject *object;
  JsonNode *node = pgqrs_cli_new_object (&object);

  json_object_set_int_member (object, "id", pgqrs_step_get_id (step));
  json_object_set_string_member (object, "name", pgqrs_step_get_name (step));
  json_object_set_string_member (object, "status",
                                 pgqrs_step_status_to_string (pgqrs_step_get_status (step)));
  json_object_set_int_member (object, "retry_count", pgqrs_step_get_retry_count (step));
  json_object_set_member (object, "retry_at", pgqrs_cli_time_node (pgqrs_step_get_retry_at (step)));
  json_object_set_member (object, "output", pgqrs_cli_payload_node (pgqrs_step_get_output (step)));
  json_object_set_member (object, "error", pgqrs_cli_payload_node (pgqrs_step_get_error (step)));

  return node;
}

static const char * const step_columns[] = {
  "id", "name", "status", "retry_count", "retry_at", "output", "error", NULL
};

static gboolean
cmd_steps (PgqrsCli  *cli,
           int        argc,
           char     **argv,
           GError   **error)
{
  g_autoptr(PgqrsWorkflow) run = NULL;
  g_autoptr(GPtrArray) steps = NULL;
  g_autoptr(JsonNode) document = NULL;

  if (!pgqrs_cli_parse (cli, &argc, &argv, "ID",
                        _("Lists a workflow run’s steps in the order they first ran, with their "
                          "status, output or error, and retries."),
                        NULL, 1, 1, error) ||
      !(run = get_run (cli, argv[1], error)) ||
      !(steps = pgqrs_workflow_list_steps (run, NULL, error)))
    return FALSE;

  document = pgqrs_cli_list_to_json (steps, (PgqrsCliToJson)step_to_json);
  pgqrs_cli_print (cli, document, step_columns);
  return TRUE;
}

const PgqrsCliCommand pgqrs_cli_run_commands[] = {
  { "list", N_("List workflow runs"), cmd_list },
  { "show", N_("Show a workflow run"), cmd_show },
  { "steps", N_("List a workflow run’s steps"), cmd_steps },
  { "cancel", N_("Cancel a workflow run"), cmd_cancel },
  { "resume", N_("Resume a paused workflow run now"), cmd_resume },
  { "wait", N_("Wait for a workflow run to finish"), cmd_wait },
  { NULL }
};
