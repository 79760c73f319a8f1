/* pgqrs-postgres-statements-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Every statement the PostgreSQL backend runs, by name.  Each is one
 * statement (data-modifying CTEs included), so that each is one round trip
 * and, outside an explicit transaction, atomic on its own. */
typedef enum
{
  PG_STMT_INSTALL_LOCK,
  PG_STMT_INSTALL_BOOTSTRAP,
  PG_STMT_SCHEMA_VERSION,
  PG_STMT_SCHEMA_VERSION_RECORD,
  PG_STMT_QUEUE_INSERT,
  PG_STMT_QUEUE_SELECT,
  PG_STMT_QUEUE_LOCK,
  PG_STMT_QUEUE_LIST,
  PG_STMT_QUEUE_USAGE,
  PG_STMT_QUEUE_DELETE_RUNS,
  PG_STMT_QUEUE_DELETE_WORKFLOWS,
  PG_STMT_QUEUE_DETACH_WORKERS,
  PG_STMT_QUEUE_DELETE_MESSAGES,
  PG_STMT_QUEUE_DELETE,
  PG_STMT_QUEUE_PURGE,
  PG_STMT_MESSAGE_ENQUEUE,
  PG_STMT_MESSAGE_ENQUEUE_KEYED,
  PG_STMT_MESSAGE_LEASE,
  PG_STMT_MESSAGE_ARCHIVE,
  PG_STMT_MESSAGE_DELETE,
  PG_STMT_MESSAGE_RELEASE,
  PG_STMT_MESSAGE_EXTEND,
  PG_STMT_MESSAGE_REPLAY,
  PG_STMT_METRICS,
  PG_STMT_LIST_ARCHIVED,
  PG_STMT_NEXT_VISIBLE,
  PG_STMT_WORKER_INSERT,
  PG_STMT_WORKER_REUSE,
  PG_STMT_WORKER_SELECT,
  PG_STMT_WORKER_HEARTBEAT,
  PG_STMT_WORKER_TRANSITION,
  PG_STMT_WORKER_STATE,
  PG_STMT_WORKER_LIST,
  PG_STMT_WORKER_STATS,
  PG_STMT_WORKER_RECLAIM,
  PG_STMT_WORKFLOW_DEFINE,
  PG_STMT_WORKFLOW_ENSURE,
  PG_STMT_RUN_INSERT,
  PG_STMT_RUN_TRIGGER,
  PG_STMT_RUN_SELECT,
  PG_STMT_RUN_LOCK,
  PG_STMT_RUN_SELECT_BY_MESSAGE,
  PG_STMT_RUN_SET_STATUS,
  PG_STMT_RUN_MESSAGE_VISIBLE_AT,
  PG_STMT_STEP_INSERT,
  PG_STMT_STEP_SELECT,
  PG_STMT_STEP_RESTART,
  PG_STMT_STEP_COMPLETE,
  PG_STMT_STEP_FAIL_RETRY,
  PG_STMT_STEP_FAIL_FINAL,
  PG_STMT_CLOCK_SET,
  PG_STMT_FENCE_CHECK,
  PG_STMT_MESSAGE_LIST,
  PG_STMT_MESSAGE_GET,
  PG_STMT_RUN_LIST,
  PG_STMT_STEP_LIST,
  PG_STMT_SERVER_INFO,
  PG_STMT_STEP_LOOKUP,
  PG_STMT_STEP_RECORD,
  PG_STMT_RUN_TRANSITION_DIRECT,
  PG_STMT_RUN_TRANSITION_ARCHIVING,
  PG_STMT_RUN_INSERT_DIRECT,
  PG_N_STMTS
} PgqrsPostgresStmt;

/* The marker in statements and migrations for the quoted schema name. */
#define PGQRS_POSTGRES_SCHEMA_MARKER "@SCHEMA@"

/* How PG_STMT_MESSAGE_LEASE bounds its window: by its last parameter, $5,
 * which pgqrs-postgres-lease-forms.c replaces with a number. */
#define PG_LEASE_LIMIT_PARAM "LIMIT $5::int"

/* The SQL of @stmt, with the schema still a marker, and the number of
 * parameters it takes. */
const char *_pgqrs_postgres_statement_sql      (PgqrsPostgresStmt stmt);
int         _pgqrs_postgres_statement_n_params (PgqrsPostgresStmt stmt);

/* The SQL of every statement and migration for one schema. */
char       *_pgqrs_postgres_qualify            (const char       *sql,
                                                const char       *schema);

G_END_DECLS
