/* pgqrs-job.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#if !defined(PGQRS_INSIDE) && !defined(PGQRS_COMPILATION)
# error "Only <pgqrs.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

#include "pgqrs-message.h"
#include "pgqrs-queue.h"
#include "pgqrs-version-macros.h"

G_BEGIN_DECLS

#define PGQRS_TYPE_JOB (pgqrs_job_get_type ())

PGQRS_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (PgqrsJob, pgqrs_job, PGQRS, JOB, GObject)

PGQRS_AVAILABLE_IN_1_0
PgqrsQueue   *pgqrs_job_get_queue       (PgqrsJob     *self);
PGQRS_AVAILABLE_IN_1_0
GPtrArray    *pgqrs_job_get_messages    (PgqrsJob     *self);
PGQRS_AVAILABLE_IN_1_0
PgqrsMessage *pgqrs_job_get_message     (PgqrsJob     *self);
PGQRS_AVAILABLE_IN_1_0
JsonNode     *pgqrs_job_get_payload     (PgqrsJob     *self);
PGQRS_AVAILABLE_IN_ALL
const char   *pgqrs_job_get_payload_text (PgqrsJob    *self);
PGQRS_AVAILABLE_IN_1_0
guint         pgqrs_job_get_attempt     (PgqrsJob     *self);
PGQRS_AVAILABLE_IN_1_0
void          pgqrs_job_defer           (PgqrsJob     *self);
PGQRS_AVAILABLE_IN_1_0
void          pgqrs_job_complete        (PgqrsJob     *self);
PGQRS_AVAILABLE_IN_1_0
void          pgqrs_job_fail            (PgqrsJob     *self,
                                         const char   *reason);
PGQRS_AVAILABLE_IN_1_0
void          pgqrs_job_fail_with_error (PgqrsJob     *self,
                                         const GError *error);
PGQRS_AVAILABLE_IN_1_0
gboolean      pgqrs_job_is_done         (PgqrsJob     *self);

G_END_DECLS
