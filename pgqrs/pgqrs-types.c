/* pgqrs-types.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "pgqrs-types-private.h"

/**
 * pgqrs_worker_status_to_string:
 * @status: a #PgqrsWorkerStatus
 *
 * Gets the name under which @status is stored in the database.
 *
 * Returns: the status as stored: `ready`, `polling`, `interrupted`,
 *   `suspended` or `stopped`
 *
 * Since: 1.0
 */
const char *
pgqrs_worker_status_to_string (PgqrsWorkerStatus status)
{
  switch (status)
    {
    case PGQRS_WORKER_STATUS_READY:       return "ready";
    case PGQRS_WORKER_STATUS_POLLING:     return "polling";
    case PGQRS_WORKER_STATUS_INTERRUPTED: return "interrupted";
    case PGQRS_WORKER_STATUS_SUSPENDED:   return "suspended";
    case PGQRS_WORKER_STATUS_STOPPED:     return "stopped";
    default:                              return "unknown";
    }
}

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

/* The names read back from the database.  An unknown name (a newer schema)
 * maps to the status that stops work rather than one that starts it. */
PgqrsWorkerStatus
_pgqrs_worker_status_from_string (const char *text)
{
  for (guint i = PGQRS_WORKER_STATUS_READY; i <= PGQRS_WORKER_STATUS_STOPPED; i++)
    if (g_strcmp0 (text, pgqrs_worker_status_to_string (i)) == 0)
      return i;

  return PGQRS_WORKER_STATUS_STOPPED;
}

PgqrsRunStatus
_pgqrs_run_status_from_string (const char *text)
{
  for (guint i = PGQRS_RUN_STATUS_QUEUED; i <= PGQRS_RUN_STATUS_CANCELLED; i++)
    if (g_strcmp0 (text, pgqrs_run_status_to_string (i)) == 0)
      return i;

  return PGQRS_RUN_STATUS_ERROR;
}

PgqrsStepStatus
_pgqrs_step_status_from_string (const char *text)
{
  for (guint i = PGQRS_STEP_STATUS_PENDING; i <= PGQRS_STEP_STATUS_ERROR; i++)
    if (g_strcmp0 (text, pgqrs_step_status_to_string (i)) == 0)
      return i;

  return PGQRS_STEP_STATUS_ERROR;
}
