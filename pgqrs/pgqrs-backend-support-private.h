/* pgqrs-backend-support-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

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

PgqrsStepVerdict _pgqrs_step_row_judge  (PgqrsStepRow               *step,
                                         const PgqrsStepAcquireArgs *args,
                                         gboolean                    not_due,
                                         GError                    **error);
gboolean       _pgqrs_run_check_running (gint64                      run_id,
                                         PgqrsRunStatus              status,
                                         GError                    **error);

/* The migration scripts under @resource_path ("/org/pgqrs/<backend>/sql"),
 * sorted by the version their name starts with ("001_…"), and the newest
 * version among them. */
int            _pgqrs_migration_version  (const char                 *name);
GStrv          _pgqrs_migrations_list    (const char                 *resource_path);
int            _pgqrs_migrations_latest  (const char                 *resource_path);

G_END_DECLS
