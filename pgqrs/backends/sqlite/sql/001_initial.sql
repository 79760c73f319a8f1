-- pgqrs schema version 1 for SQLite.
--
-- Times are ISO-8601 UTC text of fixed precision (milliseconds, "Z"), so
-- that text order is time order and every comparison can use an index.
-- Every timestamp comes from SQLite's clock: the database is the one clock.

CREATE TABLE pgqrs_queues (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  queue_name  TEXT    NOT NULL UNIQUE,
  created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE pgqrs_workers (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  name          TEXT    NOT NULL UNIQUE,
  queue_id      INTEGER REFERENCES pgqrs_queues (id) ON DELETE SET NULL,
  started_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  heartbeat_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  shutdown_at   TEXT,
  status        TEXT    NOT NULL DEFAULT 'ready'
                CHECK (status IN ('ready', 'polling', 'interrupted', 'suspended', 'stopped'))
);

CREATE INDEX pgqrs_workers_queue ON pgqrs_workers (queue_id);

CREATE TABLE pgqrs_messages (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  queue_id            INTEGER NOT NULL REFERENCES pgqrs_queues (id),
  payload             TEXT    NOT NULL,
  vt                  TEXT    NOT NULL,
  enqueued_at         TEXT    NOT NULL,
  read_ct             INTEGER NOT NULL DEFAULT 0,
  -- the fencing token of leases: bumped by every lease, release and
  -- reschedule, never reset (replay resets read_ct, not this)
  lease_ct            INTEGER NOT NULL DEFAULT 0,
  dequeued_at         TEXT,
  -- start of the current lease; NULL when not leased (never, or released)
  leased_at           TEXT,
  producer_worker_id  INTEGER REFERENCES pgqrs_workers (id) ON DELETE SET NULL,
  consumer_worker_id  INTEGER REFERENCES pgqrs_workers (id) ON DELETE SET NULL,
  archived_at         TEXT,
  archive_reason      TEXT CHECK (archive_reason IN ('done', 'dead_letter'))
);

-- The lease path: visible messages of a queue, oldest first.
CREATE INDEX pgqrs_messages_visible
  ON pgqrs_messages (queue_id, vt, id) WHERE archived_at IS NULL;

-- Listing the archive, newest first.
CREATE INDEX pgqrs_messages_archived
  ON pgqrs_messages (queue_id, archived_at) WHERE archived_at IS NOT NULL;

-- A worker's leases, for shutdown and reclaim.
CREATE INDEX pgqrs_messages_consumer
  ON pgqrs_messages (consumer_worker_id)
  WHERE archived_at IS NULL AND consumer_worker_id IS NOT NULL;

CREATE TABLE pgqrs_workflows (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  name      TEXT    NOT NULL UNIQUE,
  queue_id  INTEGER REFERENCES pgqrs_queues (id)
);

CREATE TABLE pgqrs_workflow_runs (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  workflow_id   INTEGER NOT NULL REFERENCES pgqrs_workflows (id) ON DELETE CASCADE,
  -- a run outlives its trigger message: a consumer with delete-on-success
  -- deletes the message once the run has ended, and the output must stay;
  -- purging the queue deletes the runs explicitly
  message_id    INTEGER UNIQUE REFERENCES pgqrs_messages (id) ON DELETE SET NULL,
  status        TEXT    NOT NULL DEFAULT 'QUEUED'
                CHECK (status IN ('QUEUED', 'RUNNING', 'PAUSED', 'SUCCESS', 'ERROR',
                                  'CANCELLING', 'CANCELLED')),
  input         TEXT,
  output        TEXT,
  error         TEXT,
  created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  started_at    TEXT,
  paused_at     TEXT,
  completed_at  TEXT,
  worker_id     INTEGER REFERENCES pgqrs_workers (id) ON DELETE SET NULL,
  -- a pause: why, and when the run may go on (durable sleep)
  pause_reason  TEXT,
  resume_at     TEXT
);

CREATE TABLE pgqrs_workflow_steps (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id        INTEGER NOT NULL REFERENCES pgqrs_workflow_runs (id) ON DELETE CASCADE,
  step_name     TEXT    NOT NULL,
  status        TEXT    NOT NULL DEFAULT 'RUNNING'
                CHECK (status IN ('PENDING', 'RUNNING', 'SUCCESS', 'ERROR')),
  input         TEXT,
  output        TEXT,
  error         TEXT,
  started_at    TEXT,
  completed_at  TEXT,
  retry_count   INTEGER NOT NULL DEFAULT 0,
  retry_at      TEXT,
  UNIQUE (run_id, step_name)
);
