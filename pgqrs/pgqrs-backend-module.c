/* pgqrs-backend-module.c — finding the backend modules: loaded from disk,
 * or linked in for the tests.
 *
 * PostgreSQL (libpq, and through it TLS, Kerberos, LDAP) and libSQL
 * (libsoup and HTTP/2) are modules, loaded the first time a DSN asks for
 * them: a program that uses only SQLite maps none of those libraries,
 * which are most of an idle consumer's resident memory.  The modules come
 * from PGQRS_BACKEND_DIR in the environment (the build tree: the tests and
 * `meson devenv` set it) or else from $libdir/pgqrs-1/backends, and stay
 * loaded: their types cannot be unregistered.
 *
 * The library the tests link (libpgqrs-internal) is built with
 * PGQRS_BUILTIN_BACKENDS and the backends linked in, since the tests call
 * into the backends themselves; it takes the same tables without loading
 * anything.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gmodule.h>

#include "pgqrs-backend-module-private.h"
#include "pgqrs-error.h"

#ifdef PGQRS_BUILTIN_BACKENDS
/* The modules' tables, as their headers declare them (not included here:
 * they include pgqrs-config.h, see pgqrs-backend-module-private.h). */
# ifdef HAVE_POSTGRES
extern const PgqrsBackendModule _pgqrs_postgres_backend_module;
# endif
# ifdef HAVE_LIBSQL
extern const PgqrsBackendModule _pgqrs_libsql_backend_module;
# endif
#endif

typedef struct
{
  const char *name;         /* the module's, and its table's */
  const char *description;  /* for the messages */
  gboolean    built;        /* whether this build made the module */
} BackendInfo;

static const BackendInfo postgres_info = {
  "postgres", N_("PostgreSQL"),
#ifdef HAVE_POSTGRES
  TRUE,
#else
  FALSE,
#endif
};

static const BackendInfo libsql_info = {
  "libsql", N_("Turso"),
#ifdef HAVE_LIBSQL
  TRUE,
#else
  FALSE,
#endif
};

#ifdef PGQRS_BUILTIN_BACKENDS

static const PgqrsBackendModule *
find_module (const BackendInfo  *info,
             GError            **error)
{
#ifdef HAVE_POSTGRES
  if (info == &postgres_info)
    return &_pgqrs_postgres_backend_module;
#endif
#ifdef HAVE_LIBSQL
  if (info == &libsql_info)
    return &_pgqrs_libsql_backend_module;
#endif
  g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_BACKEND_UNAVAILABLE,
               _("This build of pgqrs has no %s backend"), _(info->description));
  return NULL;
}

#else

static GMutex modules_lock;
/* name → const PgqrsBackendModule *, of the modules loaded so far */
static GHashTable *modules;

static const PgqrsBackendModule *
load_module (const BackendInfo  *info,
             GError            **error)
{
  const char *dir = g_getenv ("PGQRS_BACKEND_DIR");
  g_autofree char *file = g_strdup_printf ("pgqrs-backend-%s.%s", info->name, G_MODULE_SUFFIX);
  g_autofree char *path = g_build_filename (dir != NULL && dir[0] != '\0' ? dir : PGQRS_BACKEND_DIR,
                                            file, NULL);
  g_autofree char *symbol = g_strdup_printf ("_pgqrs_%s_backend_module", info->name);
  const PgqrsBackendModule *table = NULL;
  GModule *module;

  /* Local binding: the module's own symbols stay its own; it finds the
   * library's through its link to libpgqrs. */
  module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL && !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_BACKEND_UNAVAILABLE,
                   _("The %s backend of pgqrs is not installed: there is no module “%s”"),
                   _(info->description), path);
      return NULL;
    }
  if (module == NULL)
    {
      /* g_module_error() names the file */
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_BACKEND_UNAVAILABLE,
                   _("The %s backend of pgqrs cannot be loaded: %s"),
                   _(info->description), g_module_error ());
      return NULL;
    }

  if (!g_module_symbol (module, symbol, (gpointer *)&table) || table == NULL ||
      g_strcmp0 (table->version, PACKAGE_VERSION) != 0)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_BACKEND_UNAVAILABLE,
                   _("The module “%s” is no %s backend of pgqrs %s"),
                   path, _(info->description), PACKAGE_VERSION);
      g_module_close (module);
      return NULL;
    }

  g_module_make_resident (module);
  return table;
}

static const PgqrsBackendModule *
find_module (const BackendInfo  *info,
             GError            **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  const PgqrsBackendModule *table;

  if (!info->built)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_BACKEND_UNAVAILABLE,
                   _("This build of pgqrs has no %s backend"), _(info->description));
      return NULL;
    }

  /* A failure is not remembered: the module may be installed later. */
  locker = g_mutex_locker_new (&modules_lock);
  if (modules == NULL)
    modules = g_hash_table_new (g_str_hash, g_str_equal);
  table = g_hash_table_lookup (modules, info->name);
  if (table == NULL && (table = load_module (info, error)) != NULL)
    g_hash_table_insert (modules, (gpointer)info->name, (gpointer)table);

  return table;
}

#endif

static const BackendInfo *
info_for_name (const char *name)
{
  if (g_str_equal (name, postgres_info.name))
    return &postgres_info;
  if (g_str_equal (name, libsql_info.name))
    return &libsql_info;
  g_return_val_if_reached (NULL);
}

const PgqrsBackendModule *
_pgqrs_backend_module_find (const char  *name,
                            GError     **error)
{
  const BackendInfo *info = info_for_name (name);

  g_return_val_if_fail (info != NULL, NULL);

  return find_module (info, error);
}

gboolean
_pgqrs_backend_module_add_dsn_secrets (const char *name,
                                       const char *dsn,
                                       GPtrArray  *secrets)
{
  const BackendInfo *info = info_for_name (name);
  const PgqrsBackendModule *module = info != NULL ? find_module (info, NULL) : NULL;

  if (module == NULL || module->add_dsn_secrets == NULL)
    return TRUE;

  return module->add_dsn_secrets (dsn, secrets);
}
