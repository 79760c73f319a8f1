/* pgqrs-workflow-runner.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pgqrs-error.h"
#include "pgqrs-job-private.h"
#include "pgqrs-message-private.h"
#include "pgqrs-workflow-private.h"
#include "pgqrs-workflow-runner-private.h"

struct _PgqrsWorkflowRunner
{
  PgqrsStore        *store;
  PgqrsWorkflowFunc  func;
  gpointer           func_data;
  GDestroyNotify     func_data_destroy;
  /* the functions run on threads of our own, so that they may block in
   * their steps while the consumer's heartbeats and leases go on */
  GThreadPool       *pool;
  GMutex             lock;
  GPtrArray         *calls;   /* WorkflowCall, functions in flight */
  /* Triggers pushed and not yet taken by a pool thread.  The pool's own
   * queue only holds one token per push: a trigger taken back leaves a
   * token that finds nothing. */
  GQueue             waiting; /* Trigger */
  gint               quick;   /* atomic: the last run took ON_DECK_MAX_RUN_US or less */
};

/* Runs of at most this long have their next trigger waiting on deck
 * (_pgqrs_workflow_runner_keeps_up()): for longer ones the hop it saves
 * is nothing, and the trigger would only wait longer for its turn.  A
 * second, so that quick workflows on a slow engine (a run of the Turso
 * engine's server takes 0.2 s here) are quick too. */
#define ON_DECK_MAX_RUN_US (1000 * 1000)

/* One trigger on its way to a pool thread. */
typedef struct
{
  PgqrsJob     *job;
  GMainContext *context;   /* where the function runs; NULL: the pool thread */
  gboolean      archive_on_success;
} Trigger;

/* One call of the workflow function, which a pool thread waits for. The
 * function may finish later (a deferred run), or never: when the consumer
 * stops waiting (the stop deadline, or its disposal) the call is abandoned,
 * the waiting thread goes free, and a late resolution changes nothing.
 * Shared by the waiter, a pending call in the consumer's context and a
 * pending resolution, hence the reference count. */
typedef struct
{
  gatomicrefcount      ref;
  PgqrsWorkflowRunner *runner;
  PgqrsWorkflow       *run;
  PgqrsDeferral        output;   /* the function's: a JsonNode, NULL for a failure */
} WorkflowCall;

static WorkflowCall *
workflow_call_ref (WorkflowCall *call)
{
  g_atomic_ref_count_inc (&call->ref);
  return call;
}

static void
workflow_call_unref (gpointer data)
{
  WorkflowCall *call = data;

  if (!g_atomic_ref_count_dec (&call->ref))
    return;

  g_clear_object (&call->run);
  _pgqrs_deferral_clear (&call->output);
  g_free (call);
}

static void
workflow_call_abandon (gpointer data)
{
  WorkflowCall *call = data;

  _pgqrs_deferral_abandon (&call->output);
}

/* Frees the pool threads that wait for workflow functions. */
void
_pgqrs_workflow_runner_abandon (PgqrsWorkflowRunner *self)
{
  g_mutex_lock (&self->lock);
  g_ptr_array_foreach (self->calls, (GFunc)workflow_call_abandon, NULL);
  g_mutex_unlock (&self->lock);
}

/* In the thread that resolved the run. */
static void
workflow_resolved (gpointer output,
                   gpointer data)
{
  WorkflowCall *call = data;

  _pgqrs_deferral_resolve (&call->output, output ? json_node_copy (output) : NULL);
  workflow_call_unref (call);
}

static void
workflow_call_run (WorkflowCall *call)
{
  JsonNode *output;

  if (_pgqrs_deferral_is_abandoned (&call->output))
    return;

  output = call->runner->func (call->run, call->runner->func_data);

  if (_pgqrs_workflow_is_deferred (call->run))
    {
      g_clear_pointer (&output, json_node_unref);
      _pgqrs_workflow_on_resolved (call->run, workflow_resolved, workflow_call_ref (call));
      return;
    }

  _pgqrs_deferral_resolve (&call->output, output);
}

static gboolean
workflow_call_in_context (gpointer data)
{
  workflow_call_run (data);
  return G_SOURCE_REMOVE;
}

/* The function's output (NULL for a failure) in *output; FALSE if the
 * consumer stopped waiting for it. */
static gboolean
call_workflow_func (PgqrsWorkflowRunner  *self,
                    PgqrsWorkflow        *run,
                    GMainContext         *context,
                    JsonNode            **output)
{
  WorkflowCall *call = g_new0 (WorkflowCall, 1);
  gboolean done;
  gpointer pending;

  g_atomic_ref_count_init (&call->ref);
  call->runner = self;
  call->run = g_object_ref (run);
  _pgqrs_deferral_init (&call->output, NULL, (GDestroyNotify)json_node_unref);

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->calls, call);
  g_mutex_unlock (&self->lock);

  if (context == NULL)
    workflow_call_run (call);
  else
    _pgqrs_invoke_in_context (context, "[pgqrs] workflow function", workflow_call_in_context,
                              workflow_call_ref (call), workflow_call_unref);

  done = _pgqrs_deferral_wait (&call->output, (gpointer *)output);

  g_mutex_lock (&self->lock);
  g_ptr_array_remove_fast (self->calls, call);
  g_mutex_unlock (&self->lock);

  /* a resolution still to come has nobody to tell */
  if ((pending = _pgqrs_workflow_forget_resolved (run)) != NULL)
    workflow_call_unref (pending);
  workflow_call_unref (call);

  return done;
}

/* Another consumer leased the trigger while this one executed the run
 * (it stalled past the lease): the run is theirs, and nothing here
 * changed it.  Not an error of this consumer's: the trigger is left to
 * the new holder, unsettled. */
static void
let_run_be (PgqrsJob *job,
            gint64    run_id)
{
  g_debug ("Workflow run %" G_GINT64_FORMAT ": superseded by another executor", run_id);
  pgqrs_job_fail_with_error (job, &(GError) { PGQRS_ERROR, PGQRS_ERROR_SUPERSEDED,
                                              (char *)"superseded" });
}

/* Completes the run with @output; with @archive, the completion archives
 * the trigger too when the backend can do both in one transaction. */
static gboolean
complete_run (PgqrsWorkflow *run,
              PgqrsJob      *job,
              JsonNode      *output,
              gboolean       archive,
              GError       **error)
{
  gboolean archived = FALSE;

  if (archive ? !_pgqrs_workflow_complete_triggered (run, output, &archived, error)
              : !pgqrs_workflow_complete (run, output, NULL, error))
    return FALSE;

  if (archived)
    _pgqrs_job_complete_archived (job);
  else
    pgqrs_job_complete (job);

  return TRUE;
}

/* Runs in a pool thread: every call here blocks. */
static void
run_workflow (PgqrsWorkflowRunner *self,
              PgqrsJob            *job,
              GMainContext        *context,
              gboolean             archive_on_success)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgqrsWorkflow) run = NULL;
  g_autoptr(JsonNode) output = NULL;
  PgqrsMessage *message = pgqrs_job_get_message (job);
  JsonNode *payload = pgqrs_message_get_payload (message);
  JsonObject *trigger = JSON_NODE_HOLDS_OBJECT (payload) ? json_node_get_object (payload) : NULL;
  gint64 run_id;

  if (trigger == NULL || !json_object_has_member (trigger, "run_id"))
    {
      pgqrs_job_fail (job, _("The message is not a workflow trigger"));
      return;
    }

  run_id = json_object_get_int_member (trigger, "run_id");

  /* Everything the run does from here on is fenced by this lease. */
  if (!(run = _pgqrs_workflow_start_triggered (self->store, run_id, pgqrs_message_get_id (message),
                                               _pgqrs_message_get_lease_count (message), &error)))
    {
      if (g_error_matches (error, PGQRS_ERROR, PGQRS_ERROR_SUPERSEDED))
        let_run_be (job, run_id);
      /* gone, cancelled (now final) or already finished: done with the
       * trigger */
      else if (g_error_matches (error, PGQRS_ERROR, PGQRS_ERROR_NOT_FOUND) ||
               g_error_matches (error, PGQRS_ERROR, PGQRS_ERROR_CANCELLED) ||
               g_error_matches (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE))
        pgqrs_job_complete (job);
      else
        pgqrs_job_fail_with_error (job, error);
      return;
    }

  /* abandoned at the stop deadline: the run stays RUNNING, as after a
   * crash, and its trigger is back in the queue for the next delivery */
  if (!call_workflow_func (self, run, context, &output))
    return;

  if (output != NULL && complete_run (run, job, output, archive_on_success, &error))
    return;
  g_clear_error (&error);

  if (_pgqrs_workflow_is_superseded (run))
    {
      let_run_be (job, run_id);
      return;
    }

  if (!pgqrs_workflow_refresh (run, NULL, &error))
    {
      pgqrs_job_fail_with_error (job, error);
      return;
    }

  switch (pgqrs_workflow_get_status (run))
    {
    case PGQRS_RUN_STATUS_PAUSED:
      pgqrs_job_fail_with_error (job, &(GError) { PGQRS_ERROR, PGQRS_ERROR_PAUSED, (char *)"paused" });
      return;

    case PGQRS_RUN_STATUS_CANCELLING:
      /* finalise now rather than on the next delivery */
      pgqrs_workflow_start (run, NULL, NULL);
      pgqrs_job_complete (job);
      return;

    case PGQRS_RUN_STATUS_RUNNING:
      if (_pgqrs_workflow_get_last_step_error (run) == PGQRS_ERROR_STEP_NOT_READY)
        {
          pgqrs_job_fail_with_error (job, &(GError) { PGQRS_ERROR, PGQRS_ERROR_STEP_NOT_READY,
                                                      (char *)"retry scheduled" });
          return;
        }
      else
        {
          g_autoptr(JsonNode) failure = json_from_string (
            "{\"message\":\"The workflow function returned no output\"}", NULL);

          if (!pgqrs_workflow_fail (run, failure, NULL, NULL) && _pgqrs_workflow_is_superseded (run))
            let_run_be (job, run_id);
          else
            pgqrs_job_complete (job);
        }
      return;

    case PGQRS_RUN_STATUS_QUEUED:
    case PGQRS_RUN_STATUS_SUCCESS:
    case PGQRS_RUN_STATUS_ERROR:
    case PGQRS_RUN_STATUS_CANCELLED:
    default:
      pgqrs_job_complete (job);
      return;
    }
}

static void
trigger_free (Trigger *trigger)
{
  g_object_unref (trigger->job);
  g_clear_pointer (&trigger->context, g_main_context_unref);
  g_free (trigger);
}

static void
workflow_thread (gpointer data,
                 gpointer user_data)
{
  PgqrsWorkflowRunner *self = user_data;
  Trigger *trigger;
  gint64 started;

  g_mutex_lock (&self->lock);
  trigger = g_queue_pop_head (&self->waiting);
  g_mutex_unlock (&self->lock);

  /* taken back */
  if (trigger == NULL)
    return;

  started = g_get_monotonic_time ();
  run_workflow (self, trigger->job, trigger->context, trigger->archive_on_success);
  g_atomic_int_set (&self->quick, g_get_monotonic_time () - started <= ON_DECK_MAX_RUN_US);
  trigger_free (trigger);
}

PgqrsWorkflowRunner *
_pgqrs_workflow_runner_new (PgqrsStore        *store,
                            PgqrsWorkflowFunc  func,
                            gpointer           user_data,
                            GDestroyNotify     destroy,
                            guint              max_threads)
{
  PgqrsWorkflowRunner *self = g_new0 (PgqrsWorkflowRunner, 1);

  self->store = g_object_ref (store);
  self->func = func;
  self->func_data = user_data;
  self->func_data_destroy = destroy;
  self->pool = g_thread_pool_new (workflow_thread, self, max_threads, FALSE, NULL);
  g_mutex_init (&self->lock);
  self->calls = g_ptr_array_new ();
  g_queue_init (&self->waiting);

  return self;
}

void
_pgqrs_workflow_runner_free (PgqrsWorkflowRunner *self)
{
  /* a deferred run that never resolves must not keep us waiting, and
   * nothing not started yet starts now */
  _pgqrs_workflow_runner_abandon (self);
  g_ptr_array_unref (_pgqrs_workflow_runner_take_back (self));
  g_thread_pool_free (g_steal_pointer (&self->pool), FALSE, TRUE);
  if (self->func_data_destroy != NULL)
    self->func_data_destroy (self->func_data);

  g_clear_object (&self->store);
  g_ptr_array_unref (self->calls);
  g_mutex_clear (&self->lock);
  g_free (self);
}

void
_pgqrs_workflow_runner_set_max_threads (PgqrsWorkflowRunner *self,
                                        guint                max_threads)
{
  g_thread_pool_set_max_threads (self->pool, max_threads, NULL);
}

void
_pgqrs_workflow_runner_push (PgqrsWorkflowRunner *self,
                             PgqrsJob            *job,
                             GMainContext        *context,
                             gboolean             archive_on_success)
{
  Trigger *trigger = g_new0 (Trigger, 1);

  trigger->job = g_object_ref (job);
  trigger->context = context ? g_main_context_ref (context) : NULL;
  trigger->archive_on_success = archive_on_success;

  g_mutex_lock (&self->lock);
  g_queue_push_tail (&self->waiting, trigger);
  g_mutex_unlock (&self->lock);
  g_thread_pool_push (self->pool, self, NULL);
}

GPtrArray *
_pgqrs_workflow_runner_take_back (PgqrsWorkflowRunner *self)
{
  GPtrArray *jobs = g_ptr_array_new_with_free_func (g_object_unref);
  GQueue taken;
  Trigger *trigger;

  g_mutex_lock (&self->lock);
  taken = self->waiting;
  g_queue_init (&self->waiting);
  g_mutex_unlock (&self->lock);

  while ((trigger = g_queue_pop_head (&taken)) != NULL)
    {
      g_ptr_array_add (jobs, g_object_ref (trigger->job));
      trigger_free (trigger);
    }

  return jobs;
}

gboolean
_pgqrs_workflow_runner_keeps_up (PgqrsWorkflowRunner *self)
{
  return g_atomic_int_get (&self->quick);
}

gboolean
_pgqrs_workflow_runner_is_waiting (PgqrsWorkflowRunner *self,
                                   PgqrsJob            *job)
{
  gboolean waiting = FALSE;

  g_mutex_lock (&self->lock);
  for (GList *l = self->waiting.head; l != NULL && !waiting; l = l->next)
    waiting = ((Trigger *)l->data)->job == job;
  g_mutex_unlock (&self->lock);

  return waiting;
}

guint
_pgqrs_workflow_runner_get_n_waiting (PgqrsWorkflowRunner *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->waiting.length;
  g_mutex_unlock (&self->lock);

  return n;
}
