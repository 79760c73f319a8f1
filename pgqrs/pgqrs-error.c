/* pgqrs-error.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pgqrs-error-private.h"

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
