-- Idempotency keys.  An enqueue (or a run's creation) that carries a key
-- already held by a message of the same queue (a run of the same workflow)
-- gets that message (run) back instead of a new one: a producer that lost
-- its connection half-way retries with the same key and cannot store the
-- message twice.  The key is kept for as long as the row: archived
-- included, until a purge deletes it.
ALTER TABLE pgqrs_messages ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX pgqrs_messages_idempotency
  ON pgqrs_messages (queue_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;

ALTER TABLE pgqrs_workflow_runs ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX pgqrs_workflow_runs_idempotency
  ON pgqrs_workflow_runs (workflow_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
