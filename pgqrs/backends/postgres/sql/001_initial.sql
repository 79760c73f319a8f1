-- pgqrs schema version 1 for PostgreSQL.
--
-- The same tables, columns and names as the SQLite schema.  @SCHEMA@ is the
-- quoted name of the schema option: every name is qualified with it rather
-- than set through search_path, so that no session state is needed and a
-- transaction-mode pooler can hand each transaction to any server
-- connection.  Every timestamp comes from the database clock (now ()).
--
-- Runs inside the install transaction, after the schema and the version
-- table exist and the install lock is held.

CREATE TABLE @SCHEMA@.pgqrs_queues (
  id          BIGSERIAL   PRIMARY KEY,
  queue_name  TEXT        NOT NULL UNIQUE,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now ()
);

CREATE TABLE @SCHEMA@.pgqrs_workers (
  id            BIGSERIAL   PRIMARY KEY,
  name          TEXT        NOT NULL UNIQUE,
  queue_id      BIGINT      REFERENCES @SCHEMA@.pgqrs_queues (id) ON DELETE SET NULL,
  started_at    TIMESTAMPTZ NOT NULL DEFAULT now (),
  heartbeat_at  TIMESTAMPTZ NOT NULL DEFAULT now (),
  shutdown_at   TIMESTAMPTZ,
  status        TEXT        NOT NULL DEFAULT 'ready'
                CHECK (status IN ('ready', 'polling', 'interrupted', 'suspended', 'stopped'))
);

CREATE INDEX pgqrs_workers_queue ON @SCHEMA@.pgqrs_workers (queue_id);

CREATE TABLE @SCHEMA@.pgqrs_messages (
  id                  BIGSERIAL   PRIMARY KEY,
  queue_id            BIGINT      NOT NULL REFERENCES @SCHEMA@.pgqrs_queues (id),
  payload             JSONB       NOT NULL,
  vt                  TIMESTAMPTZ NOT NULL,
  enqueued_at         TIMESTAMPTZ NOT NULL DEFAULT now (),
  read_ct             INTEGER     NOT NULL DEFAULT 0,
  -- the fencing token of leases: bumped by every lease, release,
  -- reschedule and archive, never reset (replay resets read_ct, not this)
  lease_ct            BIGINT      NOT NULL DEFAULT 0,
  dequeued_at         TIMESTAMPTZ,
  -- start of the current lease; NULL when not leased (never, or released)
  leased_at           TIMESTAMPTZ,
  producer_worker_id  BIGINT      REFERENCES @SCHEMA@.pgqrs_workers (id) ON DELETE SET NULL,
  consumer_worker_id  BIGINT      REFERENCES @SCHEMA@.pgqrs_workers (id) ON DELETE SET NULL,
  archived_at         TIMESTAMPTZ,
  archive_reason      TEXT        CHECK (archive_reason IN ('done', 'dead_letter'))
);

-- The lease path: visible messages of a queue, oldest first.
CREATE INDEX pgqrs_messages_visible
  ON @SCHEMA@.pgqrs_messages (queue_id, vt, id) WHERE archived_at IS NULL;

-- Listing the archive, newest first.
CREATE INDEX pgqrs_messages_archived
  ON @SCHEMA@.pgqrs_messages (queue_id, archived_at) WHERE archived_at IS NOT NULL;

-- A worker's leases, for shutdown and reclaim.
CREATE INDEX pgqrs_messages_consumer
  ON @SCHEMA@.pgqrs_messages (consumer_worker_id)
  WHERE archived_at IS NULL AND consumer_worker_id IS NOT NULL;

CREATE TABLE @SCHEMA@.pgqrs_workflows (
  id        BIGSERIAL PRIMARY KEY,
  name      TEXT      NOT NULL UNIQUE,
  queue_id  BIGINT    REFERENCES @SCHEMA@.pgqrs_queues (id)
);

CREATE TABLE @SCHEMA@.pgqrs_workflow_runs (
  id            BIGSERIAL   PRIMARY KEY,
  workflow_id   BIGINT      NOT NULL REFERENCES @SCHEMA@.pgqrs_workflows (id) ON DELETE CASCADE,
  -- a run outlives its trigger message: a consumer with delete-on-success
  -- deletes the message once the run has ended, and the output must stay;
  -- purging the queue deletes the runs explicitly
  message_id    BIGINT      UNIQUE REFERENCES @SCHEMA@.pgqrs_messages (id) ON DELETE SET NULL,
  status        TEXT        NOT NULL DEFAULT 'QUEUED'
                CHECK (status IN ('QUEUED', 'RUNNING', 'PAUSED', 'SUCCESS', 'ERROR',
                                  'CANCELLING', 'CANCELLED')),
  input         JSONB,
  output        JSONB,
  error         JSONB,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now (),
  updated_at    TIMESTAMPTZ NOT NULL DEFAULT now (),
  started_at    TIMESTAMPTZ,
  paused_at     TIMESTAMPTZ,
  completed_at  TIMESTAMPTZ,
  worker_id     BIGINT      REFERENCES @SCHEMA@.pgqrs_workers (id) ON DELETE SET NULL,
  -- a pause: why, and when the run may go on (durable sleep)
  pause_reason  TEXT,
  resume_at     TIMESTAMPTZ
);

-- Purging or deleting a queue finds the runs of its workflows.
CREATE INDEX pgqrs_workflow_runs_workflow ON @SCHEMA@.pgqrs_workflow_runs (workflow_id);

CREATE TABLE @SCHEMA@.pgqrs_workflow_steps (
  id            BIGSERIAL   PRIMARY KEY,
  run_id        BIGINT      NOT NULL REFERENCES @SCHEMA@.pgqrs_workflow_runs (id) ON DELETE CASCADE,
  step_name     TEXT        NOT NULL,
  status        TEXT        NOT NULL DEFAULT 'RUNNING'
                CHECK (status IN ('PENDING', 'RUNNING', 'SUCCESS', 'ERROR')),
  input         JSONB,
  output        JSONB,
  error         JSONB,
  started_at    TIMESTAMPTZ,
  completed_at  TIMESTAMPTZ,
  retry_count   INTEGER     NOT NULL DEFAULT 0,
  retry_at      TIMESTAMPTZ,
  UNIQUE (run_id, step_name)
);
