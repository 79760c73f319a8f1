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

/* The lease on the run's trigger message under which it is executed: every
 * run transition and step operation then applies only while that lease is
 * the message's current one (issue 14).  A consumer sets it before it
 * starts the run. */
void           _pgqrs_workflow_set_fence (PgqrsWorkflow     *self,
                                          gint64             message_id,
                                          gint64             lease_count);
/* Starts the run that a consumer's trigger message names, fenced by the
 * lease it holds on that message, in one request (the transition answers
 * with the whole run, so it need not be read first): the run, RUNNING;
 * or NOT_FOUND, SUPERSEDED, CANCELLED (the run is now final), PAUSED
 * before its resume time, INVALID_STATE for a finished run. */
PgqrsWorkflow *_pgqrs_workflow_start_triggered (PgqrsStore  *store,
                                                gint64       run_id,
                                                gint64       message_id,
                                                gint64       lease_count,
                                                GError     **error);
/* Completes a run started by _pgqrs_workflow_start_triggered() and
 * archives its trigger message in the same transaction: one write where a
 * completion and the consumer's acknowledgement took two.  *archived tells
 * whether the trigger was archived; when it was not (the backend left the
 * completion to its locking transaction), the caller settles it as before.
 * Fails as pgqrs_workflow_complete() does, archiving nothing. */
gboolean       _pgqrs_workflow_complete_triggered (PgqrsWorkflow  *self,
                                                   JsonNode       *output,
                                                   gboolean       *archived,
                                                   GError        **error);
/* Whether an operation of this object failed with SUPERSEDED: the fence's
 * lease was taken over, and the executor must let the run be. */
gboolean       _pgqrs_workflow_is_superseded (PgqrsWorkflow *self);

/* Every request of the run and its steps goes through these: they carry
 * the fence, and a SUPERSEDED answer is remembered. */
PgqrsReply    *_pgqrs_workflow_execute   (PgqrsWorkflow     *self,
                                          PgqrsRequest      *request,
                                          GCancellable      *cancellable,
                                          GError           **error);
void           _pgqrs_workflow_execute_async (PgqrsWorkflow       *self,
                                              gpointer             source_object,
                                              PgqrsRequest        *request,
                                              gpointer             source_tag,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
PgqrsReply    *_pgqrs_workflow_execute_finish (PgqrsWorkflow     *self,
                                               gpointer           source_object,
                                               GAsyncResult      *result,
                                               gpointer           source_tag,
                                               GError           **error);

/* A deferred workflow function (pgqrs_workflow_defer()) ends with
 * pgqrs_workflow_resolve(): see pgqrs-deferral-private.h. */
gboolean       _pgqrs_workflow_is_deferred (PgqrsWorkflow     *self);
gpointer       _pgqrs_workflow_forget_resolved (PgqrsWorkflow *self);
void           _pgqrs_workflow_on_resolved (PgqrsWorkflow     *self,
                                            PgqrsResolvedFunc  func,
                                            gpointer           data);

G_END_DECLS
