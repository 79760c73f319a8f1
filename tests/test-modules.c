/* test-modules.c — the PostgreSQL and libSQL backends are modules, loaded
 * only when a DSN asks for them
 *
 * Linked against the shared library, as an application is (the library of
 * the other tests has every backend linked in).  Each case runs in a
 * process of its own, so that what it finds mapped is its own doing.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <pgqrs.h>

/* The build's module folder, from the test environment, before a case
 * points PGQRS_BACKEND_DIR elsewhere. */
static char *backend_dir;

/* The lines of /proc/self/maps that name @needle. */
static char *
mappings_of (const char *needle)
{
  g_autofree char *maps = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) found = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  g_file_get_contents ("/proc/self/maps", &maps, NULL, &error);
  g_assert_no_error (error);

  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], needle) != NULL)
      g_string_append_printf (found, "%s\n", lines[i]);

  return g_string_free (g_steal_pointer (&found), FALSE);
}

static void
assert_not_mapped (const char *needle)
{
  g_autofree char *found = mappings_of (needle);

  if (found[0] != '\0')
    g_error ("%s is mapped:\n%s", needle, found);
}

static void
sqlite_maps_no_module_child (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("pgqrs-test-modules-XXXXXX", &error);
  g_autofree char *dsn = NULL;
  g_autoptr(PgqrsStore) store = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(JsonNode) payload = json_from_string ("{\"n\": 1}", NULL);
  g_autoptr(GPtrArray) messages = NULL;
  g_autofree char *db = NULL;

  g_assert_no_error (error);
  db = g_build_filename (dir, "modules.db", NULL);
  dsn = g_strconcat ("sqlite://", db, NULL);

  store = pgqrs_store_new (dsn, NULL, &error);
  g_assert_no_error (error);
  pgqrs_store_install (store, NULL, &error);
  g_assert_no_error (error);
  queue = pgqrs_store_create_queue (store, "modules", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_queue_enqueue (queue, payload, NULL, &error), >, 0);
  g_assert_no_error (error);
  messages = pgqrs_queue_dequeue (queue, 1, 30, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 1);

  /* libpq and libsoup, and what only they bring in */
  assert_not_mapped ("pgqrs-backend-");
  assert_not_mapped ("libpq.so");
  assert_not_mapped ("libsoup-3");
  assert_not_mapped ("libssl.so");
  assert_not_mapped ("libnghttp2");

  g_clear_pointer (&messages, g_ptr_array_unref);
  g_clear_object (&queue);
  g_clear_object (&store);
  g_unlink (db);
  g_rmdir (dir);
}

static void
test_sqlite_maps_no_module (void)
{
  if (g_test_subprocess ())
    {
      sqlite_maps_no_module_child ();
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* A DSN whose backend module is not where the library looks: a clear
 * BACKEND_UNAVAILABLE that names the module, and no secret of the DSN. */
static void
assert_unavailable (const char *dsn,
                    const char *backend,
                    const char *module)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) store = NULL;
  g_autofree char *nowhere = g_dir_make_tmp ("pgqrs-test-no-modules-XXXXXX", &error);

  g_assert_no_error (error);
  g_setenv ("PGQRS_BACKEND_DIR", nowhere, TRUE);

  store = pgqrs_store_new (dsn, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_BACKEND_UNAVAILABLE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, backend));
  g_assert_null (strstr (error->message, "s3cret"));
  if (module != NULL)
    {
      g_autofree char *path = g_build_filename (nowhere, module, NULL);

      g_assert_nonnull (strstr (error->message, path));
    }

  g_rmdir (nowhere);
}

static void
test_missing_module (void)
{
  if (g_test_subprocess ())
    {
#ifdef HAVE_POSTGRES
      assert_unavailable ("postgresql://pgqrs:s3cret@127.0.0.1:1/pgqrs", "PostgreSQL",
                          "pgqrs-backend-postgres." G_MODULE_SUFFIX);
#else
      assert_unavailable ("postgresql://pgqrs:s3cret@127.0.0.1:1/pgqrs", "PostgreSQL", NULL);
#endif
#ifdef HAVE_LIBSQL
      assert_unavailable ("libsql://127.0.0.1:1?authToken=s3cret", "Turso",
                          "pgqrs-backend-libsql." G_MODULE_SUFFIX);
#else
      assert_unavailable ("libsql://127.0.0.1:1?authToken=s3cret", "Turso", NULL);
#endif
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

#ifdef HAVE_POSTGRES
/* A PostgreSQL DSN loads the module (and libpq with it); the store then
 * fails as a store does on a port nobody listens on. */
static void
test_postgres_loads_module (void)
{
  g_assert_nonnull (backend_dir);
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PgqrsStore) store = NULL;
      g_autofree char *module = NULL;
      g_autofree char *libpq = NULL;

      g_setenv ("PGQRS_BACKEND_DIR", backend_dir, TRUE);
      store = pgqrs_store_new ("postgresql://pgqrs@127.0.0.1:1/pgqrs?connect_timeout=2", NULL, &error);
      g_assert_null (store);
      g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION);

      module = mappings_of ("pgqrs-backend-postgres");
      libpq = mappings_of ("libpq.so");
      g_assert_cmpstr (module, !=, "");
      g_assert_cmpstr (libpq, !=, "");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}
#endif

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  backend_dir = g_strdup (g_getenv ("PGQRS_BACKEND_DIR"));

  g_test_add_func ("/pgqrs/modules/sqlite-maps-no-module", test_sqlite_maps_no_module);
  g_test_add_func ("/pgqrs/modules/missing-module", test_missing_module);
#ifdef HAVE_POSTGRES
  g_test_add_func ("/pgqrs/modules/postgres-loads-module", test_postgres_loads_module);
#endif

  return g_test_run ();
}
