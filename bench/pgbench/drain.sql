-- pgbench script: the pgqrs PostgreSQL drain loop, statement for statement.
--
-- One pgbench transaction = one lease of :batch messages + one archive of
-- what it leased, each an autocommit statement as pgqrs sends them (run with
-- -M prepared: pgqrs prepares its statements once per connection).  The
-- statements are PG_STMT_MESSAGE_LEASE and PG_STMT_MESSAGE_ARCHIVE of
-- pgqrs/backends/postgres/pgqrs-postgres-statements.c with the schema
-- "public"; bench/run.sh checks them against the library's before every
-- run (pgqrs-bench --scenario statements) and refuses a stale copy.
--
-- pgbench reads ":NAME" as a variable even inside quotes, so the to_char
-- formats spell their colons as ' || ':' || ' (folded to the same constant
-- when the statement is planned).
--
-- The other difference is how the rows leave the server: pgqrs reads every
-- leased row; pgbench can only keep one row of results, so the leased rows
-- are aggregated into the two token arrays the archive needs (the RETURNING
-- list is still computed for every row: a data-modifying CTE always is).
--
-- Variables (-D): qid (queue id), batch, maxread (max-read-count),
-- vis (visibility seconds), worker (0: a one-off consumer, as pgqrs-bench).
WITH dead AS (  UPDATE "public".pgqrs_messages      SET archived_at = now (), archive_reason = 'dead_letter', leased_at = NULL    WHERE id IN (SELECT id FROM "public".pgqrs_messages                  WHERE queue_id = :qid::bigint AND archived_at IS NULL AND vt <= now () AND read_ct >= :maxread::int                    FOR UPDATE SKIP LOCKED)), leased AS (  UPDATE "public".pgqrs_messages      SET vt = now () + (:vis::float8 * interval '1 second'), read_ct = read_ct + 1, lease_ct = lease_ct + 1,          dequeued_at = coalesce (dequeued_at, now ()), leased_at = now (),          consumer_worker_id = nullif (:worker::bigint, 0)    WHERE id IN (SELECT id FROM "public".pgqrs_messages                  WHERE queue_id = :qid::bigint AND archived_at IS NULL AND vt <= now () AND read_ct < :maxread::int                  ORDER BY vt, id LIMIT :batch::int                    FOR UPDATE SKIP LOCKED)   RETURNING id, queue_id, payload::text, to_char (enqueued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24' || ':' || 'MI' || ':' || 'SS.US"Z"'), to_char (vt AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24' || ':' || 'MI' || ':' || 'SS.US"Z"'), to_char (dequeued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24' || ':' || 'MI' || ':' || 'SS.US"Z"'), to_char (archived_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24' || ':' || 'MI' || ':' || 'SS.US"Z"'), archive_reason, read_ct, producer_worker_id, consumer_worker_id, lease_ct) SELECT coalesce (array_agg (id ORDER BY id), '{}')::text AS ids, coalesce (array_agg (lease_ct ORDER BY id), '{}')::text AS lcs FROM leased
\gset
WITH t AS (SELECT id, lease_ct, ord, row_number () OVER (PARTITION BY id ORDER BY ord) AS nth              FROM unnest (:ids::bigint[], :lcs::bigint[]) WITH ORDINALITY AS t (id, lease_ct, ord)), hit AS (UPDATE "public".pgqrs_messages m            SET archived_at = now (), leased_at = NULL,                archive_reason = CASE WHEN false::boolean THEN 'dead_letter' ELSE 'done' END           FROM t WHERE m.id = t.id AND t.nth = 1 AND m.queue_id = :qid::bigint AND m.lease_ct = t.lease_ct AND m.archived_at IS NULL RETURNING m.id) SELECT hit.id IS NOT NULL AND t.nth = 1 FROM t LEFT JOIN hit ON hit.id = t.id ORDER BY t.ord;
