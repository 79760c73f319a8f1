/* pgqrs-step.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#if !defined(PGQRS_INSIDE) && !defined(PGQRS_COMPILATION)
# error "Only <pgqrs.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pgqrs-version-macros.h"
#include "pgqrs-types.h"

G_BEGIN_DECLS

#define PGQRS_TYPE_STEP (pgqrs_step_get_type ())

PGQRS_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (PgqrsStep, pgqrs_step, PGQRS, STEP, GObject)

typedef struct _PgqrsWorkflow PgqrsWorkflow;

PGQRS_AVAILABLE_IN_1_0
PgqrsWorkflow   *pgqrs_step_get_workflow    (PgqrsStep           *self);
PGQRS_AVAILABLE_IN_1_0
gint64           pgqrs_step_get_id          (PgqrsStep           *self);
PGQRS_AVAILABLE_IN_1_0
const char      *pgqrs_step_get_name        (PgqrsStep           *self);
PGQRS_AVAILABLE_IN_1_0
PgqrsStepStatus  pgqrs_step_get_status      (PgqrsStep           *self);
PGQRS_AVAILABLE_IN_1_0
gboolean         pgqrs_step_is_cached       (PgqrsStep           *self);
PGQRS_AVAILABLE_IN_1_0
JsonNode        *pgqrs_step_get_output      (PgqrsStep           *self);
PGQRS_AVAILABLE_IN_1_0
JsonNode        *pgqrs_step_get_error       (PgqrsStep           *self);
PGQRS_AVAILABLE_IN_1_0
guint            pgqrs_step_get_retry_count (PgqrsStep           *self);
PGQRS_AVAILABLE_IN_1_0
GDateTime       *pgqrs_step_get_retry_at    (PgqrsStep           *self);

PGQRS_AVAILABLE_IN_1_0
void             pgqrs_step_set_error       (PgqrsStep           *self,
                                             const char          *message,
                                             gboolean             transient);

PGQRS_AVAILABLE_IN_1_0
void             pgqrs_step_defer           (PgqrsStep           *self);
PGQRS_AVAILABLE_IN_1_0
void             pgqrs_step_resolve         (PgqrsStep           *self,
                                             JsonNode            *output);

PGQRS_AVAILABLE_IN_1_0
gboolean         pgqrs_step_complete        (PgqrsStep           *self,
                                             JsonNode            *output,
                                             GCancellable        *cancellable,
                                             GError             **error);
PGQRS_AVAILABLE_IN_1_0
void             pgqrs_step_complete_async  (PgqrsStep           *self,
                                             JsonNode            *output,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
PGQRS_AVAILABLE_IN_1_0
gboolean         pgqrs_step_complete_finish (PgqrsStep           *self,
                                             GAsyncResult        *result,
                                             GError             **error);

PGQRS_AVAILABLE_IN_1_0
gboolean         pgqrs_step_fail            (PgqrsStep           *self,
                                             const char          *message,
                                             gboolean             transient,
                                             GCancellable        *cancellable,
                                             GError             **error);
PGQRS_AVAILABLE_IN_1_0
void             pgqrs_step_fail_async      (PgqrsStep           *self,
                                             const char          *message,
                                             gboolean             transient,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
PGQRS_AVAILABLE_IN_1_0
gboolean         pgqrs_step_fail_finish     (PgqrsStep           *self,
                                             GAsyncResult        *result,
                                             GError             **error);

G_END_DECLS
