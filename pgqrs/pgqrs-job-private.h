/* pgqrs-job-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-job.h"

G_BEGIN_DECLS

/* Called once, in @context, when the job is completed or failed; @error is
 * NULL on success. */
typedef void (*PgqrsJobDoneFunc) (PgqrsJob     *job,
                                  const GError *error,
                                  gpointer      user_data);

PgqrsJob *_pgqrs_job_new      (PgqrsQueue       *queue,
                               GPtrArray        *messages,
                               GMainContext     *context,
                               PgqrsJobDoneFunc  done,
                               gpointer          user_data);
/* Ends the job from the consumer's side (the handler returned without
 * deferring); a job the handler completed itself is left alone. */
void      _pgqrs_job_settle   (PgqrsJob         *self,
                               gboolean          handler_result);
/* Forgets the consumer: a later complete/fail does nothing. */
void      _pgqrs_job_abandon  (PgqrsJob         *self);
gboolean  _pgqrs_job_is_deferred (PgqrsJob      *self);
/* Completes the job whose messages were archived already, in the same
 * transaction as the work (a workflow run's completion): the consumer
 * counts it done and sends no acknowledgement. */
void      _pgqrs_job_complete_archived (PgqrsJob *self);
gboolean  _pgqrs_job_is_archived (PgqrsJob      *self);

G_END_DECLS
