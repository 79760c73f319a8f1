/* sqlite-ceiling.c — what SQLite itself can do with pgqrs's statements
 *
 * The ceiling for the SQLite drain: the same lease and archive statements
 * as the pgqrs SQLite backend (taken from its statement table,
 * pgqrs/backends/sqlite/pgqrs-sqlite-statements.c, linked in), on
 * the same tables, in the same transactions (one BEGIN IMMEDIATE for the
 * dead-letter sweep + lease, one for the archive of the batch), with the
 * same connection settings (WAL, synchronous=NORMAL, foreign keys, busy
 * timeout), each consumer a thread with its own connection — and nothing
 * else: no objects, no JSON parsing, no owner thread, no main loop.
 *
 *   sqlite-ceiling --db FILE --queue-id ID --consumers N --batch B
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
#include <sqlite3.h>

#include "backends/sqlite/pgqrs-sqlite-statements-private.h"

/* The statements are the library's own (its statement table, linked in),
 * so the ceiling can never drift from what pgqrs runs. */
#define sql_dead_letter _pgqrs_sqlite_statement_sql (SQLITE_STMT_MESSAGE_DEAD_LETTER)
#define sql_lease _pgqrs_sqlite_statement_sql (SQLITE_STMT_MESSAGE_LEASE)
#define sql_archive _pgqrs_sqlite_statement_sql (SQLITE_STMT_MESSAGE_ARCHIVE)

static char    *opt_db;
static gint64   opt_queue_id = 1;
static int      opt_consumers = 1;
static int      opt_batch = 1;
static int      opt_max_read = 5;
static double   opt_visibility = 30;
static char    *opt_label;

static GOptionEntry entries[] = {
  { "db", 0, 0, G_OPTION_ARG_FILENAME, &opt_db, "SQLite database file", "FILE" },
  { "queue-id", 0, 0, G_OPTION_ARG_INT64, &opt_queue_id, "Queue id", "ID" },
  { "consumers", 0, 0, G_OPTION_ARG_INT, &opt_consumers, "Consumer threads", "N" },
  { "batch", 0, 0, G_OPTION_ARG_INT, &opt_batch, "Messages per lease", "N" },
  { "label", 0, 0, G_OPTION_ARG_STRING, &opt_label, "Copied into the JSON", "TEXT" },
  { NULL }
};

typedef struct
{
  GMutex  *mutex;
  GCond   *cond;
  int     *ready;
  gint64  *start;
  GArray  *lease_us;
  GArray  *archive_us;
  guint64  archived;
  gint64   finished_at;
} Consumer;

typedef struct
{
  gint64 id;
  gint64 lease_ct;
} Token;

static void
check (sqlite3    *db,
       int         rc,
       const char *what)
{
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      fprintf (stderr, "sqlite-ceiling: %s: %s\n", what, sqlite3_errmsg (db));
      exit (1);
    }
}

static int
compare_tokens (gconstpointer a,
                gconstpointer b)
{
  gint64 x = ((const Token *)a)->id, y = ((const Token *)b)->id;

  return (x > y) - (x < y);
}

static gpointer
consumer_thread (gpointer data)
{
  Consumer *c = data;
  sqlite3 *db;
  sqlite3_stmt *dead, *lease, *archive;
  g_autoptr(GArray) tokens = g_array_new (FALSE, FALSE, sizeof (Token));
  gsize payload_bytes = 0;

  check (NULL, sqlite3_open_v2 (opt_db, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL), "open");
  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, 10000);
  /* the library's pragmas (pgqrs-sqlite-connection.c) */
  check (db, sqlite3_exec (db, "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; "
                               "PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY;",
                           NULL, NULL, NULL), "pragmas");
  check (db, sqlite3_prepare_v3 (db, sql_dead_letter, -1, SQLITE_PREPARE_PERSISTENT, &dead, NULL), "prepare");
  check (db, sqlite3_prepare_v3 (db, sql_lease, -1, SQLITE_PREPARE_PERSISTENT, &lease, NULL), "prepare");
  check (db, sqlite3_prepare_v3 (db, sql_archive, -1, SQLITE_PREPARE_PERSISTENT, &archive, NULL), "prepare");

  g_mutex_lock (c->mutex);
  (*c->ready)--;
  g_cond_broadcast (c->cond);
  while (*c->ready > 0)
    g_cond_wait (c->cond, c->mutex);
  g_mutex_unlock (c->mutex);

  for (;;)
    {
      gint64 t0 = g_get_monotonic_time (), t1, t2;
      int rc;

      g_array_set_size (tokens, 0);

      /* the lease: one transaction */
      check (db, sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), "begin");
      do
        {
          sqlite3_reset (dead);
          sqlite3_clear_bindings (dead);
          sqlite3_bind_int64 (dead, 1, opt_queue_id);
          sqlite3_bind_int (dead, 2, opt_batch);
          sqlite3_bind_int (dead, 3, opt_max_read);
          check (db, sqlite3_step (dead), "dead letters");
        }
      while (sqlite3_changes (db) > 0);

      sqlite3_reset (lease);
      sqlite3_clear_bindings (lease);
      sqlite3_bind_int64 (lease, 1, opt_queue_id);
      sqlite3_bind_int (lease, 2, opt_batch);
      sqlite3_bind_double (lease, 3, opt_visibility);
      sqlite3_bind_int64 (lease, 4, 0);
      while ((rc = sqlite3_step (lease)) == SQLITE_ROW)
        {
          Token t = { sqlite3_column_int64 (lease, 0), sqlite3_column_int64 (lease, 11) };

          /* read every column, as a client must */
          for (int col = 2; col <= 7; col++)
            payload_bytes += sqlite3_column_bytes (lease, col);
          g_array_append_val (tokens, t);
        }
      check (db, rc, "lease");
      sqlite3_reset (lease);
      check (db, sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), "commit");
      g_array_sort (tokens, compare_tokens);
      t1 = g_get_monotonic_time ();

      if (tokens->len == 0)
        break;
      g_array_append_val (c->lease_us, (double){ t1 - t0 });

      /* the archive of the batch: one transaction */
      check (db, sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), "begin");
      for (guint i = 0; i < tokens->len; i++)
        {
          Token *t = &g_array_index (tokens, Token, i);

          sqlite3_reset (archive);
          sqlite3_clear_bindings (archive);
          sqlite3_bind_int64 (archive, 1, t->id);
          sqlite3_bind_int64 (archive, 2, opt_queue_id);
          sqlite3_bind_int64 (archive, 3, t->lease_ct);
          sqlite3_bind_int (archive, 4, 0);
          check (db, sqlite3_step (archive), "archive");
          c->archived += sqlite3_changes (db) > 0;
        }
      check (db, sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), "commit");
      t2 = g_get_monotonic_time ();
      g_array_append_val (c->archive_us, (double){ t2 - t1 });
    }

  c->finished_at = g_get_monotonic_time ();
  sqlite3_finalize (dead);
  sqlite3_finalize (lease);
  sqlite3_finalize (archive);
  sqlite3_close (db);
  (void)payload_bytes;
  return NULL;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *s,
            double  p)
{
  double rank;
  guint lo;

  if (s->len == 0)
    return NAN;
  rank = p / 100.0 * (s->len - 1);
  lo = (guint)floor (rank);
  if (lo + 1 >= s->len)
    return g_array_index (s, double, s->len - 1);
  return g_array_index (s, double, lo) +
         (rank - lo) * (g_array_index (s, double, lo + 1) - g_array_index (s, double, lo));
}

static void
print_stats (const char *name,
             GArray     *us)
{
  double sum = 0;

  g_array_sort (us, compare_doubles);
  for (guint i = 0; i < us->len; i++)
    sum += g_array_index (us, double, i);
  printf (", \"%s\": {\"n\": %u, \"mean_ms\": %.6f, \"p50_ms\": %.6f, \"p95_ms\": %.6f, \"p99_ms\": %.6f}",
          name, us->len, us->len ? sum / us->len / 1000.0 : 0.0,
          percentile (us, 50) / 1000.0, percentile (us, 95) / 1000.0, percentile (us, 99) / 1000.0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— the SQLite drain ceiling");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) lease_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) archive_us = g_array_new (FALSE, FALSE, sizeof (double));
  GMutex mutex;
  GCond cond;
  int ready;
  gint64 start, end = 0;
  guint64 archived = 0;
  Consumer *c;
  GThread **threads;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || opt_db == NULL ||
      opt_consumers < 1 || opt_batch < 1)
    {
      fprintf (stderr, "sqlite-ceiling: %s\n", error ? error->message : "--db FILE is required");
      return 2;
    }

  g_mutex_init (&mutex);
  g_cond_init (&cond);
  ready = opt_consumers;
  c = g_new0 (Consumer, opt_consumers);
  threads = g_new0 (GThread *, opt_consumers);

  g_mutex_lock (&mutex);
  for (int i = 0; i < opt_consumers; i++)
    {
      c[i].mutex = &mutex;
      c[i].cond = &cond;
      c[i].ready = &ready;
      c[i].lease_us = g_array_new (FALSE, FALSE, sizeof (double));
      c[i].archive_us = g_array_new (FALSE, FALSE, sizeof (double));
      threads[i] = g_thread_new ("ceiling", consumer_thread, &c[i]);
    }
  while (ready > 0)
    g_cond_wait (&cond, &mutex);
  start = g_get_monotonic_time ();
  g_mutex_unlock (&mutex);

  for (int i = 0; i < opt_consumers; i++)
    {
      g_thread_join (threads[i]);
      archived += c[i].archived;
      end = MAX (end, c[i].finished_at);
      g_array_append_vals (lease_us, c[i].lease_us->data, c[i].lease_us->len);
      g_array_append_vals (archive_us, c[i].archive_us->data, c[i].archive_us->len);
    }

  printf ("{\"scenario\": \"ceiling\", \"backend\": \"sqlite\", \"driver\": \"sqlite-ceiling\"");
  if (opt_label)
    printf (", \"label\": \"%s\"", opt_label);
  printf (", \"consumers\": %d, \"batch\": %d, \"archived\": %" G_GUINT64_FORMAT
          ", \"seconds\": %.6f, \"messages_per_s\": %.3f",
          opt_consumers, opt_batch, archived, (end - start) / 1e6, archived / ((end - start) / 1e6));
  print_stats ("lease", lease_us);
  print_stats ("archive", archive_us);
  printf ("}\n");

  return 0;
}
