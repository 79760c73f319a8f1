/* pgqrs-backends.c — the DSN → backend factory, the only core file that
 * knows the backends.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pgqrs-backends-private.h"
#include "pgqrs-error.h"

#include "backends/sqlite/pgqrs-sqlite-backend-private.h"
#ifdef HAVE_POSTGRES
# include "backends/postgres/pgqrs-postgres-backend-private.h"
#endif
#ifdef HAVE_LIBSQL
# include "backends/libsql/pgqrs-libsql-backend-private.h"
#endif

PgqrsBackend *
_pgqrs_backend_new_for_config (PgqrsConfig  *config,
                               GError      **error)
{
  switch (pgqrs_config_get_backend_kind (config))
    {
    case PGQRS_BACKEND_KIND_SQLITE:
      return _pgqrs_sqlite_backend_new (config);

    case PGQRS_BACKEND_KIND_POSTGRES:
#ifdef HAVE_POSTGRES
      return _pgqrs_postgres_backend_new (config);
#else
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_BACKEND_UNAVAILABLE,
                   _("This build of pgqrs has no PostgreSQL backend (DSN “%s”)"),
                   pgqrs_config_get_dsn (config));
      return NULL;
#endif

    case PGQRS_BACKEND_KIND_TURSO:
#ifdef HAVE_LIBSQL
      return _pgqrs_libsql_backend_new (config);
#else
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_BACKEND_UNAVAILABLE,
                   _("This build of pgqrs has no Turso backend (DSN “%s”)"),
                   pgqrs_config_get_dsn (config));
      return NULL;
#endif

    default:
      g_assert_not_reached ();
    }
}
