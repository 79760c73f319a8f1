/* pgqrs-backend-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <gio/gio.h>

#include "pgqrs-request-private.h"

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

#define PGQRS_TYPE_BACKEND (pgqrs_backend_get_type ())

G_DECLARE_INTERFACE (PgqrsBackend, pgqrs_backend, PGQRS, BACKEND, GObject)

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

  /* Optional.  While the count of watchers is above zero, the backend
   * emits ::message-available when messages may have been enqueued by
   * another process (PostgreSQL: LISTEN/NOTIFY; SQLite: a change of the
   * database file).  Enqueues through this backend always emit it. */
  void        (*set_watching)   (PgqrsBackend         *self,
                                 gboolean              watching);
};

/* ::message-available (gint64 queue_id) — queue_id 0 when unknown.  May be
 * emitted in any thread; handlers must hop to their own main context. */
void        _pgqrs_backend_set_watching   (PgqrsBackend         *self,
                                           gboolean              watching);
void        _pgqrs_backend_emit_message_available (PgqrsBackend *self,
                                                   gint64        queue_id);

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

G_END_DECLS
