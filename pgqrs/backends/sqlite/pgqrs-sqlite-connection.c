/* pgqrs-sqlite-connection.c — one SQLite handle, its statements and migrations
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "pgqrs-config-private.h"
#include "pgqrs-error.h"
#include "pgqrs-sqlite-checkpointer-private.h"
#include "pgqrs-sqlite-connection-private.h"


/* A named statement, as the PgqrsSqlDb interface hands it out. */
typedef struct
{
  PgqrsSqlStmt  parent;
  sqlite3_stmt *stmt;
} Stmt;

/* The statements that open and close each request's transaction, kept
 * prepared like the ops' own: sqlite3_exec() would parse and compile them
 * again for every write. */
typedef enum
{
  CONTROL_BEGIN,
  CONTROL_COMMIT,
  CONTROL_SAVEPOINT,
  CONTROL_RELEASE,
  N_CONTROLS
} Control;

static const char * const control_sql[N_CONTROLS] = {
  [CONTROL_BEGIN] = "BEGIN IMMEDIATE",
  [CONTROL_COMMIT] = "COMMIT",
  [CONTROL_SAVEPOINT] = "SAVEPOINT pgqrs_request",
  [CONTROL_RELEASE] = "RELEASE pgqrs_request",
};

struct _PgqrsSqliteConnection
{
  PgqrsSqlDb    parent;        /* the ops run on this interface */
  sqlite3      *db;
  sqlite3_stmt *stmts[SQLITE_N_STMTS];
  sqlite3_stmt *controls[N_CONTROLS];
  Stmt          handles[SQLITE_N_STMTS];
  char         *location;      /* for error messages */
  const char   *operation;     /* what a failed statement was for, or NULL */
  /* In a group's transaction (group commit): each request's own
   * transaction is a savepoint in it. */
  gboolean      in_group;
  /* Checkpoints of a file's WAL, off the write path; NULL in memory. */
  PgqrsSqliteCheckpointer *checkpointer;
};

static const PgqrsSqlDbClass sqlite_db_class;
static const char *statement_sql (guint id);

void
_pgqrs_sqlite_connection_set_error (PgqrsSqliteConnection  *self,
                                    int                     rc,
                                    const char             *what,
                                    GError                **error)
{
  const char *message = self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);
  int extended = self->db ? sqlite3_extended_errcode (self->db) : rc;
  int code;

  switch (rc & 0xff)
    {
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_FULL:
      code = PGQRS_ERROR_CONNECTION;
      break;
    case SQLITE_CONSTRAINT:
      code = PGQRS_ERROR_CONFLICT;
      break;
    case SQLITE_ERROR:
      code = g_str_has_prefix (message, "no such table") ? PGQRS_ERROR_SCHEMA_MISSING
                                                          : PGQRS_ERROR_DATABASE;
      break;
    default:
      code = PGQRS_ERROR_DATABASE;
    }

  if (code == PGQRS_ERROR_SCHEMA_MISSING)
    g_set_error (error, PGQRS_ERROR, code,
                 _("Cannot %s in %s: %s; run pgqrs_store_install() first"),
                 what, self->location, message);
  else
    g_set_error (error, PGQRS_ERROR, code,
                 _("Cannot %s in %s: %s (SQLite error %d)"),
                 what, self->location, message, extended);
}

/* Runs in the owner thread, which may wait. Switching a new file to WAL
 * takes a lock for which SQLite does not always call the busy handler (it
 * would risk a deadlock between two connections upgrading at once), so
 * processes opening one fresh file together can get SQLITE_BUSY here:
 * retry it for as long as the busy timeout allows. */
static gboolean
exec_pragma (PgqrsSqliteConnection  *self,
             const char             *sql,
             guint                   busy_timeout_ms,
             GError                **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)busy_timeout_ms * 1000;
  int rc;

  while ((rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL)) != SQLITE_OK &&
         ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) &&
         g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);

  if (rc != SQLITE_OK)
    {
      _pgqrs_sqlite_connection_set_error (self, rc, _("configure the database"), error);
      return FALSE;
    }

  return TRUE;
}

PgqrsSqliteConnection *
_pgqrs_sqlite_connection_open (PgqrsConfig  *config,
                               GError      **error)
{
  PgqrsSqliteConnection *self = g_new0 (PgqrsSqliteConnection, 1);
  gboolean in_memory = _pgqrs_config_get_sqlite_in_memory (config);
  const char *path = in_memory ? ":memory:" : _pgqrs_config_get_sqlite_path (config);
  g_autofree char *pragmas = NULL;
  GError *local_error = NULL;
  int rc;

  self->location = in_memory ? g_strdup (_("the in-memory database"))
                             : g_strdup_printf ("“%s”", path);
  self->parent.klass = &sqlite_db_class;
  self->parent.statement_sql = statement_sql;
  self->parent.location = self->location;
  for (guint i = 0; i < SQLITE_N_STMTS; i++)
    self->handles[i].parent.klass = &sqlite_db_class;

  /* NOMUTEX: the handle is only ever used by its owner thread. */
  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                        SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                   _("Cannot open the SQLite database %s: %s"),
                   self->location, self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      _pgqrs_sqlite_connection_close (self);
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, TRUE);
  sqlite3_busy_timeout (self->db, pgqrs_config_get_busy_timeout (config));

  /* WAL lets readers in other processes go on while one writes;
   * synchronous=NORMAL is durable in WAL mode up to the last checkpointed
   * transaction on power loss, and crash-safe for the process.
   * temp_store=MEMORY keeps statement journals in memory: a statement
   * that changes many rows (a lease of 100 messages) otherwise spills its
   * journal past 64 KiB into a temporary file, opened and removed for
   * every such statement (a third of the owner thread's system calls in
   * a drain through the consumer at batch 50). */
  pragmas = g_strdup_printf ("PRAGMA foreign_keys = ON;"
                             "%s"
                             "PRAGMA synchronous = NORMAL;"
                             "PRAGMA temp_store = MEMORY;",
                             in_memory ? "" : "PRAGMA journal_mode = WAL;");
  if (!exec_pragma (self, pragmas, pgqrs_config_get_busy_timeout (config), error))
    {
      _pgqrs_sqlite_connection_close (self);
      return NULL;
    }

  if (!in_memory &&
      !(self->checkpointer =
          _pgqrs_sqlite_checkpointer_start (self->db, path,
                                            pgqrs_config_get_busy_timeout (config),
                                            &local_error)) &&
      local_error != NULL)
    {
      g_propagate_error (error, local_error);
      _pgqrs_sqlite_connection_close (self);
      return NULL;
    }

  return self;
}

void
_pgqrs_sqlite_connection_close (PgqrsSqliteConnection *self)
{
  if (self == NULL)
    return;

  /* First, so that the store's connection is the file's last in this
   * process: closing it checkpoints what is left and removes the WAL. */
  g_clear_pointer (&self->checkpointer, _pgqrs_sqlite_checkpointer_stop);
  for (guint i = 0; i < SQLITE_N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);
  for (guint i = 0; i < N_CONTROLS; i++)
    g_clear_pointer (&self->controls[i], sqlite3_finalize);

  g_clear_pointer (&self->db, sqlite3_close);
  g_free (self->location);
  g_free (self);
}

sqlite3_stmt *
_pgqrs_sqlite_connection_prepare (PgqrsSqliteConnection  *self,
                                  PgqrsSqliteStmt         stmt,
                                  GError                **error)
{
  if (self->stmts[stmt] == NULL)
    {
      int rc = sqlite3_prepare_v3 (self->db, _pgqrs_sqlite_statement_sql (stmt), -1,
                                   SQLITE_PREPARE_PERSISTENT, &self->stmts[stmt], NULL);

      if (rc != SQLITE_OK)
        {
          _pgqrs_sqlite_connection_set_error (self, rc, _("prepare a statement"), error);
          return NULL;
        }
    }
  else
    {
      sqlite3_reset (self->stmts[stmt]);
      sqlite3_clear_bindings (self->stmts[stmt]);
    }

  return self->stmts[stmt];
}

gboolean
_pgqrs_sqlite_connection_exec (PgqrsSqliteConnection  *self,
                               const char             *sql,
                               GError                **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      _pgqrs_sqlite_connection_set_error (self, rc, _("run SQL"), error);
      return FALSE;
    }

  return TRUE;
}

/* Runs a transaction control statement; SQLITE_OK or the error code, with
 * the statement reset either way (the handle keeps the error message). */
static int
run_control (PgqrsSqliteConnection *self,
             Control                control)
{
  sqlite3_stmt **stmt = &self->controls[control];
  int rc;

  if (*stmt == NULL &&
      (rc = sqlite3_prepare_v3 (self->db, control_sql[control], -1,
                                SQLITE_PREPARE_PERSISTENT, stmt, NULL)) != SQLITE_OK)
    return rc;

  rc = sqlite3_step (*stmt);
  sqlite3_reset (*stmt);

  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

gboolean
_pgqrs_sqlite_connection_begin (PgqrsSqliteConnection  *self,
                                GError                **error)
{
  int rc = run_control (self, self->in_group ? CONTROL_SAVEPOINT : CONTROL_BEGIN);

  if (rc != SQLITE_OK)
    {
      _pgqrs_sqlite_connection_set_error (self, rc, _("begin a transaction"), error);
      return FALSE;
    }

  return TRUE;
}

gboolean
_pgqrs_sqlite_connection_commit (PgqrsSqliteConnection  *self,
                                 GError                **error)
{
  int rc = run_control (self, self->in_group ? CONTROL_RELEASE : CONTROL_COMMIT);

  if (rc != SQLITE_OK)
    {
      _pgqrs_sqlite_connection_set_error (self, rc, _("commit a transaction"), error);
      _pgqrs_sqlite_connection_rollback (self);
      return FALSE;
    }

  return TRUE;
}

/* Statements left mid-step keep the connection's locks: its write lock
 * during a transaction, its read snapshot after it (db_finish()). */
static void
reset_running_statements (PgqrsSqliteConnection *self)
{
  for (guint i = 0; i < SQLITE_N_STMTS; i++)
    if (self->stmts[i] != NULL && sqlite3_stmt_busy (self->stmts[i]))
      sqlite3_reset (self->stmts[i]);
}

void
_pgqrs_sqlite_connection_rollback (PgqrsSqliteConnection *self)
{
  reset_running_statements (self);

  /* In a group, only this request's savepoint: the others' work stays.
   * Should SQLite have rolled the whole transaction back already (it does
   * on a full disk, say), there is no savepoint left and this fails; the
   * backend sees the group as lost (_pgqrs_sqlite_connection_group_lost). */
  if (self->in_group)
    sqlite3_exec (self->db, "ROLLBACK TO pgqrs_request; RELEASE pgqrs_request", NULL, NULL, NULL);
  else if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Group commit: the requests the owner thread runs between group_begin
 * and group_commit share one transaction, each in a savepoint of its own
 * (begin, commit and rollback above), so that one that fails undoes only
 * itself. */
gboolean
_pgqrs_sqlite_connection_group_begin (PgqrsSqliteConnection  *self,
                                      GError                **error)
{
  g_return_val_if_fail (!self->in_group, FALSE);

  if (!_pgqrs_sqlite_connection_begin (self, error))
    return FALSE;

  self->in_group = TRUE;

  return TRUE;
}

/* Whether the group's transaction is gone: rolled back by SQLite as a
 * whole, taking the work of every request before with it. */
gboolean
_pgqrs_sqlite_connection_group_lost (PgqrsSqliteConnection *self)
{
  return self->in_group && sqlite3_get_autocommit (self->db);
}

/* Commits the group; FALSE, with everything rolled back, if the
 * transaction was lost or the commit failed. */
gboolean
_pgqrs_sqlite_connection_group_commit (PgqrsSqliteConnection  *self,
                                       GError                **error)
{
  g_return_val_if_fail (self->in_group, FALSE);

  self->in_group = FALSE;

  if (sqlite3_get_autocommit (self->db))
    {
      g_set_error_literal (error, PGQRS_ERROR, PGQRS_ERROR_DATABASE,
                           _("The transaction of a group of requests was rolled back"));
      return FALSE;
    }

  return _pgqrs_sqlite_connection_commit (self, error);
}

guint
_pgqrs_sqlite_connection_get_checkpoints (PgqrsSqliteConnection *self)
{
  return _pgqrs_sqlite_checkpointer_get_count (self->checkpointer);
}

sqlite3 *
_pgqrs_sqlite_connection_get_handle (PgqrsSqliteConnection *self)
{
  return self->db;
}

int
_pgqrs_sqlite_connection_step (PgqrsSqliteConnection  *self,
                               sqlite3_stmt           *stmt,
                               GError                **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return rc;

  _pgqrs_sqlite_connection_set_error (self, rc,
                                      self->operation ? self->operation : _("run a statement"),
                                      error);
  sqlite3_reset (stmt);

  return 0;
}

int
_pgqrs_sqlite_connection_changes (PgqrsSqliteConnection *self)
{
  return sqlite3_changes (self->db);
}

/* Names what the statements that follow are for, in their errors ("Cannot
 * enqueue in …"); NULL for a plain "run a statement". */
void
_pgqrs_sqlite_connection_set_operation (PgqrsSqliteConnection *self,
                                        const char            *operation)
{
  self->operation = operation;
}

/* The extended result code of the last failed call, such as
 * SQLITE_CONSTRAINT_FOREIGNKEY. */
int
_pgqrs_sqlite_connection_errcode (PgqrsSqliteConnection *self)
{
  return sqlite3_extended_errcode (self->db);
}

/* The PgqrsSqlDb interface, on which the ops run: the functions above, and
 * SQLite's own. */

static const char *
statement_sql (guint id)
{
  return _pgqrs_sqlite_statement_sql (id);
}

PgqrsSqlDb *
_pgqrs_sqlite_connection_get_db (PgqrsSqliteConnection *self)
{
  return &self->parent;
}

static PgqrsSqlStmt *
db_prepare_sql (PgqrsSqlDb  *db,
                guint        id,
                const char  *sql,
                GError     **error)
{
  PgqrsSqliteConnection *self = (PgqrsSqliteConnection *)db;

  /* Only the named statements: their text is the table's. */
  g_return_val_if_fail (id < SQLITE_N_STMTS && sql == _pgqrs_sqlite_statement_sql (id), NULL);

  if (!(self->handles[id].stmt = _pgqrs_sqlite_connection_prepare (self, id, error)))
    return NULL;

  return &self->handles[id].parent;
}

static int
db_step (PgqrsSqlDb    *db,
         PgqrsSqlStmt  *stmt,
         GError       **error)
{
  return _pgqrs_sqlite_connection_step ((PgqrsSqliteConnection *)db, ((Stmt *)stmt)->stmt, error);
}

static void
db_reset (PgqrsSqlStmt *stmt)
{
  sqlite3_reset (((Stmt *)stmt)->stmt);
}

static void
db_bind_int64 (PgqrsSqlStmt *stmt,
               int           index,
               gint64        value)
{
  sqlite3_bind_int64 (((Stmt *)stmt)->stmt, index, value);
}

static void
db_bind_double (PgqrsSqlStmt *stmt,
                int           index,
                double        value)
{
  sqlite3_bind_double (((Stmt *)stmt)->stmt, index, value);
}

static void
db_bind_text (PgqrsSqlStmt *stmt,
              int           index,
              const char   *text)
{
  sqlite3_bind_text (((Stmt *)stmt)->stmt, index, text, -1, SQLITE_TRANSIENT);
}

static void
db_bind_null (PgqrsSqlStmt *stmt,
              int           index)
{
  sqlite3_bind_null (((Stmt *)stmt)->stmt, index);
}

static PgqrsSqlType
db_column_type (PgqrsSqlStmt *stmt,
                int           column)
{
  return sqlite3_column_type (((Stmt *)stmt)->stmt, column);
}

static gint64
db_column_int64 (PgqrsSqlStmt *stmt,
                 int           column)
{
  return sqlite3_column_int64 (((Stmt *)stmt)->stmt, column);
}

static double
db_column_double (PgqrsSqlStmt *stmt,
                  int           column)
{
  return sqlite3_column_double (((Stmt *)stmt)->stmt, column);
}

static const char *
db_column_text (PgqrsSqlStmt *stmt,
                int           column)
{
  return (const char *)sqlite3_column_text (((Stmt *)stmt)->stmt, column);
}

static int
db_changes (PgqrsSqlDb *db)
{
  return _pgqrs_sqlite_connection_changes ((PgqrsSqliteConnection *)db);
}

static gboolean
db_begin (PgqrsSqlDb  *db,
          GError     **error)
{
  return _pgqrs_sqlite_connection_begin ((PgqrsSqliteConnection *)db, error);
}

static gboolean
db_commit (PgqrsSqlDb  *db,
           GError     **error)
{
  return _pgqrs_sqlite_connection_commit ((PgqrsSqliteConnection *)db, error);
}

static void
db_rollback (PgqrsSqlDb *db)
{
  _pgqrs_sqlite_connection_rollback ((PgqrsSqliteConnection *)db);
}

static gboolean
db_exec (PgqrsSqlDb  *db,
         const char  *sql,
         GError     **error)
{
  return _pgqrs_sqlite_connection_exec ((PgqrsSqliteConnection *)db, sql, error);
}

static int
db_errcode (PgqrsSqlDb *db)
{
  return _pgqrs_sqlite_connection_errcode ((PgqrsSqliteConnection *)db);
}

/* A statement stepped to a row and left there (an existence check reads
 * one row and goes on) holds the connection's read snapshot after its
 * transaction has committed, until the statement runs again: no
 * checkpoint can pass that snapshot, so the write-ahead log grows with
 * every commit after it, of this process or any other, and a TRUNCATE
 * checkpoint waits for ever.  The fence check of a workflow's steps was
 * one, used last by a run's completion.  So every statement still running
 * at the end of a request is reset. */
static void
db_finish (PgqrsSqlDb *db)
{
  reset_running_statements ((PgqrsSqliteConnection *)db);
}

static void
db_set_operation (PgqrsSqlDb *db,
                  const char *operation)
{
  _pgqrs_sqlite_connection_set_operation ((PgqrsSqliteConnection *)db, operation);
}

static const PgqrsSqlDbClass sqlite_db_class = {
  .prepare_sql = db_prepare_sql,
  .step = db_step,
  .reset = db_reset,
  .bind_int64 = db_bind_int64,
  .bind_double = db_bind_double,
  .bind_text = db_bind_text,
  .bind_null = db_bind_null,
  .column_type = db_column_type,
  .column_int64 = db_column_int64,
  .column_double = db_column_double,
  .column_text = db_column_text,
  .changes = db_changes,
  .begin = db_begin,
  .commit = db_commit,
  .rollback = db_rollback,
  .exec = db_exec,
  .errcode = db_errcode,
  .set_operation = db_set_operation,
  .finish = db_finish,
};
