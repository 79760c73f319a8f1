/* pgqrs-libsql-dsn.c — what a Turso/libSQL DSN names
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pgqrs-error.h"
#include "pgqrs-libsql-dsn-private.h"

void
_pgqrs_libsql_target_clear (PgqrsLibsqlTarget *target)
{
  g_clear_pointer (&target->url, g_free);
  g_clear_pointer (&target->local_path, g_free);
  if (target->token != NULL)
    memset (target->token, 0, strlen (target->token));
  g_clear_pointer (&target->token, g_free);
}

static gboolean
invalid (const char  *scheme,
         const char  *what,
         GError     **error)
{
  /* The DSN itself is not quoted: it may hold the token. */
  g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
               _("Malformed %s: DSN: %s"), scheme, what);
  return FALSE;
}

gboolean
_pgqrs_libsql_dsn_parse (const char         *dsn,
                         PgqrsLibsqlTarget  *target,
                         GError            **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *scheme = NULL;
  const char *host;
  const char *path;
  const char *query;
  const char *token = NULL;
  gboolean tls;
  int port;

  g_return_val_if_fail (target->url == NULL && target->local_path == NULL, FALSE);

  if (!(uri = g_uri_parse (dsn, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_NON_DNS, NULL)))
    {
      const char *colon = strchr (dsn, ':');

      scheme = colon ? g_ascii_strdown (dsn, colon - dsn) : g_strdup ("libsql");
      return invalid (scheme, _("expected scheme://host[:port]"), error);
    }

  scheme = g_ascii_strdown (g_uri_get_scheme (uri), -1);
  host = g_uri_get_host (uri);
  path = g_uri_get_path (uri);
  port = g_uri_get_port (uri);
  query = g_uri_get_query (uri);

  if (!g_str_equal (scheme, "libsql") && !g_str_equal (scheme, "turso") &&
      !g_str_equal (scheme, "http") && !g_str_equal (scheme, "https"))
    return invalid (scheme, _("not a libSQL scheme"), error);

  if (g_uri_get_userinfo (uri) != NULL)
    return invalid (scheme, _("a user name or password in the DSN is not used by libSQL; "
                              "pass the token as ?authToken="), error);
  if (g_uri_get_fragment (uri) != NULL)
    return invalid (scheme, _("a DSN has no #fragment"), error);

  if (query != NULL &&
      !(params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL)))
    return invalid (scheme, _("the query is not key=value pairs"), error);

  tls = !g_str_equal (scheme, "http");
  if (params != NULL)
    {
      GHashTableIter iter;
      const char *key;
      const char *value;

      g_hash_table_iter_init (&iter, params);
      while (g_hash_table_iter_next (&iter, (gpointer *)&key, (gpointer *)&value))
        {
          if (g_str_equal (key, "authToken"))
            token = value;
          else if (g_str_equal (key, "tls") && g_str_equal (scheme, "libsql"))
            {
              if (g_str_equal (value, "0") || g_str_equal (value, "false"))
                tls = FALSE;
              else if (g_str_equal (value, "1") || g_str_equal (value, "true"))
                tls = TRUE;
              else
                return invalid (scheme, _("tls is 0 or 1"), error);
            }
          else
            {
              g_autofree char *what = g_strdup_printf (_("unknown parameter “%s”"), key);

              return invalid (scheme, what, error);
            }
        }
    }

  if (host == NULL || *host == '\0')
    {
      /* turso:///absolute/path.db: the Turso engine on a local file */
      if (!g_str_equal (scheme, "turso"))
        return invalid (scheme, _("expected scheme://host[:port]"), error);
      if (path == NULL || !g_path_is_absolute (path) || g_str_has_suffix (path, "/"))
        return invalid (scheme, _("expected turso:///absolute/path/to/file.db"), error);
      if (token != NULL)
        return invalid (scheme, _("a local file takes no authToken"), error);

      target->local_path = g_uri_unescape_string (path, NULL);
      if (target->local_path == NULL || target->local_path[0] == '\0')
        return invalid (scheme, _("expected turso:///absolute/path/to/file.db"), error);
      return TRUE;
    }

  if (g_str_equal (scheme, "http") && port < 0)
    return invalid (scheme, _("an http:// server needs its port"), error);

  {
    g_autoptr(GString) url = g_string_new (tls ? "https://" : "http://");
    gboolean ipv6 = strchr (host, ':') != NULL;

    g_string_append_printf (url, "%s%s%s", ipv6 ? "[" : "", host, ipv6 ? "]" : "");
    if (port >= 0)
      g_string_append_printf (url, ":%d", port);
    if (path != NULL)
      g_string_append (url, path);
    while (url->str[url->len - 1] == '/')
      g_string_truncate (url, url->len - 1);
    target->url = g_string_free (g_steal_pointer (&url), FALSE);
  }

  if (token == NULL)
    token = g_getenv ("PGQRS_AUTH_TOKEN");
  if (token == NULL || *token == '\0')
    token = g_getenv ("LIBSQL_AUTH_TOKEN");
  if (token != NULL && *token != '\0')
    target->token = g_strdup (token);

  return TRUE;
}
