/* pgqrs.c — the `pgqrs` command-line tool: run, administer and inspect a store
 *
 * One program with subcommands, in the shape of git or nmcli:
 *
 *   pgqrs [--dsn DSN] [--json] COMMAND [SUBCOMMAND] [OPTION…] [ARGUMENT…]
 *
 * It uses the public API of the shared library only, like any other client.
 * The commands live in one file per group (pgqrs-cli-*.c); this file finds
 * the command, parses the options every command shares, opens the store and
 * turns a GError into the documented exit status.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <stdlib.h>

#include <glib/gi18n.h>

#include "pgqrs-cli-private.h"

typedef struct
{
  const char            *group;     /* NULL: its commands are top-level words */
  const char            *summary;
  const PgqrsCliCommand *commands;
} CommandGroup;

static const CommandGroup command_groups[] = {
  { NULL, NULL, pgqrs_cli_admin_commands },
  { "queue", N_("Create, list, delete, purge and measure queues"), pgqrs_cli_queue_commands },
  { NULL, NULL, pgqrs_cli_message_commands },
  { "worker", N_("List workers, count them, reclaim dead ones"), pgqrs_cli_worker_commands },
  { "run", N_("Inspect and control workflow runs"), pgqrs_cli_run_commands },
  { NULL, NULL, pgqrs_cli_consume_commands },
};

static char *global_dsn;
static gboolean global_json;

/* Accepted before the command and after it, so that `pgqrs queue list
 * --json` and `pgqrs --json queue list` mean the same. */
static const GOptionEntry global_entries[] = {
  { "dsn", 'd', 0, G_OPTION_ARG_STRING, &global_dsn,
    N_("The database (default: $PGQRS_DSN, else sqlite://$XDG_DATA_HOME/pgqrs/pgqrs.db)"), "DSN" },
  { "json", 'j', 0, G_OPTION_ARG_NONE, &global_json,
    N_("Print one JSON document instead of a table"), NULL },
  G_OPTION_ENTRY_NULL
};

gboolean
pgqrs_cli_parse (PgqrsCli             *cli,
                 int                  *argc,
                 char               ***argv,
                 const char           *parameters,
                 const char           *summary,
                 const GOptionEntry   *entries,
                 int                   min_args,
                 int                   max_args,
                 GError              **error)
{
  g_autoptr(GOptionContext) context = g_option_context_new (parameters);
  int given;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_main_entries (context, global_entries, NULL);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  if (global_dsn != NULL && g_strcmp0 (cli->dsn, global_dsn) != 0)
    {
      g_free (cli->dsn);
      cli->dsn = g_strdup (global_dsn);
    }
  cli->json = cli->json || global_json;

  /* GOption leaves a "--" in place; the commands that take one (consume)
   * allow for more arguments than any other. */
  given = *argc - 1;
  if (given < min_args || (max_args >= 0 && given > max_args))
    {
      if (parameters != NULL && *parameters != '\0')
        /* Translators: %s is what the command takes, such as "QUEUE ID" */
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("expects %s (see --help)"), parameters);
      else
        g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                             _("expects no arguments (see --help)"));
      return FALSE;
    }

  return TRUE;
}

char *
pgqrs_cli_default_dsn (void)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "pgqrs", "pgqrs.db", NULL);

  return g_strconcat ("sqlite://", path, NULL);
}

PgqrsStore *
pgqrs_cli_open_store (PgqrsCli  *cli,
                      GError   **error)
{
  g_autofree char *dsn = NULL;

  if (cli->store != NULL)
    return cli->store;

  if (cli->dsn != NULL && *cli->dsn != '\0')
    dsn = g_strdup (cli->dsn);
  else if (g_getenv ("PGQRS_DSN") != NULL && *g_getenv ("PGQRS_DSN") != '\0')
    dsn = g_strdup (g_getenv ("PGQRS_DSN"));
  else
    {
      g_autofree char *directory = g_build_filename (g_get_user_data_dir (), "pgqrs", NULL);

      /* The per-user default is the one database the tool makes a folder
       * for; the folder of any other path is the user's to make. */
      if (g_mkdir_with_parents (directory, 0700) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Cannot create %s: %s", directory, g_strerror (saved_errno));
          return NULL;
        }
      dsn = pgqrs_cli_default_dsn ();
    }

  cli->store = pgqrs_store_new (dsn, NULL, error);

  return cli->store;
}

PgqrsQueue *
pgqrs_cli_get_queue (PgqrsCli    *cli,
                     const char  *name,
                     GError     **error)
{
  PgqrsStore *store = pgqrs_cli_open_store (cli, error);

  return store ? pgqrs_store_get_queue (store, name, NULL, error) : NULL;
}

gboolean
pgqrs_cli_parse_id (const char  *text,
                    gint64      *id,
                    GError     **error)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: %s is what was given */
                   _("“%s” is not an id: ids are positive whole numbers"), text);
      return FALSE;
    }

  *id = (gint64)value;
  return TRUE;
}

PgqrsCliExit
pgqrs_cli_exit_status (const GError *error)
{
  if (error->domain == G_OPTION_ERROR || error->domain == JSON_PARSER_ERROR)
    return PGQRS_CLI_EXIT_USAGE;

  if (error->domain != PGQRS_ERROR)
    return PGQRS_CLI_EXIT_FAILURE;

  switch ((PgqrsError)error->code)
    {
    case PGQRS_ERROR_INVALID_CONFIG:
    case PGQRS_ERROR_VALIDATION:
    case PGQRS_ERROR_PAYLOAD_TOO_LARGE:
      return PGQRS_CLI_EXIT_USAGE;
    case PGQRS_ERROR_QUEUE_NOT_FOUND:
    case PGQRS_ERROR_NOT_FOUND:
      return PGQRS_CLI_EXIT_NOT_FOUND;
    case PGQRS_ERROR_CONNECTION:
    case PGQRS_ERROR_BACKEND_UNAVAILABLE:
      return PGQRS_CLI_EXIT_CONNECTION;
    case PGQRS_ERROR_SCHEMA_MISSING:
      return PGQRS_CLI_EXIT_SCHEMA;
    case PGQRS_ERROR_FAILED:
    case PGQRS_ERROR_QUEUE_EXISTS:
    case PGQRS_ERROR_QUEUE_IN_USE:
    case PGQRS_ERROR_RATE_LIMITED:
    case PGQRS_ERROR_DATABASE:
    case PGQRS_ERROR_INVALID_STATE:
    case PGQRS_ERROR_WORKER_EXISTS:
    case PGQRS_ERROR_STEP_NOT_READY:
    case PGQRS_ERROR_RETRIES_EXHAUSTED:
    case PGQRS_ERROR_PAUSED:
    case PGQRS_ERROR_CANCELLED:
    case PGQRS_ERROR_CONFLICT:
    case PGQRS_ERROR_SUPERSEDED:
    default:
      return PGQRS_CLI_EXIT_FAILURE;
    }
}

static const PgqrsCliCommand *
find_command (const PgqrsCliCommand *commands,
              const char            *name)
{
  for (const PgqrsCliCommand *command = commands; command->name != NULL; command++)
    if (g_str_equal (command->name, name))
      return command;

  return NULL;
}

static void
append_commands (GString               *text,
                 const char            *group,
                 const PgqrsCliCommand *commands)
{
  for (const PgqrsCliCommand *command = commands; command->name != NULL; command++)
    {
      g_autofree char *name = group ? g_strdup_printf ("%s %s", group, command->name)
                                    : g_strdup (command->name);

      g_string_append_printf (text, "  %-17s %s\n", name, _(command->summary));
    }
}

static char *
commands_description (const CommandGroup *only)
{
  GString *text = g_string_new (_("Commands:"));

  g_string_append_c (text, '\n');

  for (guint i = 0; i < G_N_ELEMENTS (command_groups); i++)
    if (only == NULL || only == &command_groups[i])
      append_commands (text, command_groups[i].group, command_groups[i].commands);

  g_string_append_c (text, '\n');
  g_string_append (text,
                   _("“pgqrs COMMAND --help” describes a command’s options. Exit status: "
                     "0 success, 1 failure,\n2 usage error (bad option, argument, JSON or DSN), "
                     "3 not found, 4 cannot reach\nthe database, 5 pgqrs tables not installed. "
                     "See pgqrs(1)."));

  return g_string_free (text, FALSE);
}

/* The first word that is neither an option nor the value of --dsn. */
static int
command_index (int    argc,
               char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--dsn") || g_str_equal (argv[i], "-d"))
        i++;
      else if (g_str_equal (argv[i], "--"))
        return i + 1 < argc ? i + 1 : -1;
      else if (argv[i][0] != '-')
        return i;
    }

  return -1;
}

/* Finds the command named at argv[index] (and argv[index + 1] for a
 * group), or the group named there when no subcommand follows. */
static const PgqrsCliCommand *
lookup (int                  argc,
        char               **argv,
        int                  index,
        const CommandGroup **group_out,
        int                 *words)
{
  *group_out = NULL;
  *words = 1;

  for (guint i = 0; i < G_N_ELEMENTS (command_groups); i++)
    {
      const CommandGroup *group = &command_groups[i];

      if (group->group == NULL)
        {
          const PgqrsCliCommand *command = find_command (group->commands, argv[index]);

          if (command != NULL)
            return command;
        }
      else if (g_str_equal (group->group, argv[index]))
        {
          *group_out = group;
          *words = 2;
          if (index + 1 < argc && argv[index + 1][0] != '-')
            return find_command (group->commands, argv[index + 1]);
          return NULL;
        }
    }

  return NULL;
}

static int
top_level (int                 argc,
           char              **argv,
           const CommandGroup *group,
           const char         *unknown)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = commands_description (group);
  gboolean version = FALSE;
  const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    G_OPTION_ENTRY_NULL
  };

  context = g_option_context_new (group ? "SUBCOMMAND [OPTION…]" : "COMMAND [OPTION…]");
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, group ? _(group->summary)
                                               : _("Run, administer and inspect a pgqrs store."));
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_main_entries (context, global_entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return PGQRS_CLI_EXIT_USAGE;
    }

  if (version)
    {
      g_print ("pgqrs %s\n", PACKAGE_VERSION);
      return PGQRS_CLI_EXIT_OK;
    }

  if (unknown != NULL)
    g_printerr (_("%s: unknown command “%s”\n"), g_get_prgname (), unknown);
  else
    g_printerr (group ? _("%s: which subcommand?\n") : _("%s: which command?\n"), g_get_prgname ());
  g_printerr ("%s", description);
  g_printerr ("\n");

  return PGQRS_CLI_EXIT_USAGE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char **command_argv = NULL;
  const PgqrsCliCommand *command = NULL;
  const CommandGroup *group = NULL;
  PgqrsCli cli = { NULL, };
  int index, words = 0, command_argc, status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  index = command_index (argc, argv);
  if (index > 0)
    command = lookup (argc, argv, index, &group, &words);

  /* GOption names the program after the prgname in --help and errors; the
   * command's whole name reads better there than "pgqrs". It can be set
   * only once, before any option is parsed. */
  if (command != NULL)
    name = group ? g_strdup_printf ("pgqrs %s %s", group->group, command->name)
                 : g_strdup_printf ("pgqrs %s", command->name);
  else if (group != NULL)
    name = g_strdup_printf ("pgqrs %s", group->group);
  else
    name = g_strdup ("pgqrs");
  g_set_prgname (name);

  if (command == NULL)
    return top_level (argc, argv, group,
                      index < 0 ? NULL
                      : group && index + 1 < argc && argv[index + 1][0] != '-' ? argv[index + 1]
                      : group ? NULL : argv[index]);

  /* The command sees its own name, the global options given before it,
   * then what follows it. */
  command_argv = g_new0 (char *, argc + 1);
  command_argc = 0;
  command_argv[command_argc++] = name;
  for (int i = 1; i < index; i++)
    command_argv[command_argc++] = argv[i];
  for (int i = index + words; i < argc; i++)
    command_argv[command_argc++] = argv[i];

  if (command->func (&cli, command_argc, command_argv, &error))
    status = PGQRS_CLI_EXIT_OK;
  else
    {
      status = pgqrs_cli_exit_status (error);
      g_printerr ("%s: %s\n", name, error->message);
      /* The library's message names its own call; say which command. */
      if (status == PGQRS_CLI_EXIT_SCHEMA)
        g_printerr (_("%s: “pgqrs install” creates or upgrades the pgqrs tables\n"), name);
    }

  g_clear_object (&cli.store);
  g_free (cli.dsn);
  g_free (global_dsn);

  return status;
}
