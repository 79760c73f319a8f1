-- The database's clock.  Every statement reads "now" as SQLite's time plus
-- skew_s seconds: 0 in production; the tests move it forward to reach a
-- retry time, a resume time or an expired lease without sleeping.  It lives
-- in the database so that every process on it sees the same time.
CREATE TABLE pgqrs_clock (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  skew_s  REAL    NOT NULL DEFAULT 0
);
INSERT INTO pgqrs_clock (id, skew_s) VALUES (1, 0);
