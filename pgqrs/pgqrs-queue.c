/* pgqrs-queue.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "pgqrs-config.h"
#include "pgqrs-error.h"
#include "pgqrs-message-private.h"
#include "pgqrs-queue-private.h"
#include "pgqrs-store-private.h"
#include "pgqrs-validation-private.h"

/**
 * PgqrsQueue:
 *
 * A named queue of JSON messages.
 *
 * Producers enqueue payloads ([method@Queue.enqueue],
 * [method@Queue.enqueue_batch], [method@Queue.enqueue_delayed]); consumers
 * lease them with [method@Queue.dequeue]. A leased message is invisible to
 * other consumers until its visibility timeout runs out; the consumer then
 * archives it when done ([method@Queue.archive]), deletes it, releases it
 * for someone else, or extends its lease. A lease that runs out is handed to
 * the next consumer, which is how work survives a crashed consumer.
 *
 * The message a lease returned is its proof: archive, delete, release and
 * extend apply only while that lease is still current, and answer %FALSE —
 * not an error — for a message whose lease was taken over or that was
 * archived or deleted already. The `_batch` forms answer one boolean per
 * message, in the order given.
 *
 * Get a queue from [method@Store.create_queue] or [method@Store.get_queue].
 *
 * Since: 1.0
 */

struct _PgqrsQueue
{
  GObject     parent_instance;

  PgqrsStore *store;
  char       *name;
  gint64      id;
  GDateTime  *created_at;
};

G_DEFINE_FINAL_TYPE (PgqrsQueue, pgqrs_queue, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  PROP_NAME,
  PROP_ID,
  PROP_CREATED_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pgqrs_queue_finalize (GObject *object)
{
  PgqrsQueue *self = (PgqrsQueue *)object;

  g_clear_object (&self->store);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->created_at, g_date_time_unref);

  G_OBJECT_CLASS (pgqrs_queue_parent_class)->finalize (object);
}

static void
pgqrs_queue_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PgqrsQueue *self = PGQRS_QUEUE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_CREATED_AT:
      g_value_set_boxed (value, self->created_at);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pgqrs_queue_class_init (PgqrsQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = pgqrs_queue_finalize;
  object_class->get_property = pgqrs_queue_get_property;

  /**
   * PgqrsQueue:store:
   *
   * The store the queue lives in.
   *
   * Since: 1.0
   */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, PGQRS_TYPE_STORE, ro);

  /**
   * PgqrsQueue:name:
   *
   * The queue's name.
   *
   * Since: 1.0
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, ro);

  /**
   * PgqrsQueue:id:
   *
   * The queue's id in the store.
   *
   * Since: 1.0
   */
  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, ro);

  /**
   * PgqrsQueue:created-at:
   *
   * When the queue was created.
   *
   * Since: 1.0
   */
  properties[PROP_CREATED_AT] =
    g_param_spec_boxed ("created-at", NULL, NULL, G_TYPE_DATE_TIME, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pgqrs_queue_init (PgqrsQueue *self)
{
}

PgqrsQueue *
_pgqrs_queue_new (PgqrsStore          *store,
                  const PgqrsQueueRow *row)
{
  PgqrsQueue *self = g_object_new (PGQRS_TYPE_QUEUE, NULL);

  self->store = g_object_ref (store);
  self->name = g_strdup (row->name);
  self->id = row->id;
  self->created_at = row->created_at ? g_date_time_new_from_iso8601 (row->created_at, NULL) : NULL;

  return self;
}

/**
 * pgqrs_queue_get_store:
 * @self: a #PgqrsQueue
 *
 * Gets the store the queue lives in.
 *
 * Returns: (transfer none): the store the queue lives in
 *
 * Since: 1.0
 */
PgqrsStore *
pgqrs_queue_get_store (PgqrsQueue *self)
{
  g_return_val_if_fail (PGQRS_IS_QUEUE (self), NULL);
  return self->store;
}

/**
 * pgqrs_queue_get_name:
 * @self: a #PgqrsQueue
 *
 * Gets the queue's name.
 *
 * Returns: the queue's name
 *
 * Since: 1.0
 */
const char *
pgqrs_queue_get_name (PgqrsQueue *self)
{
  g_return_val_if_fail (PGQRS_IS_QUEUE (self), NULL);
  return self->name;
}

/**
 * pgqrs_queue_get_id:
 * @self: a #PgqrsQueue
 *
 * Gets the queue's id in the store.
 *
 * Returns: the queue's id in the store
 *
 * Since: 1.0
 */
gint64
pgqrs_queue_get_id (PgqrsQueue *self)
{
  g_return_val_if_fail (PGQRS_IS_QUEUE (self), 0);
  return self->id;
}

/**
 * pgqrs_queue_get_created_at:
 * @self: a #PgqrsQueue
 *
 * Gets when the queue was created, by the database's clock.
 *
 * Returns: (transfer none) (nullable): when the queue was created
 *
 * Since: 1.0
 */
GDateTime *
pgqrs_queue_get_created_at (PgqrsQueue *self)
{
  g_return_val_if_fail (PGQRS_IS_QUEUE (self), NULL);
  return self->created_at;
}

static gboolean
check_seconds (const char  *what,
               double       seconds,
               GError     **error)
{
  /* Beyond a year is surely a unit mistake (milliseconds for seconds). */
  if (!isfinite (seconds) || seconds < 0 || seconds > 366 * 24 * 3600.0)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                   _("The %s must be from 0 to 31622400 seconds, not %g"),
                   what, seconds);
      return FALSE;
    }

  return TRUE;
}

/* Validates and serializes every payload — @payloads, or @texts when it is
 * NULL — before anything is written, so a bad payload anywhere in a batch
 * writes nothing. */
static PgqrsRequest *
enqueue_request_full (PgqrsQueue          *self,
                      JsonNode           **payloads,
                      const char * const  *texts,
                      guint                n_payloads,
                      gboolean             is_batch,
                      double               delay_seconds,
                      const char * const  *keys,
                      GError             **error)
{
  g_autoptr(GPtrArray) checked = NULL;
  g_autoptr(GPtrArray) key_array = NULL;
  PgqrsConfig *config = pgqrs_store_get_config (self->store);
  PgqrsRequest *request;

  if (keys != NULL && !(key_array = _pgqrs_idempotency_keys (keys, n_payloads, error)))
    return NULL;

  if (n_payloads == 0)
    {
      g_set_error_literal (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                           _("A batch needs at least one payload"));
      return NULL;
    }

  if (!check_seconds (_("delay"), delay_seconds, error))
    return NULL;

  checked = g_ptr_array_new_full (n_payloads, g_free);

  for (guint i = 0; i < n_payloads; i++)
    {
      int index = is_batch ? (int)i : -1;
      char *text = payloads ? _pgqrs_payload_serialize (config, payloads[i], index, error)
                            : _pgqrs_payload_check_text (config, texts[i], index, error);

      if (text == NULL)
        return NULL;
      g_ptr_array_add (checked, text);
    }

  if (!_pgqrs_store_take_enqueue_tokens (self->store, self->name, n_payloads, error))
    return NULL;

  request = _pgqrs_request_new_enqueue (self->id, self->name, 0, g_steal_pointer (&checked),
                                        delay_seconds);
  if (key_array != NULL)
    _pgqrs_request_set_idempotency_keys (request, g_steal_pointer (&key_array));

  return request;
}

static PgqrsRequest *
enqueue_request (PgqrsQueue  *self,
                 JsonNode   **payloads,
                 guint        n_payloads,
                 gboolean     is_batch,
                 double       delay_seconds,
                 GError     **error)
{
  return enqueue_request_full (self, payloads, NULL, n_payloads, is_batch, delay_seconds, NULL,
                               error);
}

static PgqrsRequest *
enqueue_keyed_request (PgqrsQueue          *self,
                       JsonNode           **payloads,
                       guint                n_payloads,
                       gboolean             is_batch,
                       const char * const  *keys,
                       GError             **error)
{
  return enqueue_request_full (self, payloads, NULL, n_payloads, is_batch, 0, keys, error);
}

static gint64
reply_to_id (PgqrsReply *reply)
{
  g_assert (reply->ids != NULL && reply->ids->len == 1);

  return g_array_index (reply->ids, gint64, 0);
}

/**
 * pgqrs_queue_enqueue:
 * @self: a #PgqrsQueue
 * @payload: any JSON value
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Adds a message, visible to consumers at once.
 *
 * The payload is checked against the limits of the store's
 * [class@Config] before anything is written.
 *
 * Returns: the new message's id, or 0 with @error set:
 *   %PGQRS_ERROR_PAYLOAD_TOO_LARGE, %PGQRS_ERROR_VALIDATION,
 *   %PGQRS_ERROR_RATE_LIMITED, %PGQRS_ERROR_QUEUE_NOT_FOUND if the queue was
 *   deleted meanwhile, …
 *
 * Since: 1.0
 */
gint64
pgqrs_queue_enqueue (PgqrsQueue    *self,
                     JsonNode      *payload,
                     GCancellable  *cancellable,
                     GError       **error)
{
  return pgqrs_queue_enqueue_delayed (self, payload, 0, cancellable, error);
}

/**
 * pgqrs_queue_enqueue_async:
 * @self: a #PgqrsQueue
 * @payload: any JSON value
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Queue.enqueue] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_queue_enqueue_async (PgqrsQueue          *self,
                           JsonNode            *payload,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_QUEUE (self));

  if (!(request = enqueue_request (self, &payload, 1, FALSE, 0, &error)))
    {
      g_task_report_error (self, callback, user_data, pgqrs_queue_enqueue_async, error);
      return;
    }

  _pgqrs_store_execute_async (self->store, self, request, pgqrs_queue_enqueue_async,
                              cancellable, callback, user_data);
}

/**
 * pgqrs_queue_enqueue_finish:
 * @self: a #PgqrsQueue
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Queue.enqueue_async].
 *
 * Returns: the new message's id, or 0 with @error set
 *
 * Since: 1.0
 */
gint64
pgqrs_queue_enqueue_finish (PgqrsQueue    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, pgqrs_queue_enqueue_async, error)))
    return 0;

  return reply_to_id (reply);
}

/**
 * pgqrs_queue_enqueue_delayed:
 * @self: a #PgqrsQueue
 * @payload: any JSON value
 * @delay_seconds: how long the message stays invisible, in seconds
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Adds a message that consumers see only after @delay_seconds.
 *
 * Returns: the new message's id, or 0 with @error set
 *
 * Since: 1.0
 */
gint64
pgqrs_queue_enqueue_delayed (PgqrsQueue    *self,
                             JsonNode      *payload,
                             double         delay_seconds,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_QUEUE (self), 0);

  if (!(request = enqueue_request (self, &payload, 1, FALSE, delay_seconds, error)) ||
      !(reply = _pgqrs_store_execute (self->store, request, cancellable, error)))
    return 0;

  return reply_to_id (reply);
}

/**
 * pgqrs_queue_enqueue_delayed_async:
 * @self: a #PgqrsQueue
 * @payload: any JSON value
 * @delay_seconds: how long the message stays invisible, in seconds
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Queue.enqueue_delayed] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_queue_enqueue_delayed_async (PgqrsQueue          *self,
                                   JsonNode            *payload,
                                   double               delay_seconds,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_QUEUE (self));

  if (!(request = enqueue_request (self, &payload, 1, FALSE, delay_seconds, &error)))
    {
      g_task_report_error (self, callback, user_data, pgqrs_queue_enqueue_delayed_async, error);
      return;
    }

  _pgqrs_store_execute_async (self->store, self, request, pgqrs_queue_enqueue_delayed_async,
                              cancellable, callback, user_data);
}

/**
 * pgqrs_queue_enqueue_delayed_finish:
 * @self: a #PgqrsQueue
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Queue.enqueue_delayed_async].
 *
 * Returns: the new message's id, or 0 with @error set
 *
 * Since: 1.0
 */
gint64
pgqrs_queue_enqueue_delayed_finish (PgqrsQueue    *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, pgqrs_queue_enqueue_delayed_async, error)))
    return 0;

  return reply_to_id (reply);
}

/**
 * pgqrs_queue_enqueue_batch:
 * @self: a #PgqrsQueue
 * @payloads: (element-type Json.Node): the payloads
 * @delay_seconds: how long the messages stay invisible, in seconds; 0 for none
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Adds several messages in one transaction: all of them or, on error, none.
 * A payload that breaks a limit is named by its index in the error.
 *
 * Returns: (transfer full) (element-type gint64): the new ids, in the order
 *   of @payloads, or %NULL with @error set
 *
 * Since: 1.0
 */
GArray *
pgqrs_queue_enqueue_batch (PgqrsQueue    *self,
                           GPtrArray     *payloads,
                           double         delay_seconds,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_QUEUE (self), NULL);
  g_return_val_if_fail (payloads != NULL, NULL);

  if (!(request = enqueue_request (self, (JsonNode **)payloads->pdata, payloads->len, TRUE,
                                   delay_seconds, error)) ||
      !(reply = _pgqrs_store_execute (self->store, request, cancellable, error)))
    return NULL;

  return _pgqrs_reply_steal_ids (reply);
}

/**
 * pgqrs_queue_enqueue_batch_async:
 * @self: a #PgqrsQueue
 * @payloads: (element-type Json.Node): the payloads
 * @delay_seconds: how long the messages stay invisible, in seconds; 0 for none
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Queue.enqueue_batch] without blocking. The payloads are
 * validated and serialized before this returns, so @payloads may be freed
 * at once.
 *
 * Since: 1.0
 */
void
pgqrs_queue_enqueue_batch_async (PgqrsQueue          *self,
                                 GPtrArray           *payloads,
                                 double               delay_seconds,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_QUEUE (self));
  g_return_if_fail (payloads != NULL);

  if (!(request = enqueue_request (self, (JsonNode **)payloads->pdata, payloads->len, TRUE,
                                   delay_seconds, &error)))
    {
      g_task_report_error (self, callback, user_data, pgqrs_queue_enqueue_batch_async, error);
      return;
    }

  _pgqrs_store_execute_async (self->store, self, request, pgqrs_queue_enqueue_batch_async,
                              cancellable, callback, user_data);
}

/**
 * pgqrs_queue_enqueue_batch_finish:
 * @self: a #PgqrsQueue
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Queue.enqueue_batch_async].
 *
 * Returns: (transfer full) (element-type gint64): the new ids, in input
 *   order, or %NULL with @error set
 *
 * Since: 1.0
 */
GArray *
pgqrs_queue_enqueue_batch_finish (PgqrsQueue    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, pgqrs_queue_enqueue_batch_async, error)))
    return NULL;

  return _pgqrs_reply_steal_ids (reply);
}

/**
 * pgqrs_queue_enqueue_with_key:
 * @self: a #PgqrsQueue
 * @payload: any JSON value
 * @idempotency_key: 1–255 bytes that name this message for the producer,
 *   such as an order number
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Adds a message, unless a message of this queue already has the key
 * @idempotency_key; then nothing is stored, and that message's id is
 * returned. A key stays taken for as long as its message exists — pending,
 * leased or archived — until a purge deletes it.
 *
 * This is how a producer retries safely: an enqueue that failed with
 * %PGQRS_ERROR_CONNECTION may have been stored all the same, and repeating
 * it with the same key cannot store it twice.
 *
 * Returns: the id of the message with @idempotency_key, new or not, or 0
 *   with @error set; %PGQRS_ERROR_VALIDATION for a bad key
 *
 * Since: 1.0
 */
gint64
pgqrs_queue_enqueue_with_key (PgqrsQueue    *self,
                              JsonNode      *payload,
                              const char    *idempotency_key,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  const char *keys[] = { idempotency_key, NULL };
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_QUEUE (self), 0);
  g_return_val_if_fail (idempotency_key != NULL, 0);

  if (!(request = enqueue_keyed_request (self, &payload, 1, FALSE, keys, error)) ||
      !(reply = _pgqrs_store_execute (self->store, request, cancellable, error)))
    return 0;

  return reply_to_id (reply);
}

/**
 * pgqrs_queue_enqueue_with_key_async:
 * @self: a #PgqrsQueue
 * @payload: any JSON value
 * @idempotency_key: 1–255 bytes that name this message for the producer
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Queue.enqueue_with_key] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_queue_enqueue_with_key_async (PgqrsQueue          *self,
                                    JsonNode            *payload,
                                    const char          *idempotency_key,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  const char *keys[] = { idempotency_key, NULL };
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_QUEUE (self));
  g_return_if_fail (idempotency_key != NULL);

  if (!(request = enqueue_keyed_request (self, &payload, 1, FALSE, keys, &error)))
    {
      g_task_report_error (self, callback, user_data, pgqrs_queue_enqueue_with_key_async, error);
      return;
    }

  _pgqrs_store_execute_async (self->store, self, request, pgqrs_queue_enqueue_with_key_async,
                              cancellable, callback, user_data);
}

/**
 * pgqrs_queue_enqueue_with_key_finish:
 * @self: a #PgqrsQueue
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Queue.enqueue_with_key_async].
 *
 * Returns: the id of the message with the key, new or not, or 0 with
 *   @error set
 *
 * Since: 1.0
 */
gint64
pgqrs_queue_enqueue_with_key_finish (PgqrsQueue    *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, pgqrs_queue_enqueue_with_key_async,
                                             error)))
    return 0;

  return reply_to_id (reply);
}

/**
 * pgqrs_queue_enqueue_batch_with_keys:
 * @self: a #PgqrsQueue
 * @payloads: (element-type Json.Node): the payloads
 * @idempotency_keys: (array zero-terminated=1): one key per payload, in the
 *   same order
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Adds several messages in one transaction, as [method@Queue.enqueue_batch]
 * does, each under its idempotency key (see
 * [method@Queue.enqueue_with_key]): a payload whose key a message of this
 * queue has, or an earlier payload of the batch has, is not stored, and
 * that message's id stands in its place.
 *
 * Returns: (transfer full) (element-type gint64): the ids of the messages
 *   with the keys, in the order of @payloads, or %NULL with @error set;
 *   %PGQRS_ERROR_VALIDATION when a key is bad or the numbers of keys and
 *   payloads differ
 *
 * Since: 1.0
 */
GArray *
pgqrs_queue_enqueue_batch_with_keys (PgqrsQueue          *self,
                                     GPtrArray           *payloads,
                                     const char * const  *idempotency_keys,
                                     GCancellable        *cancellable,
                                     GError             **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_QUEUE (self), NULL);
  g_return_val_if_fail (payloads != NULL, NULL);
  g_return_val_if_fail (idempotency_keys != NULL, NULL);

  if (!(request = enqueue_keyed_request (self, (JsonNode **)payloads->pdata, payloads->len, TRUE,
                                         idempotency_keys, error)) ||
      !(reply = _pgqrs_store_execute (self->store, request, cancellable, error)))
    return NULL;

  return _pgqrs_reply_steal_ids (reply);
}

/**
 * pgqrs_queue_enqueue_batch_with_keys_async:
 * @self: a #PgqrsQueue
 * @payloads: (element-type Json.Node): the payloads
 * @idempotency_keys: (array zero-terminated=1): one key per payload
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Queue.enqueue_batch_with_keys] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_queue_enqueue_batch_with_keys_async (PgqrsQueue          *self,
                                           GPtrArray           *payloads,
                                           const char * const  *idempotency_keys,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_QUEUE (self));
  g_return_if_fail (payloads != NULL);
  g_return_if_fail (idempotency_keys != NULL);

  if (!(request = enqueue_keyed_request (self, (JsonNode **)payloads->pdata, payloads->len, TRUE,
                                         idempotency_keys, &error)))
    {
      g_task_report_error (self, callback, user_data, pgqrs_queue_enqueue_batch_with_keys_async,
                           error);
      return;
    }

  _pgqrs_store_execute_async (self->store, self, request,
                              pgqrs_queue_enqueue_batch_with_keys_async,
                              cancellable, callback, user_data);
}

/**
 * pgqrs_queue_enqueue_batch_with_keys_finish:
 * @self: a #PgqrsQueue
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Queue.enqueue_batch_with_keys_async].
 *
 * Returns: (transfer full) (element-type gint64): the ids, in input order,
 *   or %NULL with @error set
 *
 * Since: 1.0
 */
GArray *
pgqrs_queue_enqueue_batch_with_keys_finish (PgqrsQueue    *self,
                                            GAsyncResult  *result,
                                            GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result,
                                             pgqrs_queue_enqueue_batch_with_keys_async, error)))
    return NULL;

  return _pgqrs_reply_steal_ids (reply);
}

#define MAX_DEQUEUE 10000

static PgqrsRequest *
dequeue_request (PgqrsQueue  *self,
                 guint        max_messages,
                 double       visibility_timeout,
                 GError     **error)
{
  PgqrsConfig *config = pgqrs_store_get_config (self->store);

  if (max_messages == 0 || max_messages > MAX_DEQUEUE)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                   _("A dequeue takes from 1 to %d messages, not %u"),
                   MAX_DEQUEUE, max_messages);
      return NULL;
    }

  if (visibility_timeout <= 0)
    visibility_timeout = pgqrs_config_get_visibility_timeout (config);
  else if (!check_seconds (_("visibility timeout"), visibility_timeout, error))
    return NULL;

  return _pgqrs_request_new_lease (self->id, 0, max_messages, visibility_timeout,
                                   pgqrs_config_get_max_read_count (config));
}

/* Rule 27: a leased message whose stored payload cannot be read (text
 * written behind pgqrs's back, or by an older version) is taken out of
 * @messages and dead-lettered, so that it never blocks its queue; its
 * listing says why (pgqrs_message_get_payload_error()).  Returns the
 * dead-letter request, or NULL when every payload is readable. */
static PgqrsRequest *
take_unreadable (PgqrsQueue *self,
                 GPtrArray  *messages)
{
  PgqrsRequest *request = NULL;

  for (guint i = 0; i < messages->len;)
    {
      PgqrsMessage *message = g_ptr_array_index (messages, i);

      if (pgqrs_message_get_payload_error (message) == NULL)
        {
          i++;
          continue;
        }

      g_debug ("Queue “%s”: message %" G_GINT64_FORMAT " dead-lettered: %s", self->name,
               pgqrs_message_get_id (message), pgqrs_message_get_payload_error (message));
      if (request == NULL)
        request = _pgqrs_request_new_archive (self->id, TRUE);
      _pgqrs_request_add_token (request, pgqrs_message_get_id (message),
                                _pgqrs_message_get_lease_count (message));
      g_ptr_array_remove_index (messages, i);
    }

  return request;
}

/* The leased messages are the caller's either way: a dead letter that
 * could not be written leaves its message leased, and a later lease, or
 * max-read-count, deals with it. */
static void
warn_not_dead_lettered (PgqrsQueue   *self,
                        const GError *error)
{
  g_warning ("Queue “%s”: messages whose payload cannot be read were not dead-lettered: %s",
             self->name, error->message);
}

static void
unreadable_dead_lettered_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(PgqrsReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  PgqrsQueue *self = g_task_get_source_object (task);

  if (!(reply = _pgqrs_store_execute_finish (self, result, unreadable_dead_lettered_cb, &error)))
    warn_not_dead_lettered (self, error);

  g_task_return_pointer (task, g_ptr_array_ref (g_task_get_task_data (task)),
                         (GDestroyNotify)g_ptr_array_unref);
}

static void
leased_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsQueue *self = g_task_get_source_object (task);
  GCancellable *cancellable;
  GError *error = NULL;
  GPtrArray *messages;
  PgqrsRequest *dead;

  if (!(reply = _pgqrs_store_execute_finish (self, result, leased_cb, &error)))
    {
      g_task_return_error (task, error);
      return;
    }

  messages = _pgqrs_reply_steal_messages (reply);
  if ((dead = take_unreadable (self, messages)) == NULL)
    {
      g_task_return_pointer (task, messages, (GDestroyNotify)g_ptr_array_unref);
      return;
    }

  g_task_set_task_data (task, messages, (GDestroyNotify)g_ptr_array_unref);
  cancellable = g_task_get_cancellable (task);
  _pgqrs_store_execute_async (self->store, self, dead, unreadable_dead_lettered_cb,
                              cancellable, unreadable_dead_lettered_cb, g_steal_pointer (&task));
}

/* Every lease of this queue — dequeue and a consumer's — goes through this
 * pair, which dead-letters what cannot be read. */
static void
lease_async (PgqrsQueue          *self,
             PgqrsRequest        *request,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  _pgqrs_store_execute_async (self->store, self, request, leased_cb, cancellable, leased_cb, task);
}

static GPtrArray *
lease_finish (PgqrsQueue    *self,
              GAsyncResult  *result,
              gpointer       source_tag,
              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * pgqrs_queue_dequeue:
 * @self: a #PgqrsQueue
 * @max_messages: the most messages to lease, from 1 to 10000
 * @visibility_timeout: seconds the messages stay leased to the caller; 0 or
 *   less for [property@Config:visibility-timeout]
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Leases up to @max_messages visible messages, the oldest first. Each has
 * its read count raised by one and stays invisible to other consumers for
 * @visibility_timeout seconds. A message whose lease ran out is leased again
 * like any visible one; one that has been leased
 * [property@Config:max-read-count] times is archived as a dead letter
 * instead of being returned. So is one whose stored payload cannot be read
 * (see [method@Message.get_payload_error]): it never blocks the queue.
 *
 * Returns: (transfer container) (element-type PgqrsMessage): the leased
 *   messages, perhaps none, or %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
pgqrs_queue_dequeue (PgqrsQueue    *self,
                     guint          max_messages,
                     double         visibility_timeout,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;
  PgqrsRequest *dead;
  GPtrArray *messages;

  g_return_val_if_fail (PGQRS_IS_QUEUE (self), NULL);

  if (!(request = dequeue_request (self, max_messages, visibility_timeout, error)) ||
      !(reply = _pgqrs_store_execute (self->store, request, cancellable, error)))
    return NULL;

  messages = _pgqrs_reply_steal_messages (reply);
  if ((dead = take_unreadable (self, messages)) != NULL)
    {
      g_autoptr(GError) dead_error = NULL;
      g_autoptr(PgqrsReply) dead_reply = _pgqrs_store_execute (self->store, dead, cancellable,
                                                               &dead_error);

      if (dead_reply == NULL)
        warn_not_dead_lettered (self, dead_error);
    }

  return messages;
}

/**
 * pgqrs_queue_dequeue_async:
 * @self: a #PgqrsQueue
 * @max_messages: the most messages to lease, from 1 to 10000
 * @visibility_timeout: seconds the messages stay leased; 0 or less for the default
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Queue.dequeue] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_queue_dequeue_async (PgqrsQueue          *self,
                           guint                max_messages,
                           double               visibility_timeout,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_QUEUE (self));

  if (!(request = dequeue_request (self, max_messages, visibility_timeout, &error)))
    {
      g_task_report_error (self, callback, user_data, pgqrs_queue_dequeue_async, error);
      return;
    }

  lease_async (self, request, pgqrs_queue_dequeue_async, cancellable, callback, user_data);
}

/**
 * pgqrs_queue_dequeue_finish:
 * @self: a #PgqrsQueue
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Queue.dequeue_async].
 *
 * Returns: (transfer container) (element-type PgqrsMessage): the leased
 *   messages, perhaps none, or %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
pgqrs_queue_dequeue_finish (PgqrsQueue    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return lease_finish (self, result, pgqrs_queue_dequeue_async, error);
}

/* Archive, delete, release and extend all act on leases: the request
 * carries each message's (id, lease count) token. */
static PgqrsRequest *
lease_request (PgqrsQueue    *self,
               PgqrsSettle    how,
               PgqrsMessage **messages,
               guint          n_messages,
               double         seconds,
               GError       **error)
{
  g_autoptr(PgqrsRequest) request = NULL;

  if (n_messages == 0)
    {
      g_set_error_literal (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                           _("A batch needs at least one message"));
      return NULL;
    }

  switch (how)
    {
    case PGQRS_SETTLE_ARCHIVE:
    case PGQRS_SETTLE_DEAD_LETTER:
      request = _pgqrs_request_new_archive (self->id, how == PGQRS_SETTLE_DEAD_LETTER);
      break;
    case PGQRS_SETTLE_DELETE:
      request = _pgqrs_request_new_delete (self->id);
      break;
    case PGQRS_SETTLE_RELEASE:
      if (!check_seconds (_("delay"), seconds, error))
        return NULL;
      request = _pgqrs_request_new_release (self->id, seconds);
      break;
    case PGQRS_SETTLE_EXTEND:
      if (!check_seconds (_("extension"), seconds, error))
        return NULL;
      request = _pgqrs_request_new_extend (self->id, seconds);
      break;
    default:
      g_return_val_if_reached (NULL);
    }

  for (guint i = 0; i < n_messages; i++)
    {
      if (!PGQRS_IS_MESSAGE (messages[i]))
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                       _("Item %u of the batch is not a message"), i);
          return NULL;
        }

      if (pgqrs_message_get_queue_id (messages[i]) != self->id)
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                       _("Message %lld belongs to another queue than “%s”"),
                       (long long)pgqrs_message_get_id (messages[i]), self->name);
          return NULL;
        }

      _pgqrs_request_add_token (request,
                                pgqrs_message_get_id (messages[i]),
                                _pgqrs_message_get_lease_count (messages[i]));
    }

  return g_steal_pointer (&request);
}

/* The eight lease operations differ only in their op and source tag, so
 * each public function is a one-line call into these. */

static gboolean
lease_op_one (PgqrsQueue    *self,
              PgqrsSettle    how,
              PgqrsMessage  *message,
              double         seconds,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_QUEUE (self), FALSE);
  g_return_val_if_fail (PGQRS_IS_MESSAGE (message), FALSE);

  if (!(request = lease_request (self, how, &message, 1, seconds, error)) ||
      !(reply = _pgqrs_store_execute (self->store, request, cancellable, error)))
    return FALSE;

  return _pgqrs_reply_get_flag (reply);
}

static GArray *
lease_op_batch (PgqrsQueue    *self,
                PgqrsSettle    how,
                GPtrArray     *messages,
                double         seconds,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_QUEUE (self), NULL);
  g_return_val_if_fail (messages != NULL, NULL);

  if (!(request = lease_request (self, how, (PgqrsMessage **)messages->pdata, messages->len,
                                 seconds, error)) ||
      !(reply = _pgqrs_store_execute (self->store, request, cancellable, error)))
    return NULL;

  return _pgqrs_reply_steal_flags (reply);
}

static void
lease_op_async (PgqrsQueue          *self,
                PgqrsSettle          how,
                PgqrsMessage       **messages,
                guint                n_messages,
                double               seconds,
                gpointer             source_tag,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_QUEUE (self));

  if (!(request = lease_request (self, how, messages, n_messages, seconds, &error)))
    {
      g_task_report_error (self, callback, user_data, source_tag, error);
      return;
    }

  _pgqrs_store_execute_async (self->store, self, request, source_tag,
                              cancellable, callback, user_data);
}

static gboolean
lease_op_one_finish (PgqrsQueue    *self,
                     GAsyncResult  *result,
                     gpointer       source_tag,
                     GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, source_tag, error)))
    return FALSE;

  return _pgqrs_reply_get_flag (reply);
}

static GArray *
lease_op_batch_finish (PgqrsQueue    *self,
                       GAsyncResult  *result,
                       gpointer       source_tag,
                       GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, source_tag, error)))
    return NULL;

  return _pgqrs_reply_steal_flags (reply);
}

/**
 * pgqrs_queue_archive:
 * @self: a #PgqrsQueue
 * @message: a message leased from this queue
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Marks a handled message as done. It leaves the queue but stays in the
 * store for audit; see [method@Store.list_archived].
 *
 * Returns: %TRUE if it was archived; %FALSE with no error if the lease is no
 *   longer current (archived already, deleted, or taken over after it ran
 *   out); %FALSE with @error set on failure
 *
 * Since: 1.0
 */
gboolean
pgqrs_queue_archive (PgqrsQueue    *self,
                     PgqrsMessage  *message,
                     GCancellable  *cancellable,
                     GError       **error)
{
  return lease_op_one (self, PGQRS_SETTLE_ARCHIVE, message, 0, cancellable, error);
}

/**
 * pgqrs_queue_archive_async:
 * @self: a #PgqrsQueue
 * @message: a message leased from this queue
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Queue.archive] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_queue_archive_async (PgqrsQueue          *self,
                           PgqrsMessage        *message,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  lease_op_async (self, PGQRS_SETTLE_ARCHIVE, &message, 1, 0, pgqrs_queue_archive_async,
                  cancellable, callback, user_data);
}

/**
 * pgqrs_queue_archive_finish:
 * @self: a #PgqrsQueue
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Queue.archive_async].
 *
 * Returns: %TRUE if it was archived; %FALSE with no error if the lease is
 *   no longer current
 *
 * Since: 1.0
 */
gboolean
pgqrs_queue_archive_finish (PgqrsQueue    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return lease_op_one_finish (self, result, pgqrs_queue_archive_async, error);
}

/**
 * pgqrs_queue_archive_batch:
 * @self: a #PgqrsQueue
 * @messages: (element-type PgqrsMessage): messages leased from this queue
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Archives several messages in one statement; see [method@Queue.archive].
 *
 * Returns: (transfer full) (element-type gboolean): for each message, in
 *   order, whether it was archived; %NULL with @error set on failure
 *
 * Since: 1.0
 */
GArray *
pgqrs_queue_archive_batch (PgqrsQueue    *self,
                           GPtrArray     *messages,
                           GCancellable  *cancellable,
                           GError       **error)
{
  return lease_op_batch (self, PGQRS_SETTLE_ARCHIVE, messages, 0, cancellable, error);
}

/**
 * pgqrs_queue_archive_batch_async:
 * @self: a #PgqrsQueue
 * @messages: (element-type PgqrsMessage): messages leased from this queue
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Queue.archive_batch] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_queue_archive_batch_async (PgqrsQueue          *self,
                                 GPtrArray           *messages,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (messages != NULL);

  lease_op_async (self, PGQRS_SETTLE_ARCHIVE, (PgqrsMessage **)messages->pdata, messages->len, 0,
                  pgqrs_queue_archive_batch_async, cancellable, callback, user_data);
}

/**
 * pgqrs_queue_archive_batch_finish:
 * @self: a #PgqrsQueue
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Queue.archive_batch_async].
 *
 * Returns: (transfer full) (element-type gboolean): for each message,
 *   whether it was archived
 *
 * Since: 1.0
 */
GArray *
pgqrs_queue_archive_batch_finish (PgqrsQueue    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return lease_op_batch_finish (self, result, pgqrs_queue_archive_batch_async, error);
}

/**
 * pgqrs_queue_delete_message:
 * @self: a #PgqrsQueue
 * @message: a message leased from this queue
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Removes a leased message from the store for good.
 *
 * Returns: %TRUE if it was deleted; %FALSE with no error if the lease is no
 *   longer current
 *
 * Since: 1.0
 */
gboolean
pgqrs_queue_delete_message (PgqrsQueue    *self,
                            PgqrsMessage  *message,
                            GCancellable  *cancellable,
                            GError       **error)
{
  return lease_op_one (self, PGQRS_SETTLE_DELETE, message, 0, cancellable, error);
}

/**
 * pgqrs_queue_delete_message_async:
 * @self: a #PgqrsQueue
 * @message: a message leased from this queue
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Queue.delete_message] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_queue_delete_message_async (PgqrsQueue          *self,
                                  PgqrsMessage        *message,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  lease_op_async (self, PGQRS_SETTLE_DELETE, &message, 1, 0, pgqrs_queue_delete_message_async,
                  cancellable, callback, user_data);
}

/**
 * pgqrs_queue_delete_message_finish:
 * @self: a #PgqrsQueue
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Queue.delete_message_async].
 *
 * Returns: %TRUE if it was deleted
 *
 * Since: 1.0
 */
gboolean
pgqrs_queue_delete_message_finish (PgqrsQueue    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return lease_op_one_finish (self, result, pgqrs_queue_delete_message_async, error);
}

/**
 * pgqrs_queue_delete_batch:
 * @self: a #PgqrsQueue
 * @messages: (element-type PgqrsMessage): messages leased from this queue
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Deletes several leased messages in one statement.
 *
 * Returns: (transfer full) (element-type gboolean): for each message, in
 *   order, whether it was deleted; %NULL with @error set on failure
 *
 * Since: 1.0
 */
GArray *
pgqrs_queue_delete_batch (PgqrsQueue    *self,
                          GPtrArray     *messages,
                          GCancellable  *cancellable,
                          GError       **error)
{
  return lease_op_batch (self, PGQRS_SETTLE_DELETE, messages, 0, cancellable, error);
}

/**
 * pgqrs_queue_delete_batch_async:
 * @self: a #PgqrsQueue
 * @messages: (element-type PgqrsMessage): messages leased from this queue
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Queue.delete_batch] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_queue_delete_batch_async (PgqrsQueue          *self,
                                GPtrArray           *messages,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (messages != NULL);

  lease_op_async (self, PGQRS_SETTLE_DELETE, (PgqrsMessage **)messages->pdata, messages->len, 0,
                  pgqrs_queue_delete_batch_async, cancellable, callback, user_data);
}

/**
 * pgqrs_queue_delete_batch_finish:
 * @self: a #PgqrsQueue
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Queue.delete_batch_async].
 *
 * Returns: (transfer full) (element-type gboolean): for each message,
 *   whether it was deleted
 *
 * Since: 1.0
 */
GArray *
pgqrs_queue_delete_batch_finish (PgqrsQueue    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return lease_op_batch_finish (self, result, pgqrs_queue_delete_batch_async, error);
}

/**
 * pgqrs_queue_release:
 * @self: a #PgqrsQueue
 * @message: a message leased from this queue
 * @delay_seconds: when the message becomes visible again, in seconds from
 *   now; 0 for at once
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Gives a leased message back for another consumer. Its read count is kept.
 *
 * Returns: %TRUE if it was released; %FALSE with no error if the lease is
 *   no longer current
 *
 * Since: 1.0
 */
gboolean
pgqrs_queue_release (PgqrsQueue    *self,
                     PgqrsMessage  *message,
                     double         delay_seconds,
                     GCancellable  *cancellable,
                     GError       **error)
{
  return lease_op_one (self, PGQRS_SETTLE_RELEASE, message, delay_seconds, cancellable, error);
}

/**
 * pgqrs_queue_release_async:
 * @self: a #PgqrsQueue
 * @message: a message leased from this queue
 * @delay_seconds: when the message becomes visible again, in seconds from now
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Queue.release] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_queue_release_async (PgqrsQueue          *self,
                           PgqrsMessage        *message,
                           double               delay_seconds,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  lease_op_async (self, PGQRS_SETTLE_RELEASE, &message, 1, delay_seconds,
                  pgqrs_queue_release_async, cancellable, callback, user_data);
}

/**
 * pgqrs_queue_release_finish:
 * @self: a #PgqrsQueue
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Queue.release_async].
 *
 * Returns: %TRUE if it was released
 *
 * Since: 1.0
 */
gboolean
pgqrs_queue_release_finish (PgqrsQueue    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return lease_op_one_finish (self, result, pgqrs_queue_release_async, error);
}

/**
 * pgqrs_queue_release_batch:
 * @self: a #PgqrsQueue
 * @messages: (element-type PgqrsMessage): messages leased from this queue
 * @delay_seconds: when the messages become visible again, in seconds from now
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Releases several messages in one statement; see [method@Queue.release].
 *
 * Returns: (transfer full) (element-type gboolean): for each message, in
 *   order, whether it was released; %NULL with @error set on failure
 *
 * Since: 1.0
 */
GArray *
pgqrs_queue_release_batch (PgqrsQueue    *self,
                           GPtrArray     *messages,
                           double         delay_seconds,
                           GCancellable  *cancellable,
                           GError       **error)
{
  return lease_op_batch (self, PGQRS_SETTLE_RELEASE, messages, delay_seconds, cancellable, error);
}

/**
 * pgqrs_queue_release_batch_async:
 * @self: a #PgqrsQueue
 * @messages: (element-type PgqrsMessage): messages leased from this queue
 * @delay_seconds: when the messages become visible again, in seconds from now
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Queue.release_batch] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_queue_release_batch_async (PgqrsQueue          *self,
                                 GPtrArray           *messages,
                                 double               delay_seconds,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (messages != NULL);

  lease_op_async (self, PGQRS_SETTLE_RELEASE, (PgqrsMessage **)messages->pdata, messages->len,
                  delay_seconds, pgqrs_queue_release_batch_async, cancellable, callback, user_data);
}

/**
 * pgqrs_queue_release_batch_finish:
 * @self: a #PgqrsQueue
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Queue.release_batch_async].
 *
 * Returns: (transfer full) (element-type gboolean): for each message,
 *   whether it was released
 *
 * Since: 1.0
 */
GArray *
pgqrs_queue_release_batch_finish (PgqrsQueue    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return lease_op_batch_finish (self, result, pgqrs_queue_release_batch_async, error);
}

/**
 * pgqrs_queue_extend_visibility:
 * @self: a #PgqrsQueue
 * @message: a message leased from this queue
 * @seconds: how many seconds to add to the lease
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Keeps a message leased for longer, for a handler that needs more time.
 *
 * Returns: %TRUE if the lease was extended; %FALSE with no error if it is
 *   no longer current
 *
 * Since: 1.0
 */
gboolean
pgqrs_queue_extend_visibility (PgqrsQueue    *self,
                               PgqrsMessage  *message,
                               double         seconds,
                               GCancellable  *cancellable,
                               GError       **error)
{
  return lease_op_one (self, PGQRS_SETTLE_EXTEND, message, seconds, cancellable, error);
}

/**
 * pgqrs_queue_extend_visibility_async:
 * @self: a #PgqrsQueue
 * @message: a message leased from this queue
 * @seconds: how many seconds to add to the lease
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Queue.extend_visibility] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_queue_extend_visibility_async (PgqrsQueue          *self,
                                     PgqrsMessage        *message,
                                     double               seconds,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  lease_op_async (self, PGQRS_SETTLE_EXTEND, &message, 1, seconds,
                  pgqrs_queue_extend_visibility_async, cancellable, callback, user_data);
}

/**
 * pgqrs_queue_extend_visibility_finish:
 * @self: a #PgqrsQueue
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Queue.extend_visibility_async].
 *
 * Returns: %TRUE if the lease was extended
 *
 * Since: 1.0
 */
gboolean
pgqrs_queue_extend_visibility_finish (PgqrsQueue    *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return lease_op_one_finish (self, result, pgqrs_queue_extend_visibility_async, error);
}

/**
 * pgqrs_queue_extend_visibility_batch:
 * @self: a #PgqrsQueue
 * @messages: (element-type PgqrsMessage): messages leased from this queue
 * @seconds: how many seconds to add to each lease
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Extends several leases in one statement.
 *
 * Returns: (transfer full) (element-type gboolean): for each message, in
 *   order, whether its lease was extended; %NULL with @error set on failure
 *
 * Since: 1.0
 */
GArray *
pgqrs_queue_extend_visibility_batch (PgqrsQueue    *self,
                                     GPtrArray     *messages,
                                     double         seconds,
                                     GCancellable  *cancellable,
                                     GError       **error)
{
  return lease_op_batch (self, PGQRS_SETTLE_EXTEND, messages, seconds, cancellable, error);
}

/**
 * pgqrs_queue_extend_visibility_batch_async:
 * @self: a #PgqrsQueue
 * @messages: (element-type PgqrsMessage): messages leased from this queue
 * @seconds: how many seconds to add to each lease
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Queue.extend_visibility_batch] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_queue_extend_visibility_batch_async (PgqrsQueue          *self,
                                           GPtrArray           *messages,
                                           double               seconds,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_return_if_fail (messages != NULL);

  lease_op_async (self, PGQRS_SETTLE_EXTEND, (PgqrsMessage **)messages->pdata, messages->len,
                  seconds, pgqrs_queue_extend_visibility_batch_async,
                  cancellable, callback, user_data);
}

/**
 * pgqrs_queue_extend_visibility_batch_finish:
 * @self: a #PgqrsQueue
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Queue.extend_visibility_batch_async].
 *
 * Returns: (transfer full) (element-type gboolean): for each message,
 *   whether its lease was extended
 *
 * Since: 1.0
 */
GArray *
pgqrs_queue_extend_visibility_batch_finish (PgqrsQueue    *self,
                                            GAsyncResult  *result,
                                            GError       **error)
{
  return lease_op_batch_finish (self, result, pgqrs_queue_extend_visibility_batch_async, error);
}

/* The consumer's way to the leases of its queue: the same requests as the
 * public calls build, with the consumer's worker as the lease holder. */
void
_pgqrs_queue_lease_async (PgqrsQueue          *self,
                          gint64               worker_id,
                          guint                limit,
                          double               visibility_seconds,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  PgqrsConfig *config;

  g_return_if_fail (PGQRS_IS_QUEUE (self));

  config = pgqrs_store_get_config (self->store);
  lease_async (self,
               _pgqrs_request_new_lease (self->id, worker_id, limit, visibility_seconds,
                                         pgqrs_config_get_max_read_count (config)),
               _pgqrs_queue_lease_async, cancellable, callback, user_data);
}

GPtrArray *
_pgqrs_queue_lease_finish (PgqrsQueue    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return lease_finish (self, result, _pgqrs_queue_lease_async, error);
}

void
_pgqrs_queue_settle_async (PgqrsQueue          *self,
                           PgqrsSettle          how,
                           GPtrArray           *messages,
                           double               seconds,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  lease_op_async (self, how, (PgqrsMessage **)messages->pdata, messages->len, seconds,
                  _pgqrs_queue_settle_async, cancellable, callback, user_data);
}

GArray *
_pgqrs_queue_settle_finish (PgqrsQueue    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return lease_op_batch_finish (self, result, _pgqrs_queue_settle_async, error);
}

void
_pgqrs_queue_next_visible_async (PgqrsQueue          *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (PGQRS_IS_QUEUE (self));

  _pgqrs_store_execute_async (self->store, self, _pgqrs_request_new_next_visible (self->id),
                              _pgqrs_queue_next_visible_async, cancellable, callback, user_data);
}

gboolean
_pgqrs_queue_next_visible_finish (PgqrsQueue    *self,
                                  GAsyncResult  *result,
                                  double        *seconds,
                                  GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, _pgqrs_queue_next_visible_async, error)))
    return FALSE;

  *seconds = reply->seconds;

  return TRUE;
}

/**
 * pgqrs_queue_enqueue_text:
 * @self: a #PgqrsQueue
 * @payload: the payload as JSON text (any JSON value), in UTF-8
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Adds a message given as JSON text, visible to consumers at once: for a
 * program, or a binding, that has its own JSON library (Python's
 * `json.dumps()`, `JSON.stringify()` in gjs).
 *
 * The text must be JSON that pgqrs can read back — valid UTF-8, no U+0000,
 * no lone surrogate, no number beyond the range of a double — and obey the
 * limits of the store's [class@Config], as a payload given as a
 * [struct@Json.Node] does. It is stored as given, less its insignificant
 * whitespace, so that a number keeps its exact spelling (on SQLite; see
 * [method@Message.get_payload_text] for what PostgreSQL changes).
 *
 * Returns: the new message's id, or 0 with @error set:
 *   %PGQRS_ERROR_VALIDATION for text that is not JSON (the message names
 *   the path and the byte), %PGQRS_ERROR_PAYLOAD_TOO_LARGE, … as
 *   [method@Queue.enqueue]
 *
 * Since: 1.0
 */
gint64
pgqrs_queue_enqueue_text (PgqrsQueue    *self,
                          const char    *payload,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_QUEUE (self), 0);

  if (!(request = enqueue_request_full (self, NULL, &payload, 1, FALSE, 0, NULL, error)) ||
      !(reply = _pgqrs_store_execute (self->store, request, cancellable, error)))
    return 0;

  return reply_to_id (reply);
}

/**
 * pgqrs_queue_enqueue_text_async:
 * @self: a #PgqrsQueue
 * @payload: the payload as JSON text (any JSON value), in UTF-8
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Queue.enqueue_text] without blocking. The text is checked
 * and copied before this returns.
 *
 * Since: 1.0
 */
void
pgqrs_queue_enqueue_text_async (PgqrsQueue          *self,
                                const char          *payload,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_QUEUE (self));

  if (!(request = enqueue_request_full (self, NULL, &payload, 1, FALSE, 0, NULL, &error)))
    {
      g_task_report_error (self, callback, user_data, pgqrs_queue_enqueue_text_async, error);
      return;
    }

  _pgqrs_store_execute_async (self->store, self, request, pgqrs_queue_enqueue_text_async,
                              cancellable, callback, user_data);
}

/**
 * pgqrs_queue_enqueue_text_finish:
 * @self: a #PgqrsQueue
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Queue.enqueue_text_async].
 *
 * Returns: the new message's id, or 0 with @error set
 *
 * Since: 1.0
 */
gint64
pgqrs_queue_enqueue_text_finish (PgqrsQueue    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, pgqrs_queue_enqueue_text_async, error)))
    return 0;

  return reply_to_id (reply);
}

/**
 * pgqrs_queue_enqueue_batch_text:
 * @self: a #PgqrsQueue
 * @payloads: (array zero-terminated=1): the payloads as JSON text
 * @delay_seconds: how long the messages stay invisible, in seconds; 0 for none
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Adds several messages given as JSON text in one transaction: all of them
 * or, on error, none; each text is checked as by
 * [method@Queue.enqueue_text], and one that is refused is named by its
 * index in the error. With one payload, this is the delayed enqueue of a
 * text.
 *
 * Returns: (transfer full) (element-type gint64): the new ids, in the order
 *   of @payloads, or %NULL with @error set
 *
 * Since: 1.0
 */
GArray *
pgqrs_queue_enqueue_batch_text (PgqrsQueue          *self,
                                const char * const  *payloads,
                                double               delay_seconds,
                                GCancellable        *cancellable,
                                GError             **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_QUEUE (self), NULL);
  g_return_val_if_fail (payloads != NULL, NULL);

  if (!(request = enqueue_request_full (self, NULL, payloads, g_strv_length ((char **)payloads),
                                        TRUE, delay_seconds, NULL, error)) ||
      !(reply = _pgqrs_store_execute (self->store, request, cancellable, error)))
    return NULL;

  return _pgqrs_reply_steal_ids (reply);
}

/**
 * pgqrs_queue_enqueue_batch_text_async:
 * @self: a #PgqrsQueue
 * @payloads: (array zero-terminated=1): the payloads as JSON text
 * @delay_seconds: how long the messages stay invisible, in seconds; 0 for none
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Queue.enqueue_batch_text] without blocking. The texts are
 * checked and copied before this returns.
 *
 * Since: 1.0
 */
void
pgqrs_queue_enqueue_batch_text_async (PgqrsQueue          *self,
                                      const char * const  *payloads,
                                      double               delay_seconds,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_QUEUE (self));
  g_return_if_fail (payloads != NULL);

  if (!(request = enqueue_request_full (self, NULL, payloads, g_strv_length ((char **)payloads),
                                        TRUE, delay_seconds, NULL, &error)))
    {
      g_task_report_error (self, callback, user_data, pgqrs_queue_enqueue_batch_text_async, error);
      return;
    }

  _pgqrs_store_execute_async (self->store, self, request, pgqrs_queue_enqueue_batch_text_async,
                              cancellable, callback, user_data);
}

/**
 * pgqrs_queue_enqueue_batch_text_finish:
 * @self: a #PgqrsQueue
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Queue.enqueue_batch_text_async].
 *
 * Returns: (transfer full) (element-type gint64): the new ids, in input
 *   order, or %NULL with @error set
 *
 * Since: 1.0
 */
GArray *
pgqrs_queue_enqueue_batch_text_finish (PgqrsQueue    *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, pgqrs_queue_enqueue_batch_text_async,
                                             error)))
    return NULL;

  return _pgqrs_reply_steal_ids (reply);
}

static PgqrsRequest *
list_messages_request (PgqrsQueue         *self,
                       PgqrsMessageState   states,
                       guint               limit,
                       guint               offset)
{
  const PgqrsMessageState all = PGQRS_MESSAGE_STATE_PENDING | PGQRS_MESSAGE_STATE_DELAYED |
                                PGQRS_MESSAGE_STATE_LEASED;

  return _pgqrs_request_new_message_list (self->id, (states & all) ? (states & all) : all,
                                          limit > 0 ? limit : 100, offset);
}

/**
 * pgqrs_queue_list_messages:
 * @self: a #PgqrsQueue
 * @states: which unarchived messages: pending (visible now), delayed
 *   (visible later) or leased, any combination; 0 means all three
 * @limit: the most messages to return; 0 means 100
 * @offset: how many to skip, for paging
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Lists the queue's unarchived messages in the states asked for, without
 * leasing them: a look, which changes nothing. They come in the order a
 * lease takes them — by visibility time, then id — so leased messages come
 * in the order their leases run out.
 *
 * A leased message names its holder with
 * [method@Message.get_consumer_worker_id], and [method@Message.get_visible_at]
 * is when its lease runs out. Each message carries its current lease token:
 * [method@Queue.archive], [method@Queue.delete_message] or
 * [method@Queue.release] on it act unless the message changed since it was
 * listed — which is how an operator settles a message by hand.
 *
 * Returns: (transfer container) (element-type PgqrsMessage): the messages,
 *   or %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
pgqrs_queue_list_messages (PgqrsQueue         *self,
                           PgqrsMessageState   states,
                           guint               limit,
                           guint               offset,
                           GCancellable       *cancellable,
                           GError            **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  g_return_val_if_fail (PGQRS_IS_QUEUE (self), NULL);

  if (!(reply = _pgqrs_store_execute (self->store,
                                      list_messages_request (self, states, limit, offset),
                                      cancellable, error)))
    return NULL;

  return _pgqrs_reply_steal_messages (reply);
}

/**
 * pgqrs_queue_list_messages_async:
 * @self: a #PgqrsQueue
 * @states: which unarchived messages; 0 means pending, delayed and leased
 * @limit: the most messages to return; 0 means 100
 * @offset: how many to skip, for paging
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Queue.list_messages] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_queue_list_messages_async (PgqrsQueue          *self,
                                 PgqrsMessageState    states,
                                 guint                limit,
                                 guint                offset,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (PGQRS_IS_QUEUE (self));

  _pgqrs_store_execute_async (self->store, self, list_messages_request (self, states, limit, offset),
                              pgqrs_queue_list_messages_async, cancellable, callback, user_data);
}

/**
 * pgqrs_queue_list_messages_finish:
 * @self: a #PgqrsQueue
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Queue.list_messages_async].
 *
 * Returns: (transfer container) (element-type PgqrsMessage): the messages,
 *   or %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
pgqrs_queue_list_messages_finish (PgqrsQueue    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  if (!(reply = _pgqrs_store_execute_finish (self, result, pgqrs_queue_list_messages_async, error)))
    return NULL;

  return _pgqrs_reply_steal_messages (reply);
}

static PgqrsMessage *
reply_to_message (PgqrsReply *reply)
{
  g_autoptr(GPtrArray) messages = NULL;

  if (reply == NULL)
    return NULL;

  messages = _pgqrs_reply_steal_messages (reply);
  return _pgqrs_store_only_object (messages);
}

/**
 * pgqrs_queue_get_message:
 * @self: a #PgqrsQueue
 * @message_id: the message's id
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads one of the queue's messages as it is now — pending, delayed,
 * leased or archived — without leasing it. Its lease token is the current
 * one, as for [method@Queue.list_messages].
 *
 * Returns: (transfer full): the message, or %NULL with @error set:
 *   %PGQRS_ERROR_NOT_FOUND when the queue has no message with that id
 *
 * Since: 1.0
 */
PgqrsMessage *
pgqrs_queue_get_message (PgqrsQueue    *self,
                         gint64         message_id,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  g_return_val_if_fail (PGQRS_IS_QUEUE (self), NULL);

  reply = _pgqrs_store_execute (self->store, _pgqrs_request_new_message_get (self->id, message_id),
                                cancellable, error);
  return reply_to_message (reply);
}

/**
 * pgqrs_queue_get_message_async:
 * @self: a #PgqrsQueue
 * @message_id: the message's id
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Queue.get_message] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_queue_get_message_async (PgqrsQueue          *self,
                               gint64               message_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (PGQRS_IS_QUEUE (self));

  _pgqrs_store_execute_async (self->store, self, _pgqrs_request_new_message_get (self->id, message_id),
                              pgqrs_queue_get_message_async, cancellable, callback, user_data);
}

/**
 * pgqrs_queue_get_message_finish:
 * @self: a #PgqrsQueue
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Queue.get_message_async].
 *
 * Returns: (transfer full): the message, or %NULL with @error set
 *
 * Since: 1.0
 */
PgqrsMessage *
pgqrs_queue_get_message_finish (PgqrsQueue    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  reply = _pgqrs_store_execute_finish (self, result, pgqrs_queue_get_message_async, error);
  return reply_to_message (reply);
}
