/* pgqrs-sqlite-checkpointer.c — checkpoints a WAL file on a thread of its own
 *
 * In WAL mode every commit appends its pages to the WAL; a checkpoint
 * copies them back into the database file (and syncs both) so the WAL can
 * start again from its beginning.  SQLite's default runs the checkpoint
 * inside the commit that takes the WAL past 1000 frames, on the
 * committing connection: one write in a few hundred then waits for a
 * thousand page copies and two fsyncs, and every other request of the
 * store waits behind it.  Measured on a drain of 20,000 messages (one
 * consumer, batch 1 and 10) with checkpoints switched off altogether, the
 * same build drained 1.5× as fast: a third of the write path was
 * checkpointing (docs/design.md, "Checkpoints off the write path").
 *
 * Here the store's connection keeps appending, and its WAL hook only
 * wakes this thread, which runs a PASSIVE checkpoint on a connection of
 * its own to the same file.  PASSIVE takes neither the write lock nor a
 * reader's place: the writer goes on committing while the pages are
 * copied (SQLite lets one checkpoint and one writer work at once), and
 * frames committed meanwhile wait for the next checkpoint.  Durability is
 * unchanged: synchronous=NORMAL commits do not sync in either case, and a
 * checkpoint syncs the WAL before it copies from it.
 *
 * As many checkpoints as SQLite's, each as long, with as many syncs: one
 * is asked for after a commit that leaves PGQRS_SQLITE_CHECKPOINT_FRAMES
 * frames or more not yet copied back.  (Asking whenever any frame is left
 * drained a little faster still, but ran some forty times as many
 * checkpoints, each with two syncs: a cost to the disk and the battery of
 * the desktops this runs on.)
 *
 * The WAL stays bounded.  It starts again from its beginning only when a
 * writer finds every frame copied back, and under a steady stream of
 * writes a checkpoint beside them seldom ends with none committed
 * meanwhile: so a commit that leaves the WAL at PGQRS_SQLITE_WAL_LIMIT
 * frames runs a checkpoint itself, after the thread's if one is running,
 * and the next write starts the WAL again.  That is one checkpoint in the
 * write path for every four SQLite would run there, and shorter: most
 * frames are copied back by then.  A reader that pins an old snapshot
 * holds checkpoints back here exactly as it holds back SQLite's own.
 * Other processes on the file keep their automatic checkpoints; two
 * checkpoints never run at once (SQLite's checkpointer lock), the loser
 * is busy and tries again at a later commit.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pgqrs-error.h"
#include "pgqrs-sqlite-checkpointer-private.h"

struct _PgqrsSqliteCheckpointer
{
  sqlite3  *db;           /* the store's connection, whose WAL hook this is */
  sqlite3  *own;          /* ours: only the thread uses it */
  GThread  *thread;
  GMutex    lock;
  GCond     cond;
  GMutex    checkpointing; /* held by whoever checkpoints: the thread, or a commit at the limit */
  gboolean  stopping;     /* under lock */
  gint      asked;        /* atomic: a commit asked for a checkpoint that has not ended yet */
  gint      copied;       /* atomic: frames the last checkpoint left copied back */
  gint      count;        /* atomic: checkpoints the thread ran (or tried) */
  gboolean  warned;       /* the thread's own: a failing disk is worth one warning, not one per commit */
};

/* Called by SQLite after each commit on the store's connection, in the
 * committing thread, with the number of frames in the WAL.  The count
 * starts again from zero when a writer restarts the WAL after a complete
 * checkpoint; what the last checkpoint copied then no longer applies. */
static int
wal_hook (void       *data,
          sqlite3    *db,
          const char *name,
          int         frames)
{
  PgqrsSqliteCheckpointer *self = data;
  int copied = g_atomic_int_get (&self->copied);

  if (frames < copied)
    {
      g_atomic_int_set (&self->copied, 0);
      copied = 0;
    }

  if (frames >= PGQRS_SQLITE_WAL_LIMIT)
    {
      /* After the thread's checkpoint, if one is running: SQLite would
       * only say busy, and the WAL would grow meanwhile.  PASSIVE, as
       * SQLite's own: a reader of another process that pins an old
       * snapshot holds it back, and no commit waits for that reader.
       * Busy when another process is checkpointing; then a later commit
       * tries again. */
      g_mutex_lock (&self->checkpointing);
      if (sqlite3_wal_checkpoint_v2 (db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, &copied) == SQLITE_OK)
        g_atomic_int_set (&self->copied, copied);
      g_mutex_unlock (&self->checkpointing);
      return SQLITE_OK;
    }

  /* Commits during a checkpoint do not ask again: the frames it copies
   * are only counted once it ends. */
  if (frames - copied < PGQRS_SQLITE_CHECKPOINT_FRAMES ||
      !g_atomic_int_compare_and_exchange (&self->asked, 0, 1))
    return SQLITE_OK;

  g_mutex_lock (&self->lock);
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  return SQLITE_OK;
}

static void
checkpoint (PgqrsSqliteCheckpointer *self)
{
  int frames = 0;
  int copied = 0;
  int rc;

  g_mutex_lock (&self->checkpointing);
  rc = sqlite3_wal_checkpoint_v2 (self->own, NULL, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied);
  g_mutex_unlock (&self->checkpointing);
  g_atomic_int_inc (&self->count);
  if (rc == SQLITE_OK)
    g_atomic_int_set (&self->copied, copied);
  g_atomic_int_set (&self->asked, 0);

  /* Busy: another connection (another process) is checkpointing, which
   * does this one's work.  Anything else (an I/O error, a full disk)
   * loses nothing — the frames stay in the WAL, the next commit asks
   * again, and the store's own writes report such errors as they meet
   * them — but should not pass unseen. */
  if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED && !self->warned)
    {
      self->warned = TRUE;
      g_warning ("pgqrs: cannot checkpoint the SQLite WAL of “%s”: %s (SQLite error %d)",
                 sqlite3_db_filename (self->own, NULL), sqlite3_errmsg (self->own), rc);
    }
}

static gpointer
checkpointer_thread (gpointer data)
{
  PgqrsSqliteCheckpointer *self = data;

  g_mutex_lock (&self->lock);
  while (!self->stopping)
    {
      /* the hook sets it before it signals, under the lock */
      if (!g_atomic_int_get (&self->asked))
        {
          g_cond_wait (&self->cond, &self->lock);
          continue;
        }

      g_mutex_unlock (&self->lock);
      checkpoint (self);
      g_mutex_lock (&self->lock);
    }
  g_mutex_unlock (&self->lock);

  return NULL;
}

static gboolean
in_wal_mode (sqlite3 *db,
             int     *rc)
{
  sqlite3_stmt *stmt = NULL;
  gboolean wal = FALSE;

  if ((*rc = sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL)) == SQLITE_OK &&
      (*rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      wal = g_ascii_strcasecmp ((const char *)sqlite3_column_text (stmt, 0), "wal") == 0;
      *rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);

  return wal;
}

PgqrsSqliteCheckpointer *
_pgqrs_sqlite_checkpointer_start (sqlite3     *db,
                                  const char  *path,
                                  guint        busy_timeout_ms,
                                  GError     **error)
{
  PgqrsSqliteCheckpointer *self;
  sqlite3 *own = NULL;
  int rc;

  /* NOMUTEX: only the thread uses it.  No CREATE: the store's connection
   * has made the file. */
  rc = sqlite3_open_v2 (path, &own,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                   _("Cannot open a second connection to the SQLite database “%s” "
                     "for checkpoints: %s"),
                   path, own ? sqlite3_errmsg (own) : sqlite3_errstr (rc));
      sqlite3_close (own);
      return NULL;
    }

  /* Reading the file can meet another process's lock (one recovering
   * the WAL's index, say) as the store's own connection can: wait as
   * long as it would.  Checkpoints never wait: PASSIVE does not call the
   * busy handler. */
  sqlite3_busy_timeout (own, (int)MIN (busy_timeout_ms, G_MAXINT));

  /* A connection looks at the file's journal mode when it first reads
   * it; until then it is not in WAL mode, and a checkpoint on it does
   * nothing.  A file not in WAL mode (WAL needs shared memory, which some
   * file systems lack) has no checkpoints to take over. */
  if (!in_wal_mode (own, &rc))
    {
      if (rc != SQLITE_OK)
        g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                     _("Cannot read the SQLite database “%s” for checkpoints: %s"),
                     path, sqlite3_errmsg (own));
      sqlite3_close (own);
      return NULL;
    }

  self = g_new0 (PgqrsSqliteCheckpointer, 1);
  self->db = db;
  self->own = own;
  g_mutex_init (&self->lock);
  g_mutex_init (&self->checkpointing);
  g_cond_init (&self->cond);
  self->thread = g_thread_new ("pgqrs-checkpt", checkpointer_thread, self);

  /* Replaces the hook sqlite3_wal_autocheckpoint() had installed. */
  sqlite3_wal_hook (db, wal_hook, self);

  return self;
}

void
_pgqrs_sqlite_checkpointer_stop (PgqrsSqliteCheckpointer *self)
{
  if (self == NULL)
    return;

  sqlite3_wal_autocheckpoint (self->db, PGQRS_SQLITE_CHECKPOINT_FRAMES);

  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  g_thread_join (self->thread);

  sqlite3_close (self->own);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->checkpointing);
  g_cond_clear (&self->cond);
  g_free (self);
}

guint
_pgqrs_sqlite_checkpointer_get_count (PgqrsSqliteCheckpointer *self)
{
  return self ? (guint)g_atomic_int_get (&self->count) : 0;
}
