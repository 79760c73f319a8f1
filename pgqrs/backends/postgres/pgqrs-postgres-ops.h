/* pgqrs-postgres-ops.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-postgres-call.h"

G_BEGIN_DECLS

/* The first step of @op: the whole of PgqrsBackend's contract is behind
 * these.  Each step gets the result of the query the step before it
 * queued. */
PgqrsPostgresThen _pgqrs_postgres_op_start (PgqrsOp op);

#define PGQRS_POSTGRES_STEP(name) \
  gboolean name (PgqrsPostgresCall  *call, \
                 PGresult           *result, \
                 GError            **error)

#define PGQRS_POSTGRES_OP(name) PGQRS_POSTGRES_STEP (_pgqrs_postgres_op_##name)

/* Shared by the operations. */
gboolean _pgqrs_postgres_queue_not_found (PgqrsPostgresCall  *call,
                                          GError            **error);

/* pgqrs-postgres-schema.c */
PGQRS_POSTGRES_OP (install);
PGQRS_POSTGRES_OP (verify);

/* pgqrs-postgres-worker-ops.c */
PGQRS_POSTGRES_OP (worker_register);
PGQRS_POSTGRES_OP (worker_get);
PGQRS_POSTGRES_OP (worker_heartbeat);
PGQRS_POSTGRES_OP (worker_transition);
PGQRS_POSTGRES_OP (worker_list);
PGQRS_POSTGRES_OP (worker_stats);
PGQRS_POSTGRES_OP (worker_reclaim);

/* pgqrs-postgres-workflow-ops.c */
PGQRS_POSTGRES_OP (workflow_define);
PGQRS_POSTGRES_OP (run_create);
PGQRS_POSTGRES_OP (run_get);
PGQRS_POSTGRES_OP (run_transition);
PGQRS_POSTGRES_OP (step_acquire);
PGQRS_POSTGRES_OP (step_complete);
PGQRS_POSTGRES_OP (step_fail);

G_END_DECLS
