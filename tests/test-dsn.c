/* test-dsn.c — DSN parsing, options and the environment; no database.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "test-util.h"

static void
assert_invalid (const char *dsn,
                const char *mentions)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsConfig) config = pgqrs_config_new_from_dsn (dsn, &error);

  g_assert_null (config);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG);
  if (mentions != NULL && strstr (error->message, mentions) == NULL)
    g_error ("“%s”: the error “%s” does not mention “%s”", dsn, error->message, mentions);
}

static void
test_malformed (void)
{
  assert_invalid ("", "empty");
  assert_invalid ("jobs.db", "no scheme");
  assert_invalid (":memory:", "no scheme");
  assert_invalid ("mysql://host/db", "mysql");
  assert_invalid ("sqlite:jobs.db", "sqlite:///");
  assert_invalid ("sqlite://", "no database file");
  assert_invalid ("sqlite:///var/lib/", "directory");
  assert_invalid ("sqlite:///tmp/x.db?bogus=1", "bogus");
  assert_invalid ("sqlite:///tmp/x.db?max_read_count=abc", "max-read-count");
  assert_invalid ("sqlite:///tmp/x.db?max_read_count=0", "max-read-count");
  assert_invalid ("sqlite:///tmp/x.db?visibility_timeout=-1", "visibility-timeout");
  assert_invalid ("sqlite:///tmp/x.db?visibility_timeout", "key=value");
  assert_invalid ("sqlite:///tmp/x.db?schema=bad%20name", "schema");
  assert_invalid ("postgresql:host/db", "postgresql://");
  assert_invalid ("turso://", "turso://");
}

static void
test_sqlite_forms (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsConfig) absolute = pgqrs_config_new_from_dsn ("sqlite:///var/lib/app/jobs.db", &error);
  g_autoptr(PgqrsConfig) relative = pgqrs_config_new_from_dsn ("sqlite://jobs.db", &error);
  g_autoptr(PgqrsConfig) memory = pgqrs_config_new_from_dsn ("sqlite::memory:?max_read_count=2", &error);

  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_config_get_backend_kind (absolute), ==, PGQRS_BACKEND_KIND_SQLITE);
  g_assert_cmpstr (pgqrs_config_get_dsn (absolute), ==, "sqlite:///var/lib/app/jobs.db");
  g_assert_cmpint (pgqrs_config_get_backend_kind (relative), ==, PGQRS_BACKEND_KIND_SQLITE);
  g_assert_cmpuint (pgqrs_config_get_max_read_count (memory), ==, 2);
}

static void
test_options_from_dsn (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsConfig) config =
    pgqrs_config_new_from_dsn ("sqlite::memory:?visibility-timeout=2.5&max_payload_bytes=100"
                               "&required_keys=a,%20b&forbidden_keys=secret&enqueue_rate_limit=10"
                               "&schema=jobs_1",
                               &error);
  const char * const *required;

  g_assert_no_error (error);
  g_assert_cmpfloat (pgqrs_config_get_visibility_timeout (config), ==, 2.5);
  g_assert_cmpuint (pgqrs_config_get_max_payload_bytes (config), ==, 100);
  required = pgqrs_config_get_required_keys (config);
  g_assert_cmpstr (required[0], ==, "a");
  g_assert_cmpstr (required[1], ==, "b");
  g_assert_null (required[2]);
  g_assert_cmpstr (pgqrs_config_get_forbidden_keys (config)[0], ==, "secret");
  g_assert_cmpfloat (pgqrs_config_get_enqueue_rate_limit (config), ==, 10);
  g_assert_cmpstr (pgqrs_config_get_schema (config), ==, "jobs_1");

  /* and the defaults */
  g_clear_object (&config);
  config = pgqrs_config_new_from_dsn ("sqlite::memory:", &error);
  g_assert_cmpfloat (pgqrs_config_get_visibility_timeout (config), ==, 30);
  g_assert_cmpuint (pgqrs_config_get_max_payload_bytes (config), ==, 1024 * 1024);
  g_assert_cmpfloat (pgqrs_config_get_enqueue_rate_limit (config), ==, 0);
  g_assert_cmpstr (pgqrs_config_get_schema (config), ==, "public");
}

static void
test_environment (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsConfig) from_env = NULL;
  g_autoptr(PgqrsConfig) dsn_wins = NULL;
  g_autoptr(PgqrsConfig) bad = NULL;

  g_setenv ("PGQRS_VISIBILITY_TIMEOUT", "7", TRUE);
  g_setenv ("PGQRS_MAX_READ_COUNT", "9", TRUE);

  from_env = pgqrs_config_new_from_dsn ("sqlite::memory:", &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (pgqrs_config_get_visibility_timeout (from_env), ==, 7);
  g_assert_cmpuint (pgqrs_config_get_max_read_count (from_env), ==, 9);

  dsn_wins = pgqrs_config_new_from_dsn ("sqlite::memory:?max_read_count=3", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pgqrs_config_get_max_read_count (dsn_wins), ==, 3);
  g_assert_cmpfloat (pgqrs_config_get_visibility_timeout (dsn_wins), ==, 7);

  g_setenv ("PGQRS_MAX_READ_COUNT", "many", TRUE);
  bad = pgqrs_config_new_from_dsn ("sqlite::memory:", &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "PGQRS_MAX_READ_COUNT"));

  g_unsetenv ("PGQRS_VISIBILITY_TIMEOUT");
  g_unsetenv ("PGQRS_MAX_READ_COUNT");
}

static void
test_password_never_shown (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsConfig) config =
    pgqrs_config_new_from_dsn ("postgresql://alice:s3cret@db.example.com:5432/jobs"
                               "?sslmode=require&password=s3cret&max_read_count=4",
                               &error);
  g_autofree char *property = NULL;
  g_autoptr(PgqrsConfig) broken = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_config_get_backend_kind (config), ==, PGQRS_BACKEND_KIND_POSTGRES);
  g_assert_cmpuint (pgqrs_config_get_max_read_count (config), ==, 4);
  g_assert_null (strstr (pgqrs_config_get_dsn (config), "s3cret"));
  g_assert_nonnull (strstr (pgqrs_config_get_dsn (config), "alice:***@db.example.com"));

  g_object_get (config, "dsn", &property, NULL);
  g_assert_null (strstr (property, "s3cret"));

  broken = pgqrs_config_new_from_dsn ("postgresql://alice:s3cret@db/jobs?max_read_count=x", &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG);
  g_assert_null (strstr (error->message, "s3cret"));
}

static void
test_set_option (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsConfig) config = pgqrs_config_new_from_dsn ("sqlite::memory:", &error);

  g_assert_true (pgqrs_config_set_option (config, "poll_interval", "0.25", &error));
  g_assert_cmpfloat (pgqrs_config_get_poll_interval (config), ==, 0.25);
  g_assert_false (pgqrs_config_set_option (config, "dsn", "sqlite::memory:", &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG);
  g_clear_error (&error);
  g_assert_false (pgqrs_config_set_option (config, "schema", "9lives", &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG);
}

static void
test_unavailable_backend (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) store = pgqrs_store_new ("turso://example.turso.io", NULL, &error);

  g_assert_null (store);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_BACKEND_UNAVAILABLE);
}

int
main (int   argc,
      char *argv[])
{
  pgqrs_test_init (&argc, &argv);

  g_test_add_func ("/pgqrs/dsn/malformed", test_malformed);
  g_test_add_func ("/pgqrs/dsn/sqlite-forms", test_sqlite_forms);
  g_test_add_func ("/pgqrs/dsn/options", test_options_from_dsn);
  g_test_add_func ("/pgqrs/dsn/environment", test_environment);
  g_test_add_func ("/pgqrs/dsn/password-never-shown", test_password_never_shown);
  g_test_add_func ("/pgqrs/dsn/set-option", test_set_option);
  g_test_add_func ("/pgqrs/dsn/unavailable-backend", test_unavailable_backend);

  return g_test_run ();
}
