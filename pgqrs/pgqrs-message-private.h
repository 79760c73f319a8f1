/* pgqrs-message-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-internal-private.h"

#include "pgqrs-message.h"

G_BEGIN_DECLS

/* What a backend reads out of one message row.  Times are ISO-8601 text or
 * NULL; the message reads them once, and builds their GDateTimes when
 * asked (pgqrs-time.c). */
typedef struct
{
  gint64              id;
  gint64              queue_id;
  const char         *payload;
  const char         *enqueued_at;
  const char         *visible_at;
  const char         *dequeued_at;
  const char         *archived_at;
  PgqrsArchiveReason  archive_reason;
  guint               read_count;
  gint64              lease_count;      /* the fencing token, see PgqrsLeaseToken */
  gint64              producer_worker_id;
  gint64              consumer_worker_id;
} PgqrsMessageRow;

PGQRS_INTERNAL
PgqrsMessage *_pgqrs_message_new_from_row    (const PgqrsMessageRow  *row,
                                              GError                **error);
gint64        _pgqrs_message_get_lease_count (PgqrsMessage           *self);

G_END_DECLS
