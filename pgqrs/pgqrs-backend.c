/* pgqrs-backend.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "pgqrs-backend-private.h"

G_DEFINE_INTERFACE (PgqrsBackend, _pgqrs_backend, G_TYPE_OBJECT)

enum {
  MESSAGE_AVAILABLE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
_pgqrs_backend_default_init (PgqrsBackendInterface *iface)
{
  signals[MESSAGE_AVAILABLE] =
    g_signal_new ("message-available",
                  G_TYPE_FROM_INTERFACE (iface),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
}

guint
_pgqrs_backend_watch (PgqrsBackend    *self,
                      PgqrsWakeupFunc  func,
                      gpointer         user_data,
                      GDestroyNotify   destroy)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  return PGQRS_BACKEND_GET_IFACE (self)->watch (self, context, func, user_data, destroy);
}

static void
emit_message_available (gint64   queue_id,
                        gpointer user_data)
{
  g_signal_emit (user_data, signals[MESSAGE_AVAILABLE], 0, queue_id);
}

void
_pgqrs_backend_set_watching (PgqrsBackend *self,
                             gboolean      watching)
{
  static GMutex lock;
  GArray *ids;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);

  /* the watches made here, innermost last */
  if (!(ids = g_object_get_data (G_OBJECT (self), "pgqrs-set-watching")))
    {
      ids = g_array_new (FALSE, FALSE, sizeof (guint));
      g_object_set_data_full (G_OBJECT (self), "pgqrs-set-watching", ids,
                              (GDestroyNotify)g_array_unref);
    }

  if (watching)
    {
      guint id = PGQRS_BACKEND_GET_IFACE (self)->watch (self, NULL, emit_message_available,
                                                        self, NULL);

      g_array_append_val (ids, id);
    }
  else if (ids->len > 0)
    {
      _pgqrs_backend_unwatch (self, g_array_index (ids, guint, ids->len - 1));
      g_array_set_size (ids, ids->len - 1);
    }
}

void
_pgqrs_backend_unwatch (PgqrsBackend *self,
                        guint         watch_id)
{
  PGQRS_BACKEND_GET_IFACE (self)->unwatch (self, watch_id);
}

void
_pgqrs_backend_set_watcher_busy (PgqrsBackend *self,
                                 guint         watch_id,
                                 gboolean      busy)
{
  PgqrsBackendInterface *iface = PGQRS_BACKEND_GET_IFACE (self);

  if (iface->set_watcher_busy != NULL)
    iface->set_watcher_busy (self, watch_id, busy);
}

void
_pgqrs_backend_open_async (PgqrsBackend        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  PGQRS_BACKEND_GET_IFACE (self)->open_async (self, cancellable, callback, user_data);
}

gboolean
_pgqrs_backend_open_finish (PgqrsBackend  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return PGQRS_BACKEND_GET_IFACE (self)->open_finish (self, result, error);
}

void
_pgqrs_backend_execute_async (PgqrsBackend        *self,
                              PgqrsRequest        *request,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  PGQRS_BACKEND_GET_IFACE (self)->execute_async (self, request, cancellable, callback, user_data);
}

PgqrsReply *
_pgqrs_backend_execute_finish (PgqrsBackend  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return PGQRS_BACKEND_GET_IFACE (self)->execute_finish (self, result, error);
}

gboolean
_pgqrs_backend_has_execute_sync (PgqrsBackend *self)
{
  return PGQRS_BACKEND_GET_IFACE (self)->execute_sync != NULL;
}

PgqrsReply *
_pgqrs_backend_execute_sync (PgqrsBackend  *self,
                             PgqrsRequest  *request,
                             GCancellable  *cancellable,
                             GError       **error)
{
  return PGQRS_BACKEND_GET_IFACE (self)->execute_sync (self, request, cancellable, error);
}

/* --- blocking calls through the async path ----------------------------- */

void
_pgqrs_sync_wait_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  PgqrsSyncWait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

/* Runs the async path on a private main context, so that a blocking call
 * dispatches nothing of the caller's main loop while it waits. */
GAsyncResult *
_pgqrs_sync_wait_run (GMainContext  *context,
                      PgqrsSyncWait *wait)
{
  while (!wait->done)
    g_main_context_iteration (context, TRUE);

  return wait->result;
}

/* The private main context of a thread's blocking calls, kept for its
 * next one: making a context opens an eventfd and freeing it closes one,
 * which was about a sixth of a drain loop's own CPU on PostgreSQL
 * (perf record of pgqrs-bench --scenario drain --consumers 2 --batch 10).
 * A call leaves nothing attached to it: every source of a request is
 * destroyed when its task returns, and the task's answer is dispatched
 * before the call returns. */
typedef struct
{
  GMainContext *context;
  gboolean      busy;
  guint         n_calls;   /* made on it: for the tests */
} SyncContext;

static void
sync_context_free (gpointer data)
{
  SyncContext *sync = data;

  g_main_context_unref (sync->context);
  g_free (sync);
}

static GPrivate sync_context_key = G_PRIVATE_INIT (sync_context_free);

/* The thread's context; a new one for a blocking call made while another
 * waits on this thread (from a callback that the wait dispatches). */
static GMainContext *
sync_context_acquire (void)
{
  SyncContext *sync = g_private_get (&sync_context_key);

  if (sync == NULL)
    {
      sync = g_new0 (SyncContext, 1);
      sync->context = g_main_context_new ();
      g_private_set (&sync_context_key, sync);
    }

  if (sync->busy)
    return g_main_context_new ();

  sync->busy = TRUE;
  sync->n_calls++;
  return g_main_context_ref (sync->context);
}

GMainContext *
_pgqrs_backend_get_sync_context (guint *n_calls)
{
  SyncContext *sync = g_private_get (&sync_context_key);

  *n_calls = sync != NULL ? sync->n_calls : 0;
  return sync != NULL ? sync->context : NULL;
}

static void
sync_context_release (GMainContext *context)
{
  SyncContext *sync = g_private_get (&sync_context_key);

  if (sync != NULL && sync->context == context)
    sync->busy = FALSE;
  g_main_context_unref (context);
}

PgqrsReply *
_pgqrs_backend_execute_waiting (PgqrsBackend  *self,
                                PgqrsRequest  *request,
                                GCancellable  *cancellable,
                                GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  PgqrsSyncWait wait = { FALSE, NULL };
  GMainContext *context = sync_context_acquire ();
  PgqrsReply *reply;

  g_main_context_push_thread_default (context);
  _pgqrs_backend_execute_async (self, request, cancellable, _pgqrs_sync_wait_cb, &wait);
  result = _pgqrs_sync_wait_run (context, &wait);
  reply = _pgqrs_backend_execute_finish (self, result, error);
  g_main_context_pop_thread_default (context);
  sync_context_release (context);

  return reply;
}
