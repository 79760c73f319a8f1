/* workflow.c — a durable data pipeline: three steps that each run once.
 *
 * The C form of the seed's data_pipeline example:
 *
 *     let ctx = store.create_workflow("data_pipeline", input);
 *     let raw = ctx.step("fetch", || fetch(url));
 *     let rows = ctx.step("transform", || parse(raw));
 *     ctx.step("save", || save(rows));
 *
 * Each step's output is stored in the database when the step completes. If
 * the process dies half-way, executing the run again replays the completed
 * steps from the store — their bodies do not run again — and goes on from
 * the first step not completed. This example runs the pipeline, then
 * "crashes" after the second step on purpose (simulated by stopping), and
 * executes the same run again to show the replay.
 *
 * Usage: workflow [DSN]      (default: sqlite://workflow-example.db)
 *
 * SPDX-License-Identifier: MIT
 */

#include <pgqrs.h>

typedef struct
{
  guint executed;      /* step bodies that really ran */
} Pipeline;

static JsonNode *
fetch (PgqrsStep *step,
       gpointer   user_data)
{
  Pipeline *pipeline = user_data;
  JsonObject *input = json_node_get_object (pgqrs_workflow_get_input (pgqrs_step_get_workflow (step)));

  pipeline->executed++;
  g_print ("  fetch: downloading %s\n", json_object_get_string_member (input, "url"));

  return json_from_string ("\"id,amount\\n1,10\\n2,20\\n3,30\"", NULL);
}

static JsonNode *
transform (PgqrsStep *step,
           gpointer   user_data)
{
  Pipeline *pipeline = user_data;

  pipeline->executed++;
  g_print ("  transform: parsing 3 rows\n");

  return json_from_string ("[{\"id\":1,\"amount\":10},{\"id\":2,\"amount\":20},{\"id\":3,\"amount\":30}]",
                           NULL);
}

static JsonNode *
save (PgqrsStep *step,
      gpointer   user_data)
{
  Pipeline *pipeline = user_data;

  pipeline->executed++;
  g_print ("  save: 3 rows written\n");

  return json_from_string ("{\"saved\":3,\"total\":60}", NULL);
}

/* One execution of the run: every step goes through run_step(), which
 * returns the stored output of a step that completed before. */
static gboolean
execute (PgqrsWorkflow  *run,
         Pipeline       *pipeline,
         gboolean        crash_after_transform,
         GError        **error)
{
  g_autoptr(JsonNode) raw = NULL;
  g_autoptr(JsonNode) rows = NULL;
  g_autoptr(JsonNode) result = NULL;

  if (!pgqrs_workflow_start (run, NULL, error) ||
      !(raw = pgqrs_workflow_run_step (run, "fetch", fetch, pipeline, NULL, error)) ||
      !(rows = pgqrs_workflow_run_step (run, "transform", transform, pipeline, NULL, error)))
    return FALSE;

  if (crash_after_transform)
    {
      g_print ("  (the process \"crashes\" here)\n");
      return TRUE;
    }

  if (!(result = pgqrs_workflow_run_step (run, "save", save, pipeline, NULL, error)))
    return FALSE;

  return pgqrs_workflow_complete (run, result, NULL, error);
}

int
main (int   argc,
      char *argv[])
{
  const char *dsn = argc > 1 ? argv[1] : "sqlite://workflow-example.db";
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) store = NULL;
  g_autoptr(PgqrsWorkflow) run = NULL;
  g_autoptr(PgqrsWorkflow) resumed = NULL;
  g_autoptr(JsonNode) input = json_from_string ("{\"url\":\"https://example.com/data.csv\"}", NULL);
  g_autofree char *output = NULL;
  Pipeline pipeline = { 0 };

  if (!(store = pgqrs_store_new (dsn, NULL, &error)) ||
      !pgqrs_store_install (store, NULL, &error))
    {
      g_printerr ("cannot open %s: %s\n", dsn, error->message);
      return 1;
    }

  if (!(run = pgqrs_store_create_workflow (store, "data_pipeline", input, NULL, &error)))
    {
      g_printerr ("cannot create the run: %s\n", error->message);
      return 1;
    }

  g_print ("run %" G_GINT64_FORMAT ", first execution:\n", pgqrs_workflow_get_id (run));
  if (!execute (run, &pipeline, TRUE, &error))
    {
      g_printerr ("the run failed: %s\n", error->message);
      return 1;
    }

  /* After a crash, someone finds the run in the store and executes it
   * again: fetch and transform replay, save runs. */
  if (!(resumed = pgqrs_store_get_workflow_run (store, pgqrs_workflow_get_id (run), NULL, &error)))
    {
      g_printerr ("cannot find the run: %s\n", error->message);
      return 1;
    }

  g_print ("second execution (status %s):\n",
           pgqrs_run_status_to_string (pgqrs_workflow_get_status (resumed)));
  if (!execute (resumed, &pipeline, FALSE, &error))
    {
      g_printerr ("the run failed: %s\n", error->message);
      return 1;
    }

  output = json_to_string (pgqrs_workflow_get_output (resumed), FALSE);
  g_print ("run %s with output %s; %u step bodies ran for 3 steps\n",
           pgqrs_run_status_to_string (pgqrs_workflow_get_status (resumed)), output,
           pipeline.executed);

  return pipeline.executed == 3 &&
         pgqrs_workflow_get_status (resumed) == PGQRS_RUN_STATUS_SUCCESS ? 0 : 1;
}
