/* pgqrs-postgres-statements.c — the SQL of the PostgreSQL backend
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "pgqrs-postgres-statements-private.h"

/* Every table is qualified with the schema, never found through
 * search_path: a transaction-mode pooler gives no session to keep it in. */
#define S PGQRS_POSTGRES_SCHEMA_MARKER "."

/* Timestamps leave the database as fixed-precision ISO-8601 UTC text. */
#define ISO(col) "to_char (" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* The database's clock: the transaction's now () plus the skew of
 * pgqrs_clock (002_clock.sql), read once per statement as an InitPlan. */
#define NOW "(now () + (SELECT skew_s FROM " S "pgqrs_clock) * interval '1 second')"

/* A number of seconds bound as a parameter (fractions allowed). */
#define SECONDS(param) "(" param "::float8 * interval '1 second')"

/* Read by the message reader in this order. */
#define MESSAGE_COLUMNS(p) \
  p "id, " p "queue_id, " p "payload::text, " ISO (p "enqueued_at") ", " ISO (p "vt") ", " \
  ISO (p "dequeued_at") ", " ISO (p "archived_at") ", " p "archive_reason, " p "read_ct, " \
  p "producer_worker_id, " p "consumer_worker_id, " p "lease_ct"

#define WORKER_COLUMNS \
  "id, name, queue_id, status, " ISO ("started_at") ", " ISO ("heartbeat_at") ", " \
  ISO ("shutdown_at") ", extract (epoch FROM " NOW " - heartbeat_at)::float8"

/* A lease still held: the worker's, unarchived, and not expired. */
#define HELD_BY(worker) \
  "SELECT 1 FROM " S "pgqrs_messages WHERE consumer_worker_id = " worker \
  "   AND archived_at IS NULL AND leased_at IS NOT NULL AND vt > " NOW

#define RUN_SELECT_FROM(table) \
  "SELECT r.id, w.name, r.message_id, r.status, r.input::text, r.output::text, r.error::text, " \
  "       r.pause_reason, " ISO ("r.created_at") ", " ISO ("r.updated_at") ", " \
  "       " ISO ("r.started_at") ", " ISO ("r.paused_at") ", " ISO ("r.completed_at") ", " \
  "       " ISO ("r.resume_at") ", r.worker_id, coalesce (r.resume_at > " NOW ", false) " \
  "  FROM " table " r JOIN " S "pgqrs_workflows w ON w.id = r.workflow_id "

#define STEP_COLUMNS \
  "id, run_id, step_name, status, output::text, error::text, retry_count, " ISO ("retry_at") ", " \
  ISO ("started_at") ", " ISO ("completed_at") ", coalesce (retry_at > " NOW ", false)"

/* The visible messages of queue $1, in lease order. */
#define VISIBLE "queue_id = $1::bigint AND archived_at IS NULL AND vt <= " NOW

/* The lease tokens of a batch ($1 ids, $2 lease counts), in input order.
 * A repeated token counts once, at its first place, as when the batch is
 * applied one token after another. */
#define TOKENS \
  "WITH t AS (SELECT id, lease_ct, ord, " \
  "                  row_number () OVER (PARTITION BY id, lease_ct ORDER BY ord) AS nth " \
  "             FROM unnest ($1::bigint[], $2::bigint[]) WITH ORDINALITY AS t (id, lease_ct, ord)), "

/* The lease fence of semantics rule 5: a lease op applies only while the
 * row still carries the lease count the lease was taken with; a lease,
 * release or archive since (each moves the count on) makes it fail, and so
 * does a concurrent one, through the re-check of the row lock.
 *
 * "Unarchived" is part of the fence through the count, not written out:
 * a condition on archived_at would make the planner consider the partial
 * indexes, and on a table without statistics yet (just installed) it
 * takes their size for 0.5 % of the rows and scans a queue's whole index
 * instead of looking the tokens up by primary key.
 *
 * The rows are found through the join with the tokens alone, one primary
 * key lookup per token (so also on a table never analyzed).  A condition
 * "m.id = ANY ($1)" beside it went into every one of those lookups, and
 * each sorted the whole array again: an archive of fifty messages ran in
 * 0.29 ms with it, 0.20 ms without. */
#define FENCE \
  "m.id = t.id AND t.nth = 1 AND m.queue_id = $3::bigint AND m.lease_ct = t.lease_ct"

/* What a batch statement returns of the rows it changed: the token that
 * matched. */
#define HIT "RETURNING m.id, t.lease_ct"

/* One boolean per token, in input order. */
#define ANSWER \
  "SELECT hit.id IS NOT NULL FROM t " \
  "  LEFT JOIN hit ON hit.id = t.id AND hit.lease_ct = t.lease_ct AND t.nth = 1 " \
  " ORDER BY t.ord"

/* The columns a run's new status $2 sets: $3 its JSON (output or error),
 * $4 seconds to pause, $5 the worker that starts it, $6 why it pauses. */
#define RUN_SET_STATUS \
  "     SET status = $2::text, updated_at = " NOW ", " \
  "         started_at = CASE WHEN $2::text = 'RUNNING' THEN coalesce (started_at, " NOW ") " \
  "                      ELSE started_at END, " \
  "         worker_id = CASE WHEN $2::text = 'RUNNING' THEN nullif ($5::bigint, 0) " \
  "                     ELSE worker_id END, " \
  "         output = CASE WHEN $2::text = 'SUCCESS' THEN $3::jsonb ELSE output END, " \
  "         error = CASE WHEN $2::text = 'ERROR' THEN $3::jsonb ELSE error END, " \
  "         pause_reason = CASE WHEN $2::text = 'PAUSED' THEN $6::text " \
  "                        WHEN $2::text = 'RUNNING' THEN NULL ELSE pause_reason END, " \
  "         paused_at = CASE WHEN $2::text = 'PAUSED' THEN " NOW " ELSE paused_at END, " \
  "         resume_at = CASE WHEN $2::text = 'PAUSED' THEN " NOW " + " SECONDS ("$4") " " \
  "                     WHEN $2::text = 'RUNNING' THEN NULL ELSE resume_at END, " \
  "         completed_at = CASE WHEN $2::text IN ('SUCCESS', 'ERROR', 'CANCELLED') THEN " NOW " " \
  "                        ELSE completed_at END "

/* A run transition in one statement: the run's status (RUN_SET_STATUS),
 * when it is one of $7 (text[]) and the fence ($8 message, $9 lease count;
 * $8 = 0: none) is current, the fence held with @lock as the fenced
 * transactions hold it; @more: further common table expressions, which
 * may use "upd", the run changed. */
#define RUN_TRANSITION_DIRECT(lock, more) \
  "WITH fence AS (SELECT 1 FROM " S "pgqrs_messages " \
  "                WHERE id = $8::bigint AND lease_ct = $9::bigint AND archived_at IS NULL " \
  "                  " lock "), " \
  "upd AS (" \
  "  UPDATE " S "pgqrs_workflow_runs " RUN_SET_STATUS \
  "   WHERE id = $1::bigint AND status = ANY ($7::text[]) " \
  "     AND ($8::bigint = 0 OR EXISTS (SELECT 1 FROM fence)) " \
  "  RETURNING *) " \
  more

typedef struct
{
  const char *sql;
  int         n_params;   /* -1: a script, run without parameters and never prepared */
} Statement;

static const Statement statements[PG_N_STMTS] = {
  /* Installs of one schema take turns; the lock goes with the transaction. */
  [PG_STMT_INSTALL_LOCK] = {
    "SELECT pg_advisory_xact_lock (hashtext ('pgqrs'), hashtext ($1::text))", 1 },

  /* What every migration builds on.  DDL cannot be prepared: a script. */
  [PG_STMT_INSTALL_BOOTSTRAP] = {
    "CREATE SCHEMA IF NOT EXISTS " PGQRS_POSTGRES_SCHEMA_MARKER "; "
    "CREATE TABLE IF NOT EXISTS " S "pgqrs_schema_version ("
    "  version     INTEGER     PRIMARY KEY,"
    "  applied_at  TIMESTAMPTZ NOT NULL DEFAULT now ())", -1 },

  [PG_STMT_SCHEMA_VERSION] = {
    "SELECT coalesce (max (version), 0) FROM " S "pgqrs_schema_version", 0 },

  [PG_STMT_SCHEMA_VERSION_RECORD] = {
    "INSERT INTO " S "pgqrs_schema_version (version) VALUES ($1::int)", 1 },

  [PG_STMT_QUEUE_INSERT] = {
    "INSERT INTO " S "pgqrs_queues (queue_name) VALUES ($1::text) "
    "RETURNING id, queue_name, " ISO ("created_at"), 1 },

  [PG_STMT_QUEUE_SELECT] = {
    "SELECT id, queue_name, " ISO ("created_at") " FROM " S "pgqrs_queues "
    " WHERE queue_name = $1::text", 1 },

  /* Enqueues check their queue with a key-share lock: this waits for them
   * and makes the ones that come later fail. */
  [PG_STMT_QUEUE_LOCK] = {
    "SELECT id FROM " S "pgqrs_queues WHERE queue_name = $1::text FOR UPDATE", 1 },

  /* Byte order, as SQLite sorts, whatever the database's collation. */
  [PG_STMT_QUEUE_LIST] = {
    "SELECT id, queue_name, " ISO ("created_at") " FROM " S "pgqrs_queues "
    " ORDER BY queue_name COLLATE \"C\"", 0 },

  [PG_STMT_QUEUE_USAGE] = {
    "SELECT (SELECT count (*) FROM " S "pgqrs_messages WHERE queue_id = $1::bigint), "
    "       (SELECT count (*) FROM " S "pgqrs_workers "
    "         WHERE queue_id = $1::bigint AND status <> 'stopped'), "
    "       (SELECT count (*) FROM " S "pgqrs_workflows WHERE queue_id = $1::bigint)", 1 },

  /* The runs of the workflows bound to the queue, and the runs its
   * messages triggered. */
  [PG_STMT_QUEUE_DELETE_RUNS] = {
    "DELETE FROM " S "pgqrs_workflow_runs "
    " WHERE workflow_id IN (SELECT id FROM " S "pgqrs_workflows WHERE queue_id = $1::bigint) "
    "    OR message_id IN (SELECT id FROM " S "pgqrs_messages WHERE queue_id = $1::bigint)", 1 },

  [PG_STMT_QUEUE_DELETE_WORKFLOWS] = {
    "DELETE FROM " S "pgqrs_workflows WHERE queue_id = $1::bigint", 1 },

  [PG_STMT_QUEUE_DETACH_WORKERS] = {
    "UPDATE " S "pgqrs_workers SET queue_id = NULL WHERE queue_id = $1::bigint", 1 },

  [PG_STMT_QUEUE_DELETE_MESSAGES] = {
    "DELETE FROM " S "pgqrs_messages WHERE queue_id = $1::bigint", 1 },

  [PG_STMT_QUEUE_DELETE] = {
    "DELETE FROM " S "pgqrs_queues WHERE id = $1::bigint", 1 },

  /* The queue's id (NULL: no such queue) and how many messages went; the
   * runs they triggered go with them (ON DELETE CASCADE). */
  [PG_STMT_QUEUE_PURGE] = {
    "WITH q AS (SELECT id FROM " S "pgqrs_queues WHERE queue_name = $1::text), "
    "     runs AS (DELETE FROM " S "pgqrs_workflow_runs WHERE message_id IN "
    "                (SELECT id FROM " S "pgqrs_messages WHERE queue_id = (SELECT id FROM q))), "
    "     gone AS (DELETE FROM " S "pgqrs_messages WHERE queue_id = (SELECT id FROM q) "
    "              RETURNING 1) "
    "SELECT (SELECT id FROM q), (SELECT count (*) FROM gone)", 1 },

  /* A batch in one statement: ids are drawn in input order, returned as
   * one array, and the queue's consumers in other processes are woken
   * when the transaction commits. */
  [PG_STMT_MESSAGE_ENQUEUE] = {
    "WITH ins AS ("
    "  INSERT INTO " S "pgqrs_messages (queue_id, payload, vt, enqueued_at, producer_worker_id) "
    "  SELECT $1::bigint, p.payload, " NOW " + " SECONDS ("$3") ", " NOW ", nullif ($4::bigint, 0) "
    "    FROM unnest ($2::jsonb[]) WITH ORDINALITY AS p (payload, ord) "
    "   ORDER BY p.ord "
    "  RETURNING id) "
    "SELECT array_agg (id ORDER BY id)::text, pg_notify ($5::text, $1::bigint::text) FROM ins", 5 },

  /* The same with an idempotency key per payload ($6): a key that a
   * message of the queue has (archived too), or that an earlier payload of
   * the batch has, gets that message's id, in input order.  A key that
   * another transaction stored after this statement began comes back as
   * NULL (ON CONFLICT does not show the row): the caller runs the
   * statement again, and sees it then. */
  [PG_STMT_MESSAGE_ENQUEUE_KEYED] = {
    "WITH input AS ("
    "  SELECT p.payload, k.key, p.ord "
    "    FROM unnest ($2::jsonb[]) WITH ORDINALITY AS p (payload, ord) "
    "    JOIN unnest ($6::text[]) WITH ORDINALITY AS k (key, ord) USING (ord)), "
    "firsts AS (SELECT DISTINCT ON (key) key, payload, ord FROM input ORDER BY key, ord), "
    "ins AS ("
    "  INSERT INTO " S "pgqrs_messages "
    "         (queue_id, payload, vt, enqueued_at, producer_worker_id, idempotency_key) "
    "  SELECT $1::bigint, f.payload, " NOW " + " SECONDS ("$3") ", " NOW ", nullif ($4::bigint, 0), "
    "         f.key "
    "    FROM firsts f "
    "   WHERE NOT EXISTS (SELECT 1 FROM " S "pgqrs_messages m "
    "                      WHERE m.queue_id = $1::bigint AND m.idempotency_key = f.key) "
    "   ORDER BY f.ord "
    "  ON CONFLICT (queue_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING "
    "  RETURNING id, idempotency_key) "
    "SELECT array_agg (coalesce (ins.id, m.id) ORDER BY i.ord)::text, "
    "       (SELECT pg_notify ($5::text, $1::bigint::text) FROM ins LIMIT 1) "
    "  FROM input i "
    "  LEFT JOIN ins ON ins.idempotency_key = i.key "
    "  LEFT JOIN " S "pgqrs_messages m ON m.queue_id = $1::bigint AND m.idempotency_key = i.key", 6 },

  /* Semantics rules 4 and 7: the window of the first $5 visible messages
   * (rows other consumers hold locked are skipped, not waited for) is
   * leased, except those that used up their reads: they are archived as
   * dead letters.  Returns the leased messages with the number of dead
   * letters, on a row of NULL messages when none was leased, so that the
   * caller can lease again to fill the window.
   *
   * The size of the window, $5, is the last parameter so that it can be
   * written in instead (PG_LEASE_LIMIT_PARAM): see
   * pgqrs-postgres-lease-forms.c. */
  [PG_STMT_MESSAGE_LEASE] = {
    "WITH win AS ("
    "  SELECT id, read_ct FROM " S "pgqrs_messages "
    "   WHERE " VISIBLE " ORDER BY vt, id " PG_LEASE_LIMIT_PARAM " "
    "     FOR UPDATE SKIP LOCKED), "
    "dead AS ("
    "  UPDATE " S "pgqrs_messages m "
    "     SET archived_at = " NOW ", archive_reason = 'dead_letter', leased_at = NULL, "
    "         lease_ct = m.lease_ct + 1 "
    "    FROM win WHERE m.id = win.id AND win.read_ct >= $2::int "
    "  RETURNING m.id), "
    "leased AS ("
    "  UPDATE " S "pgqrs_messages m "
    "     SET vt = " NOW " + " SECONDS ("$3") ", read_ct = m.read_ct + 1, "
    "         lease_ct = m.lease_ct + 1, dequeued_at = coalesce (m.dequeued_at, " NOW "), "
    "         leased_at = " NOW ", consumer_worker_id = nullif ($4::bigint, 0) "
    "    FROM win WHERE m.id = win.id AND win.read_ct < $2::int "
    "  RETURNING " MESSAGE_COLUMNS ("m.") ") "
    "SELECT leased.*, d.n FROM (SELECT count (*) AS n FROM dead) d "
    "  LEFT JOIN leased ON TRUE ORDER BY leased.id", 5 },

  [PG_STMT_MESSAGE_ARCHIVE] = {
    TOKENS
    "hit AS (UPDATE " S "pgqrs_messages m "
    "           SET archived_at = " NOW ", leased_at = NULL, lease_ct = m.lease_ct + 1, "
    "               archive_reason = CASE WHEN $4::boolean THEN 'dead_letter' ELSE 'done' END "
    "          FROM t WHERE " FENCE " " HIT ") "
    ANSWER, 4 },

  [PG_STMT_MESSAGE_DELETE] = {
    TOKENS
    "hit AS (DELETE FROM " S "pgqrs_messages m USING t WHERE " FENCE " " HIT ") "
    ANSWER, 3 },

  [PG_STMT_MESSAGE_RELEASE] = {
    TOKENS
    "hit AS (UPDATE " S "pgqrs_messages m "
    "           SET vt = " NOW " + " SECONDS ("$4") ", leased_at = NULL, consumer_worker_id = NULL, "
    "               lease_ct = m.lease_ct + 1 "
    "          FROM t WHERE " FENCE " " HIT ") "
    ANSWER, 4 },

  [PG_STMT_MESSAGE_EXTEND] = {
    TOKENS
    "hit AS (UPDATE " S "pgqrs_messages m SET vt = m.vt + " SECONDS ("$4") " "
    "          FROM t WHERE " FENCE " " HIT ") "
    ANSWER, 4 },

  /* Whether it was replayed, whether it exists at all; a replayed message
   * is visible now, so its queue's consumers are woken. */
  [PG_STMT_MESSAGE_REPLAY] = {
    "WITH r AS (UPDATE " S "pgqrs_messages "
    "              SET archived_at = NULL, archive_reason = NULL, read_ct = 0, vt = " NOW ", "
    "                  leased_at = NULL, consumer_worker_id = NULL "
    "            WHERE id = $1::bigint AND archived_at IS NOT NULL "
    "           RETURNING queue_id) "
    "SELECT EXISTS (SELECT 1 FROM r), "
    "       EXISTS (SELECT 1 FROM " S "pgqrs_messages WHERE id = $1::bigint), "
    "       (SELECT queue_id FROM r), "
    "       (SELECT pg_notify ($2::text, queue_id::text) FROM r)", 2 },

  /* One pass over the messages of every queue (or of the queue named $1),
   * at one instant (now () is the transaction's), so the counts add up. */
  [PG_STMT_METRICS] = {
    "SELECT q.queue_name, count (m.id), "
    "       count (*) FILTER (WHERE m.archived_at IS NULL AND m.vt <= " NOW "), "
    "       count (*) FILTER (WHERE m.archived_at IS NULL AND m.vt > " NOW " AND m.leased_at IS NULL), "
    "       count (*) FILTER (WHERE m.archived_at IS NULL AND m.vt > " NOW " AND m.leased_at IS NOT NULL), "
    "       count (m.archived_at), "
    "       count (*) FILTER (WHERE m.archive_reason = 'dead_letter'), "
    "       coalesce (extract (epoch FROM " NOW " - min (m.enqueued_at) "
    "                   FILTER (WHERE m.archived_at IS NULL AND m.vt <= " NOW ")), 0)::float8 "
    "  FROM " S "pgqrs_queues q LEFT JOIN " S "pgqrs_messages m ON m.queue_id = q.id "
    " WHERE $1::text IS NULL OR q.queue_name = $1::text "
    " GROUP BY q.id ORDER BY q.queue_name COLLATE \"C\"", 1 },

  [PG_STMT_LIST_ARCHIVED] = {
    "SELECT " MESSAGE_COLUMNS ("") " FROM " S "pgqrs_messages "
    " WHERE archived_at IS NOT NULL "
    "   AND ($1::bigint IS NULL OR queue_id = $1::bigint) "
    "   AND (NOT $2::boolean OR archive_reason = 'dead_letter') "
    " ORDER BY archived_at DESC, id DESC LIMIT $3::bigint OFFSET $4::bigint", 4 },

  [PG_STMT_CLOCK_SET] = {
    "UPDATE " S "pgqrs_clock SET skew_s = $1::float8", 1 },

  /* A workflow executor's lease on its trigger ($1, lease count $2) is
   * still the message's current one.  The row stays locked to the end of
   * the transaction, so that no lease comes between the check and the
   * write it guards (a lease skips locked rows). */
  [PG_STMT_FENCE_CHECK] = {
    "SELECT 1 FROM " S "pgqrs_messages "
    " WHERE id = $1::bigint AND lease_ct = $2::bigint AND archived_at IS NULL FOR SHARE", 2 },

  [PG_STMT_NEXT_VISIBLE] = {
    "SELECT extract (epoch FROM min (vt) - " NOW ")::float8 FROM " S "pgqrs_messages "
    " WHERE queue_id = $1::bigint AND archived_at IS NULL AND vt > " NOW, 1 },

  [PG_STMT_WORKER_INSERT] = {
    "INSERT INTO " S "pgqrs_workers (name, queue_id) VALUES ($1::text, nullif ($2::bigint, 0)) "
    "RETURNING " WORKER_COLUMNS, 2 },

  [PG_STMT_WORKER_REUSE] = {
    "UPDATE " S "pgqrs_workers "
    "   SET queue_id = nullif ($2::bigint, 0), status = 'ready', started_at = " NOW ", "
    "       heartbeat_at = " NOW ", shutdown_at = NULL "
    " WHERE name = $1::text AND status = 'stopped' "
    "RETURNING " WORKER_COLUMNS, 2 },

  [PG_STMT_WORKER_SELECT] = {
    "SELECT " WORKER_COLUMNS " FROM " S "pgqrs_workers WHERE id = $1::bigint", 1 },

  [PG_STMT_WORKER_HEARTBEAT] = {
    "UPDATE " S "pgqrs_workers SET heartbeat_at = " NOW " WHERE id = $1::bigint "
    "RETURNING " WORKER_COLUMNS, 1 },

  /* $3 is a bit mask of the statuses the worker may be leaving; it stops
   * only while it holds no lease.  No row: see PG_STMT_WORKER_STATE. */
  [PG_STMT_WORKER_TRANSITION] = {
    "UPDATE " S "pgqrs_workers "
    "   SET status = $2::text, "
    "       shutdown_at = CASE WHEN $2::text = 'stopped' THEN " NOW " ELSE shutdown_at END "
    " WHERE id = $1::bigint "
    "   AND ($3::int >> CASE status WHEN 'ready' THEN 0 WHEN 'polling' THEN 1 "
    "                               WHEN 'interrupted' THEN 2 WHEN 'suspended' THEN 3 "
    "                               ELSE 4 END) & 1 = 1 "
    "   AND ($2::text <> 'stopped' OR NOT EXISTS (" HELD_BY ("$1::bigint") ")) "
    "RETURNING " WORKER_COLUMNS, 3 },

  /* Why a transition was refused: the worker and its leases. */
  [PG_STMT_WORKER_STATE] = {
    "SELECT " WORKER_COLUMNS ", (SELECT count (*) FROM (" HELD_BY ("w.id") ") held) "
    "  FROM " S "pgqrs_workers w WHERE id = $1::bigint", 1 },

  [PG_STMT_WORKER_LIST] = {
    "SELECT " WORKER_COLUMNS " FROM " S "pgqrs_workers "
    " WHERE $1::bigint IS NULL OR queue_id = $1::bigint ORDER BY name COLLATE \"C\"", 1 },

  /* The workers of every queue (or of the queue named $1) by status, in
   * PgqrsWorkerStatus order, then the stale ones (live, heartbeat older
   * than $2 s), the messages they hold, the oldest live heartbeat's age. */
  [PG_STMT_WORKER_STATS] = {
    "SELECT q.queue_name, "
    "       count (*) FILTER (WHERE w.status = 'ready'), "
    "       count (*) FILTER (WHERE w.status = 'polling'), "
    "       count (*) FILTER (WHERE w.status = 'interrupted'), "
    "       count (*) FILTER (WHERE w.status = 'suspended'), "
    "       count (*) FILTER (WHERE w.status = 'stopped'), "
    "       count (*) FILTER (WHERE w.status <> 'stopped' "
    "                           AND w.heartbeat_at < " NOW " - " SECONDS ("$2") "), "
    "       (SELECT count (*) FROM " S "pgqrs_messages m "
    "         WHERE m.queue_id = q.id AND m.archived_at IS NULL AND m.leased_at IS NOT NULL "
    "           AND m.consumer_worker_id IS NOT NULL AND m.vt > " NOW "), "
    "       coalesce (extract (epoch FROM " NOW " - min (w.heartbeat_at) "
    "                   FILTER (WHERE w.status <> 'stopped')), 0)::float8 "
    "  FROM " S "pgqrs_queues q LEFT JOIN " S "pgqrs_workers w ON w.queue_id = q.id "
    " WHERE $1::text IS NULL OR q.queue_name = $1::text "
    " GROUP BY q.id ORDER BY q.queue_name COLLATE \"C\"", 2 },

  /* Semantics rule 12: stale workers stop, and their leases are released
   * with their read counts kept. */
  [PG_STMT_WORKER_RECLAIM] = {
    "WITH stopped AS ("
    "  UPDATE " S "pgqrs_workers SET status = 'stopped', shutdown_at = " NOW " "
    "   WHERE status <> 'stopped' AND heartbeat_at < " NOW " - " SECONDS ("$1") " "
    "     AND ($2::text IS NULL OR name = $2::text) "
    "  RETURNING id), "
    "released AS ("
    "  UPDATE " S "pgqrs_messages "
    "     SET vt = " NOW ", leased_at = NULL, consumer_worker_id = NULL, lease_ct = lease_ct + 1 "
    "   WHERE archived_at IS NULL AND leased_at IS NOT NULL "
    "     AND consumer_worker_id IN (SELECT id FROM stopped)) "
    "SELECT count (*) FROM stopped", 2 },

  [PG_STMT_WORKFLOW_DEFINE] = {
    "INSERT INTO " S "pgqrs_workflows AS wf (name, queue_id) VALUES ($1::text, $2::bigint) "
    "ON CONFLICT (name) DO UPDATE SET queue_id = coalesce (excluded.queue_id, wf.queue_id)", 2 },

  /* The workflow named $1 (made if new) and its queue.  Locking nothing,
   * runs of one workflow are created side by side; a workflow made by a
   * concurrent transaction since this statement began gives no row, and the
   * caller asks again. */
  [PG_STMT_WORKFLOW_ENSURE] = {
    "WITH ins AS (INSERT INTO " S "pgqrs_workflows (name) VALUES ($1::text) "
    "             ON CONFLICT (name) DO NOTHING RETURNING id, queue_id) "
    "SELECT id, queue_id FROM ins "
    "UNION ALL SELECT id, queue_id FROM " S "pgqrs_workflows WHERE name = $1::text", 1 },

  /* The new run and TRUE; or with a key ($4) that a run of the workflow
   * has, that run and FALSE; no row when a transaction that committed
   * after this statement began made it (run it again). */
  [PG_STMT_RUN_INSERT] = {
    "WITH ins AS ("
    "  INSERT INTO " S "pgqrs_workflow_runs (workflow_id, input, worker_id, idempotency_key) "
    "  VALUES ($1::bigint, $2::jsonb, nullif ($3::bigint, 0), $4::text) "
    "  ON CONFLICT (workflow_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING "
    "  RETURNING id) "
    "SELECT id, TRUE FROM ins "
    "UNION ALL "
    "SELECT id, FALSE FROM " S "pgqrs_workflow_runs "
    " WHERE workflow_id = $1::bigint AND idempotency_key = $4::text", 4 },

  /* A run of workflow $1 (input $2, worker $3) with no trigger and no
   * key, made in one statement when the workflow exists: returns the run,
   * or no row (the transaction that makes the workflow makes the run). */
  [PG_STMT_RUN_INSERT_DIRECT] = {
    "WITH ins AS ("
    "  INSERT INTO " S "pgqrs_workflow_runs (workflow_id, input, worker_id) "
    "  SELECT id, $2::jsonb, nullif ($3::bigint, 0) FROM " S "pgqrs_workflows WHERE name = $1::text "
    "  RETURNING *) "
    RUN_SELECT_FROM ("ins"), 3 },

  /* Run $1's trigger message on queue $2, and the wakeup for it. */
  [PG_STMT_RUN_TRIGGER] = {
    "WITH msg AS ("
    "  INSERT INTO " S "pgqrs_messages (queue_id, payload, vt, enqueued_at, producer_worker_id) "
    "  VALUES ($2::bigint, jsonb_build_object ('workflow', $3::text, 'run_id', $1::bigint), "
    "          " NOW ", " NOW ", nullif ($4::bigint, 0)) "
    "  RETURNING id) "
    "UPDATE " S "pgqrs_workflow_runs r SET message_id = msg.id FROM msg WHERE r.id = $1::bigint "
    "RETURNING pg_notify ($5::text, $2::bigint::text)", 5 },

  [PG_STMT_RUN_SELECT] = {
    RUN_SELECT_FROM (S "pgqrs_workflow_runs") "WHERE r.id = $1::bigint", 1 },

  /* A run's transitions and steps take turns. */
  [PG_STMT_RUN_LOCK] = {
    RUN_SELECT_FROM (S "pgqrs_workflow_runs") "WHERE r.id = $1::bigint FOR UPDATE OF r", 1 },

  [PG_STMT_RUN_SELECT_BY_MESSAGE] = {
    RUN_SELECT_FROM (S "pgqrs_workflow_runs") "WHERE r.message_id = $1::bigint", 1 },

  /* $2 the new status; $3 its JSON (output or error); $4 seconds to
   * pause; $5 the worker that starts it; $6 why it pauses (text, a
   * parameter of its own: a CASE does not keep a constant from being cast
   * to jsonb when the plan is made).  Returns the run. */
  [PG_STMT_RUN_SET_STATUS] = {
    "WITH upd AS ("
    "  UPDATE " S "pgqrs_workflow_runs " RUN_SET_STATUS
    "   WHERE id = $1::bigint "
    "  RETURNING *) "
    RUN_SELECT_FROM ("upd"), 6 },

  /* A transition with no other effect, in one statement
   * (RUN_TRANSITION_DIRECT).  No row: the transaction that locks the run
   * decides. */
  [PG_STMT_RUN_TRANSITION_DIRECT] = {
    RUN_TRANSITION_DIRECT ("FOR SHARE", "")
    RUN_SELECT_FROM ("upd"), 9 },

  /* The same, and the fence's message — the run's trigger — archived as
   * done when the run changed: a run's completion and its trigger's
   * acknowledgement in one statement.  The fence is held for the update
   * that follows (FOR NO KEY UPDATE, as that update takes), so the message
   * the run was checked against is the one archived. */
  [PG_STMT_RUN_TRANSITION_ARCHIVING] = {
    RUN_TRANSITION_DIRECT ("FOR NO KEY UPDATE",
    ", archived AS ("
    "  UPDATE " S "pgqrs_messages m "
    "     SET archived_at = " NOW ", leased_at = NULL, lease_ct = m.lease_ct + 1, "
    "         archive_reason = 'done' "
    "   WHERE m.id = $8::bigint AND EXISTS (SELECT 1 FROM upd) "
    "  RETURNING 1) ")
    RUN_SELECT_FROM ("upd"), 9 },

  /* The run's trigger message becomes visible at $2 (NULL: now), for
   * whichever consumer leases it next.  Its read count starts again: a
   * rescheduled trigger is not a failed delivery, so a run that sleeps or
   * retries often is not dead-lettered for it; and the lease that
   * rescheduled it is fenced off, so a late heartbeat cannot move it. */
  [PG_STMT_RUN_MESSAGE_VISIBLE_AT] = {
    "UPDATE " S "pgqrs_messages "
    "   SET vt = coalesce ($2::timestamptz, " NOW "), read_ct = 0, lease_ct = lease_ct + 1, "
    "       leased_at = NULL, consumer_worker_id = NULL "
    " WHERE id = (SELECT message_id FROM " S "pgqrs_workflow_runs WHERE id = $1::bigint) "
    "   AND archived_at IS NULL", 2 },

  /* A row only when the step is new. */
  [PG_STMT_STEP_INSERT] = {
    "INSERT INTO " S "pgqrs_workflow_steps (run_id, step_name, status, started_at) "
    "VALUES ($1::bigint, $2::text, 'RUNNING', " NOW ") ON CONFLICT (run_id, step_name) DO NOTHING "
    "RETURNING " STEP_COLUMNS, 2 },

  [PG_STMT_STEP_SELECT] = {
    "SELECT " STEP_COLUMNS " FROM " S "pgqrs_workflow_steps "
    " WHERE run_id = $1::bigint AND step_name = $2::text", 2 },

  [PG_STMT_STEP_RESTART] = {
    "UPDATE " S "pgqrs_workflow_steps SET status = 'RUNNING', started_at = " NOW " "
    " WHERE id = $1::bigint RETURNING " STEP_COLUMNS, 1 },

  [PG_STMT_STEP_COMPLETE] = {
    "UPDATE " S "pgqrs_workflow_steps "
    "   SET status = 'SUCCESS', output = $2::jsonb, error = NULL, retry_at = NULL, "
    "       completed_at = " NOW " "
    " WHERE id = $1::bigint AND status = 'RUNNING' RETURNING " STEP_COLUMNS, 2 },

  [PG_STMT_STEP_FAIL_RETRY] = {
    "UPDATE " S "pgqrs_workflow_steps "
    "   SET status = 'ERROR', error = $2::jsonb, retry_count = retry_count + 1, "
    "       retry_at = " NOW " + " SECONDS ("$3") " "
    " WHERE id = $1::bigint AND status = 'RUNNING' RETURNING " STEP_COLUMNS, 3 },

  [PG_STMT_STEP_FAIL_FINAL] = {
    "UPDATE " S "pgqrs_workflow_steps "
    "   SET status = 'ERROR', error = $2::jsonb, retry_at = NULL, completed_at = " NOW " "
    " WHERE id = $1::bigint AND status = 'RUNNING' RETURNING " STEP_COLUMNS, 2 },

  /* $2: PgqrsMessageState bits; pending, delayed and leased as the metrics
   * count them. */
  [PG_STMT_MESSAGE_LIST] = {
    "SELECT " MESSAGE_COLUMNS ("") " FROM " S "pgqrs_messages "
    " WHERE queue_id = $1::bigint AND archived_at IS NULL "
    "   AND (($2::int & 1 <> 0 AND vt <= " NOW ") "
    "     OR ($2::int & 2 <> 0 AND vt > " NOW " AND leased_at IS NULL) "
    "     OR ($2::int & 4 <> 0 AND vt > " NOW " AND leased_at IS NOT NULL)) "
    " ORDER BY vt, id LIMIT $3::bigint OFFSET $4::bigint", 4 },

  [PG_STMT_MESSAGE_GET] = {
    "SELECT " MESSAGE_COLUMNS ("") " FROM " S "pgqrs_messages "
    " WHERE id = $1::bigint AND queue_id = $2::bigint", 2 },

  /* $2: the status names, or NULL for any. */
  [PG_STMT_RUN_LIST] = {
    RUN_SELECT_FROM (S "pgqrs_workflow_runs")
    " WHERE ($1::text IS NULL OR w.name = $1::text) "
    "   AND ($2::text[] IS NULL OR r.status = ANY ($2::text[])) "
    "   AND ($3::timestamptz IS NULL OR r.created_at > $3::timestamptz) "
    "   AND ($4::timestamptz IS NULL OR r.created_at < $4::timestamptz) "
    " ORDER BY r.created_at DESC, r.id DESC LIMIT $5::bigint OFFSET $6::bigint", 6 },

  [PG_STMT_SERVER_INFO] = {
    "SELECT (SELECT coalesce (max (version), 0) FROM " S "pgqrs_schema_version), "
    "       current_setting ('server_version')", 0 },

  [PG_STMT_STEP_LIST] = {
    "SELECT " STEP_COLUMNS " FROM " S "pgqrs_workflow_steps WHERE run_id = $1::bigint ORDER BY id", 1 },

  /* Step $2 of run $1 as STEP_COLUMNS (id NULL when it has no row; its
   * start then is now), the run's status, and whether the fence ($3
   * message, $4 lease count; $3 = 0: none) is current.  A read: what it
   * finds that needs a write goes on to STEP_ACQUIRE. */
  [PG_STMT_STEP_LOOKUP] = {
    "SELECT s.id, r.id, $2::text, s.status, s.output::text, s.error::text, s.retry_count, "
    "       " ISO ("s.retry_at") ", " ISO ("coalesce (s.started_at, " NOW ")") ", "
    "       " ISO ("s.completed_at") ", coalesce (s.retry_at > " NOW ", false), r.status, "
    "       ($3::bigint = 0 OR EXISTS (SELECT 1 FROM " S "pgqrs_messages m "
    "                                   WHERE m.id = $3::bigint AND m.lease_ct = $4::bigint "
    "                                     AND m.archived_at IS NULL)) "
    "  FROM " S "pgqrs_workflow_runs r "
    "  LEFT JOIN " S "pgqrs_workflow_steps s ON s.run_id = r.id AND s.step_name = $2::text "
    " WHERE r.id = $1::bigint", 4 },

  /* A step acquired without a row, finished: inserted SUCCESS with its
   * output ($4) and its start ($3, or now), in one statement that also
   * holds the fence ($5 message, $6 lease count; $5 = 0: none) as the
   * fenced transactions do.  A RUNNING row (acquired with a write by
   * another executor) is completed; any other row is left alone, so a
   * stored output is never replaced.  No row returned: the step was not
   * running, or the fence is gone. */
  [PG_STMT_STEP_RECORD] = {
    "WITH fence AS (SELECT 1 FROM " S "pgqrs_messages "
    "                WHERE id = $5::bigint AND lease_ct = $6::bigint AND archived_at IS NULL "
    "                  FOR SHARE) "
    "INSERT INTO " S "pgqrs_workflow_steps AS s "
    "       (run_id, step_name, status, output, started_at, completed_at) "
    "SELECT $1::bigint, $2::text, 'SUCCESS', $4::jsonb, coalesce ($3::timestamptz, " NOW "), " NOW " "
    " WHERE $5::bigint = 0 OR EXISTS (SELECT 1 FROM fence) "
    "ON CONFLICT (run_id, step_name) DO UPDATE "
    "   SET status = 'SUCCESS', output = excluded.output, error = NULL, retry_at = NULL, "
    "       completed_at = excluded.completed_at "
    " WHERE s.status = 'RUNNING' "
    "RETURNING " STEP_COLUMNS, 6 },
};

const char *
_pgqrs_postgres_statement_sql (PgqrsPostgresStmt stmt)
{
  g_assert (stmt < PG_N_STMTS && statements[stmt].sql != NULL);

  return statements[stmt].sql;
}

int
_pgqrs_postgres_statement_n_params (PgqrsPostgresStmt stmt)
{
  g_assert (stmt < PG_N_STMTS);

  return statements[stmt].n_params;
}

/* Replaces the schema marker with the quoted schema name.  The schema
 * option is validated (letters, digits, '_' and '-'), and quoting keeps
 * its case and its dashes. */
char *
_pgqrs_postgres_qualify (const char *sql,
                         const char *schema)
{
  g_autoptr(GString) quoted = g_string_new (schema);
  g_autoptr(GString) out = g_string_new (sql);

  g_string_replace (quoted, "\"", "\"\"", 0);
  g_string_prepend_c (quoted, '"');
  g_string_append_c (quoted, '"');
  g_string_replace (out, PGQRS_POSTGRES_SCHEMA_MARKER, quoted->str, 0);

  return g_string_free (g_steal_pointer (&out), FALSE);
}
