/* pgqrs-test-env.c — run a command against a fresh pgqrs database
 *
 * Usage: pgqrs-test-env --backend sqlite|postgres|pgbouncer|sqld|turso [--other]
 *                       -- COMMAND [ARGUMENT…]
 *
 * The binding tests and the examples in Python, gjs and Vala cannot link
 * test-util.c, so this makes their database for them: an SQLite file in a
 * new temporary directory, or a schema of its own on a throwaway PostgreSQL
 * cluster (test-cluster.c), or a throwaway sqld server
 * (test-libsql-server.c), or a file for the Turso engine. COMMAND runs with
 *
 *   PGQRS_TEST_BACKEND    the backend's name
 *   PGQRS_TEST_DSN        the DSN of the fresh, empty database
 *   PGQRS_TEST_OTHER_DSN  with --other, that of a second one
 *
 * and this exits with COMMAND's status; the directory or the cluster goes
 * away afterwards, however COMMAND ended.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef HAVE_POSTGRES
# include "test-cluster.h"
#endif
#ifdef HAVE_LIBSQL
# include "test-libsql-server.h"
#endif

static char *sqlite_dir;

static void
remove_sqlite_dir (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (sqlite_dir == NULL || !(dir = g_dir_open (sqlite_dir, 0, NULL)))
    return;

  /* The database and its -wal and -shm files: nothing nested. */
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (sqlite_dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (sqlite_dir);
}

/* A file @name.db in this run's directory. */
static char *
fresh_file_dsn (const char  *scheme,
                const char  *name,
                GError     **error)
{
  if (sqlite_dir == NULL)
    {
      if (!(sqlite_dir = g_dir_make_tmp ("pgqrs-test-env-XXXXXX", error)))
        return NULL;
      atexit (remove_sqlite_dir);
    }

  return g_strdup_printf ("%s://%s/%s.db", scheme, sqlite_dir, name);
}

/* A fresh database, called @name where the backend names it. */
static char *
fresh_dsn (const char  *backend,
           const char  *name,
           GError     **error)
{
  if (g_str_equal (backend, "sqlite"))
    return fresh_file_dsn ("sqlite", name, error);

#ifdef HAVE_LIBSQL
  /* the Turso engine, which the library runs on a file of this directory
   * (its address and lock files next to it: nothing nested either) */
  if (g_str_equal (backend, "turso"))
    return fresh_file_dsn ("turso", name, error);

  /* sqld: a server of its own, stopped at exit, for each database */
  if (g_str_equal (backend, "sqld"))
    return g_strdup (pgqrs_test_sqld_start (FALSE, NULL));
#endif

#ifdef HAVE_POSTGRES
  if (g_str_equal (backend, "postgres") || g_str_equal (backend, "pgbouncer"))
    {
      const char *base = pgqrs_test_cluster_dsn (g_str_equal (backend, "pgbouncer"));

      return g_strdup_printf ("%s%sschema=env%d_%s", base, strchr (base, '?') ? "&" : "?",
                              (int)getpid (), name);
    }
#endif

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "unknown or unavailable backend “%s”", backend);
  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *backend = NULL;
  g_autofree char *dsn = NULL;
  g_autofree char *other_dsn = NULL;
  gboolean other = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_auto(GStrv) envp = NULL;
  const GOptionEntry entries[] = {
    { "backend", 0, 0, G_OPTION_ARG_STRING, &backend, "sqlite, postgres, pgbouncer, sqld or turso", "NAME" },
    { "other", 0, 0, G_OPTION_ARG_NONE, &other, "Make a second database too", NULL },
    G_OPTION_ENTRY_NULL
  };
  int status;

  context = g_option_context_new ("-- COMMAND [ARGUMENT…]");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_strict_posix (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("pgqrs-test-env: %s\n", error->message);
      return 2;
    }

  /* GOption leaves the "--" in place. */
  if (argc > 1 && g_str_equal (argv[1], "--"))
    {
      argv++;
      argc--;
    }
  if (backend == NULL || argc < 2)
    {
      g_printerr ("usage: pgqrs-test-env --backend sqlite|postgres|pgbouncer|sqld|turso [--other] "
                  "-- COMMAND [ARGUMENT…]\n");
      return 2;
    }

  if (!(dsn = fresh_dsn (backend, "test", &error)) ||
      (other && !(other_dsn = fresh_dsn (backend, "other", &error))))
    {
      g_printerr ("pgqrs-test-env: %s\n", error->message);
      return 99;                /* a hard error for meson, not a test failure */
    }

  envp = g_get_environ ();
  envp = g_environ_setenv (envp, "PGQRS_TEST_BACKEND", backend, TRUE);
  envp = g_environ_setenv (envp, "PGQRS_TEST_DSN", dsn, TRUE);
  if (other_dsn != NULL)
    envp = g_environ_setenv (envp, "PGQRS_TEST_OTHER_DSN", other_dsn, TRUE);

  /* The command's output goes straight to ours, so meson reads its TAP. */
  if (!g_spawn_sync (NULL, argv + 1, envp,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_CHILD_INHERITS_STDIN |
                     G_SPAWN_CHILD_INHERITS_STDOUT | G_SPAWN_CHILD_INHERITS_STDERR,
                     NULL, NULL, NULL, NULL, &status, &error))
    {
      g_printerr ("pgqrs-test-env: cannot run %s: %s\n", argv[1], error->message);
      return 99;
    }

  if (WIFEXITED (status))
    return WEXITSTATUS (status);

  g_printerr ("pgqrs-test-env: %s killed by signal %d\n", argv[1], WTERMSIG (status));
  return 1;
}
