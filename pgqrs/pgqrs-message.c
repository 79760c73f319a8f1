/* pgqrs-message.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pgqrs-enums.h"
#include "pgqrs-error.h"
#include "pgqrs-message-private.h"
#include "pgqrs-time-private.h"
#include "pgqrs-validation-private.h"

/**
 * PgqrsMessage:
 *
 * One message of a queue, as the store saw it when it was read.
 *
 * A message is immutable: it is a snapshot. Messages returned by
 * [method@Queue.dequeue] carry the lease they were taken with (their id and
 * read count), which [method@Queue.archive] and friends use to check that
 * the lease is still the caller's.
 *
 * Since: 1.0
 */

struct _PgqrsMessage
{
  GObject             parent_instance;

  gint64              id;
  gint64              queue_id;
  char               *payload_text;
  JsonNode           *payload;     /* built from payload_text on first use */
  char               *payload_error;  /* why payload_text cannot be read */
  PgqrsTime           enqueued_at;
  PgqrsTime           visible_at;
  PgqrsTime           dequeued_at;
  PgqrsTime           archived_at;
  PgqrsArchiveReason  archive_reason;
  guint               read_count;
  gint64              lease_count;
  gint64              producer_worker_id;
  gint64              consumer_worker_id;
};

G_DEFINE_FINAL_TYPE (PgqrsMessage, pgqrs_message, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_QUEUE_ID,
  PROP_PAYLOAD,
  PROP_ENQUEUED_AT,
  PROP_VISIBLE_AT,
  PROP_DEQUEUED_AT,
  PROP_ARCHIVED_AT,
  PROP_ARCHIVE_REASON,
  PROP_READ_COUNT,
  PROP_PRODUCER_WORKER_ID,
  PROP_CONSUMER_WORKER_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pgqrs_message_finalize (GObject *object)
{
  PgqrsMessage *self = (PgqrsMessage *)object;

  g_clear_pointer (&self->payload_text, g_free);
  g_clear_pointer (&self->payload_error, g_free);
  g_clear_pointer (&self->payload, json_node_unref);
  _pgqrs_time_clear (&self->enqueued_at);
  _pgqrs_time_clear (&self->visible_at);
  _pgqrs_time_clear (&self->dequeued_at);
  _pgqrs_time_clear (&self->archived_at);

  G_OBJECT_CLASS (pgqrs_message_parent_class)->finalize (object);
}

static void
pgqrs_message_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PgqrsMessage *self = PGQRS_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_QUEUE_ID:
      g_value_set_int64 (value, self->queue_id);
      break;
    case PROP_PAYLOAD:
      g_value_set_boxed (value, pgqrs_message_get_payload (self));
      break;
    case PROP_ENQUEUED_AT:
      g_value_set_boxed (value, _pgqrs_time_get (&self->enqueued_at));
      break;
    case PROP_VISIBLE_AT:
      g_value_set_boxed (value, _pgqrs_time_get (&self->visible_at));
      break;
    case PROP_DEQUEUED_AT:
      g_value_set_boxed (value, _pgqrs_time_get (&self->dequeued_at));
      break;
    case PROP_ARCHIVED_AT:
      g_value_set_boxed (value, _pgqrs_time_get (&self->archived_at));
      break;
    case PROP_ARCHIVE_REASON:
      g_value_set_enum (value, self->archive_reason);
      break;
    case PROP_READ_COUNT:
      g_value_set_uint (value, self->read_count);
      break;
    case PROP_PRODUCER_WORKER_ID:
      g_value_set_int64 (value, self->producer_worker_id);
      break;
    case PROP_CONSUMER_WORKER_ID:
      g_value_set_int64 (value, self->consumer_worker_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pgqrs_message_class_init (PgqrsMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = pgqrs_message_finalize;
  object_class->get_property = pgqrs_message_get_property;

  /**
   * PgqrsMessage:id:
   *
   * The message's id, unique in the store.
   *
   * Since: 1.0
   */
  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, ro);

  /**
   * PgqrsMessage:queue-id:
   *
   * The id of the queue the message belongs to.
   *
   * Since: 1.0
   */
  properties[PROP_QUEUE_ID] =
    g_param_spec_int64 ("queue-id", NULL, NULL, 0, G_MAXINT64, 0, ro);

  /**
   * PgqrsMessage:payload:
   *
   * The message's JSON payload.
   *
   * Since: 1.0
   */
  properties[PROP_PAYLOAD] =
    g_param_spec_boxed ("payload", NULL, NULL, JSON_TYPE_NODE, ro);

  /**
   * PgqrsMessage:enqueued-at:
   *
   * When the message was enqueued, by the database's clock.
   *
   * Since: 1.0
   */
  properties[PROP_ENQUEUED_AT] =
    g_param_spec_boxed ("enqueued-at", NULL, NULL, G_TYPE_DATE_TIME, ro);

  /**
   * PgqrsMessage:visible-at:
   *
   * When the message becomes (or became) visible to consumers: the end of
   * its delay or of its current lease.
   *
   * Since: 1.0
   */
  properties[PROP_VISIBLE_AT] =
    g_param_spec_boxed ("visible-at", NULL, NULL, G_TYPE_DATE_TIME, ro);

  /**
   * PgqrsMessage:dequeued-at:
   *
   * When the message was first dequeued, or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_DEQUEUED_AT] =
    g_param_spec_boxed ("dequeued-at", NULL, NULL, G_TYPE_DATE_TIME, ro);

  /**
   * PgqrsMessage:archived-at:
   *
   * When the message was archived, or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_ARCHIVED_AT] =
    g_param_spec_boxed ("archived-at", NULL, NULL, G_TYPE_DATE_TIME, ro);

  /**
   * PgqrsMessage:archive-reason:
   *
   * Why the message was archived.
   *
   * Since: 1.0
   */
  properties[PROP_ARCHIVE_REASON] =
    g_param_spec_enum ("archive-reason", NULL, NULL,
                       PGQRS_TYPE_ARCHIVE_REASON, PGQRS_ARCHIVE_REASON_NONE, ro);

  /**
   * PgqrsMessage:read-count:
   *
   * How many times the message has been leased. Together with
   * [property@Message:id] it identifies the current lease.
   *
   * Since: 1.0
   */
  properties[PROP_READ_COUNT] =
    g_param_spec_uint ("read-count", NULL, NULL, 0, G_MAXUINT, 0, ro);

  /**
   * PgqrsMessage:producer-worker-id:
   *
   * The id of the worker that enqueued the message, or 0.
   *
   * Since: 1.0
   */
  properties[PROP_PRODUCER_WORKER_ID] =
    g_param_spec_int64 ("producer-worker-id", NULL, NULL, 0, G_MAXINT64, 0, ro);

  /**
   * PgqrsMessage:consumer-worker-id:
   *
   * The id of the worker that last leased the message, or 0.
   *
   * Since: 1.0
   */
  properties[PROP_CONSUMER_WORKER_ID] =
    g_param_spec_int64 ("consumer-worker-id", NULL, NULL, 0, G_MAXINT64, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pgqrs_message_init (PgqrsMessage *self)
{
}

PgqrsMessage *
_pgqrs_message_new_from_row (const PgqrsMessageRow  *row,
                             GError                **error)
{
  g_autoptr(PgqrsMessage) self = g_object_new (PGQRS_TYPE_MESSAGE, NULL);

  self->id = row->id;
  self->queue_id = row->queue_id;
  self->archive_reason = row->archive_reason;
  self->read_count = row->read_count;
  self->lease_count = row->lease_count;
  self->producer_worker_id = row->producer_worker_id;
  self->consumer_worker_id = row->consumer_worker_id;

  /* Only checked here: the value is built when someone asks for it, as a
   * handler that reads the text, or none, should not pay for it.  A payload
   * that cannot be read does not make the row unreadable (rule 27): the
   * message says why, and a lease dead-letters it. */
  {
    g_autoptr(GError) payload_error = NULL;

    if (!_pgqrs_payload_check (row->payload, NULL, &payload_error))
      self->payload_error = g_strdup (payload_error->message);
  }
  self->payload_text = g_strdup (row->payload);

  if (
      !_pgqrs_time_read (&self->enqueued_at, row->enqueued_at, "enqueued_at", error) ||
      !_pgqrs_time_read (&self->visible_at, row->visible_at, "vt", error) ||
      !_pgqrs_time_read (&self->dequeued_at, row->dequeued_at, "dequeued_at", error) ||
      !_pgqrs_time_read (&self->archived_at, row->archived_at, "archived_at", error))
    return NULL;

  return g_steal_pointer (&self);
}

gint64
_pgqrs_message_get_lease_count (PgqrsMessage *self)
{
  return self->lease_count;
}

/**
 * pgqrs_message_get_id:
 * @self: a #PgqrsMessage
 *
 * Gets the message's id, unique in the store.
 *
 * Returns: the message's id
 *
 * Since: 1.0
 */
gint64
pgqrs_message_get_id (PgqrsMessage *self)
{
  g_return_val_if_fail (PGQRS_IS_MESSAGE (self), 0);
  return self->id;
}

/**
 * pgqrs_message_get_queue_id:
 * @self: a #PgqrsMessage
 *
 * Gets the id of the queue the message belongs to.
 *
 * Returns: the id of the message's queue
 *
 * Since: 1.0
 */
gint64
pgqrs_message_get_queue_id (PgqrsMessage *self)
{
  g_return_val_if_fail (PGQRS_IS_MESSAGE (self), 0);
  return self->queue_id;
}

/**
 * pgqrs_message_get_payload:
 * @self: a #PgqrsMessage
 *
 * Gets the message's JSON payload.
 *
 * The value is built from the payload's text on the first call (from any
 * thread); an integer beyond 64 bits is the nearest double. To read the
 * payload with another JSON library, take [method@Message.get_payload_text]
 * instead.
 *
 * A message whose stored payload cannot be read (see
 * [method@Message.get_payload_error]) has none: a lease never returns such a
 * message, it dead-letters it, but a listing of the archive shows it.
 *
 * Returns: (transfer none) (nullable): the message's payload, or %NULL if
 *   it cannot be read; do not modify it
 *
 * Since: 1.0
 */
JsonNode *
pgqrs_message_get_payload (PgqrsMessage *self)
{
  JsonNode *payload;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (PGQRS_IS_MESSAGE (self), NULL);

  if ((payload = g_atomic_pointer_get (&self->payload)) != NULL)
    return payload;
  if (self->payload_error != NULL)
    return NULL;

  /* The text was checked when the message was made, so this cannot fail. */
  if (!(payload = _pgqrs_payload_parse (self->payload_text, &error)))
    g_error ("%s", error->message);

  /* Two threads may race here: the first one's value is kept. */
  if (!g_atomic_pointer_compare_and_exchange (&self->payload, NULL, payload))
    {
      json_node_unref (payload);
      payload = g_atomic_pointer_get (&self->payload);
    }

  return payload;
}

/**
 * pgqrs_message_get_payload_text:
 * @self: a #PgqrsMessage
 *
 * Gets the message's payload as JSON text, as the database returned it:
 * with no [struct@Json.Node] in between, so that a binding can read it with
 * its own JSON library (Python's `json.loads()`, `JSON.parse()` in gjs) and
 * a number keeps its exact spelling, whatever its size.
 *
 * SQLite returns the text as it was enqueued (compact); PostgreSQL returns
 * the text of its `jsonb` value, which orders keys by length and then
 * bytes, keeps the last of duplicate keys, spells numbers without an
 * exponent and has no negative zero (see the concepts guide).
 *
 * Returns: (nullable): the payload as JSON text; %NULL only for a row
 *   whose payload is NULL, written behind pgqrs's back
 *
 * Since: 1.0
 */
const char *
pgqrs_message_get_payload_text (PgqrsMessage *self)
{
  g_return_val_if_fail (PGQRS_IS_MESSAGE (self), NULL);
  return self->payload_text;
}

/**
 * pgqrs_message_get_payload_error:
 * @self: a #PgqrsMessage
 *
 * Gets why the message's stored payload cannot be read, if it cannot: text
 * that is not JSON, or a number beyond the range of a double, written to the
 * database behind pgqrs's back or by an older version (semantics rule 27).
 * A lease dead-letters such a message instead of returning it, so that it
 * never blocks its queue; [method@Store.list_archived] shows it, with this
 * reason.
 *
 * Returns: (nullable): why the payload cannot be read, or %NULL if it can
 *
 * Since: 1.0
 */
const char *
pgqrs_message_get_payload_error (PgqrsMessage *self)
{
  g_return_val_if_fail (PGQRS_IS_MESSAGE (self), NULL);
  return self->payload_error;
}

/**
 * pgqrs_message_get_enqueued_at:
 * @self: a #PgqrsMessage
 *
 * Gets when the message was enqueued, by the database's clock.
 *
 * Returns: (transfer none): when the message was enqueued
 *
 * Since: 1.0
 */
GDateTime *
pgqrs_message_get_enqueued_at (PgqrsMessage *self)
{
  g_return_val_if_fail (PGQRS_IS_MESSAGE (self), NULL);
  return _pgqrs_time_get (&self->enqueued_at);
}

/**
 * pgqrs_message_get_visible_at:
 * @self: a #PgqrsMessage
 *
 * Gets when the message becomes, or became, visible to consumers.
 *
 * Returns: (transfer none): when the message becomes visible to consumers
 *
 * Since: 1.0
 */
GDateTime *
pgqrs_message_get_visible_at (PgqrsMessage *self)
{
  g_return_val_if_fail (PGQRS_IS_MESSAGE (self), NULL);
  return _pgqrs_time_get (&self->visible_at);
}

/**
 * pgqrs_message_get_dequeued_at:
 * @self: a #PgqrsMessage
 *
 * Gets when the message was first leased.
 *
 * Returns: (transfer none) (nullable): when the message was first dequeued
 *
 * Since: 1.0
 */
GDateTime *
pgqrs_message_get_dequeued_at (PgqrsMessage *self)
{
  g_return_val_if_fail (PGQRS_IS_MESSAGE (self), NULL);
  return _pgqrs_time_get (&self->dequeued_at);
}

/**
 * pgqrs_message_get_archived_at:
 * @self: a #PgqrsMessage
 *
 * Gets when the message was archived.
 *
 * Returns: (transfer none) (nullable): when the message was archived
 *
 * Since: 1.0
 */
GDateTime *
pgqrs_message_get_archived_at (PgqrsMessage *self)
{
  g_return_val_if_fail (PGQRS_IS_MESSAGE (self), NULL);
  return _pgqrs_time_get (&self->archived_at);
}

/**
 * pgqrs_message_get_archive_reason:
 * @self: a #PgqrsMessage
 *
 * Gets why the message was archived: done or dead-lettered.
 *
 * Returns: why the message was archived, or %PGQRS_ARCHIVE_REASON_NONE
 *
 * Since: 1.0
 */
PgqrsArchiveReason
pgqrs_message_get_archive_reason (PgqrsMessage *self)
{
  g_return_val_if_fail (PGQRS_IS_MESSAGE (self), PGQRS_ARCHIVE_REASON_NONE);
  return self->archive_reason;
}

/**
 * pgqrs_message_get_read_count:
 * @self: a #PgqrsMessage
 *
 * Gets how many times the message has been leased.
 *
 * Returns: how many times the message has been leased
 *
 * Since: 1.0
 */
guint
pgqrs_message_get_read_count (PgqrsMessage *self)
{
  g_return_val_if_fail (PGQRS_IS_MESSAGE (self), 0);
  return self->read_count;
}

/**
 * pgqrs_message_get_producer_worker_id:
 * @self: a #PgqrsMessage
 *
 * Gets the id of the worker that enqueued the message.
 *
 * Returns: the id of the worker that enqueued the message, or 0
 *
 * Since: 1.0
 */
gint64
pgqrs_message_get_producer_worker_id (PgqrsMessage *self)
{
  g_return_val_if_fail (PGQRS_IS_MESSAGE (self), 0);
  return self->producer_worker_id;
}

/**
 * pgqrs_message_get_consumer_worker_id:
 * @self: a #PgqrsMessage
 *
 * Gets the id of the worker that last leased the message.
 *
 * Returns: the id of the worker that last leased the message, or 0
 *
 * Since: 1.0
 */
gint64
pgqrs_message_get_consumer_worker_id (PgqrsMessage *self)
{
  g_return_val_if_fail (PGQRS_IS_MESSAGE (self), 0);
  return self->consumer_worker_id;
}
