/* pgqrs-queue-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-request-private.h"
#include "pgqrs-queue.h"

G_BEGIN_DECLS

PgqrsQueue *_pgqrs_queue_new (PgqrsStore          *store,
                              const PgqrsQueueRow *row);

/* How a settle ends (or keeps) the leases of its messages. */
typedef enum
{
  PGQRS_SETTLE_ARCHIVE,         /* handled: archived as done */
  PGQRS_SETTLE_DEAD_LETTER,     /* given up on: archived as a dead letter */
  PGQRS_SETTLE_DELETE,          /* handled: deleted */
  PGQRS_SETTLE_RELEASE,         /* visible again after @seconds */
  PGQRS_SETTLE_EXTEND,          /* the lease runs @seconds from now */
} PgqrsSettle;

/* The one owner of leases: the consumer leases and settles through these,
 * which build the same fenced requests as the public calls.  @worker_id
 * holds the leases (0: none).  The settle finish gives one flag per
 * message, FALSE where the lease was no longer held. */
void        _pgqrs_queue_lease_async         (PgqrsQueue           *self,
                                              gint64                worker_id,
                                              guint                 limit,
                                              double                visibility_seconds,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
GPtrArray  *_pgqrs_queue_lease_finish        (PgqrsQueue           *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void        _pgqrs_queue_settle_async        (PgqrsQueue           *self,
                                              PgqrsSettle           how,
                                              GPtrArray            *messages,
                                              double                seconds,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
GArray     *_pgqrs_queue_settle_finish       (PgqrsQueue           *self,
                                              GAsyncResult         *result,
                                              GError              **error);
/* Seconds until the earliest delayed message of the queue is visible, or
 * -1 when none is waiting. */
void        _pgqrs_queue_next_visible_async  (PgqrsQueue           *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean    _pgqrs_queue_next_visible_finish (PgqrsQueue           *self,
                                              GAsyncResult         *result,
                                              double               *seconds,
                                              GError              **error);

G_END_DECLS
