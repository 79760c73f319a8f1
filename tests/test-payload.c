/* test-payload.c — payloads come back equal to what was stored (semantics
 * rule 26), through a JsonNode and through the JSON text, on the backend
 * PGQRS_TEST_BACKEND names; what JSON cannot hold is refused, naming its
 * path.  tests/bindings/{python,js} run the same lists from Python and gjs.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "test-util.h"

/* The numbers of issue 13, spelled as a user would.  Each one is the
 * nearest double of its spelling or an exact 64-bit integer. */
static const char * const numbers[] = {
  "1", "-1", "3.14", "0.1", "1e-9", "1e10", "1e17", "1e18", "9.2e18", "9.3e18",
  "2.5e20", "-2.5e20", "6.02214076e23", "1.5e300", "1e-300", "1.6e-19", "-0.0",
  "9223372036854775807", "9223372036854775808", "123456789012345678901234567890",
};

typedef struct
{
  PgqrsStore *store;
  PgqrsQueue *queue;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->store = pgqrs_test_open_store (data);
  f->queue = pgqrs_store_create_queue (f->store, "payloads", NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->queue);
  g_assert_finalize_object (f->store);
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = pgqrs_json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

/* Dequeues the one message there is, and archives it. */
static PgqrsMessage *
take_one (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = pgqrs_queue_dequeue (f->queue, 10, 30, NULL, &error);
  PgqrsMessage *message;

  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 1);
  message = g_object_ref (g_ptr_array_index (messages, 0));
  g_assert_true (pgqrs_queue_archive (f->queue, message, NULL, &error));
  g_assert_no_error (error);
  return message;
}

/* The exact value of a JSON number spelling, as "[-]digits e exponent" with
 * no leading or trailing zero: two spellings of one value give one string. */
static char *
canonical_decimal (const char *spelling,
                   gsize       len)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  const char *p = spelling;
  const char *end = spelling + len;
  gboolean negative = FALSE;
  gint64 exponent = 0;
  gsize lead = 0;

  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }
  for (; p < end && g_ascii_isdigit (*p); p++)
    g_string_append_c (digits, *p);
  if (p < end && *p == '.')
    for (p++; p < end && g_ascii_isdigit (*p); p++)
      {
        g_string_append_c (digits, *p);
        exponent--;
      }
  if (p < end && (*p == 'e' || *p == 'E'))
    exponent += g_ascii_strtoll (p + 1, NULL, 10);

  while (lead < digits->len && digits->str[lead] == '0')
    lead++;
  g_string_erase (digits, 0, lead);
  while (digits->len > 0 && digits->str[digits->len - 1] == '0')
    {
      g_string_truncate (digits, digits->len - 1);
      exponent++;
    }
  if (digits->len == 0)
    return g_strdup ("0");   /* the value of -0 is 0; its sign is checked apart */

  return g_strdup_printf ("%s%se%" G_GINT64_FORMAT, negative ? "-" : "", digits->str, exponent);
}

/* The spelling of the number after "\"v\":" in a payload's text, whatever
 * whitespace the database put around it. */
static char *
number_in (const char *text)
{
  const char *p = strstr (text, "\"v\":");
  gsize len;

  g_assert_nonnull (p);
  p += 4;
  while (*p == ' ')
    p++;
  len = strspn (p, "-+.eE0123456789");
  return canonical_decimal (p, len);
}

/* @got must be the value @expected is: the same integer if @expected is an
 * integer of 64 bits, else the same double. */
static void
assert_same_number (JsonNode   *got,
                    JsonNode   *expected,
                    const char *spelling)
{
  g_assert_cmpint (JSON_NODE_TYPE (got), ==, JSON_NODE_VALUE);

  if (json_node_get_value_type (expected) == G_TYPE_INT64)
    {
      g_assert_cmpint (json_node_get_value_type (got), ==, G_TYPE_INT64);
      g_assert_cmpint (json_node_get_int (got), ==, json_node_get_int (expected));
      return;
    }

  g_assert_cmpint (json_node_get_value_type (expected), ==, G_TYPE_DOUBLE);
  if (json_node_get_double (got) != json_node_get_double (expected))
    g_error ("%s came back as %.17g", spelling, json_node_get_double (got));

  /* PostgreSQL's numeric has no negative zero (see docs/concepts.md) */
  if (signbit (json_node_get_double (expected)) && json_node_get_double (expected) == 0 &&
      pgqrs_test_backend_is_sqlite ())
    g_assert_true (signbit (json_node_get_double (got)));
}

/* Each number through a JsonNode: the library writes it, stores it, reads
 * it back to the same value. */
static void
test_numbers_node (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(JsonArray) all = json_array_new ();
  g_autoptr(JsonNode) all_node = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"v\":%s}", numbers[i]);
      g_autoptr(JsonNode) sent = parse (json);
      g_autoptr(GError) error = NULL;
      g_autoptr(PgqrsMessage) message = NULL;
      JsonNode *got;

      g_test_message ("node %s", numbers[i]);
      g_assert_cmpint (pgqrs_queue_enqueue (f->queue, sent, NULL, &error), >, 0);
      g_assert_no_error (error);
      message = take_one (f);
      got = pgqrs_message_get_payload (message);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (got));
      assert_same_number (json_object_get_member (json_node_get_object (got), "v"),
                          json_object_get_member (json_node_get_object (sent), "v"),
                          numbers[i]);
      json_array_add_element (all, json_node_copy (json_object_get_member (json_node_get_object (sent), "v")));
    }

  /* all of them in one payload */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PgqrsMessage) message = NULL;
    JsonArray *got;

    all_node = json_node_init_array (json_node_alloc (), all);
    g_assert_cmpint (pgqrs_queue_enqueue (f->queue, all_node, NULL, &error), >, 0);
    g_assert_no_error (error);
    message = take_one (f);
    got = json_node_get_array (pgqrs_message_get_payload (message));
    g_assert_cmpuint (json_array_get_length (got), ==, G_N_ELEMENTS (numbers));
    for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
      assert_same_number (json_array_get_element (got, i), json_array_get_element (all, i), numbers[i]);
  }
}

/* Each number as text: its exact value comes back in the text (byte for
 * byte on SQLite), and the JsonNode of the message holds the nearest double
 * or the exact integer — never a wrapped one. */
static void
test_numbers_text (Fixture       *f,
                   gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"v\":%s}", numbers[i]);
      g_autofree char *spaced = g_strdup_printf ("{ \"v\" :\n %s }", numbers[i]);
      g_autofree char *expected = NULL;
      g_autofree char *got_number = NULL;
      g_autoptr(JsonNode) sent = parse (json);
      g_autoptr(GError) error = NULL;
      g_autoptr(PgqrsMessage) message = NULL;
      const char *text;

      g_test_message ("text %s", numbers[i]);
      g_assert_cmpint (pgqrs_queue_enqueue_text (f->queue, spaced, NULL, &error), >, 0);
      g_assert_no_error (error);
      message = take_one (f);
      text = pgqrs_message_get_payload_text (message);

      if (pgqrs_test_backend_is_sqlite ())
        g_assert_cmpstr (text, ==, json);
      expected = canonical_decimal (numbers[i], strlen (numbers[i]));
      got_number = number_in (text);
      g_assert_cmpstr (got_number, ==, expected);

      assert_same_number (json_object_get_member (json_node_get_object (pgqrs_message_get_payload (message)), "v"),
                          json_object_get_member (json_node_get_object (sent), "v"),
                          numbers[i]);
    }
}

static char *
long_text (void)
{
  GString *text = g_string_new (NULL);

  while (text->len < 200 * 1024)
    g_string_append (text, "line \"quoted\" \\ tab\t é 中 😀\n");
  return g_string_free (text, FALSE);
}

/* Strings keep every code point, through a JsonNode and through text. */
static void
test_strings (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *controls = g_malloc0 (32);
  g_autofree char *long_one = long_text ();
  const char *strings[] = {
    "plain",
    "",
    "quote \" backslash \\ slash / done",
    "\b\f\n\r\t",
    controls,
    "DEL \x7f",
    "é ü ß — 中文 한국어 עברית",
    "non-BMP: 😀 𝄞 𐍈 🇫🇷",
    "separators \u2028 \u2029 and BOM \ufeff",
    long_one,
  };

  for (guint c = 1; c < 32; c++)
    controls[c - 1] = (char)c;

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      g_autoptr(JsonNode) sent = json_node_init_string (json_node_alloc (), strings[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(PgqrsMessage) by_node = NULL;
      g_autoptr(PgqrsMessage) by_text = NULL;
      g_autofree char *written = NULL;
      g_autoptr(JsonNode) reread = NULL;

      g_test_message ("string %u (%zu bytes)", i, strlen (strings[i]));
      g_assert_cmpint (pgqrs_queue_enqueue (f->queue, sent, NULL, &error), >, 0);
      g_assert_no_error (error);
      by_node = take_one (f);
      g_assert_cmpstr (json_node_get_string (pgqrs_message_get_payload (by_node)), ==, strings[i]);

      /* the text the library wrote is JSON any reader takes */
      written = pgqrs_json_to_string (sent, &error);
      g_assert_no_error (error);
      reread = json_from_string (written, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (json_node_get_string (reread), ==, strings[i]);

      g_assert_cmpint (pgqrs_queue_enqueue_text (f->queue, written, NULL, &error), >, 0);
      g_assert_no_error (error);
      by_text = take_one (f);
      g_assert_cmpstr (json_node_get_string (pgqrs_message_get_payload (by_text)), ==, strings[i]);
    }

  /* escapes as another writer spells them: \u of the BMP and surrogate
   * pairs, and "\/" */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PgqrsMessage) message = NULL;
    JsonObject *object;

    g_assert_cmpint (pgqrs_queue_enqueue_text (f->queue,
                                               "{\"e\":\"\\u00e9\\u4e2d\",\"s\":\"\\ud83d\\ude00\\uD834\\uDD1E\","
                                               "\"c\":\"\\u0001\\u001F\\/\\b\"}",
                                               NULL, &error), >, 0);
    g_assert_no_error (error);
    message = take_one (f);
    object = json_node_get_object (pgqrs_message_get_payload (message));
    g_assert_cmpstr (json_object_get_string_member (object, "e"), ==, "é中");
    g_assert_cmpstr (json_object_get_string_member (object, "s"), ==, "😀𝄞");
    g_assert_cmpstr (json_object_get_string_member (object, "c"), ==, "\001\037/\b");
  }
}

static gint64
total_messages (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueueMetrics) metrics = pgqrs_store_get_metrics (f->store, "payloads", NULL, &error);

  g_assert_no_error (error);
  return pgqrs_queue_metrics_get_total (metrics);
}

static void
assert_refused (const GError *error,
                const char   *path,
                const char   *word)
{
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
  g_test_message ("refused: %s", error->message);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  if (strstr (error->message, path) == NULL || strstr (error->message, word) == NULL)
    g_error ("“%s” does not name %s and %s", error->message, path, word);
}

/* @value at $.items[3].<key> of an object */
static JsonNode *
nested (const char *key,
        JsonNode   *value)
{
  g_autoptr(JsonNode) root = parse ("{\"id\":1,\"items\":[0,1,2,{\"ok\":true}]}");
  JsonArray *items = json_object_get_array_member (json_node_get_object (root), "items");

  json_object_set_member (json_array_get_object_element (items, 3), key, value);
  return g_steal_pointer (&root);
}

/* What JSON cannot hold is refused before anything is written, and the
 * error names the path of the culprit. */
static void
test_refusals (Fixture       *f,
               gconstpointer  data)
{
  const struct {
    double      value;
    const char *word;
  } doubles[] = {
    { NAN, "NaN" }, { INFINITY, "Infinity" }, { -INFINITY, "-Infinity" },
  };
  const struct {
    const char *text;
    const char *path;
    const char *word;
  } texts[] = {
    { "{\"amount\": NaN}", "$.amount", "not JSON" },
    { "{\"amount\": Infinity}", "$.amount", "not JSON" },
    { "{\"amount\": 1e400}", "$.amount", "beyond the range of a double" },
    { "{\"items\": [1, 2, 3, {\"name\": \"caf\xe9\"}]}", "$.items[3].name", "UTF-8" },
    { "{\"s\": \"\\ud800\"}", "$.s", "lone surrogate" },
    { "{\"s\": \"\\udc00x\"}", "$.s", "lone surrogate" },
    { "{\"s\": \"a\\u0000b\"}", "$.s", "U+0000" },
    { "{\"s\": \"a\nb\"}", "$.s", "control character" },
    { "{\"a\": [1, 2,]}", "$.a[2]", "not JSON" },
    { "{\"a\": 01}", "$.a", "not JSON" },
    { "{\"a\": 1} x", "$", "not JSON" },
    { "", "$", "empty" },
    { "{\"we ird\": {\"x\": tru}}", "$[\"we ird\"].x", "not JSON" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (doubles); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) batch_error = NULL;
      g_autoptr(JsonNode) flat = parse ("{\"id\":1}");
      g_autoptr(JsonNode) deep = nested ("price", json_node_init_double (json_node_alloc (), doubles[i].value));
      g_autoptr(GPtrArray) batch = g_ptr_array_new ();
      g_autoptr(GArray) ids = NULL;

      json_object_set_double_member (json_node_get_object (flat), "amount", doubles[i].value);
      g_assert_cmpint (pgqrs_queue_enqueue (f->queue, flat, NULL, &error), ==, 0);
      assert_refused (error, "$.amount", doubles[i].word);
      g_clear_error (&error);
      g_assert_cmpint (pgqrs_queue_enqueue (f->queue, deep, NULL, &error), ==, 0);
      assert_refused (error, "$.items[3].price", doubles[i].word);

      g_ptr_array_add (batch, flat);
      g_ptr_array_add (batch, deep);
      ids = pgqrs_queue_enqueue_batch (f->queue, batch, 0, NULL, &batch_error);
      g_assert_null (ids);
      assert_refused (batch_error, "payload 0: $.amount", doubles[i].word);
    }

  /* strings and keys that are not UTF-8, in a JsonNode */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) bad_string = nested ("name", json_node_init_string (json_node_alloc (), "caf\xe9"));
    g_autoptr(JsonNode) bad_key = nested ("caf\xe9", json_node_init_int (json_node_alloc (), 1));

    g_assert_cmpint (pgqrs_queue_enqueue (f->queue, bad_string, NULL, &error), ==, 0);
    assert_refused (error, "$.items[3].name", "UTF-8");
    g_clear_error (&error);
    g_assert_cmpint (pgqrs_queue_enqueue (f->queue, bad_key, NULL, &error), ==, 0);
    assert_refused (error, "$.items[3]", "UTF-8");
  }

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) batch_error = NULL;
      g_autoptr(GArray) ids = NULL;
      const char *batch[] = { "{\"fine\":1}", texts[i].text, NULL };
      g_autofree char *batch_path = g_strdup_printf ("payload 1: %s", texts[i].path);

      g_assert_cmpint (pgqrs_queue_enqueue_text (f->queue, texts[i].text, NULL, &error), ==, 0);
      assert_refused (error, texts[i].path, texts[i].word);
      ids = pgqrs_queue_enqueue_batch_text (f->queue, batch, 0, NULL, &batch_error);
      g_assert_null (ids);
      assert_refused (batch_error, batch_path, texts[i].word);
    }

  g_assert_cmpint (total_messages (f), ==, 0);
}

/* The text API obeys the limits of the store's configuration, as a
 * JsonNode does, and the async forms work like the blocking ones. */
static void
test_text_limits_and_async (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) batch_result = NULL;
  g_autoptr(GArray) ids = NULL;
  const char *batch[] = { "[1]", " {\"a\" : 2} ", NULL };
  gint64 id;

  /* max_depth=2&max_string_bytes=4&max_key_bytes=3&max_payload_bytes=20 */
  g_assert_cmpint (pgqrs_queue_enqueue_text (f->queue, "[[[1]]]", NULL, &error), ==, 0);
  assert_refused (error, "$[0][0]", "max-depth (2)");
  g_clear_error (&error);
  g_assert_cmpint (pgqrs_queue_enqueue_text (f->queue, "{\"k\":\"abcde\"}", NULL, &error), ==, 0);
  assert_refused (error, "$.k", "max-string-bytes");
  g_clear_error (&error);
  g_assert_cmpint (pgqrs_queue_enqueue_text (f->queue, "{\"long\":1}", NULL, &error), ==, 0);
  assert_refused (error, "$", "max-key-bytes");
  g_clear_error (&error);
  /* the size is that of the text without its insignificant whitespace */
  g_assert_cmpint (pgqrs_queue_enqueue_text (f->queue, "[1,2,3,4,5,6,7,8,9,10]", NULL, &error), ==, 0);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_PAYLOAD_TOO_LARGE);
  g_clear_error (&error);
  g_assert_cmpint (pgqrs_queue_enqueue_text (f->queue, "[1, 2, 3, 4, 5, 6, 7, 8, 9]", NULL, &error), >, 0);
  g_assert_no_error (error);

  pgqrs_queue_enqueue_text_async (f->queue, "{\"abc\":\"abcd\"}", NULL, pgqrs_test_store_result, &result);
  id = pgqrs_queue_enqueue_text_finish (f->queue, pgqrs_test_await (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  pgqrs_queue_enqueue_batch_text_async (f->queue, batch, 0, NULL, pgqrs_test_store_result, &batch_result);
  ids = pgqrs_queue_enqueue_batch_text_finish (f->queue, pgqrs_test_await (&batch_result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_cmpint (total_messages (f), ==, 4);

  g_clear_object (&result);
  pgqrs_queue_enqueue_text_async (f->queue, "[[[1]]]", NULL, pgqrs_test_store_result, &result);
  g_assert_cmpint (pgqrs_queue_enqueue_text_finish (f->queue, pgqrs_test_await (&result), &error), ==, 0);
  assert_refused (error, "$[0][0]", "max-depth");
  g_assert_cmpint (total_messages (f), ==, 4);
}

typedef struct
{
  PgqrsMessage *message;
  JsonNode     *seen;
} Racer;

static gpointer
get_payload_thread (gpointer data)
{
  Racer *racer = data;

  racer->seen = pgqrs_message_get_payload (racer->message);
  return NULL;
}

/* The JsonNode is built on first use, once, whichever threads ask. */
static void
test_lazy_payload (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsMessage) message = NULL;
  Racer racers[8];
  GThread *threads[8];

  g_assert_cmpint (pgqrs_queue_enqueue_text (f->queue, "{\"n\":18446744073709551616}", NULL, &error), >, 0);
  g_assert_no_error (error);
  message = take_one (f);

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      racers[i] = (Racer) { message, NULL };
      threads[i] = g_thread_new ("payload", get_payload_thread, &racers[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_thread_join (threads[i]);
      g_assert_true (racers[i].seen == racers[0].seen);
    }
  g_assert_true (pgqrs_message_get_payload (message) == racers[0].seen);
  g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (racers[0].seen), "n"),
                     ==, 18446744073709551616.0);
}

/* Workflow inputs, step outputs and run outputs get the same guarantee. */
static JsonNode *
numbers_step (PgqrsStep *step,
              gpointer   user_data)
{
  return json_node_copy (user_data);
}

static void
assert_same_numbers (JsonNode *got,
                     JsonNode *expected)
{
  JsonArray *got_array = json_node_get_array (got);
  JsonArray *expected_array = json_node_get_array (expected);

  g_assert_cmpuint (json_array_get_length (got_array), ==, G_N_ELEMENTS (numbers));
  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    assert_same_number (json_array_get_element (got_array, i),
                        json_array_get_element (expected_array, i), numbers[i]);
}

static void
test_workflow_values (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GString) list = g_string_new ("[");
  g_autoptr(JsonNode) values = NULL;
  g_autoptr(PgqrsWorkflow) run = NULL;
  g_autoptr(PgqrsWorkflow) reloaded = NULL;
  g_autoptr(JsonNode) step_output = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    g_string_append_printf (list, "%s%s", i ? "," : "", numbers[i]);
  g_string_append_c (list, ']');
  values = parse (list->str);

  run = pgqrs_store_create_workflow (f->store, "numbers", values, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pgqrs_workflow_start (run, NULL, &error));
  g_assert_no_error (error);
  step_output = pgqrs_workflow_run_step (run, "echo", numbers_step, values, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pgqrs_workflow_complete (run, values, NULL, &error));
  g_assert_no_error (error);

  reloaded = pgqrs_store_get_workflow_run (f->store, pgqrs_workflow_get_id (run), NULL, &error);
  g_assert_no_error (error);
  assert_same_numbers (pgqrs_workflow_get_input (reloaded), values);
  assert_same_numbers (pgqrs_workflow_get_output (reloaded), values);
  assert_same_numbers (step_output, values);

  /* a NaN output is refused with its path, and the run stays RUNNING */
  {
    g_autoptr(PgqrsWorkflow) other = pgqrs_store_create_workflow (f->store, "numbers", values, NULL, &error);
    g_autoptr(JsonNode) bad = nested ("price", json_node_init_double (json_node_alloc (), NAN));

    g_assert_no_error (error);
    g_assert_true (pgqrs_workflow_start (other, NULL, &error));
    g_assert_no_error (error);
    g_assert_false (pgqrs_workflow_complete (other, bad, NULL, &error));
    assert_refused (error, "$.items[3].price", "NaN");
    g_assert_cmpint (pgqrs_workflow_get_status (other), ==, PGQRS_RUN_STATUS_RUNNING);
  }
}

/* pgqrs_json_to_string() and pgqrs_json_from_string() on their own. */
static void
test_json_functions (void)
{
  const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "1e18", "1e+18" }, { "1e17", "1e+17" }, { "1e-300", "1e-300" }, { "3.0", "3.0" },
    { "-0.0", "-0.0" }, { "-0", "-0.0" }, { "0.1", "0.1" }, { "9.3e18", "9.3e+18" },
    { "18446744073709551616", "1.8446744073709552e+19" },
    { "9223372036854775807", "9223372036854775807" },
    { "-9223372036854775808", "-9223372036854775808" },
    { "5e-324", "4.94065645841247e-324" }, { "1.7976931348623157e308", "1.7976931348623157e+308" },
    { "{\"b\":1,\"a\":[true,false,null]}", "{\"b\":1,\"a\":[true,false,null]}" },
    { "\"\\u001f\\u007f\"", "\"\\u001f\x7f\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = pgqrs_json_from_string (cases[i].in, &error);
      g_autofree char *text = NULL;
      g_autoptr(JsonNode) again = NULL;

      g_assert_no_error (error);
      text = pgqrs_json_to_string (node, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (text, ==, cases[i].out);
      /* json-glib's own parser takes what pgqrs writes */
      again = json_from_string (text, &error);
      g_assert_no_error (error);
      g_assert_true (json_node_equal (node, again));
    }
}

int
main (int   argc,
      char *argv[])
{
  pgqrs_test_init (&argc, &argv);

#define ADD(path, func, options) \
  g_test_add ("/pgqrs/payload/" path, Fixture, options, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/pgqrs/payload/json-functions", test_json_functions);
  ADD ("numbers-node", test_numbers_node, NULL);
  ADD ("numbers-text", test_numbers_text, NULL);
  ADD ("strings", test_strings, NULL);
  ADD ("refusals", test_refusals, NULL);
  ADD ("text-limits-and-async", test_text_limits_and_async,
       "max_depth=2&max_string_bytes=4&max_key_bytes=3&max_payload_bytes=20");
  ADD ("lazy-payload", test_lazy_payload, NULL);
  ADD ("workflow-values", test_workflow_values, NULL);

#undef ADD

  return g_test_run ();
}
