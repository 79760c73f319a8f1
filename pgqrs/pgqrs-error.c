/* pgqrs-error.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>

#include "pgqrs-error-private.h"

/**
 * pgqrs_error_quark:
 *
 * Gets the quark of the pgqrs error domain; %PGQRS_ERROR is the same.
 *
 * Returns: the quark of the error domain of [error@Error]
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (pgqrs-error-quark, pgqrs_error)

/* Binds the library's message catalogue once; every class that reports
 * translated text calls it from class_init.
 *
 * Our messages are UTF-8 (they quote with “ and ”). A program that never
 * called setlocale() runs with the "C" character set, ASCII, and
 * g_printerr() then prints every such quote as "?". Like gtk_init(), take
 * the character set of the environment in that case — LC_CTYPE only: the
 * program's numbers, collation and messages stay as they are. A program
 * that chose a locale is left alone. */
void
_pgqrs_ensure_i18n (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      const char *ctype = setlocale (LC_CTYPE, NULL);

      if (ctype != NULL && (g_str_equal (ctype, "C") || g_str_equal (ctype, "POSIX")))
        setlocale (LC_CTYPE, "");
      bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&done, 1);
    }
}
