/* pgqrs-workflow-runner-private.h — runs workflow functions for a consumer
 *
 * A consumer in workflow mode hands each trigger (a PgqrsJob it has
 * deferred) to its runner, which starts the run, calls the workflow
 * function on a pool thread of its own (or in a given main context), waits
 * for its output, however late a deferred run resolves, and settles the
 * run and the job.
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-job.h"
#include "pgqrs-store.h"
#include "pgqrs-workflow.h"

G_BEGIN_DECLS

typedef struct _PgqrsWorkflowRunner PgqrsWorkflowRunner;

PgqrsWorkflowRunner *_pgqrs_workflow_runner_new  (PgqrsStore          *store,
                                                  PgqrsWorkflowFunc    func,
                                                  gpointer             user_data,
                                                  GDestroyNotify       destroy,
                                                  guint                max_threads);
/* Abandons the calls in flight, waits for the pool threads, then frees
 * the function's data. */
void     _pgqrs_workflow_runner_free            (PgqrsWorkflowRunner *self);
void     _pgqrs_workflow_runner_set_max_threads (PgqrsWorkflowRunner *self,
                                                 guint                max_threads);
/* Runs the workflow of @job's trigger; the job must be deferred already.
 * Triggers pushed while every pool thread is busy wait, in order, for the
 * next thread to come free (_take_back() takes them back).  The function
 * is called in @context, or on the pool thread if NULL.
 * With @archive_on_success, a run that completes archives its trigger in
 * the same transaction and completes the job as archived (a consumer that
 * deletes what it handled passes FALSE and settles the trigger itself). */
void     _pgqrs_workflow_runner_push            (PgqrsWorkflowRunner *self,
                                                 PgqrsJob            *job,
                                                 GMainContext        *context,
                                                 gboolean             archive_on_success);
/* Stops waiting for the functions in flight (the stop deadline): their
 * threads go free, their runs stay RUNNING and their triggers are left to
 * the consumer, which releases them. */
void     _pgqrs_workflow_runner_abandon         (PgqrsWorkflowRunner *self);
/* The jobs of the triggers pushed and not yet started, in order, which
 * will not be: the consumer hands them back to the queue. */
GPtrArray *_pgqrs_workflow_runner_take_back     (PgqrsWorkflowRunner *self);
/* Whether the last run took little enough (a second at most) that the next
 * trigger is worth handing over while it runs, to wait on deck. */
gboolean _pgqrs_workflow_runner_keeps_up        (PgqrsWorkflowRunner *self);
/* Whether @job waits for a thread. */
gboolean _pgqrs_workflow_runner_is_waiting      (PgqrsWorkflowRunner *self,
                                                 PgqrsJob            *job);
/* How many triggers wait for a thread: for the tests. */
guint    _pgqrs_workflow_runner_get_n_waiting   (PgqrsWorkflowRunner *self);

G_END_DECLS
