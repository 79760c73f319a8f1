/* pgqrs-bench.c — how fast pgqrs is, and where its time goes
 *
 * One scenario per invocation, selected with --scenario; the result is one
 * line of JSON on stdout (progress goes to stderr).  bench/run.sh runs every
 * scenario on SQLite and PostgreSQL, next to the ceilings (pgbench,
 * bench/sqlite-ceiling) and the peers (bench/peers), and writes the report.
 *
 * Scenarios
 *
 *   install           install the schema, make the queue; prints its id
 *   prefill           empty the queue and put --messages visible messages in
 *                     it with one SQL statement (not timed: setup only)
 *   count             how many messages of the queue are waiting / archived
 *   drain             prefill, then --consumers threads, each with its own
 *                     store, loop dequeue(--batch) + archive_batch until the
 *                     queue is empty: messages/s, lease and archive latency
 *   drain-consumer    the same backlog drained by --consumers PgqrsConsumers
 *                     (batch-size --batch, concurrency --concurrency, with
 *                     --delete-on-success deleting instead of archiving),
 *                     each on its own thread and store
 *   enqueue           --messages enqueued one by one (--batch 1) or in
 *                     batches of --batch: messages/s and call latency
 *   e2e               enqueue → handler start of a PgqrsConsumer, --samples
 *                     times, --mode same (producer on the consumer's store),
 *                     other (a second store: NOTIFY / file watch) or poll
 *                     (wakeups blocked, --poll-interval)
 *   idle              a consumer on an empty queue for --seconds: CPU used,
 *                     and the process's resident memory at the end (all,
 *                     and the private part without shared libraries)
 *   workflow          --runs in-process runs of 3 steps; then replays of
 *                     completed steps from the store (cached steps)
 *   workflow-consumer --runs triggered runs of 3 steps, run by a consumer
 *   backlog           lease/archive latency as the waiting backlog grows
 *                     (--levels) and with --archived archived messages
 *   statements        (no store needed) the library's PostgreSQL lease and
 *                     archive statements, schema "public", as JSON: run.sh
 *                     builds the pgbench ceiling script from them, so the
 *                     ceiling always runs what the library runs
 *
 * Prefilling and emptying use SQL directly (sqlite3 / libpq; on Turso/libSQL
 * a store's own connection, as the server owns the file), so that
 * setting up a million rows takes seconds; everything timed goes through
 * the public API.  The private calls are _pgqrs_consumer_set_wakeups(), to
 * block the consumer's wakeups for the polling-only measurement, and
 * those of the Turso/libSQL setup.
 *
 * The benchmark is linked against the shared library, as an application
 * is, and loads libpq itself only for a PostgreSQL DSN: on SQLite, the
 * idle scenario's resident memory is that of an application on SQLite,
 * which maps neither libpq nor libsoup.
 *
 * SPDX-License-Identifier: MIT
 */

#define _GNU_SOURCE 1   /* RUSAGE_THREAD */

#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sqlite3.h>
#ifdef HAVE_LIBPQ
#include <libpq-fe.h>
#endif

#include <pgqrs.h>
#include "pgqrs-consumer-private.h"
#include "pgqrs-store-private.h"
#ifdef HAVE_LIBPQ
#include "backends/postgres/pgqrs-postgres-statements-private.h"
#endif
#ifdef HAVE_LIBSQL
#include "backends/sqlite/pgqrs-sqlite-backend-private.h"
#endif

/* ----------------------------------------------------------------------- */
/* options                                                                  */

static char    *opt_dsn;
static char    *opt_scenario;
static char    *opt_queue = NULL;
static char    *opt_mode = NULL;
static char    *opt_levels = NULL;
static char    *opt_label = NULL;
static gint64   opt_messages = 50000;
static gint64   opt_archived = 0;
static int      opt_consumers = 1;
static int      opt_concurrency = 1;
static gboolean opt_delete;
static int      opt_batch = 1;
static int      opt_samples = 200;
static int      opt_warmup = 10;
static int      opt_runs = 200;
static double   opt_poll_interval = 0.1;
static double   opt_seconds = 10;
static double   opt_visibility = 30;

static GOptionEntry entries[] = {
  { "dsn", 0, 0, G_OPTION_ARG_STRING, &opt_dsn, "Store DSN (sqlite:///file.db, postgresql://…, http://host:port, turso:///file.db)", "DSN" },
  { "scenario", 0, 0, G_OPTION_ARG_STRING, &opt_scenario, "What to measure (see the top of pgqrs-bench.c)", "NAME" },
  { "queue", 0, 0, G_OPTION_ARG_STRING, &opt_queue, "Queue name (default: bench)", "NAME" },
  { "messages", 0, 0, G_OPTION_ARG_INT64, &opt_messages, "Backlog / messages to enqueue", "N" },
  { "archived", 0, 0, G_OPTION_ARG_INT64, &opt_archived, "backlog: archived messages to add", "N" },
  { "consumers", 0, 0, G_OPTION_ARG_INT, &opt_consumers, "Consumers (threads, each with its own store)", "N" },
  { "delete-on-success", 0, 0, G_OPTION_ARG_NONE, &opt_delete, "drain-consumer: the consumer deletes handled messages instead of archiving them", NULL },
  { "concurrency", 0, 0, G_OPTION_ARG_INT, &opt_concurrency, "drain-consumer: each consumer's concurrency (handlers in flight)", "N" },
  { "batch", 0, 0, G_OPTION_ARG_INT, &opt_batch, "Dequeue / enqueue batch size", "N" },
  { "samples", 0, 0, G_OPTION_ARG_INT, &opt_samples, "e2e / backlog: samples measured", "N" },
  { "warmup", 0, 0, G_OPTION_ARG_INT, &opt_warmup, "e2e / backlog: samples discarded first", "N" },
  { "mode", 0, 0, G_OPTION_ARG_STRING, &opt_mode, "e2e: same, other or poll", "MODE" },
  { "poll-interval", 0, 0, G_OPTION_ARG_DOUBLE, &opt_poll_interval, "e2e poll mode: consumer poll interval", "SECONDS" },
  { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &opt_seconds, "idle: how long to watch", "SECONDS" },
  { "runs", 0, 0, G_OPTION_ARG_INT, &opt_runs, "workflow: runs", "N" },
  { "levels", 0, 0, G_OPTION_ARG_STRING, &opt_levels, "backlog: waiting levels, comma separated", "N,N,…" },
  { "visibility", 0, 0, G_OPTION_ARG_DOUBLE, &opt_visibility, "Lease length", "SECONDS" },
  { "label", 0, 0, G_OPTION_ARG_STRING, &opt_label, "Copied into the JSON", "TEXT" },
  { NULL }
};

/* ----------------------------------------------------------------------- */
/* small things                                                             */

static gint64
now_us (void)
{
  return g_get_monotonic_time ();
}

G_GNUC_NORETURN static void
die (const char *what,
     const GError *error)
{
  g_printerr ("pgqrs-bench: %s: %s\n", what, error ? error->message : "failed");
  exit (1);
}

static gboolean
is_postgres (const char *dsn)
{
  return g_str_has_prefix (dsn, "postgresql:") || g_str_has_prefix (dsn, "postgres:");
}

/* Turso/libSQL: a server (sqld here; Turso Cloud has the same forms) or a
 * local file the library runs the Turso engine on (turso:///path). */
static gboolean
is_libsql (const char *dsn)
{
  return g_str_has_prefix (dsn, "turso:") || g_str_has_prefix (dsn, "libsql:") ||
         g_str_has_prefix (dsn, "http:") || g_str_has_prefix (dsn, "https:");
}

static const char *
backend_name (void)
{
  if (is_libsql (opt_dsn))
    return g_str_has_prefix (opt_dsn, "turso:///") ? "turso" : "sqld";
  return is_postgres (opt_dsn) ? "postgres" : "sqlite";
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *sorted,
            double  p)
{
  double rank;
  guint lo;

  if (sorted->len == 0)
    return NAN;
  rank = p / 100.0 * (sorted->len - 1);
  lo = (guint)floor (rank);
  if (lo + 1 >= sorted->len)
    return g_array_index (sorted, double, sorted->len - 1);
  return g_array_index (sorted, double, lo) +
         (rank - lo) * (g_array_index (sorted, double, lo + 1) - g_array_index (sorted, double, lo));
}

/* Latencies are gathered in microseconds and reported in milliseconds. */
static void
add_stats (JsonBuilder *b,
           const char  *name,
           GArray      *us)
{
  g_autoptr(GArray) s = g_array_copy (us);
  double sum = 0;

  g_array_sort (s, compare_doubles);
  for (guint i = 0; i < s->len; i++)
    sum += g_array_index (s, double, i);

  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "n");
  json_builder_add_int_value (b, s->len);
  if (s->len > 0)
    {
      json_builder_set_member_name (b, "mean_ms");
      json_builder_add_double_value (b, sum / s->len / 1000.0);
      json_builder_set_member_name (b, "p50_ms");
      json_builder_add_double_value (b, percentile (s, 50) / 1000.0);
      json_builder_set_member_name (b, "p95_ms");
      json_builder_add_double_value (b, percentile (s, 95) / 1000.0);
      json_builder_set_member_name (b, "p99_ms");
      json_builder_add_double_value (b, percentile (s, 99) / 1000.0);
      json_builder_set_member_name (b, "min_ms");
      json_builder_add_double_value (b, g_array_index (s, double, 0) / 1000.0);
      json_builder_set_member_name (b, "max_ms");
      json_builder_add_double_value (b, g_array_index (s, double, s->len - 1) / 1000.0);
    }
  json_builder_end_object (b);
}

static void
add_double (JsonBuilder *b, const char *name, double value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, value);
}

static void
add_int (JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_boolean (JsonBuilder *b, const char *name, gboolean value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

/* Every result starts the same way. */
static JsonBuilder *
result_begin (void)
{
  JsonBuilder *b = json_builder_new ();

  json_builder_begin_object (b);
  add_string (b, "scenario", opt_scenario);
  add_string (b, "backend", backend_name ());
  if (opt_label)
    add_string (b, "label", opt_label);
  return b;
}

static void
result_print (JsonBuilder *b)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);
  g_print ("%s\n", text);
  g_object_unref (b);
}

static JsonNode *
bench_payload (gint64 i)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "task", "bench");
  json_object_set_int_member (object, "i", i);
  json_node_take_object (node, object);

  return node;
}

/* ----------------------------------------------------------------------- */
/* direct SQL, for setup only                                              */

#ifdef HAVE_LIBPQ
/* libpq, loaded for a PostgreSQL DSN only (see the top of the file). */
static struct
{
  PGconn        *(*connectdb)     (const char *conninfo);
  ConnStatusType (*status)        (const PGconn *conn);
  char          *(*error_message) (const PGconn *conn);
  PGresult      *(*exec)          (PGconn *conn, const char *query);
  void           (*clear)         (PGresult *res);
  void           (*finish)        (PGconn *conn);
  ExecStatusType (*result_status) (const PGresult *res);
  int            (*ntuples)       (const PGresult *res);
  int            (*getisnull)     (const PGresult *res, int tup_num, int field_num);
  char          *(*getvalue)      (const PGresult *res, int tup_num, int field_num);
  int            (*lib_version)   (void);
} pq;

static void
pq_load (void)
{
  static const struct { const char *name; gsize offset; } symbols[] = {
    { "PQconnectdb", G_STRUCT_OFFSET (__typeof__ (pq), connectdb) },
    { "PQstatus", G_STRUCT_OFFSET (__typeof__ (pq), status) },
    { "PQerrorMessage", G_STRUCT_OFFSET (__typeof__ (pq), error_message) },
    { "PQexec", G_STRUCT_OFFSET (__typeof__ (pq), exec) },
    { "PQclear", G_STRUCT_OFFSET (__typeof__ (pq), clear) },
    { "PQfinish", G_STRUCT_OFFSET (__typeof__ (pq), finish) },
    { "PQresultStatus", G_STRUCT_OFFSET (__typeof__ (pq), result_status) },
    { "PQntuples", G_STRUCT_OFFSET (__typeof__ (pq), ntuples) },
    { "PQgetisnull", G_STRUCT_OFFSET (__typeof__ (pq), getisnull) },
    { "PQgetvalue", G_STRUCT_OFFSET (__typeof__ (pq), getvalue) },
    { "PQlibVersion", G_STRUCT_OFFSET (__typeof__ (pq), lib_version) },
  };
  GModule *module;

  if (pq.connectdb != NULL)
    return;
  /* libpq's soname has been libpq.so.5 since PostgreSQL 8.2 */
  module = g_module_open ("libpq.so.5", G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL)
    {
      g_printerr ("pgqrs-bench: %s\n", g_module_error ());
      exit (1);
    }
  g_module_make_resident (module);
  for (guint i = 0; i < G_N_ELEMENTS (symbols); i++)
    if (!g_module_symbol (module, symbols[i].name,
                          (gpointer *)G_STRUCT_MEMBER_P (&pq, symbols[i].offset)))
      {
        g_printerr ("pgqrs-bench: %s\n", g_module_error ());
        exit (1);
      }
}
#endif

typedef struct
{
  gboolean pg;
  sqlite3 *db;
#ifdef HAVE_LIBPQ
  PGconn  *conn;
#endif
#ifdef HAVE_LIBSQL
  /* Turso/libSQL: a store's own connection (and, for a local file, the
   * Turso engine it runs), since the server owns the file */
  PgqrsStore    *libsql;
#endif
} Raw;

static char *
sqlite_path_of (const char *dsn)
{
  const char *rest;
  const char *q;

  if (g_str_has_prefix (dsn, "sqlite://"))
    rest = dsn + strlen ("sqlite://");
  else
    return NULL;
  q = strchr (rest, '?');
  return q ? g_strndup (rest, q - rest) : g_strdup (rest);
}

static Raw *
raw_open (void)
{
  Raw *r = g_new0 (Raw, 1);

  r->pg = is_postgres (opt_dsn);
  if (is_libsql (opt_dsn))
    {
#ifdef HAVE_LIBSQL
      g_autoptr(GError) error = NULL;

      if (!(r->libsql = pgqrs_store_new (opt_dsn, NULL, &error)))
        die ("libsql", error);
#else
      g_printerr ("pgqrs-bench: built without Turso/libSQL\n");
      exit (1);
#endif
    }
  else if (r->pg)
    {
#ifdef HAVE_LIBPQ
      const char *q = strchr (opt_dsn, '?');
      g_autofree char *conninfo = q ? g_strndup (opt_dsn, q - opt_dsn) : g_strdup (opt_dsn);

      pq_load ();
      r->conn = pq.connectdb (conninfo);
      if (pq.status (r->conn) != CONNECTION_OK)
        {
          g_printerr ("pgqrs-bench: libpq: %s", pq.error_message (r->conn));
          exit (1);
        }
      pq.clear (pq.exec (r->conn, "SET client_min_messages = warning"));
#else
      g_printerr ("pgqrs-bench: built without libpq\n");
      exit (1);
#endif
    }
  else
    {
      g_autofree char *path = sqlite_path_of (opt_dsn);

      if (path == NULL)
        {
          g_printerr ("pgqrs-bench: the benchmark needs an SQLite file DSN (sqlite:///path)\n");
          exit (1);
        }
      if (sqlite3_open (path, &r->db) != SQLITE_OK)
        {
          g_printerr ("pgqrs-bench: sqlite: %s\n", sqlite3_errmsg (r->db));
          exit (1);
        }
      sqlite3_busy_timeout (r->db, 60000);
    }
  return r;
}

static void
raw_close (Raw *r)
{
#ifdef HAVE_LIBSQL
  g_clear_object (&r->libsql);
#endif
  if (r->db)
    sqlite3_close (r->db);
#ifdef HAVE_LIBPQ
  if (r->conn)
    pq.finish (r->conn);
#endif
  g_free (r);
}

#ifdef HAVE_LIBSQL
typedef struct
{
  const char *sql;
  gint64      value;
  GError     *error;
} LibsqlSql;

/* On the store's owner thread. */
static void
libsql_exec (PgqrsSqlDb *db,
             gpointer    data)
{
  LibsqlSql *run = data;

  _pgqrs_sql_exec (db, run->sql, &run->error);
}

static void
libsql_int (PgqrsSqlDb *db,
            gpointer    data)
{
  LibsqlSql *run = data;
  /* a statement id of its own: the client keeps one per id */
  PgqrsSqlStmt *stmt = _pgqrs_sql_prepare_sql (db, G_MAXUINT, run->sql, &run->error);

  if (stmt == NULL)
    return;
  switch (_pgqrs_sql_step (db, stmt, &run->error))
    {
    case PGQRS_SQL_ROW:
      run->value = _pgqrs_sql_column_int64 (stmt, 0);
      break;
    case PGQRS_SQL_DONE:
    default:
      break;
    }
  _pgqrs_sql_reset (stmt);
}

static void
run_libsql (Raw        *r,
            void      (*func) (PgqrsSqlDb *db,
                               gpointer    data),
            LibsqlSql  *run)
{
  g_autoptr(GError) error = NULL;

  if (!_pgqrs_sqlite_backend_run_sql_sync (_pgqrs_store_get_backend (r->libsql), func, run, &error))
    die ("libsql", error);
  if (run->error != NULL)
    die (run->sql, run->error);
}
#endif

static void
raw_exec (Raw        *r,
          const char *sql)
{
#ifdef HAVE_LIBSQL
  if (r->libsql)
    {
      LibsqlSql run = { sql, 0, NULL };

      run_libsql (r, libsql_exec, &run);
      return;
    }
#endif
  if (!r->pg)
    {
      char *msg = NULL;

      if (sqlite3_exec (r->db, sql, NULL, NULL, &msg) != SQLITE_OK)
        {
          g_printerr ("pgqrs-bench: sqlite: %s\n  in: %s\n", msg, sql);
          exit (1);
        }
      return;
    }
#ifdef HAVE_LIBPQ
  {
    PGresult *res = pq.exec (r->conn, sql);

    if (pq.result_status (res) != PGRES_COMMAND_OK && pq.result_status (res) != PGRES_TUPLES_OK)
      {
        g_printerr ("pgqrs-bench: libpq: %s  in: %s\n", pq.error_message (r->conn), sql);
        exit (1);
      }
    pq.clear (res);
  }
#endif
}

static gint64
raw_int (Raw        *r,
         const char *sql)
{
  gint64 value = 0;

#ifdef HAVE_LIBSQL
  if (r->libsql)
    {
      LibsqlSql run = { sql, 0, NULL };

      run_libsql (r, libsql_int, &run);
      return run.value;
    }
#endif
  if (!r->pg)
    {
      sqlite3_stmt *stmt;

      if (sqlite3_prepare_v2 (r->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        {
          g_printerr ("pgqrs-bench: sqlite: %s\n", sqlite3_errmsg (r->db));
          exit (1);
        }
      if (sqlite3_step (stmt) == SQLITE_ROW)
        value = sqlite3_column_int64 (stmt, 0);
      sqlite3_finalize (stmt);
      return value;
    }
#ifdef HAVE_LIBPQ
  {
    PGresult *res = pq.exec (r->conn, sql);

    if (pq.result_status (res) != PGRES_TUPLES_OK)
      {
        g_printerr ("pgqrs-bench: libpq: %s  in: %s\n", pq.error_message (r->conn), sql);
        exit (1);
      }
    if (pq.ntuples (res) > 0 && !pq.getisnull (res, 0, 0))
      value = g_ascii_strtoll (pq.getvalue (res, 0, 0), NULL, 10);
    pq.clear (res);
  }
#endif
  return value;
}

/* Deletes every message of the queue and tidies up after it, so that each
 * measurement starts from the same table. */
static void
raw_reset (Raw    *r,
           gint64  queue_id)
{
  g_autofree char *sql = g_strdup_printf ("DELETE FROM pgqrs_messages WHERE queue_id = %" G_GINT64_FORMAT,
                                          queue_id);

  raw_exec (r, sql);
  if (r->pg)
    raw_exec (r, "VACUUM (ANALYZE) pgqrs_messages");
  else if (!is_libsql (opt_dsn))   /* the server's log is the server's */
    raw_exec (r, "PRAGMA wal_checkpoint(TRUNCATE)");
}

/* Adds @n messages to the queue with one statement: visible (vt a second
 * ago) or, with @archived, archived as done after one lease.  The payload is
 * the one the benchmark enqueues: {"task":"bench","i":N}. */
static void
raw_fill (Raw      *r,
          gint64    queue_id,
          gint64    n,
          gboolean  archived)
{
  g_autofree char *sql = NULL;

  if (n <= 0)
    return;

  if (r->pg)
    sql = g_strdup_printf (
      "INSERT INTO pgqrs_messages (queue_id, payload, vt, enqueued_at, read_ct, lease_ct, "
      "                            dequeued_at, archived_at, archive_reason) "
      "SELECT %" G_GINT64_FORMAT ", jsonb_build_object ('task', 'bench', 'i', i), "
      "       now () - interval '1 second', now () - interval '1 second', %d, %d, %s, %s, %s "
      "  FROM generate_series (1, %" G_GINT64_FORMAT ") AS i",
      queue_id, archived ? 1 : 0, archived ? 1 : 0,
      archived ? "now () - interval '1 second'" : "NULL",
      archived ? "now () - interval '1 second'" : "NULL",
      archived ? "'done'" : "NULL", n);
  else
    {
      /* the row numbers: the Turso engine has no recursive CTEs yet, and
       * both libSQL engines have generate_series, which SQLite's library
       * lacks */
      g_autofree char *rows = is_libsql (opt_dsn)
        ? g_strdup_printf ("WITH s (i) AS (SELECT value FROM generate_series (1, %" G_GINT64_FORMAT ")) ", n)
        : g_strdup_printf ("WITH RECURSIVE s (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %"
                           G_GINT64_FORMAT ") ", n);

      sql = g_strdup_printf (
        "%s"
        "INSERT INTO pgqrs_messages (queue_id, payload, vt, enqueued_at, read_ct, lease_ct, "
        "                            dequeued_at, archived_at, archive_reason) "
        "SELECT %" G_GINT64_FORMAT ", json_object ('task', 'bench', 'i', i), "
        "       strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now', '-1 seconds'), "
        "       strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now', '-1 seconds'), %d, %d, %s, %s, %s FROM s",
        rows, queue_id, archived ? 1 : 0, archived ? 1 : 0,
        archived ? "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 seconds')" : "NULL",
        archived ? "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 seconds')" : "NULL",
        archived ? "'done'" : "NULL");
    }

  raw_exec (r, sql);
  if (r->pg)
    raw_exec (r, "ANALYZE pgqrs_messages");
  else if (!is_libsql (opt_dsn))   /* the server's log is the server's */
    /* the fill's pages into the database file now, so that the drain does
     * not pay for their checkpoint: the ceiling's backlog, prefilled by a
     * process of its own, is checkpointed when that process closes it */
    raw_exec (r, "PRAGMA wal_checkpoint(TRUNCATE)");
}

static gint64
raw_count (Raw        *r,
           gint64      queue_id,
           gboolean    archived)
{
  g_autofree char *sql =
    g_strdup_printf ("SELECT count (*) FROM pgqrs_messages WHERE queue_id = %" G_GINT64_FORMAT
                     " AND archived_at IS %s NULL", queue_id, archived ? "NOT" : "");

  return raw_int (r, sql);
}

/* ----------------------------------------------------------------------- */
/* the store                                                                */

static PgqrsStore *
open_store (void)
{
  g_autoptr(GError) error = NULL;
  PgqrsStore *store = pgqrs_store_new (opt_dsn, NULL, &error);

  if (store == NULL)
    die ("cannot open the store", error);
  return store;
}

static PgqrsQueue *
open_queue (PgqrsStore *store,
            const char *name)
{
  g_autoptr(GError) error = NULL;
  PgqrsQueue *queue = pgqrs_store_get_queue (store, name, NULL, &error);

  if (queue == NULL)
    {
      g_clear_error (&error);
      if (!(queue = pgqrs_store_create_queue (store, name, NULL, &error)))
        die ("cannot create the queue", error);
    }
  return queue;
}

static PgqrsQueue *
setup (PgqrsStore **store_out)
{
  g_autoptr(GError) error = NULL;
  PgqrsStore *store = open_store ();

  if (!pgqrs_store_install (store, NULL, &error))
    die ("cannot install the schema", error);
  *store_out = store;
  return open_queue (store, opt_queue);
}

/* ----------------------------------------------------------------------- */
/* a start line for threads                                                 */

typedef struct
{
  GMutex  mutex;
  GCond   cond;
  guint   waiting;
  guint   parties;
  gint64  released_at;
} Barrier;

static void
barrier_wait (Barrier *b)
{
  g_mutex_lock (&b->mutex);
  if (++b->waiting == b->parties)
    {
      b->released_at = now_us ();
      g_cond_broadcast (&b->cond);
    }
  else
    while (b->waiting < b->parties)
      g_cond_wait (&b->cond, &b->mutex);
  g_mutex_unlock (&b->mutex);
}

/* ----------------------------------------------------------------------- */
/* drain: lease + archive-batch loops                                      */

typedef struct
{
  Barrier  *barrier;
  guint     batch;
  GArray   *lease_us;
  GArray   *archive_us;
  guint64   archived;
  guint64   leases;
  gint64    finished_at;
  double    cpu_s;
} Drainer;

static double
thread_cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_THREAD, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double
process_cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static gpointer
drainer_thread (gpointer data)
{
  Drainer *d = data;
  g_autoptr(PgqrsStore) store = open_store ();
  g_autoptr(PgqrsQueue) queue = open_queue (store, opt_queue);
  g_autoptr(GError) error = NULL;
  double cpu0;

  /* One lease first, outside the clock, so connections are open. */
  barrier_wait (d->barrier);
  cpu0 = thread_cpu_seconds ();

  for (;;)
    {
      g_autoptr(GPtrArray) messages = NULL;
      g_autoptr(GArray) flags = NULL;
      gint64 t0 = now_us (), t1, t2;

      if (!(messages = pgqrs_queue_dequeue (queue, d->batch, opt_visibility, NULL, &error)))
        die ("dequeue", error);
      t1 = now_us ();
      d->leases++;
      if (messages->len == 0)
        break;
      g_array_append_val (d->lease_us, (double){ t1 - t0 });

      if (!(flags = pgqrs_queue_archive_batch (queue, messages, NULL, &error)))
        die ("archive", error);
      t2 = now_us ();
      g_array_append_val (d->archive_us, (double){ t2 - t1 });

      for (guint i = 0; i < flags->len; i++)
        d->archived += g_array_index (flags, gboolean, i) ? 1 : 0;
    }

  d->finished_at = now_us ();
  d->cpu_s = thread_cpu_seconds () - cpu0;
  return NULL;
}

static void
report_drain (JsonBuilder *b,
              guint64      archived,
              gint64       start,
              gint64       end,
              double       cpu0,
              Raw         *raw,
              gint64       queue_id)
{
  double seconds = (end - start) / 1e6;

  add_int (b, "consumers", opt_consumers);
  add_int (b, "batch", opt_batch);
  add_int (b, "messages", opt_messages);
  add_int (b, "archived", archived);
  add_double (b, "seconds", seconds);
  add_double (b, "messages_per_s", archived / seconds);
  add_double (b, "client_cpu_s", process_cpu_seconds () - cpu0);
  add_int (b, "left_waiting", raw_count (raw, queue_id, FALSE));
}

static void
scenario_drain (void)
{
  g_autoptr(PgqrsStore) store = NULL;
  g_autoptr(PgqrsQueue) queue = setup (&store);
  Raw *raw = raw_open ();
  Barrier barrier = { .parties = opt_consumers + 1 };
  g_autofree Drainer *d = g_new0 (Drainer, opt_consumers);
  g_autofree GThread **threads = g_new0 (GThread *, opt_consumers);
  g_autoptr(GArray) lease_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) archive_us = g_array_new (FALSE, FALSE, sizeof (double));
  guint64 archived = 0, leases = 0;
  gint64 end = 0;
  double cpu0, thread_cpu = 0;
  JsonBuilder *b;

  g_mutex_init (&barrier.mutex);
  g_cond_init (&barrier.cond);

  raw_reset (raw, pgqrs_queue_get_id (queue));
  raw_fill (raw, pgqrs_queue_get_id (queue), opt_messages, FALSE);
  g_printerr ("drain %s: %d consumer(s), batch %d, %" G_GINT64_FORMAT " messages\n",
              backend_name (), opt_consumers, opt_batch, opt_messages);

  for (int i = 0; i < opt_consumers; i++)
    {
      d[i].barrier = &barrier;
      d[i].batch = opt_batch;
      d[i].lease_us = g_array_new (FALSE, FALSE, sizeof (double));
      d[i].archive_us = g_array_new (FALSE, FALSE, sizeof (double));
      threads[i] = g_thread_new ("drainer", drainer_thread, &d[i]);
    }
  cpu0 = process_cpu_seconds ();
  barrier_wait (&barrier);

  for (int i = 0; i < opt_consumers; i++)
    {
      g_thread_join (threads[i]);
      archived += d[i].archived;
      leases += d[i].leases;
      end = MAX (end, d[i].finished_at);
      thread_cpu += d[i].cpu_s;
      g_array_append_vals (lease_us, d[i].lease_us->data, d[i].lease_us->len);
      g_array_append_vals (archive_us, d[i].archive_us->data, d[i].archive_us->len);
      g_array_unref (d[i].lease_us);
      g_array_unref (d[i].archive_us);
    }

  b = result_begin ();
  report_drain (b, archived, barrier.released_at, end, cpu0, raw, pgqrs_queue_get_id (queue));
  add_int (b, "leases", leases);
  add_double (b, "caller_threads_cpu_s", thread_cpu);
  add_stats (b, "lease", lease_us);
  add_stats (b, "archive", archive_us);
  result_print (b);
  raw_close (raw);
}

/* ----------------------------------------------------------------------- */
/* drain through PgqrsConsumer                                              */

typedef struct
{
  Barrier       *barrier;
  gint          *handled;      /* shared, atomic */
  gint64        *last_at;      /* shared: when the last one was handled */
  PgqrsConsumer *consumer;
  GMainLoop     *loop;
} ConsumerDrainer;

static gboolean
drain_handler (PgqrsJob *job,
               gpointer  user_data)
{
  ConsumerDrainer *c = user_data;
  GPtrArray *messages = pgqrs_job_get_messages (job);
  gint total = g_atomic_int_add (c->handled, (gint)messages->len) + (gint)messages->len;

  if (total >= opt_messages)
    *c->last_at = now_us ();
  return TRUE;
}

static gboolean
drain_check (gpointer user_data)
{
  ConsumerDrainer *c = user_data;

  if (g_atomic_int_get (c->handled) >= opt_messages)
    {
      pgqrs_consumer_stop (c->consumer);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
consumer_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GMainLoop *loop = user_data;
  g_autoptr(GError) error = NULL;

  if (!pgqrs_consumer_run_finish (PGQRS_CONSUMER (object), result, &error))
    g_printerr ("pgqrs-bench: consumer: %s\n", error->message);
  g_main_loop_quit (loop);
}

static gpointer
consumer_drainer_thread (gpointer data)
{
  ConsumerDrainer *c = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(PgqrsStore) store = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autofree char *name = g_strdup_printf ("bench-drain-%d-%p", getpid (), (void *)c);
  g_autoptr(GSource) check = NULL;

  g_main_context_push_thread_default (context);
  store = open_store ();
  queue = open_queue (store, opt_queue);
  c->loop = g_main_loop_new (context, FALSE);
  c->consumer = pgqrs_consumer_new (queue, name);
  g_object_set (c->consumer, "batch-size", (guint)opt_batch, "concurrency", (guint)opt_concurrency,
                "delete-on-success", opt_delete,
                "visibility-timeout", opt_visibility, NULL);
  pgqrs_consumer_set_handler (c->consumer, drain_handler, c, NULL);

  check = g_timeout_source_new (2);
  g_source_set_callback (check, drain_check, c, NULL);
  g_source_attach (check, context);

  barrier_wait (c->barrier);
  pgqrs_consumer_run_async (c->consumer, NULL, consumer_done_cb, c->loop);
  g_main_loop_run (c->loop);

  g_source_destroy (check);
  g_clear_object (&c->consumer);
  g_clear_pointer (&c->loop, g_main_loop_unref);
  g_main_context_pop_thread_default (context);
  return NULL;
}

static void
scenario_drain_consumer (void)
{
  g_autoptr(PgqrsStore) store = NULL;
  g_autoptr(PgqrsQueue) queue = setup (&store);
  Raw *raw = raw_open ();
  Barrier barrier = { .parties = opt_consumers + 1 };
  g_autofree ConsumerDrainer *c = g_new0 (ConsumerDrainer, opt_consumers);
  g_autofree GThread **threads = g_new0 (GThread *, opt_consumers);
  gint handled = 0;
  gint64 last_at = 0;
  guint64 settled;
  double cpu0;
  JsonBuilder *b;

  g_mutex_init (&barrier.mutex);
  g_cond_init (&barrier.cond);

  raw_reset (raw, pgqrs_queue_get_id (queue));
  raw_fill (raw, pgqrs_queue_get_id (queue), opt_messages, FALSE);
  g_printerr ("drain-consumer %s: %d consumer(s), batch-size %d, %" G_GINT64_FORMAT " messages\n",
              backend_name (), opt_consumers, opt_batch, opt_messages);

  for (int i = 0; i < opt_consumers; i++)
    {
      c[i].barrier = &barrier;
      c[i].handled = &handled;
      c[i].last_at = &last_at;
      threads[i] = g_thread_new ("consumer", consumer_drainer_thread, &c[i]);
    }
  cpu0 = process_cpu_seconds ();
  barrier_wait (&barrier);
  for (int i = 0; i < opt_consumers; i++)
    g_thread_join (threads[i]);

  /* deleted messages leave no row: those settled are the backlog less the
   * rows still there unarchived */
  settled = opt_delete ? (guint64)opt_messages - raw_count (raw, pgqrs_queue_get_id (queue), FALSE)
                       : raw_count (raw, pgqrs_queue_get_id (queue), TRUE);
  b = result_begin ();
  report_drain (b, settled, barrier.released_at, last_at, cpu0, raw, pgqrs_queue_get_id (queue));
  add_int (b, "handled", handled);
  add_int (b, "concurrency", opt_concurrency);
  add_boolean (b, "delete_on_success", opt_delete);
  result_print (b);
  raw_close (raw);
}

/* ----------------------------------------------------------------------- */
/* enqueue                                                                  */

static void
scenario_enqueue (void)
{
  g_autoptr(PgqrsStore) store = NULL;
  g_autoptr(PgqrsQueue) queue = setup (&store);
  g_autoptr(GArray) call_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  Raw *raw = raw_open ();
  gint64 start, end, done = 0;
  JsonBuilder *b;

  raw_reset (raw, pgqrs_queue_get_id (queue));
  g_printerr ("enqueue %s: %" G_GINT64_FORMAT " messages, batch %d\n", backend_name (), opt_messages, opt_batch);

  start = now_us ();
  while (done < opt_messages)
    {
      gint64 t0 = now_us ();

      if (opt_batch <= 1)
        {
          g_autoptr(JsonNode) payload = bench_payload (done);

          if (pgqrs_queue_enqueue (queue, payload, NULL, &error) <= 0)
            die ("enqueue", error);
          done++;
        }
      else
        {
          g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
          g_autoptr(GArray) ids = NULL;
          gint64 n = MIN ((gint64)opt_batch, opt_messages - done);

          for (gint64 i = 0; i < n; i++)
            g_ptr_array_add (payloads, bench_payload (done + i));
          if (!(ids = pgqrs_queue_enqueue_batch (queue, payloads, 0, NULL, &error)))
            die ("enqueue_batch", error);
          done += n;
        }
      g_array_append_val (call_us, (double){ now_us () - t0 });
    }
  end = now_us ();

  b = result_begin ();
  add_int (b, "batch", opt_batch);
  add_int (b, "messages", done);
  add_double (b, "seconds", (end - start) / 1e6);
  add_double (b, "messages_per_s", done / ((end - start) / 1e6));
  add_int (b, "stored", raw_count (raw, pgqrs_queue_get_id (queue), FALSE));
  add_stats (b, "call", call_us);
  result_print (b);
  raw_reset (raw, pgqrs_queue_get_id (queue));
  raw_close (raw);
}

/* ----------------------------------------------------------------------- */
/* end-to-end latency                                                       */

typedef enum { E2E_SAME, E2E_OTHER, E2E_POLL } E2EMode;

typedef struct
{
  E2EMode        mode;
  PgqrsStore    *store;
  PgqrsQueue    *queue;
  PgqrsConsumer *consumer;
  GMainLoop     *loop;
  GArray        *lat_us;
  int            seen;
  int            wanted;
  GAsyncQueue   *handled;      /* E2E_OTHER: the producer waits on it */
  guint          timeouts;
  gint64         pending_t0;   /* the sample in flight (producer on the loop) */
  GRand         *rand;
} E2E;

static void e2e_schedule (E2E *e);

static void
e2e_enqueued_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (pgqrs_queue_enqueue_finish (PGQRS_QUEUE (object), result, &error) <= 0)
    die ("enqueue", error);
}

static JsonNode *
e2e_payload (gint64 t0, int seq)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, "t0", t0);
  json_object_set_int_member (object, "seq", seq);
  json_node_take_object (node, object);
  return node;
}

static gboolean
e2e_produce (gpointer user_data)
{
  E2E *e = user_data;
  gint64 t0 = now_us ();
  g_autoptr(JsonNode) payload = e2e_payload (t0, e->seen);

  pgqrs_queue_enqueue_async (e->queue, payload, NULL, e2e_enqueued_cb, e);
  return G_SOURCE_REMOVE;
}

/* The gap before the next sample: long enough for the consumer to be back
 * waiting; in poll mode, uniform over the poll interval, so samples fall
 * anywhere in the poll cycle. */
static guint
e2e_gap_ms (E2E *e)
{
  if (e->mode == E2E_POLL)
    return 5 + (guint)g_rand_int_range (e->rand, 0, (gint32)(opt_poll_interval * 1000) + 1);
  return (guint)g_rand_int_range (e->rand, 10, 21);
}

static void
e2e_schedule (E2E *e)
{
  g_timeout_add (e2e_gap_ms (e), e2e_produce, e);
}

static gboolean
e2e_stop (gpointer user_data)
{
  E2E *e = user_data;

  pgqrs_consumer_stop (e->consumer);
  return G_SOURCE_REMOVE;
}

static gboolean
e2e_handler (PgqrsJob *job,
             gpointer  user_data)
{
  gint64 t1 = now_us ();
  E2E *e = user_data;
  JsonObject *payload = json_node_get_object (pgqrs_job_get_payload (job));
  gint64 t0 = json_object_get_int_member (payload, "t0");

  if (e->seen >= opt_warmup)
    g_array_append_val (e->lat_us, (double){ t1 - t0 });
  e->seen++;

  if (e->seen >= e->wanted)
    g_idle_add (e2e_stop, e);
  else if (e->mode == E2E_OTHER)
    g_async_queue_push (e->handled, GINT_TO_POINTER (1));
  else
    e2e_schedule (e);

  if (e->seen >= e->wanted && e->mode == E2E_OTHER)
    g_async_queue_push (e->handled, GINT_TO_POINTER (2));
  return TRUE;
}

/* E2E_OTHER: a producer with a store of its own, so that the wakeup has to
 * come through the database (PostgreSQL NOTIFY; SQLite's file watch). */
static gpointer
e2e_producer_thread (gpointer data)
{
  E2E *e = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(PgqrsStore) store = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (context);
  if (g_str_has_prefix (opt_dsn, "sqlite:"))
    {
      /* The stores of one file in a process share a backend, and with it
       * the in-process wakeup; another busy timeout keeps this one apart,
       * as another process's store would be. */
      g_autofree char *dsn = g_strdup_printf ("%s%cbusy_timeout=%u", opt_dsn,
                                              strchr (opt_dsn, '?') ? '&' : '?',
                                              pgqrs_config_get_busy_timeout (pgqrs_store_get_config (e->store)) + 1);
      g_autoptr(GError) open_error = NULL;

      if (!(store = pgqrs_store_new (dsn, NULL, &open_error)))
        die ("cannot open the store", open_error);
    }
  else
    store = open_store ();
  queue = open_queue (store, opt_queue);

  for (int i = 0; ; i++)
    {
      g_autoptr(JsonNode) payload = NULL;
      gpointer answer;

      g_usleep (e2e_gap_ms (e) * 1000);
      payload = e2e_payload (now_us (), i);
      if (pgqrs_queue_enqueue (queue, payload, NULL, &error) <= 0)
        die ("enqueue", error);
      answer = g_async_queue_timeout_pop (e->handled, 10 * G_USEC_PER_SEC);
      if (answer == NULL)
        {
          e->timeouts++;
          g_printerr ("pgqrs-bench: e2e: no delivery within 10 s\n");
          break;
        }
      if (GPOINTER_TO_INT (answer) == 2)
        break;
    }

  g_main_context_pop_thread_default (context);
  return NULL;
}

static gboolean
e2e_start (gpointer user_data)
{
  E2E *e = user_data;

  if (!pgqrs_consumer_is_running (e->consumer) || pgqrs_consumer_get_worker (e->consumer) == NULL ||
      pgqrs_worker_get_status (pgqrs_consumer_get_worker (e->consumer)) != PGQRS_WORKER_STATUS_POLLING)
    return G_SOURCE_CONTINUE;

  if (e->mode == E2E_OTHER)
    g_thread_unref (g_thread_new ("producer", e2e_producer_thread, e));
  else
    e2e_schedule (e);
  return G_SOURCE_REMOVE;
}

static void
scenario_e2e (void)
{
  g_autoptr(PgqrsStore) store = NULL;
  g_autoptr(PgqrsQueue) queue = setup (&store);
  g_autofree char *name = g_strdup_printf ("bench-e2e-%d", getpid ());
  Raw *raw = raw_open ();
  E2E e = { 0 };
  JsonBuilder *b;

  if (g_strcmp0 (opt_mode, "other") == 0)
    e.mode = E2E_OTHER;
  else if (g_strcmp0 (opt_mode, "poll") == 0)
    e.mode = E2E_POLL;
  else
    e.mode = E2E_SAME;

  raw_reset (raw, pgqrs_queue_get_id (queue));
  g_printerr ("e2e %s: mode %s, %d samples\n", backend_name (), opt_mode ? opt_mode : "same", opt_samples);

  e.store = store;
  e.queue = queue;
  e.loop = g_main_loop_new (NULL, FALSE);
  e.lat_us = g_array_new (FALSE, FALSE, sizeof (double));
  e.wanted = opt_samples + opt_warmup;
  e.handled = g_async_queue_new ();
  e.rand = g_rand_new_with_seed (7);
  e.consumer = pgqrs_consumer_new (queue, name);
  /* Wakeup modes keep the library's default poll interval, so a poll never
   * delivers a sample; poll mode sets its own. */
  if (e.mode == E2E_POLL)
    g_object_set (e.consumer, "poll-interval", opt_poll_interval, NULL);
  pgqrs_consumer_set_handler (e.consumer, e2e_handler, &e, NULL);
  /* polling only: nothing reaches the consumer but its own poll */
  if (e.mode == E2E_POLL)
    _pgqrs_consumer_set_wakeups (e.consumer, FALSE);
  pgqrs_consumer_run_async (e.consumer, NULL, consumer_done_cb, e.loop);
  g_timeout_add (5, e2e_start, &e);
  g_main_loop_run (e.loop);

  b = result_begin ();
  add_string (b, "mode", e.mode == E2E_OTHER ? "other" : e.mode == E2E_POLL ? "poll" : "same");
  add_double (b, "poll_interval_s", e.mode == E2E_POLL ? opt_poll_interval
                                     : pgqrs_config_get_poll_interval (pgqrs_store_get_config (store)));
  add_int (b, "timeouts", e.timeouts);
  add_stats (b, "latency", e.lat_us);
  result_print (b);

  g_object_unref (e.consumer);
  g_main_loop_unref (e.loop);
  g_array_unref (e.lat_us);
  g_async_queue_unref (e.handled);
  g_rand_free (e.rand);
  raw_reset (raw, pgqrs_queue_get_id (queue));
  raw_close (raw);
}

/* ----------------------------------------------------------------------- */
/* idle consumer                                                            */

/* CPU seconds used so far by every process named "postgres" (the server
 * of the benchmark cluster; run.sh runs no other). */
static double
postgres_cpu_seconds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *entry;
  double total = 0;
  long ticks = sysconf (_SC_CLK_TCK);

  if (dir == NULL)
    return NAN;
  while ((entry = g_dir_read_name (dir)))
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      char *close_paren;
      unsigned long utime, stime;

      if (!g_ascii_isdigit (entry[0]))
        continue;
      path = g_strdup_printf ("/proc/%s/stat", entry);
      if (!g_file_get_contents (path, &contents, NULL, NULL))
        continue;
      if (!strstr (contents, "(postgres)") || !(close_paren = strrchr (contents, ')')))
        continue;
      /* fields after the command: state ppid pgrp session tty tpgid flags
       * minflt cminflt majflt cmajflt utime stime */
      if (sscanf (close_paren + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                  &utime, &stime) == 2)
        total += (double)(utime + stime) / ticks;
    }
  return total;
}

/* A field of /proc/self/status in kB ("VmRSS": the resident set;
 * "RssAnon": its private part, without the shared libraries' pages), as
 * MiB, or NAN. */
static double
status_mib (const char *field)
{
  g_autofree char *status = NULL;
  g_autofree char *key = g_strdup_printf ("\n%s:", field);
  const char *line;
  long kib;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      !(line = strstr (status, key)) ||
      sscanf (line + strlen (key), " %ld kB", &kib) != 1)
    return NAN;
  return kib / 1024.0;
}

static gboolean
quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
idle_handler (PgqrsJob *job,
              gpointer  user_data)
{
  return TRUE;
}

static void
scenario_idle (void)
{
  g_autoptr(PgqrsStore) store = NULL;
  g_autoptr(PgqrsQueue) queue = setup (&store);
  g_autoptr(PgqrsConsumer) consumer = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *name = g_strdup_printf ("bench-idle-%d", getpid ());
  Raw *raw = raw_open ();
  double cpu0, cpu1, pg0 = NAN, pg1 = NAN, rss, rss_anon;
  gint64 t0, t1;
  JsonBuilder *b;

  raw_reset (raw, pgqrs_queue_get_id (queue));
  g_printerr ("idle %s: %.0f s\n", backend_name (), opt_seconds);

  consumer = pgqrs_consumer_new (queue, name);
  pgqrs_consumer_set_handler (consumer, idle_handler, NULL, NULL);
  pgqrs_consumer_run_async (consumer, NULL, consumer_done_cb, loop);

  /* Let it settle into its wait. */
  g_timeout_add (1000, quit_loop, loop);
  g_main_loop_run (loop);

  t0 = now_us ();
  cpu0 = process_cpu_seconds ();
  if (is_postgres (opt_dsn))
    pg0 = postgres_cpu_seconds ();
  g_timeout_add ((guint)(opt_seconds * 1000), quit_loop, loop);
  g_main_loop_run (loop);
  t1 = now_us ();
  cpu1 = process_cpu_seconds ();
  rss = status_mib ("VmRSS");
  rss_anon = status_mib ("RssAnon");
  if (is_postgres (opt_dsn))
    pg1 = postgres_cpu_seconds ();

  pgqrs_consumer_stop (consumer);
  g_main_loop_run (loop);

  b = result_begin ();
  add_double (b, "seconds", (t1 - t0) / 1e6);
  add_double (b, "poll_interval_s", pgqrs_config_get_poll_interval (pgqrs_store_get_config (store)));
  add_double (b, "heartbeat_interval_s", pgqrs_config_get_heartbeat_interval (pgqrs_store_get_config (store)));
  add_double (b, "client_cpu_s", cpu1 - cpu0);
  add_double (b, "client_cpu_percent", 100.0 * (cpu1 - cpu0) / ((t1 - t0) / 1e6));
  if (!isnan (rss))
    add_double (b, "resident_mib", rss);
  if (!isnan (rss_anon))
    add_double (b, "resident_private_mib", rss_anon);
  if (is_postgres (opt_dsn))
    {
      add_double (b, "server_cpu_s", pg1 - pg0);
      add_double (b, "server_cpu_percent", 100.0 * (pg1 - pg0) / ((t1 - t0) / 1e6));
    }
  result_print (b);
  raw_close (raw);
}

/* ----------------------------------------------------------------------- */
/* workflows                                                                */

static JsonNode *
step_body (PgqrsStep *step,
           gpointer   user_data)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "step", pgqrs_step_get_name (step));
  json_object_set_int_member (object, "rows", 3);
  json_node_take_object (node, object);
  return node;
}

static const char * const step_names[] = { "fetch", "transform", "save" };

/* Runs the three steps of @run, timing each run_step() call. */
static void
run_steps (PgqrsWorkflow *run,
           GArray        *step_us)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (step_names); i++)
    {
      g_autoptr(JsonNode) out = NULL;
      gint64 t0 = now_us ();

      if (!(out = pgqrs_workflow_run_step (run, step_names[i], step_body, NULL, NULL, &error)))
        die ("run_step", error);
      if (step_us)
        g_array_append_val (step_us, (double){ now_us () - t0 });
    }
}

static guint step_bodies_run;

static JsonNode *
counting_step_body (PgqrsStep *step,
                    gpointer   user_data)
{
  g_atomic_int_inc (&step_bodies_run);
  return step_body (step, user_data);
}

static void
scenario_workflow (void)
{
  g_autoptr(PgqrsStore) store = NULL;
  g_autoptr(PgqrsQueue) queue = setup (&store);
  g_autoptr(GArray) step_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cached_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) run_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) replay_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) input = json_from_string ("{\"url\":\"https://example.com/data.csv\"}", NULL);
  gint64 start, end, rstart, rend;
  guint replays;
  JsonBuilder *b;

  (void)queue;
  g_printerr ("workflow %s: %d runs\n", backend_name (), opt_runs);

  /* Fresh runs: create, start, three steps, complete. */
  start = now_us ();
  for (int i = 0; i < opt_runs; i++)
    {
      g_autoptr(PgqrsWorkflow) run = NULL;
      g_autoptr(JsonNode) output = json_from_string ("{\"saved\":3}", NULL);
      gint64 t0 = now_us ();

      if (!(run = pgqrs_store_create_workflow (store, "bench_pipeline", input, NULL, &error)) ||
          !pgqrs_workflow_start (run, NULL, &error))
        die ("workflow start", error);
      run_steps (run, step_us);
      if (!pgqrs_workflow_complete (run, output, NULL, &error))
        die ("workflow complete", error);
      g_array_append_val (run_us, (double){ now_us () - t0 });
      g_array_append_val (ids, (gint64){ pgqrs_workflow_get_id (run) });
    }
  end = now_us ();

  /* Replays: a run whose three steps completed, executed again after a
   * "crash" — each step comes back from the store without running. */
  replays = MAX (1, opt_runs / 2);
  {
    g_autoptr(GArray) crashed = g_array_new (FALSE, FALSE, sizeof (gint64));

    for (guint i = 0; i < replays; i++)
      {
        g_autoptr(PgqrsWorkflow) run = NULL;

        if (!(run = pgqrs_store_create_workflow (store, "bench_pipeline", input, NULL, &error)) ||
            !pgqrs_workflow_start (run, NULL, &error))
          die ("workflow start", error);
        run_steps (run, NULL);
        g_array_append_val (crashed, (gint64){ pgqrs_workflow_get_id (run) });
      }

    step_bodies_run = 0;
    rstart = now_us ();
    for (guint i = 0; i < crashed->len; i++)
      {
        g_autoptr(PgqrsWorkflow) run = NULL;
        g_autoptr(JsonNode) output = json_from_string ("{\"saved\":3}", NULL);
        gint64 t0 = now_us ();

        if (!(run = pgqrs_store_get_workflow_run (store, g_array_index (crashed, gint64, i), NULL, &error)) ||
            !pgqrs_workflow_start (run, NULL, &error))
          die ("workflow restart", error);
        for (guint s = 0; s < G_N_ELEMENTS (step_names); s++)
          {
            g_autoptr(JsonNode) out = NULL;
            gint64 s0 = now_us ();

            if (!(out = pgqrs_workflow_run_step (run, step_names[s], counting_step_body, NULL, NULL, &error)))
              die ("run_step (replay)", error);
            g_array_append_val (cached_us, (double){ now_us () - s0 });
          }
        if (!pgqrs_workflow_complete (run, output, NULL, &error))
          die ("workflow complete", error);
        g_array_append_val (replay_us, (double){ now_us () - t0 });
      }
    rend = now_us ();
  }

  b = result_begin ();
  add_int (b, "runs", opt_runs);
  add_int (b, "steps_per_run", G_N_ELEMENTS (step_names));
  add_double (b, "seconds", (end - start) / 1e6);
  add_double (b, "runs_per_s", opt_runs / ((end - start) / 1e6));
  add_double (b, "steps_per_s", opt_runs * G_N_ELEMENTS (step_names) / ((end - start) / 1e6));
  add_stats (b, "run", run_us);
  add_stats (b, "step", step_us);
  add_int (b, "replayed_runs", replays);
  add_double (b, "replayed_runs_per_s", replays / ((rend - rstart) / 1e6));
  add_int (b, "replayed_step_bodies_run", step_bodies_run);
  add_stats (b, "replayed_run", replay_us);
  add_stats (b, "cached_step", cached_us);
  result_print (b);
}

/* Triggered runs, run by a consumer in workflow mode. */

static gint workflows_done;
static gint64 workflows_last_at;

static JsonNode *
bench_workflow_func (PgqrsWorkflow *run,
                     gpointer       user_data)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (step_names); i++)
    {
      g_autoptr(JsonNode) out = NULL;

      if (!(out = pgqrs_workflow_run_step (run, step_names[i], step_body, NULL, NULL, &error)))
        {
          g_printerr ("pgqrs-bench: step: %s\n", error->message);
          return NULL;
        }
    }
  if (g_atomic_int_add (&workflows_done, 1) + 1 >= opt_runs)
    workflows_last_at = now_us ();
  return json_from_string ("{\"saved\":3}", NULL);
}

static gboolean
workflows_check (gpointer user_data)
{
  PgqrsConsumer *consumer = user_data;

  if (g_atomic_int_get (&workflows_done) >= opt_runs)
    {
      pgqrs_consumer_stop (consumer);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
scenario_workflow_consumer (void)
{
  g_autoptr(PgqrsStore) store = NULL;
  g_autoptr(PgqrsQueue) queue = setup (&store);
  g_autoptr(PgqrsConsumer) consumer = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) input = json_from_string ("{\"url\":\"https://example.com/data.csv\"}", NULL);
  g_autofree char *name = g_strdup_printf ("bench-wf-%d", getpid ());
  Raw *raw = raw_open ();
  gint64 start;
  double seconds;
  JsonBuilder *b;

  raw_reset (raw, pgqrs_queue_get_id (queue));
  g_printerr ("workflow-consumer %s: %d runs, concurrency %d\n", backend_name (), opt_runs, opt_consumers);
  if (!pgqrs_store_define_workflow (store, "bench_triggered", opt_queue, NULL, &error))
    die ("define_workflow", error);
  for (int i = 0; i < opt_runs; i++)
    {
      g_autoptr(PgqrsWorkflow) run = NULL;

      if (!(run = pgqrs_store_trigger_workflow (store, "bench_triggered", input, NULL, &error)))
        die ("trigger_workflow", error);
    }

  consumer = pgqrs_consumer_new (queue, name);
  g_object_set (consumer, "concurrency", (guint)opt_consumers, NULL);
  pgqrs_consumer_set_workflow (consumer, bench_workflow_func, NULL, NULL);
  g_timeout_add (2, workflows_check, consumer);

  start = now_us ();
  pgqrs_consumer_run_async (consumer, NULL, consumer_done_cb, loop);
  g_main_loop_run (loop);
  seconds = (workflows_last_at - start) / 1e6;

  b = result_begin ();
  add_int (b, "runs", opt_runs);
  add_int (b, "concurrency", opt_consumers);
  add_int (b, "completed", workflows_done);
  add_double (b, "seconds", seconds);
  add_double (b, "runs_per_s", workflows_done / seconds);
  add_double (b, "steps_per_s", workflows_done * G_N_ELEMENTS (step_names) / seconds);
  result_print (b);
  raw_reset (raw, pgqrs_queue_get_id (queue));
  raw_close (raw);
}

/* ----------------------------------------------------------------------- */
/* backlog growth                                                           */

static void
measure_point (JsonBuilder *b,
               PgqrsQueue  *queue,
               Raw         *raw,
               const char  *what)
{
  g_autoptr(GArray) lease_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) archive_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  gint64 waiting = raw_count (raw, pgqrs_queue_get_id (queue), FALSE);
  gint64 archived_q = raw_count (raw, pgqrs_queue_get_id (queue), TRUE);
  gint64 rows = raw_int (raw, "SELECT count (*) FROM pgqrs_messages");

  g_printerr ("backlog %s: %s: %" G_GINT64_FORMAT " waiting, %" G_GINT64_FORMAT " archived in the queue, %"
              G_GINT64_FORMAT " rows\n", backend_name (), what, waiting, archived_q, rows);

  for (int i = 0; i < opt_samples + opt_warmup; i++)
    {
      g_autoptr(GPtrArray) messages = NULL;
      g_autoptr(GArray) flags = NULL;
      gint64 t0 = now_us (), t1, t2;

      if (!(messages = pgqrs_queue_dequeue (queue, opt_batch, opt_visibility, NULL, &error)))
        die ("dequeue", error);
      t1 = now_us ();
      if (messages->len == 0)
        break;
      if (!(flags = pgqrs_queue_archive_batch (queue, messages, NULL, &error)))
        die ("archive", error);
      t2 = now_us ();
      if (i >= opt_warmup)
        {
          g_array_append_val (lease_us, (double){ t1 - t0 });
          g_array_append_val (archive_us, (double){ t2 - t1 });
        }
    }

  json_builder_begin_object (b);
  add_string (b, "point", what);
  add_int (b, "waiting", waiting);
  add_int (b, "archived_in_queue", archived_q);
  add_int (b, "rows_in_table", rows);
  add_stats (b, "lease", lease_us);
  add_stats (b, "archive", archive_us);
  json_builder_end_object (b);
}

static void
scenario_backlog (void)
{
  g_autoptr(PgqrsStore) store = NULL;
  g_autoptr(PgqrsQueue) queue = setup (&store);
  g_autoptr(PgqrsQueue) other = NULL;
  g_autofree char *other_name = g_strconcat (opt_queue, "_archived", NULL);
  g_auto(GStrv) levels = g_strsplit (opt_levels ? opt_levels : "10000,100000,1000000", ",", -1);
  Raw *raw = raw_open ();
  gint64 have = 0;
  JsonBuilder *b;

  other = open_queue (store, other_name);
  raw_reset (raw, pgqrs_queue_get_id (other));
  raw_reset (raw, pgqrs_queue_get_id (queue));

  b = result_begin ();
  add_int (b, "batch", opt_batch);
  add_int (b, "samples", opt_samples);
  json_builder_set_member_name (b, "points");
  json_builder_begin_array (b);

  /* The waiting backlog grows, nothing archived. */
  for (guint i = 0; levels[i]; i++)
    {
      gint64 level = g_ascii_strtoll (levels[i], NULL, 10);
      g_autofree char *what = g_strdup_printf ("%" G_GINT64_FORMAT " waiting", level);

      raw_fill (raw, pgqrs_queue_get_id (queue), level - have, FALSE);
      have = level;
      measure_point (b, queue, raw, what);
      have = raw_count (raw, pgqrs_queue_get_id (queue), FALSE);
    }

  /* Then with a large archive: in the same queue as a small backlog, and
   * in the table under the large one. */
  if (opt_archived > 0)
    {
      gint64 small = g_ascii_strtoll (levels[0], NULL, 10);
      g_autofree char *what1 = g_strdup_printf ("%" G_GINT64_FORMAT " waiting + %" G_GINT64_FORMAT
                                                " archived (same queue)", small, opt_archived);
      g_autofree char *what2 = g_strdup_printf ("%" G_GINT64_FORMAT " waiting + %" G_GINT64_FORMAT
                                                " archived (in the table)", have, opt_archived);

      raw_fill (raw, pgqrs_queue_get_id (other), opt_archived, TRUE);
      raw_fill (raw, pgqrs_queue_get_id (other), small, FALSE);
      if (raw->pg)
        raw_exec (raw, "VACUUM (ANALYZE) pgqrs_messages");
      measure_point (b, other, raw, what1);
      measure_point (b, queue, raw, what2);
    }

  json_builder_end_array (b);
  result_print (b);

  raw_reset (raw, pgqrs_queue_get_id (other));
  raw_reset (raw, pgqrs_queue_get_id (queue));
  raw_close (raw);
}

/* ----------------------------------------------------------------------- */
/* setup scenarios for the ceilings                                         */

static void
scenario_install (void)
{
  g_autoptr(PgqrsStore) store = NULL;
  g_autoptr(PgqrsQueue) queue = setup (&store);

  g_print ("%" G_GINT64_FORMAT "\n", pgqrs_queue_get_id (queue));
}

static void
scenario_prefill (void)
{
  g_autoptr(PgqrsStore) store = NULL;
  g_autoptr(PgqrsQueue) queue = setup (&store);
  Raw *raw = raw_open ();

  raw_reset (raw, pgqrs_queue_get_id (queue));
  raw_fill (raw, pgqrs_queue_get_id (queue), opt_messages, FALSE);
  g_print ("%" G_GINT64_FORMAT "\n", pgqrs_queue_get_id (queue));
  raw_close (raw);
}

static void
scenario_count (void)
{
  g_autoptr(PgqrsStore) store = NULL;
  g_autoptr(PgqrsQueue) queue = setup (&store);
  Raw *raw = raw_open ();

  g_print ("{\"waiting\": %" G_GINT64_FORMAT ", \"archived\": %" G_GINT64_FORMAT "}\n",
           raw_count (raw, pgqrs_queue_get_id (queue), FALSE),
           raw_count (raw, pgqrs_queue_get_id (queue), TRUE));
  raw_close (raw);
}

static void
scenario_statements (void)
{
  JsonBuilder *b = result_begin ();

  add_string (b, "sqlite_version", sqlite3_libversion ());
#ifdef HAVE_LIBPQ
  {
    g_autofree char *lease = _pgqrs_postgres_qualify (_pgqrs_postgres_statement_sql (PG_STMT_MESSAGE_LEASE), "public");
    g_autofree char *archive = _pgqrs_postgres_qualify (_pgqrs_postgres_statement_sql (PG_STMT_MESSAGE_ARCHIVE), "public");

    pq_load ();
    add_int (b, "libpq_version", pq.lib_version ());
    add_string (b, "lease", lease);
    add_int (b, "lease_params", _pgqrs_postgres_statement_n_params (PG_STMT_MESSAGE_LEASE));
    /* the library writes the window's size in here (pgqrs-postgres-lease-forms.c) */
    add_string (b, "lease_limit_param", PG_LEASE_LIMIT_PARAM);
    add_string (b, "archive", archive);
    add_int (b, "archive_params", _pgqrs_postgres_statement_n_params (PG_STMT_MESSAGE_ARCHIVE));
  }
#endif
  result_print (b);
}

/* ----------------------------------------------------------------------- */

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— pgqrs benchmarks");
  g_autoptr(GError) error = NULL;
  static const struct { const char *name; void (*func) (void); } scenarios[] = {
    { "install", scenario_install },
    { "prefill", scenario_prefill },
    { "count", scenario_count },
    { "drain", scenario_drain },
    { "drain-consumer", scenario_drain_consumer },
    { "enqueue", scenario_enqueue },
    { "e2e", scenario_e2e },
    { "idle", scenario_idle },
    { "workflow", scenario_workflow },
    { "workflow-consumer", scenario_workflow_consumer },
    { "backlog", scenario_backlog },
    { "statements", scenario_statements },
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("pgqrs-bench: %s\n", error->message);
      return 2;
    }
  if (opt_dsn == NULL && g_strcmp0 (opt_scenario, "statements") == 0)
    opt_dsn = g_strdup ("postgresql://");
  if (opt_dsn == NULL || opt_scenario == NULL)
    {
      g_printerr ("pgqrs-bench: --dsn and --scenario are required (see --help)\n");
      return 2;
    }
  if (opt_queue == NULL)
    opt_queue = g_strdup ("bench");
  if (opt_consumers < 1 || opt_batch < 1 || opt_samples < 1 || opt_runs < 1)
    {
      g_printerr ("pgqrs-bench: counts must be positive\n");
      return 2;
    }

  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    if (g_str_equal (scenarios[i].name, opt_scenario))
      {
        scenarios[i].func ();
        return 0;
      }

  g_printerr ("pgqrs-bench: unknown scenario “%s”\n", opt_scenario);
  return 2;
}
