/* pgqrs-workflow-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-backend-private.h"
#include "pgqrs-deferral-private.h"
#include "pgqrs-workflow.h"

G_BEGIN_DECLS

PgqrsWorkflow *_pgqrs_workflow_new    (PgqrsStore        *store,
                                       const PgqrsRunRow *row);
void           _pgqrs_workflow_update (PgqrsWorkflow     *self,
                                       const PgqrsRunRow *row);

/* The PgqrsError with which the last run_step() of this object failed, or
 * -1: tells a consumer whether a retry was scheduled. */
int            _pgqrs_workflow_get_last_step_error (PgqrsWorkflow *self);

/* A deferred workflow function (pgqrs_workflow_defer()) ends with
 * pgqrs_workflow_resolve(): see pgqrs-deferral-private.h. */
gboolean       _pgqrs_workflow_is_deferred (PgqrsWorkflow     *self);
gpointer       _pgqrs_workflow_forget_resolved (PgqrsWorkflow *self);
void           _pgqrs_workflow_on_resolved (PgqrsWorkflow     *self,
                                            PgqrsResolvedFunc  func,
                                            gpointer           data);

G_END_DECLS
