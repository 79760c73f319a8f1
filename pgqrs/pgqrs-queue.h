/* pgqrs-queue.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#if !defined(PGQRS_INSIDE) && !defined(PGQRS_COMPILATION)
# error "Only <pgqrs.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pgqrs-message.h"
#include "pgqrs-queue-metrics.h"
#include "pgqrs-version-macros.h"

G_BEGIN_DECLS

#define PGQRS_TYPE_QUEUE (pgqrs_queue_get_type ())

PGQRS_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (PgqrsQueue, pgqrs_queue, PGQRS, QUEUE, GObject)

typedef struct _PgqrsStore PgqrsStore;

PGQRS_AVAILABLE_IN_1_0
PgqrsStore *pgqrs_queue_get_store     (PgqrsQueue *self);
PGQRS_AVAILABLE_IN_1_0
const char *pgqrs_queue_get_name      (PgqrsQueue *self);
PGQRS_AVAILABLE_IN_1_0
gint64      pgqrs_queue_get_id        (PgqrsQueue *self);
PGQRS_AVAILABLE_IN_1_0
GDateTime  *pgqrs_queue_get_created_at (PgqrsQueue *self);

/* enqueue */
PGQRS_AVAILABLE_IN_1_0
gint64      pgqrs_queue_enqueue                (PgqrsQueue           *self,
                                                JsonNode             *payload,
                                                GCancellable         *cancellable,
                                                GError              **error);
PGQRS_AVAILABLE_IN_1_0
void        pgqrs_queue_enqueue_async          (PgqrsQueue           *self,
                                                JsonNode             *payload,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
gint64      pgqrs_queue_enqueue_finish         (PgqrsQueue           *self,
                                                GAsyncResult         *result,
                                                GError              **error);

PGQRS_AVAILABLE_IN_1_0
gint64      pgqrs_queue_enqueue_delayed        (PgqrsQueue           *self,
                                                JsonNode             *payload,
                                                double                delay_seconds,
                                                GCancellable         *cancellable,
                                                GError              **error);
PGQRS_AVAILABLE_IN_1_0
void        pgqrs_queue_enqueue_delayed_async  (PgqrsQueue           *self,
                                                JsonNode             *payload,
                                                double                delay_seconds,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
gint64      pgqrs_queue_enqueue_delayed_finish (PgqrsQueue           *self,
                                                GAsyncResult         *result,
                                                GError              **error);

PGQRS_AVAILABLE_IN_1_0
GArray     *pgqrs_queue_enqueue_batch          (PgqrsQueue           *self,
                                                GPtrArray            *payloads,
                                                double                delay_seconds,
                                                GCancellable         *cancellable,
                                                GError              **error);
PGQRS_AVAILABLE_IN_1_0
void        pgqrs_queue_enqueue_batch_async    (PgqrsQueue           *self,
                                                GPtrArray            *payloads,
                                                double                delay_seconds,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
GArray     *pgqrs_queue_enqueue_batch_finish   (PgqrsQueue           *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* dequeue */
PGQRS_AVAILABLE_IN_1_0
GPtrArray  *pgqrs_queue_dequeue                (PgqrsQueue           *self,
                                                guint                 max_messages,
                                                double                visibility_timeout,
                                                GCancellable         *cancellable,
                                                GError              **error);
PGQRS_AVAILABLE_IN_1_0
void        pgqrs_queue_dequeue_async          (PgqrsQueue           *self,
                                                guint                 max_messages,
                                                double                visibility_timeout,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
GPtrArray  *pgqrs_queue_dequeue_finish         (PgqrsQueue           *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* archive */
PGQRS_AVAILABLE_IN_1_0
gboolean    pgqrs_queue_archive                (PgqrsQueue           *self,
                                                PgqrsMessage         *message,
                                                GCancellable         *cancellable,
                                                GError              **error);
PGQRS_AVAILABLE_IN_1_0
void        pgqrs_queue_archive_async          (PgqrsQueue           *self,
                                                PgqrsMessage         *message,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
gboolean    pgqrs_queue_archive_finish         (PgqrsQueue           *self,
                                                GAsyncResult         *result,
                                                GError              **error);
PGQRS_AVAILABLE_IN_1_0
GArray     *pgqrs_queue_archive_batch          (PgqrsQueue           *self,
                                                GPtrArray            *messages,
                                                GCancellable         *cancellable,
                                                GError              **error);
PGQRS_AVAILABLE_IN_1_0
void        pgqrs_queue_archive_batch_async    (PgqrsQueue           *self,
                                                GPtrArray            *messages,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
GArray     *pgqrs_queue_archive_batch_finish   (PgqrsQueue           *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* delete */
PGQRS_AVAILABLE_IN_1_0
gboolean    pgqrs_queue_delete_message         (PgqrsQueue           *self,
                                                PgqrsMessage         *message,
                                                GCancellable         *cancellable,
                                                GError              **error);
PGQRS_AVAILABLE_IN_1_0
void        pgqrs_queue_delete_message_async   (PgqrsQueue           *self,
                                                PgqrsMessage         *message,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
gboolean    pgqrs_queue_delete_message_finish  (PgqrsQueue           *self,
                                                GAsyncResult         *result,
                                                GError              **error);
PGQRS_AVAILABLE_IN_1_0
GArray     *pgqrs_queue_delete_batch           (PgqrsQueue           *self,
                                                GPtrArray            *messages,
                                                GCancellable         *cancellable,
                                                GError              **error);
PGQRS_AVAILABLE_IN_1_0
void        pgqrs_queue_delete_batch_async     (PgqrsQueue           *self,
                                                GPtrArray            *messages,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
GArray     *pgqrs_queue_delete_batch_finish    (PgqrsQueue           *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* release */
PGQRS_AVAILABLE_IN_1_0
gboolean    pgqrs_queue_release                (PgqrsQueue           *self,
                                                PgqrsMessage         *message,
                                                double                delay_seconds,
                                                GCancellable         *cancellable,
                                                GError              **error);
PGQRS_AVAILABLE_IN_1_0
void        pgqrs_queue_release_async          (PgqrsQueue           *self,
                                                PgqrsMessage         *message,
                                                double                delay_seconds,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
gboolean    pgqrs_queue_release_finish         (PgqrsQueue           *self,
                                                GAsyncResult         *result,
                                                GError              **error);
PGQRS_AVAILABLE_IN_1_0
GArray     *pgqrs_queue_release_batch          (PgqrsQueue           *self,
                                                GPtrArray            *messages,
                                                double                delay_seconds,
                                                GCancellable         *cancellable,
                                                GError              **error);
PGQRS_AVAILABLE_IN_1_0
void        pgqrs_queue_release_batch_async    (PgqrsQueue           *self,
                                                GPtrArray            *messages,
                                                double                delay_seconds,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
GArray     *pgqrs_queue_release_batch_finish   (PgqrsQueue           *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* extend visibility */
PGQRS_AVAILABLE_IN_1_0
gboolean    pgqrs_queue_extend_visibility      (PgqrsQueue           *self,
                                                PgqrsMessage         *message,
                                                double                seconds,
                                                GCancellable         *cancellable,
                                                GError              **error);
PGQRS_AVAILABLE_IN_1_0
void        pgqrs_queue_extend_visibility_async (PgqrsQueue          *self,
                                                PgqrsMessage         *message,
                                                double                seconds,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
gboolean    pgqrs_queue_extend_visibility_finish (PgqrsQueue         *self,
                                                GAsyncResult         *result,
                                                GError              **error);
PGQRS_AVAILABLE_IN_1_0
GArray     *pgqrs_queue_extend_visibility_batch (PgqrsQueue          *self,
                                                GPtrArray            *messages,
                                                double                seconds,
                                                GCancellable         *cancellable,
                                                GError              **error);
PGQRS_AVAILABLE_IN_1_0
void        pgqrs_queue_extend_visibility_batch_async (PgqrsQueue    *self,
                                                GPtrArray            *messages,
                                                double                seconds,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
GArray     *pgqrs_queue_extend_visibility_batch_finish (PgqrsQueue   *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* enqueue JSON text */
PGQRS_AVAILABLE_IN_ALL
gint64      pgqrs_queue_enqueue_text           (PgqrsQueue           *self,
                                                const char           *payload,
                                                GCancellable         *cancellable,
                                                GError              **error);
PGQRS_AVAILABLE_IN_ALL
void        pgqrs_queue_enqueue_text_async     (PgqrsQueue           *self,
                                                const char           *payload,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
PGQRS_AVAILABLE_IN_ALL
gint64      pgqrs_queue_enqueue_text_finish    (PgqrsQueue           *self,
                                                GAsyncResult         *result,
                                                GError              **error);
PGQRS_AVAILABLE_IN_ALL
GArray     *pgqrs_queue_enqueue_batch_text     (PgqrsQueue           *self,
                                                const char * const   *payloads,
                                                double                delay_seconds,
                                                GCancellable         *cancellable,
                                                GError              **error);
PGQRS_AVAILABLE_IN_ALL
void        pgqrs_queue_enqueue_batch_text_async (PgqrsQueue         *self,
                                                const char * const   *payloads,
                                                double                delay_seconds,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
PGQRS_AVAILABLE_IN_ALL
GArray     *pgqrs_queue_enqueue_batch_text_finish (PgqrsQueue        *self,
                                                GAsyncResult         *result,
                                                GError              **error);

G_END_DECLS
