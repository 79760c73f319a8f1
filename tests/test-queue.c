/* test-queue.c — enqueue, dequeue and the lease operations (semantics rules
 * 2, 4, 5, 6 and 7) on the backend PGQRS_TEST_BACKEND names.
 *
 * Each case runs twice, through the blocking calls and through the
 * _async/_finish pairs.  Visibility timeouts are half a second, so that
 * expiry can be waited for; no case sleeps more than a second in all.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "test-util.h"

typedef enum { MODE_SYNC, MODE_ASYNC } Mode;

typedef struct
{
  Mode        mode;
  PgqrsStore *store;
  PgqrsQueue *queue;
} Fixture;

/* Short enough to wait for, long enough for the calls in between. */
#define SHORT_VT   0.5
#define SLEEP_PAST (G_USEC_PER_SEC * 6 / 10)

/* A message may be leased three times; the fourth lease dead-letters it. */
#define FIXTURE_OPTIONS "max_read_count=3"

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->mode = GPOINTER_TO_INT (data);
  f->store = pgqrs_test_open_store (FIXTURE_OPTIONS);
  f->queue = pgqrs_store_create_queue (f->store, "jobs", NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->queue);
  g_assert_finalize_object (f->store);
}

/* The queue's operations, blocking or async as the fixture's mode says.
 * An async call must not answer before it returns. */

#define AWAIT(call_async, finish_call)                  \
  G_STMT_START {                                        \
    g_autoptr(GAsyncResult) result_ = NULL;             \
    call_async;                                         \
    g_assert_null (result_);                            \
    pgqrs_test_await (&result_);                        \
    ret = finish_call;                                  \
  } G_STMT_END

#define RESULT (&result_)
#define CB pgqrs_test_store_result

static gint64
enqueue_full (Fixture *f, JsonNode *payload, GError **error)
{
  gint64 ret;

  if (f->mode == MODE_SYNC)
    return pgqrs_queue_enqueue (f->queue, payload, NULL, error);
  AWAIT (pgqrs_queue_enqueue_async (f->queue, payload, NULL, CB, RESULT),
         pgqrs_queue_enqueue_finish (f->queue, result_, error));
  return ret;
}

static gint64
enqueue_delayed_full (Fixture *f, JsonNode *payload, double delay, GError **error)
{
  gint64 ret;

  if (f->mode == MODE_SYNC)
    return pgqrs_queue_enqueue_delayed (f->queue, payload, delay, NULL, error);
  AWAIT (pgqrs_queue_enqueue_delayed_async (f->queue, payload, delay, NULL, CB, RESULT),
         pgqrs_queue_enqueue_delayed_finish (f->queue, result_, error));
  return ret;
}

static GArray *
enqueue_batch_full (Fixture *f, GPtrArray *payloads, double delay, GError **error)
{
  GArray *ret;

  if (f->mode == MODE_SYNC)
    return pgqrs_queue_enqueue_batch (f->queue, payloads, delay, NULL, error);
  AWAIT (pgqrs_queue_enqueue_batch_async (f->queue, payloads, delay, NULL, CB, RESULT),
         pgqrs_queue_enqueue_batch_finish (f->queue, result_, error));
  return ret;
}

static GPtrArray *
dequeue_full (Fixture *f, guint n, double visibility, GError **error)
{
  GPtrArray *ret;

  if (f->mode == MODE_SYNC)
    return pgqrs_queue_dequeue (f->queue, n, visibility, NULL, error);
  AWAIT (pgqrs_queue_dequeue_async (f->queue, n, visibility, NULL, CB, RESULT),
         pgqrs_queue_dequeue_finish (f->queue, result_, error));
  return ret;
}

typedef enum { OP_ARCHIVE, OP_DELETE, OP_RELEASE, OP_EXTEND } LeaseOp;

static const char *op_names[] = { "archive", "delete", "release", "extend" };

static gboolean
lease_op_full (Fixture *f, LeaseOp op, PgqrsMessage *message, double seconds, GError **error)
{
  gboolean ret = FALSE;

  switch (op)
    {
    case OP_ARCHIVE:
      if (f->mode == MODE_SYNC)
        return pgqrs_queue_archive (f->queue, message, NULL, error);
      AWAIT (pgqrs_queue_archive_async (f->queue, message, NULL, CB, RESULT),
             pgqrs_queue_archive_finish (f->queue, result_, error));
      break;
    case OP_DELETE:
      if (f->mode == MODE_SYNC)
        return pgqrs_queue_delete_message (f->queue, message, NULL, error);
      AWAIT (pgqrs_queue_delete_message_async (f->queue, message, NULL, CB, RESULT),
             pgqrs_queue_delete_message_finish (f->queue, result_, error));
      break;
    case OP_RELEASE:
      if (f->mode == MODE_SYNC)
        return pgqrs_queue_release (f->queue, message, seconds, NULL, error);
      AWAIT (pgqrs_queue_release_async (f->queue, message, seconds, NULL, CB, RESULT),
             pgqrs_queue_release_finish (f->queue, result_, error));
      break;
    case OP_EXTEND:
      if (f->mode == MODE_SYNC)
        return pgqrs_queue_extend_visibility (f->queue, message, seconds, NULL, error);
      AWAIT (pgqrs_queue_extend_visibility_async (f->queue, message, seconds, NULL, CB, RESULT),
             pgqrs_queue_extend_visibility_finish (f->queue, result_, error));
      break;
    default:
      g_assert_not_reached ();
    }

  return ret;
}

static GArray *
lease_op_batch_full (Fixture *f, LeaseOp op, GPtrArray *messages, double seconds, GError **error)
{
  GArray *ret = NULL;

  switch (op)
    {
    case OP_ARCHIVE:
      if (f->mode == MODE_SYNC)
        return pgqrs_queue_archive_batch (f->queue, messages, NULL, error);
      AWAIT (pgqrs_queue_archive_batch_async (f->queue, messages, NULL, CB, RESULT),
             pgqrs_queue_archive_batch_finish (f->queue, result_, error));
      break;
    case OP_DELETE:
      if (f->mode == MODE_SYNC)
        return pgqrs_queue_delete_batch (f->queue, messages, NULL, error);
      AWAIT (pgqrs_queue_delete_batch_async (f->queue, messages, NULL, CB, RESULT),
             pgqrs_queue_delete_batch_finish (f->queue, result_, error));
      break;
    case OP_RELEASE:
      if (f->mode == MODE_SYNC)
        return pgqrs_queue_release_batch (f->queue, messages, seconds, NULL, error);
      AWAIT (pgqrs_queue_release_batch_async (f->queue, messages, seconds, NULL, CB, RESULT),
             pgqrs_queue_release_batch_finish (f->queue, result_, error));
      break;
    case OP_EXTEND:
      if (f->mode == MODE_SYNC)
        return pgqrs_queue_extend_visibility_batch (f->queue, messages, seconds, NULL, error);
      AWAIT (pgqrs_queue_extend_visibility_batch_async (f->queue, messages, seconds, NULL, CB, RESULT),
             pgqrs_queue_extend_visibility_batch_finish (f->queue, result_, error));
      break;
    default:
      g_assert_not_reached ();
    }

  return ret;
}

/* The same, for calls that must succeed. */

static gint64
enqueue (Fixture *f, const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) payload = pgqrs_test_json (json);
  gint64 id = enqueue_full (f, payload, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static GPtrArray *
dequeue (Fixture *f, guint n, double visibility)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *messages = dequeue_full (f, n, visibility, &error);

  g_assert_no_error (error);
  g_assert_nonnull (messages);
  return messages;
}

/* A lease operation that answers without error; returns its answer. */
static gboolean
lease_op (Fixture *f, LeaseOp op, PgqrsMessage *message, double seconds)
{
  g_autoptr(GError) error = NULL;
  gboolean done = lease_op_full (f, op, message, seconds, &error);

  g_assert_no_error (error);
  return done;
}

static void
assert_flags (GArray         *flags,
              const gboolean *expected,
              guint           n)
{
  g_assert_nonnull (flags);
  g_assert_cmpuint (g_array_get_element_size (flags), ==, sizeof (gboolean));
  g_assert_cmpuint (flags->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      if (!g_array_index (flags, gboolean, i) != !expected[i])
        g_error ("flag %u is %d, expected %d", i, g_array_index (flags, gboolean, i), expected[i]);
    }
}

static gint64
msg_id (GPtrArray *messages,
        guint      i)
{
  return pgqrs_message_get_id (g_ptr_array_index (messages, i));
}

#define MSG(messages, i) ((PgqrsMessage *)g_ptr_array_index ((messages), (i)))

typedef struct
{
  gint64 total, pending, delayed, leased, archived, dead_lettered;
} Counts;

static void
assert_metrics (Fixture *f,
                Counts   expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueueMetrics) metrics = pgqrs_store_get_metrics (f->store, "jobs", NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_queue_metrics_get_total (metrics), ==, expected.total);
  g_assert_cmpint (pgqrs_queue_metrics_get_pending (metrics), ==, expected.pending);
  g_assert_cmpint (pgqrs_queue_metrics_get_delayed (metrics), ==, expected.delayed);
  g_assert_cmpint (pgqrs_queue_metrics_get_leased (metrics), ==, expected.leased);
  g_assert_cmpint (pgqrs_queue_metrics_get_archived (metrics), ==, expected.archived);
  g_assert_cmpint (pgqrs_queue_metrics_get_dead_lettered (metrics), ==, expected.dead_lettered);
}

static double
seconds_between (GDateTime *from,
                 GDateTime *to)
{
  return g_date_time_difference (to, from) / (double)G_TIME_SPAN_SECOND;
}

/* --- enqueue and dequeue (rules 2 and 4) -------------------------------- */

static void
test_enqueue_dequeue (Fixture       *f,
                      gconstpointer  data)
{
  /* any JSON value is a payload */
  static const char *payloads[] = {
    "{\"task\":\"send_email\",\"to\":\"user@example.com\",\"n\":3,\"tags\":[\"a\",\"b\"]}",
    "[1,2,{\"x\":null}]",
    "\"just a string, with ünïcödé\"",
    "42",
    "1.5",
    "true",
    "null",
    "{}",
  };
  g_autoptr(GDateTime) before = g_date_time_new_now_utc ();
  g_autoptr(GPtrArray) messages = NULL;
  gint64 ids[G_N_ELEMENTS (payloads)];

  for (guint i = 0; i < G_N_ELEMENTS (payloads); i++)
    {
      ids[i] = enqueue (f, payloads[i]);
      if (i > 0)
        g_assert_cmpint (ids[i], >, ids[i - 1]);
    }
  assert_metrics (f, (Counts) { .total = 8, .pending = 8 });

  messages = dequeue (f, 100, 30);
  g_assert_cmpuint (messages->len, ==, G_N_ELEMENTS (payloads));

  for (guint i = 0; i < messages->len; i++)
    {
      PgqrsMessage *message = MSG (messages, i);
      g_autoptr(JsonNode) expected = pgqrs_test_json (payloads[i]);
      g_autofree char *text = pgqrs_test_json_text (pgqrs_message_get_payload (message));
      double lease;

      g_assert_true (PGQRS_IS_MESSAGE (message));
      g_assert_cmpint (pgqrs_message_get_id (message), ==, ids[i]);
      g_assert_cmpint (pgqrs_message_get_queue_id (message), ==, pgqrs_queue_get_id (f->queue));
      if (!json_node_equal (pgqrs_message_get_payload (message), expected))
        g_error ("payload %u came back as %s, not %s", i, text, payloads[i]);

      g_assert_cmpuint (pgqrs_message_get_read_count (message), ==, 1);
      g_assert_nonnull (pgqrs_message_get_enqueued_at (message));
      g_assert_nonnull (pgqrs_message_get_dequeued_at (message));
      g_assert_nonnull (pgqrs_message_get_visible_at (message));
      g_assert_null (pgqrs_message_get_archived_at (message));
      g_assert_cmpint (pgqrs_message_get_archive_reason (message), ==, PGQRS_ARCHIVE_REASON_NONE);

      /* the database clock and ours agree within a minute */
      g_assert_cmpfloat (ABS (seconds_between (before, pgqrs_message_get_enqueued_at (message))), <, 60);
      g_assert_cmpfloat (seconds_between (pgqrs_message_get_enqueued_at (message),
                                          pgqrs_message_get_dequeued_at (message)), >=, 0);
      /* visible again 30 s after the lease */
      lease = seconds_between (pgqrs_message_get_dequeued_at (message),
                               pgqrs_message_get_visible_at (message));
      g_assert_cmpfloat (lease, >, 29);
      g_assert_cmpfloat (lease, <, 31);

      /* rule 12: one-off calls name no worker */
      g_assert_cmpint (pgqrs_message_get_producer_worker_id (message), ==, 0);
      g_assert_cmpint (pgqrs_message_get_consumer_worker_id (message), ==, 0);
    }

  assert_metrics (f, (Counts) { .total = 8, .leased = 8 });
}

static void
test_dequeue_n (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(GPtrArray) rest = NULL;
  g_autoptr(GPtrArray) none = NULL;
  gint64 ids[5];

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"n\":%u}", i);
      ids[i] = enqueue (f, json);
    }

  /* oldest first, each message to one lease only */
  first = dequeue (f, 2, 30);
  g_assert_cmpuint (first->len, ==, 2);
  g_assert_cmpint (msg_id (first, 0), ==, ids[0]);
  g_assert_cmpint (msg_id (first, 1), ==, ids[1]);

  second = dequeue (f, 2, 30);
  g_assert_cmpuint (second->len, ==, 2);
  g_assert_cmpint (msg_id (second, 0), ==, ids[2]);
  g_assert_cmpint (msg_id (second, 1), ==, ids[3]);

  rest = dequeue (f, 10, 30);
  g_assert_cmpuint (rest->len, ==, 1);
  g_assert_cmpint (msg_id (rest, 0), ==, ids[4]);

  none = dequeue (f, 10, 30);
  g_assert_cmpuint (none->len, ==, 0);

  assert_metrics (f, (Counts) { .total = 5, .leased = 5 });
}

static void
test_enqueue_delayed (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) later = pgqrs_test_json ("{\"when\":\"later\"}");
  g_autoptr(JsonNode) now = pgqrs_test_json ("{\"when\":\"now\"}");
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  gint64 later_id, now_id;

  later_id = enqueue_delayed_full (f, later, SHORT_VT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (later_id, >, 0);
  now_id = enqueue_delayed_full (f, now, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (now_id, >, later_id);
  assert_metrics (f, (Counts) { .total = 2, .pending = 1, .delayed = 1 });

  first = dequeue (f, 10, 30);
  g_assert_cmpuint (first->len, ==, 1);
  g_assert_cmpint (msg_id (first, 0), ==, now_id);

  g_usleep (SLEEP_PAST);
  assert_metrics (f, (Counts) { .total = 2, .pending = 1, .leased = 1 });
  second = dequeue (f, 10, 30);
  g_assert_cmpuint (second->len, ==, 1);
  g_assert_cmpint (msg_id (second, 0), ==, later_id);
  g_assert_true (json_node_equal (pgqrs_message_get_payload (MSG (second, 0)), later));
  g_assert_cmpuint (pgqrs_message_get_read_count (MSG (second, 0)), ==, 1);
}

static GPtrArray *
numbered_payloads (guint n)
{
  GPtrArray *payloads = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"seq\":%u}", i);
      g_ptr_array_add (payloads, pgqrs_test_json (json));
    }

  return payloads;
}

static void
test_enqueue_batch (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) payloads = numbered_payloads (20);
  g_autoptr(GPtrArray) delayed_payloads = numbered_payloads (3);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GArray) delayed_ids = NULL;
  g_autoptr(GPtrArray) messages = NULL;

  ids = enqueue_batch_full (f, payloads, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ids);
  g_assert_cmpuint (g_array_get_element_size (ids), ==, sizeof (gint64));
  g_assert_cmpuint (ids->len, ==, 20);
  for (guint i = 1; i < ids->len; i++)
    g_assert_cmpint (g_array_index (ids, gint64, i), >, g_array_index (ids, gint64, i - 1));

  delayed_ids = enqueue_batch_full (f, delayed_payloads, 60, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (delayed_ids->len, ==, 3);
  assert_metrics (f, (Counts) { .total = 23, .pending = 20, .delayed = 3 });

  /* each id is the id of the payload at its index */
  messages = dequeue (f, 100, 30);
  g_assert_cmpuint (messages->len, ==, 20);
  for (guint i = 0; i < messages->len; i++)
    {
      JsonObject *payload = json_node_get_object (pgqrs_message_get_payload (MSG (messages, i)));

      g_assert_cmpint (msg_id (messages, i), ==, g_array_index (ids, gint64, i));
      g_assert_cmpint (json_object_get_int_member (payload, "seq"), ==, i);
    }
}

/* --- leases: expiry, ownership, the four operations (rules 4–6) --------- */

static void
test_visibility_expiry (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) during = NULL;
  g_autoptr(GPtrArray) second = NULL;
  gint64 id = enqueue (f, "{\"job\":1}");

  first = dequeue (f, 1, SHORT_VT);
  g_assert_cmpuint (first->len, ==, 1);
  g_assert_cmpuint (pgqrs_message_get_read_count (MSG (first, 0)), ==, 1);
  g_assert_cmpfloat (seconds_between (pgqrs_message_get_dequeued_at (MSG (first, 0)),
                                      pgqrs_message_get_visible_at (MSG (first, 0))), <, 1);

  during = dequeue (f, 1, 30);
  g_assert_cmpuint (during->len, ==, 0);
  assert_metrics (f, (Counts) { .total = 1, .leased = 1 });

  /* Rule 4: an expired lease is redelivered to the next consumer. */
  g_usleep (SLEEP_PAST);
  assert_metrics (f, (Counts) { .total = 1, .pending = 1 });
  second = dequeue (f, 1, 30);
  g_assert_cmpuint (second->len, ==, 1);
  g_assert_cmpint (msg_id (second, 0), ==, id);
  g_assert_cmpuint (pgqrs_message_get_read_count (MSG (second, 0)), ==, 2);
  /* first dequeued when it was first dequeued */
  g_assert_true (g_date_time_equal (pgqrs_message_get_dequeued_at (MSG (second, 0)),
                                    pgqrs_message_get_dequeued_at (MSG (first, 0))));
  assert_metrics (f, (Counts) { .total = 1, .leased = 1 });

  /* Rule 5: the old lease is fenced off from every operation. */
  for (LeaseOp op = OP_ARCHIVE; op <= OP_EXTEND; op++)
    {
      g_test_message ("stale %s", op_names[op]);
      g_assert_false (lease_op (f, op, MSG (first, 0), 0));
    }
  assert_metrics (f, (Counts) { .total = 1, .leased = 1 });

  g_assert_true (lease_op (f, OP_ARCHIVE, MSG (second, 0), 0));
  assert_metrics (f, (Counts) { .total = 1, .archived = 1 });
}

/* Dequeue with no visibility timeout of its own uses the store's. */
static void
test_default_visibility (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) store = pgqrs_test_open_store ("visibility_timeout=0.5");
  g_autoptr(PgqrsQueue) queue = pgqrs_store_create_queue (store, "jobs", NULL, &error);
  g_autoptr(GPtrArray) zero = NULL;
  g_autoptr(GPtrArray) negative = NULL;
  g_autoptr(GPtrArray) again = NULL;
  PgqrsStore *fixture_store = f->store;
  PgqrsQueue *fixture_queue = f->queue;

  g_assert_no_error (error);
  f->store = store;
  f->queue = queue;

  enqueue (f, "1");
  enqueue (f, "2");

  zero = dequeue (f, 1, 0);
  negative = dequeue (f, 1, -1);
  g_assert_cmpuint (zero->len, ==, 1);
  g_assert_cmpuint (negative->len, ==, 1);
  for (guint i = 0; i < 2; i++)
    {
      PgqrsMessage *message = MSG (i == 0 ? zero : negative, 0);
      double lease = seconds_between (pgqrs_message_get_dequeued_at (message),
                                      pgqrs_message_get_visible_at (message));

      g_assert_cmpfloat (lease, >, 0.4);
      g_assert_cmpfloat (lease, <, 0.6);
    }

  g_usleep (SLEEP_PAST);
  again = dequeue (f, 10, 30);
  g_assert_cmpuint (again->len, ==, 2);
  g_assert_cmpuint (pgqrs_message_get_read_count (MSG (again, 0)), ==, 2);

  f->store = fixture_store;
  f->queue = fixture_queue;
  g_clear_pointer (&zero, g_ptr_array_unref);
  g_clear_pointer (&negative, g_ptr_array_unref);
  g_clear_pointer (&again, g_ptr_array_unref);
  g_assert_finalize_object (g_steal_pointer (&queue));
  g_assert_finalize_object (g_steal_pointer (&store));
}

static void
test_archive (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) leased = NULL;
  g_autoptr(GPtrArray) archived = NULL;
  g_autoptr(GPtrArray) none = NULL;
  gint64 id = enqueue (f, "{\"keep\":\"for audit\"}");

  enqueue (f, "{\"other\":1}");
  leased = dequeue (f, 1, 30);
  g_assert_true (lease_op (f, OP_ARCHIVE, MSG (leased, 0), 0));
  assert_metrics (f, (Counts) { .total = 2, .pending = 1, .archived = 1 });

  /* Rule 6: archiving twice is FALSE, and so is anything else after it. */
  for (LeaseOp op = OP_ARCHIVE; op <= OP_EXTEND; op++)
    {
      g_test_message ("%s after archive", op_names[op]);
      g_assert_false (lease_op (f, op, MSG (leased, 0), 0));
    }
  assert_metrics (f, (Counts) { .total = 2, .pending = 1, .archived = 1 });

  /* The row stays for audit. */
  archived = pgqrs_store_list_archived (f->store, "jobs", FALSE, 0, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (archived->len, ==, 1);
  g_assert_cmpint (msg_id (archived, 0), ==, id);
  g_assert_nonnull (pgqrs_message_get_archived_at (MSG (archived, 0)));
  g_assert_cmpint (pgqrs_message_get_archive_reason (MSG (archived, 0)), ==, PGQRS_ARCHIVE_REASON_DONE);
  g_assert_true (json_node_equal (pgqrs_message_get_payload (MSG (archived, 0)),
                                  pgqrs_message_get_payload (MSG (leased, 0))));

  /* and it is never leased again */
  none = dequeue (f, 10, 30);
  g_assert_cmpuint (none->len, ==, 1);
  g_assert_cmpint (msg_id (none, 0), !=, id);
}

static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) leased = NULL;
  g_autoptr(GPtrArray) archived = NULL;

  enqueue (f, "{\"delete\":\"me\"}");
  leased = dequeue (f, 1, 30);
  g_assert_true (lease_op (f, OP_DELETE, MSG (leased, 0), 0));
  assert_metrics (f, (Counts) { 0 });

  for (LeaseOp op = OP_ARCHIVE; op <= OP_EXTEND; op++)
    {
      g_test_message ("%s after delete", op_names[op]);
      g_assert_false (lease_op (f, op, MSG (leased, 0), 0));
    }

  archived = pgqrs_store_list_archived (f->store, "jobs", FALSE, 0, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (archived->len, ==, 0);
}

static void
test_release (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(GPtrArray) during = NULL;
  g_autoptr(GPtrArray) third = NULL;
  gint64 id = enqueue (f, "{\"retry\":true}");

  /* Released at once: visible now, read count kept. */
  first = dequeue (f, 1, 30);
  g_assert_true (lease_op (f, OP_RELEASE, MSG (first, 0), 0));
  assert_metrics (f, (Counts) { .total = 1, .pending = 1 });

  /* Releasing ends the releaser's lease, even before anyone takes it. */
  for (LeaseOp op = OP_ARCHIVE; op <= OP_EXTEND; op++)
    {
      g_test_message ("%s after release", op_names[op]);
      g_assert_false (lease_op (f, op, MSG (first, 0), 0));
    }
  assert_metrics (f, (Counts) { .total = 1, .pending = 1 });
  second = dequeue (f, 1, 30);
  g_assert_cmpuint (second->len, ==, 1);
  g_assert_cmpint (msg_id (second, 0), ==, id);
  g_assert_cmpuint (pgqrs_message_get_read_count (MSG (second, 0)), ==, 2);
  g_assert_cmpint (pgqrs_message_get_consumer_worker_id (MSG (second, 0)), ==, 0);

  /* and the first lease does not reach the new one */
  g_assert_false (lease_op (f, OP_RELEASE, MSG (first, 0), 0));
  g_assert_false (lease_op (f, OP_ARCHIVE, MSG (first, 0), 0));

  /* Released for later: delayed, then visible. */
  g_assert_true (lease_op (f, OP_RELEASE, MSG (second, 0), SHORT_VT));
  assert_metrics (f, (Counts) { .total = 1, .delayed = 1 });
  g_assert_false (lease_op (f, OP_ARCHIVE, MSG (second, 0), 0));
  g_assert_false (lease_op (f, OP_EXTEND, MSG (second, 0), 30));
  during = dequeue (f, 1, 30);
  g_assert_cmpuint (during->len, ==, 0);

  g_usleep (SLEEP_PAST);
  third = dequeue (f, 1, 30);
  g_assert_cmpuint (third->len, ==, 1);
  g_assert_cmpint (msg_id (third, 0), ==, id);
  g_assert_cmpuint (pgqrs_message_get_read_count (MSG (third, 0)), ==, 3);
  g_assert_true (lease_op (f, OP_ARCHIVE, MSG (third, 0), 0));
}

static void
test_extend (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) leased = NULL;
  g_autoptr(GPtrArray) during = NULL;
  g_autoptr(GPtrArray) after = NULL;

  enqueue (f, "{\"long\":\"job\"}");
  leased = dequeue (f, 1, SHORT_VT);

  /* Extend adds to the current visibility, and keeps the lease. */
  g_assert_true (lease_op (f, OP_EXTEND, MSG (leased, 0), 0.5));
  g_usleep (SLEEP_PAST);
  during = dequeue (f, 1, 30);
  g_assert_cmpuint (during->len, ==, 0);
  assert_metrics (f, (Counts) { .total = 1, .leased = 1 });

  g_assert_true (lease_op (f, OP_EXTEND, MSG (leased, 0), 30));
  g_assert_true (lease_op (f, OP_ARCHIVE, MSG (leased, 0), 0));
  assert_metrics (f, (Counts) { .total = 1, .archived = 1 });

  after = dequeue (f, 1, 30);
  g_assert_cmpuint (after->len, ==, 0);
}

/* The batch forms answer one boolean per message, in input order, with
 * fresh leases, stale leases and archived messages mixed. */
static void
test_batch_op (Fixture       *f,
               gconstpointer  data,
               LeaseOp        op)
{
  static const gboolean expected[] = { TRUE, FALSE, TRUE, FALSE, FALSE, TRUE };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) old = NULL;
  g_autoptr(GPtrArray) fresh = NULL;
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(GArray) flags = NULL;
  g_autoptr(GArray) again = NULL;

  for (guint i = 0; i < 4; i++)
    enqueue (f, "{\"batch\":true}");

  old = dequeue (f, 4, SHORT_VT);
  g_assert_cmpuint (old->len, ==, 4);
  g_assert_true (lease_op (f, OP_ARCHIVE, MSG (old, 3), 0));
  g_usleep (SLEEP_PAST);
  fresh = dequeue (f, 4, 30);
  g_assert_cmpuint (fresh->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (msg_id (fresh, i), ==, msg_id (old, i));

  batch = g_ptr_array_new ();
  g_ptr_array_add (batch, MSG (fresh, 0));   /* current */
  g_ptr_array_add (batch, MSG (old, 1));     /* taken over */
  g_ptr_array_add (batch, MSG (fresh, 2));   /* current */
  g_ptr_array_add (batch, MSG (old, 3));     /* archived */
  g_ptr_array_add (batch, MSG (old, 0));     /* taken over */
  g_ptr_array_add (batch, MSG (fresh, 1));   /* current */

  flags = lease_op_batch_full (f, op, batch, op == OP_RELEASE ? 0 : 30, &error);
  g_assert_no_error (error);
  assert_flags (flags, expected, G_N_ELEMENTS (expected));

  switch (op)
    {
    case OP_ARCHIVE:
      assert_metrics (f, (Counts) { .total = 4, .archived = 4 });
      again = lease_op_batch_full (f, op, batch, 0, &error);
      g_assert_no_error (error);
      assert_flags (again, (gboolean[]) { FALSE, FALSE, FALSE, FALSE, FALSE, FALSE }, 6);
      break;
    case OP_DELETE:
      assert_metrics (f, (Counts) { .total = 1, .archived = 1 });
      again = lease_op_batch_full (f, op, batch, 0, &error);
      g_assert_no_error (error);
      assert_flags (again, (gboolean[]) { FALSE, FALSE, FALSE, FALSE, FALSE, FALSE }, 6);
      break;
    case OP_RELEASE:
      assert_metrics (f, (Counts) { .total = 4, .pending = 3, .archived = 1 });
      break;
    case OP_EXTEND:
      assert_metrics (f, (Counts) { .total = 4, .leased = 3, .archived = 1 });
      break;
    default:
      g_assert_not_reached ();
    }

  /* A batch of one is a batch too. */
  g_ptr_array_set_size (batch, 1);
  g_ptr_array_index (batch, 0) = MSG (old, 2);
  g_clear_pointer (&again, g_array_unref);
  again = lease_op_batch_full (f, op, batch, 0, &error);
  g_assert_no_error (error);
  assert_flags (again, (gboolean[]) { FALSE }, 1);
}

static void
test_archive_batch (Fixture *f, gconstpointer data)
{
  test_batch_op (f, data, OP_ARCHIVE);
}

static void
test_delete_batch (Fixture *f, gconstpointer data)
{
  test_batch_op (f, data, OP_DELETE);
}

static void
test_release_batch (Fixture *f, gconstpointer data)
{
  test_batch_op (f, data, OP_RELEASE);
}

static void
test_extend_batch (Fixture *f, gconstpointer data)
{
  test_batch_op (f, data, OP_EXTEND);
}

/* Release with a delay, in a batch, makes every released message wait. */
static void
test_release_batch_delay (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) leased = NULL;
  g_autoptr(GPtrArray) during = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GArray) flags = NULL;

  enqueue (f, "1");
  enqueue (f, "2");
  leased = dequeue (f, 2, 30);
  flags = lease_op_batch_full (f, OP_RELEASE, leased, SHORT_VT, &error);
  g_assert_no_error (error);
  assert_flags (flags, (gboolean[]) { TRUE, TRUE }, 2);
  assert_metrics (f, (Counts) { .total = 2, .delayed = 2 });

  during = dequeue (f, 10, 30);
  g_assert_cmpuint (during->len, ==, 0);
  g_usleep (SLEEP_PAST);
  after = dequeue (f, 10, 30);
  g_assert_cmpuint (after->len, ==, 2);
  g_assert_cmpuint (pgqrs_message_get_read_count (MSG (after, 1)), ==, 2);
}

/* --- dead letters (rule 7) ---------------------------------------------- */

static void
test_dead_letter (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) last = NULL;
  g_autoptr(GPtrArray) next = NULL;
  g_autoptr(GPtrArray) dead = NULL;
  g_autoptr(PgqrsQueueMetrics) metrics = NULL;
  gint64 poison, healthy;

  poison = enqueue (f, "{\"poison\":true}");

  /* max_read_count=3: three leases, each given back unhandled */
  for (guint lease = 1; lease <= 3; lease++)
    {
      g_autoptr(GPtrArray) leased = dequeue (f, 1, 30);

      g_assert_cmpuint (leased->len, ==, 1);
      g_assert_cmpint (msg_id (leased, 0), ==, poison);
      g_assert_cmpuint (pgqrs_message_get_read_count (MSG (leased, 0)), ==, lease);
      if (lease < 3)
        g_assert_true (lease_op (f, OP_RELEASE, MSG (leased, 0), 0));
      else
        last = g_ptr_array_ref (leased);
    }
  g_assert_true (lease_op (f, OP_RELEASE, MSG (last, 0), 0));

  /* The fourth lease archives it as a dead letter instead of returning it;
   * a healthy message in the same window is leased as usual. */
  healthy = enqueue (f, "{\"poison\":false}");
  next = dequeue (f, 10, 30);
  g_assert_cmpuint (next->len, ==, 1);
  g_assert_cmpint (msg_id (next, 0), ==, healthy);
  g_assert_cmpuint (pgqrs_message_get_read_count (MSG (next, 0)), ==, 1);

  assert_metrics (f, (Counts) { .total = 2, .leased = 1, .archived = 1, .dead_lettered = 1 });
  metrics = pgqrs_store_get_metrics (f->store, "jobs", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (pgqrs_queue_metrics_get_oldest_pending_age (metrics), ==, 0);

  dead = pgqrs_store_list_archived (f->store, "jobs", TRUE, 0, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dead->len, ==, 1);
  g_assert_cmpint (msg_id (dead, 0), ==, poison);
  g_assert_cmpint (pgqrs_message_get_archive_reason (MSG (dead, 0)), ==, PGQRS_ARCHIVE_REASON_DEAD_LETTER);
  g_assert_cmpuint (pgqrs_message_get_read_count (MSG (dead, 0)), ==, 3);
  g_assert_nonnull (pgqrs_message_get_archived_at (MSG (dead, 0)));

  /* Its last lease is over: nothing can be done with it. */
  g_assert_false (lease_op (f, OP_ARCHIVE, MSG (last, 0), 0));
  g_assert_false (lease_op (f, OP_RELEASE, MSG (last, 0), 0));
}

/* A lease that expires counts like one that was given back. */
static void
test_dead_letter_after_expiry (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) dead = NULL;
  g_autoptr(GPtrArray) payloads = numbered_payloads (3);
  g_autoptr(GArray) ids = enqueue_batch_full (f, payloads, 0, &error);

  g_assert_no_error (error);
  for (guint lease = 1; lease <= 3; lease++)
    {
      g_autoptr(GPtrArray) leased = dequeue (f, 10, lease < 3 ? 0.1 : 0.2);

      g_assert_cmpuint (leased->len, ==, 3);
      g_assert_cmpuint (pgqrs_message_get_read_count (MSG (leased, 2)), ==, lease);
      g_usleep (G_USEC_PER_SEC / 4);
    }

  none = dequeue (f, 10, 30);
  g_assert_cmpuint (none->len, ==, 0);
  assert_metrics (f, (Counts) { .total = 3, .archived = 3, .dead_lettered = 3 });

  all = pgqrs_store_list_archived (f->store, NULL, TRUE, 0, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 3);
}

/* --- fencing across the life of a message ------------------------------- */

/* A deleted message's id is never given to another message, so its old
 * lease cannot reach the newcomer. */
static void
test_ids_not_reused (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) old = NULL;
  g_autoptr(GPtrArray) fresh = NULL;
  gint64 first = enqueue (f, "{\"n\":1}");
  gint64 second;

  old = dequeue (f, 1, 30);
  g_assert_true (lease_op (f, OP_DELETE, MSG (old, 0), 0));

  second = enqueue (f, "{\"n\":2}");
  g_assert_cmpint (second, >, first);
  fresh = dequeue (f, 1, 30);
  g_assert_cmpint (msg_id (fresh, 0), ==, second);

  for (LeaseOp op = OP_ARCHIVE; op <= OP_EXTEND; op++)
    g_assert_false (lease_op (f, op, MSG (old, 0), 0));
  g_assert_true (lease_op (f, OP_ARCHIVE, MSG (fresh, 0), 0));
}

/* Rule 5 across a replay: replay starts the read count again, yet a lease
 * from before the message was archived must stay fenced off from the leases
 * that come after the replay. */
static void
test_fencing_after_replay (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) b = NULL;
  g_autoptr(GPtrArray) c = NULL;
  gint64 id = enqueue (f, "{\"replayed\":true}");

  /* consumer A's lease runs out; B takes over and finishes the message */
  a = dequeue (f, 1, SHORT_VT);
  g_usleep (SLEEP_PAST);
  b = dequeue (f, 1, 30);
  g_assert_cmpint (msg_id (b, 0), ==, id);
  g_assert_true (lease_op (f, OP_ARCHIVE, MSG (b, 0), 0));

  /* an operator replays it, and C leases it */
  g_assert_true (pgqrs_store_replay (f->store, id, NULL, &error));
  g_assert_no_error (error);
  c = dequeue (f, 1, 30);
  g_assert_cmpuint (c->len, ==, 1);
  g_assert_cmpint (msg_id (c, 0), ==, id);

  /* A and B were taken over: none of their operations may touch C's lease */
  for (LeaseOp op = OP_ARCHIVE; op <= OP_EXTEND; op++)
    {
      g_test_message ("stale %s from before the replay", op_names[op]);
      g_assert_false (lease_op (f, op, MSG (a, 0), 0));
      g_assert_false (lease_op (f, op, MSG (b, 0), 0));
    }
  assert_metrics (f, (Counts) { .total = 1, .leased = 1 });
  g_assert_true (lease_op (f, OP_ARCHIVE, MSG (c, 0), 0));
}

/* The window between a replay and the next lease: the message is back,
 * nobody holds it, and the tokens of the leases before the replay — the one
 * that archived it, the one whose expiry dead-lettered it — stay dead. */
static void
test_fencing_until_next_lease (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) done = NULL;
  g_autoptr(GPtrArray) last = NULL;
  g_autoptr(GPtrArray) none = NULL;
  gint64 archived = enqueue (f, "{\"archived\":true}");
  gint64 dead;

  done = dequeue (f, 1, 30);
  g_assert_true (lease_op (f, OP_ARCHIVE, MSG (done, 0), 0));

  /* max_read_count=3: the lease after the third expiry dead-letters it */
  dead = enqueue (f, "{\"dead\":true}");
  for (guint lease = 1; lease <= 3; lease++)
    {
      g_clear_pointer (&last, g_ptr_array_unref);
      last = dequeue (f, 1, 10);
      g_assert_cmpint (msg_id (last, 0), ==, dead);
      pgqrs_test_set_clock (f->store, 11 * lease);
    }
  none = dequeue (f, 1, 30);
  g_assert_cmpuint (none->len, ==, 0);

  g_assert_true (pgqrs_store_replay (f->store, archived, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (pgqrs_store_replay (f->store, dead, NULL, &error));
  g_assert_no_error (error);

  for (LeaseOp op = OP_ARCHIVE; op <= OP_EXTEND; op++)
    {
      g_test_message ("stale %s between replay and lease", op_names[op]);
      g_assert_false (lease_op (f, op, MSG (done, 0), 30));
      g_assert_false (lease_op (f, op, MSG (last, 0), 30));
    }

  /* both are waiting, untouched: visible now, not archived, not gone */
  assert_metrics (f, (Counts) { .total = 2, .pending = 2 });
}

/* A token repeated in a batch counts once, at its first place: extend,
 * which leaves the token valid, must not extend twice. */
static void
test_repeated_tokens (Fixture       *f,
                      gconstpointer  data)
{
  static const gboolean first_only[] = { TRUE, FALSE, TRUE, FALSE };

  for (LeaseOp op = OP_ARCHIVE; op <= OP_EXTEND; op++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) leased = NULL;
      g_autoptr(GPtrArray) batch = g_ptr_array_new ();
      g_autoptr(GArray) flags = NULL;

      g_test_message ("%s batch with repeated tokens", op_names[op]);
      enqueue (f, "{\"n\":1}");
      enqueue (f, "{\"n\":2}");
      leased = dequeue (f, 2, 30);
      g_assert_cmpuint (leased->len, ==, 2);

      g_ptr_array_add (batch, MSG (leased, 0));
      g_ptr_array_add (batch, MSG (leased, 0));
      g_ptr_array_add (batch, MSG (leased, 1));
      g_ptr_array_add (batch, MSG (leased, 1));
      flags = lease_op_batch_full (f, op, batch, 100, &error);
      g_assert_no_error (error);
      assert_flags (flags, first_only, G_N_ELEMENTS (first_only));

      if (op == OP_EXTEND)
        {
          /* 30 s + 100 s once, not twice */
          g_autoptr(GPtrArray) none = NULL;

          pgqrs_test_set_clock (f->store, 131);
          none = dequeue (f, 2, 30);
          g_assert_cmpuint (none->len, ==, 2);
          pgqrs_test_set_clock (f->store, 0);
        }

      g_assert_cmpint (pgqrs_store_purge_queue (f->store, "jobs", NULL, &error), ==,
                       op == OP_DELETE ? 0 : 2);
      g_assert_no_error (error);
    }
}

/* Rule 2, all or nothing, when the database itself refuses one payload of
 * a batch (here a trigger; in life a full disk or a lost connection): the
 * error says why and none of the batch is stored. */
static void
test_batch_atomic_on_database_error (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) payloads = numbered_payloads (5);
  g_autoptr(GArray) ids = NULL;

  pgqrs_test_exec_sql (f->store,
    "CREATE TRIGGER refuse_seq_3 BEFORE INSERT ON pgqrs_messages "
    " WHEN json_extract (NEW.payload, '$.seq') = 3 "
    "BEGIN SELECT RAISE (ABORT, 'seq 3 refused'); END",
    "CREATE FUNCTION @SCHEMA@.refuse_seq_3 () RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF NEW.payload::jsonb -> 'seq' = '3' THEN RAISE EXCEPTION 'seq 3 refused'; END IF; "
    "RETURN NEW; END $$; "
    "CREATE TRIGGER refuse_seq_3 BEFORE INSERT ON @SCHEMA@.pgqrs_messages "
    " FOR EACH ROW EXECUTE FUNCTION @SCHEMA@.refuse_seq_3 ()");

  ids = enqueue_batch_full (f, payloads, 0, &error);
  g_assert_null (ids);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (error->domain == PGQRS_ERROR);
  g_assert_nonnull (strstr (error->message, "seq 3 refused"));
  assert_metrics (f, (Counts) { 0 });

  /* the store goes on; the other payloads go in without the refused one */
  g_clear_error (&error);
  g_ptr_array_remove_index (payloads, 3);
  ids = enqueue_batch_full (f, payloads, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 4);
  assert_metrics (f, (Counts) { .total = 4, .pending = 4 });
}

/* Payloads come back exactly as they went in, whatever they hold. */
static void
test_payload_round_trip (Fixture       *f,
                         gconstpointer  data)
{
  static const char *payloads[] = {
    "{\"s\":\"quote \\\" backslash \\\\ slash / newline \\n tab \\t cr \\r\"}",
    "{\"control\":\"\\u0001\\u001f\",\"emoji\":\"\360\237\230\200\",\"cjk\":\"\346\274\242\345\255\227\"}",
    "{\"max\":9223372036854775807,\"min\":-9223372036854775808,\"zero\":0,\"neg\":-42}",
    "{\"\":\"empty key\",\"nested\":{\"a\":[[],{},[null,false,true]]}}",
    "[\"\",\"\",\"\"]",
    "-0.25",
  };
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(JsonNode) big = NULL;
  g_autofree char *big_text = NULL;
  g_autofree char *filler = g_strnfill (512 * 1024, 'z');

  for (guint i = 0; i < G_N_ELEMENTS (payloads); i++)
    enqueue (f, payloads[i]);

  big_text = g_strdup_printf ("{\"big\":\"%s\",\"end\":1}", filler);
  enqueue (f, big_text);

  messages = dequeue (f, 100, 30);
  g_assert_cmpuint (messages->len, ==, G_N_ELEMENTS (payloads) + 1);
  for (guint i = 0; i < messages->len; i++)
    {
      g_autoptr(JsonNode) expected = pgqrs_test_json (i < G_N_ELEMENTS (payloads) ? payloads[i] : big_text);
      JsonNode *got = pgqrs_message_get_payload (MSG (messages, i));

      if (!json_node_equal (got, expected))
        {
          g_autofree char *text = pgqrs_test_json_text (got);
          g_error ("payload %u came back as %.200s", i, text);
        }
    }
}

/* --- contexts, threads, cancellation ------------------------------------ */

typedef struct
{
  PgqrsQueue   *queue;
  GMainContext *context;
  guint         callbacks;
  gboolean      timed_out;
} ThreadCase;

static gboolean
thread_timeout_cb (gpointer user_data)
{
  ThreadCase *tc = user_data;

  tc->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs @tc's context until *slot is set; a callback sent to any other
 * context would never come, so five seconds without it fail the test. */
static GAsyncResult *
thread_await (ThreadCase    *tc,
              GAsyncResult **slot)
{
  g_autoptr(GSource) timeout = g_timeout_source_new_seconds (5);

  g_source_set_callback (timeout, thread_timeout_cb, tc, NULL);
  g_source_attach (timeout, tc->context);

  while (*slot == NULL && !tc->timed_out)
    g_main_context_iteration (tc->context, TRUE);
  g_source_destroy (timeout);

  if (tc->timed_out)
    g_error ("an async callback did not arrive in the calling thread's context");

  tc->callbacks++;
  return *slot;
}

static gpointer
queue_in_thread (gpointer data)
{
  ThreadCase *tc = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) payload = pgqrs_test_json ("{\"from\":\"thread\"}");
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GAsyncResult) r3 = NULL;
  gint64 id;

  tc->context = g_main_context_new ();
  g_main_context_push_thread_default (tc->context);

  pgqrs_queue_enqueue_async (tc->queue, payload, NULL, pgqrs_test_store_result, &r1);
  id = pgqrs_queue_enqueue_finish (tc->queue, thread_await (tc, &r1), &error);
  g_assert_no_error (error);

  pgqrs_queue_dequeue_async (tc->queue, 1, 30, NULL, pgqrs_test_store_result, &r2);
  messages = pgqrs_queue_dequeue_finish (tc->queue, thread_await (tc, &r2), &error);
  g_assert_no_error (error);
  /* with two threads at it, either message */
  g_assert_cmpuint (messages->len, ==, 1);
  g_assert_cmpint (id, >, 0);

  pgqrs_queue_archive_async (tc->queue, MSG (messages, 0), NULL, pgqrs_test_store_result, &r3);
  g_assert_true (pgqrs_queue_archive_finish (tc->queue, thread_await (tc, &r3), &error));
  g_assert_no_error (error);

  g_main_context_pop_thread_default (tc->context);
  g_main_context_unref (tc->context);

  return NULL;
}

/* Architecture principle 5: callbacks arrive in the thread-default main
 * context of the caller, here a thread of its own that nobody else
 * iterates; the store is shared with the main thread. */
static void
test_async_in_thread (Fixture       *f,
                      gconstpointer  data)
{
  ThreadCase tc = { .queue = f->queue };
  GThread *threads[2];
  ThreadCase more = { .queue = f->queue };

  threads[0] = g_thread_new ("queue-async-1", queue_in_thread, &tc);
  threads[1] = g_thread_new ("queue-async-2", queue_in_thread, &more);
  g_thread_join (threads[0]);
  g_thread_join (threads[1]);

  g_assert_cmpuint (tc.callbacks, ==, 3);
  g_assert_cmpuint (more.callbacks, ==, 3);
  assert_metrics (f, (Counts) { .total = 2, .archived = 2 });
}

/* Many async calls in flight at once from one thread: each answers once,
 * and no message is leased twice. */
static void
test_concurrent_async (Fixture       *f,
                       gconstpointer  data)
{
  enum { N = 50 };
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  GAsyncResult *enqueued[N] = { NULL };
  GAsyncResult *dequeued[N] = { NULL };
  g_autoptr(JsonNode) payload = pgqrs_test_json ("{\"concurrent\":true}");

  for (guint i = 0; i < N; i++)
    pgqrs_queue_enqueue_async (f->queue, payload, NULL, pgqrs_test_store_result, &enqueued[i]);
  for (guint i = 0; i < N; i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 id = pgqrs_queue_enqueue_finish (f->queue, pgqrs_test_await (&enqueued[i]), &error);

      g_assert_no_error (error);
      g_assert_true (g_hash_table_add (seen, g_memdup2 (&id, sizeof id)));
      g_clear_object (&enqueued[i]);
    }
  assert_metrics (f, (Counts) { .total = N, .pending = N });

  for (guint i = 0; i < N; i++)
    pgqrs_queue_dequeue_async (f->queue, 1, 30, NULL, pgqrs_test_store_result, &dequeued[i]);
  for (guint i = 0; i < N; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) messages = pgqrs_queue_dequeue_finish (f->queue, pgqrs_test_await (&dequeued[i]), &error);

      g_assert_no_error (error);
      g_assert_cmpuint (messages->len, ==, 1);
      g_assert_true (g_hash_table_remove (seen, &(gint64) { msg_id (messages, 0) }));
      g_clear_object (&dequeued[i]);
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 0);
  assert_metrics (f, (Counts) { .total = N, .leased = N });
}

typedef struct
{
  PgqrsQueue *queue;
  guint       n;
  GArray     *archived_ids;
} Worker;

static gpointer
produce_and_consume (gpointer data)
{
  Worker *w = data;
  g_autoptr(JsonNode) payload = pgqrs_test_json ("{\"threaded\":true}");

  for (guint i = 0; i < w->n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) messages = NULL;
      g_autoptr(GArray) flags = NULL;

      g_assert_cmpint (pgqrs_queue_enqueue (w->queue, payload, NULL, &error), >, 0);
      g_assert_no_error (error);
      messages = pgqrs_queue_dequeue (w->queue, 2, 30, NULL, &error);
      g_assert_no_error (error);
      if (messages->len == 0)
        continue;
      flags = pgqrs_queue_archive_batch (w->queue, messages, NULL, &error);
      g_assert_no_error (error);
      for (guint j = 0; j < messages->len; j++)
        {
          g_assert_true (g_array_index (flags, gboolean, j));
          g_array_append_val (w->archived_ids, ((gint64) { msg_id (messages, j) }));
        }
    }

  return NULL;
}

/* A store may be used from several threads at once with blocking calls. */
static void
test_threads_sync (Fixture       *f,
                   gconstpointer  data)
{
  enum { N_THREADS = 4, PER_THREAD = 100 };
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GPtrArray) rest = NULL;
  Worker workers[N_THREADS];
  GThread *threads[N_THREADS];
  guint archived = 0;

  for (guint i = 0; i < N_THREADS; i++)
    {
      workers[i] = (Worker) { f->queue, PER_THREAD, g_array_new (FALSE, FALSE, sizeof (gint64)) };
      threads[i] = g_thread_new ("sync-worker", produce_and_consume, &workers[i]);
    }
  for (guint i = 0; i < N_THREADS; i++)
    {
      g_thread_join (threads[i]);
      for (guint j = 0; j < workers[i].archived_ids->len; j++)
        g_assert_true (g_hash_table_add (seen, g_memdup2 (&g_array_index (workers[i].archived_ids, gint64, j),
                                                          sizeof (gint64))));
      archived += workers[i].archived_ids->len;
      g_array_unref (workers[i].archived_ids);
    }

  /* whatever is left is still there, once */
  rest = dequeue (f, N_THREADS * PER_THREAD, 30);
  for (guint i = 0; i < rest->len; i++)
    g_assert_true (g_hash_table_add (seen, g_memdup2 (&(gint64) { msg_id (rest, i) }, sizeof (gint64))));
  g_assert_cmpuint (archived + rest->len, ==, N_THREADS * PER_THREAD);
  assert_metrics (f, (Counts) { .total = N_THREADS * PER_THREAD, .leased = rest->len, .archived = archived });
}

/* A call cancelled before it starts fails with G_IO_ERROR_CANCELLED and
 * changes nothing. */
static void
test_cancelled (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JsonNode) payload = pgqrs_test_json ("{\"cancel\":true}");
  g_autoptr(GPtrArray) leased = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  gint64 id;

  enqueue (f, "{\"stays\":true}");
  g_cancellable_cancel (cancellable);

  if (f->mode == MODE_SYNC)
    id = pgqrs_queue_enqueue (f->queue, payload, cancellable, &error);
  else
    {
      pgqrs_queue_enqueue_async (f->queue, payload, cancellable, pgqrs_test_store_result, &result);
      id = pgqrs_queue_enqueue_finish (f->queue, pgqrs_test_await (&result), &error);
      g_clear_object (&result);
    }
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (id, ==, 0);
  g_clear_error (&error);

  if (f->mode == MODE_SYNC)
    leased = pgqrs_queue_dequeue (f->queue, 10, 30, cancellable, &error);
  else
    {
      pgqrs_queue_dequeue_async (f->queue, 10, 30, cancellable, pgqrs_test_store_result, &result);
      leased = pgqrs_queue_dequeue_finish (f->queue, pgqrs_test_await (&result), &error);
    }
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (leased);

  assert_metrics (f, (Counts) { .total = 1, .pending = 1 });
}

int
main (int   argc,
      char *argv[])
{
  pgqrs_test_init (&argc, &argv);

#define ADD(path, func) \
  G_STMT_START { \
    g_test_add ("/pgqrs/queue/" path "/sync", Fixture, GINT_TO_POINTER (MODE_SYNC), \
                fixture_setup, func, fixture_teardown); \
    g_test_add ("/pgqrs/queue/" path "/async", Fixture, GINT_TO_POINTER (MODE_ASYNC), \
                fixture_setup, func, fixture_teardown); \
  } G_STMT_END

  ADD ("enqueue-dequeue", test_enqueue_dequeue);
  ADD ("dequeue-n", test_dequeue_n);
  ADD ("enqueue-delayed", test_enqueue_delayed);
  ADD ("enqueue-batch", test_enqueue_batch);
  ADD ("visibility-expiry", test_visibility_expiry);
  ADD ("default-visibility", test_default_visibility);
  ADD ("archive", test_archive);
  ADD ("delete", test_delete);
  ADD ("release", test_release);
  ADD ("extend", test_extend);
  ADD ("archive-batch", test_archive_batch);
  ADD ("delete-batch", test_delete_batch);
  ADD ("release-batch", test_release_batch);
  ADD ("release-batch-delay", test_release_batch_delay);
  ADD ("extend-batch", test_extend_batch);
  ADD ("dead-letter", test_dead_letter);
  ADD ("dead-letter-after-expiry", test_dead_letter_after_expiry);
  ADD ("ids-not-reused", test_ids_not_reused);
  ADD ("fencing-after-replay", test_fencing_after_replay);
  ADD ("fencing-until-next-lease", test_fencing_until_next_lease);
  ADD ("repeated-tokens", test_repeated_tokens);
  ADD ("batch-atomic-on-database-error", test_batch_atomic_on_database_error);
  ADD ("payload-round-trip", test_payload_round_trip);
  ADD ("cancelled", test_cancelled);

  g_test_add ("/pgqrs/queue/async-in-thread", Fixture, GINT_TO_POINTER (MODE_ASYNC),
              fixture_setup, test_async_in_thread, fixture_teardown);
  g_test_add ("/pgqrs/queue/concurrent-async", Fixture, GINT_TO_POINTER (MODE_ASYNC),
              fixture_setup, test_concurrent_async, fixture_teardown);
  g_test_add ("/pgqrs/queue/threads-sync", Fixture, GINT_TO_POINTER (MODE_SYNC),
              fixture_setup, test_threads_sync, fixture_teardown);

  return g_test_run ();
}
