/* pgqrs-cli-admin.c — `pgqrs install | verify | status`
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pgqrs-cli-private.h"

static const char *
backend_name (PgqrsBackendKind kind)
{
  switch (kind)
    {
    case PGQRS_BACKEND_KIND_SQLITE:
      return "sqlite";
    case PGQRS_BACKEND_KIND_POSTGRES:
      return "postgres";
    case PGQRS_BACKEND_KIND_TURSO:
      return "turso";
    default:
      return "unknown";
    }
}

static gboolean
print_done (PgqrsCli   *cli,
            const char *key)
{
  JsonObject *object;
  g_autoptr(JsonNode) document = pgqrs_cli_new_object (&object);

  json_object_set_boolean_member (object, key, TRUE);
  pgqrs_cli_print_done (cli, document, _("The pgqrs tables are installed and up to date."));

  return TRUE;
}

static gboolean
cmd_install (PgqrsCli  *cli,
             int        argc,
             char     **argv,
             GError   **error)
{
  PgqrsStore *store;

  if (!pgqrs_cli_parse (cli, &argc, &argv, "",
                        _("Creates the pgqrs tables, or brings them up to date. Running it again "
                        "changes nothing."),
                        NULL, 0, 0, error) ||
      !(store = pgqrs_cli_open_store (cli, error)) ||
      !pgqrs_store_install (store, NULL, error))
    return FALSE;

  return print_done (cli, "installed");
}

static gboolean
cmd_verify (PgqrsCli  *cli,
            int        argc,
            char     **argv,
            GError   **error)
{
  PgqrsStore *store;

  if (!pgqrs_cli_parse (cli, &argc, &argv, "",
                        _("Checks that the pgqrs tables are installed and up to date; exits with "
                        "status 5 if `pgqrs install` is needed."),
                        NULL, 0, 0, error) ||
      !(store = pgqrs_cli_open_store (cli, error)) ||
      !pgqrs_store_verify (store, NULL, error))
    return FALSE;

  return print_done (cli, "verified");
}

static gboolean
cmd_status (PgqrsCli  *cli,
            int        argc,
            char     **argv,
            GError   **error)
{
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(GError) verify_error = NULL;
  g_autoptr(GPtrArray) queues = NULL;
  g_autofree char *server_version = NULL;
  guint schema_version = 0;
  PgqrsStore *store;
  JsonObject *object;
  const char *schema;

  if (!pgqrs_cli_parse (cli, &argc, &argv, "",
                        _("Shows the backend, whether the pgqrs tables are installed and their "
                        "version, the database’s version and how many queues there are."),
                        NULL, 0, 0, error) ||
      !(store = pgqrs_cli_open_store (cli, error)))
    return FALSE;

  if (pgqrs_store_verify (store, NULL, &verify_error))
    schema = "installed";
  else if (g_error_matches (verify_error, PGQRS_ERROR, PGQRS_ERROR_SCHEMA_MISSING))
    schema = "missing";
  else
    {
      g_propagate_error (error, g_steal_pointer (&verify_error));
      return FALSE;
    }

  if (g_str_equal (schema, "installed") &&
      (!pgqrs_store_get_server_info (store, &schema_version, &server_version, NULL, error) ||
       !(queues = pgqrs_store_list_queues (store, NULL, error))))
    return FALSE;

  document = pgqrs_cli_new_object (&object);
  json_object_set_string_member (object, "backend",
                                 backend_name (pgqrs_config_get_backend_kind (pgqrs_store_get_config (store))));
  json_object_set_string_member (object, "schema", schema);
  if (server_version != NULL)
    {
      json_object_set_int_member (object, "schema_version", schema_version);
      json_object_set_string_member (object, "server_version", server_version);
    }
  else
    {
      /* The database's version is read from the tables' side of it. */
      json_object_set_null_member (object, "schema_version");
      json_object_set_null_member (object, "server_version");
    }
  if (queues != NULL)
    json_object_set_int_member (object, "queues", queues->len);
  else
    json_object_set_null_member (object, "queues");
  pgqrs_cli_print (cli, document, NULL);

  return TRUE;
}

const PgqrsCliCommand pgqrs_cli_admin_commands[] = {
  { "install", N_("Create or upgrade the pgqrs tables"), cmd_install },
  { "verify", N_("Check that the pgqrs tables are installed"), cmd_verify },
  { "status", N_("Show the backend and the state of the store"), cmd_status },
  { NULL }
};
