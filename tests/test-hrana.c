/* test-hrana.c — the libSQL remote-protocol client against sqld, tursodb
 * and a loopback HTTP server that misbehaves on purpose
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/file.h>

#include "pgqrs-error.h"
#include "backends/libsql/pgqrs-hrana-private.h"
#include "backends/libsql/pgqrs-libsql-db-private.h"
#include "backends/libsql/pgqrs-libsql-dsn-private.h"
#include "backends/libsql/pgqrs-turso-engine-private.h"
#include "test-libsql-server.h"

/* The engines: sqld started by the test, or tursodb started by the client's
 * own launcher (the same one turso:///path stores use). */
typedef enum
{
  ENGINE_SQLD,
  ENGINE_TURSODB,
} Engine;

typedef struct
{
  Engine            engine;
  PgqrsTursoEngine *turso;
  char             *turso_url;
  const char       *url;
  PgqrsHrana       *client;
  PgqrsSqlDb       *db;
} Fixture;

static guint file_serial;

/* A client of @url that has reached it (a fake server answers the probe
 * with its first response), each request bounded by @timeout_s. */
static PgqrsHrana *
connect_with_timeout (const char *url,
                      const char *token,
                      guint       timeout_s)
{
  g_autoptr(GError) error = NULL;
  PgqrsHrana *client = _pgqrs_hrana_new (url, token, timeout_s);

  _pgqrs_hrana_connect (client, &error);
  g_assert_no_error (error);

  return client;
}

static PgqrsHrana *
connect_to (const char *url,
            const char *token)
{
  return connect_with_timeout (url, token, 10);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->engine = GPOINTER_TO_INT (data);

  if (f->engine == ENGINE_SQLD)
    f->url = pgqrs_test_sqld_start (FALSE, NULL);
  else
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = g_strdup_printf ("%s/hrana-%u.db", pgqrs_test_tmp_dir (), ++file_serial);

      f->turso = _pgqrs_turso_engine_start (path, &error);
      g_assert_no_error (error);
      f->url = f->turso_url = _pgqrs_turso_engine_get_url (f->turso, NULL);
    }

  f->client = connect_to (f->url, NULL);
  f->db = _pgqrs_hrana_get_db (f->client);
  g_assert_cmpint (_pgqrs_hrana_get_dialect (f->client), ==,
                   f->engine == ENGINE_SQLD ? PGQRS_HRANA_DIALECT_FULL
                                            : PGQRS_HRANA_DIALECT_TURSODB);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->client, _pgqrs_hrana_free);
  g_clear_pointer (&f->turso, _pgqrs_turso_engine_stop);
  g_clear_pointer (&f->turso_url, g_free);
}

static void
exec_ok (PgqrsSqlDb *db,
         const char *sql)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (_pgqrs_sql_exec (db, sql, &error));
  g_assert_no_error (error);
}

/* The first column of the first row of @sql, as an integer. */
static gint64
query_int (PgqrsSqlDb *db,
           const char *sql)
{
  g_autoptr(GError) error = NULL;
  PgqrsSqlStmt *stmt = _pgqrs_sql_prepare_sql (db, 1000, sql, &error);
  gint64 value;

  g_assert_no_error (error);
  g_assert_cmpint (_pgqrs_sql_step (db, stmt, &error), ==, PGQRS_SQL_ROW);
  g_assert_no_error (error);
  value = _pgqrs_sql_column_int64 (stmt, 0);
  _pgqrs_sql_reset (stmt);

  return value;
}

/* Integers travel as strings, so every 64-bit value survives; floats,
 * text (any Unicode, quotes, NUL-free) and NULL keep their types. */
static void
test_values (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  PgqrsSqlStmt *stmt;

  stmt = _pgqrs_sql_prepare_sql (f->db, 1, "SELECT ?, ?, ?, ?, ?, ?, 9007199254740993", &error);
  g_assert_no_error (error);
  _pgqrs_sql_bind_int64 (stmt, 1, G_MAXINT64);
  _pgqrs_sql_bind_int64 (stmt, 2, G_MININT64);
  _pgqrs_sql_bind_double (stmt, 3, 0.1);
  /* every control character, which JSON strings must escape */
  _pgqrs_sql_bind_text (stmt, 4, "naïve “quoted” 'text'; 🚀 \x01\x1f\n\t\\\"");
  _pgqrs_sql_bind_null (stmt, 5);
  _pgqrs_sql_bind_text (stmt, 6, NULL);

  g_assert_cmpint (_pgqrs_sql_step (f->db, stmt, &error), ==, PGQRS_SQL_ROW);
  g_assert_no_error (error);
  g_assert_cmpint (_pgqrs_sql_column_type (stmt, 0), ==, PGQRS_SQL_INTEGER);
  g_assert_cmpint (_pgqrs_sql_column_int64 (stmt, 0), ==, G_MAXINT64);
  g_assert_cmpint (_pgqrs_sql_column_int64 (stmt, 1), ==, G_MININT64);
  g_assert_cmpint (_pgqrs_sql_column_type (stmt, 2), ==, PGQRS_SQL_FLOAT);
  g_assert_cmpfloat (_pgqrs_sql_column_double (stmt, 2), ==, 0.1);
  g_assert_cmpint (_pgqrs_sql_column_type (stmt, 3), ==, PGQRS_SQL_TEXT);
  g_assert_cmpstr (_pgqrs_sql_column_text (stmt, 3), ==, "naïve “quoted” 'text'; 🚀 \x01\x1f\n\t\\\"");
  g_assert_cmpint (_pgqrs_sql_column_type (stmt, 4), ==, PGQRS_SQL_NULL);
  g_assert_null (_pgqrs_sql_column_text (stmt, 4));
  g_assert_cmpint (_pgqrs_sql_column_int64 (stmt, 4), ==, 0);
  g_assert_cmpint (_pgqrs_sql_column_type (stmt, 5), ==, PGQRS_SQL_NULL);
  /* 2^53 + 1: a JSON number would have lost the last bit */
  g_assert_cmpint (_pgqrs_sql_column_int64 (stmt, 6), ==, G_GINT64_CONSTANT (9007199254740993));
  /* SQLite's conversions: an integer read as a double, as text */
  g_assert_cmpfloat (_pgqrs_sql_column_double (stmt, 6), ==, 9007199254740993.0);
  g_assert_cmpstr (_pgqrs_sql_column_text (stmt, 6), ==, "9007199254740993");
  g_assert_cmpint (_pgqrs_sql_step (f->db, stmt, &error), ==, PGQRS_SQL_DONE);
  g_assert_no_error (error);
}

/* A parameter left unbound is NULL, as in SQLite: sqld refuses a
 * statement sent with fewer values than it has parameters, so the client
 * counts them (not those in strings or comments). */
static void
test_unbound_parameters (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  PgqrsSqlStmt *stmt;

  stmt = _pgqrs_sql_prepare_sql (f->db, 1, "SELECT ?1, ?3 /* ?9 */, '?7', \"?8\" -- ?6\n FROM (SELECT 1 AS \"?8\")",
                             &error);
  _pgqrs_sql_bind_int (stmt, 1, 7);
  g_assert_cmpint (_pgqrs_sql_step (f->db, stmt, &error), ==, PGQRS_SQL_ROW);
  g_assert_no_error (error);
  g_assert_cmpint (_pgqrs_sql_column_int (stmt, 0), ==, 7);
  g_assert_cmpint (_pgqrs_sql_column_type (stmt, 1), ==, PGQRS_SQL_NULL);
  g_assert_cmpstr (_pgqrs_sql_column_text (stmt, 2), ==, "?7");
  g_assert_cmpint (_pgqrs_sql_column_int (stmt, 3), ==, 1);

  stmt = _pgqrs_sql_prepare_sql (f->db, 2, "SELECT ?, ?", &error);
  _pgqrs_sql_bind_int (stmt, 2, 5);
  g_assert_cmpint (_pgqrs_sql_step (f->db, stmt, &error), ==, PGQRS_SQL_ROW);
  g_assert_no_error (error);
  g_assert_cmpint (_pgqrs_sql_column_type (stmt, 0), ==, PGQRS_SQL_NULL);
  g_assert_cmpint (_pgqrs_sql_column_int (stmt, 1), ==, 5);
}

/* Blobs travel as base64, through the plain pipeline call. */
static void
test_blob (Fixture       *f,
           gconstpointer  data)
{
  static const guint8 bytes[] = { 0, 1, 2, 0xfe, 0xff, '"', '\\' };
  g_autoptr(GBytes) blob = g_bytes_new_static (bytes, sizeof bytes);
  g_autoptr(JsonArray) requests = json_array_new ();
  g_autoptr(JsonArray) args = json_array_new ();
  g_autoptr(JsonArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) decoded = NULL;
  JsonObject *request = json_object_new ();
  JsonObject *value;

  json_array_add_element (args, _pgqrs_hrana_value_blob (blob));
  json_object_set_string_member (request, "type", "execute");
  json_object_set_member (request, "stmt", _pgqrs_hrana_stmt_new ("SELECT ?, length(?1)", args));
  json_array_add_object_element (requests, request);
  if (_pgqrs_hrana_get_dialect (f->client) == PGQRS_HRANA_DIALECT_FULL)
    {
      JsonObject *close = json_object_new ();

      json_object_set_string_member (close, "type", "close");
      json_array_add_object_element (requests, close);
    }

  results = _pgqrs_hrana_pipeline (f->client, g_steal_pointer (&requests), &error);
  g_assert_no_error (error);
  value = json_array_get_object_element (
            json_array_get_array_element (
              json_object_get_array_member (
                json_object_get_object_member (
                  json_object_get_object_member (json_array_get_object_element (results, 0), "response"),
                  "result"),
                "rows"),
              0),
            0);
  g_assert_cmpstr (json_object_get_string_member (value, "type"), ==, "blob");
  decoded = _pgqrs_hrana_value_get_blob (value);
  g_assert_nonnull (decoded);
  g_assert_cmpmem (g_bytes_get_data (decoded, NULL), g_bytes_get_size (decoded), bytes, sizeof bytes);
}

/* A statement's first step runs it; the next steps walk its rows; reset
 * and new bindings run it again. */
static void
test_rows_and_changes (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  PgqrsSqlStmt *stmt;
  guint64 total;
  int rc;
  guint n = 0;

  exec_ok (f->db, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
                  "INSERT INTO t (name) VALUES ('a'), ('b'), ('c');");

  stmt = _pgqrs_sql_prepare_sql (f->db, 2, "SELECT id, name FROM t WHERE id >= ? ORDER BY id", &error);
  g_assert_no_error (error);
  _pgqrs_sql_bind_int (stmt, 1, 2);
  while ((rc = _pgqrs_sql_step (f->db, stmt, &error)) == PGQRS_SQL_ROW)
    {
      g_assert_cmpint (_pgqrs_sql_column_int (stmt, 0), ==, 2 + n);
      g_assert_cmpstr (_pgqrs_sql_column_text (stmt, 1), ==, n == 0 ? "b" : "c");
      n++;
    }
  g_assert_no_error (error);
  g_assert_cmpint (rc, ==, PGQRS_SQL_DONE);
  g_assert_cmpuint (n, ==, 2);

  /* the same named statement, prepared again: fresh bindings */
  stmt = _pgqrs_sql_prepare_sql (f->db, 2, "SELECT id, name FROM t WHERE id >= ? ORDER BY id", &error);
  _pgqrs_sql_bind_int (stmt, 1, 3);
  g_assert_cmpint (_pgqrs_sql_step (f->db, stmt, &error), ==, PGQRS_SQL_ROW);
  g_assert_cmpint (_pgqrs_sql_column_int (stmt, 0), ==, 3);
  g_assert_cmpint (_pgqrs_sql_step (f->db, stmt, &error), ==, PGQRS_SQL_DONE);

  /* change counts, which tursodb does not report in its results */
  stmt = _pgqrs_sql_prepare_sql (f->db, 3, "UPDATE t SET name = name || '!' WHERE id <= ?", &error);
  _pgqrs_sql_bind_int (stmt, 1, 2);
  total = f->db->total_changes;
  g_assert_cmpint (_pgqrs_sql_step (f->db, stmt, &error), ==, PGQRS_SQL_DONE);
  g_assert_no_error (error);
  g_assert_cmpint (_pgqrs_sql_changes (f->db), ==, 2);
  g_assert_cmpuint (f->db->total_changes, ==, total + 2);

  stmt = _pgqrs_sql_prepare_sql (f->db, 4, "DELETE FROM t WHERE id > ? RETURNING id", &error);
  _pgqrs_sql_bind_int (stmt, 1, 100);
  g_assert_cmpint (_pgqrs_sql_step (f->db, stmt, &error), ==, PGQRS_SQL_DONE);
  g_assert_cmpint (_pgqrs_sql_changes (f->db), ==, 0);
  g_assert_cmpuint (f->db->total_changes, ==, total + 2);
}

/* Requests a second, for the documentation's figure: `meson test -C build
 * hrana -v` prints it for each engine. */
static void
test_request_rate (Fixture       *f,
                   gconstpointer  data)
{
  const guint n = 100;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    g_assert_cmpint (query_int (f->db, "SELECT 1"), ==, 1);
  g_test_message ("%s: %.0f statements a second, one request each",
                  f->engine == ENGINE_SQLD ? "sqld" : "tursodb",
                  n / ((g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC));
}

/* BEGIN … COMMIT spans requests: on sqld through the baton, on tursodb
 * through its one shared connection. */
static void
test_transactions (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  PgqrsSqlStmt *stmt;

  exec_ok (f->db, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)");

  g_assert_true (_pgqrs_sql_begin (f->db, &error));
  g_assert_no_error (error);
  stmt = _pgqrs_sql_prepare_sql (f->db, 1, "INSERT INTO t (name) VALUES (?)", &error);
  _pgqrs_sql_bind_text (stmt, 1, "rolled back");
  g_assert_cmpint (_pgqrs_sql_step (f->db, stmt, &error), ==, PGQRS_SQL_DONE);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (f->db, "SELECT count(*) FROM t"), ==, 1);
  _pgqrs_sql_rollback (f->db);
  g_assert_cmpint (query_int (f->db, "SELECT count(*) FROM t"), ==, 0);

  g_assert_true (_pgqrs_sql_begin (f->db, &error));
  stmt = _pgqrs_sql_prepare_sql (f->db, 1, "INSERT INTO t (name) VALUES (?)", &error);
  _pgqrs_sql_bind_text (stmt, 1, "kept");
  g_assert_cmpint (_pgqrs_sql_step (f->db, stmt, &error), ==, PGQRS_SQL_DONE);

  if (f->engine == ENGINE_SQLD)
    {
      /* another client sees nothing before the commit */
      PgqrsHrana *other = connect_to (f->url, NULL);

      g_assert_cmpint (query_int (_pgqrs_hrana_get_db (other), "SELECT count(*) FROM t"), ==, 0);
      _pgqrs_hrana_free (other);
    }

  g_assert_true (_pgqrs_sql_commit (f->db, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (f->db, "SELECT count(*) FROM t"), ==, 1);

  /* a failed statement inside leaves the transaction to roll back */
  g_assert_true (_pgqrs_sql_begin (f->db, &error));
  stmt = _pgqrs_sql_prepare_sql (f->db, 1, "INSERT INTO t (name) VALUES (?)", &error);
  _pgqrs_sql_bind_text (stmt, 1, "gone");
  g_assert_cmpint (_pgqrs_sql_step (f->db, stmt, &error), ==, PGQRS_SQL_DONE);
  stmt = _pgqrs_sql_prepare_sql (f->db, 5, "INSERT INTO nosuch VALUES (1)", &error);
  g_assert_cmpint (_pgqrs_sql_step (f->db, stmt, &error), ==, 0);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_SCHEMA_MISSING);
  g_clear_error (&error);
  _pgqrs_sql_rollback (f->db);
  g_assert_cmpint (query_int (f->db, "SELECT count(*) FROM t"), ==, 1);
}

/* Errors keep the server's message; constraints are CONFLICT with SQLite's
 * extended code, as on the SQLite backend. */
static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  PgqrsSqlStmt *stmt;

  exec_ok (f->db, "PRAGMA foreign_keys = ON");
  exec_ok (f->db, "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT UNIQUE);"
                  "CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER NOT NULL REFERENCES p (id));"
                  "INSERT INTO p (id, name) VALUES (1, 'one');");

  _pgqrs_sql_set_operation (f->db, "add a thing");
  stmt = _pgqrs_sql_prepare_sql (f->db, 1, "INSERT INTO p (name) VALUES (?)", &error);
  _pgqrs_sql_bind_text (stmt, 1, "one");
  g_assert_cmpint (_pgqrs_sql_step (f->db, stmt, &error), ==, 0);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "UNIQUE constraint failed"));
  g_assert_true (g_str_has_prefix (error->message, "Cannot add a thing in http://127.0.0.1:"));
  g_assert_cmpint (_pgqrs_sql_errcode (f->db), ==, SQLITE_CONSTRAINT_UNIQUE);
  g_clear_error (&error);

  stmt = _pgqrs_sql_prepare_sql (f->db, 2, "INSERT INTO c (p) VALUES (?)", &error);
  _pgqrs_sql_bind_int (stmt, 1, 42);
  g_assert_cmpint (_pgqrs_sql_step (f->db, stmt, &error), ==, 0);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CONFLICT);
  g_assert_cmpint (_pgqrs_sql_errcode (f->db), ==, SQLITE_CONSTRAINT_FOREIGNKEY);
  g_clear_error (&error);
  _pgqrs_sql_set_operation (f->db, NULL);

  stmt = _pgqrs_sql_prepare_sql (f->db, 3, "SELECT * FROM pgqrs_nothing", &error);
  g_assert_cmpint (_pgqrs_sql_step (f->db, stmt, &error), ==, 0);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_SCHEMA_MISSING);
  g_clear_error (&error);

  stmt = _pgqrs_sql_prepare_sql (f->db, 4, "SELEKT 1", &error);
  g_assert_cmpint (_pgqrs_sql_step (f->db, stmt, &error), ==, 0);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_DATABASE);
  g_clear_error (&error);

  /* and the client goes on */
  g_assert_cmpint (query_int (f->db, "SELECT count(*) FROM p"), ==, 1);
}

/* A script runs as one batch whose steps each wait for the one before: a
 * failing step is the error, and the steps before it are undone. */
static void
test_batch_step_error (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) steps = json_array_new ();
  g_autoptr(JsonArray) results = NULL;

  exec_ok (f->db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);"
                  "CREATE TRIGGER t_upper AFTER INSERT ON t BEGIN"
                  "  UPDATE t SET v = upper(v) WHERE id = new.id;"
                  "END;"
                  "INSERT INTO t (v) VALUES ('semi;colon');");
  g_assert_cmpint (query_int (f->db, "SELECT count(*) FROM t WHERE v = 'SEMI;COLON'"), ==, 1);

  g_assert_false (_pgqrs_sql_exec (f->db, "INSERT INTO t (v) VALUES ('two');"
                                          "INSERT INTO t (v) VALUES (NULL);"
                                          "INSERT INTO t (v) VALUES ('four');", &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "NOT NULL constraint failed"));
  g_clear_error (&error);
  g_assert_cmpint (query_int (f->db, "SELECT count(*) FROM t"), ==, 1);

  /* the plain batch: the step after the failed one does not run, the
   * one conditioned on its failure does */
  _pgqrs_hrana_batch_add (steps, _pgqrs_hrana_stmt_new ("SELECT 1", NULL), NULL);
  _pgqrs_hrana_batch_add (steps, _pgqrs_hrana_stmt_new ("SELECT * FROM nosuch", NULL),
                          _pgqrs_hrana_cond_ok (0));
  _pgqrs_hrana_batch_add (steps, _pgqrs_hrana_stmt_new ("INSERT INTO t (v) VALUES ('skipped')", NULL),
                          _pgqrs_hrana_cond_ok (1));
  _pgqrs_hrana_batch_add (steps, _pgqrs_hrana_stmt_new ("INSERT INTO t (v) VALUES ('else')", NULL),
                          _pgqrs_hrana_cond_not (_pgqrs_hrana_cond_ok (1)));
  results = _pgqrs_hrana_batch (f->client, g_steal_pointer (&steps), &error);
  g_assert_null (results);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_SCHEMA_MISSING);
  g_assert_nonnull (strstr (error->message, "nosuch"));
  g_assert_cmpint (query_int (f->db, "SELECT count(*) FROM t WHERE v = 'SKIPPED'"), ==, 0);
  g_assert_cmpint (query_int (f->db, "SELECT count(*) FROM t WHERE v = 'ELSE'"), ==, 1);
}

static void
test_split_script (void)
{
  g_autoptr(GPtrArray) parts = _pgqrs_hrana_split_script (
    "-- a comment; with a semicolon\n"
    "CREATE TABLE a (x TEXT DEFAULT ';');\n"
    "CREATE TRIGGER tr AFTER INSERT ON a BEGIN\n"
    "  INSERT INTO a VALUES ('x;y');\n"
    "  DELETE FROM a WHERE x = ';';\n"
    "END;\n"
    ";\n"
    "SELECT 'last' /* no semicolon */");

  g_assert_cmpuint (parts->len, ==, 3);
  g_assert_true (g_str_has_suffix (g_ptr_array_index (parts, 0), "DEFAULT ';');"));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (parts, 1), "CREATE TRIGGER"));
  g_assert_true (g_str_has_suffix (g_ptr_array_index (parts, 1), "END;"));
  g_assert_cmpstr (g_ptr_array_index (parts, 2), ==, "SELECT 'last' /* no semicolon */");
}

/* sqld with --auth-jwt-key-file: no token and a wrong token are refused
 * with the server's reason; the token is never in the message. */
static void
test_token (void)
{
  const char *token = NULL;
  const char *url = pgqrs_test_sqld_start (TRUE, &token);
  const char *bad = pgqrs_test_sqld_bad_token ();
  g_autoptr(GError) error = NULL;
  PgqrsHrana *client;

  client = _pgqrs_hrana_new (url, NULL, 10);
  g_assert_false (_pgqrs_hrana_connect (client, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, "HTTP 401"));
  g_assert_nonnull (strstr (error->message, "without a token"));
  g_clear_error (&error);
  _pgqrs_hrana_free (client);

  client = _pgqrs_hrana_new (url, bad, 10);
  g_assert_false (_pgqrs_hrana_connect (client, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "HTTP 401"));
  g_assert_nonnull (strstr (error->message, "refused the authentication token"));
  g_assert_null (strstr (error->message, bad));
  g_assert_null (strstr (error->message, strrchr (bad, '.') + 1));
  g_clear_error (&error);
  _pgqrs_hrana_free (client);

  client = connect_to (url, token);
  g_assert_cmpint (query_int (_pgqrs_hrana_get_db (client), "SELECT 40 + 2"), ==, 42);
  _pgqrs_hrana_free (client);
}

static void
test_unreachable (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  PgqrsHrana *client;
  guint16 port;

  /* a port that was free a moment ago and has no listener now */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);

  client = _pgqrs_hrana_new (url, "secret-token", 10);
  g_assert_false (_pgqrs_hrana_connect (client, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, url));
  g_assert_null (strstr (error->message, "secret-token"));
  _pgqrs_hrana_free (client);
}

/* A loopback HTTP server that answers every request with one canned
 * response, or a sequence of them. */
typedef struct
{
  GThreadedSocketService *service;
  char                   *url;
  GPtrArray              *responses;   /* raw HTTP, one per request; the last repeats;
                                        "": no answer for 2 s */
  guint                   served;
  GMutex                  lock;
  GMainContext           *context;     /* the server's thread's: it accepts there */
  GMainLoop              *loop;
  GThread                *thread;
} FakeServer;

static gboolean
fake_run (GThreadedSocketService *service,
          GSocketConnection      *connection,
          GObject                *source,
          gpointer                user_data)
{
  FakeServer *fake = user_data;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GString) request = g_string_new (NULL);
  const char *response;
  char buffer[4096];
  gssize n;
  gsize header_end = 0;
  gsize content_length = 0;

  /* the headers, then as many bytes of body as they announce */
  while ((n = g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL)) > 0)
    {
      const char *end;

      g_string_append_len (request, buffer, n);
      if (header_end == 0 && (end = strstr (request->str, "\r\n\r\n")))
        {
          const char *length = strstr (request->str, "Content-Length: ");

          header_end = end - request->str + 4;
          if (length != NULL)
            content_length = g_ascii_strtoull (length + strlen ("Content-Length: "), NULL, 10);
        }
      if (header_end != 0 && request->len >= header_end + content_length)
        break;
    }

  g_mutex_lock (&fake->lock);
  response = g_ptr_array_index (fake->responses, MIN (fake->served, fake->responses->len - 1));
  fake->served++;
  g_mutex_unlock (&fake->lock);

  /* "": a server that takes the request and never answers in time */
  if (response[0] == '\0')
    g_usleep (2 * G_USEC_PER_SEC);
  else
    g_output_stream_write_all (out, response, strlen (response), NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  return TRUE;
}

static char *
http_response (const char *status,
               const char *body,
               gssize      announced_length)
{
  return g_strdup_printf ("HTTP/1.1 %s\r\nContent-Type: application/json\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\nConnection: close\r\n\r\n%s",
                          status, announced_length >= 0 ? (gsize)announced_length : strlen (body),
                          body);
}

static gpointer
fake_server_thread (gpointer data)
{
  FakeServer *fake = data;

  g_main_context_push_thread_default (fake->context);
  g_main_loop_run (fake->loop);
  g_main_context_pop_thread_default (fake->context);

  return NULL;
}

/* The client blocks its thread while it waits for an answer, so the
 * server accepts in a thread and main context of its own. */
static FakeServer *
fake_server_new (void)
{
  FakeServer *fake = g_new0 (FakeServer, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_mutex_init (&fake->lock);
  fake->responses = g_ptr_array_new_with_free_func (g_free);
  fake->context = g_main_context_new ();
  fake->loop = g_main_loop_new (fake->context, FALSE);

  g_main_context_push_thread_default (fake->context);
  fake->service = G_THREADED_SOCKET_SERVICE (g_threaded_socket_service_new (4));
  g_socket_listener_add_address (G_SOCKET_LISTENER (fake->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  fake->url = g_strdup_printf ("http://127.0.0.1:%u",
                               g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_signal_connect (fake->service, "run", G_CALLBACK (fake_run), fake);
  g_socket_service_start (G_SOCKET_SERVICE (fake->service));
  g_main_context_pop_thread_default (fake->context);

  fake->thread = g_thread_new ("fake-http", fake_server_thread, fake);

  return fake;
}

static void
fake_server_free (FakeServer *fake)
{
  g_main_loop_quit (fake->loop);
  g_thread_join (fake->thread);
  g_main_context_push_thread_default (fake->context);
  g_socket_service_stop (G_SOCKET_SERVICE (fake->service));
  g_socket_listener_close (G_SOCKET_LISTENER (fake->service));
  g_object_unref (fake->service);
  g_main_context_pop_thread_default (fake->context);
  g_main_loop_unref (fake->loop);
  g_main_context_unref (fake->context);
  g_ptr_array_unref (fake->responses);
  g_mutex_clear (&fake->lock);
  g_free (fake->url);
  g_free (fake);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeServer, fake_server_free)

/* What a good probe answer looks like, so that connect succeeds first. */
#define PROBE_OK \
  "{\"baton\":null,\"base_url\":null,\"results\":[" \
  "{\"type\":\"ok\",\"response\":{\"type\":\"execute\",\"result\":{\"cols\":[],\"rows\":[[{\"type\":\"integer\",\"value\":\"1\"}]]," \
  "\"affected_row_count\":0}}},{\"type\":\"ok\",\"response\":{\"type\":\"close\"}}]}"

typedef struct
{
  const char *name;
  const char *status;
  const char *body;
  gssize      announced;     /* -1: the body's length */
  const char *expected;      /* in the message */
} BadAnswer;

static const BadAnswer bad_answers[] = {
  { "not-json", "200 OK", "this is not JSON", -1, "malformed response" },
  { "truncated", "200 OK", "{\"baton\":null,\"results\":[{\"type\":\"ok\",\"resp", 400, "malformed response" },
  { "not-an-object", "200 OK", "[1, 2]", -1, "not a JSON object" },
  { "no-results", "200 OK", "{\"baton\":null}", -1, "do not match the requests" },
  { "too-few-results", "200 OK", "{\"baton\":null,\"results\":[]}", -1, "do not match the requests" },
  { "bad-result", "200 OK", "{\"baton\":null,\"results\":[{\"type\":\"maybe\"},{\"type\":\"ok\",\"response\":{}}]}",
    -1, "neither ok nor an error" },
  { "no-rows", "200 OK", "{\"baton\":null,\"results\":[{\"type\":\"ok\",\"response\":{\"type\":\"batch\","
    "\"result\":{\"step_results\":[{}],\"step_errors\":[null]}}},"
    "{\"type\":\"ok\",\"response\":{\"type\":\"close\"}}]}", -1, "has no rows" },
  { "steps-mismatch", "200 OK", "{\"baton\":null,\"results\":[{\"type\":\"ok\",\"response\":{\"type\":\"batch\","
    "\"result\":{\"step_results\":[],\"step_errors\":[]}}},"
    "{\"type\":\"ok\",\"response\":{\"type\":\"close\"}}]}", -1, "does not match its steps" },
  { "http-500", "500 Internal Server Error", "{\"error\":\"disk on fire\"}", -1, "HTTP 500" },
  { "http-503", "503 Service Unavailable", "overloaded, retry later", -1, "overloaded" },
};

static void
test_bad_answer (gconstpointer data)
{
  const BadAnswer *bad = data;
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(GError) error = NULL;
  PgqrsHrana *client;
  PgqrsSqlStmt *stmt;

  g_ptr_array_add (fake->responses, http_response ("200 OK", PROBE_OK, -1));
  g_ptr_array_add (fake->responses, http_response (bad->status, bad->body, bad->announced));

  client = connect_to (fake->url, "fake-secret");

  stmt = _pgqrs_sql_prepare_sql (_pgqrs_hrana_get_db (client), 1, "SELECT 1", &error);
  g_assert_cmpint (_pgqrs_sql_step (_pgqrs_hrana_get_db (client), stmt, &error), ==, 0);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION);
  g_test_message ("%s: %s", bad->name, error->message);
  g_assert_nonnull (strstr (error->message, bad->expected));
  g_assert_nonnull (strstr (error->message, fake->url));
  g_assert_null (strstr (error->message, "fake-secret"));
  _pgqrs_hrana_free (client);
}

/* A server (or a proxy in front of it) that echoes the request's headers
 * into its error page does not get the token into our message. */
static void
test_echoed_token (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(GError) error = NULL;
  PgqrsHrana *client;

  g_ptr_array_add (fake->responses,
                   http_response ("401 Unauthorized", "bad header: Authorization: Bearer fake-secret", -1));
  client = _pgqrs_hrana_new (fake->url, "fake-secret", 10);
  g_assert_false (_pgqrs_hrana_connect (client, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION);
  g_test_message ("%s", error->message);
  g_assert_null (strstr (error->message, "fake-secret"));
  g_assert_nonnull (strstr (error->message, "Bearer ***"));
  _pgqrs_hrana_free (client);
}

/* A request inside a transaction fails on the way (here a malformed
 * answer; an engine that died does the same): the transaction is gone
 * with it, and the rollback that follows gives back the connection lock,
 * which other stores on the engine wait for. */
static void
test_failed_transaction_gives_back_lock (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *lock_path = NULL;
  int lock_fd = g_file_open_tmp ("pgqrs-hrana-lock-XXXXXX", &lock_path, &error);
  int other_fd;
  PgqrsHrana *client;
  PgqrsSqlDb *db;
  PgqrsSqlStmt *stmt;

  g_assert_no_error (error);
  g_ptr_array_add (fake->responses, http_response ("200 OK", PROBE_OK, -1));
  g_ptr_array_add (fake->responses, http_response ("200 OK", "this is not JSON", -1));

  client = connect_to (fake->url, NULL);
  _pgqrs_hrana_set_connection_lock (client, lock_fd);
  db = _pgqrs_hrana_get_db (client);

  g_assert_true (_pgqrs_sql_begin (db, &error));
  stmt = _pgqrs_sql_prepare_sql (db, 1, "SELECT 1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (_pgqrs_sql_step (db, stmt, &error), ==, 0);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION);
  _pgqrs_sql_rollback (db);

  /* another store's open file of the lock gets it at once */
  other_fd = open (lock_path, O_RDWR | O_CLOEXEC);
  g_assert_cmpint (other_fd, >=, 0);
  g_assert_cmpint (flock (other_fd, LOCK_EX | LOCK_NB), ==, 0);

  close (other_fd);
  _pgqrs_hrana_free (client);
  close (lock_fd);
  g_unlink (lock_path);
}

/* sqld restarted while a transaction held its baton: the commit fails
 * (the transaction is gone, and says so), and the next statement goes
 * through on a new stream. */
static void
test_sqld_restart (void)
{
  const char *url = pgqrs_test_sqld_start (FALSE, NULL);
  g_autoptr(GError) error = NULL;
  PgqrsHrana *client = connect_to (url, NULL);
  PgqrsSqlDb *db = _pgqrs_hrana_get_db (client);
  PgqrsSqlStmt *stmt;

  exec_ok (db, "CREATE TABLE t (id INTEGER PRIMARY KEY)");
  g_assert_true (_pgqrs_sql_begin (db, &error));
  stmt = _pgqrs_sql_prepare_sql (db, 1, "INSERT INTO t DEFAULT VALUES", &error);
  g_assert_cmpint (_pgqrs_sql_step (db, stmt, &error), ==, PGQRS_SQL_DONE);

  pgqrs_test_sqld_restart (url);

  g_assert_false (_pgqrs_sql_commit (db, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION);
  g_clear_error (&error);
  _pgqrs_sql_rollback (db);

  g_assert_cmpint (query_int (db, "SELECT count(*) FROM t"), ==, 0);
  _pgqrs_hrana_free (client);
}

/* The launcher: no engine is BACKEND_UNAVAILABLE naming what to install;
 * stopping the store's engine stops the child. */
static void
test_turso_engine (void)
{
  g_autofree char *path = g_strdup_printf ("%s/engine.db", pgqrs_test_tmp_dir ());
  g_autofree char *saved = g_strdup (g_getenv ("PGQRS_TURSODB"));
  g_autoptr(GError) error = NULL;
  PgqrsTursoEngine *engine;
  g_autofree char *url = NULL;
  PgqrsHrana *client;

  g_setenv ("PGQRS_TURSODB", "/nonexistent/tursodb", TRUE);
  g_assert_null (_pgqrs_turso_engine_start (path, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_BACKEND_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "tursodb"));
  g_assert_nonnull (strstr (error->message, "npm install @tursodatabase/cli-linux-x64-gnu"));
  g_assert_nonnull (strstr (error->message, "PGQRS_TURSODB"));
  g_clear_error (&error);
  if (saved != NULL)
    g_setenv ("PGQRS_TURSODB", saved, TRUE);
  else
    g_unsetenv ("PGQRS_TURSODB");

  engine = _pgqrs_turso_engine_start (path, &error);
  g_assert_no_error (error);
  url = _pgqrs_turso_engine_get_url (engine, NULL);
  client = connect_to (url, NULL);
  exec_ok (_pgqrs_hrana_get_db (client), "CREATE TABLE kept (x)");
  _pgqrs_turso_engine_stop (engine);

  g_assert_false (_pgqrs_hrana_connect (client, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION);
  g_clear_error (&error);
  _pgqrs_hrana_free (client);

  /* the file outlives the engine */
  engine = _pgqrs_turso_engine_start (path, &error);
  g_assert_no_error (error);
  g_free (url);
  url = _pgqrs_turso_engine_get_url (engine, NULL);
  client = connect_to (url, NULL);
  g_assert_cmpint (query_int (_pgqrs_hrana_get_db (client),
                              "SELECT count(*) FROM sqlite_schema WHERE name = 'kept'"), ==, 1);
  _pgqrs_hrana_free (client);
  _pgqrs_turso_engine_stop (engine);
}

/* A store's connection to turso:///path: the engine it runs died (killed,
 * crashed): the next use starts it again on the same file, and what was
 * committed is there. */
static void
test_local_engine_restart (void)
{
  g_autofree char *dsn = g_strdup_printf ("turso://%s/restart.db", pgqrs_test_tmp_dir ());
  g_autoptr(GError) error = NULL;
  PgqrsLibsqlDb *conn = _pgqrs_libsql_db_open (dsn, 10, NULL, &error);
  g_autofree char *first_url = NULL;
  PgqrsTursoEngine *engine;
  PgqrsSqlDb *db;
  int pid;

  g_assert_no_error (error);
  g_assert_true (_pgqrs_libsql_db_is_local (conn));
  db = _pgqrs_libsql_db_get (conn, &error);
  g_assert_no_error (error);
  exec_ok (db, "CREATE TABLE kept (x); INSERT INTO kept VALUES (1);");
  /* the store sets the foreign keys the schema relies on */
  g_assert_cmpint (query_int (db, "PRAGMA foreign_keys"), ==, 1);

  first_url = g_strdup (_pgqrs_libsql_db_get_url (conn));
  engine = _pgqrs_libsql_db_get_engine (conn);
  pid = _pgqrs_turso_engine_get_pid (engine);
  g_assert_cmpint (pid, >, 0);
  kill (pid, SIGKILL);
  while (_pgqrs_turso_engine_get_pid (engine) != 0)
    g_usleep (1000);

  g_test_expect_message ("Pgqrs", G_LOG_LEVEL_MESSAGE, "*Turso engine*stopped*");
  db = _pgqrs_libsql_db_get (conn, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM kept"), ==, 1);
  g_assert_cmpint (query_int (db, "PRAGMA foreign_keys"), ==, 1);
  g_test_message ("engine moved from %s to %s", first_url, _pgqrs_libsql_db_get_url (conn));

  _pgqrs_libsql_db_close (conn);
}

typedef struct
{
  PgqrsSqlDb *db;
  gint64      value;
  int         done;
} CountInThread;

static gpointer
count_in_thread (gpointer data)
{
  CountInThread *count = data;

  count->value = query_int (count->db, "SELECT count(*) FROM t");
  g_atomic_int_set (&count->done, TRUE);

  return NULL;
}

/* Two stores of one process on one file share its engine (which locks the
 * file), and take turns on its one connection: one's transaction is not
 * the other's. */
static void
test_local_engine_shared (void)
{
  g_autofree char *dsn = g_strdup_printf ("turso://%s/shared.db", pgqrs_test_tmp_dir ());
  g_autoptr(GError) error = NULL;
  PgqrsLibsqlDb *a = _pgqrs_libsql_db_open (dsn, 10, NULL, &error);
  PgqrsLibsqlDb *b = NULL;
  PgqrsSqlDb *db_a;
  PgqrsSqlDb *db_b;
  PgqrsSqlStmt *stmt;

  g_assert_no_error (error);
  b = _pgqrs_libsql_db_open (dsn, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (_pgqrs_libsql_db_get_engine (a) == _pgqrs_libsql_db_get_engine (b));
  db_a = _pgqrs_libsql_db_get (a, &error);
  db_b = _pgqrs_libsql_db_get (b, &error);
  exec_ok (db_a, "CREATE TABLE t (x)");

  /* a's transaction holds the connection until its end: b's statement,
   * from another thread, waits for it instead of running inside it */
  g_assert_true (_pgqrs_sql_begin (db_a, &error));
  stmt = _pgqrs_sql_prepare_sql (db_a, 1, "INSERT INTO t VALUES (1)", &error);
  g_assert_cmpint (_pgqrs_sql_step (db_a, stmt, &error), ==, PGQRS_SQL_DONE);
  {
    CountInThread count = { .db = db_b };
    GThread *other = g_thread_new ("b", count_in_thread, &count);

    g_usleep (G_USEC_PER_SEC / 5);
    g_assert_false (g_atomic_int_get (&count.done));
    _pgqrs_sql_rollback (db_a);
    g_thread_join (other);
    g_assert_true (count.done);
    g_assert_cmpint (count.value, ==, 0);
  }

  _pgqrs_libsql_db_close (a);
  /* the engine stays for b */
  g_assert_cmpint (query_int (db_b, "SELECT count(*) FROM t"), ==, 0);
  _pgqrs_libsql_db_close (b);
}

/* In another process: a transaction on the engine the test runs, left
 * open when the process ends (as if it were killed). */
static int
engine_child_abandon (const char *dsn)
{
  g_autoptr(GError) error = NULL;
  PgqrsLibsqlDb *conn = _pgqrs_libsql_db_open (dsn, 10, NULL, &error);
  PgqrsSqlDb *db = conn ? _pgqrs_libsql_db_get (conn, &error) : NULL;
  PgqrsSqlStmt *stmt;

  if (db == NULL || !_pgqrs_sql_begin (db, &error) ||
      !(stmt = _pgqrs_sql_prepare_sql (db, 1, "INSERT INTO t VALUES (1000)", &error)) ||
      _pgqrs_sql_step (db, stmt, &error) != PGQRS_SQL_DONE)
    {
      g_printerr ("%s\n", error ? error->message : "?");
      return 1;
    }
  _exit (0);
}

/* In another process: a transaction on the engine the test runs. */
static int
engine_child (const char *dsn)
{
  g_autoptr(GError) error = NULL;
  PgqrsLibsqlDb *conn = _pgqrs_libsql_db_open (dsn, 10, NULL, &error);
  PgqrsSqlDb *db = conn ? _pgqrs_libsql_db_get (conn, &error) : NULL;
  PgqrsSqlStmt *stmt;

  if (db == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  /* it runs no engine of its own: the file is the test's engine's */
  if (_pgqrs_turso_engine_get_pid (_pgqrs_libsql_db_get_engine (conn)) != 0 ||
      !_pgqrs_sql_begin (db, &error) ||
      !(stmt = _pgqrs_sql_prepare_sql (db, 1, "INSERT INTO t VALUES (42)", &error)) ||
      _pgqrs_sql_step (db, stmt, &error) != PGQRS_SQL_DONE ||
      !_pgqrs_sql_commit (db, &error))
    {
      g_printerr ("%s\n", error ? error->message : "the child ran an engine of its own");
      return 1;
    }
  g_print ("%s\n", _pgqrs_libsql_db_get_url (conn));
  _pgqrs_libsql_db_close (conn);
  return 0;
}

/* Stores of other processes use the engine a process runs on the file,
 * found through the address it publishes next to it. */
static void
test_local_engine_other_process (void)
{
  g_autofree char *dsn = g_strdup_printf ("turso://%s/processes.db", pgqrs_test_tmp_dir ());
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  PgqrsLibsqlDb *conn = _pgqrs_libsql_db_open (dsn, 10, NULL, &error);
  PgqrsSqlDb *db;

  g_assert_no_error (error);
  db = _pgqrs_libsql_db_get (conn, &error);
  g_assert_cmpint (_pgqrs_turso_engine_get_pid (_pgqrs_libsql_db_get_engine (conn)), >, 0);
  exec_ok (db, "CREATE TABLE t (x)");

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                            self_path, "--engine-child", dsn, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (child, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (child))
    g_error ("the child failed: %s", err);
  g_assert_cmpstr (g_strstrip (out), ==, _pgqrs_libsql_db_get_url (conn));
  g_assert_cmpint (query_int (db, "SELECT sum(x) FROM t"), ==, 42);

  /* a process that ends inside a transaction leaves it open on the
   * engine's one connection: the next store to take the connection ends
   * it, rather than running its own statements inside it */
  g_clear_object (&child);
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                            self_path, "--engine-child-abandon", dsn, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (child, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (db, "SELECT sum(x) FROM t"), ==, 42);
  g_assert_true (_pgqrs_sql_begin (db, &error));
  g_assert_no_error (error);
  {
    PgqrsSqlStmt *stmt = _pgqrs_sql_prepare_sql (db, 2, "INSERT INTO t VALUES (8)", &error);

    g_assert_cmpint (_pgqrs_sql_step (db, stmt, &error), ==, PGQRS_SQL_DONE);
    g_assert_no_error (error);
  }
  g_assert_true (_pgqrs_sql_commit (db, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (db, "SELECT sum(x) FROM t"), ==, 50);

  _pgqrs_libsql_db_close (conn);
}

typedef struct
{
  const char *dsn;
  const char *url;
  const char *local_path;
  const char *token;
} DsnCase;

static const DsnCase good_dsns[] = {
  { "libsql://db-org.turso.io", "https://db-org.turso.io", NULL, NULL },
  { "libsql://db.example:8443?authToken=abc.def", "https://db.example:8443", NULL, "abc.def" },
  { "libsql://127.0.0.1:8080?tls=0", "http://127.0.0.1:8080", NULL, NULL },
  { "turso://db-org.turso.io?authToken=t%2Bk", "https://db-org.turso.io", NULL, "t+k" },
  { "http://127.0.0.1:8080", "http://127.0.0.1:8080", NULL, NULL },
  { "http://[::1]:8080/", "http://[::1]:8080", NULL, NULL },
  { "https://proxy.example/db/", "https://proxy.example/db", NULL, NULL },
  { "turso:///tmp/x.db", NULL, "/tmp/x.db", NULL },
  { "turso:///var/lib/my%20app/jobs.db", NULL, "/var/lib/my app/jobs.db", NULL },
};

static const char * const bad_dsns[] = {
  "turso://",
  "turso:///",
  "turso:///tmp/dir/",
  "turso://relative.db?authToken=x&bogus=1",
  "turso:///tmp/x.db?authToken=leaked-secret",
  "libsql://user:leaked-secret@host",
  "libsql://host?tls=maybe",
  "http://host",
  "libsql://host#frag",
  "ftp://host",
};

static void
test_dsn (void)
{
  g_unsetenv ("PGQRS_AUTH_TOKEN");
  g_unsetenv ("LIBSQL_AUTH_TOKEN");

  for (guint i = 0; i < G_N_ELEMENTS (good_dsns); i++)
    {
      g_auto(PgqrsLibsqlTarget) target = { 0 };
      g_autoptr(GError) error = NULL;

      g_assert_true (_pgqrs_libsql_dsn_parse (good_dsns[i].dsn, &target, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (target.url, ==, good_dsns[i].url);
      g_assert_cmpstr (target.local_path, ==, good_dsns[i].local_path);
      g_assert_cmpstr (target.token, ==, good_dsns[i].token);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad_dsns); i++)
    {
      g_auto(PgqrsLibsqlTarget) target = { 0 };
      g_autoptr(GError) error = NULL;

      g_assert_false (_pgqrs_libsql_dsn_parse (bad_dsns[i], &target, &error));
      g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG);
      g_test_message ("%s: %s", bad_dsns[i], error->message);
      g_assert_null (strstr (error->message, "leaked-secret"));
    }

  /* the environment, weaker than the DSN; PGQRS_ before LIBSQL_ */
  {
    g_auto(PgqrsLibsqlTarget) a = { 0 };
    g_auto(PgqrsLibsqlTarget) b = { 0 };
    g_auto(PgqrsLibsqlTarget) c = { 0 };
    g_auto(PgqrsLibsqlTarget) d = { 0 };

    g_setenv ("LIBSQL_AUTH_TOKEN", "from-libsql", TRUE);
    g_assert_true (_pgqrs_libsql_dsn_parse ("libsql://h", &a, NULL));
    g_assert_cmpstr (a.token, ==, "from-libsql");
    g_setenv ("PGQRS_AUTH_TOKEN", "from-pgqrs", TRUE);
    g_assert_true (_pgqrs_libsql_dsn_parse ("libsql://h", &b, NULL));
    g_assert_cmpstr (b.token, ==, "from-pgqrs");
    g_assert_true (_pgqrs_libsql_dsn_parse ("libsql://h?authToken=from-dsn", &c, NULL));
    g_assert_cmpstr (c.token, ==, "from-dsn");
    /* a local file needs none and takes none from the environment */
    g_assert_true (_pgqrs_libsql_dsn_parse ("turso:///tmp/y.db", &d, NULL));
    g_assert_null (d.token);
    g_unsetenv ("PGQRS_AUTH_TOKEN");
    g_unsetenv ("LIBSQL_AUTH_TOKEN");
  }
}

#define N_WRITERS 4
#define WRITES_EACH 100

typedef struct
{
  const char *url;
  guint       busy_timeout_ms;
  guint       index;
} Writer;

/* WRITES_EACH transactions, each over two requests: BEGIN with its INSERT,
 * then COMMIT; the write lock is held in between. */
static gpointer
write_many (gpointer data)
{
  Writer *writer = data;
  PgqrsHrana *client = connect_to (writer->url, NULL);
  PgqrsSqlDb *db = _pgqrs_hrana_get_db (client);

  _pgqrs_hrana_set_busy_timeout (client, writer->busy_timeout_ms);
  for (guint i = 0; i < WRITES_EACH; i++)
    {
      g_autoptr(GError) error = NULL;
      PgqrsSqlStmt *stmt;

      g_assert_true (_pgqrs_sql_begin (db, &error));
      stmt = _pgqrs_sql_prepare_sql (db, 1, "INSERT INTO t (writer) VALUES (?)", &error);
      g_assert_no_error (error);
      _pgqrs_sql_bind_int64 (stmt, 1, writer->index);
      if (_pgqrs_sql_step (db, stmt, &error) != PGQRS_SQL_DONE)
        g_error ("writer %u, write %u: %s", writer->index, i, error->message);
      if (!_pgqrs_sql_commit (db, &error))
        g_error ("writer %u, commit %u: %s", writer->index, i, error->message);
    }

  _pgqrs_hrana_free (client);
  return NULL;
}

/* Several clients write at once, each holding the write lock across two
 * requests (sqld makes the others wait for it): every write happens,
 * exactly once. */
static void
test_concurrent_writers (Fixture       *f,
                         gconstpointer  data)
{
  Writer writers[N_WRITERS];
  GThread *threads[N_WRITERS];

  exec_ok (f->db, "CREATE TABLE t (id INTEGER PRIMARY KEY, writer INTEGER)");
  for (guint i = 0; i < N_WRITERS; i++)
    {
      writers[i] = (Writer) { f->url, 10000, i };
      threads[i] = g_thread_new ("writer", write_many, &writers[i]);
    }
  for (guint i = 0; i < N_WRITERS; i++)
    g_thread_join (threads[i]);

  for (guint i = 0; i < N_WRITERS; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM t WHERE writer = %u", i);

      g_assert_cmpint (query_int (f->db, sql), ==, WRITES_EACH);
    }
}

/* The answer to an autocommit statement (BEGIN IMMEDIATE, the statement,
 * COMMIT, ROLLBACK and close) whose step @busy_step failed with "database
 * is locked", or that succeeded (@busy_step -1). */
static char *
atomic_answer (int busy_step)
{
  g_autoptr(GString) results = g_string_new (NULL);
  g_autoptr(GString) errors = g_string_new (NULL);
  g_autofree char *body = NULL;

  for (int i = 0; i < 4; i++)
    {
      gboolean ran = busy_step < 0 ? i < 3 : i < busy_step;

      g_string_append (results, i ? "," : "");
      g_string_append (results, ran ? "{\"cols\":[],\"rows\":[],\"affected_row_count\":1}" : "null");
      g_string_append (errors, i ? "," : "");
      g_string_append (errors, i == busy_step
                               ? "{\"message\":\"SQLite error: database is locked\",\"code\":\"SQLITE_BUSY\"}"
                               : "null");
    }
  body = g_strdup_printf ("{\"baton\":null,\"base_url\":null,\"results\":["
                          "{\"type\":\"ok\",\"response\":{\"type\":\"batch\",\"result\":"
                          "{\"step_results\":[%s],\"step_errors\":[%s]}}},"
                          "{\"type\":\"ok\",\"response\":{\"type\":\"close\"}}]}",
                          results->str, errors->str);

  return http_response ("200 OK", body, -1);
}

typedef struct
{
  const char *name;
  guint       busy_timeout_ms;
  int         busy_step;       /* of each refusal */
  guint       refusals;        /* before the success; G_MAXUINT: always */
  gboolean    succeeds;
  guint       requests;        /* the statement's, 0: more than one */
} BusyCase;

static const BusyCase busy_cases[] = {
  /* refused at its BEGIN, nothing ran: sent again until it gets through */
  { "begin-refused", 5000, 0, 2, TRUE, 3 },
  /* busy-timeout 0: the server's refusal is the caller's */
  { "no-busy-timeout", 0, 0, 2, FALSE, 1 },
  /* refused after a step that ran: never sent again */
  { "statement-refused", 5000, 1, 2, FALSE, 1 },
  /* refused for longer than busy-timeout allows */
  { "busy-timeout-spent", 300, 0, G_MAXUINT, FALSE, 0 },
};

static void
test_busy_answer (gconstpointer data)
{
  const BusyCase *busy = data;
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(GError) error = NULL;
  PgqrsHrana *client;
  gint64 started;
  gboolean ok;

  g_ptr_array_add (fake->responses, http_response ("200 OK", PROBE_OK, -1));
  for (guint i = 0; i < MIN (busy->refusals, 10); i++)
    g_ptr_array_add (fake->responses, atomic_answer (busy->busy_step));
  if (busy->refusals != G_MAXUINT)
    g_ptr_array_add (fake->responses, atomic_answer (-1));

  client = connect_to (fake->url, NULL);
  _pgqrs_hrana_set_busy_timeout (client, busy->busy_timeout_ms);

  started = g_get_monotonic_time ();
  ok = _pgqrs_sql_exec (_pgqrs_hrana_get_db (client), "INSERT INTO t VALUES (1)", &error);
  if (busy->succeeds)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_DATABASE);
      g_assert_nonnull (strstr (error->message, "database is locked"));
      g_assert_false (ok);
    }

  /* the probe, then the statement's requests */
  if (busy->requests > 0)
    g_assert_cmpuint (fake->served - 1, ==, busy->requests);
  else
    {
      g_assert_cmpuint (fake->served - 1, >, 1);
      g_assert_cmpint (g_get_monotonic_time () - started, >=, busy->busy_timeout_ms * 1000);
    }
  _pgqrs_hrana_free (client);
}

/* A request the server took but did not answer in time may still be
 * carried out: the error says so, and names no token. */
static void
test_no_answer (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(GError) error = NULL;
  PgqrsHrana *client;

  g_ptr_array_add (fake->responses, http_response ("200 OK", PROBE_OK, -1));
  g_ptr_array_add (fake->responses, g_strdup (""));
  client = connect_with_timeout (fake->url, "fake-secret", 1);

  g_assert_false (_pgqrs_sql_exec (_pgqrs_hrana_get_db (client), "INSERT INTO t VALUES (1)", &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, "did not answer within 1 s"));
  g_assert_nonnull (strstr (error->message, "unknown"));
  g_assert_null (strstr (error->message, "fake-secret"));
  /* sent once: what it did is not known, so it is not sent again */
  g_assert_cmpuint (fake->served, ==, 2);
  _pgqrs_hrana_free (client);
}

int
main (int    argc,
      char **argv)
{
  if (argc == 3 && g_str_equal (argv[1], "--engine-child"))
    return engine_child (argv[2]);
  if (argc == 3 && g_str_equal (argv[1], "--engine-child-abandon"))
    return engine_child_abandon (argv[2]);

  g_test_init (&argc, &argv, NULL);
  /* the launcher looks for the engine where a store would */
  g_setenv ("PGQRS_TURSODB", pgqrs_test_tursodb_program (), FALSE);

  for (Engine engine = ENGINE_SQLD; engine <= ENGINE_TURSODB; engine++)
    {
      const char *name = engine == ENGINE_SQLD ? "sqld" : "tursodb";
      struct { const char *path; void (*func) (Fixture *, gconstpointer); } cases[] = {
        { "values", test_values },
        { "unbound-parameters", test_unbound_parameters },
        { "blob", test_blob },
        { "rows-and-changes", test_rows_and_changes },
        { "transactions", test_transactions },
        { "errors", test_errors },
        { "batch-step-error", test_batch_step_error },
        { "request-rate", test_request_rate },
      };

      for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
        {
          g_autofree char *path = g_strdup_printf ("/hrana/%s/%s", name, cases[i].path);

          g_test_add (path, Fixture, GINT_TO_POINTER (engine), fixture_setup, cases[i].func,
                      fixture_teardown);
        }
    }

  g_test_add ("/hrana/sqld/concurrent-writers", Fixture, GINT_TO_POINTER (ENGINE_SQLD),
              fixture_setup, test_concurrent_writers, fixture_teardown);
  g_test_add_func ("/hrana/split-script", test_split_script);
  g_test_add_func ("/hrana/sqld/token", test_token);
  g_test_add_func ("/hrana/sqld/restart", test_sqld_restart);
  g_test_add_func ("/hrana/unreachable", test_unreachable);
  g_test_add_func ("/hrana/echoed-token", test_echoed_token);
  g_test_add_func ("/hrana/no-answer", test_no_answer);
  g_test_add_func ("/hrana/failed-transaction-gives-back-lock", test_failed_transaction_gives_back_lock);
  for (guint i = 0; i < G_N_ELEMENTS (bad_answers); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hrana/bad-answer/%s", bad_answers[i].name);

      g_test_add_data_func (path, &bad_answers[i], test_bad_answer);
    }
  for (guint i = 0; i < G_N_ELEMENTS (busy_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hrana/busy/%s", busy_cases[i].name);
      g_test_add_data_func (path, &busy_cases[i], test_busy_answer);
    }
  g_test_add_func ("/hrana/turso-engine", test_turso_engine);
  g_test_add_func ("/hrana/local-engine-restart", test_local_engine_restart);
  g_test_add_func ("/hrana/local-engine-shared", test_local_engine_shared);
  g_test_add_func ("/hrana/local-engine-other-process", test_local_engine_other_process);
  g_test_add_func ("/hrana/dsn", test_dsn);

  return g_test_run ();
}
