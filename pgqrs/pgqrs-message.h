/* pgqrs-message.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#if !defined(PGQRS_INSIDE) && !defined(PGQRS_COMPILATION)
# error "Only <pgqrs.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

#include "pgqrs-version-macros.h"

G_BEGIN_DECLS

/**
 * PgqrsArchiveReason:
 * @PGQRS_ARCHIVE_REASON_NONE: the message is not archived
 * @PGQRS_ARCHIVE_REASON_DONE: archived by its consumer after it was handled
 * @PGQRS_ARCHIVE_REASON_DEAD_LETTER: archived because it was leased
 *   [property@Config:max-read-count] times without being handled
 *
 * Why a message was archived.
 *
 * Since: 1.0
 */
typedef enum
{
  PGQRS_ARCHIVE_REASON_NONE,
  PGQRS_ARCHIVE_REASON_DONE,
  PGQRS_ARCHIVE_REASON_DEAD_LETTER,
} PgqrsArchiveReason;

#define PGQRS_TYPE_MESSAGE (pgqrs_message_get_type ())

PGQRS_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (PgqrsMessage, pgqrs_message, PGQRS, MESSAGE, GObject)

PGQRS_AVAILABLE_IN_1_0
gint64              pgqrs_message_get_id                 (PgqrsMessage *self);
PGQRS_AVAILABLE_IN_1_0
gint64              pgqrs_message_get_queue_id           (PgqrsMessage *self);
PGQRS_AVAILABLE_IN_1_0
JsonNode           *pgqrs_message_get_payload            (PgqrsMessage *self);
PGQRS_AVAILABLE_IN_ALL
const char         *pgqrs_message_get_payload_text       (PgqrsMessage *self);
PGQRS_AVAILABLE_IN_1_0
GDateTime          *pgqrs_message_get_enqueued_at        (PgqrsMessage *self);
PGQRS_AVAILABLE_IN_1_0
GDateTime          *pgqrs_message_get_visible_at         (PgqrsMessage *self);
PGQRS_AVAILABLE_IN_1_0
GDateTime          *pgqrs_message_get_dequeued_at        (PgqrsMessage *self);
PGQRS_AVAILABLE_IN_1_0
GDateTime          *pgqrs_message_get_archived_at        (PgqrsMessage *self);
PGQRS_AVAILABLE_IN_1_0
PgqrsArchiveReason  pgqrs_message_get_archive_reason     (PgqrsMessage *self);
PGQRS_AVAILABLE_IN_1_0
guint               pgqrs_message_get_read_count         (PgqrsMessage *self);
PGQRS_AVAILABLE_IN_1_0
gint64              pgqrs_message_get_producer_worker_id (PgqrsMessage *self);
PGQRS_AVAILABLE_IN_1_0
gint64              pgqrs_message_get_consumer_worker_id (PgqrsMessage *self);

G_END_DECLS
