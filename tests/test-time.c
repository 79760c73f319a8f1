/* test-time.c — reading the times the backends return: their own form
 * exactly as GLib reads it, any other ISO-8601 form through GLib, and a
 * clear error for what is not a time.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "pgqrs-error.h"
#include "pgqrs-time-private.h"

/* What GLib makes of @text, in microseconds since the epoch. */
static gint64
glib_usec (const char *text)
{
  g_autoptr(GDateTime) parsed = g_date_time_new_from_iso8601 (text, NULL);

  g_assert_nonnull (parsed);
  return g_date_time_to_unix (parsed) * G_USEC_PER_SEC + g_date_time_get_microsecond (parsed);
}

static void
assert_reads_as_glib (const char *text)
{
  PgqrsTime time = { 0 };
  g_autoptr(GError) error = NULL;
  GDateTime *built;

  g_assert_true (_pgqrs_time_read (&time, text, "t", &error));
  g_assert_no_error (error);
  g_assert_true (time.set);
  g_assert_cmpint (time.usec, ==, glib_usec (text));

  built = _pgqrs_time_get (&time);
  g_assert_nonnull (built);
  g_assert_true (_pgqrs_time_get (&time) == built);   /* built once */
  g_assert_cmpint (g_date_time_get_utc_offset (built), ==, 0);
  g_assert_cmpint (g_date_time_to_unix (built) * G_USEC_PER_SEC + g_date_time_get_microsecond (built),
                   ==, time.usec);
  _pgqrs_time_clear (&time);
}

static void
test_backends_form (void)
{
  const char *texts[] = {
    "2026-12-07T11:24:28.123Z",          /* SQLite's strftime %f */
    "2026-12-07T11:24:28.123456Z",       /* PostgreSQL's to_char .US */
    "2026-12-07T11:24:28Z",
    "2026-12-07T11:24:28.1Z",
    "1970-01-01T00:00:00.000Z",
    "1969-12-31T23:59:59.500Z",          /* before the epoch */
    "0001-01-01T00:00:00.000001Z",
    "9999-12-31T23:59:59.999999Z",
    "2024-02-29T12:00:00.000Z",          /* a leap day */
    "2000-02-29T00:00:00Z",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    assert_reads_as_glib (texts[i]);
}

/* Every second of a few years, at random, in both backends' forms. */
static void
test_random_times (void)
{
  for (guint i = 0; i < 20000; i++)
    {
      gint64 seconds = g_test_rand_int_range (-200000000, 2000000000);
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (seconds);
      g_autofree char *date = g_date_time_format (when, "%Y-%m-%dT%H:%M:%S");
      g_autofree char *millis = g_strdup_printf ("%s.%03dZ", date, g_test_rand_int_range (0, 1000));
      g_autofree char *micros = g_strdup_printf ("%s.%06dZ", date, g_test_rand_int_range (0, 1000000));

      assert_reads_as_glib (millis);
      assert_reads_as_glib (micros);
    }
}

/* Other ISO-8601 forms are GLib's to read. */
static void
test_other_forms (void)
{
  assert_reads_as_glib ("2026-12-07T11:24:28.123+01:00");
  assert_reads_as_glib ("2026-12-07 11:24:28.5+00");
  assert_reads_as_glib ("2026-12-07T11:24:28.1234567Z");
  assert_reads_as_glib ("2026-12-07T11:24:28,5Z");
  assert_reads_as_glib ("2016-12-31T23:59:60Z");   /* a leap second, as GLib has it */
}

static void
test_null (void)
{
  PgqrsTime time = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (_pgqrs_time_read (&time, NULL, "t", &error));
  g_assert_no_error (error);
  g_assert_false (time.set);
  g_assert_null (_pgqrs_time_get (&time));
}

static void
test_not_a_time (void)
{
  const char *texts[] = {
    "", "yesterday", "2026-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
    "2026-12-07T24:00:00Z", "2026-12-07T11:60:00Z",
    "2026-12-07T11:24:28.Z", "2026-12-07T11:24:28.123Zjunk", "2026-12-07T11:24", "0000-01-01T00:00:00Z",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      PgqrsTime time = { 0 };
      g_autoptr(GError) error = NULL;

      g_assert_false (_pgqrs_time_read (&time, texts[i], "enqueued_at", &error));
      g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_DATABASE);
      g_assert_nonnull (strstr (error->message, "enqueued_at"));
      g_assert_false (time.set);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/time/backends-form", test_backends_form);
  g_test_add_func ("/time/random", test_random_times);
  g_test_add_func ("/time/other-forms", test_other_forms);
  g_test_add_func ("/time/null", test_null);
  g_test_add_func ("/time/not-a-time", test_not_a_time);

  return g_test_run ();
}
