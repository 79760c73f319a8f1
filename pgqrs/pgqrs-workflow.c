/* pgqrs-workflow.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pgqrs-enums.h"
#include "pgqrs-error.h"
#include "pgqrs-json-private.h"
#include "pgqrs-step-private.h"
#include "pgqrs-store-private.h"
#include "pgqrs-validation-private.h"
#include "pgqrs-workflow-private.h"

/**
 * PgqrsWorkflow:
 *
 * One run of a durable workflow: its input, its status, its steps and, at
 * the end, its output or error — all stored in the database.
 *
 * A run is made in-process with [method@Store.create_workflow] and executed
 * directly: [method@Workflow.start], then [method@Workflow.run_step] for each
 * step, then [method@Workflow.complete]. Or it is made with
 * [method@Store.trigger_workflow], which enqueues a trigger message on the
 * workflow's queue, and a [class@Consumer] with a workflow function runs it.
 *
 * Each completed step runs exactly once: executing the run again — after a
 * crash, a retry or a pause — replays completed steps from the store and
 * goes on from the first step not completed. A step that was running when
 * its process died runs again.
 *
 * [method@Workflow.pause] is a durable sleep; [method@Workflow.cancel] is
 * cooperative and takes effect at the next step boundary.
 *
 * Since: 1.0
 */

struct _PgqrsWorkflow
{
  GObject           parent_instance;

  PgqrsStore       *store;
  gint64            id;
  char             *name;
  gint64            message_id;
  PgqrsRunStatus    status;
  JsonNode         *input;
  JsonNode         *output;
  JsonNode         *error;
  char             *pause_reason;
  GDateTime        *resume_at;
  GDateTime        *created_at;
  GDateTime        *updated_at;
  PgqrsRetryPolicy *retry_policy;
  int               last_step_error;  /* PgqrsError of the last failed run_step, or -1 */
  PgqrsLeaseToken   fence;            /* on the trigger message; id 0: none */
  gint              superseded;       /* atomic: the fence's lease was taken over */

  /* a workflow function that finishes later: defer(), resolve() */
  PgqrsDeferral     deferral;
};

G_DEFINE_FINAL_TYPE (PgqrsWorkflow, pgqrs_workflow, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  PROP_ID,
  PROP_NAME,
  PROP_STATUS,
  PROP_RETRY_POLICY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pgqrs_workflow_finalize (GObject *object)
{
  PgqrsWorkflow *self = (PgqrsWorkflow *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->retry_policy);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->input, json_node_unref);
  g_clear_pointer (&self->output, json_node_unref);
  g_clear_pointer (&self->error, json_node_unref);
  g_clear_pointer (&self->pause_reason, g_free);
  g_clear_pointer (&self->resume_at, g_date_time_unref);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  g_clear_pointer (&self->updated_at, g_date_time_unref);
  _pgqrs_deferral_clear (&self->deferral);

  G_OBJECT_CLASS (pgqrs_workflow_parent_class)->finalize (object);
}

static void
pgqrs_workflow_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PgqrsWorkflow *self = PGQRS_WORKFLOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_RETRY_POLICY:
      g_value_set_object (value, self->retry_policy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pgqrs_workflow_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PgqrsWorkflow *self = PGQRS_WORKFLOW (object);

  switch (prop_id)
    {
    case PROP_RETRY_POLICY:
      pgqrs_workflow_set_retry_policy (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pgqrs_workflow_class_init (PgqrsWorkflowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = pgqrs_workflow_finalize;
  object_class->get_property = pgqrs_workflow_get_property;
  object_class->set_property = pgqrs_workflow_set_property;

  /**
   * PgqrsWorkflow:store:
   *
   * The store the run lives in.
   *
   * Since: 1.0
   */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, PGQRS_TYPE_STORE, ro);

  /**
   * PgqrsWorkflow:id:
   *
   * The run's id.
   *
   * Since: 1.0
   */
  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, ro);

  /**
   * PgqrsWorkflow:name:
   *
   * The name of the workflow this is a run of.
   *
   * Since: 1.0
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, ro);

  /**
   * PgqrsWorkflow:status:
   *
   * The run's status, as last read from the store.
   *
   * Since: 1.0
   */
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, PGQRS_TYPE_RUN_STATUS, PGQRS_RUN_STATUS_QUEUED, ro);

  /**
   * PgqrsWorkflow:retry-policy:
   *
   * How failed steps of this run are retried; by default 3 retries with
   * exponential backoff and jitter from 1 second, capped at 60 seconds.
   *
   * Since: 1.0
   */
  properties[PROP_RETRY_POLICY] =
    g_param_spec_object ("retry-policy", NULL, NULL, PGQRS_TYPE_RETRY_POLICY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pgqrs_workflow_init (PgqrsWorkflow *self)
{
  self->retry_policy = pgqrs_retry_policy_new ();
  self->last_step_error = -1;
  _pgqrs_deferral_init (&self->deferral, self, (GDestroyNotify)json_node_unref);
}

int
_pgqrs_workflow_get_last_step_error (PgqrsWorkflow *self)
{
  return self->last_step_error;
}

void
_pgqrs_workflow_set_fence (PgqrsWorkflow *self,
                           gint64         message_id,
                           gint64         lease_count)
{
  self->fence = (PgqrsLeaseToken) { message_id, lease_count };
}

gboolean
_pgqrs_workflow_is_superseded (PgqrsWorkflow *self)
{
  return g_atomic_int_get (&self->superseded);
}

static void
fence_request (PgqrsWorkflow *self,
               PgqrsRequest  *request)
{
  if (self->fence.id != 0 &&
      (request->op == PGQRS_OP_RUN_TRANSITION || request->op == PGQRS_OP_STEP_ACQUIRE ||
       request->op == PGQRS_OP_STEP_COMPLETE || request->op == PGQRS_OP_STEP_FAIL ||
       request->op == PGQRS_OP_STEP_LOOKUP || request->op == PGQRS_OP_STEP_RECORD))
    _pgqrs_request_set_fence (request, &self->fence);
}

static void
note_failure (PgqrsWorkflow *self,
              const GError  *error)
{
  if (g_error_matches (error, PGQRS_ERROR, PGQRS_ERROR_SUPERSEDED))
    g_atomic_int_set (&self->superseded, TRUE);
}

PgqrsReply *
_pgqrs_workflow_execute (PgqrsWorkflow  *self,
                         PgqrsRequest   *request,
                         GCancellable   *cancellable,
                         GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  PgqrsReply *reply;

  fence_request (self, request);
  if (!(reply = _pgqrs_store_execute (self->store, request, cancellable, &local_error)))
    {
      note_failure (self, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
    }

  return reply;
}

void
_pgqrs_workflow_execute_async (PgqrsWorkflow       *self,
                               gpointer             source_object,
                               PgqrsRequest        *request,
                               gpointer             source_tag,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  fence_request (self, request);
  _pgqrs_store_execute_async (self->store, source_object, request, source_tag,
                              cancellable, callback, user_data);
}

PgqrsReply *
_pgqrs_workflow_execute_finish (PgqrsWorkflow  *self,
                                gpointer        source_object,
                                GAsyncResult   *result,
                                gpointer        source_tag,
                                GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  PgqrsReply *reply;

  if (!(reply = _pgqrs_store_execute_finish (source_object, result, source_tag, &local_error)))
    {
      note_failure (self, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
    }

  return reply;
}

/**
 * pgqrs_workflow_defer:
 * @self: a #PgqrsWorkflow
 *
 * Tells the [class@Consumer] that called this run's workflow function that
 * the function will finish later, with [method@Workflow.resolve]; what it
 * returns is then ignored. With [property@Consumer:workflow-in-thread] off,
 * the function runs in the consumer's main context and must not block:
 * it runs its steps with [method@Workflow.run_step_async], defers the run,
 * and resolves it when the last step is done. This is how a gjs program
 * runs workflows on a queue.
 *
 * Since: 1.0
 */
void
pgqrs_workflow_defer (PgqrsWorkflow *self)
{
  g_return_if_fail (PGQRS_IS_WORKFLOW (self));

  _pgqrs_deferral_defer (&self->deferral);
}

/**
 * pgqrs_workflow_resolve:
 * @self: a #PgqrsWorkflow
 * @output: (nullable): the run's output, or %NULL when a step failed or
 *   asked for a retry later
 *
 * Finishes a deferred workflow function (see [method@Workflow.defer]), as
 * its return value would have. It may be called from any thread, once.
 *
 * Since: 1.0
 */
void
pgqrs_workflow_resolve (PgqrsWorkflow *self,
                        JsonNode      *output)
{
  g_return_if_fail (PGQRS_IS_WORKFLOW (self));

  if (!_pgqrs_deferral_is_deferred (&self->deferral) ||
      !_pgqrs_deferral_resolve (&self->deferral, output ? json_node_copy (output) : NULL))
    g_critical ("pgqrs_workflow_resolve: run %" G_GINT64_FORMAT " was not deferred, "
                "or was resolved already", self->id);
}

gboolean
_pgqrs_workflow_is_deferred (PgqrsWorkflow *self)
{
  return _pgqrs_deferral_is_deferred (&self->deferral);
}

void
_pgqrs_workflow_on_resolved (PgqrsWorkflow     *self,
                             PgqrsResolvedFunc  func,
                             gpointer           data)
{
  _pgqrs_deferral_on_resolved (&self->deferral, NULL, func, data);
}

gpointer
_pgqrs_workflow_forget_resolved (PgqrsWorkflow *self)
{
  return _pgqrs_deferral_forget (&self->deferral);
}

static void
set_json (JsonNode   **field,
          const char  *text)
{
  g_clear_pointer (field, json_node_unref);
  *field = _pgqrs_stored_json_parse (text);
}

void
_pgqrs_workflow_update (PgqrsWorkflow     *self,
                        const PgqrsRunRow *row)
{
  set_json (&self->input, row->input);
  set_json (&self->output, row->output);
  set_json (&self->error, row->error);
  self->message_id = row->message_id;
  g_free (self->pause_reason);
  self->pause_reason = g_strdup (row->pause_reason);
  g_clear_pointer (&self->resume_at, g_date_time_unref);
  self->resume_at = row->resume_at ? g_date_time_new_from_iso8601 (row->resume_at, NULL) : NULL;
  g_clear_pointer (&self->created_at, g_date_time_unref);
  self->created_at = row->created_at ? g_date_time_new_from_iso8601 (row->created_at, NULL) : NULL;
  g_clear_pointer (&self->updated_at, g_date_time_unref);
  self->updated_at = row->updated_at ? g_date_time_new_from_iso8601 (row->updated_at, NULL) : NULL;

  if (self->status != row->status)
    {
      self->status = row->status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }
}

PgqrsWorkflow *
_pgqrs_workflow_new (PgqrsStore        *store,
                     const PgqrsRunRow *row)
{
  PgqrsWorkflow *self = g_object_new (PGQRS_TYPE_WORKFLOW, NULL);

  self->store = g_object_ref (store);
  self->id = row->id;
  self->name = g_strdup (row->workflow_name);
  self->status = row->status;
  _pgqrs_workflow_update (self, row);

  return self;
}

static gboolean
apply_run (PgqrsWorkflow *self,
           PgqrsReply    *reply)
{
  if (reply == NULL)
    return FALSE;

  g_assert (reply->runs != NULL && reply->runs->len == 1);
  _pgqrs_workflow_update (self, g_ptr_array_index (reply->runs, 0));

  return TRUE;
}

/* A start or a step acquire on a run that was being cancelled finalises it;
 * the caller hears CANCELLED and runs no user code (rule 21). */
static gboolean
check_not_cancelled (PgqrsWorkflow  *self,
                     GError        **error)
{
  if (self->status == PGQRS_RUN_STATUS_CANCELLED)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CANCELLED,
                   _("Workflow run %lld was cancelled"), (long long)self->id);
      return FALSE;
    }

  return TRUE;
}

#define BIT(status) (1u << (status))

static PgqrsRequest *
transition_request (PgqrsWorkflow  *self,
                    PgqrsRunStatus  to,
                    guint           allowed_from,
                    char           *text,
                    double          seconds)
{
  g_autofree char *detail = text;

  return _pgqrs_request_new_run_transition (self->id, to, allowed_from, detail, seconds, 0);
}

typedef gboolean (*ReplyCheck) (PgqrsWorkflow *self, GError **error);

static gboolean
run_sync (PgqrsWorkflow  *self,
          PgqrsRequest   *request,
          ReplyCheck      check,
          GCancellable   *cancellable,
          GError        **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (request == NULL)
    return FALSE;

  reply = _pgqrs_workflow_execute (self, request, cancellable, error);

  return apply_run (self, reply) && (check == NULL || check (self, error));
}

static void
run_async (PgqrsWorkflow       *self,
           PgqrsRequest        *request,
           GError              *request_error,
           gpointer             source_tag,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  if (request == NULL)
    {
      g_task_report_error (self, callback, user_data, source_tag, request_error);
      return;
    }

  _pgqrs_workflow_execute_async (self, self, request, source_tag,
                                 cancellable, callback, user_data);
}

static gboolean
run_finish (PgqrsWorkflow  *self,
            GAsyncResult   *result,
            gpointer        source_tag,
            ReplyCheck      check,
            GError        **error)
{
  g_autoptr(PgqrsReply) reply = _pgqrs_workflow_execute_finish (self, self, result, source_tag, error);

  return apply_run (self, reply) && (check == NULL || check (self, error));
}

static PgqrsRequest *
refresh_request (PgqrsWorkflow *self)
{
  return _pgqrs_request_new_run_get (self->id, 0);
}

/**
 * pgqrs_workflow_refresh:
 * @self: a #PgqrsWorkflow
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads the run again: its status, output and error. This is how to look at
 * a run's result without waiting for it.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
pgqrs_workflow_refresh (PgqrsWorkflow  *self,
                        GCancellable   *cancellable,
                        GError        **error)
{
  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), FALSE);

  return run_sync (self, refresh_request (self), NULL, cancellable, error);
}

/**
 * pgqrs_workflow_refresh_async:
 * @self: a #PgqrsWorkflow
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Workflow.refresh] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_workflow_refresh_async (PgqrsWorkflow       *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (PGQRS_IS_WORKFLOW (self));

  run_async (self, refresh_request (self), NULL, pgqrs_workflow_refresh_async,
             cancellable, callback, user_data);
}

/**
 * pgqrs_workflow_refresh_finish:
 * @self: a #PgqrsWorkflow
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Workflow.refresh_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
pgqrs_workflow_refresh_finish (PgqrsWorkflow  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  return run_finish (self, result, pgqrs_workflow_refresh_async, NULL, error);
}

/* RUNNING too: a run whose process died is started again on redelivery */
#define START_FROM (BIT (PGQRS_RUN_STATUS_QUEUED) | BIT (PGQRS_RUN_STATUS_PAUSED) | \
                    BIT (PGQRS_RUN_STATUS_RUNNING))

static PgqrsRequest *
start_request (PgqrsWorkflow *self)
{
  return transition_request (self, PGQRS_RUN_STATUS_RUNNING, START_FROM, NULL, 0);
}

PgqrsWorkflow *
_pgqrs_workflow_start_triggered (PgqrsStore      *store,
                                 gint64           run_id,
                                 gint64           message_id,
                                 gint64           lease_count,
                                 GError         **error)
{
  g_autoptr(PgqrsRequest) request =
    _pgqrs_request_new_run_transition (run_id, PGQRS_RUN_STATUS_RUNNING, START_FROM, NULL, 0, 0);
  g_autoptr(PgqrsReply) reply = NULL;
  g_autoptr(PgqrsWorkflow) self = NULL;
  const PgqrsLeaseToken fence = { message_id, lease_count };

  _pgqrs_request_set_fence (request, &fence);
  if (!(reply = _pgqrs_store_execute (store, g_steal_pointer (&request), NULL, error)))
    return NULL;

  g_assert (reply->runs != NULL && reply->runs->len == 1);
  self = _pgqrs_workflow_new (store, g_ptr_array_index (reply->runs, 0));
  _pgqrs_workflow_set_fence (self, message_id, lease_count);

  return check_not_cancelled (self, error) ? g_steal_pointer (&self) : NULL;
}

/**
 * pgqrs_workflow_start:
 * @self: a #PgqrsWorkflow
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Moves the run to `RUNNING`: from `QUEUED`, from `PAUSED` once its resume
 * time has come, or again from `RUNNING` when a run whose process died is
 * picked up.
 *
 * Returns: %TRUE on success; %FALSE with %PGQRS_ERROR_CANCELLED if the run
 *   was being cancelled (it is now `CANCELLED`), %PGQRS_ERROR_PAUSED before
 *   its resume time, %PGQRS_ERROR_INVALID_STATE for a finished run
 *
 * Since: 1.0
 */
gboolean
pgqrs_workflow_start (PgqrsWorkflow  *self,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), FALSE);

  return run_sync (self, start_request (self), check_not_cancelled, cancellable, error);
}

/**
 * pgqrs_workflow_start_async:
 * @self: a #PgqrsWorkflow
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Workflow.start] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_workflow_start_async (PgqrsWorkflow       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (PGQRS_IS_WORKFLOW (self));

  run_async (self, start_request (self), NULL, pgqrs_workflow_start_async,
             cancellable, callback, user_data);
}

/**
 * pgqrs_workflow_start_finish:
 * @self: a #PgqrsWorkflow
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Workflow.start_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
pgqrs_workflow_start_finish (PgqrsWorkflow  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  return run_finish (self, result, pgqrs_workflow_start_async, check_not_cancelled, error);
}

static PgqrsRequest *
json_request (PgqrsWorkflow   *self,
              PgqrsRunStatus   to,
              guint            allowed_from,
              JsonNode        *value,
              GError         **error)
{
  char *text = _pgqrs_payload_serialize (pgqrs_store_get_config (self->store), value, -1, error);

  return text ? transition_request (self, to, allowed_from, text, 0) : NULL;
}

/**
 * pgqrs_workflow_complete:
 * @self: a #PgqrsWorkflow
 * @output: the run's output, any JSON value
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Ends a running run with `SUCCESS` and stores its output.
 *
 * Returns: %TRUE on success; %PGQRS_ERROR_INVALID_STATE unless the run is
 *   `RUNNING`
 *
 * Since: 1.0
 */
gboolean
pgqrs_workflow_complete (PgqrsWorkflow  *self,
                         JsonNode       *output,
                         GCancellable   *cancellable,
                         GError        **error)
{
  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), FALSE);

  return run_sync (self, json_request (self, PGQRS_RUN_STATUS_SUCCESS,
                                       BIT (PGQRS_RUN_STATUS_RUNNING), output, error),
                   NULL, cancellable, error);
}

/**
 * pgqrs_workflow_complete_async:
 * @self: a #PgqrsWorkflow
 * @output: the run's output
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Workflow.complete] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_workflow_complete_async (PgqrsWorkflow       *self,
                               JsonNode            *output,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GError *error = NULL;

  g_return_if_fail (PGQRS_IS_WORKFLOW (self));

  run_async (self, json_request (self, PGQRS_RUN_STATUS_SUCCESS, BIT (PGQRS_RUN_STATUS_RUNNING),
                                 output, &error),
             error, pgqrs_workflow_complete_async, cancellable, callback, user_data);
}

/**
 * pgqrs_workflow_complete_finish:
 * @self: a #PgqrsWorkflow
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Workflow.complete_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
pgqrs_workflow_complete_finish (PgqrsWorkflow  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  return run_finish (self, result, pgqrs_workflow_complete_async, NULL, error);
}

gboolean
_pgqrs_workflow_complete_triggered (PgqrsWorkflow  *self,
                                    JsonNode       *output,
                                    gboolean       *archived,
                                    GError        **error)
{
  PgqrsRequest *request;
  g_autoptr(PgqrsReply) reply = NULL;

  g_return_val_if_fail (self->fence.id != 0, FALSE);

  *archived = FALSE;
  if (!(request = json_request (self, PGQRS_RUN_STATUS_SUCCESS, BIT (PGQRS_RUN_STATUS_RUNNING),
                                output, error)))
    return FALSE;
  request->run_transition.archive_trigger = TRUE;
  reply = _pgqrs_workflow_execute (self, request, NULL, error);
  if (!apply_run (self, reply))
    return FALSE;
  *archived = reply->count == 1;

  return TRUE;
}

#define FAILABLE (BIT (PGQRS_RUN_STATUS_QUEUED) | BIT (PGQRS_RUN_STATUS_RUNNING) | \
                  BIT (PGQRS_RUN_STATUS_PAUSED))

/**
 * pgqrs_workflow_fail:
 * @self: a #PgqrsWorkflow
 * @error_value: what went wrong, as any JSON value
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Ends the run with `ERROR` and stores @error_value.
 *
 * Returns: %TRUE on success; %PGQRS_ERROR_INVALID_STATE for a finished run
 *
 * Since: 1.0
 */
gboolean
pgqrs_workflow_fail (PgqrsWorkflow  *self,
                     JsonNode       *error_value,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), FALSE);

  return run_sync (self, json_request (self, PGQRS_RUN_STATUS_ERROR, FAILABLE, error_value, error),
                   NULL, cancellable, error);
}

/**
 * pgqrs_workflow_fail_async:
 * @self: a #PgqrsWorkflow
 * @error_value: what went wrong
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Workflow.fail] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_workflow_fail_async (PgqrsWorkflow       *self,
                           JsonNode            *error_value,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GError *error = NULL;

  g_return_if_fail (PGQRS_IS_WORKFLOW (self));

  run_async (self, json_request (self, PGQRS_RUN_STATUS_ERROR, FAILABLE, error_value, &error),
             error, pgqrs_workflow_fail_async, cancellable, callback, user_data);
}

/**
 * pgqrs_workflow_fail_finish:
 * @self: a #PgqrsWorkflow
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Workflow.fail_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
pgqrs_workflow_fail_finish (PgqrsWorkflow  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  return run_finish (self, result, pgqrs_workflow_fail_async, NULL, error);
}

static PgqrsRequest *
pause_request (PgqrsWorkflow  *self,
               const char     *reason,
               double          seconds,
               GError        **error)
{
  if (!(seconds >= 0 && seconds <= 366 * 24 * 3600.0))
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                   _("A pause lasts from 0 to 31622400 seconds, not %g"), seconds);
      return NULL;
    }

  return transition_request (self, PGQRS_RUN_STATUS_PAUSED, BIT (PGQRS_RUN_STATUS_RUNNING),
                             g_strdup (reason), seconds);
}

/**
 * pgqrs_workflow_pause:
 * @self: a #PgqrsWorkflow
 * @reason: (nullable): why, for whoever looks at the run
 * @resume_after_seconds: how long the run sleeps
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Pauses a running run: a durable sleep. A triggered run's message comes
 * back when the pause is over, and the run goes on from its first step not
 * completed; an in-process run is started again with
 * [method@Workflow.start] once [method@Workflow.get_resume_at] has passed.
 *
 * Returns: %TRUE on success; %PGQRS_ERROR_INVALID_STATE unless `RUNNING`
 *
 * Since: 1.0
 */
gboolean
pgqrs_workflow_pause (PgqrsWorkflow  *self,
                      const char     *reason,
                      double          resume_after_seconds,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), FALSE);

  return run_sync (self, pause_request (self, reason, resume_after_seconds, error),
                   NULL, cancellable, error);
}

/**
 * pgqrs_workflow_pause_async:
 * @self: a #PgqrsWorkflow
 * @reason: (nullable): why
 * @resume_after_seconds: how long the run sleeps
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Workflow.pause] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_workflow_pause_async (PgqrsWorkflow       *self,
                            const char          *reason,
                            double               resume_after_seconds,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GError *error = NULL;

  g_return_if_fail (PGQRS_IS_WORKFLOW (self));

  run_async (self, pause_request (self, reason, resume_after_seconds, &error), error,
             pgqrs_workflow_pause_async, cancellable, callback, user_data);
}

/**
 * pgqrs_workflow_pause_finish:
 * @self: a #PgqrsWorkflow
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Workflow.pause_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
pgqrs_workflow_pause_finish (PgqrsWorkflow  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  return run_finish (self, result, pgqrs_workflow_pause_async, NULL, error);
}

/* Resuming is pausing again until now: the resume time and the trigger
 * message's visibility move to now, the reason stays. */
static PgqrsRequest *
resume_request (PgqrsWorkflow *self)
{
  return transition_request (self, PGQRS_RUN_STATUS_PAUSED, BIT (PGQRS_RUN_STATUS_PAUSED),
                             g_strdup (self->pause_reason), 0);
}

/**
 * pgqrs_workflow_resume:
 * @self: a #PgqrsWorkflow
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Ends a paused run's sleep now instead of at its resume time: a triggered
 * run's message becomes visible at once, so the next consumer goes on with
 * the run; an in-process run may be started again with
 * [method@Workflow.start].
 *
 * Returns: %TRUE on success; %FALSE with %PGQRS_ERROR_INVALID_STATE if the
 *   run is not paused
 *
 * Since: 1.0
 */
gboolean
pgqrs_workflow_resume (PgqrsWorkflow  *self,
                       GCancellable   *cancellable,
                       GError        **error)
{
  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), FALSE);

  return run_sync (self, resume_request (self), NULL, cancellable, error);
}

/**
 * pgqrs_workflow_resume_async:
 * @self: a #PgqrsWorkflow
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Workflow.resume] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_workflow_resume_async (PgqrsWorkflow       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (PGQRS_IS_WORKFLOW (self));

  run_async (self, resume_request (self), NULL, pgqrs_workflow_resume_async, cancellable,
             callback, user_data);
}

/**
 * pgqrs_workflow_resume_finish:
 * @self: a #PgqrsWorkflow
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Workflow.resume_async].
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
pgqrs_workflow_resume_finish (PgqrsWorkflow  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  return run_finish (self, result, pgqrs_workflow_resume_async, NULL, error);
}

static PgqrsRequest *
cancel_request (PgqrsWorkflow *self)
{
  return transition_request (self, PGQRS_RUN_STATUS_CANCELLING, FAILABLE, NULL, 0);
}

/**
 * pgqrs_workflow_cancel:
 * @self: a #PgqrsWorkflow
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Asks the run to stop. It goes `CANCELLING` and ends `CANCELLED` at its
 * next step boundary or its next delivery, without running user code
 * again; a step in flight may finish and is recorded.
 *
 * Returns: %TRUE on success; %PGQRS_ERROR_INVALID_STATE for a finished run
 *
 * Since: 1.0
 */
gboolean
pgqrs_workflow_cancel (PgqrsWorkflow  *self,
                       GCancellable   *cancellable,
                       GError        **error)
{
  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), FALSE);

  return run_sync (self, cancel_request (self), NULL, cancellable, error);
}

/**
 * pgqrs_workflow_cancel_async:
 * @self: a #PgqrsWorkflow
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Workflow.cancel] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_workflow_cancel_async (PgqrsWorkflow       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (PGQRS_IS_WORKFLOW (self));

  run_async (self, cancel_request (self), NULL, pgqrs_workflow_cancel_async,
             cancellable, callback, user_data);
}

/**
 * pgqrs_workflow_cancel_finish:
 * @self: a #PgqrsWorkflow
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Workflow.cancel_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
pgqrs_workflow_cancel_finish (PgqrsWorkflow  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  return run_finish (self, result, pgqrs_workflow_cancel_async, NULL, error);
}

static gboolean
check_step_name (const char  *name,
                 GError     **error)
{
  if (name == NULL || name[0] == '\0' || strlen (name) > 255)
    {
      g_set_error_literal (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                           _("A step name is 1 to 255 bytes long"));
      return FALSE;
    }

  return TRUE;
}

/* Acquiring a step is first a read (STEP_LOOKUP): a step that completed
 * before is replayed from it, and a new step of a running run needs no
 * row until it finishes — the completion inserts it finished, in one
 * statement.  Only when the read finds something else (a step to run
 * again, a retry, a run that is not running) does the acquire write, with
 * STEP_ACQUIRE, under the run's lock.  Both are fenced by the executor's
 * lease, so a run taken over by another executor acquires nothing. */
static PgqrsStep *
looked_up_step (PgqrsWorkflow *self,
                PgqrsReply    *reply)
{
  if (reply->steps == NULL || reply->steps->len != 1)
    return NULL;

  return _pgqrs_step_new (self, g_ptr_array_index (reply->steps, 0));
}

static PgqrsStep *
reply_to_step (PgqrsWorkflow  *self,
               PgqrsReply     *reply,
               GError        **error)
{
  if (reply == NULL)
    return NULL;

  apply_run (self, reply);
  if (!check_not_cancelled (self, error))
    return NULL;

  g_assert (reply->steps != NULL && reply->steps->len == 1);

  return _pgqrs_step_new (self, g_ptr_array_index (reply->steps, 0));
}

/**
 * pgqrs_workflow_acquire_step:
 * @self: a #PgqrsWorkflow
 * @name: the step's name, unique within the run
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Acquires a step of a running run. If the step completed before, the
 * returned step is cached: use its output and do not run it. If it was
 * running when its process died, or its retry is due, it runs again.
 *
 * Acquiring is atomic on (run, name) and costs one read when the step
 * completed before or is new: a new step gets its row when it is completed
 * (or fails), in the statement that stores its output. A step to run again
 * is marked running under the run's lock.
 *
 * Returns: (transfer full): the step, or %NULL with @error set:
 *   %PGQRS_ERROR_CANCELLED (the run was being cancelled and now is),
 *   %PGQRS_ERROR_STEP_NOT_READY (its retry is not due; the message names
 *   the time), %PGQRS_ERROR_INVALID_STATE (the run is not running)
 *
 * Since: 1.0
 */
PgqrsStep *
pgqrs_workflow_acquire_step (PgqrsWorkflow  *self,
                             const char     *name,
                             GCancellable   *cancellable,
                             GError        **error)
{
  g_autoptr(PgqrsReply) looked_up = NULL;
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsStep *step;

  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), NULL);

  if (!check_step_name (name, error))
    return NULL;

  if (!(looked_up = _pgqrs_workflow_execute (self, _pgqrs_request_new_step_lookup (self->id, name),
                                             cancellable, error)))
    return NULL;
  if ((step = looked_up_step (self, looked_up)) != NULL)
    return step;

  reply = _pgqrs_workflow_execute (self, _pgqrs_request_new_step_acquire (self->id, name),
                                   cancellable, error);

  return reply_to_step (self, reply, error);
}

/* acquire_step_async: the read, then the write if the read was not enough. */
typedef struct
{
  char     *name;
  gboolean  writing;
} Acquire;

static void
acquire_free (Acquire *acquire)
{
  g_free (acquire->name);
  g_free (acquire);
}

static void
acquire_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  PgqrsWorkflow *self = PGQRS_WORKFLOW (source);
  g_autoptr(GTask) task = user_data;
  g_autoptr(PgqrsReply) reply = NULL;
  Acquire *acquire = g_task_get_task_data (task);
  GError *error = NULL;
  PgqrsStep *step;

  reply = _pgqrs_workflow_execute_finish (self, self, result, acquire_cb, &error);
  if (reply != NULL && !acquire->writing)
    step = looked_up_step (self, reply);
  else
    step = reply_to_step (self, reply, &error);

  if (step == NULL && error == NULL)
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      acquire->writing = TRUE;
      _pgqrs_workflow_execute_async (self, self,
                                     _pgqrs_request_new_step_acquire (self->id, acquire->name),
                                     acquire_cb, cancellable, acquire_cb, g_steal_pointer (&task));
    }
  else if (step == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, step, g_object_unref);
}

/**
 * pgqrs_workflow_acquire_step_async:
 * @self: a #PgqrsWorkflow
 * @name: the step's name
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Workflow.acquire_step] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_workflow_acquire_step_async (PgqrsWorkflow       *self,
                                   const char          *name,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GError *error = NULL;
  Acquire *acquire;
  GTask *task;

  g_return_if_fail (PGQRS_IS_WORKFLOW (self));

  if (!check_step_name (name, &error))
    {
      g_task_report_error (self, callback, user_data, pgqrs_workflow_acquire_step_async, error);
      return;
    }

  acquire = g_new0 (Acquire, 1);
  acquire->name = g_strdup (name);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pgqrs_workflow_acquire_step_async);
  g_task_set_task_data (task, acquire, (GDestroyNotify)acquire_free);

  _pgqrs_workflow_execute_async (self, self, _pgqrs_request_new_step_lookup (self->id, name),
                                 acquire_cb, cancellable, acquire_cb, task);
}

/**
 * pgqrs_workflow_acquire_step_finish:
 * @self: a #PgqrsWorkflow
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Workflow.acquire_step_async].
 *
 * Returns: (transfer full): the step, or %NULL with @error set
 *
 * Since: 1.0
 */
PgqrsStep *
pgqrs_workflow_acquire_step_finish (PgqrsWorkflow  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pgqrs_workflow_acquire_step_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* After pgqrs_step_fail() recorded a failed body: the error run_step
 * reports, and what the consumer needs to know of it. */
static void
set_step_failure_error (PgqrsWorkflow  *self,
                        PgqrsStep      *step,
                        const char     *failure,
                        gboolean        transient,
                        GError        **error)
{
  const char *name = pgqrs_step_get_name (step);

  self->last_step_error = pgqrs_step_get_retry_at (step) != NULL ? PGQRS_ERROR_STEP_NOT_READY
                        : transient ? PGQRS_ERROR_RETRIES_EXHAUSTED
                        : PGQRS_ERROR_FAILED;

  if (pgqrs_step_get_retry_at (step) != NULL)
    {
      g_autofree char *when = g_date_time_format_iso8601 (pgqrs_step_get_retry_at (step));

      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_STEP_NOT_READY,
                   _("Step “%s” failed (%s); retry %u at %s"),
                   name, failure ? failure : _("no reason given"),
                   pgqrs_step_get_retry_count (step), when);
    }
  else if (transient)
    g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_RETRIES_EXHAUSTED,
                 _("Step “%s” failed %u times (%s); the run has failed"),
                 name, pgqrs_step_get_retry_count (step) + 1,
                 failure ? failure : _("no reason given"));
  else
    g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_FAILED,
                 _("Step “%s” failed for good (%s); the run has failed"),
                 name, failure ? failure : _("no reason given"));
}

/**
 * pgqrs_workflow_run_step:
 * @self: a #PgqrsWorkflow
 * @name: the step's name, unique within the run
 * @func: (scope call) (closure func_data): the step's body
 * @func_data: data for @func
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Runs one step exactly once across executions of the run: acquires it;
 * if it completed before, returns its stored output without calling @func;
 * otherwise calls @func and stores what it returns in the same statement
 * that records the step done. A step that completes costs one read and one
 * write; a step that completed before, one read.
 *
 * When @func returns %NULL the step failed; [method@Step.set_error] says
 * why and whether it is transient (the default). A transient failure within
 * the run's retry policy schedules a retry and fails with
 * %PGQRS_ERROR_STEP_NOT_READY; past the policy's retries the run ends
 * `ERROR` and this fails with %PGQRS_ERROR_RETRIES_EXHAUSTED; a permanent
 * failure ends the run `ERROR` and fails with %PGQRS_ERROR_FAILED.
 *
 * This call blocks; it may be used from a workflow function, which a
 * [class@Consumer] runs in a thread of its own. A body that finishes later
 * ([method@Step.defer]) needs [method@Workflow.run_step_async].
 *
 * Returns: (transfer full): the step's output, or %NULL with @error set
 *
 * Since: 1.0
 */
JsonNode *
pgqrs_workflow_run_step (PgqrsWorkflow  *self,
                         const char     *name,
                         PgqrsStepFunc   func,
                         gpointer        func_data,
                         GCancellable   *cancellable,
                         GError        **error)
{
  g_autoptr(PgqrsStep) step = NULL;
  g_autoptr(JsonNode) output = NULL;
  const char *failure;
  gboolean transient;

  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  if (!(step = pgqrs_workflow_acquire_step (self, name, cancellable, error)))
    return NULL;

  if (pgqrs_step_is_cached (step))
    return json_node_copy (pgqrs_step_get_output (step));

  output = func (step, func_data);

  if (_pgqrs_step_is_deferred (step))
    {
      /* Left unfinished (no row, or RUNNING): the next execution runs
       * the body again, as after a crash. */
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE,
                   _("Step “%s” was deferred; a step function that finishes later "
                     "needs pgqrs_workflow_run_step_async()"), name);
      return NULL;
    }

  if (output != NULL)
    {
      if (!pgqrs_step_complete (step, output, cancellable, error))
        return NULL;
      return g_steal_pointer (&output);
    }

  failure = _pgqrs_step_get_failure (step, &transient);
  if (!pgqrs_step_fail (step, failure, transient, cancellable, error))
    return NULL;

  set_step_failure_error (self, step, failure, transient, error);
  return NULL;
}

/* run_step_async: acquire, then the body (now or deferred), then complete
 * or fail, each without blocking. */
typedef struct
{
  PgqrsStepFunc   func;
  gpointer        func_data;
  GDestroyNotify  func_data_destroy;
  PgqrsStep      *step;
  JsonNode       *output;
} RunStep;

static void
run_step_free (RunStep *data)
{
  if (data->func_data_destroy != NULL)
    data->func_data_destroy (data->func_data);
  g_clear_object (&data->step);
  g_clear_pointer (&data->output, json_node_unref);
  g_free (data);
}

static void
run_step_completed_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RunStep *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!pgqrs_step_complete_finish (PGQRS_STEP (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&data->output), (GDestroyNotify)json_node_unref);
}

static void
run_step_failed_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PgqrsWorkflow *self = g_task_get_source_object (task);
  RunStep *data = g_task_get_task_data (task);
  const char *failure;
  gboolean transient;
  GError *error = NULL;

  if (pgqrs_step_fail_finish (PGQRS_STEP (source), result, &error))
    {
      failure = _pgqrs_step_get_failure (data->step, &transient);
      set_step_failure_error (self, data->step, failure, transient, &error);
    }
  g_task_return_error (task, error);
}

/* The body has finished, in the task's context. */
static void
run_step_body_done (GTask *task)
{
  RunStep *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  const char *failure;
  gboolean transient;

  if (data->output != NULL)
    {
      pgqrs_step_complete_async (data->step, data->output, cancellable,
                                 run_step_completed_cb, task);
      return;
    }

  failure = _pgqrs_step_get_failure (data->step, &transient);
  pgqrs_step_fail_async (data->step, failure, transient, cancellable,
                         run_step_failed_cb, task);
}

/* In the task's context, whichever thread called pgqrs_step_resolve(). */
static void
run_step_resolved (gpointer output,
                   gpointer user_data)
{
  GTask *task = user_data;
  RunStep *data = g_task_get_task_data (task);

  data->output = output ? json_node_copy (output) : NULL;
  run_step_body_done (task);
}

static void
run_step_acquired_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  PgqrsWorkflow *self = PGQRS_WORKFLOW (source);
  GTask *task = user_data;
  RunStep *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!(data->step = pgqrs_workflow_acquire_step_finish (self, result, &error)))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (pgqrs_step_is_cached (data->step))
    {
      g_task_return_pointer (task, json_node_copy (pgqrs_step_get_output (data->step)),
                             (GDestroyNotify)json_node_unref);
      g_object_unref (task);
      return;
    }

  data->output = data->func (data->step, data->func_data);

  if (_pgqrs_step_is_deferred (data->step))
    {
      g_clear_pointer (&data->output, json_node_unref);
      _pgqrs_step_on_resolved (data->step, g_task_get_context (task), run_step_resolved, task);
      return;
    }

  run_step_body_done (task);
}

/**
 * pgqrs_workflow_run_step_async:
 * @self: a #PgqrsWorkflow
 * @name: the step's name, unique within the run
 * @func: (scope notified) (closure func_data) (destroy func_data_destroy):
 *   the step's body
 * @func_data: data for @func
 * @func_data_destroy: (nullable): frees @func_data when @func is no longer
 *   needed
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the step is done
 * @user_data: data for @callback
 *
 * [method@Workflow.run_step] without blocking: the step is acquired and
 * finished asynchronously, and @func is called in the thread-default main
 * context of the caller — unless the step completed before, in which case
 * @func is not called at all.
 *
 * @func may return the output at once, or finish later: it calls
 * [method@Step.defer], returns %NULL, and hands over the output (or %NULL
 * after [method@Step.set_error]) with [method@Step.resolve] when it has it.
 *
 * Since: 1.0
 */
void
pgqrs_workflow_run_step_async (PgqrsWorkflow       *self,
                               const char          *name,
                               PgqrsStepFunc        func,
                               gpointer             func_data,
                               GDestroyNotify       func_data_destroy,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;
  RunStep *data;

  g_return_if_fail (PGQRS_IS_WORKFLOW (self));
  g_return_if_fail (func != NULL);

  data = g_new0 (RunStep, 1);
  data->func = func;
  data->func_data = func_data;
  data->func_data_destroy = func_data_destroy;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pgqrs_workflow_run_step_async);
  g_task_set_task_data (task, data, (GDestroyNotify)run_step_free);

  pgqrs_workflow_acquire_step_async (self, name, cancellable, run_step_acquired_cb, task);
}

/**
 * pgqrs_workflow_run_step_finish:
 * @self: a #PgqrsWorkflow
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Workflow.run_step_async].
 *
 * Returns: (transfer full): the step's output, stored now or in an earlier
 *   execution, or %NULL with @error set as [method@Workflow.run_step] says
 *
 * Since: 1.0
 */
JsonNode *
pgqrs_workflow_run_step_finish (PgqrsWorkflow  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pgqrs_workflow_run_step_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Waiting for a result: the run's row is read with a growing interval,
 * from 20 ms to 500 ms, until it is terminal or time is up. */
typedef struct
{
  gint64   deadline;   /* monotonic µs, or 0 */
  guint    interval;   /* ms */
  GSource *timer;
} Wait;

static void
wait_free (Wait *wait)
{
  if (wait->timer != NULL)
    {
      g_source_destroy (wait->timer);
      g_source_unref (wait->timer);
    }
  g_free (wait);
}

static void wait_poll (GTask *task);

static gboolean
wait_timer_cb (gpointer data)
{
  GTask *task = data;
  Wait *wait = g_task_get_task_data (task);

  g_clear_pointer (&wait->timer, g_source_unref);
  wait_poll (task);

  return G_SOURCE_REMOVE;
}

static void
wait_refresh_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PgqrsWorkflow *self = PGQRS_WORKFLOW (object);
  Wait *wait = g_task_get_task_data (task);
  GError *error = NULL;

  if (!pgqrs_workflow_refresh_finish (self, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  switch (self->status)
    {
    case PGQRS_RUN_STATUS_SUCCESS:
      g_task_return_pointer (task, self->output ? json_node_copy (self->output)
                                                : json_node_new (JSON_NODE_NULL),
                             (GDestroyNotify)json_node_unref);
      return;

    case PGQRS_RUN_STATUS_ERROR:
      {
        g_autofree char *text = self->error ? _pgqrs_json_write (self->error, NULL, NULL, NULL, NULL)
                                           : g_strdup ("null");

        g_task_return_new_error (task, PGQRS_ERROR, PGQRS_ERROR_FAILED,
                                 _("Workflow run %lld failed: %s"), (long long)self->id, text);
        return;
      }

    case PGQRS_RUN_STATUS_CANCELLED:
      g_task_return_new_error (task, PGQRS_ERROR, PGQRS_ERROR_CANCELLED,
                               _("Workflow run %lld was cancelled"), (long long)self->id);
      return;

    case PGQRS_RUN_STATUS_QUEUED:
    case PGQRS_RUN_STATUS_RUNNING:
    case PGQRS_RUN_STATUS_PAUSED:
    case PGQRS_RUN_STATUS_CANCELLING:
    default:
      break;
    }

  if (wait->deadline != 0 && g_get_monotonic_time () >= wait->deadline)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               _("Workflow run %lld is still %s"),
                               (long long)self->id, pgqrs_run_status_to_string (self->status));
      return;
    }

  wait->timer = g_timeout_source_new (wait->interval);
  wait->interval = MIN (wait->interval * 2, 500);
  g_source_set_callback (wait->timer, wait_timer_cb, g_object_ref (task), g_object_unref);
  g_source_attach (wait->timer, g_task_get_context (task));
}

static void
wait_poll (GTask *task)
{
  pgqrs_workflow_refresh_async (g_task_get_source_object (task), g_task_get_cancellable (task),
                                wait_refresh_cb, g_object_ref (task));
}

/**
 * pgqrs_workflow_wait_async:
 * @self: a #PgqrsWorkflow
 * @timeout_seconds: how long to wait; 0 or less to wait for as long as it takes
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when the run has
 *   finished or time is up
 * @user_data: data for @callback
 *
 * Waits, without blocking, for the run to finish.
 *
 * Since: 1.0
 */
void
pgqrs_workflow_wait_async (PgqrsWorkflow       *self,
                           double               timeout_seconds,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Wait *wait = g_new0 (Wait, 1);

  g_return_if_fail (PGQRS_IS_WORKFLOW (self));

  wait->interval = 20;
  if (timeout_seconds > 0)
    wait->deadline = g_get_monotonic_time () + (gint64)(timeout_seconds * G_USEC_PER_SEC);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pgqrs_workflow_wait_async);
  g_task_set_task_data (task, wait, (GDestroyNotify)wait_free);

  wait_poll (task);
}

/**
 * pgqrs_workflow_wait_finish:
 * @self: a #PgqrsWorkflow
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Workflow.wait_async].
 *
 * Returns: (transfer full): the run's output; or %NULL with @error set:
 *   %PGQRS_ERROR_FAILED with the stored error for a failed run,
 *   %PGQRS_ERROR_CANCELLED, or %G_IO_ERROR_TIMED_OUT
 *
 * Since: 1.0
 */
JsonNode *
pgqrs_workflow_wait_finish (PgqrsWorkflow  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * pgqrs_workflow_get_store:
 * @self: a #PgqrsWorkflow
 *
 * Gets the store the run lives in.
 *
 * Returns: (transfer none): the store the run lives in
 *
 * Since: 1.0
 */
PgqrsStore *
pgqrs_workflow_get_store (PgqrsWorkflow *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), NULL);
  return self->store;
}

/**
 * pgqrs_workflow_get_id:
 * @self: a #PgqrsWorkflow
 *
 * Gets the run's id in the store.
 *
 * Returns: the run's id
 *
 * Since: 1.0
 */
gint64
pgqrs_workflow_get_id (PgqrsWorkflow *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), 0);
  return self->id;
}

/**
 * pgqrs_workflow_get_name:
 * @self: a #PgqrsWorkflow
 *
 * Gets the name of the workflow this is a run of.
 *
 * Returns: the name of the workflow this is a run of
 *
 * Since: 1.0
 */
const char *
pgqrs_workflow_get_name (PgqrsWorkflow *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), NULL);
  return self->name;
}

/**
 * pgqrs_workflow_get_message_id:
 * @self: a #PgqrsWorkflow
 *
 * Gets the id of the message that triggered the run.
 *
 * Returns: the id of the run's trigger message, or 0 for an in-process run
 *
 * Since: 1.0
 */
gint64
pgqrs_workflow_get_message_id (PgqrsWorkflow *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), 0);
  return self->message_id;
}

/**
 * pgqrs_workflow_get_status:
 * @self: a #PgqrsWorkflow
 *
 * Gets the run's status as it was last read or changed.
 *
 * Returns: the run's status, as last read
 *
 * Since: 1.0
 */
PgqrsRunStatus
pgqrs_workflow_get_status (PgqrsWorkflow *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), PGQRS_RUN_STATUS_ERROR);
  return self->status;
}

/**
 * pgqrs_workflow_get_input:
 * @self: a #PgqrsWorkflow
 *
 * Gets the input the run was created with.
 *
 * Returns: (transfer none) (nullable): the run's input
 *
 * Since: 1.0
 */
JsonNode *
pgqrs_workflow_get_input (PgqrsWorkflow *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), NULL);
  return self->input;
}

/**
 * pgqrs_workflow_get_output:
 * @self: a #PgqrsWorkflow
 *
 * Gets the output the run completed with.
 *
 * Returns: (transfer none) (nullable): the run's output, once `SUCCESS`
 *
 * Since: 1.0
 */
JsonNode *
pgqrs_workflow_get_output (PgqrsWorkflow *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), NULL);
  return self->output;
}

/**
 * pgqrs_workflow_get_error:
 * @self: a #PgqrsWorkflow
 *
 * Gets the error the run failed with.
 *
 * Returns: (transfer none) (nullable): the run's error, once `ERROR`
 *
 * Since: 1.0
 */
JsonNode *
pgqrs_workflow_get_error (PgqrsWorkflow *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), NULL);
  return self->error;
}

/**
 * pgqrs_workflow_get_pause_reason:
 * @self: a #PgqrsWorkflow
 *
 * Gets the message the run was last paused with.
 *
 * Returns: (nullable): why the run was last paused
 *
 * Since: 1.0
 */
const char *
pgqrs_workflow_get_pause_reason (PgqrsWorkflow *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), NULL);
  return self->pause_reason;
}

/**
 * pgqrs_workflow_get_resume_at:
 * @self: a #PgqrsWorkflow
 *
 * Gets when a paused run may go on.
 *
 * Returns: (transfer none) (nullable): when a paused run may go on
 *
 * Since: 1.0
 */
GDateTime *
pgqrs_workflow_get_resume_at (PgqrsWorkflow *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), NULL);
  return self->resume_at;
}

/**
 * pgqrs_workflow_get_retry_policy:
 * @self: a #PgqrsWorkflow
 *
 * Gets the policy that decides how failed steps of the run are retried.
 *
 * Returns: (transfer none): the value of [property@Workflow:retry-policy]
 *
 * Since: 1.0
 */
PgqrsRetryPolicy *
pgqrs_workflow_get_retry_policy (PgqrsWorkflow *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), NULL);
  return self->retry_policy;
}

/**
 * pgqrs_workflow_set_retry_policy:
 * @self: a #PgqrsWorkflow
 * @policy: (nullable): the policy, or %NULL for the default
 *
 * Sets how this run's failed steps are retried.
 *
 * Since: 1.0
 */
void
pgqrs_workflow_set_retry_policy (PgqrsWorkflow    *self,
                                 PgqrsRetryPolicy *policy)
{
  g_autoptr(PgqrsRetryPolicy) fallback = NULL;

  g_return_if_fail (PGQRS_IS_WORKFLOW (self));

  if (policy == NULL)
    policy = fallback = pgqrs_retry_policy_new ();

  if (g_set_object (&self->retry_policy, policy))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_POLICY]);
}

/**
 * pgqrs_workflow_get_created_at:
 * @self: a #PgqrsWorkflow
 *
 * Gets when the run was created, by the database's clock, as last read.
 *
 * Returns: (transfer none) (nullable): the creation time
 *
 * Since: 1.0
 */
GDateTime *
pgqrs_workflow_get_created_at (PgqrsWorkflow *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), NULL);
  return self->created_at;
}

/**
 * pgqrs_workflow_get_updated_at:
 * @self: a #PgqrsWorkflow
 *
 * Gets when the run last changed, by the database's clock, as last read.
 *
 * Returns: (transfer none) (nullable): the time of the last change
 *
 * Since: 1.0
 */
GDateTime *
pgqrs_workflow_get_updated_at (PgqrsWorkflow *self)
{
  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), NULL);
  return self->updated_at;
}

static GPtrArray *
reply_to_steps (PgqrsWorkflow *self,
                PgqrsReply    *reply)
{
  GPtrArray *steps;

  if (reply == NULL)
    return NULL;

  steps = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; reply->steps != NULL && i < reply->steps->len; i++)
    g_ptr_array_add (steps, _pgqrs_step_new (self, g_ptr_array_index (reply->steps, i)));

  return steps;
}

/**
 * pgqrs_workflow_list_steps:
 * @self: a #PgqrsWorkflow
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Lists the run's steps as the store has them, in the order they were first
 * acquired, with their status, output or error and retries. The steps are
 * for looking at: completing or failing one is for the code that acquired
 * it.
 *
 * Returns: (transfer container) (element-type PgqrsStep): the steps, or
 *   %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
pgqrs_workflow_list_steps (PgqrsWorkflow  *self,
                           GCancellable   *cancellable,
                           GError        **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  g_return_val_if_fail (PGQRS_IS_WORKFLOW (self), NULL);

  reply = _pgqrs_store_execute (self->store, _pgqrs_request_new_step_list (self->id),
                                cancellable, error);
  return reply_to_steps (self, reply);
}

/**
 * pgqrs_workflow_list_steps_async:
 * @self: a #PgqrsWorkflow
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Workflow.list_steps] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_workflow_list_steps_async (PgqrsWorkflow       *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (PGQRS_IS_WORKFLOW (self));

  _pgqrs_store_execute_async (self->store, self, _pgqrs_request_new_step_list (self->id),
                              pgqrs_workflow_list_steps_async, cancellable, callback, user_data);
}

/**
 * pgqrs_workflow_list_steps_finish:
 * @self: a #PgqrsWorkflow
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Workflow.list_steps_async].
 *
 * Returns: (transfer container) (element-type PgqrsStep): the steps, or
 *   %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
pgqrs_workflow_list_steps_finish (PgqrsWorkflow  *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  g_autoptr(PgqrsReply) reply =
    _pgqrs_store_execute_finish (self, result, pgqrs_workflow_list_steps_async, error);

  return reply_to_steps (self, reply);
}
