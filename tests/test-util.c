/* test-util.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <locale.h>
#include <stdarg.h>
#include <unistd.h>

#include <sqlite3.h>
#include <string.h>

#include "test-util.h"
#include "pgqrs-config-private.h"
#include "pgqrs-store-private.h"
#ifdef HAVE_POSTGRES
# include <libpq-fe.h>
# include "test-cluster.h"
#endif
#ifdef HAVE_LIBSQL
# include "test-libsql-server.h"
# include "backends/libsql/pgqrs-hrana-private.h"
# include "backends/libsql/pgqrs-libsql-backend-private.h"
#endif

static char *sqlite_dir;
static guint dsn_serial;

static void
remove_sqlite_dir (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (sqlite_dir == NULL || !(dir = g_dir_open (sqlite_dir, 0, NULL)))
    return;

  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *path = g_build_filename (sqlite_dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (sqlite_dir);
}

void
pgqrs_test_init (int    *argc,
                 char ***argv)
{
  setlocale (LC_ALL, "");
  g_test_init (argc, argv, NULL);
}

const char *
pgqrs_test_backend_name (void)
{
  const char *backend = g_getenv ("PGQRS_TEST_BACKEND");

  return backend && *backend ? backend : "sqlite";
}

gboolean
pgqrs_test_backend_is_sqlite (void)
{
  return g_str_equal (pgqrs_test_backend_name (), "sqlite");
}

PgqrsBackendKind
pgqrs_test_backend_kind (void)
{
  const char *backend = pgqrs_test_backend_name ();

  if (g_str_equal (backend, "sqlite"))
    return PGQRS_BACKEND_KIND_SQLITE;
  if (g_str_equal (backend, "postgres") || g_str_equal (backend, "pgbouncer"))
    return PGQRS_BACKEND_KIND_POSTGRES;
  return PGQRS_BACKEND_KIND_TURSO;
}

char *
pgqrs_test_new_dsn (const char *options)
{
  const char *backend = pgqrs_test_backend_name ();
  guint serial = ++dsn_serial;

  if (g_str_equal (backend, "sqlite"))
    {
      g_autofree char *path = NULL;

      if (sqlite_dir == NULL)
        {
          g_autoptr(GError) error = NULL;

          sqlite_dir = g_dir_make_tmp ("pgqrs-test-XXXXXX", &error);
          g_assert_no_error (error);
          atexit (remove_sqlite_dir);
        }

      path = g_strdup_printf ("%s/test-%u.db", sqlite_dir, serial);
      return g_strdup_printf ("sqlite://%s%s%s", path,
                              options ? "?" : "", options ? options : "");
    }

#ifdef HAVE_LIBSQL
  /* sqld: a server of its own per test (pgqrs_test_sqld_start() stops those
   * of earlier tests); "sqld-auth" requires a JWT, which the store finds in
   * PGQRS_AUTH_TOKEN, as do the processes the test spawns. */
  if (g_str_equal (backend, "sqld") || g_str_equal (backend, "sqld-auth"))
    {
      const char *token = NULL;
      const char *url = pgqrs_test_sqld_start (g_str_equal (backend, "sqld-auth"), &token);

      if (token != NULL)
        g_setenv ("PGQRS_AUTH_TOKEN", token, TRUE);
      return g_strdup_printf ("%s%s%s", url, options ? "?" : "", options ? options : "");
    }

  /* turso:///path: a new file; the store runs the Turso engine on it */
  if (g_str_equal (backend, "turso"))
    return g_strdup_printf ("turso://%s/test-%u.db%s%s", pgqrs_test_tmp_dir (), serial,
                            options ? "?" : "", options ? options : "");
#endif

#ifdef HAVE_POSTGRES
  if (g_str_equal (backend, "postgres") || g_str_equal (backend, "pgbouncer"))
    {
      const char *base = pgqrs_test_cluster_dsn (g_str_equal (backend, "pgbouncer"));

      /* A schema of its own per test keeps tests apart and exercises the
       * schema option on every run. */
      return g_strdup_printf ("%s%sschema=t%d_%u%s%s", base,
                              strchr (base, '?') ? "&" : "?",
                              (int)getpid (), serial,
                              options ? "&" : "", options ? options : "");
    }
#endif

  g_error ("Unknown PGQRS_TEST_BACKEND “%s”", backend);
  return NULL;
}

PgqrsStore *
pgqrs_test_open_store (const char *options)
{
  g_autofree char *dsn = pgqrs_test_new_dsn (options);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) store = NULL;

  store = pgqrs_store_new (dsn, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);

  pgqrs_store_install (store, NULL, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&store);
}

void
pgqrs_test_wait (gboolean *done)
{
  while (!*done)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
}

void
pgqrs_test_store_result (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  GAsyncResult **slot = user_data;
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  g_assert_true (g_main_context_is_owner (context));
  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

GAsyncResult *
pgqrs_test_await (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);

  return *slot;
}

JsonNode *
pgqrs_test_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

char *
pgqrs_test_json_text (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

void
pgqrs_test_set_clock (PgqrsStore *store,
                      double      seconds)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (_pgqrs_store_set_clock_skew (store, seconds, &error));
  g_assert_no_error (error);
}

static int
first_value_cb (void  *data,
                int    n_columns,
                char **values,
                char **names)
{
  gint64 *value = data;

  if (n_columns > 0 && values[0] != NULL)
    *value = g_ascii_strtoll (values[0], NULL, 10);
  return 1;   /* the first row is enough */
}

gint64
pgqrs_test_exec_sql (PgqrsStore *store,
                     const char *sqlite_sql,
                     const char *postgres_sql)
{
  PgqrsConfig *config = pgqrs_store_get_config (store);
  gint64 value = 0;

  if (pgqrs_config_get_backend_kind (config) == PGQRS_BACKEND_KIND_SQLITE)
    {
      sqlite3 *db = NULL;
      char *message = NULL;
      int rc;

      g_assert_false (_pgqrs_config_get_sqlite_in_memory (config));
      g_assert_cmpint (sqlite3_open (_pgqrs_config_get_sqlite_path (config), &db), ==, SQLITE_OK);
      rc = sqlite3_exec (db, sqlite_sql, first_value_cb, &value, &message);
      if (rc != SQLITE_OK && rc != SQLITE_ABORT)
        g_error ("%s: %s", sqlite_sql, message);
      sqlite3_free (message);
      sqlite3_close (db);
      return value;
    }

#ifdef HAVE_LIBSQL
  if (pgqrs_config_get_backend_kind (config) == PGQRS_BACKEND_KIND_TURSO)
    {
      /* to the store's server (a turso:/// store's own engine) on a
       * connection of our own */
      g_autofree char *url = _pgqrs_libsql_backend_get_url (_pgqrs_store_get_backend (store));
      PgqrsHrana *client = _pgqrs_hrana_new (url, g_getenv ("PGQRS_AUTH_TOKEN"), 30);
      PgqrsSqlDb *db = _pgqrs_hrana_get_db (client);
      g_autoptr(GPtrArray) statements = _pgqrs_hrana_split_script (sqlite_sql);
      g_autoptr(GError) error = NULL;

      if (!_pgqrs_hrana_connect (client, &error))
        g_error ("%s", error->message);
      for (guint i = 0; i < statements->len; i++)
        {
          PgqrsSqlStmt *stmt = _pgqrs_sql_prepare_sql (db, i, g_ptr_array_index (statements, i), &error);
          int rc = stmt ? _pgqrs_sql_step (db, stmt, &error) : 0;

          if (rc == 0)
            g_error ("%s: %s", sqlite_sql, error->message);
          if (rc == PGQRS_SQL_ROW)
            {
              /* as sqlite3_exec() above: the first row ends the script */
              value = _pgqrs_sql_column_int64 (stmt, 0);
              break;
            }
        }
      _pgqrs_hrana_free (client);
      return value;
    }
#endif

#ifdef HAVE_POSTGRES
  {
    /* directly to the server: DDL has no business in the pooler */
    PGconn *conn = PQconnectdb (pgqrs_test_cluster_dsn (FALSE));
    const char *schema = pgqrs_config_get_schema (config);
    g_autofree char *quoted = NULL;
    g_auto(GStrv) parts = NULL;
    g_autofree char *sql = NULL;
    PGresult *result;
    char *escaped;

    g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
    escaped = PQescapeIdentifier (conn, schema, strlen (schema));
    quoted = g_strdup (escaped);
    PQfreemem (escaped);
    parts = g_strsplit (postgres_sql, "@SCHEMA@", -1);
    sql = g_strjoinv (quoted, parts);

    result = PQexec (conn, sql);
    if (PQresultStatus (result) != PGRES_COMMAND_OK && PQresultStatus (result) != PGRES_TUPLES_OK)
      g_error ("%s: %s", sql, PQerrorMessage (conn));
    if (PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) > 0 &&
        PQnfields (result) > 0 && !PQgetisnull (result, 0, 0))
      value = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
    PQclear (result);
    PQfinish (conn);
  }
#else
  g_assert_not_reached ();
#endif

  return value;
}

void
pgqrs_test_child_free (PgqrsTestChild *child)
{
  g_clear_object (&child->process);
  g_free (child->command);
  g_free (child->out);
  g_free (child->err);
  g_free (child);
}

static void
child_communicated_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  PgqrsTestChild *child = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result,
                                        &child->out, &child->err, &error);
  g_assert_no_error (error);
  child->done = TRUE;
}

PgqrsTestChild *
pgqrs_test_spawn_worker (const char * const *args)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "pgqrs-test-worker", NULL);
  PgqrsTestChild *child = g_new0 (PgqrsTestChild, 1);

  g_strv_builder_add (builder, program);
  g_strv_builder_addv (builder, (const char **)args);
  argv = g_strv_builder_end (builder);

  child->command = g_strjoinv (" ", argv);
  g_test_message ("spawn %s", child->command);
  child->process = g_subprocess_newv ((const char * const *)argv,
                                      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                      &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (child->process, NULL, NULL, child_communicated_cb, child);

  return child;
}

PgqrsTestChild *
pgqrs_test_spawn_workerl (const char *first_arg,
                          ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer)arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  return pgqrs_test_spawn_worker ((const char * const *)args->pdata);
}

void
pgqrs_test_child_wait (PgqrsTestChild *child)
{
  pgqrs_test_wait (&child->done);
  g_subprocess_wait (child->process, NULL, NULL);

  if (!g_subprocess_get_successful (child->process))
    g_error ("“%s” failed with status %d: %s", child->command,
             g_subprocess_get_status (child->process), child->err);
}

guint
pgqrs_test_free_port (void)
{
  struct sockaddr_in addr = { .sin_family = AF_INET };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  guint port;

  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (fd < 0 || bind (fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
      getsockname (fd, (struct sockaddr *)&addr, &len) != 0)
    g_error ("tests: cannot find a free port: %s", g_strerror (errno));
  port = ntohs (addr.sin_port);
  close (fd);

  return port;
}
