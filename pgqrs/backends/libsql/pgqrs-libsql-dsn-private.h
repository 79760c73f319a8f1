/* pgqrs-libsql-dsn-private.h — what a Turso/libSQL DSN names
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Either a server (url) or a file the store runs the Turso engine on
 * (local_path).  token is a secret: it goes into the Authorization header
 * and nowhere else — not into errors, logs or properties. */
typedef struct
{
  char *url;          /* http://host:port or https://host[:port][/path], no trailing "/" */
  char *local_path;   /* absolute path of turso:///path */
  char *token;        /* or NULL */
} PgqrsLibsqlTarget;

void     _pgqrs_libsql_target_clear (PgqrsLibsqlTarget  *target);

/* Parses
 *   libsql://host[:port]   TLS, as the libSQL clients do (?tls=0: plain HTTP)
 *   turso://host           TLS: Turso Cloud's form
 *   http://host:port, https://host[:port][/path]   self-hosted servers
 *   turso:///absolute/path.db   a local file on the Turso engine
 * with the token from ?authToken=, else $PGQRS_AUTH_TOKEN, else
 * $LIBSQL_AUTH_TOKEN (a local file takes none).  Query parameters other
 * than authToken and tls are INVALID_CONFIG: pgqrs's own options are taken
 * out by the caller. */
gboolean _pgqrs_libsql_dsn_parse    (const char         *dsn,
                                     PgqrsLibsqlTarget  *target,
                                     GError            **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PgqrsLibsqlTarget, _pgqrs_libsql_target_clear)

G_END_DECLS
