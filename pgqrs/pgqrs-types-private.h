/* pgqrs-types-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-types.h"

G_BEGIN_DECLS

/* The inverse of pgqrs_*_status_to_string(), for rows read back. */
PgqrsWorkerStatus _pgqrs_worker_status_from_string (const char *text);
PgqrsRunStatus    _pgqrs_run_status_from_string    (const char *text);
PgqrsStepStatus   _pgqrs_step_status_from_string   (const char *text);

G_END_DECLS
