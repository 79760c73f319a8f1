/* test-validation.c — bad input is refused before anything is written
 * (semantics rules 1 and 3, the enqueue rate limit, the bounds of every
 * argument), on the backend PGQRS_TEST_BACKEND names.
 *
 * Each bad input is tried through the blocking call and through the
 * _async/_finish pair; each must get the right error code, a message that
 * names the problem, and leave the store as it was.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <math.h>

#include "test-util.h"

typedef struct
{
  PgqrsStore *store;
  PgqrsQueue *queue;
} Fixture;

/* The test data is the store's DSN options. */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->store = pgqrs_test_open_store (data);
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

static const gboolean both_modes[] = { FALSE, TRUE };

#define FOR_BOTH_MODES(async) \
  for (guint mode_ = 0; mode_ < 2; mode_++) \
    for (gboolean async = both_modes[mode_], once_ = TRUE; once_; once_ = FALSE)

static gint64
enqueue_full (PgqrsQueue *queue, gboolean async, JsonNode *payload, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (!async)
    return pgqrs_queue_enqueue (queue, payload, NULL, error);
  pgqrs_queue_enqueue_async (queue, payload, NULL, pgqrs_test_store_result, &result);
  return pgqrs_queue_enqueue_finish (queue, pgqrs_test_await (&result), error);
}

static gint64
enqueue_delayed_full (PgqrsQueue *queue, gboolean async, JsonNode *payload, double delay,
                      GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (!async)
    return pgqrs_queue_enqueue_delayed (queue, payload, delay, NULL, error);
  pgqrs_queue_enqueue_delayed_async (queue, payload, delay, NULL, pgqrs_test_store_result, &result);
  return pgqrs_queue_enqueue_delayed_finish (queue, pgqrs_test_await (&result), error);
}

static GArray *
enqueue_batch_full (PgqrsQueue *queue, gboolean async, GPtrArray *payloads, double delay,
                    GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (!async)
    return pgqrs_queue_enqueue_batch (queue, payloads, delay, NULL, error);
  pgqrs_queue_enqueue_batch_async (queue, payloads, delay, NULL, pgqrs_test_store_result, &result);
  return pgqrs_queue_enqueue_batch_finish (queue, pgqrs_test_await (&result), error);
}

static GPtrArray *
dequeue_full (PgqrsQueue *queue, gboolean async, guint n, double visibility, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (!async)
    return pgqrs_queue_dequeue (queue, n, visibility, NULL, error);
  pgqrs_queue_dequeue_async (queue, n, visibility, NULL, pgqrs_test_store_result, &result);
  return pgqrs_queue_dequeue_finish (queue, pgqrs_test_await (&result), error);
}

static gint64
total_messages (Fixture    *f,
                const char *queue_name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueueMetrics) metrics = pgqrs_store_get_metrics (f->store, queue_name, NULL, &error);

  g_assert_no_error (error);
  return pgqrs_queue_metrics_get_total (metrics);
}

static void
assert_names (const GError *error,
              const char   *word)
{
  g_assert_nonnull (error);
  if (word != NULL && strstr (error->message, word) == NULL)
    g_error ("error “%s” does not name “%s”", error->message, word);
}

/* Enqueues @json, once blocking and once async, and checks that each try
 * fails with @code naming @word, and writes nothing. */
static void
assert_payload_refused (Fixture    *f,
                        JsonNode   *payload,
                        int         code,
                        const char *word)
{
  gint64 before = total_messages (f, "jobs");

  FOR_BOTH_MODES (async)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) delayed_error = NULL;
      g_autoptr(GPtrArray) batch = g_ptr_array_new ();
      g_autoptr(GArray) ids = NULL;

      g_assert_cmpint (enqueue_full (f->queue, async, payload, &error), ==, 0);
      g_assert_error (error, PGQRS_ERROR, code);
      assert_names (error, word);
      g_test_message ("%s → %s", async ? "async" : "sync", error->message);

      g_assert_cmpint (enqueue_delayed_full (f->queue, async, payload, 5, &delayed_error), ==, 0);
      g_assert_error (delayed_error, PGQRS_ERROR, code);
      assert_names (delayed_error, word);
      g_clear_error (&error);

      /* alone in a batch, it is payload 0 */
      g_ptr_array_add (batch, payload);
      ids = enqueue_batch_full (f->queue, async, batch, 0, &error);
      g_assert_null (ids);
      g_assert_error (error, PGQRS_ERROR, code);
      assert_names (error, word);
      assert_names (error, "payload 0");
    }

  g_assert_cmpint (total_messages (f, "jobs"), ==, before);
}

static void
assert_json_refused (Fixture    *f,
                     const char *json,
                     int         code,
                     const char *word)
{
  g_autoptr(JsonNode) payload = pgqrs_test_json (json);

  g_test_message ("refuse %.60s", json);
  assert_payload_refused (f, payload, code, word);
}

static void
assert_json_accepted (Fixture    *f,
                      const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) payload = pgqrs_test_json (json);
  gint64 before = total_messages (f, "jobs");

  g_test_message ("accept %.60s", json);
  g_assert_cmpint (pgqrs_queue_enqueue (f->queue, payload, NULL, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (total_messages (f, "jobs"), ==, before + 1);
}

/* --- rule 1: queue names ------------------------------------------------ */

static void
test_queue_names (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *long_name = g_strnfill (64, 'q');
  g_autofree char *longest = g_strnfill (63, 'q');
  const struct {
    const char *name;
    const char *word;   /* the error message names it */
  } bad[] = {
    { "", "empty" },
    { "a b", "a b" },
    { "x;drop table", "x;drop table" },
    { "x'); DROP TABLE pgqrs_queues; --", "DROP TABLE" },
    { long_name, "64" },
    { "1abc", "1abc" },
    { "-abc", "-abc" },
    { "a.b", "a.b" },
    { "a/b", "a/b" },
    { "tab\tbed", "tab" },
    { "j\303\266bs", "byte 2" },
    { "\303\266", "letter" },
  };
  const char *good[] = { longest, "_private", "A-b_9", "Z", "jobs-2" };
  g_autoptr(GPtrArray) queues = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *name = bad[i].name;

      g_test_message ("queue name “%s”", name);

      FOR_BOTH_MODES (async)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(PgqrsQueue) queue = NULL;
          g_autoptr(GAsyncResult) result = NULL;

          if (!async)
            queue = pgqrs_store_create_queue (f->store, name, NULL, &error);
          else
            {
              pgqrs_store_create_queue_async (f->store, name, NULL, pgqrs_test_store_result, &result);
              queue = pgqrs_store_create_queue_finish (f->store, pgqrs_test_await (&result), &error);
            }
          g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
          g_assert_null (queue);
          assert_names (error, bad[i].word);
          assert_names (error, "queue name");
        }

      /* every call that takes a queue name checks it the same way */
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(PgqrsQueue) queue = pgqrs_store_get_queue (f->store, name, NULL, &error);
        g_autoptr(PgqrsQueueMetrics) metrics = NULL;
        g_autoptr(GPtrArray) archived = NULL;

        g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
        g_assert_null (queue);
        g_clear_error (&error);

        g_assert_false (pgqrs_store_delete_queue (f->store, name, TRUE, NULL, &error));
        g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
        g_clear_error (&error);

        g_assert_cmpint (pgqrs_store_purge_queue (f->store, name, NULL, &error), ==, -1);
        g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
        g_clear_error (&error);

        metrics = pgqrs_store_get_metrics (f->store, name, NULL, &error);
        g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
        g_assert_null (metrics);
        g_clear_error (&error);

        archived = pgqrs_store_list_archived (f->store, name, FALSE, 0, 0, NULL, &error);
        g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
        g_assert_null (archived);
      }
    }

  /* nothing was created */
  queues = pgqrs_store_list_queues (f->store, NULL, NULL);
  g_assert_cmpuint (queues->len, ==, 1);
  g_clear_pointer (&queues, g_ptr_array_unref);

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PgqrsQueue) queue = pgqrs_store_create_queue (f->store, good[i], NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (pgqrs_queue_get_name (queue), ==, good[i]);
    }
  queues = pgqrs_store_list_queues (f->store, NULL, NULL);
  g_assert_cmpuint (queues->len, ==, 1 + G_N_ELEMENTS (good));
}

/* --- rule 3: payloads --------------------------------------------------- */

/* "{\"s\":\"xxx…\"}", @size bytes of compact JSON */
static char *
payload_of_size (gsize size)
{
  g_autofree char *filler = g_strnfill (size - strlen ("{\"s\":\"\"}"), 'x');

  return g_strdup_printf ("{\"s\":\"%s\"}", filler);
}

static void
test_payload_size (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *exact = payload_of_size (100);
  g_autofree char *over = payload_of_size (101);

  g_assert_cmpuint (strlen (exact), ==, 100);
  assert_json_accepted (f, exact);
  assert_json_refused (f, over, PGQRS_ERROR_PAYLOAD_TOO_LARGE, "max-payload-bytes");
  assert_json_refused (f, over, PGQRS_ERROR_PAYLOAD_TOO_LARGE, "101");

  /* the size is that of compact JSON: whitespace does not count */
  {
    g_autofree char *spaces = g_strnfill (120, ' ');
    g_autofree char *spaced = g_strdup_printf ("{%s\"s\"%s:\n[1, 2, 3]}", spaces, spaces);

    g_assert_cmpuint (strlen (spaced), >, 240);
    assert_json_accepted (f, spaced);
  }
}

/* The default limit is 1 MiB. */
static void
test_payload_size_default (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *over = payload_of_size (1024 * 1024 + 1);
  g_autofree char *exact = payload_of_size (1024 * 1024);

  assert_json_refused (f, over, PGQRS_ERROR_PAYLOAD_TOO_LARGE, "1048577");
  assert_json_accepted (f, exact);
}

static JsonNode *
nested_arrays (guint depth)
{
  JsonNode *node = json_node_init_int (json_node_alloc (), 1);

  for (guint i = 0; i < depth; i++)
    {
      JsonArray *array = json_array_new ();

      json_array_add_element (array, node);
      node = json_node_init_array (json_node_alloc (), array);
      json_array_unref (array);
    }

  return node;
}

static void
test_depth (Fixture       *f,
            gconstpointer  data)
{
  /* max_depth=3; a scalar has depth 0 */
  assert_json_accepted (f, "1");
  assert_json_accepted (f, "[[[1]]]");
  assert_json_accepted (f, "{\"a\":{\"b\":{\"c\":1}}}");
  assert_json_accepted (f, "[{\"b\":[]}]");
  assert_json_refused (f, "[[[[1]]]]", PGQRS_ERROR_VALIDATION, "max-depth");
  assert_json_refused (f, "{\"a\":{\"b\":{\"c\":{}}}}", PGQRS_ERROR_VALIDATION, "max-depth");
  assert_json_refused (f, "[1,[2,[3,[4]]]]", PGQRS_ERROR_VALIDATION, "max-depth");
  assert_json_refused (f, "{\"ok\":1,\"deep\":[[[[]]]]}", PGQRS_ERROR_VALIDATION, "max-depth");
}

/* The default limit is 32, and a pathological payload is refused without
 * recursing through all of it. */
static void
test_depth_default (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(JsonNode) deepest = nested_arrays (32);
  g_autoptr(JsonNode) too_deep = nested_arrays (33);
  g_autoptr(JsonNode) absurd = nested_arrays (2000);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (pgqrs_queue_enqueue (f->queue, deepest, NULL, &error), >, 0);
  g_assert_no_error (error);
  assert_payload_refused (f, too_deep, PGQRS_ERROR_VALIDATION, "max-depth (32)");
  assert_payload_refused (f, absurd, PGQRS_ERROR_VALIDATION, "max-depth");
  g_assert_cmpint (total_messages (f, "jobs"), ==, 1);
}

static void
test_string_and_key_length (Fixture       *f,
                            gconstpointer  data)
{
  /* max_string_bytes=10&max_key_bytes=4 */
  assert_json_accepted (f, "{\"k\":\"0123456789\"}");
  assert_json_accepted (f, "\"0123456789\"");
  assert_json_accepted (f, "{\"abcd\":\"\303\251\303\251\303\251\303\251\303\251\"}");
  assert_json_refused (f, "{\"k\":\"01234567890\"}", PGQRS_ERROR_VALIDATION, "max-string-bytes");
  assert_json_refused (f, "\"01234567890\"", PGQRS_ERROR_VALIDATION, "11");
  assert_json_refused (f, "[\"x\",{\"y\":[\"01234567890\"]}]", PGQRS_ERROR_VALIDATION, "max-string-bytes");
  /* bytes, not characters: six é are twelve bytes */
  assert_json_refused (f, "\"\303\251\303\251\303\251\303\251\303\251\303\251\"", PGQRS_ERROR_VALIDATION, "12");

  assert_json_refused (f, "{\"abcde\":1}", PGQRS_ERROR_VALIDATION, "max-key-bytes");
  assert_json_refused (f, "[{\"ok\":{\"abcde\":1}}]", PGQRS_ERROR_VALIDATION, "max-key-bytes");
}

static void
test_required_keys (Fixture       *f,
                    gconstpointer  data)
{
  /* required_keys=task,to */
  assert_json_accepted (f, "{\"task\":\"send\",\"to\":\"a@example.com\"}");
  assert_json_accepted (f, "{\"to\":null,\"task\":1,\"extra\":[]}");
  assert_json_refused (f, "{\"task\":\"send\"}", PGQRS_ERROR_VALIDATION, "“to”");
  assert_json_refused (f, "{}", PGQRS_ERROR_VALIDATION, "“task”");
  /* top level only */
  assert_json_refused (f, "{\"job\":{\"task\":1,\"to\":2}}", PGQRS_ERROR_VALIDATION, "“task”");
  /* a payload with required keys must be an object */
  assert_json_refused (f, "[\"task\",\"to\"]", PGQRS_ERROR_VALIDATION, "object");
  assert_json_refused (f, "\"task\"", PGQRS_ERROR_VALIDATION, "object");
  assert_json_refused (f, "null", PGQRS_ERROR_VALIDATION, "object");
}

static void
test_forbidden_keys (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JsonNode) secret = pgqrs_test_json ("{\"user\":\"ann\",\"password\":\"hunter2\"}");

  /* forbidden_keys=password,secret */
  assert_json_accepted (f, "{\"user\":\"ann\"}");
  assert_json_accepted (f, "{\"user\":{\"password\":\"nested is allowed\"}}");
  assert_json_accepted (f, "[\"password\"]");
  assert_json_refused (f, "{\"secret\":1}", PGQRS_ERROR_VALIDATION, "“secret”");

  /* the error names the key and never shows its value */
  FOR_BOTH_MODES (async)
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (enqueue_full (f->queue, async, secret, &error), ==, 0);
      g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
      assert_names (error, "“password”");
      g_assert_null (strstr (error->message, "hunter2"));
    }
  g_assert_cmpint (total_messages (f, "jobs"), ==, 3);
}

/* In a batch the error names the index, and nothing of the batch is
 * written. */
static void
node_free (gpointer node)
{
  if (node != NULL)
    json_node_unref (node);
}

static void
test_batch (Fixture       *f,
            gconstpointer  data)
{
  /* max_depth=3&max_payload_bytes=200 */
  g_autofree char *big = payload_of_size (201);
  const struct {
    guint       bad_index;
    const char *bad_json;   /* NULL: a missing payload */
    int         code;
    const char *words[2];
  } cases[] = {
    { 3, "[[[[1]]]]", PGQRS_ERROR_VALIDATION, { "payload 3", "max-depth" } },
    { 0, "[[[[1]]]]", PGQRS_ERROR_VALIDATION, { "payload 0", "max-depth" } },
    { 4, big, PGQRS_ERROR_PAYLOAD_TOO_LARGE, { "payload 4", "max-payload-bytes" } },
    { 2, NULL, PGQRS_ERROR_VALIDATION, { "payload 2", "missing" } },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    FOR_BOTH_MODES (async)
      {
        g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (node_free);
        g_autoptr(GError) error = NULL;
        g_autoptr(GError) delayed_error = NULL;
        g_autoptr(GArray) ids = NULL;

        for (guint i = 0; i < 5; i++)
          {
            if (i != cases[c].bad_index)
              g_ptr_array_add (payloads, pgqrs_test_json ("{\"fine\":true}"));
            else if (cases[c].bad_json != NULL)
              g_ptr_array_add (payloads, pgqrs_test_json (cases[c].bad_json));
            else
              g_ptr_array_add (payloads, NULL);
          }

        ids = enqueue_batch_full (f->queue, async, payloads, 0, &error);
        g_assert_null (ids);
        g_assert_error (error, PGQRS_ERROR, cases[c].code);
        assert_names (error, cases[c].words[0]);
        assert_names (error, cases[c].words[1]);
        g_test_message ("%s", error->message);

        ids = enqueue_batch_full (f->queue, async, payloads, 10, &delayed_error);
        g_assert_null (ids);
        g_assert_error (delayed_error, PGQRS_ERROR, cases[c].code);
        assert_names (delayed_error, cases[c].words[0]);
      }

  FOR_BOTH_MODES (async)
    {
      g_autoptr(GPtrArray) empty = g_ptr_array_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) ids = enqueue_batch_full (f->queue, async, empty, 0, &error);

      g_assert_null (ids);
      g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
      assert_names (error, "at least one");
    }

  g_assert_cmpint (total_messages (f, "jobs"), ==, 0);
}

/* --- the bounds of the other arguments ---------------------------------- */

static void
test_seconds (Fixture       *f,
              gconstpointer  data)
{
  const double bad_delays[] = { -1, -0.001, NAN, INFINITY, 1e9 };
  g_autoptr(JsonNode) payload = pgqrs_test_json ("{\"n\":1}");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) leased = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad_delays); i++)
    FOR_BOTH_MODES (async)
      {
        g_autoptr(GError) delay_error = NULL;
        g_autoptr(GError) batch_error = NULL;
        g_autoptr(GPtrArray) batch = g_ptr_array_new ();
        g_autoptr(GArray) ids = NULL;

        g_test_message ("delay %g", bad_delays[i]);
        g_assert_cmpint (enqueue_delayed_full (f->queue, async, payload, bad_delays[i], &delay_error), ==, 0);
        g_assert_error (delay_error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
        assert_names (delay_error, "delay");

        g_ptr_array_add (batch, payload);
        ids = enqueue_batch_full (f->queue, async, batch, bad_delays[i], &batch_error);
        g_assert_null (ids);
        g_assert_error (batch_error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
      }
  g_assert_cmpint (total_messages (f, "jobs"), ==, 0);

  g_assert_cmpint (pgqrs_queue_enqueue (f->queue, payload, NULL, &error), >, 0);
  g_assert_no_error (error);

  /* dequeue: 1 to 10000 messages, a visibility timeout that makes sense */
  FOR_BOTH_MODES (async)
    {
      const struct { guint n; double vt; const char *word; } bad[] = {
        { 0, 30, "10000" },
        { 10001, 30, "10001" },
        { 1, NAN, "visibility" },
        { 1, INFINITY, "visibility" },
        { 1, 1e9, "visibility" },
      };

      for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
        {
          g_autoptr(GError) dequeue_error = NULL;
          g_autoptr(GPtrArray) messages = dequeue_full (f->queue, async, bad[i].n, bad[i].vt, &dequeue_error);

          g_assert_null (messages);
          g_assert_error (dequeue_error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
          assert_names (dequeue_error, bad[i].word);
        }
    }

  /* nothing was leased by the refused calls */
  leased = pgqrs_queue_dequeue (f->queue, 10, 30, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (leased->len, ==, 1);
  g_assert_cmpuint (pgqrs_message_get_read_count (g_ptr_array_index (leased, 0)), ==, 1);

  /* release and extend check their seconds; the lease stays as it was */
  for (guint i = 0; i < G_N_ELEMENTS (bad_delays); i++)
    {
      g_autoptr(GError) release_error = NULL;
      g_autoptr(GError) extend_error = NULL;
      g_autoptr(GArray) flags = NULL;

      g_assert_false (pgqrs_queue_release (f->queue, g_ptr_array_index (leased, 0), bad_delays[i],
                                           NULL, &release_error));
      g_assert_error (release_error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
      g_assert_false (pgqrs_queue_extend_visibility (f->queue, g_ptr_array_index (leased, 0),
                                                     bad_delays[i], NULL, &extend_error));
      g_assert_error (extend_error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
      g_clear_error (&release_error);
      flags = pgqrs_queue_release_batch (f->queue, leased, bad_delays[i], NULL, &release_error);
      g_assert_null (flags);
      g_assert_error (release_error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
    }

  {
    g_autoptr(PgqrsQueueMetrics) metrics = pgqrs_store_get_metrics (f->store, "jobs", NULL, &error);

    g_assert_cmpint (pgqrs_queue_metrics_get_leased (metrics), ==, 1);
  }
  g_assert_true (pgqrs_queue_archive (f->queue, g_ptr_array_index (leased, 0), NULL, &error));
  g_assert_no_error (error);
}

/* A lease operation takes messages of its own queue only; a batch with a
 * stranger in it is refused whole. */
static void
test_foreign_messages (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) other = pgqrs_store_create_queue (f->store, "other", NULL, &error);
  g_autoptr(JsonNode) payload = pgqrs_test_json ("{}");
  g_autoptr(GPtrArray) mine = NULL;
  g_autoptr(GPtrArray) theirs = NULL;
  g_autoptr(GPtrArray) mixed = g_ptr_array_new ();
  g_autoptr(GPtrArray) empty = g_ptr_array_new ();
  g_autoptr(GArray) flags = NULL;

  g_assert_no_error (error);
  pgqrs_queue_enqueue (f->queue, payload, NULL, &error);
  pgqrs_queue_enqueue (other, payload, NULL, &error);
  g_assert_no_error (error);
  mine = pgqrs_queue_dequeue (f->queue, 1, 30, NULL, &error);
  theirs = pgqrs_queue_dequeue (other, 1, 30, NULL, &error);
  g_assert_no_error (error);

  g_assert_false (pgqrs_queue_archive (f->queue, g_ptr_array_index (theirs, 0), NULL, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
  assert_names (error, "jobs");
  g_clear_error (&error);

  g_ptr_array_add (mixed, g_ptr_array_index (mine, 0));
  g_ptr_array_add (mixed, g_ptr_array_index (theirs, 0));

  FOR_BOTH_MODES (async)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) batch_error = NULL;
      g_autoptr(GArray) refused = NULL;

      if (!async)
        refused = pgqrs_queue_archive_batch (f->queue, mixed, NULL, &batch_error);
      else
        {
          pgqrs_queue_archive_batch_async (f->queue, mixed, NULL, pgqrs_test_store_result, &result);
          refused = pgqrs_queue_archive_batch_finish (f->queue, pgqrs_test_await (&result), &batch_error);
        }
      g_assert_null (refused);
      g_assert_error (batch_error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
    }

  flags = pgqrs_queue_delete_batch (f->queue, empty, NULL, &error);
  g_assert_null (flags);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
  g_clear_error (&error);

  /* both leases are intact */
  g_assert_true (pgqrs_queue_archive (f->queue, g_ptr_array_index (mine, 0), NULL, &error));
  g_assert_true (pgqrs_queue_archive (other, g_ptr_array_index (theirs, 0), NULL, &error));
  g_assert_no_error (error);

  g_clear_pointer (&theirs, g_ptr_array_unref);
  g_assert_finalize_object (g_steal_pointer (&other));
}

/* --- the enqueue rate limit --------------------------------------------- */

static void
test_rate_limit (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) payload = pgqrs_test_json ("{\"n\":1}");
  g_autoptr(PgqrsQueue) other = pgqrs_store_create_queue (f->store, "other", NULL, &error);
  g_autoptr(GPtrArray) two = g_ptr_array_new ();
  g_autoptr(GPtrArray) four = g_ptr_array_new ();
  g_autoptr(GArray) ids = NULL;

  /* enqueue_rate_limit=2&enqueue_burst=3 */
  g_assert_no_error (error);
  g_ptr_array_add (two, payload);
  g_ptr_array_add (two, payload);
  for (guint i = 0; i < 4; i++)
    g_ptr_array_add (four, payload);

  /* a refused call takes no tokens */
  g_assert_cmpint (pgqrs_queue_enqueue_delayed (f->queue, payload, -1, NULL, &error), ==, 0);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
  g_clear_error (&error);

  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpint (pgqrs_queue_enqueue (f->queue, payload, NULL, &error), >, 0);
      g_assert_no_error (error);
    }

  FOR_BOTH_MODES (async)
    {
      g_autoptr(GError) limited = NULL;

      g_assert_cmpint (enqueue_full (f->queue, async, payload, &limited), ==, 0);
      g_assert_error (limited, PGQRS_ERROR, PGQRS_ERROR_RATE_LIMITED);
      assert_names (limited, "jobs");
    }
  g_assert_cmpint (total_messages (f, "jobs"), ==, 3);

  /* the limit is per queue */
  ids = pgqrs_queue_enqueue_batch (other, two, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 2);
  g_clear_pointer (&ids, g_array_unref);
  ids = pgqrs_queue_enqueue_batch (other, two, 0, NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_RATE_LIMITED);
  assert_names (error, "other");
  g_assert_null (ids);
  g_clear_error (&error);
  g_assert_cmpint (total_messages (f, "other"), ==, 2);

  /* the bucket refills at 2 per second */
  g_usleep (G_USEC_PER_SEC * 6 / 10);
  g_assert_cmpint (pgqrs_queue_enqueue (f->queue, payload, NULL, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (total_messages (f, "jobs"), ==, 4);

  /* a batch larger than the burst never fits, and writes nothing */
  ids = pgqrs_queue_enqueue_batch (f->queue, four, 0, NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_RATE_LIMITED);
  g_assert_null (ids);
  g_clear_error (&error);
  g_assert_cmpint (total_messages (f, "jobs"), ==, 4);

  g_assert_finalize_object (g_steal_pointer (&other));
}

/* Off by default. */
static void
test_no_rate_limit (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) payload = pgqrs_test_json ("0");
  g_autoptr(GPtrArray) many = g_ptr_array_new ();
  g_autoptr(GArray) ids = NULL;

  for (guint i = 0; i < 1000; i++)
    g_ptr_array_add (many, payload);

  for (guint round = 0; round < 3; round++)
    {
      g_clear_pointer (&ids, g_array_unref);
      ids = pgqrs_queue_enqueue_batch (f->queue, many, 0, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (ids->len, ==, 1000);
    }
  g_assert_cmpint (total_messages (f, "jobs"), ==, 3000);
}

int
main (int   argc,
      char *argv[])
{
  pgqrs_test_init (&argc, &argv);

#define ADD(path, func, options) \
  g_test_add ("/pgqrs/validation/" path, Fixture, options, fixture_setup, func, fixture_teardown)

  ADD ("queue-names", test_queue_names, NULL);
  ADD ("payload-size", test_payload_size, "max_payload_bytes=100");
  ADD ("payload-size-default", test_payload_size_default, NULL);
  ADD ("depth", test_depth, "max_depth=3");
  ADD ("depth-default", test_depth_default, NULL);
  ADD ("string-and-key-length", test_string_and_key_length, "max_string_bytes=10&max_key_bytes=4");
  ADD ("required-keys", test_required_keys, "required_keys=task,to");
  ADD ("forbidden-keys", test_forbidden_keys, "forbidden_keys=password,secret");
  ADD ("batch", test_batch, "max_depth=3&max_payload_bytes=200");
  ADD ("seconds", test_seconds, NULL);
  ADD ("foreign-messages", test_foreign_messages, NULL);
  ADD ("rate-limit", test_rate_limit, "enqueue_rate_limit=2&enqueue_burst=3");
  ADD ("no-rate-limit", test_no_rate_limit, NULL);

  return g_test_run ();
}
