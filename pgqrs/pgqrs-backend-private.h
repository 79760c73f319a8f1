/* pgqrs-backend-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <gio/gio.h>

#include "pgqrs-internal-private.h"
#include "pgqrs-request-private.h"
#include "pgqrs-watch-list-private.h"

G_BEGIN_DECLS

/*
 * PgqrsBackend is the storage contract.  Instead of one vfunc pair per
 * operation, a backend gets a PgqrsRequest naming one semantic operation and
 * answers with a PgqrsReply (both in pgqrs-request-private.h).  This keeps
 * the interface to a handful of vfuncs, lets every operation share one async
 * path (GTask to the caller's main context) and one blocking path, and makes
 * each backend's list of what it must do a single op-indexed table.  The
 * public classes build requests; they never see SQL and never branch on the
 * backend.
 */

/* The _pgqrs_ prefix: the type is exported for the backend modules, as
 * the other internals are (pgqrs-internal-private.h). */
#define PGQRS_TYPE_BACKEND (_pgqrs_backend_get_type ())

PGQRS_INTERNAL
G_DECLARE_INTERFACE (PgqrsBackend, _pgqrs_backend, PGQRS, BACKEND, GObject)

struct _PgqrsBackendInterface
{
  GTypeInterface parent_iface;

  /* Connects (or opens the file).  Called once, before any execute. */
  void        (*open_async)     (PgqrsBackend         *self,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data);
  gboolean    (*open_finish)    (PgqrsBackend         *self,
                                 GAsyncResult         *result,
                                 GError              **error);

  /* Runs one request; takes ownership of @request.  Must not block the
   * caller's main context, and must complete in the thread-default main
   * context of the caller. */
  void        (*execute_async)  (PgqrsBackend         *self,
                                 PgqrsRequest         *request,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data);
  PgqrsReply *(*execute_finish) (PgqrsBackend         *self,
                                 GAsyncResult         *result,
                                 GError              **error);
  /* Optional: runs one request as execute_async does and waits for its
   * reply in the calling thread, without a main context; takes ownership
   * of @request.  Without it, a blocking call runs execute_async on a
   * main context of its own. */
  PgqrsReply *(*execute_sync)   (PgqrsBackend         *self,
                                 PgqrsRequest         *request,
                                 GCancellable         *cancellable,
                                 GError              **error);

  /* Wakeups.  While it has watchers, the backend calls each of them in
   * its @context (a PgqrsWatchList; NULL: in the thread that hears of
   * them) when messages may have become available: enqueued or made
   * visible through this backend, or enqueued by another process where
   * the backend can hear of it (PostgreSQL: LISTEN/NOTIFY; SQLite: a
   * change of the database file).  watch() returns the id for unwatch(). */
  guint       (*watch)          (PgqrsBackend         *self,
                                 GMainContext         *context,
                                 PgqrsWakeupFunc       func,
                                 gpointer              user_data,
                                 GDestroyNotify        destroy);
  void        (*unwatch)        (PgqrsBackend         *self,
                                 guint                 watch_id);
  /* Optional: whether the watcher is busy (_pgqrs_watch_list_set_busy()).
   * A backend may stop listening for other processes' changes while all
   * its watchers are busy; its own wakeups still come. */
  void        (*set_watcher_busy) (PgqrsBackend       *self,
                                   guint               watch_id,
                                   gboolean            busy);
};

/* @func is called in the thread-default main context of the caller. */
guint       _pgqrs_backend_watch          (PgqrsBackend         *self,
                                           PgqrsWakeupFunc       func,
                                           gpointer              user_data,
                                           GDestroyNotify        destroy);
void        _pgqrs_backend_unwatch        (PgqrsBackend         *self,
                                           guint                 watch_id);
/* A consumer that is busy (its lease on its way, its handlers running)
 * looks for work again of itself; one that waits for work is not. */
void        _pgqrs_backend_set_watcher_busy (PgqrsBackend       *self,
                                             guint               watch_id,
                                             gboolean            busy);

/* The former interface, for the tests that listen without a main context:
 * while set, ::message-available (gint64 queue_id, 0 when unknown) is
 * emitted in the thread that hears of messages.  The library itself does
 * not use it. */
void        _pgqrs_backend_set_watching   (PgqrsBackend         *self,
                                           gboolean              watching);

void        _pgqrs_backend_open_async     (PgqrsBackend         *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean    _pgqrs_backend_open_finish    (PgqrsBackend         *self,
                                           GAsyncResult         *result,
                                           GError              **error);
void        _pgqrs_backend_execute_async  (PgqrsBackend         *self,
                                           PgqrsRequest         *request,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
PgqrsReply *_pgqrs_backend_execute_finish (PgqrsBackend         *self,
                                           GAsyncResult         *result,
                                           GError              **error);
/* Whether execute_sync is there; the store's blocking calls use it then. */
gboolean    _pgqrs_backend_has_execute_sync (PgqrsBackend       *self);
PgqrsReply *_pgqrs_backend_execute_sync   (PgqrsBackend         *self,
                                           PgqrsRequest         *request,
                                           GCancellable         *cancellable,
                                           GError              **error);

/* A blocking call through execute_async: it runs on a private main context
 * of the calling thread (kept for the thread's next one), so that it
 * dispatches nothing of the caller's main loop while it waits.  For the
 * store, when the backend has no execute_sync, and for a backend's
 * execute_sync that cannot answer at once (no idle connection). */
PGQRS_INTERNAL
PgqrsReply *_pgqrs_backend_execute_waiting (PgqrsBackend        *self,
                                            PgqrsRequest        *request,
                                            GCancellable        *cancellable,
                                            GError             **error);
/* The private context of the calling thread's blocking calls, and how many
 * calls have used it, for the tests; NULL before the first. */
GMainContext *_pgqrs_backend_get_sync_context (guint            *n_calls);

/* Waiting for an async call on a context of one's own. */
typedef struct
{
  gboolean      done;
  GAsyncResult *result;
} PgqrsSyncWait;

void          _pgqrs_sync_wait_cb         (GObject              *object,
                                           GAsyncResult         *result,
                                           gpointer              user_data);
GAsyncResult *_pgqrs_sync_wait_run        (GMainContext         *context,
                                           PgqrsSyncWait        *wait);

G_END_DECLS
