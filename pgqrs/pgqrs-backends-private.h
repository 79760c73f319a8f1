/* pgqrs-backends-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-backend-private.h"
#include "pgqrs-config.h"

G_BEGIN_DECLS

/* Makes the backend a DSN names, or fails with BACKEND_UNAVAILABLE. */
PgqrsBackend *_pgqrs_backend_new_for_config   (PgqrsConfig      *config,
                                               GError          **error);

G_END_DECLS
