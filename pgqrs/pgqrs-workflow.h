/* pgqrs-workflow.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#if !defined(PGQRS_INSIDE) && !defined(PGQRS_COMPILATION)
# error "Only <pgqrs.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pgqrs-retry-policy.h"
#include "pgqrs-step.h"
#include "pgqrs-version-macros.h"
#include "pgqrs-types.h"

G_BEGIN_DECLS

/**
 * PgqrsStepFunc:
 * @step: the acquired step
 * @user_data: the data given with the function
 *
 * The body of a step. It returns the step's output, or %NULL when it failed
 * — after [method@Step.set_error] to say why and whether a retry may help.
 *
 * Returns: (transfer full) (nullable): the step's output
 *
 * Since: 1.0
 */
typedef JsonNode *(*PgqrsStepFunc) (PgqrsStep *step,
                                    gpointer   user_data);

/**
 * PgqrsWorkflowFunc:
 * @run: the run, started
 * @user_data: the data given with the function
 *
 * The body of a workflow, run by a [class@Consumer] for each trigger. It
 * runs its steps with [method@Workflow.run_step] and returns the run's
 * output, or %NULL when a step failed or asked for a retry later.
 *
 * Returns: (transfer full) (nullable): the run's output
 *
 * Since: 1.0
 */
typedef JsonNode *(*PgqrsWorkflowFunc) (PgqrsWorkflow *run,
                                        gpointer       user_data);

#define PGQRS_TYPE_WORKFLOW (pgqrs_workflow_get_type ())

PGQRS_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (PgqrsWorkflow, pgqrs_workflow, PGQRS, WORKFLOW, GObject)

typedef struct _PgqrsStore PgqrsStore;

PGQRS_AVAILABLE_IN_1_0
PgqrsStore       *pgqrs_workflow_get_store         (PgqrsWorkflow       *self);
PGQRS_AVAILABLE_IN_1_0
gint64            pgqrs_workflow_get_id            (PgqrsWorkflow       *self);
PGQRS_AVAILABLE_IN_1_0
const char       *pgqrs_workflow_get_name          (PgqrsWorkflow       *self);
PGQRS_AVAILABLE_IN_1_0
gint64            pgqrs_workflow_get_message_id    (PgqrsWorkflow       *self);
PGQRS_AVAILABLE_IN_1_0
PgqrsRunStatus    pgqrs_workflow_get_status        (PgqrsWorkflow       *self);
PGQRS_AVAILABLE_IN_1_0
JsonNode         *pgqrs_workflow_get_input         (PgqrsWorkflow       *self);
PGQRS_AVAILABLE_IN_1_0
JsonNode         *pgqrs_workflow_get_output        (PgqrsWorkflow       *self);
PGQRS_AVAILABLE_IN_1_0
JsonNode         *pgqrs_workflow_get_error         (PgqrsWorkflow       *self);
PGQRS_AVAILABLE_IN_1_0
const char       *pgqrs_workflow_get_pause_reason  (PgqrsWorkflow       *self);
PGQRS_AVAILABLE_IN_1_0
GDateTime        *pgqrs_workflow_get_resume_at     (PgqrsWorkflow       *self);
PGQRS_AVAILABLE_IN_1_0
PgqrsRetryPolicy *pgqrs_workflow_get_retry_policy  (PgqrsWorkflow       *self);
PGQRS_AVAILABLE_IN_1_0
void              pgqrs_workflow_set_retry_policy  (PgqrsWorkflow       *self,
                                                    PgqrsRetryPolicy    *policy);

PGQRS_AVAILABLE_IN_1_0
gboolean          pgqrs_workflow_refresh           (PgqrsWorkflow       *self,
                                                    GCancellable        *cancellable,
                                                    GError             **error);
PGQRS_AVAILABLE_IN_1_0
void              pgqrs_workflow_refresh_async     (PgqrsWorkflow       *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
PGQRS_AVAILABLE_IN_1_0
gboolean          pgqrs_workflow_refresh_finish    (PgqrsWorkflow       *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

PGQRS_AVAILABLE_IN_1_0
gboolean          pgqrs_workflow_start             (PgqrsWorkflow       *self,
                                                    GCancellable        *cancellable,
                                                    GError             **error);
PGQRS_AVAILABLE_IN_1_0
void              pgqrs_workflow_start_async       (PgqrsWorkflow       *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
PGQRS_AVAILABLE_IN_1_0
gboolean          pgqrs_workflow_start_finish      (PgqrsWorkflow       *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

PGQRS_AVAILABLE_IN_1_0
gboolean          pgqrs_workflow_complete          (PgqrsWorkflow       *self,
                                                    JsonNode            *output,
                                                    GCancellable        *cancellable,
                                                    GError             **error);
PGQRS_AVAILABLE_IN_1_0
void              pgqrs_workflow_complete_async    (PgqrsWorkflow       *self,
                                                    JsonNode            *output,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
PGQRS_AVAILABLE_IN_1_0
gboolean          pgqrs_workflow_complete_finish   (PgqrsWorkflow       *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

PGQRS_AVAILABLE_IN_1_0
gboolean          pgqrs_workflow_fail              (PgqrsWorkflow       *self,
                                                    JsonNode            *error_value,
                                                    GCancellable        *cancellable,
                                                    GError             **error);
PGQRS_AVAILABLE_IN_1_0
void              pgqrs_workflow_fail_async        (PgqrsWorkflow       *self,
                                                    JsonNode            *error_value,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
PGQRS_AVAILABLE_IN_1_0
gboolean          pgqrs_workflow_fail_finish       (PgqrsWorkflow       *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

PGQRS_AVAILABLE_IN_1_0
gboolean          pgqrs_workflow_pause             (PgqrsWorkflow       *self,
                                                    const char          *reason,
                                                    double               resume_after_seconds,
                                                    GCancellable        *cancellable,
                                                    GError             **error);
PGQRS_AVAILABLE_IN_1_0
void              pgqrs_workflow_pause_async       (PgqrsWorkflow       *self,
                                                    const char          *reason,
                                                    double               resume_after_seconds,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
PGQRS_AVAILABLE_IN_1_0
gboolean          pgqrs_workflow_pause_finish      (PgqrsWorkflow       *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

PGQRS_AVAILABLE_IN_1_0
gboolean          pgqrs_workflow_cancel            (PgqrsWorkflow       *self,
                                                    GCancellable        *cancellable,
                                                    GError             **error);
PGQRS_AVAILABLE_IN_1_0
void              pgqrs_workflow_cancel_async      (PgqrsWorkflow       *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
PGQRS_AVAILABLE_IN_1_0
gboolean          pgqrs_workflow_cancel_finish     (PgqrsWorkflow       *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

PGQRS_AVAILABLE_IN_1_0
PgqrsStep        *pgqrs_workflow_acquire_step      (PgqrsWorkflow       *self,
                                                    const char          *name,
                                                    GCancellable        *cancellable,
                                                    GError             **error);
PGQRS_AVAILABLE_IN_1_0
void              pgqrs_workflow_acquire_step_async (PgqrsWorkflow      *self,
                                                    const char          *name,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
PGQRS_AVAILABLE_IN_1_0
PgqrsStep        *pgqrs_workflow_acquire_step_finish (PgqrsWorkflow     *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

PGQRS_AVAILABLE_IN_1_0
JsonNode         *pgqrs_workflow_run_step          (PgqrsWorkflow       *self,
                                                    const char          *name,
                                                    PgqrsStepFunc        func,
                                                    gpointer             func_data,
                                                    GCancellable        *cancellable,
                                                    GError             **error);
PGQRS_AVAILABLE_IN_1_0
void              pgqrs_workflow_run_step_async    (PgqrsWorkflow       *self,
                                                    const char          *name,
                                                    PgqrsStepFunc        func,
                                                    gpointer             func_data,
                                                    GDestroyNotify       func_data_destroy,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
PGQRS_AVAILABLE_IN_1_0
JsonNode         *pgqrs_workflow_run_step_finish   (PgqrsWorkflow       *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

PGQRS_AVAILABLE_IN_1_0
void              pgqrs_workflow_defer             (PgqrsWorkflow       *self);
PGQRS_AVAILABLE_IN_1_0
void              pgqrs_workflow_resolve           (PgqrsWorkflow       *self,
                                                    JsonNode            *output);

PGQRS_AVAILABLE_IN_1_0
void              pgqrs_workflow_wait_async        (PgqrsWorkflow       *self,
                                                    double               timeout_seconds,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
PGQRS_AVAILABLE_IN_1_0
JsonNode         *pgqrs_workflow_wait_finish       (PgqrsWorkflow       *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

G_END_DECLS
