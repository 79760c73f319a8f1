/* pgqrs-job.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pgqrs-error.h"
#include "pgqrs-deferral-private.h"
#include "pgqrs-job-private.h"

/**
 * PgqrsJob:
 *
 * The work a [class@Consumer] hands its handler: one leased message, or a
 * batch of them.
 *
 * A handler finishes a job in one of three ways:
 *
 * - it returns %TRUE (done) or %FALSE (failed);
 * - it calls [method@Job.complete] or [method@Job.fail] before returning;
 * - it calls [method@Job.defer], returns, and calls [method@Job.complete]
 *   or [method@Job.fail] later — from any thread, for instance when an
 *   async operation it started finishes.
 *
 * Completing archives the messages (or deletes them, see
 * [property@Consumer:delete-on-success]); failing gives them back to the
 * queue, after the delay of the consumer's [class@RetryPolicy].
 *
 * Since: 1.0
 */

struct _PgqrsJob
{
  GObject           parent_instance;

  PgqrsQueue       *queue;
  GPtrArray        *messages;
  PgqrsJobDoneFunc  done;
  gpointer          done_data;
  /* its result: NULL for success, or a GError */
  PgqrsDeferral     deferral;
  /* completed with its messages archived already: nothing to acknowledge */
  gboolean          archived;
};

G_DEFINE_FINAL_TYPE (PgqrsJob, pgqrs_job, G_TYPE_OBJECT)

static void
pgqrs_job_finalize (GObject *object)
{
  PgqrsJob *self = (PgqrsJob *)object;

  g_clear_object (&self->queue);
  g_clear_pointer (&self->messages, g_ptr_array_unref);
  _pgqrs_deferral_clear (&self->deferral);

  G_OBJECT_CLASS (pgqrs_job_parent_class)->finalize (object);
}

static void
pgqrs_job_class_init (PgqrsJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pgqrs_job_finalize;
}

static void
pgqrs_job_init (PgqrsJob *self)
{
  _pgqrs_deferral_init (&self->deferral, self, (GDestroyNotify)g_error_free);
}

/* In the consumer's context. */
static void
job_resolved (gpointer error,
              gpointer data)
{
  PgqrsJob *self = data;

  self->done (self, error, self->done_data);
}

PgqrsJob *
_pgqrs_job_new (PgqrsQueue       *queue,
                GPtrArray        *messages,
                GMainContext     *context,
                PgqrsJobDoneFunc  done,
                gpointer          user_data)
{
  PgqrsJob *self = g_object_new (PGQRS_TYPE_JOB, NULL);

  self->queue = g_object_ref (queue);
  self->messages = g_ptr_array_ref (messages);
  self->done = done;
  self->done_data = user_data;
  _pgqrs_deferral_on_resolved (&self->deferral, context, job_resolved, self);

  return self;
}

/* Takes @error.  The first completion wins; the consumer hears of it in its
 * own main context, whichever thread completed the job. */
static void
finish (PgqrsJob *self,
        GError   *error)
{
  if (!_pgqrs_deferral_resolve (&self->deferral, error))
    g_critical ("A pgqrs job was completed twice; the second completion is ignored");
}

void
_pgqrs_job_settle (PgqrsJob *self,
                   gboolean  handler_result)
{
  if (_pgqrs_deferral_is_deferred (&self->deferral) ||
      _pgqrs_deferral_is_resolved (&self->deferral))
    return;

  if (handler_result)
    finish (self, NULL);
  else
    finish (self, g_error_new_literal (PGQRS_ERROR, PGQRS_ERROR_FAILED,
                                       _("The handler reported a failure")));
}

void
_pgqrs_job_abandon (PgqrsJob *self)
{
  _pgqrs_deferral_forget (&self->deferral);
}

gboolean
_pgqrs_job_is_deferred (PgqrsJob *self)
{
  return _pgqrs_deferral_is_deferred (&self->deferral);
}

/* Set before the completion that publishes it to the consumer's context. */
void
_pgqrs_job_complete_archived (PgqrsJob *self)
{
  self->archived = TRUE;
  finish (self, NULL);
}

gboolean
_pgqrs_job_is_archived (PgqrsJob *self)
{
  return self->archived;
}

/**
 * pgqrs_job_get_queue:
 * @self: a #PgqrsJob
 *
 * Gets the queue the job's messages were leased from.
 *
 * Returns: (transfer none): the queue the messages came from
 *
 * Since: 1.0
 */
PgqrsQueue *
pgqrs_job_get_queue (PgqrsJob *self)
{
  g_return_val_if_fail (PGQRS_IS_JOB (self), NULL);
  return self->queue;
}

/**
 * pgqrs_job_get_messages:
 * @self: a #PgqrsJob
 *
 * Gets every message leased for the job, in lease order.
 *
 * Returns: (transfer none) (element-type PgqrsMessage): the job's leased
 *   messages, oldest first
 *
 * Since: 1.0
 */
GPtrArray *
pgqrs_job_get_messages (PgqrsJob *self)
{
  g_return_val_if_fail (PGQRS_IS_JOB (self), NULL);
  return self->messages;
}

/**
 * pgqrs_job_get_message:
 * @self: a #PgqrsJob
 *
 * Gets the job's message: its only one, or the first of a batch.
 *
 * Returns: (transfer none): the job's first (for a single-message job, its
 *   only) message
 *
 * Since: 1.0
 */
PgqrsMessage *
pgqrs_job_get_message (PgqrsJob *self)
{
  g_return_val_if_fail (PGQRS_IS_JOB (self), NULL);
  return g_ptr_array_index (self->messages, 0);
}

/**
 * pgqrs_job_get_payload:
 * @self: a #PgqrsJob
 *
 * Gets the payload of the job's (first) message.
 *
 * Returns: (transfer none): the payload of [method@Job.get_message]
 *
 * Since: 1.0
 */
JsonNode *
pgqrs_job_get_payload (PgqrsJob *self)
{
  g_return_val_if_fail (PGQRS_IS_JOB (self), NULL);
  return pgqrs_message_get_payload (pgqrs_job_get_message (self));
}

/**
 * pgqrs_job_get_payload_text:
 * @self: a #PgqrsJob
 *
 * Gets the payload of the job's (first) message as JSON text, for a
 * handler that reads it with its own JSON library; see
 * [method@Message.get_payload_text].
 *
 * Returns: the payload of [method@Job.get_message] as JSON text
 *
 * Since: 1.0
 */
const char *
pgqrs_job_get_payload_text (PgqrsJob *self)
{
  g_return_val_if_fail (PGQRS_IS_JOB (self), NULL);
  return pgqrs_message_get_payload_text (pgqrs_job_get_message (self));
}

/**
 * pgqrs_job_get_attempt:
 * @self: a #PgqrsJob
 *
 * Gets which delivery of the job's first message this is.
 *
 * Returns: which attempt this is for the first message, counting from 1
 *   (its read count)
 *
 * Since: 1.0
 */
guint
pgqrs_job_get_attempt (PgqrsJob *self)
{
  g_return_val_if_fail (PGQRS_IS_JOB (self), 0);
  return pgqrs_message_get_read_count (pgqrs_job_get_message (self));
}

/**
 * pgqrs_job_defer:
 * @self: a #PgqrsJob
 *
 * Tells the consumer that the handler will finish the job later with
 * [method@Job.complete] or [method@Job.fail]; the handler's return value is
 * then ignored. The consumer keeps the lease alive meanwhile.
 *
 * Since: 1.0
 */
void
pgqrs_job_defer (PgqrsJob *self)
{
  g_return_if_fail (PGQRS_IS_JOB (self));

  _pgqrs_deferral_defer (&self->deferral);
}

/**
 * pgqrs_job_complete:
 * @self: a #PgqrsJob
 *
 * Reports that the job succeeded. May be called from any thread, once.
 *
 * Since: 1.0
 */
void
pgqrs_job_complete (PgqrsJob *self)
{
  g_return_if_fail (PGQRS_IS_JOB (self));

  finish (self, NULL);
}

/**
 * pgqrs_job_fail:
 * @self: a #PgqrsJob
 * @reason: (nullable): what went wrong
 *
 * Reports that the job failed. May be called from any thread, once.
 *
 * Since: 1.0
 */
void
pgqrs_job_fail (PgqrsJob   *self,
                const char *reason)
{
  g_return_if_fail (PGQRS_IS_JOB (self));

  finish (self, g_error_new_literal (PGQRS_ERROR, PGQRS_ERROR_FAILED,
                                     reason ? reason : _("The handler reported a failure")));
}

/**
 * pgqrs_job_fail_with_error:
 * @self: a #PgqrsJob
 * @error: what went wrong
 *
 * Reports that the job failed with @error. May be called from any thread,
 * once.
 *
 * Since: 1.0
 */
void
pgqrs_job_fail_with_error (PgqrsJob     *self,
                           const GError *error)
{
  g_return_if_fail (PGQRS_IS_JOB (self));
  g_return_if_fail (error != NULL);

  finish (self, g_error_copy (error));
}

/**
 * pgqrs_job_is_done:
 * @self: a #PgqrsJob
 *
 * Tells whether the job has been completed or failed already.
 *
 * Returns: %TRUE once the job was completed or failed
 *
 * Since: 1.0
 */
gboolean
pgqrs_job_is_done (PgqrsJob *self)
{
  g_return_val_if_fail (PGQRS_IS_JOB (self), FALSE);

  return _pgqrs_deferral_is_resolved (&self->deferral);
}
