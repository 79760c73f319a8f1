-- The database's clock.  Every statement reads "now" as the transaction's
-- now () plus skew_s seconds: 0 in production; the tests move it forward to
-- reach a retry time, a resume time or an expired lease without sleeping.
-- It lives in the database, not in session state, so that every process and
-- every pooled connection sees the same time.
CREATE TABLE @SCHEMA@.pgqrs_clock (
  id      INTEGER          PRIMARY KEY CHECK (id = 1),
  skew_s  DOUBLE PRECISION NOT NULL DEFAULT 0
);
INSERT INTO @SCHEMA@.pgqrs_clock (id, skew_s) VALUES (1, 0);
