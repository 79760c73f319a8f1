/* pgqrs-worker.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#if !defined(PGQRS_INSIDE) && !defined(PGQRS_COMPILATION)
# error "Only <pgqrs.h> can be included directly."
#endif

#include <gio/gio.h>

#include "pgqrs-types.h"
#include "pgqrs-version-macros.h"

G_BEGIN_DECLS

#define PGQRS_TYPE_WORKER (pgqrs_worker_get_type ())

PGQRS_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (PgqrsWorker, pgqrs_worker, PGQRS, WORKER, GObject)

typedef struct _PgqrsStore PgqrsStore;

PGQRS_AVAILABLE_IN_1_0
PgqrsStore        *pgqrs_worker_get_store           (PgqrsWorker        *self);
PGQRS_AVAILABLE_IN_1_0
gint64             pgqrs_worker_get_id              (PgqrsWorker        *self);
PGQRS_AVAILABLE_IN_1_0
const char        *pgqrs_worker_get_name            (PgqrsWorker        *self);
PGQRS_AVAILABLE_IN_1_0
gint64             pgqrs_worker_get_queue_id        (PgqrsWorker        *self);
PGQRS_AVAILABLE_IN_1_0
PgqrsWorkerStatus  pgqrs_worker_get_status          (PgqrsWorker        *self);
PGQRS_AVAILABLE_IN_1_0
GDateTime         *pgqrs_worker_get_started_at      (PgqrsWorker        *self);
PGQRS_AVAILABLE_IN_1_0
GDateTime         *pgqrs_worker_get_heartbeat_at    (PgqrsWorker        *self);
PGQRS_AVAILABLE_IN_1_0
GDateTime         *pgqrs_worker_get_shutdown_at     (PgqrsWorker        *self);
PGQRS_AVAILABLE_IN_1_0
double             pgqrs_worker_get_heartbeat_age   (PgqrsWorker        *self);

PGQRS_AVAILABLE_IN_1_0
gboolean           pgqrs_worker_refresh             (PgqrsWorker        *self,
                                                     GCancellable       *cancellable,
                                                     GError            **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_worker_refresh_async       (PgqrsWorker        *self,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
PGQRS_AVAILABLE_IN_1_0
gboolean           pgqrs_worker_refresh_finish      (PgqrsWorker        *self,
                                                     GAsyncResult       *result,
                                                     GError            **error);

PGQRS_AVAILABLE_IN_1_0
gboolean           pgqrs_worker_heartbeat           (PgqrsWorker        *self,
                                                     GCancellable       *cancellable,
                                                     GError            **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_worker_heartbeat_async     (PgqrsWorker        *self,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
PGQRS_AVAILABLE_IN_1_0
gboolean           pgqrs_worker_heartbeat_finish    (PgqrsWorker        *self,
                                                     GAsyncResult       *result,
                                                     GError            **error);

PGQRS_AVAILABLE_IN_1_0
gboolean           pgqrs_worker_transition          (PgqrsWorker        *self,
                                                     PgqrsWorkerStatus   to,
                                                     GCancellable       *cancellable,
                                                     GError            **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_worker_transition_async    (PgqrsWorker        *self,
                                                     PgqrsWorkerStatus   to,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
PGQRS_AVAILABLE_IN_1_0
gboolean           pgqrs_worker_transition_finish   (PgqrsWorker        *self,
                                                     GAsyncResult       *result,
                                                     GError            **error);

PGQRS_AVAILABLE_IN_1_0
gboolean           pgqrs_worker_is_healthy          (PgqrsWorker        *self,
                                                     double              max_age_seconds);


G_END_DECLS
