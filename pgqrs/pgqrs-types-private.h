/* pgqrs-types-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-internal-private.h"

#include "pgqrs-types.h"

G_BEGIN_DECLS

/* The inverse of pgqrs_*_status_to_string(), for rows read back. */
PGQRS_INTERNAL
PgqrsWorkerStatus _pgqrs_worker_status_from_string (const char *text);
PGQRS_INTERNAL
PgqrsRunStatus    _pgqrs_run_status_from_string    (const char *text);
PGQRS_INTERNAL
PgqrsStepStatus   _pgqrs_step_status_from_string   (const char *text);

G_END_DECLS
