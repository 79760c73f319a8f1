/* pgqrs-backends.c — the DSN → backend factory, the only core file that
 * knows the backends.
 *
 * SQLite is in the library; PostgreSQL and libSQL are modules
 * (pgqrs-backend-module.c).
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pgqrs-backend-module-private.h"
#include "pgqrs-backends-private.h"
#include "pgqrs-error.h"

#include "backends/sqlite/pgqrs-sqlite-backend-private.h"

PgqrsBackend *
_pgqrs_backend_new_for_config (PgqrsConfig  *config,
                               GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  const PgqrsBackendModule *module;
  const char *name;

  switch (pgqrs_config_get_backend_kind (config))
    {
    case PGQRS_BACKEND_KIND_SQLITE:
      return _pgqrs_sqlite_backend_new (config);
    case PGQRS_BACKEND_KIND_POSTGRES:
      name = "postgres";
      break;
    case PGQRS_BACKEND_KIND_TURSO:
    default:
      name = "libsql";
      break;
    }

  module = _pgqrs_backend_module_find (name, &local_error);
  if (module == NULL)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_BACKEND_UNAVAILABLE,
                   /* TRANSLATORS: the first %s is why the backend is not
                    * there, the second the DSN */
                   _("%s (DSN “%s”)"), local_error->message, pgqrs_config_get_dsn (config));
      return NULL;
    }

  return module->backend_new (config);
}
