/* pgqrs-config-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-config.h"

G_BEGIN_DECLS

/* What the DSN names, once parsed; only the backends read these. */
gboolean    _pgqrs_config_get_sqlite_in_memory (PgqrsConfig  *self);
const char *_pgqrs_config_get_sqlite_path      (PgqrsConfig  *self);
const char *_pgqrs_config_get_conninfo         (PgqrsConfig  *self);
gboolean    _pgqrs_config_validate             (PgqrsConfig  *self,
                                                GError      **error);

G_END_DECLS
