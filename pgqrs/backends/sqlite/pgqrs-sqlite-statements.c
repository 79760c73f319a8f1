/* pgqrs-sqlite-statements.c — the SQL of the SQLite backend
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "pgqrs-sqlite-statements-private.h"

/* The database's clock: SQLite's time plus the skew of pgqrs_clock
 * (002_clock.sql).  Each is an uncorrelated subquery, which SQLite
 * evaluates once per statement: 'now' is the same for every row of a
 * statement anyway, and formatting it once instead of per row took a
 * lease of 50 from 24 string formattings per message to a few per batch
 * (callgrind: sqlite3_str_appendf was 11.6% of a 1 × 50 drain). */
#define SKEW "printf ('%+.3f seconds', skew_s)"
#define NOW "(SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now', " SKEW ") FROM pgqrs_clock)"
/* now + a number of seconds bound as a parameter (fractions allowed) */
#define NOW_PLUS(param) \
  "(SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now', " SKEW ", printf('%+.3f seconds', " param ")) " \
  "FROM pgqrs_clock)"

#define MESSAGE_COLUMNS \
  "id, queue_id, payload, enqueued_at, vt, dequeued_at, archived_at, archive_reason, " \
  "read_ct, producer_worker_id, consumer_worker_id, lease_ct"

#define WORKER_COLUMNS \
  "id, name, queue_id, status, started_at, heartbeat_at, shutdown_at, " \
  "(julianday (" NOW ") - julianday (heartbeat_at)) * 86400.0"

/* Workers whose heartbeat is older than ?1 seconds: all, or the one named
 * ?2. */
#define STALE_WORKERS \
  "SELECT id FROM pgqrs_workers WHERE status <> 'stopped' " \
  "   AND heartbeat_at < " NOW_PLUS ("-?1") " AND (?2 IS NULL OR name = ?2)"

#define RUN_COLUMNS \
  "r.id, w.name, r.message_id, r.status, r.input, r.output, r.error, r.pause_reason, " \
  "r.created_at, r.updated_at, r.started_at, r.paused_at, r.completed_at, r.resume_at, " \
  "r.worker_id, (r.resume_at > " NOW ") " \
  "FROM pgqrs_workflow_runs r JOIN pgqrs_workflows w ON w.id = r.workflow_id "

#define STEP_COLUMNS \
  "id, run_id, step_name, status, output, error, retry_count, retry_at, started_at, " \
  "completed_at, (retry_at > " NOW ") "

/* The lease fence of semantics rule 5: a lease op applies only while the row
 * is unarchived and still carries the lease count the lease was taken with.
 * Every lease, release, archive and dead letter moves the count on, so a
 * token stays dead after a replay brings its message back. */
#define FENCE "id = ?1 AND queue_id = ?2 AND lease_ct = ?3 AND archived_at IS NULL"

/* The first ?2 visible messages of queue ?1, in lease order.  Lease and
 * dead-letter look at the same window, so a dead letter in it is archived
 * before the window is leased. */
#define VISIBLE_WINDOW \
  "SELECT id FROM pgqrs_messages " \
  " WHERE queue_id = ?1 AND archived_at IS NULL AND vt <= " NOW \
  " ORDER BY vt, id LIMIT ?2"

static const char * const statements[SQLITE_N_STMTS] = {
  [SQLITE_STMT_SCHEMA_VERSION] =
    "SELECT coalesce(max(version), 0) FROM pgqrs_schema_version",

  [SQLITE_STMT_QUEUE_INSERT] =
    "INSERT INTO pgqrs_queues (queue_name) VALUES (?1) "
    "RETURNING id, queue_name, created_at",

  [SQLITE_STMT_QUEUE_SELECT] =
    "SELECT id, queue_name, created_at FROM pgqrs_queues WHERE queue_name = ?1",

  [SQLITE_STMT_QUEUE_LIST] =
    "SELECT id, queue_name, created_at FROM pgqrs_queues ORDER BY queue_name",

  [SQLITE_STMT_QUEUE_USAGE] =
    "SELECT (SELECT count(*) FROM pgqrs_messages WHERE queue_id = ?1), "
    "       (SELECT count(*) FROM pgqrs_workers WHERE queue_id = ?1 AND status <> 'stopped'), "
    "       (SELECT count(*) FROM pgqrs_workflows WHERE queue_id = ?1)",

  /* The runs of the workflows bound to the queue, and the runs its
   * messages triggered. */
  [SQLITE_STMT_QUEUE_DELETE_RUNS] =
    "DELETE FROM pgqrs_workflow_runs "
    " WHERE workflow_id IN (SELECT id FROM pgqrs_workflows WHERE queue_id = ?1) "
    "    OR message_id IN (SELECT id FROM pgqrs_messages WHERE queue_id = ?1)",

  /* Purge: the runs the queue's messages triggered go with them. */
  [SQLITE_STMT_QUEUE_PURGE_RUNS] =
    "DELETE FROM pgqrs_workflow_runs "
    " WHERE message_id IN (SELECT id FROM pgqrs_messages WHERE queue_id = ?1)",

  [SQLITE_STMT_QUEUE_DELETE_WORKFLOWS] =
    "DELETE FROM pgqrs_workflows WHERE queue_id = ?1",

  [SQLITE_STMT_QUEUE_DETACH_WORKERS] =
    "UPDATE pgqrs_workers SET queue_id = NULL WHERE queue_id = ?1",

  [SQLITE_STMT_QUEUE_DELETE_MESSAGES] =
    "DELETE FROM pgqrs_messages WHERE queue_id = ?1",

  [SQLITE_STMT_QUEUE_DELETE] =
    "DELETE FROM pgqrs_queues WHERE id = ?1",

  [SQLITE_STMT_MESSAGE_INSERT] =
    "INSERT INTO pgqrs_messages (queue_id, payload, vt, enqueued_at, producer_worker_id, "
    "                            idempotency_key) "
    "VALUES (?1, ?2, " NOW_PLUS ("?3") ", " NOW ", nullif (?4, 0), ?5) RETURNING id",

  /* The message of queue ?1 with idempotency key ?2, archived or not. */
  [SQLITE_STMT_MESSAGE_BY_KEY] =
    "SELECT id FROM pgqrs_messages WHERE queue_id = ?1 AND idempotency_key = ?2",

  [SQLITE_STMT_MESSAGE_DEAD_LETTER] =
    "UPDATE pgqrs_messages "
    "   SET archived_at = " NOW ", archive_reason = 'dead_letter', leased_at = NULL, "
    "       lease_ct = lease_ct + 1 "
    " WHERE id IN (" VISIBLE_WINDOW ") AND read_ct >= ?3",

  [SQLITE_STMT_MESSAGE_LEASE] =
    "UPDATE pgqrs_messages "
    "   SET vt = " NOW_PLUS ("?3") ", read_ct = read_ct + 1, lease_ct = lease_ct + 1, "
    "       dequeued_at = coalesce (dequeued_at, " NOW "), leased_at = " NOW ", "
    "       consumer_worker_id = nullif (?4, 0) "
    " WHERE id IN (" VISIBLE_WINDOW ") "
    "RETURNING " MESSAGE_COLUMNS,

  [SQLITE_STMT_MESSAGE_ARCHIVE] =
    "UPDATE pgqrs_messages "
    "   SET archived_at = " NOW ", leased_at = NULL, lease_ct = lease_ct + 1, "
    "       archive_reason = CASE WHEN ?4 THEN 'dead_letter' ELSE 'done' END "
    " WHERE " FENCE,

  [SQLITE_STMT_MESSAGE_DELETE] =
    "DELETE FROM pgqrs_messages WHERE " FENCE,

  [SQLITE_STMT_MESSAGE_RELEASE] =
    "UPDATE pgqrs_messages "
    "   SET vt = " NOW_PLUS ("?4") ", leased_at = NULL, consumer_worker_id = NULL, "
    "       lease_ct = lease_ct + 1 "
    " WHERE " FENCE,

  [SQLITE_STMT_MESSAGE_EXTEND] =
    "UPDATE pgqrs_messages "
    "   SET vt = strftime('%Y-%m-%dT%H:%M:%fZ', vt, printf('%+.3f seconds', ?4)) "
    " WHERE " FENCE,

  [SQLITE_STMT_MESSAGE_REPLAY] =
    "UPDATE pgqrs_messages "
    "   SET archived_at = NULL, archive_reason = NULL, read_ct = 0, vt = " NOW ", "
    "       leased_at = NULL, consumer_worker_id = NULL "
    " WHERE id = ?1 AND archived_at IS NOT NULL",

  [SQLITE_STMT_MESSAGE_EXISTS] =
    "SELECT 1 FROM pgqrs_messages WHERE id = ?1",

  /* One pass over the messages of every queue (or of queue ?1), with the
   * clock read once so that the counts add up. */
  [SQLITE_STMT_METRICS] =
    "WITH clock (now) AS (SELECT " NOW ") "
    "SELECT q.queue_name, count (m.id), "
    "       coalesce (sum (m.archived_at IS NULL AND m.vt <= clock.now), 0), "
    "       coalesce (sum (m.archived_at IS NULL AND m.vt > clock.now AND m.leased_at IS NULL), 0), "
    "       coalesce (sum (m.archived_at IS NULL AND m.vt > clock.now AND m.leased_at IS NOT NULL), 0), "
    "       coalesce (sum (m.archived_at IS NOT NULL), 0), "
    "       coalesce (sum (m.archive_reason = 'dead_letter'), 0), "
    "       coalesce ((julianday (clock.now) - julianday (min (CASE WHEN m.archived_at IS NULL "
    "                  AND m.vt <= clock.now THEN m.enqueued_at END))) * 86400.0, 0) "
    "  FROM clock, pgqrs_queues q LEFT JOIN pgqrs_messages m ON m.queue_id = q.id "
    " WHERE ?1 IS NULL OR q.queue_name = ?1 "
    " GROUP BY q.id ORDER BY q.queue_name",

  [SQLITE_STMT_LIST_ARCHIVED] =
    "SELECT " MESSAGE_COLUMNS " FROM pgqrs_messages "
    " WHERE archived_at IS NOT NULL "
    "   AND (?1 IS NULL OR queue_id = ?1) "
    "   AND (?2 = 0 OR archive_reason = 'dead_letter') "
    " ORDER BY archived_at DESC, id DESC LIMIT ?3 OFFSET ?4",

  [SQLITE_STMT_CLOCK_SET] =
    "UPDATE pgqrs_clock SET skew_s = ?1",

  /* A workflow executor's lease on its trigger (?1, lease count ?2) is
   * still the message's current one. */
  [SQLITE_STMT_FENCE_CHECK] =
    "SELECT 1 FROM pgqrs_messages WHERE id = ?1 AND lease_ct = ?2 AND archived_at IS NULL",

  [SQLITE_STMT_NEXT_VISIBLE] =
    "SELECT (julianday (min (vt)) - julianday (" NOW ")) * 86400.0 FROM pgqrs_messages "
    " WHERE queue_id = ?1 AND archived_at IS NULL AND vt > " NOW,

  [SQLITE_STMT_WORKER_INSERT] =
    "INSERT INTO pgqrs_workers (name, queue_id) VALUES (?1, nullif (?2, 0)) "
    "RETURNING " WORKER_COLUMNS,

  [SQLITE_STMT_WORKER_REUSE] =
    "UPDATE pgqrs_workers "
    "   SET queue_id = nullif (?2, 0), status = 'ready', started_at = " NOW ", "
    "       heartbeat_at = " NOW ", shutdown_at = NULL "
    " WHERE name = ?1 AND status = 'stopped' "
    "RETURNING " WORKER_COLUMNS,

  [SQLITE_STMT_WORKER_SELECT] =
    "SELECT " WORKER_COLUMNS " FROM pgqrs_workers WHERE id = ?1",

  [SQLITE_STMT_WORKER_SELECT_BY_NAME] =
    "SELECT " WORKER_COLUMNS " FROM pgqrs_workers WHERE name = ?1",

  [SQLITE_STMT_WORKER_HEARTBEAT] =
    "UPDATE pgqrs_workers SET heartbeat_at = " NOW " WHERE id = ?1 "
    "RETURNING " WORKER_COLUMNS,

  /* ?3 is a bit mask of the statuses the worker may be leaving. */
  [SQLITE_STMT_WORKER_TRANSITION] =
    "UPDATE pgqrs_workers "
    "   SET status = ?2, "
    "       shutdown_at = CASE WHEN ?2 = 'stopped' THEN " NOW " ELSE shutdown_at END "
    " WHERE id = ?1 "
    "   AND (?3 >> CASE status WHEN 'ready' THEN 0 WHEN 'polling' THEN 1 "
    "                          WHEN 'interrupted' THEN 2 WHEN 'suspended' THEN 3 "
    "                          ELSE 4 END) & 1 = 1 "
    "RETURNING " WORKER_COLUMNS,

  [SQLITE_STMT_WORKER_LEASES] =
    "SELECT count (*) FROM pgqrs_messages "
    " WHERE consumer_worker_id = ?1 AND archived_at IS NULL "
    "   AND leased_at IS NOT NULL AND vt > " NOW,

  [SQLITE_STMT_WORKER_LIST] =
    "SELECT " WORKER_COLUMNS " FROM pgqrs_workers "
    " WHERE ?1 IS NULL OR queue_id = ?1 ORDER BY name",

  /* The workers of every queue (or of the queue named ?1) by status, in
   * PgqrsWorkerStatus order, then the stale ones (live, heartbeat older
   * than ?2 s), the messages they hold, the oldest live heartbeat's age. */
  [SQLITE_STMT_WORKER_STATS] =
    "WITH clock (now) AS (SELECT " NOW ") "
    "SELECT q.queue_name, "
    "       coalesce (sum (w.status = 'ready'), 0), "
    "       coalesce (sum (w.status = 'polling'), 0), "
    "       coalesce (sum (w.status = 'interrupted'), 0), "
    "       coalesce (sum (w.status = 'suspended'), 0), "
    "       coalesce (sum (w.status = 'stopped'), 0), "
    "       coalesce (sum (w.status <> 'stopped' AND w.heartbeat_at < " NOW_PLUS ("-?2") "), 0), "
    "       (SELECT count (*) FROM pgqrs_messages m "
    "         WHERE m.queue_id = q.id AND m.archived_at IS NULL AND m.leased_at IS NOT NULL "
    "           AND m.consumer_worker_id IS NOT NULL AND m.vt > clock.now), "
    "       coalesce ((julianday (clock.now) - julianday (min (CASE WHEN w.status <> 'stopped' "
    "                  THEN w.heartbeat_at END))) * 86400.0, 0) "
    "  FROM clock, pgqrs_queues q LEFT JOIN pgqrs_workers w ON w.queue_id = q.id "
    " WHERE ?1 IS NULL OR q.queue_name = ?1 "
    " GROUP BY q.id ORDER BY q.queue_name",

  [SQLITE_STMT_WORKER_RECLAIM_LEASES] =
    "UPDATE pgqrs_messages "
    "   SET vt = " NOW ", leased_at = NULL, consumer_worker_id = NULL, "
    "       lease_ct = lease_ct + 1 "
    " WHERE archived_at IS NULL AND leased_at IS NOT NULL "
    "   AND consumer_worker_id IN (" STALE_WORKERS ")",

  [SQLITE_STMT_WORKER_RECLAIM] =
    "UPDATE pgqrs_workers SET status = 'stopped', shutdown_at = " NOW
    " WHERE id IN (" STALE_WORKERS ")",

  [SQLITE_STMT_WORKFLOW_UPSERT] =
    "INSERT INTO pgqrs_workflows (name, queue_id) VALUES (?1, nullif (?2, 0)) "
    "ON CONFLICT (name) DO UPDATE "
    "  SET queue_id = coalesce (excluded.queue_id, pgqrs_workflows.queue_id)",

  [SQLITE_STMT_WORKFLOW_SELECT] =
    "SELECT id, queue_id FROM pgqrs_workflows WHERE name = ?1",

  [SQLITE_STMT_RUN_INSERT] =
    "INSERT INTO pgqrs_workflow_runs (workflow_id, input, worker_id, idempotency_key) "
    "VALUES (?1, ?2, nullif (?3, 0), ?4) RETURNING id",

  /* The run of workflow ?1 with idempotency key ?2. */
  [SQLITE_STMT_RUN_BY_KEY] =
    "SELECT id FROM pgqrs_workflow_runs WHERE workflow_id = ?1 AND idempotency_key = ?2",

  [SQLITE_STMT_RUN_SET_MESSAGE] =
    "UPDATE pgqrs_workflow_runs SET message_id = ?2 WHERE id = ?1",

  [SQLITE_STMT_RUN_SELECT] =
    "SELECT " RUN_COLUMNS " WHERE r.id = ?1",

  [SQLITE_STMT_RUN_SELECT_BY_MESSAGE] =
    "SELECT " RUN_COLUMNS " WHERE r.message_id = ?1",

  /* ?2 the new status; ?3 its JSON (output, error or pause reason);
   * ?4 seconds to pause; ?5 the worker that starts it */
  [SQLITE_STMT_RUN_SET_STATUS] =
    "UPDATE pgqrs_workflow_runs "
    "   SET status = ?2, updated_at = " NOW ", "
    "       started_at = CASE WHEN ?2 = 'RUNNING' THEN coalesce (started_at, " NOW ") ELSE started_at END, "
    "       worker_id = CASE WHEN ?2 = 'RUNNING' THEN nullif (?5, 0) ELSE worker_id END, "
    "       output = CASE WHEN ?2 = 'SUCCESS' THEN ?3 ELSE output END, "
    "       error = CASE WHEN ?2 = 'ERROR' THEN ?3 ELSE error END, "
    "       pause_reason = CASE WHEN ?2 = 'PAUSED' THEN ?3 WHEN ?2 = 'RUNNING' THEN NULL "
    "                      ELSE pause_reason END, "
    "       paused_at = CASE WHEN ?2 = 'PAUSED' THEN " NOW " ELSE paused_at END, "
    "       resume_at = CASE WHEN ?2 = 'PAUSED' THEN " NOW_PLUS ("?4") " "
    "                   WHEN ?2 = 'RUNNING' THEN NULL ELSE resume_at END, "
    "       completed_at = CASE WHEN ?2 IN ('SUCCESS', 'ERROR', 'CANCELLED') THEN " NOW " "
    "                      ELSE completed_at END "
    " WHERE id = ?1",

  /* The run's trigger message becomes visible at ?2 (NULL: now), for
   * whichever consumer leases it next.  Its read count starts again: a
   * rescheduled trigger is not a failed delivery, so a run that sleeps or
   * retries often is not dead-lettered for it; and the lease that
   * rescheduled it is fenced off, so a late heartbeat cannot move it. */
  [SQLITE_STMT_RUN_MESSAGE_VISIBLE_AT] =
    "UPDATE pgqrs_messages "
    "   SET vt = coalesce (?2, " NOW "), read_ct = 0, lease_ct = lease_ct + 1, "
    "       leased_at = NULL, consumer_worker_id = NULL "
    " WHERE id = (SELECT message_id FROM pgqrs_workflow_runs WHERE id = ?1) "
    "   AND archived_at IS NULL",

  /* A completed run's trigger ?1, under the lease ?2 its executor holds,
   * archived as done (as MESSAGE_ARCHIVE does), in the completion's
   * transaction. */
  [SQLITE_STMT_RUN_TRIGGER_ARCHIVE] =
    "UPDATE pgqrs_messages "
    "   SET archived_at = " NOW ", leased_at = NULL, lease_ct = lease_ct + 1, "
    "       archive_reason = 'done' "
    " WHERE id = ?1 AND lease_ct = ?2 AND archived_at IS NULL",

  [SQLITE_STMT_STEP_INSERT] =
    "INSERT INTO pgqrs_workflow_steps (run_id, step_name, status, started_at) "
    "VALUES (?1, ?2, 'RUNNING', " NOW ") ON CONFLICT (run_id, step_name) DO NOTHING",

  [SQLITE_STMT_STEP_SELECT] =
    "SELECT " STEP_COLUMNS " FROM pgqrs_workflow_steps WHERE run_id = ?1 AND step_name = ?2",

  [SQLITE_STMT_STEP_SELECT_BY_ID] =
    "SELECT " STEP_COLUMNS " FROM pgqrs_workflow_steps WHERE id = ?1",

  [SQLITE_STMT_STEP_RESTART] =
    "UPDATE pgqrs_workflow_steps SET status = 'RUNNING', started_at = " NOW " "
    " WHERE id = ?1 RETURNING " STEP_COLUMNS,

  [SQLITE_STMT_STEP_COMPLETE] =
    "UPDATE pgqrs_workflow_steps "
    "   SET status = 'SUCCESS', output = ?2, error = NULL, retry_at = NULL, "
    "       completed_at = " NOW " "
    " WHERE id = ?1 AND status = 'RUNNING' RETURNING " STEP_COLUMNS,

  [SQLITE_STMT_STEP_FAIL_RETRY] =
    "UPDATE pgqrs_workflow_steps "
    "   SET status = 'ERROR', error = ?2, retry_count = retry_count + 1, "
    "       retry_at = " NOW_PLUS ("?3") " "
    " WHERE id = ?1 AND status = 'RUNNING' RETURNING " STEP_COLUMNS,

  [SQLITE_STMT_STEP_FAIL_FINAL] =
    "UPDATE pgqrs_workflow_steps "
    "   SET status = 'ERROR', error = ?2, retry_at = NULL, completed_at = " NOW " "
    " WHERE id = ?1 AND status = 'RUNNING' RETURNING " STEP_COLUMNS,

  /* ?2: PgqrsMessageState bits; pending, delayed and leased as the metrics
   * count them. */
  [SQLITE_STMT_MESSAGE_LIST] =
    "SELECT " MESSAGE_COLUMNS " FROM pgqrs_messages, (SELECT " NOW " AS now) clock "
    " WHERE queue_id = ?1 AND archived_at IS NULL "
    "   AND ((?2 & 1 AND vt <= clock.now) "
    "     OR (?2 & 2 AND vt > clock.now AND leased_at IS NULL) "
    "     OR (?2 & 4 AND vt > clock.now AND leased_at IS NOT NULL)) "
    " ORDER BY vt, id LIMIT ?3 OFFSET ?4",

  [SQLITE_STMT_MESSAGE_GET] =
    "SELECT " MESSAGE_COLUMNS " FROM pgqrs_messages WHERE id = ?1 AND queue_id = ?2",

  /* ?2: a JSON array of status names, or NULL for any; ?3 and ?4: creation
   * bounds as the same ISO-8601 text the rows hold, or NULL. */
  [SQLITE_STMT_RUN_LIST] =
    "SELECT " RUN_COLUMNS
    " WHERE (?1 IS NULL OR w.name = ?1) "
    "   AND (?2 IS NULL OR r.status IN (SELECT value FROM json_each (?2))) "
    "   AND (?3 IS NULL OR r.created_at > ?3) "
    "   AND (?4 IS NULL OR r.created_at < ?4) "
    " ORDER BY r.created_at DESC, r.id DESC LIMIT ?5 OFFSET ?6",

  [SQLITE_STMT_SERVER_INFO] =
    "SELECT (SELECT coalesce (max (version), 0) FROM pgqrs_schema_version), sqlite_version ()",

  [SQLITE_STMT_STEP_LIST] =
    "SELECT " STEP_COLUMNS " FROM pgqrs_workflow_steps WHERE run_id = ?1 ORDER BY id",

  /* Step ?2 of run ?1 as STEP_COLUMNS (id NULL when it has no row; its
   * start then is now), the run's status, and whether the fence (?3
   * message, ?4 lease count; ?3 = 0: none) is current.  A read: what it
   * finds that needs a write goes on to STEP_ACQUIRE. */
  [SQLITE_STMT_STEP_LOOKUP] =
    "SELECT s.id, r.id, ?2, s.status, s.output, s.error, s.retry_count, s.retry_at, "
    "       coalesce (s.started_at, " NOW "), s.completed_at, (s.retry_at > " NOW "), r.status, "
    "       (?3 = 0 OR (SELECT count(*) FROM pgqrs_messages "
    "                    WHERE id = ?3 AND lease_ct = ?4 AND archived_at IS NULL) > 0) "
    "  FROM pgqrs_workflow_runs r "
    "  LEFT JOIN pgqrs_workflow_steps s ON s.run_id = r.id AND s.step_name = ?2 "
    " WHERE r.id = ?1",

  /* A step acquired without a row, finished: inserted SUCCESS with its
   * output (?4) and its start (?3, or now).  No row returned: the step has
   * a row already, which the op looks at. */
  [SQLITE_STMT_STEP_RECORD] =
    "INSERT INTO pgqrs_workflow_steps (run_id, step_name, status, output, started_at, completed_at) "
    "VALUES (?1, ?2, 'SUCCESS', ?4, coalesce (?3, " NOW "), " NOW ") "
    "ON CONFLICT (run_id, step_name) DO NOTHING RETURNING " STEP_COLUMNS,
};

const char *
_pgqrs_sqlite_statement_sql (PgqrsSqliteStmt stmt)
{
  g_assert (stmt < SQLITE_N_STMTS);

  return statements[stmt];
}
