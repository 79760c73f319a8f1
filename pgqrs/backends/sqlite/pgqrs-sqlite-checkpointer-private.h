/* pgqrs-sqlite-checkpointer-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* Copies a WAL file back into its database (a checkpoint) on a thread of
 * its own, with a connection of its own, instead of inside the commit of
 * whichever write took the WAL past its limit. */
typedef struct _PgqrsSqliteCheckpointer PgqrsSqliteCheckpointer;

/* Frames in the WAL not yet copied back before a commit asks for a
 * checkpoint: SQLite's own default for wal_autocheckpoint. */
#define PGQRS_SQLITE_CHECKPOINT_FRAMES 1000
/* Frames in the WAL at which a commit checkpoints in place, so that the
 * WAL can start again from its beginning under a steady stream of
 * writes. */
#define PGQRS_SQLITE_WAL_LIMIT (4 * PGQRS_SQLITE_CHECKPOINT_FRAMES)

/* Takes over checkpoints of @db, a connection in WAL mode to the file at
 * @path: installs @db's WAL hook, which replaces SQLite's automatic
 * checkpoints on @db (other connections and processes keep theirs).
 * Opening waits up to @busy_timeout_ms for another process's lock.
 * Returns %NULL, with @error set if something failed, when it does not:
 * @db then keeps SQLite's automatic checkpoints (without an error: the
 * file is not in WAL mode). */
PgqrsSqliteCheckpointer *_pgqrs_sqlite_checkpointer_start     (sqlite3                  *db,
                                                               const char               *path,
                                                               guint                     busy_timeout_ms,
                                                               GError                  **error);
/* Waits for a checkpoint in progress, stops the thread and closes its
 * connection; @db (still open) gets SQLite's automatic checkpoints back. */
void                     _pgqrs_sqlite_checkpointer_stop      (PgqrsSqliteCheckpointer  *self);
/* Checkpoints run so far: for the tests. */
guint                    _pgqrs_sqlite_checkpointer_get_count (PgqrsSqliteCheckpointer  *self);

G_END_DECLS
