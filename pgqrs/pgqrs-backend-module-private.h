/* pgqrs-backend-module-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <glib.h>

#include "pgqrs-internal-private.h"

G_BEGIN_DECLS

/* Declared here again (the same typedefs as pgqrs-config.h's and
 * pgqrs-backend-private.h's) rather than included: pgqrs-config.c reads
 * the modules' DSN secrets, and the backends include pgqrs-config.h, so
 * including either header would close an include circle through every
 * backend. */
typedef struct _PgqrsConfig  PgqrsConfig;
typedef struct _PgqrsBackend PgqrsBackend;

/* What a backend module gives the library: one constant table, exported
 * under the name _pgqrs_<name>_backend_module, where <name> is the
 * module's (postgres, libsql).  The library built for the tests links the
 * backends in and takes the same tables directly. */
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

/* The module named @name ("postgres", "libsql"), loaded the first time it
 * is asked for; NULL with PGQRS_ERROR_BACKEND_UNAVAILABLE if this build
 * has none or it cannot be loaded. */
const PgqrsBackendModule *_pgqrs_backend_module_find            (const char  *name,
                                                                 GError     **error);
/* The module's add_dsn_secrets, or TRUE (nothing to add) without one. */
gboolean                  _pgqrs_backend_module_add_dsn_secrets (const char  *name,
                                                                 const char  *dsn,
                                                                 GPtrArray   *secrets);

G_END_DECLS
