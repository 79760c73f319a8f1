/* pgqrs-sqlite-backend-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-backend-private.h"
#include "pgqrs-config.h"

G_BEGIN_DECLS

#define PGQRS_TYPE_SQLITE_BACKEND (pgqrs_sqlite_backend_get_type ())

G_DECLARE_FINAL_TYPE (PgqrsSqliteBackend, pgqrs_sqlite_backend, PGQRS, SQLITE_BACKEND, GObject)

PgqrsBackend *_pgqrs_sqlite_backend_new (PgqrsConfig *config);

G_END_DECLS
