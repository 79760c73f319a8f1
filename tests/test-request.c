/* test-request.c — the typed backend contract: each operation's request
 * carries its own named arguments, and the reply decoders agree.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "pgqrs-request-private.h"

static void
test_arguments (void)
{
  g_autoptr(PgqrsRequest) lease = _pgqrs_request_new_lease (7, 3, 10, 30.5, 5);
  g_autoptr(PgqrsRequest) reg = _pgqrs_request_new_worker_register ("w", NULL, 90);
  g_autoptr(PgqrsRequest) stats = _pgqrs_request_new_worker_stats ("jobs", 45);
  g_autoptr(PgqrsRequest) fail = _pgqrs_request_new_step_fail (4, 2, "fetch", "{}", -1);
  g_autoptr(PgqrsRequest) pause =
    _pgqrs_request_new_run_transition (2, PGQRS_RUN_STATUS_PAUSED, 1u << PGQRS_RUN_STATUS_RUNNING,
                                       "\"nap\"", 60, 0);
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(PgqrsRequest) enqueue = NULL;

  g_ptr_array_add (payloads, g_strdup ("1"));
  enqueue = _pgqrs_request_new_enqueue (7, "jobs", 0, g_steal_pointer (&payloads), 2.5);

  g_assert_cmpint (lease->op, ==, PGQRS_OP_LEASE);
  g_assert_cmpint (lease->lease.queue_id, ==, 7);
  g_assert_cmpint (lease->lease.worker_id, ==, 3);
  g_assert_cmpuint (lease->lease.limit, ==, 10);
  g_assert_cmpfloat (lease->lease.visibility_seconds, ==, 30.5);
  g_assert_cmpuint (lease->lease.max_read_count, ==, 5);

  g_assert_cmpint (enqueue->op, ==, PGQRS_OP_ENQUEUE);
  g_assert_cmpfloat (enqueue->enqueue.delay_seconds, ==, 2.5);
  g_assert_cmpstr (g_ptr_array_index (enqueue->enqueue.payloads, 0), ==, "1");

  g_assert_cmpstr (reg->worker_register.worker_name, ==, "w");
  g_assert_null (reg->worker_register.queue_name);
  g_assert_cmpfloat (reg->worker_register.takeover_after_seconds, ==, 90);

  g_assert_cmpfloat (stats->worker_stats.stale_after_seconds, ==, 45);
  g_assert_cmpfloat (fail->step_fail.retry_after_seconds, <, 0);
  g_assert_cmpstr (fail->step_fail.step_name, ==, "fetch");
  g_assert_cmpstr (pause->run_transition.detail, ==, "\"nap\"");
  g_assert_cmpfloat (pause->run_transition.resume_after_seconds, ==, 60);
}

static void
test_settles (void)
{
  PgqrsRequest *settles[] = {
    _pgqrs_request_new_archive (9, TRUE),
    _pgqrs_request_new_delete (9),
    _pgqrs_request_new_release (9, 15),
    _pgqrs_request_new_extend (9, 20),
  };
  g_autoptr(PgqrsRequest) other = _pgqrs_request_new_next_visible (9);

  for (guint i = 0; i < G_N_ELEMENTS (settles); i++)
    {
      const PgqrsSettleArgs *settle;
      const PgqrsLeaseToken *token;

      _pgqrs_request_add_token (settles[i], 100 + i, 3);
      _pgqrs_request_add_token (settles[i], 200 + i, 4);

      settle = _pgqrs_request_get_settle (settles[i]);
      g_assert_nonnull (settle);
      g_assert_cmpint (settle->queue_id, ==, 9);
      g_assert_cmpuint (settle->tokens->len, ==, 2);
      token = &g_array_index (settle->tokens, PgqrsLeaseToken, 1);
      g_assert_cmpint (token->id, ==, 200 + i);
      g_assert_cmpint (token->lease_count, ==, 4);
    }

  /* each settle keeps its own argument beside the shared part */
  g_assert_true (settles[0]->archive.dead_letter);
  g_assert_cmpfloat (settles[2]->release.delay_seconds, ==, 15);
  g_assert_cmpfloat (settles[3]->extend.extend_seconds, ==, 20);

  g_assert_null (_pgqrs_request_get_settle (other));

  for (guint i = 0; i < G_N_ELEMENTS (settles); i++)
    _pgqrs_request_free (settles[i]);
}

/* Every operation has a constructor, a name and a free that releases what
 * it holds (the sanitizer build checks the last). */
static void
test_every_op (void)
{
  PgqrsRequest *requests[] = {
    _pgqrs_request_new_install (),
    _pgqrs_request_new_verify (),
    _pgqrs_request_new_queue_create ("q"),
    _pgqrs_request_new_queue_get ("q"),
    _pgqrs_request_new_queue_list (),
    _pgqrs_request_new_queue_delete ("q", TRUE),
    _pgqrs_request_new_queue_purge ("q"),
    _pgqrs_request_new_enqueue (1, "q", 0, g_ptr_array_new_with_free_func (g_free), 0),
    _pgqrs_request_new_lease (1, 0, 1, 30, 5),
    _pgqrs_request_new_archive (1, FALSE),
    _pgqrs_request_new_delete (1),
    _pgqrs_request_new_release (1, 0),
    _pgqrs_request_new_extend (1, 10),
    _pgqrs_request_new_metrics ("q"),
    _pgqrs_request_new_list_archived ("q", FALSE, 100, 0),
    _pgqrs_request_new_replay (1),
    _pgqrs_request_new_next_visible (1),
    _pgqrs_request_new_worker_register ("w", "q", 30),
    _pgqrs_request_new_worker_get (1),
    _pgqrs_request_new_worker_heartbeat (1),
    _pgqrs_request_new_worker_transition (1, PGQRS_WORKER_STATUS_POLLING, 1),
    _pgqrs_request_new_worker_list ("q"),
    _pgqrs_request_new_worker_reclaim (30),
    _pgqrs_request_new_worker_stats ("q", 30),
    _pgqrs_request_new_workflow_define ("f", "q"),
    _pgqrs_request_new_run_create ("f", "{}", TRUE, 0),
    _pgqrs_request_new_run_get (1, 0),
    _pgqrs_request_new_run_transition (1, PGQRS_RUN_STATUS_SUCCESS, 2, "{}", 0, 0),
    _pgqrs_request_new_step_acquire (1, "s"),
    _pgqrs_request_new_step_complete (1, "{}"),
    _pgqrs_request_new_step_fail (1, 1, "s", "{}", 5),
    _pgqrs_request_new_clock_set (2),
    _pgqrs_request_new_message_list (1, PGQRS_MESSAGE_STATE_PENDING, 100, 0),
    _pgqrs_request_new_message_get (1, 2),
    _pgqrs_request_new_run_list ("f", 1, "2026-01-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z",
                                 100, 0),
    _pgqrs_request_new_step_list (1),
    _pgqrs_request_new_server_info (),
    _pgqrs_request_new_step_lookup (1, "s"),
    _pgqrs_request_new_step_record (1, "s", "2026-01-01T00:00:00.000Z", "{}"),
  };

  g_assert_cmpuint (G_N_ELEMENTS (requests), ==, PGQRS_N_OPS);

  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_assert_cmpint (requests[i]->op, ==, i);
      g_assert_cmpstr (_pgqrs_op_to_string (requests[i]->op), !=, "unknown operation");
      _pgqrs_request_free (requests[i]);
    }
}

/* One decoder for a single flag: a reply without one means the lease was
 * not held, for the store and its queues alike. */
static void
test_reply_decoders (void)
{
  g_autoptr(PgqrsReply) empty = _pgqrs_reply_new ();
  g_autoptr(PgqrsReply) held = _pgqrs_reply_new ();
  g_autoptr(GArray) flags = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) messages = NULL;

  g_assert_false (_pgqrs_reply_get_flag (empty));

  flags = _pgqrs_reply_steal_flags (empty);
  ids = _pgqrs_reply_steal_ids (empty);
  messages = _pgqrs_reply_steal_messages (empty);
  g_assert_cmpuint (flags->len, ==, 0);
  g_assert_cmpuint (ids->len, ==, 0);
  g_assert_cmpuint (messages->len, ==, 0);

  _pgqrs_reply_add_flag (held, TRUE);
  g_assert_true (_pgqrs_reply_get_flag (held));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/request/arguments", test_arguments);
  g_test_add_func ("/request/settles", test_settles);
  g_test_add_func ("/request/every-op", test_every_op);
  g_test_add_func ("/request/reply-decoders", test_reply_decoders);

  return g_test_run ();
}
