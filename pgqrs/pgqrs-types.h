/* pgqrs-types.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#if !defined(PGQRS_INSIDE) && !defined(PGQRS_COMPILATION)
# error "Only <pgqrs.h> can be included directly."
#endif

#include <glib-object.h>

#include "pgqrs-version-macros.h"

G_BEGIN_DECLS

/**
 * PgqrsWorkerStatus:
 * @PGQRS_WORKER_STATUS_READY: registered and idle
 * @PGQRS_WORKER_STATUS_POLLING: looking for or handling work
 * @PGQRS_WORKER_STATUS_INTERRUPTED: asked to stop polling
 * @PGQRS_WORKER_STATUS_SUSPENDED: paused; may resume or shut down
 * @PGQRS_WORKER_STATUS_STOPPED: shut down, or reclaimed after its heartbeat stopped
 *
 * The states of a worker. The allowed transitions are
 * `ready → polling → ready`, `polling → interrupted`,
 * `ready | polling | interrupted → suspended`, `suspended → ready` and
 * `suspended → stopped`; any other is %PGQRS_ERROR_INVALID_STATE.
 *
 * Since: 1.0
 */
typedef enum
{
  PGQRS_WORKER_STATUS_READY,
  PGQRS_WORKER_STATUS_POLLING,
  PGQRS_WORKER_STATUS_INTERRUPTED,
  PGQRS_WORKER_STATUS_SUSPENDED,
  PGQRS_WORKER_STATUS_STOPPED,
} PgqrsWorkerStatus;

/**
 * PgqrsRunStatus:
 * @PGQRS_RUN_STATUS_QUEUED: created, not started
 * @PGQRS_RUN_STATUS_RUNNING: started; steps are running
 * @PGQRS_RUN_STATUS_PAUSED: paused until a resume time (durable sleep)
 * @PGQRS_RUN_STATUS_SUCCESS: finished with an output (terminal)
 * @PGQRS_RUN_STATUS_ERROR: failed, with the error stored as JSON (terminal)
 * @PGQRS_RUN_STATUS_CANCELLING: cancel requested; ends at the next step boundary
 * @PGQRS_RUN_STATUS_CANCELLED: cancelled (terminal)
 *
 * The states of a workflow run: `QUEUED → RUNNING → SUCCESS | ERROR`, with
 * `RUNNING → PAUSED → RUNNING` and `CANCELLING → CANCELLED`.
 *
 * Since: 1.0
 */
typedef enum
{
  PGQRS_RUN_STATUS_QUEUED,
  PGQRS_RUN_STATUS_RUNNING,
  PGQRS_RUN_STATUS_PAUSED,
  PGQRS_RUN_STATUS_SUCCESS,
  PGQRS_RUN_STATUS_ERROR,
  PGQRS_RUN_STATUS_CANCELLING,
  PGQRS_RUN_STATUS_CANCELLED,
} PgqrsRunStatus;

/**
 * PgqrsStepStatus:
 * @PGQRS_STEP_STATUS_PENDING: known, not started
 * @PGQRS_STEP_STATUS_RUNNING: acquired and running (or its process died while it ran)
 * @PGQRS_STEP_STATUS_SUCCESS: done; its output is stored and replayed
 * @PGQRS_STEP_STATUS_ERROR: failed; waiting for a retry, or failed for good
 *
 * The states of one step of a run.
 *
 * Since: 1.0
 */
typedef enum
{
  PGQRS_STEP_STATUS_PENDING,
  PGQRS_STEP_STATUS_RUNNING,
  PGQRS_STEP_STATUS_SUCCESS,
  PGQRS_STEP_STATUS_ERROR,
} PgqrsStepStatus;

PGQRS_AVAILABLE_IN_1_0
const char *pgqrs_worker_status_to_string (PgqrsWorkerStatus status);
PGQRS_AVAILABLE_IN_1_0
const char *pgqrs_run_status_to_string  (PgqrsRunStatus  status);
PGQRS_AVAILABLE_IN_1_0
gboolean    pgqrs_run_status_is_terminal (PgqrsRunStatus status);
PGQRS_AVAILABLE_IN_1_0
const char *pgqrs_step_status_to_string (PgqrsStepStatus status);

G_END_DECLS
