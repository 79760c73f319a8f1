/* pgqrs-watch-list-private.h — wakeups delivered in each watcher's context
 *
 * A backend learns that messages may be available in whatever thread it
 * happens to be in: its SQLite owner thread, the thread that watches the
 * write-ahead log, the PostgreSQL listener.  Each watcher registers with
 * the thread-default main context of its caller, and is called there, the
 * way TrackerNotifier emits its events in the context it was created in.
 *
 * Wakeups that come faster than a watcher's context runs are merged: a
 * watcher has at most one call pending, with the queue of all of them, or
 * 0 when they were for several queues (or unknown).
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-internal-private.h"

#include <glib.h>

G_BEGIN_DECLS

/* @queue_id: the queue that may have messages, or 0 for any */
typedef void (*PgqrsWakeupFunc) (gint64   queue_id,
                                 gpointer user_data);

typedef struct _PgqrsWatchList PgqrsWatchList;

PGQRS_INTERNAL
PgqrsWatchList *_pgqrs_watch_list_new    (void);
/* Removes every watcher. */
PGQRS_INTERNAL
void            _pgqrs_watch_list_free   (PgqrsWatchList  *self);
/* Returns the watcher's id, never 0.  @func is called in @context, or,
 * if it is NULL, at once in the thread that notifies. */
PGQRS_INTERNAL
guint           _pgqrs_watch_list_add    (PgqrsWatchList  *self,
                                          GMainContext    *context,
                                          PgqrsWakeupFunc  func,
                                          gpointer         user_data,
                                          GDestroyNotify   destroy);
/* After this returns in the watcher's own context, @func is not called
 * again; @destroy is called once no call is pending.  FALSE if @id was
 * not in the list. */
PGQRS_INTERNAL
gboolean        _pgqrs_watch_list_remove (PgqrsWatchList  *self,
                                          guint            id);
PGQRS_INTERNAL
gboolean        _pgqrs_watch_list_is_empty (PgqrsWatchList *self);
/* A busy watcher (a consumer whose handlers are running, or whose lease
 * is on its way) looks for work again of itself when it is done, so news
 * of other processes' changes is of no use to it; a backend may stop
 * listening for them while every watcher is busy (_all_busy(): also TRUE
 * for an empty list).  Wakeups are still delivered to busy watchers.  A
 * watcher starts not busy.  FALSE if @id was not in the list. */
PGQRS_INTERNAL
gboolean        _pgqrs_watch_list_set_busy (PgqrsWatchList *self,
                                            guint           id,
                                            gboolean        busy);
PGQRS_INTERNAL
gboolean        _pgqrs_watch_list_all_busy (PgqrsWatchList *self);
/* From any thread. */
PGQRS_INTERNAL
void            _pgqrs_watch_list_notify (PgqrsWatchList  *self,
                                          gint64           queue_id);

G_END_DECLS
