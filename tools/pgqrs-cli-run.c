/* pgqrs-cli-run.c — `pgqrs run show|cancel|wait`
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <math.h>

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

const PgqrsCliCommand pgqrs_cli_run_commands[] = {
  { "show", N_("Show a workflow run"), cmd_show },
  { "cancel", N_("Cancel a workflow run"), cmd_cancel },
  { "wait", N_("Wait for a workflow run to finish"), cmd_wait },
  { NULL }
};
