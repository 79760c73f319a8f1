/* pgqrs-backends-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-backend-private.h"
#include "pgqrs-config.h"

G_BEGIN_DECLS

/* What a backend module gives the factory: one constant table, exported
 * under the name _pgqrs_<name>_backend_module, where <name> is the module's
 * (postgres, libsql).  The library built for the tests links the backends
 * in and takes the same tables directly. */
typedef struct
{
  /* PACKAGE_VERSION of the build the module comes from: a module calls
   * the library's internals, which only its own build may change, so a
   * module of another version is refused. */
  const char   *version;
  PgqrsBackend *(*backend_new)     (PgqrsConfig *config);
  /* Optional: adds to @secrets the secrets that the backend's client
   * library reads in @dsn; FALSE when it reads them otherwise than pgqrs
   * does (then the DSN is shown as no more than its scheme). */
  gboolean      (*add_dsn_secrets) (const char  *dsn,
                                    GPtrArray   *secrets);
} PgqrsBackendModule;

/* Makes the backend a DSN names, or fails with BACKEND_UNAVAILABLE. */
PgqrsBackend *_pgqrs_backend_new_for_config   (PgqrsConfig      *config,
                                               GError          **error);
/* The backend of @kind's reading of the secrets in @dsn (see
 * PgqrsBackendModule); TRUE when the backend is not there or has none. */
gboolean      _pgqrs_backends_add_dsn_secrets (PgqrsBackendKind  kind,
                                               const char       *dsn,
                                               GPtrArray        *secrets);

G_END_DECLS
