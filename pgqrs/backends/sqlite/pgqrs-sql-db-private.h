/* pgqrs-sql-db-private.h — the statement-cursor interface that SQLite-dialect ops run on
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The SQLite ops use a small part of SQLite's C API: prepare a named
 * statement, bind integers, doubles and text, step, read columns, reset,
 * count changes, begin/commit/rollback.  This interface is exactly that
 * part, so one set of ops runs on two implementations:
 *
 * - SQLite: a thin layer over sqlite3_stmt;
 * - the libSQL remote protocol (pgqrs-hrana.c): a statement's first step
 *   executes it on the server and buffers its rows, the next steps walk
 *   them; begin/commit are a baton-held transaction on sqld and plain
 *   BEGIN/COMMIT on tursodb's one shared connection.
 *
 * Both run on the owner thread of their store, so nothing here locks.
 * Return values and column types have SQLite's numbers, so that code moved
 * from sqlite3_* keeps its comparisons.
 */

#define PGQRS_SQL_ROW  100    /* SQLITE_ROW */
#define PGQRS_SQL_DONE 101    /* SQLITE_DONE */

typedef enum
{
  PGQRS_SQL_INTEGER = 1,      /* SQLITE_INTEGER */
  PGQRS_SQL_FLOAT   = 2,      /* SQLITE_FLOAT */
  PGQRS_SQL_TEXT    = 3,      /* SQLITE_TEXT */
  PGQRS_SQL_BLOB    = 4,      /* SQLITE_BLOB */
  PGQRS_SQL_NULL    = 5,      /* SQLITE_NULL */
} PgqrsSqlType;

typedef struct _PgqrsSqlDb      PgqrsSqlDb;
typedef struct _PgqrsSqlStmt    PgqrsSqlStmt;
typedef struct _PgqrsSqlDbClass PgqrsSqlDbClass;

struct _PgqrsSqlDbClass
{
  /* The statement numbered @id, whose text is @sql, reset and unbound.
   * It belongs to @db and stays valid until @db is closed. */
  PgqrsSqlStmt *(*prepare_sql)   (PgqrsSqlDb    *db,
                                  guint          id,
                                  const char    *sql,
                                  GError       **error);
  /* PGQRS_SQL_ROW, PGQRS_SQL_DONE, or 0 with @error set (and @stmt reset). */
  int           (*step)          (PgqrsSqlDb    *db,
                                  PgqrsSqlStmt  *stmt,
                                  GError       **error);
  void          (*reset)         (PgqrsSqlStmt  *stmt);
  /* Parameters are numbered from 1; text is copied. */
  void          (*bind_int64)    (PgqrsSqlStmt  *stmt,
                                  int            index,
                                  gint64         value);
  void          (*bind_double)   (PgqrsSqlStmt  *stmt,
                                  int            index,
                                  double         value);
  void          (*bind_text)     (PgqrsSqlStmt  *stmt,
                                  int            index,
                                  const char    *text);
  void          (*bind_null)     (PgqrsSqlStmt  *stmt,
                                  int            index);
  /* Columns of the current row, numbered from 0, converted as SQLite
   * converts them; text stays valid until the next step or reset. */
  PgqrsSqlType  (*column_type)   (PgqrsSqlStmt  *stmt,
                                  int            column);
  gint64        (*column_int64)  (PgqrsSqlStmt  *stmt,
                                  int            column);
  double        (*column_double) (PgqrsSqlStmt  *stmt,
                                  int            column);
  const char   *(*column_text)   (PgqrsSqlStmt  *stmt,
                                  int            column);
  /* Rows changed by the last statement that ran to completion. */
  int           (*changes)       (PgqrsSqlDb    *db);
  /* The write transaction every writing op runs in. */
  gboolean      (*begin)         (PgqrsSqlDb    *db,
                                  GError       **error);
  gboolean      (*commit)        (PgqrsSqlDb    *db,
                                  GError       **error);
  void          (*rollback)      (PgqrsSqlDb    *db);
  /* A script of statements that return no rows (a migration). */
  gboolean      (*exec)          (PgqrsSqlDb    *db,
                                  const char    *sql,
                                  GError       **error);
  /* SQLite's extended result code of the last failure, such as
   * SQLITE_CONSTRAINT_FOREIGNKEY; 0 when unknown. */
  int           (*errcode)       (PgqrsSqlDb    *db);
  /* Names what the statements that follow are for, in their errors. */
  void          (*set_operation) (PgqrsSqlDb    *db,
                                  const char    *operation);
  /* The request is over: no statement of it may stay running (NULL when
   * none can: the libSQL client buffers a statement's rows at its first
   * step). */
  void          (*finish)        (PgqrsSqlDb    *db);
};

/* Every implementation's connection and statement start with these. */
struct _PgqrsSqlDb
{
  const PgqrsSqlDbClass *klass;
  /* The text of the statement numbered id: the SQLite backend's table, or
   * an engine's table of differences in front of it. */
  const char           *(*statement_sql) (guint id);
  /* How errors name the database ("“/var/lib/jobs.db”", a server's URL). */
  const char            *location;
  /* Rows changed so far, where no other way tells a backend that a
   * request changed something (the libSQL client keeps it; SQLite's
   * write-ahead log does that job for files). */
  guint64                total_changes;
};

struct _PgqrsSqlStmt
{
  const PgqrsSqlDbClass *klass;
};

static inline PgqrsSqlStmt *
_pgqrs_sql_prepare_sql (PgqrsSqlDb *db, guint id, const char *sql, GError **error)
{
  return db->klass->prepare_sql (db, id, sql, error);
}

/* The named statement @id of db->statement_sql. */
static inline PgqrsSqlStmt *
_pgqrs_sql_prepare (PgqrsSqlDb *db, guint id, GError **error)
{
  return db->klass->prepare_sql (db, id, db->statement_sql (id), error);
}

static inline int
_pgqrs_sql_step (PgqrsSqlDb *db, PgqrsSqlStmt *stmt, GError **error)
{
  return db->klass->step (db, stmt, error);
}

static inline void
_pgqrs_sql_reset (PgqrsSqlStmt *stmt)
{
  stmt->klass->reset (stmt);
}

static inline void
_pgqrs_sql_bind_int64 (PgqrsSqlStmt *stmt, int index, gint64 value)
{
  stmt->klass->bind_int64 (stmt, index, value);
}

static inline void
_pgqrs_sql_bind_int (PgqrsSqlStmt *stmt, int index, int value)
{
  stmt->klass->bind_int64 (stmt, index, value);
}

static inline void
_pgqrs_sql_bind_double (PgqrsSqlStmt *stmt, int index, double value)
{
  stmt->klass->bind_double (stmt, index, value);
}

static inline void
_pgqrs_sql_bind_text (PgqrsSqlStmt *stmt, int index, const char *text)
{
  stmt->klass->bind_text (stmt, index, text);
}

static inline void
_pgqrs_sql_bind_null (PgqrsSqlStmt *stmt, int index)
{
  stmt->klass->bind_null (stmt, index);
}

static inline PgqrsSqlType
_pgqrs_sql_column_type (PgqrsSqlStmt *stmt, int column)
{
  return stmt->klass->column_type (stmt, column);
}

static inline gint64
_pgqrs_sql_column_int64 (PgqrsSqlStmt *stmt, int column)
{
  return stmt->klass->column_int64 (stmt, column);
}

static inline int
_pgqrs_sql_column_int (PgqrsSqlStmt *stmt, int column)
{
  return (int)stmt->klass->column_int64 (stmt, column);
}

static inline double
_pgqrs_sql_column_double (PgqrsSqlStmt *stmt, int column)
{
  return stmt->klass->column_double (stmt, column);
}

static inline const char *
_pgqrs_sql_column_text (PgqrsSqlStmt *stmt, int column)
{
  return stmt->klass->column_text (stmt, column);
}

static inline int
_pgqrs_sql_changes (PgqrsSqlDb *db)
{
  return db->klass->changes (db);
}

static inline gboolean
_pgqrs_sql_begin (PgqrsSqlDb *db, GError **error)
{
  return db->klass->begin (db, error);
}

static inline gboolean
_pgqrs_sql_commit (PgqrsSqlDb *db, GError **error)
{
  return db->klass->commit (db, error);
}

static inline void
_pgqrs_sql_rollback (PgqrsSqlDb *db)
{
  db->klass->rollback (db);
}

static inline gboolean
_pgqrs_sql_exec (PgqrsSqlDb *db, const char *sql, GError **error)
{
  return db->klass->exec (db, sql, error);
}

static inline int
_pgqrs_sql_errcode (PgqrsSqlDb *db)
{
  return db->klass->errcode (db);
}

static inline void
_pgqrs_sql_set_operation (PgqrsSqlDb *db, const char *operation)
{
  db->klass->set_operation (db, operation);
}

static inline void
_pgqrs_sql_finish (PgqrsSqlDb *db)
{
  if (db->klass->finish != NULL)
    db->klass->finish (db);
}

G_END_DECLS
