/* test-locale.c — a C program that never calls setlocale() prints pgqrs's
 * messages as they are: with their quotes, not "?".
 *
 * Run with LC_ALL=C.UTF-8 in the environment. Deliberately not a GTest
 * program: g_test_init() calls setlocale() itself.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <pgqrs.h>

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) store = pgqrs_store_new ("sqlite:///nonexistent/pgqrs/test.db", NULL, &error);
  g_autofree char *printed = NULL;
  const char *charset;

  printf ("1..1\n");
  if (store != NULL || error == NULL || strstr (error->message, "“") == NULL)
    {
      printf ("not ok 1 - expected an error that quotes the path\n");
      return 1;
    }

  /* what g_printerr() writes: converted to the console's character set */
  if (!g_get_console_charset (&charset))
    printed = g_convert_with_fallback (error->message, -1, charset, "UTF-8", "?", NULL, NULL, NULL);
  else
    printed = g_strdup (error->message);

  if (strstr (printed, "“") == NULL)
    {
      printf ("not ok 1 - g_printerr() would print “%s” (character set %s)\n", printed, charset);
      return 1;
    }

  printf ("ok 1 - g_printerr() prints %s\n", printed);
  return 0;
}
