/* pgqrs-time.c — the times the backends return
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pgqrs-error.h"
#include "pgqrs-time-private.h"

/*
 * Every backend writes its times in one form, UTC with a fraction of up
 * to six digits: 2026-12-07T11:24:28.123456Z (PostgreSQL's to_char, SQLite's
 * strftime with %f, which gives three).  A leased message carries four of
 * them; g_date_time_new_from_iso8601() and the GDateTimes it builds were
 * about a third of a drain's time in GLib (perf record of pgqrs-bench
 * --scenario drain --batch 50 on SQLite).  So that form is read here,
 * checked as strictly as GLib checks it, into microseconds, and the
 * GDateTime is built only when asked for.  Any other ISO-8601 form goes
 * through GLib, which decides what is a time.
 */

static gboolean
digits (const char *p,
        guint       n,
        gint       *out)
{
  gint value = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (p[i]))
        return FALSE;
      value = value * 10 + (p[i] - '0');
    }
  *out = value;
  return TRUE;
}

/* Days from 1970-01-01 to the given day of the proleptic Gregorian
 * calendar (H. Hinnant's days_from_civil). */
static gint64
days_from_civil (gint year,
                 gint month,
                 gint day)
{
  gint64 y = year - (month <= 2);
  gint64 era = (y >= 0 ? y : y - 399) / 400;
  gint64 yoe = y - era * 400;
  gint64 doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

  return era * 146097 + doe - 719468;
}

/* The backends' own form; FALSE for anything else, valid or not. */
static gboolean
read_utc (const char *text,
          gint64     *usec)
{
  gint year, month, day, hour, minute, second, fraction = 0;
  guint n_fraction = 0;
  const char *p = text;

  if (!digits (p, 4, &year) || p[4] != '-' || !digits (p + 5, 2, &month) || p[7] != '-' ||
      !digits (p + 8, 2, &day) || p[10] != 'T' || !digits (p + 11, 2, &hour) || p[13] != ':' ||
      !digits (p + 14, 2, &minute) || p[16] != ':' || !digits (p + 17, 2, &second))
    return FALSE;
  p += 19;
  if (*p == '.')
    {
      for (p++; g_ascii_isdigit (*p) && n_fraction < 6; p++, n_fraction++)
        fraction = fraction * 10 + (*p - '0');
      if (n_fraction == 0 || g_ascii_isdigit (*p))
        return FALSE;
      for (guint i = n_fraction; i < 6; i++)
        fraction *= 10;
    }
  if (p[0] != 'Z' || p[1] != '\0')
    return FALSE;

  if (year < 1 || month < 1 || month > 12 || day < 1 ||
      day > g_date_get_days_in_month (month, year) || hour > 23 || minute > 59 || second > 59)
    return FALSE;

  *usec = ((days_from_civil (year, month, day) * 24 + hour) * 60 + minute) * G_GINT64_CONSTANT (60000000) +
          (gint64)second * G_USEC_PER_SEC + fraction;
  return TRUE;
}

gboolean
_pgqrs_time_read (PgqrsTime   *time,
                  const char  *text,
                  const char  *column,
                  GError     **error)
{
  g_autoptr(GDateTime) parsed = NULL;

  _pgqrs_time_clear (time);
  if (text == NULL)
    return TRUE;

  if (read_utc (text, &time->usec))
    {
      time->set = TRUE;
      return TRUE;
    }

  if (!(parsed = g_date_time_new_from_iso8601 (text, NULL)))
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_DATABASE,
                   _("The database returned “%s” for %s, which is not an ISO-8601 time"),
                   text, column);
      return FALSE;
    }

  time->usec = g_date_time_to_unix (parsed) * G_USEC_PER_SEC + g_date_time_get_microsecond (parsed);
  time->set = TRUE;
  return TRUE;
}

GDateTime *
_pgqrs_time_get (PgqrsTime *time)
{
  GDateTime *built;

  if (!time->set)
    return NULL;

  if ((built = g_atomic_pointer_get (&time->built)) == NULL)
    {
      gint64 seconds = time->usec / G_USEC_PER_SEC, usec = time->usec % G_USEC_PER_SEC;
      g_autoptr(GDateTime) whole = NULL;

      if (usec < 0)
        seconds--, usec += G_USEC_PER_SEC;
      whole = g_date_time_new_from_unix_utc (seconds);
      built = g_date_time_add (whole, usec);

      /* two threads may build it at once: the first one kept is the one */
      if (!g_atomic_pointer_compare_and_exchange (&time->built, NULL, built))
        {
          g_date_time_unref (built);
          built = g_atomic_pointer_get (&time->built);
        }
    }

  return built;
}

void
_pgqrs_time_clear (PgqrsTime *time)
{
  g_clear_pointer (&time->built, g_date_time_unref);
  time->set = FALSE;
  time->usec = 0;
}
