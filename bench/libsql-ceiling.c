/* libsql-ceiling.c — what a Turso/libSQL server itself can do with pgqrs's statements
 *
 * The ceiling for the drain on sqld and on the Turso engine: the lease and
 * archive statements the library's stores send (its statement table,
 * _pgqrs_libsql_statement_sql(), linked in), in the same transactions, with
 * the same extra statements the library's protocol client adds for the
 * engine (SELECT changes() on the Turso engine, whose results count no rows;
 * the ROLLBACK that opens each turn on its one shared connection), over the
 * same HTTP client (libsoup-3, a session per consumer; json-glib) — and
 * nothing else: no store, no owner thread, no GTask, no message objects.
 *
 *   libsql-ceiling --url URL --queue-id ID --consumers N --batch B
 *                  [--requests transaction|statement]
 *
 * --requests transaction (the ceiling): each transaction is one request, a
 *   Hrana batch BEGIN IMMEDIATE; statements, each on condition the one
 *   before succeeded; COMMIT; ROLLBACK unless COMMIT succeeded.
 * --requests statement: the requests the library sends — one per statement,
 *   BEGIN travelling with the first and COMMIT alone, the transaction held
 *   by the stream's baton on sqld (on the one shared connection on the
 *   Turso engine).  Against this the ratio is the library's own cost.
 *
 * On the Turso engine (it answers 404 on /v3/pipeline, as the library
 * finds out) the consumers take turns on its one connection, a mutex held
 * for a request and across a transaction, as the library's stores do with
 * their lock file.  The token, if any, comes from $PGQRS_AUTH_TOKEN.
 * A transaction whose BEGIN sqld refuses with "database is locked" (another
 * writer holds the lock; nothing of it ran) is sent again, and counted
 * (busy_retries in the JSON).
 *
 * The queue must hold its backlog already (pgqrs-bench --scenario prefill).
 * Prints one line of JSON, like pgqrs-bench --scenario drain.
 *
 * SPDX-License-Identifier: MIT
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include <pgqrs.h>
#include "backends/libsql/pgqrs-hrana-private.h"
#include "backends/libsql/pgqrs-libsql-backend-private.h"
#include "backends/sqlite/pgqrs-sqlite-statements-private.h"

#define sql_dead_letter _pgqrs_libsql_statement_sql (SQLITE_STMT_MESSAGE_DEAD_LETTER)
#define sql_lease _pgqrs_libsql_statement_sql (SQLITE_STMT_MESSAGE_LEASE)
#define sql_archive _pgqrs_libsql_statement_sql (SQLITE_STMT_MESSAGE_ARCHIVE)

/* the columns of the lease's RETURNING list the archive needs */
#define COLUMN_ID       0
#define COLUMN_LEASE_CT 11

static char    *opt_url;
static char    *opt_requests = NULL;
static char    *opt_backend = NULL;
static gint64   opt_queue_id = 1;
static int      opt_consumers = 1;
static int      opt_batch = 1;
static int      opt_max_read = 5;
static double   opt_visibility = 30;

static GOptionEntry entries[] = {
  { "url", 0, 0, G_OPTION_ARG_STRING, &opt_url, "The server (http://host:port)", "URL" },
  { "queue-id", 0, 0, G_OPTION_ARG_INT64, &opt_queue_id, "Queue id", "ID" },
  { "consumers", 0, 0, G_OPTION_ARG_INT, &opt_consumers, "Consumer threads", "N" },
  { "batch", 0, 0, G_OPTION_ARG_INT, &opt_batch, "Messages per lease", "N" },
  { "requests", 0, 0, G_OPTION_ARG_STRING, &opt_requests, "One request per transaction (default) or per statement", "transaction|statement" },
  { "backend", 0, 0, G_OPTION_ARG_STRING, &opt_backend, "Name in the JSON (default: sqld, or turso for the Turso engine)", "NAME" },
  { NULL }
};

/* What the server speaks: found out once, as the library does. */
static gboolean    turso_engine;     /* /v2/pipeline, no batons, no close, no row counts */
static const char *pipeline_path;
static char       *auth_header;
static gboolean    per_statement;
/* the Turso engine's one connection, taken in turns */
static GMutex      connection;

typedef struct
{
  SoupSession *session;
  char        *baton;        /* sqld: the stream holding the transaction */
  gboolean     fresh;        /* Turso engine: the connection was just taken */
  guint64      requests;
  guint64      busy_retries; /* transactions sent again: "database is locked" */
} Client;

typedef struct
{
  GArray  *lease_us;
  GArray  *archive_us;
  guint64  archived;
  guint64  requests;
  guint64  busy_retries;
  gint64   finished_at;
} Consumer;

typedef struct
{
  gint64 id;
  gint64 lease_ct;
} Token;

G_GNUC_NORETURN static void
fail (const char *what,
      const char *why)
{
  fprintf (stderr, "libsql-ceiling: %s: %s\n", what, why);
  exit (1);
}

/* A statement with @n_args arguments (JsonNode *, transfer full), encoded
 * by the library's own Hrana helpers, so it travels as the library's does. */
static JsonNode *
stmt (const char *sql,
      int         n_args,
      ...)
{
  g_autoptr(JsonArray) args = json_array_new ();
  va_list ap;

  va_start (ap, n_args);
  for (int i = 0; i < n_args; i++)
    json_array_add_element (args, va_arg (ap, JsonNode *));
  va_end (ap);
  return _pgqrs_hrana_stmt_new (sql, n_args > 0 ? args : NULL);
}

/* A Hrana batch under construction: each step on condition the one before
 * succeeded, as the library sends them. */
typedef struct
{
  JsonArray *steps;
} Batch;

/* Adds @statement (transfer full); returns its step index. */
static guint
batch_add (Batch    *b,
           JsonNode *statement)
{
  guint index = json_array_get_length (b->steps);

  _pgqrs_hrana_batch_add (b->steps, statement, index > 0 ? _pgqrs_hrana_cond_ok (index - 1) : NULL);
  return index;
}

/* A statement and, on the Turso engine, the SELECT changes() that counts
 * its rows; returns the index of the step whose result counts them. */
static guint
batch_add_counted (Batch    *b,
                   JsonNode *statement)
{
  guint index = batch_add (b, statement);

  if (!turso_engine)
    return index;
  return batch_add (b, stmt ("SELECT changes()", 0));
}

/* Whether step 0 of @steps opens a transaction. */
static gboolean
begins (JsonArray *steps)
{
  JsonObject *step = json_array_get_object_element (steps, 0);

  return g_strcmp0 (json_object_get_string_member (json_object_get_object_member (step, "stmt"), "sql"),
                    "BEGIN IMMEDIATE") == 0;
}

/* POSTs one pipeline request holding the batch (and a "close" when the
 * transaction ends, on sqld), returns the step results (transfer full).
 * NULL when sqld refused the transaction's BEGIN because another writer
 * holds the lock ("database is locked": nothing of it ran, so it is sent
 * again).  Any other failure ends the program: a ceiling that fails is no
 * ceiling. */
static JsonArray *
send_once (Client   *c,
           Batch    *b,
           gboolean  close_stream)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *url = g_strconcat (opt_url, pipeline_path, NULL);
  g_autofree char *text = NULL;
  JsonObject *root, *result, *batch_result;
  JsonArray *results, *errors;
  JsonNode *baton;
  gboolean reset = turso_engine && c->fresh;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "baton");
  if (c->baton)
    json_builder_add_string_value (builder, c->baton);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "requests");
  json_builder_begin_array (builder);
  if (reset)
    {
      /* the library's stores open each turn on the Turso engine's shared
       * connection with a ROLLBACK of whatever a dead store left open */
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "execute");
      json_builder_set_member_name (builder, "stmt");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "sql");
      json_builder_add_string_value (builder, "ROLLBACK");
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      c->fresh = FALSE;
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "batch");
  json_builder_set_member_name (builder, "batch");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "steps");
  json_builder_add_value (builder, json_node_init_array (json_node_alloc (), b->steps));
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  if (close_stream && !turso_engine)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "close");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  text = json_to_string (body, FALSE);
  msg = soup_message_new ("POST", url);
  if (auth_header)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth_header);
  {
    gsize len = strlen (text);
    g_autoptr(GBytes) request = g_bytes_new_take (g_steal_pointer (&text), len);

    soup_message_set_request_body_from_bytes (msg, "application/json", request);
  }
  if (!(response = soup_session_send_and_read (c->session, msg, NULL, &error)))
    fail ("request", error->message);
  c->requests++;
  if (soup_message_get_status (msg) != SOUP_STATUS_OK)
    fail ("request", soup_message_get_reason_phrase (msg));
  if (!json_parser_load_from_data (parser, g_bytes_get_data (response, NULL), g_bytes_get_size (response), &error))
    fail ("response", error->message);

  root = json_node_get_object (json_parser_get_root (parser));
  baton = json_object_get_member (root, "baton");
  g_clear_pointer (&c->baton, g_free);
  if (!close_stream && baton && JSON_NODE_HOLDS_VALUE (baton))
    c->baton = g_strdup (json_node_get_string (baton));

  results = json_object_get_array_member (root, "results");
  result = json_array_get_object_element (results, reset ? 1 : 0);
  if (g_strcmp0 (json_object_get_string_member (result, "type"), "ok") != 0)
    fail ("batch", json_object_get_string_member (json_object_get_object_member (result, "error"), "message"));
  batch_result = json_object_get_object_member (json_object_get_object_member (result, "response"), "result");
  errors = json_object_get_array_member (batch_result, "step_errors");
  for (guint i = 0; i < json_array_get_length (errors); i++)
    if (JSON_NODE_HOLDS_OBJECT (json_array_get_element (errors, i)))
      {
        const char *message = json_object_get_string_member (json_array_get_object_element (errors, i), "message");

        if (i == 0 && begins (b->steps) && strstr (message, "database is locked"))
          return NULL;
        fail ("statement", message);
      }

  return json_array_ref (json_object_get_array_member (batch_result, "step_results"));
}

static JsonArray *
send_batch (Client   *c,
            Batch    *b,
            gboolean  close_stream)
{
  JsonArray *results;

  while (!(results = send_once (c, b, close_stream)))
    c->busy_retries++;
  g_clear_pointer (&b->steps, json_array_unref);
  return results;
}

static gint64
value_as_int (JsonNode *node)
{
  JsonObject *v = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonNode *value = v ? json_object_get_member (v, "value") : NULL;

  if (value == NULL || !JSON_NODE_HOLDS_VALUE (value))
    return 0;
  if (json_node_get_value_type (value) == G_TYPE_STRING)
    return g_ascii_strtoll (json_node_get_string (value), NULL, 10);
  return json_node_get_int (value);
}

/* The rows a statement changed: sqld counts them, the Turso engine's
 * SELECT changes() step has them. */
static gint64
changed_rows (JsonArray *results,
              guint      index)
{
  JsonObject *r = json_array_get_object_element (results, index);

  if (turso_engine)
    return value_as_int (json_array_get_element (json_array_get_array_element (json_object_get_array_member (r, "rows"), 0), 0));
  return json_object_get_int_member (r, "affected_row_count");
}

static void
take_tokens (JsonArray *results,
             guint      index,
             GArray    *tokens)
{
  JsonArray *rows = json_object_get_array_member (json_array_get_object_element (results, index), "rows");

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonArray *row = json_array_get_array_element (rows, i);
      Token t = { value_as_int (json_array_get_element (row, COLUMN_ID)),
                  value_as_int (json_array_get_element (row, COLUMN_LEASE_CT)) };

      g_array_append_val (tokens, t);
    }
}

static JsonNode *
dead_letter_stmt (void)
{
  return stmt (sql_dead_letter, 3, _pgqrs_hrana_value_int (opt_queue_id), _pgqrs_hrana_value_int (opt_batch), _pgqrs_hrana_value_int (opt_max_read));
}

static JsonNode *
lease_stmt (void)
{
  return stmt (sql_lease, 4, _pgqrs_hrana_value_int (opt_queue_id), _pgqrs_hrana_value_int (opt_batch), _pgqrs_hrana_value_float (opt_visibility),
               _pgqrs_hrana_value_int (0));
}

static JsonNode *
archive_stmt (const Token *t)
{
  return stmt (sql_archive, 4, _pgqrs_hrana_value_int (t->id), _pgqrs_hrana_value_int (opt_queue_id), _pgqrs_hrana_value_int (t->lease_ct), _pgqrs_hrana_value_int (0));
}

static void
turn_begin (Client *c)
{
  if (turso_engine)
    {
      g_mutex_lock (&connection);
      c->fresh = TRUE;
    }
}

static void
turn_end (void)
{
  if (turso_engine)
    g_mutex_unlock (&connection);
}

/* One transaction in one request: BEGIN, the statements, COMMIT, ROLLBACK
 * unless COMMIT succeeded. */
static JsonArray *
send_transaction (Client *c,
                  Batch  *b)
{
  g_autoptr(JsonArray) results = NULL;
  guint commit;

  commit = batch_add (b, stmt ("COMMIT", 0));
  _pgqrs_hrana_batch_add (b->steps, stmt ("ROLLBACK", 0), _pgqrs_hrana_cond_not (_pgqrs_hrana_cond_ok (commit)));
  turn_begin (c);
  results = send_batch (c, b, TRUE);
  turn_end ();
  return g_steal_pointer (&results);
}

/* The lease transaction; the tokens of the leased messages, by id. */
static void
lease (Client *c,
       GArray *tokens)
{
  if (!per_statement)
    {
      Batch b = { json_array_new () };
      g_autoptr(JsonArray) results = NULL;
      guint at;

      batch_add (&b, stmt ("BEGIN IMMEDIATE", 0));
      batch_add_counted (&b, dead_letter_stmt ());
      at = batch_add_counted (&b, lease_stmt ());
      if (turso_engine)
        at--;
      results = send_transaction (c, &b);
      take_tokens (results, at, tokens);
      return;
    }

  /* as the library: BEGIN with the first statement, the dead letters
   * again while there were any, the lease, COMMIT alone */
  turn_begin (c);
  {
    gboolean first = TRUE;
    gint64 changed;

    do
      {
        Batch b = { json_array_new () };
        g_autoptr(JsonArray) results = NULL;
        guint at;

        if (first)
          batch_add (&b, stmt ("BEGIN IMMEDIATE", 0));
        first = FALSE;
        at = batch_add_counted (&b, dead_letter_stmt ());
        results = send_batch (c, &b, FALSE);
        changed = changed_rows (results, at);
      }
    while (changed > 0);
  }
  {
    Batch b = { json_array_new () };
    g_autoptr(JsonArray) results = NULL;

    batch_add_counted (&b, lease_stmt ());
    results = send_batch (c, &b, FALSE);
    take_tokens (results, 0, tokens);
  }
  {
    Batch b = { json_array_new () };
    g_autoptr(JsonArray) results = NULL;

    batch_add_counted (&b, stmt ("COMMIT", 0));
    results = send_batch (c, &b, TRUE);
  }
  turn_end ();
}

/* The archive of the batch, in one transaction; how many were archived. */
static guint64
archive (Client *c,
         GArray *tokens)
{
  guint64 archived = 0;

  if (!per_statement)
    {
      Batch b = { json_array_new () };
      g_autoptr(JsonArray) results = NULL;
      g_autofree guint *at = g_new (guint, tokens->len);

      batch_add (&b, stmt ("BEGIN IMMEDIATE", 0));
      for (guint i = 0; i < tokens->len; i++)
        at[i] = batch_add_counted (&b, archive_stmt (&g_array_index (tokens, Token, i)));
      results = send_transaction (c, &b);
      for (guint i = 0; i < tokens->len; i++)
        archived += changed_rows (results, at[i]) > 0;
      return archived;
    }

  turn_begin (c);
  for (guint i = 0; i < tokens->len; i++)
    {
      Batch b = { json_array_new () };
      g_autoptr(JsonArray) results = NULL;
      guint at;

      if (i == 0)
        batch_add (&b, stmt ("BEGIN IMMEDIATE", 0));
      at = batch_add_counted (&b, archive_stmt (&g_array_index (tokens, Token, i)));
      results = send_batch (c, &b, FALSE);
      archived += changed_rows (results, at) > 0;
    }
  {
    Batch b = { json_array_new () };
    g_autoptr(JsonArray) results = NULL;

    batch_add_counted (&b, stmt ("COMMIT", 0));
    results = send_batch (c, &b, TRUE);
  }
  turn_end ();
  return archived;
}

static int
compare_tokens (gconstpointer a,
                gconstpointer b)
{
  gint64 x = ((const Token *)a)->id, y = ((const Token *)b)->id;

  return (x > y) - (x < y);
}

static SoupSession *
new_session (void)
{
  return soup_session_new_with_options ("timeout", 120, "idle-timeout", 60, NULL);
}

static gpointer
consumer_thread (gpointer data)
{
  Consumer *con = data;
  Client c = { new_session (), NULL, FALSE, 0, 0 };
  g_autoptr(GArray) tokens = g_array_new (FALSE, FALSE, sizeof (Token));

  /* no start line: a session connects on its first request, inside the
   * clock either way */
  for (;;)
    {
      gint64 t0 = g_get_monotonic_time (), t1, t2;

      g_array_set_size (tokens, 0);
      lease (&c, tokens);
      /* RETURNING gives no order; the library sorts the batch by id */
      g_array_sort (tokens, compare_tokens);
      t1 = g_get_monotonic_time ();
      if (tokens->len == 0)
        break;
      g_array_append_val (con->lease_us, (double){ t1 - t0 });

      con->archived += archive (&c, tokens);
      t2 = g_get_monotonic_time ();
      g_array_append_val (con->archive_us, (double){ t2 - t1 });
    }

  con->finished_at = g_get_monotonic_time ();
  con->requests = c.requests;
  con->busy_retries = c.busy_retries;
  g_object_unref (c.session);
  g_free (c.baton);
  return NULL;
}

/* Whether the server is the Turso engine: it has no /v3/pipeline. */
static gboolean
is_turso_engine (void)
{
  g_autoptr(SoupSession) session = new_session ();
  g_autofree char *url = g_strconcat (opt_url, "/v3/pipeline", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  static const char probe[] = "{\"baton\":null,\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\"}}]}";

  if (msg == NULL)
    fail (opt_url, "not a URL");
  if (auth_header)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth_header);
  soup_message_set_request_body_from_bytes (msg, "application/json", g_bytes_new_static (probe, strlen (probe)));
  if (!(response = soup_session_send_and_read (session, msg, NULL, &error)))
    fail (opt_url, error->message);
  return soup_message_get_status (msg) == SOUP_STATUS_NOT_FOUND;
}

static int
by_value (gconstpointer a,
          gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

/* p50/p95/p99 of @us (microseconds) in milliseconds, nearest rank. */
static void
add_latencies (JsonBuilder *b,
               const char  *name,
               GArray      *us)
{
  static const int points[] = { 50, 95, 99 };

  g_array_sort (us, by_value);
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "n");
  json_builder_add_int_value (b, us->len);
  for (guint i = 0; i < G_N_ELEMENTS (points) && us->len > 0; i++)
    {
      g_autofree char *key = g_strdup_printf ("p%d_ms", points[i]);
      guint rank = (guint)ceil (points[i] / 100.0 * us->len);

      json_builder_set_member_name (b, key);
      json_builder_add_double_value (b, g_array_index (us, double, MAX (rank, 1) - 1) / 1000.0);
    }
  json_builder_end_object (b);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— the Turso/libSQL drain ceiling");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) lease_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) archive_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  const char *token = g_getenv ("PGQRS_AUTH_TOKEN");
  gint64 start, end = 0;
  guint64 archived = 0, requests = 0, busy_retries = 0;
  g_autofree Consumer *c = NULL;
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  double seconds;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || opt_url == NULL ||
      opt_consumers < 1 || opt_batch < 1 ||
      (opt_requests && !g_str_equal (opt_requests, "transaction") && !g_str_equal (opt_requests, "statement")))
    {
      fprintf (stderr, "libsql-ceiling: %s\n",
               error ? error->message : "--url URL is required; --requests is transaction or statement");
      return 2;
    }
  per_statement = g_strcmp0 (opt_requests, "statement") == 0;
  if (token && *token)
    auth_header = g_strconcat ("Bearer ", token, NULL);
  turso_engine = is_turso_engine ();
  pipeline_path = turso_engine ? "/v2/pipeline" : "/v3/pipeline";

  c = g_new0 (Consumer, opt_consumers);
  start = g_get_monotonic_time ();
  for (int i = 0; i < opt_consumers; i++)
    {
      c[i].lease_us = g_array_new (FALSE, FALSE, sizeof (double));
      c[i].archive_us = g_array_new (FALSE, FALSE, sizeof (double));
      g_ptr_array_add (threads, g_thread_new ("ceiling", consumer_thread, &c[i]));
    }

  for (int i = 0; i < opt_consumers; i++)
    {
      g_thread_join (g_ptr_array_index (threads, i));
      archived += c[i].archived;
      requests += c[i].requests;
      busy_retries += c[i].busy_retries;
      end = MAX (end, c[i].finished_at);
      g_array_append_vals (lease_us, c[i].lease_us->data, c[i].lease_us->len);
      g_array_append_vals (archive_us, c[i].archive_us->data, c[i].archive_us->len);
      g_array_unref (c[i].lease_us);
      g_array_unref (c[i].archive_us);
    }
  seconds = (end - start) / 1e6;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "scenario");
  json_builder_add_string_value (b, "ceiling");
  json_builder_set_member_name (b, "backend");
  json_builder_add_string_value (b, opt_backend ? opt_backend : turso_engine ? "turso" : "sqld");
  json_builder_set_member_name (b, "driver");
  json_builder_add_string_value (b, "libsql-ceiling");
  json_builder_set_member_name (b, "requests");
  json_builder_add_string_value (b, per_statement ? "statement" : "transaction");
  json_builder_set_member_name (b, "consumers");
  json_builder_add_int_value (b, opt_consumers);
  json_builder_set_member_name (b, "batch");
  json_builder_add_int_value (b, opt_batch);
  json_builder_set_member_name (b, "archived");
  json_builder_add_int_value (b, archived);
  json_builder_set_member_name (b, "http_requests");
  json_builder_add_int_value (b, requests);
  json_builder_set_member_name (b, "busy_retries");
  json_builder_add_int_value (b, busy_retries);
  json_builder_set_member_name (b, "seconds");
  json_builder_add_double_value (b, seconds);
  json_builder_set_member_name (b, "messages_per_s");
  json_builder_add_double_value (b, archived / seconds);
  add_latencies (b, "lease", lease_us);
  add_latencies (b, "archive", archive_us);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);
  printf ("%s\n", text);
  g_free (auth_header);

  return 0;
}
