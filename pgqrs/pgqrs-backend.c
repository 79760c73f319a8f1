/* pgqrs-backend.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "pgqrs-backend-private.h"

G_DEFINE_INTERFACE (PgqrsBackend, pgqrs_backend, G_TYPE_OBJECT)

enum {
  MESSAGE_AVAILABLE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
pgqrs_backend_default_init (PgqrsBackendInterface *iface)
{
  signals[MESSAGE_AVAILABLE] =
    g_signal_new ("message-available",
                  G_TYPE_FROM_INTERFACE (iface),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
}

void
_pgqrs_backend_set_watching (PgqrsBackend *self,
                             gboolean      watching)
{
  PgqrsBackendInterface *iface = PGQRS_BACKEND_GET_IFACE (self);

  if (iface->set_watching != NULL)
    iface->set_watching (self, watching);
}

void
_pgqrs_backend_emit_message_available (PgqrsBackend *self,
                                       gint64        queue_id)
{
  g_signal_emit (self, signals[MESSAGE_AVAILABLE], 0, queue_id);
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
