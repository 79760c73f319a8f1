/* pgqrs-postgres-backend-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-backend-private.h"
#include "pgqrs-backend-module-private.h"
#include "pgqrs-config.h"

G_BEGIN_DECLS

#define PGQRS_TYPE_POSTGRES_BACKEND (pgqrs_postgres_backend_get_type ())

G_DECLARE_FINAL_TYPE (PgqrsPostgresBackend, pgqrs_postgres_backend, PGQRS, POSTGRES_BACKEND, GObject)

PgqrsBackend *_pgqrs_postgres_backend_new (PgqrsConfig *config);

/* What the module pgqrs-backend-postgres gives the factory. */
PGQRS_INTERNAL const PgqrsBackendModule _pgqrs_postgres_backend_module;

/* The NOTIFY channel of a schema's wakeups, for tests that listen. */
char         *_pgqrs_postgres_channel_for_schema (const char *schema);

G_END_DECLS
