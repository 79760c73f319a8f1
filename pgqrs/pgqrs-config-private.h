/* pgqrs-config-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-internal-private.h"

#include "pgqrs-config.h"

G_BEGIN_DECLS

/* What the DSN names, once parsed; only the backends read these. */
gboolean    _pgqrs_config_get_sqlite_in_memory (PgqrsConfig  *self);
const char *_pgqrs_config_get_sqlite_path      (PgqrsConfig  *self);
PGQRS_INTERNAL
const char *_pgqrs_config_get_conninfo         (PgqrsConfig  *self);
gboolean    _pgqrs_config_validate             (PgqrsConfig  *self,
                                                GError      **error);
/* The bound on one database call, in seconds: call-timeout, or when that
 * is 0, a few heartbeat intervals. */
PGQRS_INTERNAL
double      _pgqrs_config_get_call_bound       (PgqrsConfig  *self);

/* The one filter for every message and property that shows a DSN, of any
 * scheme; and the secrets themselves, for a backend to remove from its
 * client library's messages. */
char       *_pgqrs_config_redact_dsn           (const char   *dsn);
PGQRS_INTERNAL
char      **_pgqrs_config_dsn_secrets          (const char   *dsn);
PGQRS_INTERNAL
gboolean    _pgqrs_config_is_option            (const char   *key);

G_END_DECLS
