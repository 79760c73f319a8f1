/* test-config.c — DSNs, options, environment variables and their errors.
 *
 * Needs no database: every case here fails or succeeds before a store
 * connects, so the binary runs once, not once per backend.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gstdio.h>

#include "test-util.h"

/* The defaults must not depend on the caller's environment. */
static void
clear_pgqrs_environment (void)
{
  g_auto(GStrv) env = g_get_environ ();

  for (guint i = 0; env[i] != NULL; i++)
    {
      g_autofree char *name = g_strndup (env[i], strcspn (env[i], "="));

      if (g_str_has_prefix (name, "PGQRS_") && !g_str_equal (name, "PGQRS_TEST_BACKEND"))
        g_unsetenv (name);
    }
}

static PgqrsConfig *
config_ok (const char *dsn)
{
  g_autoptr(GError) error = NULL;
  PgqrsConfig *config = pgqrs_config_new_from_dsn (dsn, &error);

  g_assert_no_error (error);
  g_assert_true (PGQRS_IS_CONFIG (config));

  return config;
}

static void
test_defaults (void)
{
  g_autoptr(PgqrsConfig) config = config_ok ("sqlite:///tmp/pgqrs-defaults.db");
  const char * const *keys;

  g_assert_cmpint (pgqrs_config_get_backend_kind (config), ==, PGQRS_BACKEND_KIND_SQLITE);
  g_assert_cmpstr (pgqrs_config_get_dsn (config), ==, "sqlite:///tmp/pgqrs-defaults.db");
  g_assert_cmpstr (pgqrs_config_get_schema (config), ==, "public");
  g_assert_cmpuint (pgqrs_config_get_max_connections (config), ==, 10);
  g_assert_cmpfloat (pgqrs_config_get_visibility_timeout (config), ==, 30.0);
  g_assert_cmpuint (pgqrs_config_get_max_read_count (config), ==, 5);
  g_assert_cmpfloat (pgqrs_config_get_poll_interval (config), ==, 1.0);
  g_assert_cmpfloat (pgqrs_config_get_heartbeat_interval (config), ==, 5.0);
  g_assert_cmpuint (pgqrs_config_get_max_payload_bytes (config), ==, 1024 * 1024);
  g_assert_cmpuint (pgqrs_config_get_max_depth (config), ==, 32);
  g_assert_cmpuint (pgqrs_config_get_max_string_bytes (config), ==, 1024 * 1024);
  g_assert_cmpuint (pgqrs_config_get_max_key_bytes (config), ==, 256);
  g_assert_cmpfloat (pgqrs_config_get_enqueue_rate_limit (config), ==, 0.0);
  g_assert_cmpuint (pgqrs_config_get_enqueue_burst (config), ==, 0);
  g_assert_cmpuint (pgqrs_config_get_busy_timeout (config), ==, 10000);
  g_assert_true (pgqrs_config_get_prepared_statements (config));

  keys = pgqrs_config_get_required_keys (config);
  g_assert_nonnull (keys);
  g_assert_null (keys[0]);
  keys = pgqrs_config_get_forbidden_keys (config);
  g_assert_nonnull (keys);
  g_assert_null (keys[0]);
}

static void
test_dsn_forms (void)
{
  static const struct {
    const char       *dsn;
    PgqrsBackendKind  kind;
  } cases[] = {
    { "sqlite:///var/lib/app/jobs.db", PGQRS_BACKEND_KIND_SQLITE },
    { "sqlite://jobs.db", PGQRS_BACKEND_KIND_SQLITE },
    { "sqlite://data/jobs.db", PGQRS_BACKEND_KIND_SQLITE },
    { "sqlite::memory:", PGQRS_BACKEND_KIND_SQLITE },
    { "SQLITE::memory:", PGQRS_BACKEND_KIND_SQLITE },
    { "postgresql://app@db.example.com:5432/jobs", PGQRS_BACKEND_KIND_POSTGRES },
    { "postgres://localhost/jobs", PGQRS_BACKEND_KIND_POSTGRES },
    { "postgresql://localhost/jobs?sslmode=require&connect_timeout=3", PGQRS_BACKEND_KIND_POSTGRES },
    { "turso://example.turso.io", PGQRS_BACKEND_KIND_TURSO },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PgqrsConfig) config = config_ok (cases[i].dsn);
      PgqrsBackendKind kind;

      g_test_message ("DSN %s", cases[i].dsn);
      g_assert_cmpint (pgqrs_config_get_backend_kind (config), ==, cases[i].kind);
      g_object_get (config, "backend-kind", &kind, NULL);
      g_assert_cmpint (kind, ==, cases[i].kind);
    }
}

/* Each malformed DSN is PGQRS_ERROR_INVALID_CONFIG, and the message names
 * the problem: it holds every one of the listed words. */
static void
test_dsn_errors (void)
{
  static const struct {
    const char *dsn;
    const char *words[3];
  } cases[] = {
    { "", { "empty" } },
    { "jobs.db", { "scheme", "jobs.db" } },
    { "://host/db", { "scheme" } },
    { "mysql://localhost/jobs", { "mysql" } },
    { "sqlite:jobs.db", { "sqlite:jobs.db" } },
    { "sqlite:", { "sqlite:" } },
    { "sqlite://", { "no database file" } },
    { "sqlite:///var/lib/app/", { "directory" } },
    { "sqlite:///tmp/jobs.db?bogus=1", { "bogus" } },
    { "sqlite:///tmp/jobs.db?max_read_count=abc", { "max-read-count", "abc" } },
    { "sqlite:///tmp/jobs.db?max_read_count=0", { "max-read-count", "0" } },
    { "sqlite:///tmp/jobs.db?max_read_count=-1", { "max-read-count", "-1" } },
    { "sqlite:///tmp/jobs.db?max_depth=5000", { "max-depth", "5000" } },
    { "sqlite:///tmp/jobs.db?visibility_timeout=-1", { "visibility-timeout", "-1" } },
    { "sqlite:///tmp/jobs.db?visibility_timeout=nan", { "visibility-timeout", "nan" } },
    { "sqlite:///tmp/jobs.db?visibility_timeout=10s", { "visibility-timeout", "10s" } },
    { "sqlite:///tmp/jobs.db?poll_interval=", { "poll-interval" } },
    { "sqlite:///tmp/jobs.db?max_payload_bytes=99999999999", { "max-payload-bytes" } },
    { "sqlite:///tmp/jobs.db?max_read_count", { "max_read_count" } },
    { "sqlite:///tmp/jobs.db?=3", { "=3" } },
    { "postgresql:localhost/jobs", { "PostgreSQL" } },
    { "postgresql://localhost/jobs?schema=a%20b", { "schema" } },
    { "postgresql://localhost/jobs?schema=1abc", { "schema", "1abc" } },
    { "turso://", { "Turso" } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PgqrsConfig) config = NULL;

      g_test_message ("DSN “%s”", cases[i].dsn);
      config = pgqrs_config_new_from_dsn (cases[i].dsn, &error);
      g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG);
      g_assert_null (config);
      g_test_message ("  → %s", error->message);

      for (guint w = 0; w < G_N_ELEMENTS (cases[i].words) && cases[i].words[w]; w++)
        g_assert_nonnull (strstr (error->message, cases[i].words[w]));
    }
}

static void
test_options (void)
{
  g_autoptr(PgqrsConfig) config = NULL;
  const char * const *keys;
  g_auto(GStrv) forbidden = NULL;
  double visibility = 0;
  guint read_count = 0;

  config = config_ok ("sqlite:///tmp/jobs.db?visibility_timeout=0.5&max-read-count=3"
                      "&poll_interval=0.25&heartbeat-interval=2&max_payload_bytes=2048"
                      "&max_depth=4&max_string_bytes=100&max_key_bytes=8"
                      "&required_keys=task,%20to&forbidden_keys=password,secret,"
                      "&enqueue_rate_limit=12.5&enqueue_burst=20&busy_timeout=250"
                      "&max_connections=3&&schema=jobs_1");

  g_assert_cmpfloat (pgqrs_config_get_visibility_timeout (config), ==, 0.5);
  g_assert_cmpuint (pgqrs_config_get_max_read_count (config), ==, 3);
  g_assert_cmpfloat (pgqrs_config_get_poll_interval (config), ==, 0.25);
  g_assert_cmpfloat (pgqrs_config_get_heartbeat_interval (config), ==, 2.0);
  g_assert_cmpuint (pgqrs_config_get_max_payload_bytes (config), ==, 2048);
  g_assert_cmpuint (pgqrs_config_get_max_depth (config), ==, 4);
  g_assert_cmpuint (pgqrs_config_get_max_string_bytes (config), ==, 100);
  g_assert_cmpuint (pgqrs_config_get_max_key_bytes (config), ==, 8);
  g_assert_cmpfloat (pgqrs_config_get_enqueue_rate_limit (config), ==, 12.5);
  g_assert_cmpuint (pgqrs_config_get_enqueue_burst (config), ==, 20);
  g_assert_cmpuint (pgqrs_config_get_busy_timeout (config), ==, 250);
  g_assert_cmpuint (pgqrs_config_get_max_connections (config), ==, 3);
  g_assert_cmpstr (pgqrs_config_get_schema (config), ==, "jobs_1");

  /* Lists are comma-separated, trimmed, without empty items. */
  keys = pgqrs_config_get_required_keys (config);
  g_assert_cmpstrv (keys, ((const char * const[]) { "task", "to", NULL }));
  keys = pgqrs_config_get_forbidden_keys (config);
  g_assert_cmpstrv (keys, ((const char * const[]) { "password", "secret", NULL }));

  /* The getters and the GObject properties agree. */
  g_object_get (config,
                "visibility-timeout", &visibility,
                "max-read-count", &read_count,
                "forbidden-keys", &forbidden,
                NULL);
  g_assert_cmpfloat (visibility, ==, 0.5);
  g_assert_cmpuint (read_count, ==, 3);
  g_assert_cmpstrv (forbidden, ((const char * const[]) { "password", "secret", NULL }));
}

static void
notify_count_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
test_set_option (void)
{
  g_autoptr(PgqrsConfig) config = config_ok ("sqlite::memory:");
  g_autoptr(GError) error = NULL;
  guint notified = 0;

  g_signal_connect (config, "notify::max-read-count", G_CALLBACK (notify_count_cb), &notified);

  g_assert_true (pgqrs_config_set_option (config, "max_read_count", "9", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pgqrs_config_get_max_read_count (config), ==, 9);
  g_assert_cmpuint (notified, ==, 1);

  /* Notified only on change. */
  g_assert_true (pgqrs_config_set_option (config, "max-read-count", "9", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (notified, ==, 1);

  g_assert_false (pgqrs_config_set_option (config, "no_such_option", "1", &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "no_such_option"));
  g_clear_error (&error);

  /* Read-only properties are not options. */
  g_assert_false (pgqrs_config_set_option (config, "dsn", "sqlite:///tmp/x.db", &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG);
  g_clear_error (&error);
  g_assert_cmpstr (pgqrs_config_get_dsn (config), ==, "sqlite::memory:");

  g_assert_false (pgqrs_config_set_option (config, "max_read_count", "lots", &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "lots"));
  g_clear_error (&error);
  g_assert_cmpuint (pgqrs_config_get_max_read_count (config), ==, 9);
  g_assert_cmpuint (notified, ==, 1);

  /* Booleans take the usual spellings, and nothing else. */
  g_assert_true (pgqrs_config_set_option (config, "prepared_statements", "off", &error));
  g_assert_no_error (error);
  g_assert_false (pgqrs_config_get_prepared_statements (config));
  g_assert_true (pgqrs_config_set_option (config, "prepared-statements", "TRUE", &error));
  g_assert_no_error (error);
  g_assert_true (pgqrs_config_get_prepared_statements (config));
  g_assert_false (pgqrs_config_set_option (config, "prepared_statements", "maybe", &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "maybe"));
  g_clear_error (&error);
  g_assert_true (pgqrs_config_get_prepared_statements (config));
}

static void
test_copy (void)
{
  g_autoptr(PgqrsConfig) config = config_ok ("sqlite:///tmp/jobs.db?max_read_count=4&required_keys=a");
  g_autoptr(PgqrsConfig) copy = pgqrs_config_copy (config);
  g_autoptr(GError) error = NULL;

  g_assert_true (copy != config);
  g_assert_cmpstr (pgqrs_config_get_dsn (copy), ==, pgqrs_config_get_dsn (config));
  g_assert_cmpint (pgqrs_config_get_backend_kind (copy), ==, PGQRS_BACKEND_KIND_SQLITE);
  g_assert_cmpuint (pgqrs_config_get_max_read_count (copy), ==, 4);
  g_assert_cmpstrv (pgqrs_config_get_required_keys (copy), ((const char * const[]) { "a", NULL }));

  g_assert_true (pgqrs_config_set_option (config, "max_read_count", "7", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pgqrs_config_get_max_read_count (copy), ==, 4);
}

static void
test_environment (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsConfig) from_env = NULL;
  g_autoptr(PgqrsConfig) dsn_wins = NULL;
  g_autoptr(PgqrsConfig) bad = NULL;

  g_setenv ("PGQRS_VISIBILITY_TIMEOUT", "12.5", TRUE);
  g_setenv ("PGQRS_MAX_READ_COUNT", "7", TRUE);
  g_setenv ("PGQRS_FORBIDDEN_KEYS", "password", TRUE);

  from_env = config_ok ("sqlite:///tmp/jobs.db");
  g_assert_cmpfloat (pgqrs_config_get_visibility_timeout (from_env), ==, 12.5);
  g_assert_cmpuint (pgqrs_config_get_max_read_count (from_env), ==, 7);
  g_assert_cmpstrv (pgqrs_config_get_forbidden_keys (from_env),
                    ((const char * const[]) { "password", NULL }));

  /* The DSN is stronger than the environment. */
  dsn_wins = config_ok ("sqlite:///tmp/jobs.db?visibility_timeout=3&forbidden_keys=token");
  g_assert_cmpfloat (pgqrs_config_get_visibility_timeout (dsn_wins), ==, 3.0);
  g_assert_cmpuint (pgqrs_config_get_max_read_count (dsn_wins), ==, 7);
  g_assert_cmpstrv (pgqrs_config_get_forbidden_keys (dsn_wins),
                    ((const char * const[]) { "token", NULL }));

  /* A bad value in the environment is an error that names the variable,
   * even when the DSN would override it. */
  g_setenv ("PGQRS_MAX_DEPTH", "deep", TRUE);
  bad = pgqrs_config_new_from_dsn ("sqlite:///tmp/jobs.db?max_depth=3", &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG);
  g_assert_null (bad);
  g_assert_nonnull (strstr (error->message, "PGQRS_MAX_DEPTH"));
  g_assert_nonnull (strstr (error->message, "deep"));

  clear_pgqrs_environment ();
}

/* Rule 24: the password never shows, in the DSN property nor in errors. */
static void
test_password_hidden (void)
{
  static const char *ok_dsns[] = {
    "postgresql://app:secret@db.example.com/jobs",
    "postgres://app:secret@db.example.com:5432/jobs?sslmode=require",
    "postgresql://app@db.example.com/jobs?password=secret&sslmode=require",
    "postgresql://app@db.example.com/jobs?sslmode=require&password=secret",
    "postgresql://app:s%40cret%3Asecret@db.example.com/jobs",
  };
  static const char *bad_dsns[] = {
    "postgresql://app:secret@db.example.com/jobs?max_read_count=abc",
    "postgresql://app:secret@db.example.com/jobs?schema=no%20way",
    "mysql://app:secret@db.example.com/jobs",
    "postgresql:app:secret@db.example.com/jobs",
    "host=db.example.com user=app password=secret dbname=jobs",
  };

  for (guint i = 0; i < G_N_ELEMENTS (ok_dsns); i++)
    {
      g_autoptr(PgqrsConfig) config = config_ok (ok_dsns[i]);
      g_autofree char *property = NULL;

      g_object_get (config, "dsn", &property, NULL);
      g_test_message ("%s → %s", ok_dsns[i], pgqrs_config_get_dsn (config));
      g_assert_null (strstr (pgqrs_config_get_dsn (config), "secret"));
      g_assert_null (strstr (pgqrs_config_get_dsn (config), "cret"));
      g_assert_nonnull (strstr (pgqrs_config_get_dsn (config), "db.example.com"));
      g_assert_cmpstr (property, ==, pgqrs_config_get_dsn (config));
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad_dsns); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PgqrsConfig) config = pgqrs_config_new_from_dsn (bad_dsns[i], &error);

      g_test_message ("%s → %s", bad_dsns[i], error ? error->message : "(no error)");
      g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG);
      g_assert_null (strstr (error->message, "secret"));
    }
}

static void
new_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  GError **error = user_data;
  g_autoptr(PgqrsStore) store = pgqrs_store_new_finish (result, error);

  g_assert_null (store);
  g_assert_nonnull (*error);
}

/* A store cannot be made from a bad DSN or for a backend this build lacks,
 * and trying writes nothing. */
static void
test_store_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("pgqrs-config-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "jobs.db", NULL);
  g_autofree char *bad_dsn = g_strdup_printf ("sqlite://%s?bogus=1", path);
  g_autofree char *bad_value = g_strdup_printf ("sqlite://%s?max_read_count=abc", path);
  g_autoptr(PgqrsStore) store = NULL;
  g_autoptr(PgqrsConfig) turso = NULL;

  g_assert_no_error (error);

  store = pgqrs_store_new (bad_dsn, NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG);
  g_assert_null (store);
  g_assert_nonnull (strstr (error->message, "bogus"));
  g_clear_error (&error);

  pgqrs_store_new_async (bad_value, NULL, new_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "abc"));
  g_clear_error (&error);

  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_rmdir (dir), ==, 0);

  store = pgqrs_store_new ("turso://example.turso.io", NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_BACKEND_UNAVAILABLE);
  g_assert_null (store);
  g_assert_nonnull (strstr (error->message, "Turso"));
  g_clear_error (&error);

  turso = config_ok ("turso://example.turso.io");
  store = pgqrs_store_new_for_config (turso, NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_BACKEND_UNAVAILABLE);
  g_assert_null (store);
  g_clear_error (&error);

  pgqrs_store_new_async ("turso://example.turso.io", NULL, new_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_BACKEND_UNAVAILABLE);
  g_clear_error (&error);

#ifndef HAVE_POSTGRES
  store = pgqrs_store_new ("postgresql://app:secret@localhost/jobs", NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_BACKEND_UNAVAILABLE);
  g_assert_null (store);
  g_assert_nonnull (strstr (error->message, "PostgreSQL"));
  g_assert_null (strstr (error->message, "secret"));
  g_clear_error (&error);
#endif
}

/* A store made from a config keeps a copy of it. */
static void
test_store_config (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsConfig) config = config_ok ("sqlite::memory:?max_read_count=3");
  g_autoptr(PgqrsStore) store = NULL;
  PgqrsConfig *used;

  store = pgqrs_store_new_for_config (config, NULL, &error);
  g_assert_no_error (error);
  used = pgqrs_store_get_config (store);
  g_assert_cmpuint (pgqrs_config_get_max_read_count (used), ==, 3);

  g_assert_true (pgqrs_config_set_option (config, "max_read_count", "8", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pgqrs_config_get_max_read_count (used), ==, 3);
  g_assert_finalize_object (g_steal_pointer (&store));

  /* the same, without blocking */
  {
    g_autoptr(GAsyncResult) result = NULL;

    pgqrs_store_new_for_config_async (config, NULL, pgqrs_test_store_result, &result);
    g_assert_null (result);
    store = pgqrs_store_new_finish (pgqrs_test_await (&result), &error);
    g_assert_no_error (error);
  }
  g_assert_cmpuint (pgqrs_config_get_max_read_count (pgqrs_store_get_config (store)), ==, 8);
  g_assert_true (pgqrs_store_install (store, NULL, &error));
  g_assert_no_error (error);
  g_assert_finalize_object (g_steal_pointer (&store));
}

int
main (int   argc,
      char *argv[])
{
  clear_pgqrs_environment ();
  pgqrs_test_init (&argc, &argv);

  g_test_add_func ("/pgqrs/config/defaults", test_defaults);
  g_test_add_func ("/pgqrs/config/dsn-forms", test_dsn_forms);
  g_test_add_func ("/pgqrs/config/dsn-errors", test_dsn_errors);
  g_test_add_func ("/pgqrs/config/options", test_options);
  g_test_add_func ("/pgqrs/config/set-option", test_set_option);
  g_test_add_func ("/pgqrs/config/copy", test_copy);
  g_test_add_func ("/pgqrs/config/environment", test_environment);
  g_test_add_func ("/pgqrs/config/password-hidden", test_password_hidden);
  g_test_add_func ("/pgqrs/config/store-errors", test_store_errors);
  g_test_add_func ("/pgqrs/config/store-config", test_store_config);

  return g_test_run ();
}
