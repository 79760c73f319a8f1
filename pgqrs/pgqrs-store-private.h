/* pgqrs-store-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-internal-private.h"

#include "pgqrs-backend-private.h"
#include "pgqrs-store.h"

G_BEGIN_DECLS

/* Every public operation runs through these three: the async pair makes a
 * GTask on @source_object (the store, a queue, …) tagged @source_tag, so the
 * public _finish can check it; the blocking form runs the same request
 * through the backend's execute_sync, which waits in the calling thread,
 * or, for a backend without one, through the async path on a private main
 * context, so both forms share one implementation of each operation. */
void        _pgqrs_store_execute_async       (PgqrsStore           *self,
                                              gpointer              source_object,
                                              PgqrsRequest         *request,
                                              gpointer              source_tag,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
PgqrsReply *_pgqrs_store_execute_finish      (gpointer              source_object,
                                              GAsyncResult         *result,
                                              gpointer              source_tag,
                                              GError              **error);
PgqrsReply *_pgqrs_store_execute             (PgqrsStore           *self,
                                              PgqrsRequest         *request,
                                              GCancellable         *cancellable,
                                              GError              **error);

PGQRS_INTERNAL
PgqrsBackend *_pgqrs_store_get_backend       (PgqrsStore           *self);
guint       _pgqrs_store_get_op_count        (PgqrsStore           *self,
                                              PgqrsOp               op);
gboolean    _pgqrs_store_set_clock_skew      (PgqrsStore           *self,
                                              double                seconds,
                                              GError              **error);
gboolean    _pgqrs_store_take_enqueue_tokens (PgqrsStore           *self,
                                              const char           *queue_name,
                                              guint                 n_messages,
                                              GError              **error);

/* Shared by the files PgqrsStore is spread over. */
PgqrsRequest *_pgqrs_store_queue_request    (PgqrsRequest *(*request_new) (const char *queue_name),
                                             const char           *name,
                                             GError              **error);
void        _pgqrs_store_report_error        (gpointer              source_object,
                                              gpointer              source_tag,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data,
                                              GError               *error);
gpointer    _pgqrs_store_only_object         (GPtrArray            *objects);

G_END_DECLS
