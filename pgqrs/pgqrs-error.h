/* pgqrs-error.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#if !defined(PGQRS_INSIDE) && !defined(PGQRS_COMPILATION)
# error "Only <pgqrs.h> can be included directly."
#endif

#include <glib.h>

#include "pgqrs-version-macros.h"

G_BEGIN_DECLS

/**
 * PGQRS_ERROR:
 *
 * The error domain of every error pgqrs reports.
 *
 * Since: 1.0
 */
#define PGQRS_ERROR (pgqrs_error_quark ())

/**
 * PgqrsError:
 * @PGQRS_ERROR_FAILED: an unexpected failure; the message says what happened
 * @PGQRS_ERROR_INVALID_CONFIG: a malformed DSN, an unknown scheme or a bad option value
 * @PGQRS_ERROR_VALIDATION: input that breaks a rule: a bad queue name, a too-deep payload, …
 * @PGQRS_ERROR_PAYLOAD_TOO_LARGE: a payload larger than #PgqrsConfig:max-payload-bytes
 * @PGQRS_ERROR_QUEUE_NOT_FOUND: the named queue does not exist
 * @PGQRS_ERROR_QUEUE_EXISTS: a queue with that name exists already
 * @PGQRS_ERROR_QUEUE_IN_USE: the queue still has messages or live workers
 * @PGQRS_ERROR_NOT_FOUND: the message, worker or run does not exist
 * @PGQRS_ERROR_RATE_LIMITED: the enqueue rate limit was exceeded
 * @PGQRS_ERROR_CONNECTION: the connection to the database failed or was lost
 * @PGQRS_ERROR_DATABASE: the database reported an error (the message keeps its code)
 * @PGQRS_ERROR_SCHEMA_MISSING: the pgqrs tables are missing or out of date; run install
 * @PGQRS_ERROR_BACKEND_UNAVAILABLE: the backend for this DSN is not built into this library
 * @PGQRS_ERROR_INVALID_STATE: a state transition that is not allowed; the message names both states
 * @PGQRS_ERROR_WORKER_EXISTS: a live worker with that name is registered already
 * @PGQRS_ERROR_STEP_NOT_READY: a workflow step is waiting for its retry time
 * @PGQRS_ERROR_RETRIES_EXHAUSTED: a step failed more often than its retry policy allows
 * @PGQRS_ERROR_PAUSED: the workflow run is paused
 * @PGQRS_ERROR_CANCELLED: the workflow run was cancelled
 * @PGQRS_ERROR_CONFLICT: a uniqueness rule of the store was violated
 * @PGQRS_ERROR_SUPERSEDED: the caller no longer holds the lease it acted
 *   under: it expired and another worker took the message or workflow run
 *   over. Nothing was changed; the caller should stop working on it quietly,
 * *   since the new holder carries on
 *
 * The errors of the %PGQRS_ERROR domain. The list only grows: values are
 * never renumbered.
 *
 * Since: 1.0
 */
typedef enum
{
  PGQRS_ERROR_FAILED,
  PGQRS_ERROR_INVALID_CONFIG,
  PGQRS_ERROR_VALIDATION,
  PGQRS_ERROR_PAYLOAD_TOO_LARGE,
  PGQRS_ERROR_QUEUE_NOT_FOUND,
  PGQRS_ERROR_QUEUE_EXISTS,
  PGQRS_ERROR_QUEUE_IN_USE,
  PGQRS_ERROR_NOT_FOUND,
  PGQRS_ERROR_RATE_LIMITED,
  PGQRS_ERROR_CONNECTION,
  PGQRS_ERROR_DATABASE,
  PGQRS_ERROR_SCHEMA_MISSING,
  PGQRS_ERROR_BACKEND_UNAVAILABLE,
  PGQRS_ERROR_INVALID_STATE,
  PGQRS_ERROR_WORKER_EXISTS,
  PGQRS_ERROR_STEP_NOT_READY,
  PGQRS_ERROR_RETRIES_EXHAUSTED,
  PGQRS_ERROR_PAUSED,
  PGQRS_ERROR_CANCELLED,
  PGQRS_ERROR_CONFLICT,
  PGQRS_ERROR_SUPERSEDED,
} PgqrsError;

PGQRS_AVAILABLE_IN_1_0
GQuark pgqrs_error_quark (void);

G_END_DECLS
