/* test-util.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <unistd.h>

#include "test-util.h"
#include "pgqrs-store-private.h"
#ifdef HAVE_POSTGRES
# include "test-cluster.h"
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
