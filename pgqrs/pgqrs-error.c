/* pgqrs-error.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

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
 * translated text calls it from class_init. */
void
_pgqrs_ensure_i18n (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&done, 1);
    }
}
