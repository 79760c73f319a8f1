/* test-config.c — DSNs, options, environment variables and their errors.
 *
 * Needs no database: every case here fails or succeeds before a store
 * connects, so the binary runs once, not once per backend.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gstdio.h>

#include "pgqrs-config-private.h"
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

/* Where a DSN's secrets hide (issue 14, item 3): each form either makes a
 * configuration whose dsn property hides the secret, or is refused with a
 * message that does not quote it.  @shown is the dsn property expected, or
 * NULL for a refusal; @words must be in the message of a refusal. */
static void
test_secret_forms (void)
{
  static const struct {
    const char *dsn;
    const char *shown;
    const char *words[2];
  } cases[] = {
    /* libpq decodes %of badly: refused, naming the key only */
    { "postgresql://app@h:1/db?password=50%offS3cr3t", NULL, { "password", "percent" } },
    /* libpq's user information runs to the '@', over '#', '?' and ':' */
    { "postgresql://app:Ab#S3cr3t@h:1/db", "postgresql://app:***@h:1/db" },
    { "postgresql://app:Ab?S3cr3t@h:1/db", "postgresql://app:***@h:1/db" },
    { "postgresql://app:Ab:S3cr3t@h:1/db", "postgresql://app:***@h:1/db" },
    { "postgresql://app:Ab#S3cr3t@h:1", "postgresql://app:***@h:1" },
    /* a second '@': libpq would take "S3cr3t@h" for the host */
    { "postgresql://app:Ab@S3cr3t@h:1/db", NULL, { "@", "%40" } },
    /* libpq would take "h:1?password=Ab" for the user information */
    { "postgresql://h:1?password=Ab@S3cr3t", NULL, { "%40" } },
    /* keys are percent-decoded before they are compared */
    { "postgresql://app@h:1/db?pass%77ord=S3cr3t", "postgresql://app@h:1/db?pass%77ord=***" },
    { "postgresql://app@h:1/db?%70assword=S3cr3t&sslmode=disable",
      "postgresql://app@h:1/db?%70assword=***&sslmode=disable" },
    { "postgresql://app@h:1/db?PASSWORD=S3cr3t", "postgresql://app@h:1/db?PASSWORD=***" },
    { "postgresql://app@h:1/db?sslpassword=S3cr3t", "postgresql://app@h:1/db?sslpassword=***" },
    { "postgresql://app:S3%63r3t@h/db", "postgresql://app:***@h/db" },
    { "postgresql://app:S3%zzcr3t@h/db", NULL, { "percent" } },
    { "postgresql://app@h/db?pass%zzword=S3cr3t", NULL, { "parameter 1" } },
    { "sqlite::memory:?max%zzdepth=3", NULL, { "parameter 1" } },
    { "postgresql://app@h/db?password=S3cr3t&=x", NULL, { "no key" } },
    { "postgresql://app:S3cr3t@h/db?max_read_count=abc", NULL, { "max-read-count" } },
    { "postgres://app:S3cr3t@h/db?visibility_timeout=0x10", NULL, { "visibility-timeout" } },
    { "postgresql:app:S3cr3t@h/db", NULL, { "PostgreSQL" } },
    { "host=h user=app password=S3cr3t", NULL, { "scheme" } },
    { "app:S3cr3t@h/db", NULL, { "app" } },
    /* the Turso/libSQL token, whatever the scheme */
    { "sqlite:///tmp/jobs.db?authToken=S3cr3t", NULL, { "authToken" } },
    { "sqlite:///tmp/jobs.db?auth_token=S3cr3t&max_depth=abc", NULL, { "auth_token" } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PgqrsConfig) config = pgqrs_config_new_from_dsn (cases[i].dsn, &error);
      g_autofree char *redacted = _pgqrs_config_redact_dsn (cases[i].dsn);

      g_test_message ("%s → %s", cases[i].dsn, config ? pgqrs_config_get_dsn (config) : error->message);
      g_assert_null (strstr (redacted, "S3cr3t"));
      g_assert_null (strstr (redacted, "cr3t"));
      if (cases[i].shown != NULL)
        {
          g_autofree char *property = NULL;

          g_assert_no_error (error);
          g_object_get (config, "dsn", &property, NULL);
          g_assert_cmpstr (property, ==, cases[i].shown);
          g_assert_cmpstr (redacted, ==, cases[i].shown);
        }
      else
        {
          g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG);
          g_assert_null (config);
          g_assert_null (strstr (error->message, "S3cr3t"));
          g_assert_null (strstr (error->message, "cr3t"));
          for (guint w = 0; w < G_N_ELEMENTS (cases[i].words) && cases[i].words[w]; w++)
            g_assert_nonnull (strstr (error->message, cases[i].words[w]));
        }
    }
}

/* The filter the other backends' DSNs go through. */
static void
test_redact_any_scheme (void)
{
  static const struct {
    const char *dsn;
    const char *shown;
  } cases[] = {
    { "libsql://db.example.com?authToken=S3cr3t", "libsql://db.example.com?authToken=***" },
    { "turso://db.example.com?authToken=S3cr3t&tls=0", "turso://db.example.com?authToken=***&tls=0" },
    { "libsql://db.example.com?auth-token=S3cr3t", "libsql://db.example.com?auth-token=***" },
    { "http://app:S3cr3t@127.0.0.1:8080?authToken=S3cr3t",
      "http://app:***@127.0.0.1:8080?authToken=***" },
    { "mysql://app:S3cr3t@h/db", "mysql://app:***@h/db" },
    { "libsql://app:Ab@S3cr3t@h", "libsql:***" },
    { "sqlite:///tmp/a@b.db", "sqlite:///tmp/a@b.db" },
    { "sqlite::memory:", "sqlite::memory:" },
    { "jobs.db", "jobs.db" },
    { "host=h password=S3cr3t", "***" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *shown = _pgqrs_config_redact_dsn (cases[i].dsn);
      g_auto(GStrv) secrets = _pgqrs_config_dsn_secrets (cases[i].dsn);

      g_assert_cmpstr (shown, ==, cases[i].shown);
      if (strstr (cases[i].dsn, "S3cr3t") != NULL && strchr (shown, '@') != NULL)
        g_assert_true (g_strv_contains ((const char * const *)secrets, "S3cr3t"));
    }
}

/* --- fuzzing the secrets -------------------------------------------------- */

#define FUZZ_ITERATIONS 4000
#define FUZZ_CORE_LEN   10
#define FUZZ_WINDOW     6

/* Characters that could end or split a password in a careless parser. */
static const char fuzz_specials[] = "#?:%&=@/+ !$'()*,;[]~";

static char
fuzz_alnum (GRand *rand)
{
  static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  return alnum[g_rand_int_range (rand, 0, sizeof alnum - 1)];
}

/* Writes @password into @out for a place where @raw_ok characters may
 * stand as they are; the others, and at random some of the rest, are
 * percent-encoded, and now and then a '%' is left dangling. */
static void
fuzz_write_password (GRand      *rand,
                     GString    *out,
                     const char *password,
                     const char *never_raw)
{
  for (const char *p = password; *p != '\0'; p++)
    {
      int dice = g_rand_int_range (rand, 0, 10);

      if (strchr (never_raw, *p) != NULL || dice == 0)
        g_string_append_printf (out, "%%%02X", (guchar)*p);
      else if (dice == 1 && *p == '%')
        g_string_append (out, "%4");       /* eats the next character */
      else
        g_string_append_c (out, *p);
    }
}

/* No FUZZ_WINDOW characters in a row of the core of the password show. */
static void
fuzz_assert_hidden (const char *text,
                    const char *core,
                    const char *dsn)
{
  for (gsize i = 0; i + FUZZ_WINDOW <= FUZZ_CORE_LEN; i++)
    {
      g_autofree char *window = g_strndup (core + i, FUZZ_WINDOW);

      if (strstr (text, window) != NULL)
        g_error ("the password of “%s” shows in “%s”", dsn, text);
    }
}

#ifdef HAVE_POSTGRES
/* A port on loopback that refuses connections. */
static guint
closed_port (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_socket_bind (socket, any, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}
#endif

/* DSNs built around a password of random letters between characters that
 * could end it, written raw or percent-encoded, in the user information or
 * the query under every spelling of a secret key, with options good and
 * bad around it: the letters never show in the dsn property or an error
 * (of the configuration, and with PostgreSQL, of connecting, which quotes
 * libpq's messages).  Seeded, so a failure can be replayed: set
 * PGQRS_TEST_FUZZ_SEED to the seed it prints. */
static void
test_secret_fuzz (void)
{
  static const char *schemes[] = { "postgresql", "postgres", "POSTGRESQL", "turso", "libsql", "sqlite" };
  static const char *keys[] = { "password", "pass%77ord", "%50assword", "sslpassword", "authToken",
                                "auth_token", "PASSWORD" };
  static const char *noise[] = { "sslmode=disable", "max_read_count=3", "max_read_count=x3",
                                 "visibility_timeout=0x10", "schema=pg_x", "bogus=1", "", "=",
                                 "application_name=fuzz", "connect_timeout=2", "x", "a%zz=1" };
  const char *seed_text = g_getenv ("PGQRS_TEST_FUZZ_SEED");
  guint32 seed = seed_text ? (guint32)g_ascii_strtoull (seed_text, NULL, 10) : 20261206;
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint n_ok = 0, n_refused = 0, n_connected = 0;
#ifdef HAVE_POSTGRES
  guint port = closed_port ();
#else
  guint port = 1;
#endif

  g_test_message ("seed %u", seed);

  for (guint n = 0; n < FUZZ_ITERATIONS; n++)
    {
      g_autoptr(GString) password = g_string_new (NULL);
      g_autoptr(GString) dsn = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(PgqrsConfig) config = NULL;
      char core[FUZZ_CORE_LEN + 1] = { 0 };
      const char *scheme = schemes[g_rand_int_range (rand, 0, G_N_ELEMENTS (schemes))];
      gboolean in_userinfo = g_rand_boolean (rand);
      gboolean with_path = g_rand_int_range (rand, 0, 4) != 0;
      guint n_params = g_rand_int_range (rand, 0, 4);

      for (guint i = 0; i < FUZZ_CORE_LEN; i++)
        core[i] = fuzz_alnum (rand);
      for (guint i = g_rand_int_range (rand, 0, 3); i > 0; i--)
        g_string_append_c (password, fuzz_specials[g_rand_int_range (rand, 0, sizeof fuzz_specials - 1)]);
      g_string_append (password, core);
      for (guint i = g_rand_int_range (rand, 0, 3); i > 0; i--)
        g_string_append_c (password, fuzz_specials[g_rand_int_range (rand, 0, sizeof fuzz_specials - 1)]);

      g_string_append_printf (dsn, "%s://", scheme);
      if (g_str_equal (scheme, "sqlite"))
        {
          in_userinfo = FALSE;
          g_string_append (dsn, "/tmp/pgqrs-fuzz.db");
        }
      else
        {
          g_string_append (dsn, "app");
          if (in_userinfo)
            {
              g_string_append_c (dsn, ':');
              /* a raw '/' ends the user information for libpq: then it
               * was never a password */
              fuzz_write_password (rand, dsn, password->str, "/");
              g_string_append_c (dsn, '@');
            }
          else if (g_rand_boolean (rand))
            g_string_append_c (dsn, '@');
          else
            g_string_truncate (dsn, dsn->len - strlen ("app"));
          g_string_append_printf (dsn, "127.0.0.1:%u", port);
          if (with_path)
            g_string_append (dsn, "/postgres");
        }

      for (guint i = 0; i < n_params + (in_userinfo ? 0 : 1); i++)
        {
          g_string_append_c (dsn, i == 0 ? '?' : '&');
          if (!in_userinfo && i == n_params / 2)
            {
              g_string_append_printf (dsn, "%s=", keys[g_rand_int_range (rand, 0, G_N_ELEMENTS (keys))]);
              /* a raw '&' ends the value for every parser */
              fuzz_write_password (rand, dsn, password->str, "&");
            }
          else
            g_string_append (dsn, noise[g_rand_int_range (rand, 0, G_N_ELEMENTS (noise))]);
        }

      config = pgqrs_config_new_from_dsn (dsn->str, &error);
      if (config == NULL)
        {
          n_refused++;
          fuzz_assert_hidden (error->message, core, dsn->str);
          continue;
        }

      n_ok++;
      {
        g_autofree char *property = NULL;

        g_object_get (config, "dsn", &property, NULL);
        fuzz_assert_hidden (property, core, dsn->str);
      }

#ifdef HAVE_POSTGRES
      /* Connecting fails at once (nothing listens), with libpq's words. */
      if (pgqrs_config_get_backend_kind (config) == PGQRS_BACKEND_KIND_POSTGRES && n % 8 == 0)
        {
          g_autoptr(PgqrsStore) store = pgqrs_store_new_for_config (config, NULL, &error);

          g_assert_null (store);
          g_assert_nonnull (error);
          fuzz_assert_hidden (error->message, core, dsn->str);
          n_connected++;
        }
#endif
    }

  g_test_message ("%u DSNs accepted, %u refused, %u connected to", n_ok, n_refused, n_connected);
  g_assert_cmpuint (n_ok, >, FUZZ_ITERATIONS / 10);
  g_assert_cmpuint (n_refused, >, FUZZ_ITERATIONS / 10);
}

/* Numbers in a DSN or the environment are decimal, nothing else. */
static void
test_decimal_numbers (void)
{
  static const char *bad[] = {
    "visibility_timeout=0x10", "visibility_timeout=%205", "visibility_timeout=5%20",
    "visibility_timeout=1e3", "visibility_timeout=inf", "visibility_timeout=+5",
    "visibility_timeout=.5", "visibility_timeout=5.", "visibility_timeout=0X1p3",
    "max_read_count=0x10", "max_read_count=%205", "max_read_count=+5", "max_read_count=010x",
    "call_timeout=0x10",
  };
  g_autoptr(PgqrsConfig) good = config_ok ("sqlite::memory:?visibility_timeout=007.250&max_read_count=010");
  g_autoptr(PgqrsConfig) from_env = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpfloat (pgqrs_config_get_visibility_timeout (good), ==, 7.25);
  g_assert_cmpuint (pgqrs_config_get_max_read_count (good), ==, 10);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *dsn = g_strconcat ("sqlite::memory:?", bad[i], NULL);
      g_autoptr(PgqrsConfig) config = pgqrs_config_new_from_dsn (dsn, &error);

      g_test_message ("%s → %s", dsn, error ? error->message : "(accepted)");
      g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG);
      g_assert_null (config);
      g_clear_error (&error);
    }

  g_setenv ("PGQRS_POLL_INTERVAL", "0x1", TRUE);
  from_env = pgqrs_config_new_from_dsn ("sqlite::memory:", &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG);
  g_assert_null (from_env);
  clear_pgqrs_environment ();
}

/* PostgreSQL refuses to create a schema named pg_…; so does the
 * configuration, before install would find out. */
static void
test_reserved_schema (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsConfig) config = pgqrs_config_new_from_dsn ("postgresql://h/db?schema=pg_jobs", &error);
  g_autoptr(PgqrsStore) store = NULL;

  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG);
  g_assert_null (config);
  g_assert_nonnull (strstr (error->message, "pg_jobs"));
  g_assert_nonnull (strstr (error->message, "reserves"));
  g_clear_error (&error);

  config = config_ok ("sqlite::memory:");
  g_assert_false (pgqrs_config_set_option (config, "schema", "pg_", &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG);
  g_clear_error (&error);
  g_assert_cmpstr (pgqrs_config_get_schema (config), ==, "public");

  /* The property skips set_option; the store checks again. */
  g_object_set (config, "schema", "pg_temp_jobs", NULL);
  store = pgqrs_store_new_for_config (config, NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG);
  g_assert_null (store);
  g_clear_error (&error);

  /* Only that spelling: the name is quoted, and PostgreSQL compares it
   * as it is. */
  g_assert_true (pgqrs_config_set_option (config, "schema", "PG_jobs", &error));
  g_assert_no_error (error);
  g_assert_true (pgqrs_config_set_option (config, "schema", "pgjobs", &error));
  g_assert_no_error (error);
}

/* The call bound: its own option, or three heartbeat intervals. */
static void
test_call_timeout (void)
{
  g_autoptr(PgqrsConfig) config = config_ok ("sqlite::memory:");
  g_autoptr(PgqrsConfig) from_dsn = config_ok ("postgresql://h/db?call_timeout=2.5&heartbeat_interval=1");
  g_autoptr(PgqrsConfig) from_env = NULL;

  g_assert_cmpfloat (pgqrs_config_get_call_timeout (config), ==, 0.0);
  g_assert_cmpfloat (_pgqrs_config_get_call_bound (config), ==, 15.0);
  g_object_set (config, "heartbeat-interval", 2.0, NULL);
  g_assert_cmpfloat (_pgqrs_config_get_call_bound (config), ==, 6.0);

  g_assert_cmpfloat (pgqrs_config_get_call_timeout (from_dsn), ==, 2.5);
  g_assert_cmpfloat (_pgqrs_config_get_call_bound (from_dsn), ==, 2.5);
  g_setenv ("PGQRS_CALL_TIMEOUT", "7", TRUE);
  from_env = config_ok ("postgresql://h/db?sslmode=disable");
  g_assert_cmpfloat (pgqrs_config_get_call_timeout (from_env), ==, 7.0);
  g_assert_cmpfloat (_pgqrs_config_get_call_bound (from_env), ==, 7.0);
  clear_pgqrs_environment ();
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

#ifdef HAVE_LIBSQL
  /* A Turso server that cannot be reached (the tests have no network):
   * CONNECTION, naming the server and never the token. */
#define TURSO_ERROR PGQRS_ERROR_CONNECTION
#define TURSO_DSN "turso://example.turso.invalid?authToken=S3cr3t"
#else
#define TURSO_ERROR PGQRS_ERROR_BACKEND_UNAVAILABLE
#define TURSO_DSN "turso://example.turso.io"
#endif
  store = pgqrs_store_new (TURSO_DSN, NULL, &error);
  g_assert_error (error, PGQRS_ERROR, TURSO_ERROR);
  g_assert_null (store);
  g_assert_nonnull (strstr (error->message, "example.turso"));
  g_assert_null (strstr (error->message, "S3cr3t"));
  g_clear_error (&error);

  turso = config_ok (TURSO_DSN);
  store = pgqrs_store_new_for_config (turso, NULL, &error);
  g_assert_error (error, PGQRS_ERROR, TURSO_ERROR);
  g_assert_null (store);
  g_clear_error (&error);

  pgqrs_store_new_async (TURSO_DSN, NULL, new_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, PGQRS_ERROR, TURSO_ERROR);
  g_assert_null (strstr (error->message, "S3cr3t"));
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
  g_test_add_func ("/pgqrs/config/secret-forms", test_secret_forms);
  g_test_add_func ("/pgqrs/config/redact-any-scheme", test_redact_any_scheme);
  g_test_add_func ("/pgqrs/config/secret-fuzz", test_secret_fuzz);
  g_test_add_func ("/pgqrs/config/decimal-numbers", test_decimal_numbers);
  g_test_add_func ("/pgqrs/config/reserved-schema", test_reserved_schema);
  g_test_add_func ("/pgqrs/config/call-timeout", test_call_timeout);
  g_test_add_func ("/pgqrs/config/store-errors", test_store_errors);
  g_test_add_func ("/pgqrs/config/store-config", test_store_config);

  return g_test_run ();
}
