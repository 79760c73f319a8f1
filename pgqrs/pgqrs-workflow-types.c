/* pgqrs-workflow-types.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "pgqrs-workflow-types.h"

/**
 * pgqrs_run_status_to_string:
 * @status: a #PgqrsRunStatus
 *
 * Gets the name under which @status is stored in the database.
 *
 * Returns: the status as stored: `QUEUED`, `RUNNING`, `PAUSED`, `SUCCESS`,
 *   `ERROR`, `CANCELLING` or `CANCELLED`
 *
 * Since: 1.0
 */
const char *
pgqrs_run_status_to_string (PgqrsRunStatus status)
{
  switch (status)
    {
    case PGQRS_RUN_STATUS_QUEUED:     return "QUEUED";
    case PGQRS_RUN_STATUS_RUNNING:    return "RUNNING";
    case PGQRS_RUN_STATUS_PAUSED:     return "PAUSED";
    case PGQRS_RUN_STATUS_SUCCESS:    return "SUCCESS";
    case PGQRS_RUN_STATUS_ERROR:      return "ERROR";
    case PGQRS_RUN_STATUS_CANCELLING: return "CANCELLING";
    case PGQRS_RUN_STATUS_CANCELLED:  return "CANCELLED";
    default:                          return "UNKNOWN";
    }
}

/**
 * pgqrs_run_status_is_terminal:
 * @status: a #PgqrsRunStatus
 *
 * Tells whether a run in @status can never change again.
 *
 * Returns: %TRUE for `SUCCESS`, `ERROR` and `CANCELLED`, which never change
 *
 * Since: 1.0
 */
gboolean
pgqrs_run_status_is_terminal (PgqrsRunStatus status)
{
  return status == PGQRS_RUN_STATUS_SUCCESS ||
         status == PGQRS_RUN_STATUS_ERROR ||
         status == PGQRS_RUN_STATUS_CANCELLED;
}

/**
 * pgqrs_step_status_to_string:
 * @status: a #PgqrsStepStatus
 *
 * Gets the name under which @status is stored in the database.
 *
 * Returns: the status as stored: `PENDING`, `RUNNING`, `SUCCESS` or `ERROR`
 *
 * Since: 1.0
 */
const char *
pgqrs_step_status_to_string (PgqrsStepStatus status)
{
  switch (status)
    {
    case PGQRS_STEP_STATUS_PENDING: return "PENDING";
    case PGQRS_STEP_STATUS_RUNNING: return "RUNNING";
    case PGQRS_STEP_STATUS_SUCCESS: return "SUCCESS";
    case PGQRS_STEP_STATUS_ERROR:   return "ERROR";
    default:                        return "UNKNOWN";
    }
}
