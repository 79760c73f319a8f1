/* pgqrs-hrana-private.h — a client of the libSQL remote protocol (Hrana over HTTP)
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <json-glib/json-glib.h>

#include "backends/sqlite/pgqrs-sql-db-private.h"

G_BEGIN_DECLS

/* What the server at the other end understands; found out at connect. */
typedef enum
{
  /* sqld and Turso Cloud: /v3/pipeline, streams held by batons, close */
  PGQRS_HRANA_DIALECT_FULL,
  /* tursodb --sync-server: /v2/pipeline with execute and batch only, no
   * batons, every request on one shared connection */
  PGQRS_HRANA_DIALECT_TURSODB,
} PgqrsHranaDialect;

/* One client, used by one thread at a time (the store's owner thread):
 * blocking HTTP requests on a SoupSession of its own.  It is a PgqrsSqlDb,
 * so the SQLite-dialect ops run on it. */
typedef struct _PgqrsHrana PgqrsHrana;

/* @url is the server's base URL (http:// or https://, no path); @token, if
 * not NULL, is sent as "Authorization: Bearer" and appears nowhere else.
 * @timeout_s bounds every request (0: no bound). */
PgqrsHrana        *_pgqrs_hrana_new          (const char   *url,
                                              const char   *token,
                                              guint         timeout_s);
void               _pgqrs_hrana_free         (PgqrsHrana   *self);
/* How long a request refused because another connection holds the write
 * lock is tried again (PgqrsConfig:busy-timeout); 0, the default: not. */
void               _pgqrs_hrana_set_busy_timeout (PgqrsHrana *self,
                                                  guint       busy_timeout_ms);

/* Reaches the server once and learns its dialect: CONNECTION when it
 * cannot be reached or refuses the token. */
gboolean           _pgqrs_hrana_connect      (PgqrsHrana   *self,
                                              GError      **error);
PgqrsHranaDialect  _pgqrs_hrana_get_dialect  (PgqrsHrana   *self);
/* How errors name the server: its URL (never the token). */
const char        *_pgqrs_hrana_get_location (PgqrsHrana   *self);
PgqrsSqlDb        *_pgqrs_hrana_get_db       (PgqrsHrana   *self);
/* For tursodb's one connection shared by several stores: @fd, an open
 * file (the client's own, not shared with another client), is flock()ed
 * for each request and from BEGIN to COMMIT or ROLLBACK. */
void               _pgqrs_hrana_set_connection_lock (PgqrsHrana *self,
                                                     int         fd);
/* Where the requests of a client of tursodb's engine go: called with the
 * connection lock just taken and nothing sent yet, and again with
 * @refused when the engine refused the connection; returns the engine's
 * URL (starting the engine again if it has gone), or NULL with @error. */
typedef char *(*PgqrsHranaLocate) (gpointer   data,
                                   gboolean   refused,
                                   GError   **error);
void               _pgqrs_hrana_set_locator  (PgqrsHrana       *self,
                                              PgqrsHranaLocate  locate,
                                              gpointer          data);
/* Where _pgqrs_sql_prepare() finds the text of a named statement. */
void               _pgqrs_hrana_set_statements (PgqrsHrana *self,
                                                const char *(*statement_sql) (guint id));

/* Hrana statements and values.  Integers travel as decimal strings (a
 * JSON number cannot hold every 64-bit integer), blobs as base64. */
JsonNode          *_pgqrs_hrana_stmt_new     (const char   *sql,
                                              JsonArray    *args);
JsonNode          *_pgqrs_hrana_value_int    (gint64        value);
JsonNode          *_pgqrs_hrana_value_float  (double        value);
JsonNode          *_pgqrs_hrana_value_text   (const char   *value);
JsonNode          *_pgqrs_hrana_value_blob   (GBytes       *value);
JsonNode          *_pgqrs_hrana_value_null   (void);
/* The bytes of a blob value; sqld leaves out base64's "=" padding.  NULL
 * if @value is not a well-formed blob. */
GBytes            *_pgqrs_hrana_value_get_blob (JsonObject *value);

/* Sends @requests (transfer full) as one pipeline on the current stream
 * and returns the "results" array, one entry per request ({"type": "ok",
 * "response": …} or {"type": "error", "error": …}): transport, HTTP and
 * malformed-response failures are errors, a request's own error is not. */
JsonArray         *_pgqrs_hrana_pipeline     (PgqrsHrana   *self,
                                              JsonArray    *requests,
                                              GError      **error);

/* A batch: each step a statement and an optional condition.  Step
 * conditions refer to earlier steps by index. */
JsonNode          *_pgqrs_hrana_cond_ok      (guint         step);
JsonNode          *_pgqrs_hrana_cond_not     (JsonNode     *cond);
void               _pgqrs_hrana_batch_add    (JsonArray    *steps,
                                              JsonNode     *stmt,
                                              JsonNode     *condition);
/* Runs the batch (@steps, transfer full) in one request; the first failed
 * step is the error.  Returns the step results (null for steps that did
 * not run). */
JsonArray         *_pgqrs_hrana_batch        (PgqrsHrana   *self,
                                              JsonArray    *steps,
                                              GError      **error);
/* @statements as one atomic batch: BEGIN, each statement on condition the
 * one before succeeded, COMMIT, and ROLLBACK unless COMMIT succeeded; a
 * failed statement leaves nothing behind. */
gboolean           _pgqrs_hrana_batch_atomic (PgqrsHrana   *self,
                                              GPtrArray    *statements,
                                              GError      **error);

/* Splits an SQL script into complete statements (triggers included). */
GPtrArray         *_pgqrs_hrana_split_script (const char   *sql);

G_END_DECLS
