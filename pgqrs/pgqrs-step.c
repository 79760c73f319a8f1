/* pgqrs-step.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pgqrs-deferral-private.h"
#include "pgqrs-enums.h"
#include "pgqrs-error.h"
#include "pgqrs-json-private.h"
#include "pgqrs-step-private.h"
#include "pgqrs-store-private.h"
#include "pgqrs-validation-private.h"
#include "pgqrs-workflow-private.h"

/**
 * PgqrsStep:
 *
 * One acquired step of a [class@Workflow] run.
 *
 * [method@Workflow.acquire_step] hands out a step. If the step completed in
 * an earlier execution of the run, it is *cached*: [method@Step.is_cached]
 * is %TRUE, [method@Step.get_output] holds the stored output, and its body
 * must not run again. Otherwise the body runs and the step is finished with
 * [method@Step.complete], which stores the output in the same statement
 * that records the step done, or with [method@Step.fail].
 *
 * [method@Workflow.run_step] and [method@Workflow.run_step_async] do all of
 * that around a step function. With the latter, the function may finish
 * later: it calls [method@Step.defer], returns, and hands over the output
 * with [method@Step.resolve] when it has it.
 *
 * Since: 1.0
 */

struct _PgqrsStep
{
  GObject          parent_instance;

  PgqrsWorkflow   *workflow;
  gint64           id;          /* 0: no row yet; completing it makes one */
  char            *name;
  char            *started_at;  /* when it was acquired, by the database's clock */
  PgqrsStepStatus  status;
  gboolean         cached;
  JsonNode        *output;
  JsonNode        *error;
  guint            retry_count;
  GDateTime       *retry_at;

  /* set by the step function through pgqrs_step_set_error() */
  char            *failure;
  gboolean         failure_transient;

  /* a body that finishes later: pgqrs_step_defer(), pgqrs_step_resolve() */
  PgqrsDeferral    deferral;
};

G_DEFINE_FINAL_TYPE (PgqrsStep, pgqrs_step, G_TYPE_OBJECT)

static void
pgqrs_step_finalize (GObject *object)
{
  PgqrsStep *self = (PgqrsStep *)object;

  g_clear_object (&self->workflow);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->started_at, g_free);
  g_clear_pointer (&self->output, json_node_unref);
  g_clear_pointer (&self->error, json_node_unref);
  g_clear_pointer (&self->retry_at, g_date_time_unref);
  g_clear_pointer (&self->failure, g_free);
  _pgqrs_deferral_clear (&self->deferral);

  G_OBJECT_CLASS (pgqrs_step_parent_class)->finalize (object);
}

static void
pgqrs_step_class_init (PgqrsStepClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pgqrs_step_finalize;
}

static void
pgqrs_step_init (PgqrsStep *self)
{
  self->failure_transient = TRUE;
  _pgqrs_deferral_init (&self->deferral, self, (GDestroyNotify)json_node_unref);
}

static JsonNode *
parse_json (const char *text)
{
  return _pgqrs_stored_json_parse (text);
}

void
_pgqrs_step_update (PgqrsStep          *self,
                    const PgqrsStepRow *row)
{
  /* a step acquired without a row gets its id when it is recorded */
  if (row->id != 0)
    self->id = row->id;
  self->status = row->status;
  self->retry_count = row->retry_count;
  g_clear_pointer (&self->output, json_node_unref);
  self->output = parse_json (row->output);
  g_clear_pointer (&self->error, json_node_unref);
  self->error = parse_json (row->error);
  g_clear_pointer (&self->retry_at, g_date_time_unref);
  self->retry_at = row->retry_at ? g_date_time_new_from_iso8601 (row->retry_at, NULL) : NULL;
}

PgqrsStep *
_pgqrs_step_new (PgqrsWorkflow      *workflow,
                 const PgqrsStepRow *row)
{
  PgqrsStep *self = g_object_new (PGQRS_TYPE_STEP, NULL);

  self->workflow = g_object_ref (workflow);
  self->id = row->id;
  self->name = g_strdup (row->name);
  self->started_at = g_strdup (row->started_at);
  self->cached = row->cached;
  _pgqrs_step_update (self, row);

  return self;
}

const char *
_pgqrs_step_get_failure (PgqrsStep *self,
                         gboolean  *transient)
{
  *transient = self->failure_transient;
  return self->failure;
}

/**
 * pgqrs_step_defer:
 * @self: a #PgqrsStep
 *
 * Tells [method@Workflow.run_step_async] that the step function will
 * finish later, with [method@Step.resolve]; what the function returns is
 * then ignored. Use it for a body that awaits something — a D-Bus call, an
 * HTTP request, a JavaScript promise.
 *
 * The blocking [method@Workflow.run_step] cannot wait for a deferred step
 * and fails with %PGQRS_ERROR_INVALID_STATE.
 *
 * Since: 1.0
 */
void
pgqrs_step_defer (PgqrsStep *self)
{
  g_return_if_fail (PGQRS_IS_STEP (self));

  _pgqrs_deferral_defer (&self->deferral);
}

/**
 * pgqrs_step_resolve:
 * @self: a #PgqrsStep
 * @output: (nullable): the step's output, or %NULL when the body failed —
 *   after [method@Step.set_error] to say why
 *
 * Finishes the body of a deferred step (see [method@Step.defer]), as its
 * return value would have: [method@Workflow.run_step_async] then stores
 * the output, or records the failure, and completes. It may be called from
 * any thread, once.
 *
 * Since: 1.0
 */
void
pgqrs_step_resolve (PgqrsStep *self,
                    JsonNode  *output)
{
  g_return_if_fail (PGQRS_IS_STEP (self));

  if (!_pgqrs_deferral_is_deferred (&self->deferral) ||
      !_pgqrs_deferral_resolve (&self->deferral, output ? json_node_copy (output) : NULL))
    g_critical ("pgqrs_step_resolve: step “%s” was not deferred, or was resolved already",
                self->name);
}

gboolean
_pgqrs_step_is_deferred (PgqrsStep *self)
{
  return _pgqrs_deferral_is_deferred (&self->deferral);
}

void
_pgqrs_step_on_resolved (PgqrsStep         *self,
                         GMainContext      *context,
                         PgqrsResolvedFunc  func,
                         gpointer           data)
{
  _pgqrs_deferral_on_resolved (&self->deferral, context, func, data);
}

/**
 * pgqrs_step_set_error:
 * @self: a #PgqrsStep
 * @message: what went wrong
 * @transient: whether trying again may help; a permanent error fails the
 *   run at once
 *
 * Says why a step function is about to return %NULL. See
 * [method@Workflow.run_step].
 *
 * Since: 1.0
 */
void
pgqrs_step_set_error (PgqrsStep  *self,
                      const char *message,
                      gboolean    transient)
{
  g_return_if_fail (PGQRS_IS_STEP (self));

  g_free (self->failure);
  self->failure = g_strdup (message);
  self->failure_transient = transient;
}

static gboolean
apply_reply (PgqrsStep  *self,
             PgqrsReply *reply)
{
  if (reply == NULL)
    return FALSE;

  if (reply->steps != NULL && reply->steps->len == 1)
    _pgqrs_step_update (self, g_ptr_array_index (reply->steps, 0));
  if (reply->runs != NULL && reply->runs->len == 1)
    _pgqrs_workflow_update (self->workflow, g_ptr_array_index (reply->runs, 0));

  return TRUE;
}

static PgqrsRequest *
complete_request (PgqrsStep  *self,
                  JsonNode   *output,
                  GError    **error)
{
  PgqrsStore *store = pgqrs_workflow_get_store (self->workflow);
  g_autofree char *text = NULL;

  if (!(text = _pgqrs_payload_serialize (pgqrs_store_get_config (store), output, -1, error)))
    return NULL;

  /* A step acquired without a row (the usual case) is inserted finished,
   * in one statement; one that had a row (a retry, or a rerun after a
   * crash) is completed. */
  if (self->id == 0)
    return _pgqrs_request_new_step_record (pgqrs_workflow_get_id (self->workflow), self->name,
                                           self->started_at, text);

  return _pgqrs_request_new_step_complete (self->id, text);
}

/**
 * pgqrs_step_complete:
 * @self: a #PgqrsStep
 * @output: the step's output, any JSON value
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Stores the step's output and marks it done, in one transaction. From then
 * on, acquiring the step replays @output instead of running it.
 *
 * Returns: %TRUE on success; %PGQRS_ERROR_INVALID_STATE if the step is not
 *   running
 *
 * Since: 1.0
 */
gboolean
pgqrs_step_complete (PgqrsStep     *self,
                     JsonNode      *output,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_STEP (self), FALSE);
  g_return_val_if_fail (output != NULL, FALSE);

  if (!(request = complete_request (self, output, error)))
    return FALSE;

  reply = _pgqrs_workflow_execute (self->workflow, request, cancellable, error);

  return apply_reply (self, reply);
}

/**
 * pgqrs_step_complete_async:
 * @self: a #PgqrsStep
 * @output: the step's output
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Step.complete] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_step_complete_async (PgqrsStep           *self,
                           JsonNode            *output,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_STEP (self));
  g_return_if_fail (output != NULL);

  if (!(request = complete_request (self, output, &error)))
    {
      g_task_report_error (self, callback, user_data, pgqrs_step_complete_async, error);
      return;
    }

  _pgqrs_workflow_execute_async (self->workflow, self, request,
                                 pgqrs_step_complete_async, cancellable, callback, user_data);
}

/**
 * pgqrs_step_complete_finish:
 * @self: a #PgqrsStep
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Step.complete_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
pgqrs_step_complete_finish (PgqrsStep     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_autoptr(PgqrsReply) reply =
    _pgqrs_workflow_execute_finish (self->workflow, self, result, pgqrs_step_complete_async, error);

  return apply_reply (self, reply);
}

/* The failure as stored: {"step", "message", "transient", "attempts"}. */
static char *
failure_json (PgqrsStep  *self,
              const char *message,
              gboolean    transient,
              gboolean    exhausted)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  /* a C caller's message may be in another encoding: stored, it is UTF-8 */
  g_autofree char *valid_message = g_utf8_make_valid (message ? message : _("The step failed"), -1);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "step");
  json_builder_add_string_value (builder, self->name);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, valid_message);
  json_builder_set_member_name (builder, "transient");
  json_builder_add_boolean_value (builder, transient);
  json_builder_set_member_name (builder, "retries_exhausted");
  json_builder_add_boolean_value (builder, exhausted);
  json_builder_set_member_name (builder, "attempts");
  json_builder_add_int_value (builder, self->retry_count + 1);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  return _pgqrs_json_write (node, NULL, NULL, NULL, NULL);
}

/* Rule 19: a transient failure is retried per the run's policy; a permanent
 * one, or one past the policy's retries, fails the run. */
static PgqrsRequest *
fail_request (PgqrsStep  *self,
              const char *message,
              gboolean    transient)
{
  PgqrsRetryPolicy *policy = pgqrs_workflow_get_retry_policy (self->workflow);
  gboolean retry = transient && pgqrs_retry_policy_should_retry (policy, self->retry_count + 1);
  gboolean exhausted = transient && !retry;
  g_autofree char *failure = failure_json (self, message, transient, exhausted);

  return _pgqrs_request_new_step_fail (self->id, pgqrs_workflow_get_id (self->workflow), self->name,
                                       failure,
                                       retry ? pgqrs_retry_policy_get_delay (policy,
                                                                             self->retry_count + 1)
                                             : -1);
}

/**
 * pgqrs_step_fail:
 * @self: a #PgqrsStep
 * @message: what went wrong
 * @transient: whether trying again may help
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Records the step's failure. A transient failure within the run's
 * [property@Workflow:retry-policy] schedules a retry: the step gets a
 * [method@Step.get_retry_at] and the run's trigger message is moved to that
 * time. Otherwise the run ends `ERROR`, with the failure stored as JSON.
 *
 * Returns: %TRUE if the failure was recorded
 *
 * Since: 1.0
 */
gboolean
pgqrs_step_fail (PgqrsStep     *self,
                 const char    *message,
                 gboolean       transient,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  g_return_val_if_fail (PGQRS_IS_STEP (self), FALSE);

  reply = _pgqrs_workflow_execute (self->workflow,
                                   fail_request (self, message, transient), cancellable, error);

  return apply_reply (self, reply);
}

/**
 * pgqrs_step_fail_async:
 * @self: a #PgqrsStep
 * @message: what went wrong
 * @transient: whether trying again may help
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Step.fail] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_step_fail_async (PgqrsStep           *self,
                       const char          *message,
                       gboolean             transient,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (PGQRS_IS_STEP (self));

  _pgqrs_workflow_execute_async (self->workflow, self,
                                 fail_request (self, message, transient),
                                 pgqrs_step_fail_async, cancellable, callback, user_data);
}

/**
 * pgqrs_step_fail_finish:
 * @self: a #PgqrsStep
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Step.fail_async].
 *
 * Returns: %TRUE if the failure was recorded
 *
 * Since: 1.0
 */
gboolean
pgqrs_step_fail_finish (PgqrsStep     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_autoptr(PgqrsReply) reply =
    _pgqrs_workflow_execute_finish (self->workflow, self, result, pgqrs_step_fail_async, error);

  return apply_reply (self, reply);
}

/**
 * pgqrs_step_get_workflow:
 * @self: a #PgqrsStep
 *
 * Gets the workflow run the step belongs to.
 *
 * Returns: (transfer none): the run the step belongs to
 *
 * Since: 1.0
 */
PgqrsWorkflow *
pgqrs_step_get_workflow (PgqrsStep *self)
{
  g_return_val_if_fail (PGQRS_IS_STEP (self), NULL);
  return self->workflow;
}

/**
 * pgqrs_step_get_id:
 * @self: a #PgqrsStep
 *
 * Gets the step's id in the store. A step acquired for the first time
 * has no row in the store until it is completed or fails — acquiring it
 * writes nothing — and its id is 0 until then.
 *
 * Returns: the step's id, or 0 while it has no row
 *
 * Since: 1.0
 */
gint64
pgqrs_step_get_id (PgqrsStep *self)
{
  g_return_val_if_fail (PGQRS_IS_STEP (self), 0);
  return self->id;
}

/**
 * pgqrs_step_get_name:
 * @self: a #PgqrsStep
 *
 * Gets the step's name.
 *
 * Returns: the step's name, unique within its run
 *
 * Since: 1.0
 */
const char *
pgqrs_step_get_name (PgqrsStep *self)
{
  g_return_val_if_fail (PGQRS_IS_STEP (self), NULL);
  return self->name;
}

/**
 * pgqrs_step_get_status:
 * @self: a #PgqrsStep
 *
 * Gets the step's status as it was when the step was acquired or last
 * changed.
 *
 * Returns: the step's status
 *
 * Since: 1.0
 */
PgqrsStepStatus
pgqrs_step_get_status (PgqrsStep *self)
{
  g_return_val_if_fail (PGQRS_IS_STEP (self), PGQRS_STEP_STATUS_ERROR);
  return self->status;
}

/**
 * pgqrs_step_is_cached:
 * @self: a #PgqrsStep
 *
 * Tells whether the step had already completed when it was acquired.
 *
 * Returns: %TRUE if the step had completed before it was acquired: use its
 *   stored output, do not run it
 *
 * Since: 1.0
 */
gboolean
pgqrs_step_is_cached (PgqrsStep *self)
{
  g_return_val_if_fail (PGQRS_IS_STEP (self), FALSE);
  return self->cached;
}

/**
 * pgqrs_step_get_output:
 * @self: a #PgqrsStep
 *
 * Gets the output stored for the step.
 *
 * Returns: (transfer none) (nullable): the step's stored output
 *
 * Since: 1.0
 */
JsonNode *
pgqrs_step_get_output (PgqrsStep *self)
{
  g_return_val_if_fail (PGQRS_IS_STEP (self), NULL);
  return self->output;
}

/**
 * pgqrs_step_get_error:
 * @self: a #PgqrsStep
 *
 * Gets the error stored for the step's last failure.
 *
 * Returns: (transfer none) (nullable): the step's last failure, as stored
 *
 * Since: 1.0
 */
JsonNode *
pgqrs_step_get_error (PgqrsStep *self)
{
  g_return_val_if_fail (PGQRS_IS_STEP (self), NULL);
  return self->error;
}

/**
 * pgqrs_step_get_retry_count:
 * @self: a #PgqrsStep
 *
 * Gets how many retries of the step have been scheduled.
 *
 * Returns: how many retries the step has had scheduled
 *
 * Since: 1.0
 */
guint
pgqrs_step_get_retry_count (PgqrsStep *self)
{
  g_return_val_if_fail (PGQRS_IS_STEP (self), 0);
  return self->retry_count;
}

/**
 * pgqrs_step_get_retry_at:
 * @self: a #PgqrsStep
 *
 * Gets when a failed step may be tried again.
 *
 * Returns: (transfer none) (nullable): when the step may be tried again
 *
 * Since: 1.0
 */
GDateTime *
pgqrs_step_get_retry_at (PgqrsStep *self)
{
  g_return_val_if_fail (PGQRS_IS_STEP (self), NULL);
  return self->retry_at;
}
