/* pgqrs-store.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#if !defined(PGQRS_INSIDE) && !defined(PGQRS_COMPILATION)
# error "Only <pgqrs.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pgqrs-config.h"
#include "pgqrs-queue-metrics.h"
#include "pgqrs-message.h"
#include "pgqrs-worker-stats.h"
#include "pgqrs-version-macros.h"

G_BEGIN_DECLS

/* The objects a store hands out.  Their headers name the store the same
 * way, so neither header needs the other. */
typedef struct _PgqrsQueue    PgqrsQueue;
typedef struct _PgqrsWorker   PgqrsWorker;
typedef struct _PgqrsWorkflow PgqrsWorkflow;

#define PGQRS_TYPE_STORE (pgqrs_store_get_type ())

PGQRS_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (PgqrsStore, pgqrs_store, PGQRS, STORE, GObject)

PGQRS_AVAILABLE_IN_1_0
PgqrsStore        *pgqrs_store_new                (const char           *dsn,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_store_new_async          (const char           *dsn,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
PgqrsStore        *pgqrs_store_new_for_config     (PgqrsConfig          *config,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_store_new_for_config_async (PgqrsConfig        *config,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
PgqrsStore        *pgqrs_store_new_finish         (GAsyncResult         *result,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
PgqrsConfig       *pgqrs_store_get_config         (PgqrsStore           *self);

PGQRS_AVAILABLE_IN_1_0
gboolean           pgqrs_store_install            (PgqrsStore           *self,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_store_install_async      (PgqrsStore           *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
gboolean           pgqrs_store_install_finish     (PgqrsStore           *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

PGQRS_AVAILABLE_IN_1_0
gboolean           pgqrs_store_verify             (PgqrsStore           *self,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_store_verify_async       (PgqrsStore           *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
gboolean           pgqrs_store_verify_finish      (PgqrsStore           *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

PGQRS_AVAILABLE_IN_1_0
PgqrsQueue        *pgqrs_store_create_queue       (PgqrsStore           *self,
                                                   const char           *name,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_store_create_queue_async (PgqrsStore           *self,
                                                   const char           *name,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
PgqrsQueue        *pgqrs_store_create_queue_finish (PgqrsStore          *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

PGQRS_AVAILABLE_IN_1_0
PgqrsQueue        *pgqrs_store_get_queue          (PgqrsStore           *self,
                                                   const char           *name,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_store_get_queue_async    (PgqrsStore           *self,
                                                   const char           *name,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
PgqrsQueue        *pgqrs_store_get_queue_finish   (PgqrsStore           *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

PGQRS_AVAILABLE_IN_1_0
GPtrArray         *pgqrs_store_list_queues        (PgqrsStore           *self,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_store_list_queues_async  (PgqrsStore           *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
GPtrArray         *pgqrs_store_list_queues_finish (PgqrsStore           *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

PGQRS_AVAILABLE_IN_1_0
gboolean           pgqrs_store_delete_queue       (PgqrsStore           *self,
                                                   const char           *name,
                                                   gboolean              cascade,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_store_delete_queue_async (PgqrsStore           *self,
                                                   const char           *name,
                                                   gboolean              cascade,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
gboolean           pgqrs_store_delete_queue_finish (PgqrsStore          *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

PGQRS_AVAILABLE_IN_1_0
gint64             pgqrs_store_purge_queue        (PgqrsStore           *self,
                                                   const char           *name,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_store_purge_queue_async  (PgqrsStore           *self,
                                                   const char           *name,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
gint64             pgqrs_store_purge_queue_finish (PgqrsStore           *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

PGQRS_AVAILABLE_IN_1_0
PgqrsQueueMetrics *pgqrs_store_get_metrics        (PgqrsStore           *self,
                                                   const char           *queue_name,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_store_get_metrics_async  (PgqrsStore           *self,
                                                   const char           *queue_name,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
PgqrsQueueMetrics *pgqrs_store_get_metrics_finish (PgqrsStore           *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

PGQRS_AVAILABLE_IN_1_0
GPtrArray         *pgqrs_store_list_metrics       (PgqrsStore           *self,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_store_list_metrics_async (PgqrsStore           *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
GPtrArray         *pgqrs_store_list_metrics_finish (PgqrsStore          *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

PGQRS_AVAILABLE_IN_1_0
GPtrArray         *pgqrs_store_list_archived      (PgqrsStore           *self,
                                                   const char           *queue_name,
                                                   gboolean              dead_letters_only,
                                                   guint                 limit,
                                                   guint                 offset,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_store_list_archived_async (PgqrsStore          *self,
                                                   const char           *queue_name,
                                                   gboolean              dead_letters_only,
                                                   guint                 limit,
                                                   guint                 offset,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
GPtrArray         *pgqrs_store_list_archived_finish (PgqrsStore         *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

PGQRS_AVAILABLE_IN_1_0
gboolean           pgqrs_store_replay             (PgqrsStore           *self,
                                                   gint64                message_id,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_store_replay_async       (PgqrsStore           *self,
                                                   gint64                message_id,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
gboolean           pgqrs_store_replay_finish      (PgqrsStore           *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

PGQRS_AVAILABLE_IN_1_0
PgqrsWorker       *pgqrs_store_register_worker    (PgqrsStore           *self,
                                                   const char           *name,
                                                   const char           *queue_name,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_store_register_worker_async (PgqrsStore        *self,
                                                   const char           *name,
                                                   const char           *queue_name,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
PgqrsWorker       *pgqrs_store_register_worker_finish (PgqrsStore       *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

PGQRS_AVAILABLE_IN_1_0
GPtrArray         *pgqrs_store_list_workers       (PgqrsStore           *self,
                                                   const char           *queue_name,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_store_list_workers_async (PgqrsStore           *self,
                                                   const char           *queue_name,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
GPtrArray         *pgqrs_store_list_workers_finish (PgqrsStore          *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

PGQRS_AVAILABLE_IN_1_0
PgqrsWorkerStats  *pgqrs_store_get_worker_stats   (PgqrsStore           *self,
                                                   const char           *queue_name,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_store_get_worker_stats_async (PgqrsStore       *self,
                                                   const char           *queue_name,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
PgqrsWorkerStats  *pgqrs_store_get_worker_stats_finish (PgqrsStore      *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
GPtrArray         *pgqrs_store_list_worker_stats  (PgqrsStore           *self,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_store_list_worker_stats_async (PgqrsStore      *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
GPtrArray         *pgqrs_store_list_worker_stats_finish (PgqrsStore     *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

PGQRS_AVAILABLE_IN_1_0
gint64             pgqrs_store_reclaim_workers    (PgqrsStore           *self,
                                                   double                older_than_seconds,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_store_reclaim_workers_async (PgqrsStore        *self,
                                                   double                older_than_seconds,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
gint64             pgqrs_store_reclaim_workers_finish (PgqrsStore       *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

PGQRS_AVAILABLE_IN_1_0
gboolean           pgqrs_store_define_workflow    (PgqrsStore           *self,
                                                   const char           *name,
                                                   const char           *queue_name,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_store_define_workflow_async (PgqrsStore        *self,
                                                   const char           *name,
                                                   const char           *queue_name,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
gboolean           pgqrs_store_define_workflow_finish (PgqrsStore       *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

PGQRS_AVAILABLE_IN_1_0
PgqrsWorkflow     *pgqrs_store_create_workflow    (PgqrsStore           *self,
                                                   const char           *name,
                                                   JsonNode             *input,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_store_create_workflow_async (PgqrsStore        *self,
                                                   const char           *name,
                                                   JsonNode             *input,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
PgqrsWorkflow     *pgqrs_store_create_workflow_finish (PgqrsStore       *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

PGQRS_AVAILABLE_IN_1_0
PgqrsWorkflow     *pgqrs_store_trigger_workflow   (PgqrsStore           *self,
                                                   const char           *name,
                                                   JsonNode             *input,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_store_trigger_workflow_async (PgqrsStore       *self,
                                                   const char           *name,
                                                   JsonNode             *input,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
PgqrsWorkflow     *pgqrs_store_trigger_workflow_finish (PgqrsStore      *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

PGQRS_AVAILABLE_IN_1_0
PgqrsWorkflow     *pgqrs_store_get_workflow_run   (PgqrsStore           *self,
                                                   gint64                run_id,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
PGQRS_AVAILABLE_IN_1_0
void               pgqrs_store_get_workflow_run_async (PgqrsStore       *self,
                                                   gint64                run_id,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
PGQRS_AVAILABLE_IN_1_0
PgqrsWorkflow     *pgqrs_store_get_workflow_run_finish (PgqrsStore      *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

G_END_DECLS
