/* test-workflow.c — durable workflows (semantics rules 17–22), on the
 * backend PGQRS_TEST_BACKEND names.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <glib/gstdio.h>

#include <string.h>

#include "test-util.h"

#include "pgqrs-consumer-private.h"
#include "pgqrs-message-private.h"
#include "pgqrs-store-private.h"
#include "pgqrs-workflow-private.h"

typedef struct
{
  PgqrsStore *store;
  GHashTable *calls;    /* step name → times its body ran */
  guint       fail_times;
  gboolean    permanent;
  double      skew;         /* the clock, as last set by the test */
  int         pending_resolutions;  /* deferred step bodies not yet resolved */
  PgqrsStep  *last_step;    /* the step flaky_step or cancelling_step last ran */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->store = pgqrs_test_open_store (data);
  f->calls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->last_step);
  g_hash_table_unref (f->calls);
  g_assert_finalize_object (f->store);
}

static guint
calls (Fixture    *f,
       const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (f->calls, name));
}

static void
count_call (Fixture    *f,
            const char *name)
{
  g_hash_table_replace (f->calls, g_strdup (name), GUINT_TO_POINTER (calls (f, name) + 1));
}

/* A step body returning the JSON its name spells: "json:<text>". */
static JsonNode *
json_step (PgqrsStep *step,
           gpointer   user_data)
{
  Fixture *f = user_data;
  const char *name = pgqrs_step_get_name (step);

  count_call (f, name);
  return pgqrs_test_json (strchr (name, ':') + 1);
}

static JsonNode *
flaky_step (PgqrsStep *step,
            gpointer   user_data)
{
  Fixture *f = user_data;

  g_set_object (&f->last_step, step);
  count_call (f, pgqrs_step_get_name (step));
  if (calls (f, pgqrs_step_get_name (step)) <= f->fail_times)
    {
      pgqrs_step_set_error (step, "the service is down", !f->permanent);
      return NULL;
    }

  return pgqrs_test_json ("\"recovered\"");
}

static PgqrsWorkflow *
new_run (Fixture    *f,
         const char *input)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = pgqrs_test_json (input);
  PgqrsWorkflow *run = pgqrs_store_create_workflow (f->store, "pipeline", node, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_workflow_get_status (run), ==, PGQRS_RUN_STATUS_QUEUED);
  return run;
}

static void
assert_json (JsonNode   *node,
             const char *expected)
{
  g_autofree char *text = json_to_string (node, FALSE);

  g_assert_cmpstr (text, ==, expected);
}

/* Rule 18: a completed step replays its stored output; its body runs once
 * across executions of the run. */
static void
test_step_replay (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(PgqrsWorkflow) run = new_run (f, "{\"file\":\"data.csv\"}");
  g_autoptr(PgqrsWorkflow) again = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (pgqrs_workflow_start (run, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_workflow_get_status (run), ==, PGQRS_RUN_STATUS_RUNNING);

  for (guint execution = 0; execution < 2; execution++)
    {
      g_autoptr(JsonNode) out = NULL;

      again = pgqrs_store_get_workflow_run (f->store, pgqrs_workflow_get_id (run), NULL, &error);
      g_assert_no_error (error);
      if (execution > 0)
        {
          /* a second execution, as after a crash */
          g_assert_true (pgqrs_workflow_start (again, NULL, &error));
          g_assert_no_error (error);
        }
      out = pgqrs_workflow_run_step (again, "json:{\"rows\":3}", json_step, f, NULL, &error);
      g_assert_no_error (error);
      assert_json (out, "{\"rows\":3}");
      g_clear_object (&again);
    }

  g_assert_cmpuint (calls (f, "json:{\"rows\":3}"), ==, 1);

  {
    g_autoptr(PgqrsStep) step = pgqrs_workflow_acquire_step (run, "json:{\"rows\":3}", NULL, &error);

    g_assert_no_error (error);
    g_assert_true (pgqrs_step_is_cached (step));
    g_assert_cmpint (pgqrs_step_get_status (step), ==, PGQRS_STEP_STATUS_SUCCESS);
    assert_json (pgqrs_step_get_output (step), "{\"rows\":3}");
  }
}

/* Step bodies that finish later: deferred, then resolved from a timeout on
 * the test's main context or from another thread. */
typedef struct
{
  PgqrsStep *step;
  JsonNode  *output;
  int       *pending;
} Resolution;

static gboolean
resolve_later_cb (gpointer user_data)
{
  Resolution *r = user_data;

  pgqrs_step_resolve (r->step, r->output);
  g_object_unref (r->step);
  g_clear_pointer (&r->output, json_node_unref);
  g_atomic_int_dec_and_test (r->pending);
  g_free (r);
  return G_SOURCE_REMOVE;
}

static gpointer
resolve_in_thread (gpointer user_data)
{
  g_usleep (10 * 1000);
  resolve_later_cb (user_data);
  return NULL;
}

/* "later:<json>" resolves with the JSON from a timeout; "thread-fails"
 * fails transiently from another thread; anything else returns now. */
static JsonNode *
deferring_step (PgqrsStep *step,
                gpointer   user_data)
{
  Fixture *f = user_data;
  const char *name = pgqrs_step_get_name (step);
  Resolution *r;

  count_call (f, name);
  if (!g_str_has_prefix (name, "later:") && !g_str_equal (name, "thread-fails"))
    return pgqrs_test_json ("\"now\"");

  r = g_new0 (Resolution, 1);
  r->step = g_object_ref (step);
  r->pending = &f->pending_resolutions;
  g_atomic_int_inc (r->pending);
  pgqrs_step_defer (step);

  if (g_str_has_prefix (name, "later:"))
    {
      r->output = pgqrs_test_json (name + strlen ("later:"));
      g_timeout_add (10, resolve_later_cb, r);
    }
  else
    {
      pgqrs_step_set_error (step, "the remote end went away", TRUE);
      g_thread_unref (g_thread_new ("resolver", resolve_in_thread, r));
    }

  return NULL;   /* ignored: deferred */
}

static JsonNode *
run_step_await (PgqrsWorkflow *run,
                const char    *name,
                Fixture       *f,
                GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pgqrs_workflow_run_step_async (run, name, deferring_step, f, NULL, NULL,
                                 pgqrs_test_store_result, &result);
  return pgqrs_workflow_run_step_finish (run, pgqrs_test_await (&result), error);
}

static void
test_run_step_async (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(PgqrsWorkflow) run = new_run (f, "{}");
  g_autoptr(GError) error = NULL;

  g_assert_true (pgqrs_workflow_start (run, NULL, &error));

  for (guint execution = 0; execution < 2; execution++)
    {
      g_autoptr(PgqrsWorkflow) again = pgqrs_store_get_workflow_run (f->store, pgqrs_workflow_get_id (run),
                                                                    NULL, &error);
      g_autoptr(JsonNode) now = NULL;
      g_autoptr(JsonNode) later = NULL;

      g_assert_no_error (error);
      if (execution > 0)
        g_assert_true (pgqrs_workflow_start (again, NULL, &error));
      g_assert_no_error (error);

      now = run_step_await (again, "at-once", f, &error);
      g_assert_no_error (error);
      assert_json (now, "\"now\"");

      later = run_step_await (again, "later:{\"rows\":[1,2]}", f, &error);
      g_assert_no_error (error);
      assert_json (later, "{\"rows\":[1,2]}");
    }

  /* completed steps are replayed: each body ran once */
  g_assert_cmpuint (calls (f, "at-once"), ==, 1);
  g_assert_cmpuint (calls (f, "later:{\"rows\":[1,2]}"), ==, 1);

  /* a failure resolved from another thread schedules a retry */
  g_assert_null (run_step_await (run, "thread-fails", f, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_STEP_NOT_READY);
  g_assert_nonnull (strstr (error->message, "the remote end went away"));
  g_clear_error (&error);
  g_assert_cmpuint (calls (f, "thread-fails"), ==, 1);

  /* the blocking call cannot wait for a deferred body */
  g_assert_null (pgqrs_workflow_run_step (run, "later:1", deferring_step, f, NULL, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE);
  g_clear_error (&error);

  /* let the resolution nobody waits for any more drop its references */
  while (g_atomic_int_get (&f->pending_resolutions) > 0)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_step_outputs_every_json_type (Fixture       *f,
                                   gconstpointer  data)
{
  static const char * const outputs[] = {
    "{\"a\":[1,{\"b\":null}]}", "[1,\"two\",3.5,true]", "\"text with \\u00e9\"",
    "42", "-7", "2.5", "true", "false", "null", "{}", "[]",
  };
  g_autoptr(PgqrsWorkflow) run = new_run (f, "null");
  g_autoptr(GError) error = NULL;

  pgqrs_workflow_start (run, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    for (guint replay = 0; replay < 2; replay++)
      {
        g_autofree char *name = g_strdup_printf ("json:%s", outputs[i]);
        g_autoptr(JsonNode) out = pgqrs_workflow_run_step (run, name, json_step, f, NULL, &error);
        g_autoptr(JsonNode) expected = pgqrs_test_json (outputs[i]);

        g_assert_no_error (error);
        g_assert_true (json_node_equal (out, expected));
        g_assert_cmpuint (calls (f, name), ==, 1);
      }
}

static void
test_complete_and_wait (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(PgqrsWorkflow) run = new_run (f, "{\"n\":1}");
  g_autoptr(PgqrsWorkflow) seen = NULL;
  g_autoptr(JsonNode) output = pgqrs_test_json ("{\"total\":6}");
  g_autoptr(GError) error = NULL;

  assert_json (pgqrs_workflow_get_input (run), "{\"n\":1}");
  g_assert_false (pgqrs_workflow_complete (run, output, NULL, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE);
  g_assert_nonnull (strstr (error->message, "QUEUED"));
  g_assert_nonnull (strstr (error->message, "SUCCESS"));
  g_clear_error (&error);

  pgqrs_workflow_start (run, NULL, &error);
  g_assert_true (pgqrs_workflow_complete (run, output, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_workflow_get_status (run), ==, PGQRS_RUN_STATUS_SUCCESS);

  /* the result, without blocking, from another object */
  seen = pgqrs_store_get_workflow_run (f->store, pgqrs_workflow_get_id (run), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_workflow_get_status (seen), ==, PGQRS_RUN_STATUS_SUCCESS);
  assert_json (pgqrs_workflow_get_output (seen), "{\"total\":6}");

  g_clear_object (&seen);
  seen = pgqrs_store_get_workflow_run (f->store, 999999, NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_NOT_FOUND);
}

/* Rule 17: terminal states refuse start. */
static void
test_terminal_states_refuse_start (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(JsonNode) value = pgqrs_test_json ("{\"why\":\"test\"}");

  for (guint terminal = 0; terminal < 3; terminal++)
    {
      g_autoptr(PgqrsWorkflow) run = new_run (f, "{}");
      g_autoptr(GError) error = NULL;

      pgqrs_workflow_start (run, NULL, &error);
      g_assert_no_error (error);
      if (terminal == 0)
        pgqrs_workflow_complete (run, value, NULL, &error);
      else if (terminal == 1)
        pgqrs_workflow_fail (run, value, NULL, &error);
      else
        {
          pgqrs_workflow_cancel (run, NULL, &error);
          g_assert_no_error (error);
          g_assert_false (pgqrs_workflow_start (run, NULL, &error));
          g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CANCELLED);
          g_clear_error (&error);
        }
      g_assert_no_error (error);
      g_assert_true (pgqrs_run_status_is_terminal (pgqrs_workflow_get_status (run)));

      g_assert_false (pgqrs_workflow_start (run, NULL, &error));
      g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE);
      g_clear_error (&error);
      g_assert_false (pgqrs_workflow_cancel (run, NULL, &error));
      g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE);
    }
}

/* Rule 19: transient failures retry with backoff, then succeed.  The clock
 * is moved, not waited for: the delays are a minute long. */
static void
test_retry_to_success (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(PgqrsWorkflow) run = new_run (f, "{}");
  g_autoptr(PgqrsRetryPolicy) policy = pgqrs_retry_policy_new_fixed (3, 60);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) out = NULL;
  g_autoptr(PgqrsStep) step = NULL;

  f->fail_times = 2;
  pgqrs_workflow_set_retry_policy (run, policy);
  pgqrs_workflow_start (run, NULL, &error);

  out = pgqrs_workflow_run_step (run, "fetch", flaky_step, f, NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_STEP_NOT_READY);
  g_assert_null (out);
  g_clear_error (&error);

  /* not due yet: the body does not run */
  out = pgqrs_workflow_run_step (run, "fetch", flaky_step, f, NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_STEP_NOT_READY);
  g_assert_cmpuint (calls (f, "fetch"), ==, 1);
  g_clear_error (&error);

  step = pgqrs_workflow_acquire_step (run, "fetch", NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_STEP_NOT_READY);
  g_clear_error (&error);

  /* a second short of the retry time is still too early */
  pgqrs_test_set_clock (f->store, 59);
  out = pgqrs_workflow_run_step (run, "fetch", flaky_step, f, NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_STEP_NOT_READY);
  g_assert_cmpuint (calls (f, "fetch"), ==, 1);
  g_clear_error (&error);

  pgqrs_test_set_clock (f->store, 61);
  out = pgqrs_workflow_run_step (run, "fetch", flaky_step, f, NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_STEP_NOT_READY);
  g_assert_cmpuint (calls (f, "fetch"), ==, 2);
  g_clear_error (&error);

  pgqrs_test_set_clock (f->store, 122);
  out = pgqrs_workflow_run_step (run, "fetch", flaky_step, f, NULL, &error);
  g_assert_no_error (error);
  assert_json (out, "\"recovered\"");
  g_assert_cmpuint (calls (f, "fetch"), ==, 3);
  g_assert_cmpint (pgqrs_workflow_get_status (run), ==, PGQRS_RUN_STATUS_RUNNING);
}

/* The database's clock and stored times, as seconds since the epoch. */
static double
database_now (Fixture *f)
{
  return g_get_real_time () / (double)G_USEC_PER_SEC + f->skew;
}

static double
epoch_seconds (GDateTime *time)
{
  return g_date_time_to_unix (time) + g_date_time_get_microsecond (time) / (double)G_USEC_PER_SEC;
}

static void
set_database_clock (Fixture *f,
                    double   when)
{
  f->skew = when - g_get_real_time () / (double)G_USEC_PER_SEC;
  pgqrs_test_set_clock (f->store, f->skew);
}

/* Stored times have millisecond precision. */
#define CLOCK_SLACK 0.01

/* The default policy: 3 retries, exponential from 1 s with jitter, capped at
 * 60 s.  Failure n stores a retry time d·[½, 1] after the database's clock,
 * d = 1 s·2^(n-1) capped at 60 s, and the step runs again at that time, not
 * before; the fourth failure ends the run. */
static void
test_default_retry_policy (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(PgqrsWorkflow) run = new_run (f, "{}");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) out = NULL;
  gboolean jittered = FALSE;

  f->fail_times = 100;
  pgqrs_workflow_start (run, NULL, &error);
  g_assert_no_error (error);

  for (guint attempt = 1; attempt <= 3; attempt++)
    {
      double full = MIN (60.0, 1 << (attempt - 1));
      double before = database_now (f);
      double after, retry_at;

      out = pgqrs_workflow_run_step (run, "fetch", flaky_step, f, NULL, &error);
      after = database_now (f);
      g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_STEP_NOT_READY);
      g_clear_error (&error);
      g_assert_cmpuint (calls (f, "fetch"), ==, attempt);

      g_assert_cmpuint (pgqrs_step_get_retry_count (f->last_step), ==, attempt);
      g_assert_nonnull (pgqrs_step_get_retry_at (f->last_step));
      retry_at = epoch_seconds (pgqrs_step_get_retry_at (f->last_step));
      g_test_message ("attempt %u: retry after %.3f s", attempt, retry_at - before);
      g_assert_cmpfloat (retry_at - before, >=, full / 2 - CLOCK_SLACK);
      g_assert_cmpfloat (retry_at - after, <=, full + CLOCK_SLACK);
      jittered |= retry_at - before < full - 0.02;

      /* just before the stored time the body does not run */
      set_database_clock (f, retry_at - 0.25);
      out = pgqrs_workflow_run_step (run, "fetch", flaky_step, f, NULL, &error);
      g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_STEP_NOT_READY);
      g_clear_error (&error);
      g_assert_cmpuint (calls (f, "fetch"), ==, attempt);

      set_database_clock (f, retry_at + CLOCK_SLACK);
    }

  /* not every delay is the full one: the three draws all fall within 20 ms
   * of it once in about 10^5 runs */
  g_assert_true (jittered);

  out = pgqrs_workflow_run_step (run, "fetch", flaky_step, f, NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_RETRIES_EXHAUSTED);
  g_assert_null (out);
  g_assert_cmpuint (calls (f, "fetch"), ==, 4);
  g_assert_null (pgqrs_step_get_retry_at (f->last_step));
  g_assert_cmpint (pgqrs_workflow_get_status (run), ==, PGQRS_RUN_STATUS_ERROR);
}

static void
test_retries_exhausted (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(PgqrsWorkflow) run = new_run (f, "{}");
  g_autoptr(PgqrsRetryPolicy) policy = pgqrs_retry_policy_new_fixed (1, 30);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) out = NULL;
  JsonObject *stored;

  f->fail_times = 100;
  pgqrs_workflow_set_retry_policy (run, policy);
  pgqrs_workflow_start (run, NULL, &error);

  out = pgqrs_workflow_run_step (run, "fetch", flaky_step, f, NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_STEP_NOT_READY);
  g_clear_error (&error);
  pgqrs_test_set_clock (f->store, 31);

  out = pgqrs_workflow_run_step (run, "fetch", flaky_step, f, NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_RETRIES_EXHAUSTED);
  g_assert_cmpuint (calls (f, "fetch"), ==, 2);
  g_assert_cmpint (pgqrs_workflow_get_status (run), ==, PGQRS_RUN_STATUS_ERROR);

  stored = json_node_get_object (pgqrs_workflow_get_error (run));
  g_assert_cmpstr (json_object_get_string_member (stored, "step"), ==, "fetch");
  g_assert_cmpstr (json_object_get_string_member (stored, "message"), ==, "the service is down");
  g_assert_true (json_object_get_boolean_member (stored, "retries_exhausted"));
}

static void
test_permanent_failure (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(PgqrsWorkflow) run = new_run (f, "{}");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) out = NULL;

  f->fail_times = 1;
  f->permanent = TRUE;
  pgqrs_workflow_start (run, NULL, &error);

  out = pgqrs_workflow_run_step (run, "charge", flaky_step, f, NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_FAILED);
  g_assert_cmpuint (calls (f, "charge"), ==, 1);
  g_assert_cmpint (pgqrs_workflow_get_status (run), ==, PGQRS_RUN_STATUS_ERROR);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (pgqrs_workflow_get_error (run)),
                                                  "transient"));
}

/* Rule 20: pause is a durable sleep. */
static void
test_pause_then_resume (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(PgqrsWorkflow) run = new_run (f, "{}");
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStep) step = NULL;

  pgqrs_workflow_start (run, NULL, &error);
  g_assert_true (pgqrs_workflow_pause (run, "waiting for approval", 3600, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_workflow_get_status (run), ==, PGQRS_RUN_STATUS_PAUSED);
  g_assert_cmpstr (pgqrs_workflow_get_pause_reason (run), ==, "waiting for approval");
  g_assert_nonnull (pgqrs_workflow_get_resume_at (run));

  /* no step runs while paused, and it does not start early */
  step = pgqrs_workflow_acquire_step (run, "next", NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_false (pgqrs_workflow_start (run, NULL, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_PAUSED);
  g_clear_error (&error);

  /* an hour later, by the database's clock */
  pgqrs_test_set_clock (f->store, 3599);
  g_assert_false (pgqrs_workflow_start (run, NULL, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_PAUSED);
  g_clear_error (&error);

  pgqrs_test_set_clock (f->store, 3601);
  g_assert_true (pgqrs_workflow_start (run, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_workflow_get_status (run), ==, PGQRS_RUN_STATUS_RUNNING);
  g_assert_null (pgqrs_workflow_get_resume_at (run));
}

/* Rule 21: cancel in each state. */
static void
test_cancel_in_each_state (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* QUEUED: finalised when started */
  {
    g_autoptr(PgqrsWorkflow) run = new_run (f, "{}");

    g_assert_true (pgqrs_workflow_cancel (run, NULL, &error));
    g_assert_cmpint (pgqrs_workflow_get_status (run), ==, PGQRS_RUN_STATUS_CANCELLING);
    g_assert_false (pgqrs_workflow_start (run, NULL, &error));
    g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CANCELLED);
    g_clear_error (&error);
    g_assert_cmpint (pgqrs_workflow_get_status (run), ==, PGQRS_RUN_STATUS_CANCELLED);
  }

  /* RUNNING: finalised at the next step boundary, no user code runs */
  {
    g_autoptr(PgqrsWorkflow) run = new_run (f, "{}");
    g_autoptr(PgqrsWorkflow) other = NULL;
    g_autoptr(JsonNode) out = NULL;

    pgqrs_workflow_start (run, NULL, &error);
    out = pgqrs_workflow_run_step (run, "json:1", json_step, f, NULL, &error);
    g_assert_no_error (error);
    g_clear_pointer (&out, json_node_unref);

    other = pgqrs_store_get_workflow_run (f->store, pgqrs_workflow_get_id (run), NULL, &error);
    g_assert_true (pgqrs_workflow_cancel (other, NULL, &error));
    g_assert_no_error (error);

    out = pgqrs_workflow_run_step (run, "json:2", json_step, f, NULL, &error);
    g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CANCELLED);
    g_assert_null (out);
    g_assert_cmpuint (calls (f, "json:2"), ==, 0);
    g_assert_cmpint (pgqrs_workflow_get_status (run), ==, PGQRS_RUN_STATUS_CANCELLED);
    g_clear_error (&error);
  }

  /* PAUSED: cancelling, then cancelled on the next start */
  {
    g_autoptr(PgqrsWorkflow) run = new_run (f, "{}");

    pgqrs_workflow_start (run, NULL, &error);
    pgqrs_workflow_pause (run, NULL, 60, NULL, &error);
    g_assert_true (pgqrs_workflow_cancel (run, NULL, &error));
    g_assert_no_error (error);
    g_assert_false (pgqrs_workflow_start (run, NULL, &error));
    g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CANCELLED);
    g_clear_error (&error);
  }
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static JsonNode *
three_steps (PgqrsWorkflow *run,
             gpointer       user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) a = NULL;
  g_autoptr(JsonNode) b = NULL;
  g_autoptr(JsonNode) c = NULL;

  if (!(a = pgqrs_workflow_run_step (run, "json:1", json_step, f, NULL, &error)) ||
      !(b = pgqrs_workflow_run_step (run, "json:2", json_step, f, NULL, &error)) ||
      !(c = pgqrs_workflow_run_step (run, "json:3", json_step, f, NULL, &error)))
    return NULL;

  return pgqrs_test_json ("{\"sum\":6}");
}

static void
consumer_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  *(gboolean *)user_data = TRUE;
}

static void
stop_consumer (PgqrsConsumer *consumer,
               gboolean      *stopped)
{
  pgqrs_consumer_stop (consumer);
  while (!*stopped)
    g_main_context_iteration (NULL, TRUE);
}

/* Waits up to 5 s for @run to end: its output, or NULL with @error set. */
static JsonNode *
wait_for_run (PgqrsWorkflow  *run,
              GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  /* libSQL: sqld takes 5 s to take back the write lock of a transaction
   * whose client was killed (sigkill-recovery) */
  pgqrs_workflow_wait_async (run, pgqrs_test_backend_kind () == PGQRS_BACKEND_KIND_TURSO ? 15 : 5,
                             NULL, wait_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return pgqrs_workflow_wait_finish (run, result, error);
}

/* The queue "pipelines", with @workflow bound to it. */
static PgqrsQueue *
pipeline_queue (Fixture    *f,
                const char *workflow)
{
  g_autoptr(GError) error = NULL;
  PgqrsQueue *queue = pgqrs_store_create_queue (f->store, "pipelines", NULL, &error);

  g_assert_no_error (error);
  g_assert_true (pgqrs_store_define_workflow (f->store, workflow, "pipelines", NULL, &error));
  g_assert_no_error (error);
  return queue;
}

static PgqrsWorkflow *
trigger (Fixture    *f,
         const char *workflow)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) input = pgqrs_test_json ("{}");
  PgqrsWorkflow *run = pgqrs_store_trigger_workflow (f->store, workflow, input, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_workflow_get_message_id (run), >, 0);
  return run;
}

/* A consumer of @queue named @name that runs @func for each trigger, with
 * the properties that follow (as g_object_set() takes them); *@stopped
 * turns TRUE when it has stopped. */
static PgqrsConsumer *
start_consumer (PgqrsQueue        *queue,
                const char        *name,
                PgqrsWorkflowFunc  func,
                gpointer           func_data,
                gboolean          *stopped,
                const char        *first_property,
                ...)
{
  PgqrsConsumer *consumer = pgqrs_consumer_new (queue, name);
  va_list args;

  va_start (args, first_property);
  g_object_set_valist (G_OBJECT (consumer), first_property, args);
  va_end (args);
  pgqrs_consumer_set_workflow (consumer, func, func_data, NULL);
  pgqrs_consumer_run_async (consumer, NULL, consumer_done_cb, stopped);
  return consumer;
}

/* What a step costs, in requests to the backend: a new step that completes
 * one read (the acquire) and one write (inserting it finished, output and
 * all); a step that completed before, one read. */
static void
test_step_costs (Fixture       *f,
                 gconstpointer  data)
{
  static const PgqrsOp writes[] = {
    PGQRS_OP_STEP_ACQUIRE, PGQRS_OP_STEP_COMPLETE, PGQRS_OP_STEP_FAIL, PGQRS_OP_STEP_RECORD,
    PGQRS_OP_RUN_TRANSITION,
  };
  g_autoptr(PgqrsWorkflow) run = new_run (f, "{}");
  g_autoptr(PgqrsWorkflow) again = NULL;
  g_autoptr(GError) error = NULL;
  guint before[PGQRS_N_OPS];

  g_assert_true (pgqrs_workflow_start (run, NULL, &error));
  g_assert_no_error (error);

  for (guint execution = 0; execution < 2; execution++)
    {
      g_autoptr(JsonNode) out = NULL;
      guint n_writes = 0;

      for (guint op = 0; op < PGQRS_N_OPS; op++)
        before[op] = _pgqrs_store_get_op_count (f->store, op);

      out = pgqrs_workflow_run_step (run, "json:7", json_step, f, NULL, &error);
      g_assert_no_error (error);
      assert_json (out, "7");

      for (guint i = 0; i < G_N_ELEMENTS (writes); i++)
        n_writes += _pgqrs_store_get_op_count (f->store, writes[i]) - before[writes[i]];
      g_assert_cmpuint (_pgqrs_store_get_op_count (f->store, PGQRS_OP_STEP_LOOKUP) -
                        before[PGQRS_OP_STEP_LOOKUP], ==, 1);
      /* the first execution records the step; the second replays it */
      g_assert_cmpuint (n_writes, ==, execution == 0 ? 1 : 0);
      g_assert_cmpuint (_pgqrs_store_get_op_count (f->store, PGQRS_OP_STEP_RECORD) -
                        before[PGQRS_OP_STEP_RECORD], ==, execution == 0 ? 1 : 0);
      for (guint op = 0; op < PGQRS_N_OPS; op++)
        if (op != PGQRS_OP_STEP_LOOKUP && op != PGQRS_OP_STEP_RECORD)
          g_assert_cmpuint (_pgqrs_store_get_op_count (f->store, op), ==, before[op]);
    }
  g_assert_cmpuint (calls (f, "json:7"), ==, 1);

  /* recorded: one row, SUCCESS, with its output and both times */
  {
    g_autoptr(GPtrArray) steps = pgqrs_workflow_list_steps (run, NULL, &error);
    PgqrsStep *step;

    g_assert_no_error (error);
    g_assert_cmpuint (steps->len, ==, 1);
    step = g_ptr_array_index (steps, 0);
    g_assert_cmpint (pgqrs_step_get_id (step), >, 0);
    g_assert_cmpint (pgqrs_step_get_status (step), ==, PGQRS_STEP_STATUS_SUCCESS);
    assert_json (pgqrs_step_get_output (step), "7");
  }
}

/* Rule 18 with two executors of one run (say, a process that was thought
 * dead and one started in its place) that acquired the same new step: the
 * first completion is stored, the second is refused and replaces nothing,
 * and every later acquire replays the first output without running the
 * body. */
static void
test_step_recorded_once (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(PgqrsWorkflow) run = new_run (f, "{}");
  g_autoptr(PgqrsWorkflow) other = NULL;
  g_autoptr(PgqrsWorkflow) later = NULL;
  g_autoptr(PgqrsStep) mine = NULL;
  g_autoptr(PgqrsStep) theirs = NULL;
  g_autoptr(PgqrsStep) replayed = NULL;
  g_autoptr(JsonNode) first = pgqrs_test_json ("{\"by\":\"first\"}");
  g_autoptr(JsonNode) second = pgqrs_test_json ("{\"by\":\"second\"}");
  g_autoptr(JsonNode) out = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (pgqrs_workflow_start (run, NULL, &error));
  g_assert_no_error (error);
  other = pgqrs_store_get_workflow_run (f->store, pgqrs_workflow_get_id (run), NULL, &error);
  g_assert_no_error (error);

  mine = pgqrs_workflow_acquire_step (run, "json:0", NULL, &error);
  g_assert_no_error (error);
  theirs = pgqrs_workflow_acquire_step (other, "json:0", NULL, &error);
  g_assert_no_error (error);
  g_assert_false (pgqrs_step_is_cached (mine));
  g_assert_false (pgqrs_step_is_cached (theirs));

  g_assert_true (pgqrs_step_complete (mine, first, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_step_get_id (mine), >, 0);
  g_assert_cmpint (pgqrs_step_get_status (mine), ==, PGQRS_STEP_STATUS_SUCCESS);

  g_assert_false (pgqrs_step_complete (theirs, second, NULL, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE);
  g_clear_error (&error);
  /* nor may a failure overwrite it */
  g_assert_false (pgqrs_step_fail (theirs, "late", FALSE, NULL, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE);
  g_clear_error (&error);

  later = pgqrs_store_get_workflow_run (f->store, pgqrs_workflow_get_id (run), NULL, &error);
  g_assert_no_error (error);
  replayed = pgqrs_workflow_acquire_step (later, "json:0", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pgqrs_step_is_cached (replayed));
  g_assert_cmpint (pgqrs_step_get_id (replayed), ==, pgqrs_step_get_id (mine));
  assert_json (pgqrs_step_get_output (replayed), "{\"by\":\"first\"}");

  out = pgqrs_workflow_run_step (later, "json:0", json_step, f, NULL, &error);
  g_assert_no_error (error);
  assert_json (out, "{\"by\":\"first\"}");
  g_assert_cmpuint (calls (f, "json:0"), ==, 0);
  g_assert_cmpint (pgqrs_workflow_get_status (run), ==, PGQRS_RUN_STATUS_RUNNING);
}

/* Leases the run's trigger and starts the run under that lease, as a
 * consumer's executor does; *message (if not NULL): the leased trigger. */
static PgqrsWorkflow *
start_executor (Fixture       *f,
                PgqrsQueue    *queue,
                gint64         run_id,
                PgqrsMessage **message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) leased = pgqrs_queue_dequeue (queue, 1, 30, NULL, &error);
  PgqrsWorkflow *run;
  PgqrsMessage *trigger_message;

  g_assert_no_error (error);
  g_assert_cmpuint (leased->len, ==, 1);
  trigger_message = g_ptr_array_index (leased, 0);
  run = pgqrs_store_get_workflow_run (f->store, run_id, NULL, &error);
  g_assert_no_error (error);
  _pgqrs_workflow_set_fence (run, pgqrs_message_get_id (trigger_message),
                             _pgqrs_message_get_lease_count (trigger_message));
  g_assert_true (pgqrs_workflow_start (run, NULL, &error));
  g_assert_no_error (error);
  if (message != NULL)
    *message = g_object_ref (trigger_message);

  return run;
}

/* A run's executor leases its trigger (its fence), acquires a new step and
 * stalls past the lease; another executor leases the trigger again.  The
 * first one's completion records nothing — no row, and the step is new to
 * the second executor, whose output is the one stored — and it acquires
 * nothing more. */
static void
test_fenced_out_records_nothing (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(PgqrsQueue) queue = pipeline_queue (f, "pipeline");
  g_autoptr(PgqrsWorkflow) triggered = trigger (f, "pipeline");
  gint64 run_id = pgqrs_workflow_get_id (triggered);
  g_autoptr(PgqrsWorkflow) stale = start_executor (f, queue, run_id, NULL);
  g_autoptr(PgqrsWorkflow) current = NULL;
  g_autoptr(PgqrsStep) stale_step = NULL;
  g_autoptr(PgqrsStep) step = NULL;
  g_autoptr(PgqrsStep) more = NULL;
  g_autoptr(GPtrArray) steps = NULL;
  g_autoptr(JsonNode) stale_output = pgqrs_test_json ("\"stale\"");
  g_autoptr(JsonNode) output = pgqrs_test_json ("\"current\"");
  g_autoptr(GError) error = NULL;

  stale_step = pgqrs_workflow_acquire_step (stale, "json:0", NULL, &error);
  g_assert_no_error (error);
  pgqrs_test_set_clock (f->store, 60);   /* the first lease has expired */
  current = start_executor (f, queue, run_id, NULL);

  g_assert_false (pgqrs_step_complete (stale_step, stale_output, NULL, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_SUPERSEDED);
  g_clear_error (&error);
  g_assert_true (_pgqrs_workflow_is_superseded (stale));

  more = pgqrs_workflow_acquire_step (stale, "json:1", NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_SUPERSEDED);
  g_assert_null (more);
  g_clear_error (&error);

  steps = pgqrs_workflow_list_steps (current, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (steps->len, ==, 0);

  step = pgqrs_workflow_acquire_step (current, "json:0", NULL, &error);
  g_assert_no_error (error);
  g_assert_false (pgqrs_step_is_cached (step));
  g_assert_true (pgqrs_step_complete (step, output, NULL, &error));
  g_assert_no_error (error);

  g_clear_pointer (&steps, g_ptr_array_unref);
  steps = pgqrs_workflow_list_steps (current, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (steps->len, ==, 1);
  assert_json (pgqrs_step_get_output (g_ptr_array_index (steps, 0)), "\"current\"");
}

/* A triggered run's completion archives its trigger in the same
 * transaction, under its executor's fence: an executor whose lease was
 * taken over completes nothing and archives nothing; the current one does
 * both, and the trigger is archived as handled. */
static void
test_completion_archives_trigger (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(PgqrsQueue) queue = pipeline_queue (f, "pipeline");
  g_autoptr(PgqrsWorkflow) triggered = trigger (f, "pipeline");
  gint64 run_id = pgqrs_workflow_get_id (triggered);
  g_autoptr(PgqrsWorkflow) stale = start_executor (f, queue, run_id, NULL);
  g_autoptr(PgqrsWorkflow) current = NULL;
  g_autoptr(PgqrsMessage) leased = NULL;
  g_autoptr(PgqrsMessage) stored = NULL;
  g_autoptr(JsonNode) stale_output = pgqrs_test_json ("\"stale\"");
  g_autoptr(JsonNode) output = pgqrs_test_json ("\"current\"");
  g_autoptr(GError) error = NULL;
  gboolean archived = TRUE;

  pgqrs_test_set_clock (f->store, 60);   /* the first lease has expired */
  current = start_executor (f, queue, run_id, &leased);

  g_assert_false (_pgqrs_workflow_complete_triggered (stale, stale_output, &archived, &error));
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_SUPERSEDED);
  g_clear_error (&error);
  g_assert_false (archived);

  stored = pgqrs_queue_get_message (queue, pgqrs_message_get_id (leased), NULL, &error);
  g_assert_no_error (error);
  g_assert_null (pgqrs_message_get_archived_at (stored));
  g_assert_cmpint (_pgqrs_message_get_lease_count (stored), ==, _pgqrs_message_get_lease_count (leased));
  g_assert_true (pgqrs_workflow_refresh (triggered, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_workflow_get_status (triggered), ==, PGQRS_RUN_STATUS_RUNNING);

  g_assert_true (_pgqrs_workflow_complete_triggered (current, output, &archived, &error));
  g_assert_no_error (error);
  g_assert_true (archived);
  g_assert_cmpint (pgqrs_workflow_get_status (current), ==, PGQRS_RUN_STATUS_SUCCESS);
  assert_json (pgqrs_workflow_get_output (current), "\"current\"");

  g_clear_object (&stored);
  stored = pgqrs_queue_get_message (queue, pgqrs_message_get_id (leased), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pgqrs_message_get_archived_at (stored));
  g_assert_cmpint (pgqrs_message_get_archive_reason (stored), ==, PGQRS_ARCHIVE_REASON_DONE);
  /* the lease is over: a late acknowledgement of it changes nothing */
  g_assert_cmpint (_pgqrs_message_get_lease_count (stored), >, _pgqrs_message_get_lease_count (leased));
}

/* Rule 22's happy path: a triggered run handled by a consumer; the caller
 * waits for the result asynchronously, with a timeout. */
static void
test_triggered_run (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(PgqrsWorkflow) run = NULL;
  g_autoptr(PgqrsWorkflow) unbound = NULL;
  g_autoptr(PgqrsConsumer) consumer = NULL;
  g_autoptr(JsonNode) input = pgqrs_test_json ("{\"n\":3}");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) output = NULL;
  g_autoptr(PgqrsQueueMetrics) metrics = NULL;
  gboolean stopped = FALSE;

  unbound = pgqrs_store_trigger_workflow (f->store, "pipeline", input, NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION);
  g_clear_error (&error);

  queue = pipeline_queue (f, "pipeline");
  run = trigger (f, "pipeline");

  /* nobody runs it yet: waiting times out */
  pgqrs_workflow_wait_async (run, 0.2, NULL, wait_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  output = pgqrs_workflow_wait_finish (run, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_clear_error (&error);
  g_clear_object (&result);

  consumer = start_consumer (queue, "pipeline-runner", three_steps, f, &stopped, NULL);

  output = wait_for_run (run, &error);
  g_assert_no_error (error);
  assert_json (output, "{\"sum\":6}");
  g_assert_cmpuint (calls (f, "json:1"), ==, 1);
  g_assert_cmpuint (calls (f, "json:3"), ==, 1);

  stop_consumer (consumer, &stopped);

  metrics = pgqrs_store_get_metrics (f->store, "pipelines", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_queue_metrics_get_archived (metrics), ==, 1);
}

/* What a triggered run costs its consumer, in requests to the backend:
 * no read of the run before it starts (the start answers with the whole
 * run), two run transitions (start and complete), per new step one
 * lookup and one write, and no acknowledgement: the completion archived
 * the trigger. */
static void
test_triggered_run_costs (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = pipeline_queue (f, "pipeline");
  g_autoptr(PgqrsWorkflow) run = trigger (f, "pipeline");
  g_autoptr(PgqrsConsumer) consumer = NULL;
  g_autoptr(JsonNode) output = NULL;
  gboolean stopped = FALSE;
  guint before[PGQRS_N_OPS];
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gint64 archived = 0;

  for (guint op = 0; op < PGQRS_N_OPS; op++)
    before[op] = _pgqrs_store_get_op_count (f->store, op);

  consumer = start_consumer (queue, "costed-runner", three_steps, f, &stopped, NULL);
  /* waiting on the queue's metrics, which read no run */
  while (archived == 0 && g_get_monotonic_time () < deadline)
    {
      g_autoptr(PgqrsQueueMetrics) metrics = pgqrs_store_get_metrics (f->store, "pipelines", NULL, &error);

      g_assert_no_error (error);
      archived = pgqrs_queue_metrics_get_archived (metrics);
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_cmpint (archived, ==, 1);
  stop_consumer (consumer, &stopped);

  g_assert_cmpuint (_pgqrs_store_get_op_count (f->store, PGQRS_OP_RUN_GET) - before[PGQRS_OP_RUN_GET], ==, 0);
  g_assert_cmpuint (_pgqrs_store_get_op_count (f->store, PGQRS_OP_RUN_TRANSITION) -
                    before[PGQRS_OP_RUN_TRANSITION], ==, 2);
  g_assert_cmpuint (_pgqrs_store_get_op_count (f->store, PGQRS_OP_STEP_LOOKUP) -
                    before[PGQRS_OP_STEP_LOOKUP], ==, 3);
  g_assert_cmpuint (_pgqrs_store_get_op_count (f->store, PGQRS_OP_STEP_RECORD) -
                    before[PGQRS_OP_STEP_RECORD], ==, 3);
  g_assert_cmpuint (_pgqrs_store_get_op_count (f->store, PGQRS_OP_ARCHIVE) -
                    before[PGQRS_OP_ARCHIVE], ==, 0);

  output = wait_for_run (run, &error);
  g_assert_no_error (error);
  assert_json (output, "{\"sum\":6}");
}

/* A consumer that deletes what it handled deletes a finished run's
 * trigger, not the run: its status and output stay. */
static void
test_triggered_run_delete_on_success (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = pipeline_queue (f, "pipeline");
  g_autoptr(PgqrsWorkflow) run = trigger (f, "pipeline");
  g_autoptr(PgqrsConsumer) consumer = NULL;
  g_autoptr(JsonNode) output = NULL;
  g_autoptr(PgqrsQueueMetrics) metrics = NULL;
  gboolean stopped = FALSE;

  consumer = start_consumer (queue, "deleting-runner", three_steps, f, &stopped,
                             "delete-on-success", TRUE, NULL);
  output = wait_for_run (run, &error);
  g_assert_no_error (error);
  stop_consumer (consumer, &stopped);

  metrics = pgqrs_store_get_metrics (f->store, "pipelines", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_queue_metrics_get_total (metrics), ==, 0);

  g_assert_true (pgqrs_workflow_refresh (run, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_workflow_get_status (run), ==, PGQRS_RUN_STATUS_SUCCESS);
  assert_json (pgqrs_workflow_get_output (run), "{\"sum\":6}");
  g_assert_cmpint (pgqrs_workflow_get_message_id (run), ==, 0);
}

/* A workflow function for a consumer with workflow-in-thread off: it runs
 * in the consumer's context (this thread), chains its steps with
 * run_step_async and resolves the deferred run at the end. */
typedef struct
{
  Fixture       *f;
  PgqrsWorkflow *run;
  guint          next;
} Chain;

static void chain_next (Chain *chain);

static void
chain_step_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Chain *chain = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) output = pgqrs_workflow_run_step_finish (PGQRS_WORKFLOW (source), result, &error);

  g_assert_no_error (error);
  chain_next (chain);
}

static void
chain_next (Chain *chain)
{
  static const char * const steps[] = { "later:1", "json:2", "later:3" };

  if (chain->next < G_N_ELEMENTS (steps))
    {
      pgqrs_workflow_run_step_async (chain->run, steps[chain->next++], deferring_step, chain->f,
                                     NULL, NULL, chain_step_done_cb, chain);
      return;
    }

  {
    g_autoptr(JsonNode) output = pgqrs_test_json ("{\"sum\":6}");

    pgqrs_workflow_resolve (chain->run, output);
    g_object_unref (chain->run);
    g_free (chain);
  }
}

static JsonNode *
chained_steps (PgqrsWorkflow *run,
               gpointer       user_data)
{
  Fixture *f = user_data;
  Chain *chain = g_new0 (Chain, 1);

  /* the consumer's context: the test's thread */
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));

  chain->f = f;
  chain->run = g_object_ref (run);
  pgqrs_workflow_defer (run);
  chain_next (chain);

  return NULL;   /* ignored: deferred */
}

static void
test_triggered_run_in_context (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(PgqrsWorkflow) run = NULL;
  g_autoptr(PgqrsConsumer) consumer = NULL;
  g_autoptr(JsonNode) output = NULL;
  gboolean stopped = FALSE;

  queue = pipeline_queue (f, "chained");
  run = trigger (f, "chained");
  consumer = start_consumer (queue, "context-runner", chained_steps, f, &stopped,
                             "workflow-in-thread", FALSE, NULL);

  output = wait_for_run (run, &error);
  g_assert_no_error (error);
  assert_json (output, "{\"sum\":6}");
  g_assert_cmpuint (calls (f, "later:1"), ==, 1);
  g_assert_cmpuint (calls (f, "json:2"), ==, 1);
  g_assert_cmpuint (calls (f, "later:3"), ==, 1);

  stop_consumer (consumer, &stopped);
  while (g_atomic_int_get (&f->pending_resolutions) > 0)
    g_main_context_iteration (NULL, TRUE);
}

/* A deferred run that never resolves (a promise that never settles). */
static JsonNode *
never_resolves (PgqrsWorkflow *run,
                gpointer       user_data)
{
  Fixture *f = user_data;

  count_call (f, "never");
  pgqrs_workflow_defer (run);
  return NULL;
}

/* Rule 16 with a deferred run: stop still ends at the stop timeout, and
 * the trigger goes back to the queue for the next consumer. */
static void
test_stop_with_unresolved_run (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = pipeline_queue (f, "hanging");
  g_autoptr(PgqrsWorkflow) run = trigger (f, "hanging");
  g_autoptr(PgqrsConsumer) consumer = NULL;
  g_autoptr(PgqrsQueueMetrics) metrics = NULL;
  g_autoptr(JsonNode) output = NULL;
  gboolean stopped = FALSE;
  gint64 stop_us;

  consumer = start_consumer (queue, "hanging-runner", never_resolves, f, &stopped,
                             "workflow-in-thread", FALSE, "stop-timeout", 0.3, NULL);
  while (calls (f, "never") == 0)
    g_main_context_iteration (NULL, TRUE);

  stop_us = g_get_monotonic_time ();
  stop_consumer (consumer, &stopped);
  g_assert_cmpint (g_get_monotonic_time () - stop_us, <, 2 * G_USEC_PER_SEC);

  metrics = pgqrs_store_get_metrics (f->store, "pipelines", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_queue_metrics_get_pending (metrics), ==, 1);
  g_assert_cmpint (pgqrs_queue_metrics_get_leased (metrics), ==, 0);

  /* not failed: RUNNING, as after a crash, and the next consumer runs it */
  g_assert_true (pgqrs_workflow_refresh (run, NULL, &error));
  g_assert_cmpint (pgqrs_workflow_get_status (run), ==, PGQRS_RUN_STATUS_RUNNING);
  g_clear_object (&consumer);
  stopped = FALSE;
  consumer = start_consumer (queue, "next-runner", three_steps, f, &stopped, NULL);
  output = wait_for_run (run, &error);
  g_assert_no_error (error);
  assert_json (output, "{\"sum\":6}");
  stop_consumer (consumer, &stopped);
}

/* Quick runs through a consumer of concurrency 1: while one runs, the
 * trigger of the next waits on deck in the runner, leased, so that the
 * runner's thread goes on to it without a hop through the consumer's
 * context.  Its lease is not kept alive while it waits (a run that stalls
 * holds its successor no longer than a lease), and a stop gives it back
 * unstarted. */
typedef struct
{
  GMutex   lock;
  GCond    cond;
  gboolean hold;
  gboolean held;
} Gate;

static JsonNode *
gated_workflow (PgqrsWorkflow *run,
                gpointer       user_data)
{
  Gate *gate = user_data;

  g_mutex_lock (&gate->lock);
  if (gate->hold)
    {
      gate->held = TRUE;
      while (gate->hold)
        g_cond_wait (&gate->cond, &gate->lock);
    }
  g_mutex_unlock (&gate->lock);

  return pgqrs_test_json ("{\"done\":true}");
}

static void
spin_seconds (double seconds)
{
  gint64 until = g_get_monotonic_time () + (gint64)(seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2 * 1000);
    }
}

static PgqrsRunStatus
run_status (PgqrsWorkflow *run)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pgqrs_workflow_refresh (run, NULL, &error));
  g_assert_no_error (error);
  return pgqrs_workflow_get_status (run);
}

static void
test_next_trigger_on_deck (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = pipeline_queue (f, "gated");
  g_autoptr(PgqrsWorkflow) first = trigger (f, "gated");
  g_autoptr(PgqrsWorkflow) second = NULL;
  g_autoptr(PgqrsWorkflow) third = NULL;
  g_autoptr(PgqrsConsumer) consumer = NULL;
  g_autoptr(PgqrsQueueMetrics) metrics = NULL;
  g_autoptr(JsonNode) output = NULL;
  gint64 deadline;
  gboolean stopped = FALSE;
  Gate gate = { 0 };

  g_mutex_init (&gate.lock);
  g_cond_init (&gate.cond);
  consumer = start_consumer (queue, "on-deck", gated_workflow, &gate, &stopped,
                             "visibility-timeout", 1.0, "heartbeat-interval", 0.1,
                             "stop-timeout", 10.0, NULL);

  /* a quick run first: runs are quick */
  output = wait_for_run (first, &error);
  g_assert_no_error (error);

  g_mutex_lock (&gate.lock);
  gate.hold = TRUE;
  g_mutex_unlock (&gate.lock);
  second = trigger (f, "gated");
  third = trigger (f, "gated");

  /* the second runs (held at the gate), the third waits on deck */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!g_atomic_int_get (&gate.held) || _pgqrs_consumer_get_n_on_deck (consumer) < 1)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      spin_seconds (0.01);
    }
  g_assert_cmpuint (_pgqrs_consumer_get_n_on_deck (consumer), ==, 1);
  metrics = pgqrs_store_get_metrics (f->store, "pipelines", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_queue_metrics_get_leased (metrics), ==, 2);
  g_clear_object (&metrics);

  /* past the visibility timeout: the running one's lease is kept alive,
   * the one on deck is visible again */
  spin_seconds (2.0);
  metrics = pgqrs_store_get_metrics (f->store, "pipelines", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_queue_metrics_get_leased (metrics), ==, 1);
  g_assert_cmpint (pgqrs_queue_metrics_get_pending (metrics), ==, 1);
  g_clear_object (&metrics);

  /* a stop gives the third back at once, unstarted, and waits for the
   * second */
  pgqrs_consumer_stop (consumer);
  g_assert_cmpuint (_pgqrs_consumer_get_n_on_deck (consumer), ==, 0);
  g_mutex_lock (&gate.lock);
  gate.hold = FALSE;
  g_cond_broadcast (&gate.cond);
  g_mutex_unlock (&gate.lock);
  while (!stopped)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpint (run_status (second), ==, PGQRS_RUN_STATUS_SUCCESS);
  g_assert_cmpint (run_status (third), ==, PGQRS_RUN_STATUS_QUEUED);
  metrics = pgqrs_store_get_metrics (f->store, "pipelines", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_queue_metrics_get_pending (metrics), ==, 1);
  g_assert_cmpint (pgqrs_queue_metrics_get_leased (metrics), ==, 0);

  g_mutex_clear (&gate.lock);
  g_cond_clear (&gate.cond);
}

/* Through a consumer: a step that fails once is retried when its trigger
 * comes back at the retry time, and a pause is a durable sleep. */
static JsonNode *
sleepy_flaky_workflow (PgqrsWorkflow *run,
                       gpointer       user_data)
{
  Fixture *f = user_data;
  g_autoptr(PgqrsRetryPolicy) policy = pgqrs_retry_policy_new_fixed (3, 60);
  g_autoptr(JsonNode) fetched = NULL;
  g_autoptr(GError) error = NULL;

  pgqrs_workflow_set_retry_policy (run, policy);

  if (!(fetched = pgqrs_workflow_run_step (run, "fetch", flaky_step, f, NULL, &error)))
    return NULL;

  /* sleep once, durably, between the steps */
  if (calls (f, "slept") == 0)
    {
      count_call (f, "slept");
      pgqrs_workflow_pause (run, "cooling down", 3600, NULL, &error);
      g_assert_no_error (error);
      return NULL;
    }

  return json_node_copy (fetched);
}

/* Runs the main context until the consumer has settled every trigger
 * message of "pipelines": none is visible or leased, and @delayed of them
 * wait for a later time. */
static void
wait_until_settled (Fixture *f,
                    gint64   delayed)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  g_autoptr(GError) error = NULL;

  for (;;)
    {
      g_autoptr(PgqrsQueueMetrics) m = pgqrs_store_get_metrics (f->store, "pipelines", NULL, &error);

      g_assert_no_error (error);
      if (pgqrs_queue_metrics_get_pending (m) == 0 && pgqrs_queue_metrics_get_leased (m) == 0 &&
          pgqrs_queue_metrics_get_delayed (m) == delayed)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5 * 1000);
    }
}

/* Runs the main context until the run's trigger message waits, unleased,
 * for a time @at_least seconds after the clock (f->skew): the consumer has put it
 * off rather than spinning on it. */
static void
wait_until_put_off (Fixture *f,
                    double   at_least)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(GPtrArray) none = NULL;

  wait_until_settled (f, 1);

  /* delayed by the whole retry or pause time, not a poll interval */
  queue = pgqrs_store_get_queue (f->store, "pipelines", NULL, &error);
  g_assert_no_error (error);
  pgqrs_test_set_clock (f->store, f->skew + at_least - 1);
  none = pgqrs_queue_dequeue (queue, 1, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_triggered_retry_and_pause (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(PgqrsWorkflow) run = NULL;
  g_autoptr(PgqrsConsumer) consumer = NULL;
  g_autoptr(JsonNode) output = NULL;
  gboolean stopped = FALSE;

  f->fail_times = 1;
  queue = pipeline_queue (f, "sleepy");
  run = trigger (f, "sleepy");
  consumer = start_consumer (queue, "sleepy-runner", sleepy_flaky_workflow, f, &stopped, NULL);

  /* fetch fails once: the trigger comes back in a minute */
  wait_until_put_off (f, 60);
  g_assert_cmpuint (calls (f, "fetch"), ==, 1);
  f->skew += 61;
  pgqrs_test_set_clock (f->store, f->skew);

  /* fetch succeeds, then the run sleeps for an hour */
  wait_until_put_off (f, 3600);
  g_assert_cmpuint (calls (f, "fetch"), ==, 2);
  g_assert_cmpuint (calls (f, "slept"), ==, 1);
  f->skew += 3601;
  pgqrs_test_set_clock (f->store, f->skew);

  output = wait_for_run (run, &error);
  g_assert_no_error (error);
  assert_json (output, "\"recovered\"");

  g_assert_cmpuint (calls (f, "fetch"), ==, 2);
  g_assert_cmpuint (calls (f, "slept"), ==, 1);

  stop_consumer (consumer, &stopped);
}

/* The name under which calls of the workflow function for @run count. */
static char *
run_key (PgqrsWorkflow *run)
{
  return g_strdup_printf ("run:%" G_GINT64_FORMAT, pgqrs_workflow_get_id (run));
}

static guint
run_calls (Fixture       *f,
           PgqrsWorkflow *run)
{
  g_autofree char *key = run_key (run);

  return calls (f, key);
}

/* Counts its calls per run and pauses the run for an hour. */
static JsonNode *
pausing_workflow (PgqrsWorkflow *run,
                  gpointer       user_data)
{
  Fixture *f = user_data;
  g_autofree char *key = run_key (run);
  g_autoptr(GError) error = NULL;

  count_call (f, key);
  pgqrs_workflow_pause (run, "sleeping", 3600, NULL, &error);
  g_assert_no_error (error);
  return NULL;
}

static void
assert_triggers (Fixture *f,
                 gint64   total,
                 gint64   archived)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueueMetrics) m = pgqrs_store_get_metrics (f->store, "pipelines", NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_queue_metrics_get_total (m), ==, total);
  g_assert_cmpint (pgqrs_queue_metrics_get_archived (m), ==, archived);
  g_assert_cmpint (pgqrs_queue_metrics_get_dead_lettered (m), ==, 0);
}

/* Rule 21 for triggered runs: one cancelled while QUEUED and one while
 * PAUSED end CANCELLED when a consumer next gets their trigger, without a
 * call of the workflow function, and their triggers are done with. */
static void
test_triggered_cancel_before_delivery (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(PgqrsWorkflow) queued = NULL;
  g_autoptr(PgqrsWorkflow) paused = NULL;
  g_autoptr(PgqrsConsumer) consumer = NULL;
  g_autoptr(JsonNode) output = NULL;
  gboolean stopped = FALSE;

  queue = pipeline_queue (f, "sleeper");
  queued = trigger (f, "sleeper");
  paused = trigger (f, "sleeper");

  g_assert_true (pgqrs_workflow_cancel (queued, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_workflow_get_status (queued), ==, PGQRS_RUN_STATUS_CANCELLING);

  consumer = start_consumer (queue, "sleeper-runner", pausing_workflow, f, &stopped, NULL);

  /* the cancelled run ends on delivery; the other one runs and pauses */
  output = wait_for_run (queued, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CANCELLED);
  g_assert_null (output);
  g_clear_error (&error);
  wait_until_put_off (f, 3600);
  g_assert_cmpuint (run_calls (f, queued), ==, 0);
  g_assert_cmpuint (run_calls (f, paused), ==, 1);
  assert_triggers (f, 2, 1);

  g_assert_true (pgqrs_workflow_refresh (paused, NULL, &error));
  g_assert_cmpint (pgqrs_workflow_get_status (paused), ==, PGQRS_RUN_STATUS_PAUSED);
  g_assert_true (pgqrs_workflow_cancel (paused, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pgqrs_workflow_get_status (paused), ==, PGQRS_RUN_STATUS_CANCELLING);

  /* the pause is over: its trigger comes back and only finalises it */
  f->skew += 3601;
  pgqrs_test_set_clock (f->store, f->skew);
  output = wait_for_run (paused, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CANCELLED);
  g_assert_null (output);
  wait_until_settled (f, 0);
  g_assert_cmpuint (run_calls (f, paused), ==, 1);
  g_assert_cmpuint (run_calls (f, queued), ==, 0);
  assert_triggers (f, 2, 2);

  stop_consumer (consumer, &stopped);
}

/* A step body that cancels its own run through another object, as another
 * process would while the step is in flight, and then finishes. */
static JsonNode *
cancelling_step (PgqrsStep *step,
                 gpointer   user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsWorkflow) other =
    pgqrs_store_get_workflow_run (f->store, pgqrs_workflow_get_id (pgqrs_step_get_workflow (step)),
                                  NULL, &error);

  g_assert_no_error (error);
  g_set_object (&f->last_step, step);
  count_call (f, pgqrs_step_get_name (step));
  g_assert_true (pgqrs_workflow_cancel (other, NULL, &error));
  g_assert_no_error (error);

  return pgqrs_test_json ("\"finished anyway\"");
}

static JsonNode *
cancelled_mid_step_workflow (PgqrsWorkflow *run,
                             gpointer       user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;

  count_call (f, "workflow");
  first = pgqrs_workflow_run_step (run, "in-flight", cancelling_step, f, NULL, &error);
  g_assert_no_error (error);
  assert_json (first, "\"finished anyway\"");

  second = pgqrs_workflow_run_step (run, "json:2", json_step, f, NULL, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CANCELLED);
  g_assert_null (second);
  g_assert_cmpint (pgqrs_workflow_get_status (run), ==, PGQRS_RUN_STATUS_CANCELLED);

  return NULL;
}

/* Rule 21 mid-step: the step in flight when the run is cancelled finishes
 * and its output is recorded; the run ends CANCELLED at the next step
 * boundary, whose body does not run, and is not run again. */
static void
test_triggered_cancel_mid_step (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(PgqrsWorkflow) run = NULL;
  g_autoptr(PgqrsConsumer) consumer = NULL;
  g_autoptr(JsonNode) output = NULL;
  gboolean stopped = FALSE;

  queue = pipeline_queue (f, "doomed");
  run = trigger (f, "doomed");
  consumer = start_consumer (queue, "doomed-runner", cancelled_mid_step_workflow, f, &stopped, NULL);

  output = wait_for_run (run, &error);
  g_assert_error (error, PGQRS_ERROR, PGQRS_ERROR_CANCELLED);
  g_assert_null (output);
  wait_until_settled (f, 0);
  assert_triggers (f, 1, 1);

  g_assert_cmpuint (calls (f, "workflow"), ==, 1);
  g_assert_cmpuint (calls (f, "in-flight"), ==, 1);
  g_assert_cmpuint (calls (f, "json:2"), ==, 0);
  g_assert_cmpint (pgqrs_step_get_status (f->last_step), ==, PGQRS_STEP_STATUS_SUCCESS);
  assert_json (pgqrs_step_get_output (f->last_step), "\"finished anyway\"");

  stop_consumer (consumer, &stopped);
}

/* The crash test's child: runs the workflow's consumer, and blocks for
 * ever inside step 2, where the parent kills it. */
typedef struct
{
  const char *log;
  gboolean    hang_in_step_2;
} Crash;

static void
crash_log (const char *log,
           const char *line)
{
  FILE *file = fopen (log, "a");

  g_assert_nonnull (file);
  fprintf (file, "%s\n", line);
  fclose (file);
}

static JsonNode *
crash_step (PgqrsStep *step,
            gpointer   user_data)
{
  Crash *crash = user_data;
  const char *name = pgqrs_step_get_name (step);

  crash_log (crash->log, name);

  if (g_str_equal (name, "step-2") && crash->hang_in_step_2)
    {
      g_print ("in step 2\n");
      fflush (stdout);
      for (;;)
        g_usleep (G_USEC_PER_SEC);
    }

  return json_node_init_int (json_node_alloc (), name[5] - '0');
}

static JsonNode *
crash_workflow (PgqrsWorkflow *run,
                gpointer       user_data)
{
  g_autoptr(JsonNode) one = NULL;
  g_autoptr(JsonNode) two = NULL;
  g_autoptr(JsonNode) three = NULL;
  g_autofree char *text = NULL;

  if (!(one = pgqrs_workflow_run_step (run, "step-1", crash_step, user_data, NULL, NULL)) ||
      !(two = pgqrs_workflow_run_step (run, "step-2", crash_step, user_data, NULL, NULL)) ||
      !(three = pgqrs_workflow_run_step (run, "step-3", crash_step, user_data, NULL, NULL)))
    return NULL;

  text = g_strdup_printf ("[%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "]",
                          json_node_get_int (one), json_node_get_int (two), json_node_get_int (three));
  return pgqrs_test_json (text);
}

static int
run_crash_child (const char *dsn,
                 const char *log)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsStore) store = pgqrs_store_new (dsn, NULL, &error);
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(PgqrsConsumer) consumer = NULL;
  Crash crash = { log, TRUE };

  if (store == NULL || !(queue = pgqrs_store_get_queue (store, "pipelines", NULL, &error)))
    g_error ("child: %s", error->message);

  consumer = pgqrs_consumer_new (queue, "doomed-runner");
  g_object_set (consumer, "visibility-timeout", 1.0, "heartbeat-interval", 0.2, NULL);
  pgqrs_consumer_set_workflow (consumer, crash_workflow, &crash, NULL);
  pgqrs_consumer_run (consumer, NULL, &error);

  return 0;
}

/* Rule 22: a child runs a 3-step workflow and is killed with SIGKILL in
 * step 2; after the lease expires this process picks the run up: step 1 is
 * not run again, step 2 is, step 3 runs once, and the run succeeds. */
static void
test_sigkill_recovery (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dsn = NULL;
  g_autofree char *dir = g_dir_make_tmp ("pgqrs-crash-XXXXXX", NULL);
  g_autofree char *log = g_build_filename (dir, "steps.log", NULL);
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *line = NULL;
  g_autofree char *steps = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(PgqrsQueue) queue = NULL;
  g_autoptr(PgqrsWorkflow) run = NULL;
  g_autoptr(PgqrsConsumer) consumer = NULL;
  g_autoptr(JsonNode) output = NULL;
  Crash crash = { NULL, FALSE };
  gboolean stopped = FALSE;

  crash.log = log;
  queue = pipeline_queue (f, "crashy");
  run = trigger (f, "crashy");

  g_object_get (pgqrs_store_get_config (f->store), "dsn", &dsn, NULL);
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            self_path, "--crash-child", dsn, log, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "in step 2");

  g_subprocess_send_signal (child, SIGKILL);
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (child));

  consumer = start_consumer (queue, "survivor", crash_workflow, &crash, &stopped,
                             "poll-interval", 0.1, NULL);

  output = wait_for_run (run, &error);
  g_assert_no_error (error);
  assert_json (output, "[1,2,3]");

  g_assert_true (g_file_get_contents (log, &steps, NULL, &error));
  g_assert_cmpstr (steps, ==, "step-1\nstep-2\nstep-2\nstep-3\n");

  stop_consumer (consumer, &stopped);

  g_unlink (log);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 4 && g_str_equal (argv[1], "--crash-child"))
    return run_crash_child (argv[2], argv[3]);

  pgqrs_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/pgqrs/workflow/" path, Fixture, "poll_interval=10", fixture_setup, func, fixture_teardown)

  ADD ("step-replay", test_step_replay);
  ADD ("step-costs", test_step_costs);
  ADD ("step-recorded-once", test_step_recorded_once);
  ADD ("fenced-out-records-nothing", test_fenced_out_records_nothing);
  ADD ("completion-archives-trigger", test_completion_archives_trigger);
  ADD ("step-outputs-every-json-type", test_step_outputs_every_json_type);
  ADD ("run-step-async", test_run_step_async);
  ADD ("complete-and-wait", test_complete_and_wait);
  ADD ("terminal-states-refuse-start", test_terminal_states_refuse_start);
  ADD ("retry-to-success", test_retry_to_success);
  ADD ("default-retry-policy", test_default_retry_policy);
  ADD ("retries-exhausted", test_retries_exhausted);
  ADD ("permanent-failure", test_permanent_failure);
  ADD ("pause-then-resume", test_pause_then_resume);
  ADD ("cancel-in-each-state", test_cancel_in_each_state);
  ADD ("triggered-run", test_triggered_run);
  ADD ("triggered-run-costs", test_triggered_run_costs);
  ADD ("triggered-run-delete-on-success", test_triggered_run_delete_on_success);
  ADD ("triggered-run-in-context", test_triggered_run_in_context);
  ADD ("stop-with-unresolved-run", test_stop_with_unresolved_run);
  ADD ("next-trigger-on-deck", test_next_trigger_on_deck);
  ADD ("triggered-retry-and-pause", test_triggered_retry_and_pause);
  ADD ("triggered-cancel-before-delivery", test_triggered_cancel_before_delivery);
  ADD ("triggered-cancel-mid-step", test_triggered_cancel_mid_step);
  ADD ("sigkill-recovery", test_sigkill_recovery);

  return g_test_run ();
}
