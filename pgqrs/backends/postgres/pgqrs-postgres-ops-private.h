/* pgqrs-postgres-ops-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-postgres-call-private.h"

G_BEGIN_DECLS

/* The first step of @op: the whole of PgqrsBackend's contract is behind
 * these.  Each step gets the result of the query the step before it
 * queued. */
PgqrsPostgresThen _pgqrs_postgres_op_start (PgqrsOp op);

#define PGQRS_POSTGRES_STEP(name) \
  gboolean name (PgqrsPostgresCall  *call, \
                 PGresult           *result, \
                 GError            **error)

/* Shared by the operations. */
gboolean _pgqrs_postgres_queue_not_found (const char  *queue_name,
                                          GError     **error);

/* pgqrs-postgres-schema.c */
PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_install);
PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_verify);

/* pgqrs-postgres-worker-ops.c */
PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_worker_register);
PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_worker_get);
PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_worker_heartbeat);
PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_worker_transition);
PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_worker_list);
PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_worker_stats);
PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_worker_reclaim);

/* pgqrs-postgres-workflow-ops.c */
PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_workflow_define);
PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_run_create);
PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_run_get);
PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_run_transition);
PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_step_acquire);
PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_step_complete);
PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_step_fail);
PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_run_list);
PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_step_list);
PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_step_lookup);
PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_step_record);
gboolean _pgqrs_postgres_run_transition_direct (PgqrsPostgresCall  *call,
                                                PgqrsPostgresThen   otherwise,
                                                GError            **error);

G_END_DECLS
