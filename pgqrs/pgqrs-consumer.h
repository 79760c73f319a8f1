/* pgqrs-consumer.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#if !defined(PGQRS_INSIDE) && !defined(PGQRS_COMPILATION)
# error "Only <pgqrs.h> can be included directly."
#endif

#include <gio/gio.h>

#include "pgqrs-job.h"
#include "pgqrs-queue.h"
#include "pgqrs-retry-policy.h"
#include "pgqrs-version-macros.h"
#include "pgqrs-worker.h"
#include "pgqrs-workflow.h"

G_BEGIN_DECLS

/**
 * PgqrsConsumerHandler:
 * @job: the work: one message, or a batch
 * @user_data: the data given with the handler
 *
 * Handles one job of a [class@Consumer]. Return %TRUE when the work is
 * done, %FALSE when it failed; or call [method@Job.defer] and finish the job
 * later with [method@Job.complete] or [method@Job.fail].
 *
 * Returns: %TRUE on success, %FALSE on failure (ignored for a deferred or
 *   already finished job)
 *
 * Since: 1.0
 */
typedef gboolean (*PgqrsConsumerHandler) (PgqrsJob *job,
                                          gpointer  user_data);

#define PGQRS_TYPE_CONSUMER (pgqrs_consumer_get_type ())

PGQRS_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (PgqrsConsumer, pgqrs_consumer, PGQRS, CONSUMER, GObject)

PGQRS_AVAILABLE_IN_1_0
PgqrsConsumer    *pgqrs_consumer_new                (PgqrsQueue            *queue,
                                                     const char            *worker_name);
PGQRS_AVAILABLE_IN_1_0
void              pgqrs_consumer_set_handler        (PgqrsConsumer         *self,
                                                     PgqrsConsumerHandler   handler,
                                                     gpointer               user_data,
                                                     GDestroyNotify         destroy);
PGQRS_AVAILABLE_IN_1_0
void              pgqrs_consumer_set_workflow       (PgqrsConsumer         *self,
                                                     PgqrsWorkflowFunc      func,
                                                     gpointer               user_data,
                                                     GDestroyNotify         destroy);
PGQRS_AVAILABLE_IN_1_0
PgqrsQueue       *pgqrs_consumer_get_queue          (PgqrsConsumer         *self);
PGQRS_AVAILABLE_IN_1_0
PgqrsWorker      *pgqrs_consumer_get_worker         (PgqrsConsumer         *self);
PGQRS_AVAILABLE_IN_1_0
gboolean          pgqrs_consumer_is_running         (PgqrsConsumer         *self);
PGQRS_AVAILABLE_IN_1_0
guint64           pgqrs_consumer_get_processed_count (PgqrsConsumer        *self);
PGQRS_AVAILABLE_IN_1_0
guint64           pgqrs_consumer_get_failed_count   (PgqrsConsumer         *self);

PGQRS_AVAILABLE_IN_1_0
gboolean          pgqrs_consumer_run                (PgqrsConsumer         *self,
                                                     GCancellable          *cancellable,
                                                     GError               **error);
PGQRS_AVAILABLE_IN_1_0
void              pgqrs_consumer_run_async          (PgqrsConsumer         *self,
                                                     GCancellable          *cancellable,
                                                     GAsyncReadyCallback    callback,
                                                     gpointer               user_data);
PGQRS_AVAILABLE_IN_1_0
gboolean          pgqrs_consumer_run_finish         (PgqrsConsumer         *self,
                                                     GAsyncResult          *result,
                                                     GError               **error);

PGQRS_AVAILABLE_IN_1_0
void              pgqrs_consumer_stop               (PgqrsConsumer         *self);
PGQRS_AVAILABLE_IN_1_0
gboolean          pgqrs_consumer_interrupt          (PgqrsConsumer         *self,
                                                     GError               **error);
PGQRS_AVAILABLE_IN_1_0
gboolean          pgqrs_consumer_suspend            (PgqrsConsumer         *self,
                                                     GError               **error);
PGQRS_AVAILABLE_IN_1_0
gboolean          pgqrs_consumer_resume             (PgqrsConsumer         *self,
                                                     GError               **error);

G_END_DECLS
