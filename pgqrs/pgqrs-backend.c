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
