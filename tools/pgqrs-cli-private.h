/* pgqrs-cli-private.h — what the command groups of the `pgqrs` tool share
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <pgqrs.h>

G_BEGIN_DECLS

/* The exit statuses, documented in docs/pgqrs.1.scd and docs/cli.md.  They
 * are part of the tool's interface: scripts branch on them. */
typedef enum
{
  PGQRS_CLI_EXIT_OK = 0,
  PGQRS_CLI_EXIT_FAILURE = 1,     /* anything not below */
  PGQRS_CLI_EXIT_USAGE = 2,       /* bad options or arguments, malformed JSON, a bad DSN */
  PGQRS_CLI_EXIT_NOT_FOUND = 3,   /* no such queue, message, worker or run */
  PGQRS_CLI_EXIT_CONNECTION = 4,  /* the database cannot be reached */
  PGQRS_CLI_EXIT_SCHEMA = 5,      /* the pgqrs tables are missing: run `pgqrs install` */
} PgqrsCliExit;

typedef struct
{
  char       *dsn;          /* --dsn; else $PGQRS_DSN; else the per-user file */
  gboolean    json;         /* --json: one JSON document on stdout */
  PgqrsStore *store;        /* opened by pgqrs_cli_open_store() */
} PgqrsCli;

/* A command: argv[0] is its full name ("pgqrs queue create"), the rest its
 * options and arguments. */
typedef gboolean (*PgqrsCliFunc) (PgqrsCli  *cli,
                                  int        argc,
                                  char     **argv,
                                  GError   **error);

/* One of the pgqrs_cli_*_to_json() functions below, cast. */
typedef JsonNode *(*PgqrsCliToJson) (gpointer object);

typedef struct
{
  const char   *name;
  const char   *summary;
  PgqrsCliFunc  func;
} PgqrsCliCommand;

/* Each command group's table, ended by a { NULL } entry. */
extern const PgqrsCliCommand pgqrs_cli_admin_commands[];
extern const PgqrsCliCommand pgqrs_cli_queue_commands[];
extern const PgqrsCliCommand pgqrs_cli_message_commands[];
extern const PgqrsCliCommand pgqrs_cli_worker_commands[];
extern const PgqrsCliCommand pgqrs_cli_run_commands[];
extern const PgqrsCliCommand pgqrs_cli_consume_commands[];

gboolean     pgqrs_cli_parse             (PgqrsCli            *cli,
                                          int                 *argc,
                                          char              ***argv,
                                          const char          *parameters,
                                          const char          *summary,
                                          const GOptionEntry  *entries,
                                          int                  min_args,
                                          int                  max_args,
                                          GError             **error);
char        *pgqrs_cli_default_dsn       (void);
PgqrsStore  *pgqrs_cli_open_store        (PgqrsCli            *cli,
                                          GError             **error);
PgqrsQueue  *pgqrs_cli_get_queue         (PgqrsCli            *cli,
                                          const char          *name,
                                          GError             **error);
gboolean     pgqrs_cli_parse_id          (const char          *text,
                                          gint64              *id,
                                          GError             **error);
PgqrsCliExit pgqrs_cli_exit_status       (const GError        *error);

/* Output: the same JsonNode is printed as JSON with --json and as an
 * aligned table (a list) or aligned "key  value" lines (an object)
 * otherwise; @columns picks and orders the columns of a table, NULL for all. */
void         pgqrs_cli_print             (PgqrsCli            *cli,
                                          JsonNode            *document,
                                          const char * const  *columns);
void         pgqrs_cli_print_done        (PgqrsCli            *cli,
                                          JsonNode            *document,
                                          const char          *format,
                                          ...) G_GNUC_PRINTF (3, 4);
void         pgqrs_cli_print_table       (JsonArray           *rows,
                                          const char * const  *columns);
char        *pgqrs_cli_format_value      (JsonNode            *value);

JsonNode    *pgqrs_cli_new_object        (JsonObject         **object);
JsonNode    *pgqrs_cli_new_array         (JsonArray          **array);
/* For the commands that show one queue's figures, or every queue's. */
typedef gpointer   (*PgqrsCliGetOne) (PgqrsStore    *store,
                                      const char    *queue_name,
                                      GCancellable  *cancellable,
                                      GError       **error);
typedef GPtrArray *(*PgqrsCliGetAll) (PgqrsStore    *store,
                                      GCancellable  *cancellable,
                                      GError       **error);
gboolean     pgqrs_cli_print_one_or_all  (PgqrsCli            *cli,
                                          const char          *queue_name,
                                          PgqrsCliGetOne       get_one,
                                          PgqrsCliGetAll       get_all,
                                          PgqrsCliToJson       to_json,
                                          const char * const  *columns,
                                          GError             **error);
JsonNode    *pgqrs_cli_list_to_json      (GPtrArray           *objects,
                                          PgqrsCliToJson       to_json);
JsonNode    *pgqrs_cli_time_node         (GDateTime           *time);
JsonNode    *pgqrs_cli_id_node           (gint64               id);
JsonNode    *pgqrs_cli_payload_node      (JsonNode            *payload);
JsonNode    *pgqrs_cli_message_to_json   (PgqrsMessage        *message,
                                          const char          *queue_name);
JsonNode    *pgqrs_cli_queue_to_json     (PgqrsQueue          *queue);
JsonNode    *pgqrs_cli_metrics_to_json   (PgqrsQueueMetrics   *metrics);
JsonNode    *pgqrs_cli_worker_to_json    (PgqrsWorker         *worker);
JsonNode    *pgqrs_cli_run_to_json       (PgqrsWorkflow       *run);

G_END_DECLS
