/* pgqrs-backend-support-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-internal-private.h"

#include "pgqrs-request-private.h"

G_BEGIN_DECLS

/* The rules every backend applies the same way, kept here so that a new
 * backend cannot drift from the others. */

/* Rules 18–20: what acquiring a step whose row already existed means. */
typedef enum
{
  PGQRS_STEP_VERDICT_REPLAY,    /* completed: hand back its output (marked cached) */
  PGQRS_STEP_VERDICT_RESTART,   /* pending, crashed mid-step, or due for a retry */
  PGQRS_STEP_VERDICT_REFUSED,   /* failed for good, or not yet due: see the error */
} PgqrsStepVerdict;

PGQRS_INTERNAL
PgqrsStepVerdict _pgqrs_step_row_judge  (PgqrsStepRow               *step,
                                         const PgqrsStepAcquireArgs *args,
                                         gboolean                    not_due,
                                         GError                    **error);
PGQRS_INTERNAL
gboolean       _pgqrs_run_check_running (gint64                      run_id,
                                         PgqrsRunStatus              status,
                                         GError                    **error);

/* STEP_LOOKUP: whether @step, read with its run, is acquired without a
 * write — a completed step (marked cached), or a new one (@has_row FALSE:
 * marked RUNNING) of a RUNNING run whose fence is current.  FALSE: the
 * acquire must write, and STEP_ACQUIRE decides. */
PGQRS_INTERNAL
gboolean       _pgqrs_step_lookup_judge (PgqrsStepRow               *step,
                                         gboolean                    has_row,
                                         PgqrsRunStatus              run_status,
                                         gboolean                    fence_current);

/* The error of a fenced request whose lease was taken over. */
PGQRS_INTERNAL
void           _pgqrs_set_superseded_error (GError                 **error,
                                            const PgqrsRequest      *request);

/* The migration scripts under @resource_path ("/org/pgqrs/<backend>/sql"),
 * sorted by the version their name starts with ("001_…"), and the newest
 * version among them. */
PGQRS_INTERNAL
int            _pgqrs_migration_version  (const char                 *name);
PGQRS_INTERNAL
GStrv          _pgqrs_migrations_list    (const char                 *resource_path);
PGQRS_INTERNAL
int            _pgqrs_migrations_latest  (const char                 *resource_path);

G_END_DECLS
