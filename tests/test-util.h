/* test-util.h — shared fixtures of the behavioural suites
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <pgqrs.h>

G_BEGIN_DECLS

/* Every behavioural suite runs unchanged against the backend named by the
 * environment variable PGQRS_TEST_BACKEND: "sqlite" (the default),
 * "postgres" (a throwaway cluster the test process starts itself) or
 * "pgbouncer" (the same cluster reached through PgBouncer in transaction
 * mode), "sqld" (a libSQL server the test process starts, one per test),
 * "sqld-auth" (the same, requiring a token) or "turso" (the Turso engine,
 * which the store itself runs on a new file).  meson registers each suite
 * once per backend. */
void        pgqrs_test_init          (int    *argc,
                                      char ***argv);
const char *pgqrs_test_backend_name  (void);
gboolean    pgqrs_test_backend_is_sqlite (void);
/* The kind of store PGQRS_TEST_BACKEND makes. */
PgqrsBackendKind pgqrs_test_backend_kind (void);

/* A DSN for a database nobody else uses: a new SQLite file in a temporary
 * directory, or a new PostgreSQL schema.  @options is appended as query
 * parameters ("max_read_count=2&…") or NULL. */
char       *pgqrs_test_new_dsn       (const char *options);

/* pgqrs_store_new() on pgqrs_test_new_dsn (options) followed by install. */
PgqrsStore *pgqrs_test_open_store    (const char *options);

/* Runs the thread-default main context until *done is TRUE. */
void        pgqrs_test_wait          (gboolean *done);

/* For async calls: pass pgqrs_test_store_result as the callback and the
 * address of a NULL GAsyncResult pointer as user_data; pgqrs_test_await()
 * then runs the thread-default main context until the result arrives and
 * returns it (transfer none; the slot owns it).  The callback asserts that
 * it runs in the thread-default main context of its thread. */
void          pgqrs_test_store_result (GObject       *source,
                                       GAsyncResult  *result,
                                       gpointer       user_data);
GAsyncResult *pgqrs_test_await        (GAsyncResult **slot);

/* The injectable clock: every statement on @store's database reads "now"
 * as the real time plus @seconds, so that tests reach a retry time, a resume
 * time or an expired lease without sleeping. */
void        pgqrs_test_set_clock     (PgqrsStore *store,
                                      double      seconds);

/* Runs SQL on @store's database behind the library's back, on a connection
 * of its own: @sqlite_sql on SQLite, @postgres_sql on PostgreSQL with every
 * "@SCHEMA@" replaced by the store's quoted schema — to make the database
 * itself refuse a write, or to look at a column the API does not show.
 * Returns the first column of the first row as an integer, or 0. */
gint64      pgqrs_test_exec_sql      (PgqrsStore *store,
                                      const char *sqlite_sql,
                                      const char *postgres_sql);

/* pgqrs-test-worker (tests/pgqrs-test-worker.c) as a child process; its
 * output is collected while it runs, so a full pipe never stalls it. */
typedef struct
{
  GSubprocess *process;
  char        *command;
  char        *out;
  char        *err;
  gboolean     done;
} PgqrsTestChild;

PgqrsTestChild *pgqrs_test_spawn_worker  (const char * const *args);
PgqrsTestChild *pgqrs_test_spawn_workerl (const char *first_arg,
                                          ...) G_GNUC_NULL_TERMINATED;
/* Waits for the child's exit and output; it must have succeeded. */
void            pgqrs_test_child_wait    (PgqrsTestChild *child);
void            pgqrs_test_child_free    (PgqrsTestChild *child);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgqrsTestChild, pgqrs_test_child_free)

/* A loopback TCP port nobody listens on now, for a server to start on
 * (which may still lose it to another process: callers retry). */
guint       pgqrs_test_free_port     (void);

/* Payload helpers. */
JsonNode   *pgqrs_test_json          (const char *text);
char       *pgqrs_test_json_text     (JsonNode   *node);

G_END_DECLS
