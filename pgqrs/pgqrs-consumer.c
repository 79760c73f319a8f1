/* pgqrs-consumer.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "pgqrs-config.h"
#include "pgqrs-consumer-private.h"
#include "pgqrs-deferral-private.h"
#include "pgqrs-enums.h"
#include "pgqrs-error.h"
#include "pgqrs-job-private.h"
#include "pgqrs-message-private.h"
#include "pgqrs-queue-private.h"
#include "pgqrs-store-private.h"
#include "pgqrs-worker-private.h"
#include "pgqrs-workflow-runner-private.h"

/**
 * PgqrsConsumer:
 *
 * Runs a handler over a queue until stopped.
 *
 * A consumer registers a [class@Worker] under its name, then leases
 * messages whenever there is work and capacity, hands them to its handler as
 * [class@Job]s — one message each, or batches of
 * [property@Consumer:batch-size] — and settles each job: success archives
 * the messages (or deletes them, with [property@Consumer:delete-on-success]);
 * failure gives them back to the queue at once or, with a
 * [property@Consumer:retry-policy], after the policy's backoff, and
 * dead-letters them once the policy's retries are spent. A failing message
 * never stops the consumer; neither does a database error, which it reports
 * through [signal@Consumer::error] before trying again after the poll
 * interval.
 *
 * When there is no work it waits, without polling the database in a loop,
 * for the first of: a wakeup (an enqueue through the same store, a
 * PostgreSQL notification, a change of the SQLite file by another process),
 * the moment the earliest delayed message becomes visible, or
 * [property@Consumer:poll-interval] as a fallback.
 *
 * While it runs, it sends the worker's heartbeat and keeps the leases of
 * running handlers alive. [method@Consumer.stop] is graceful: no new
 * leases, running handlers get up to [property@Consumer:stop-timeout]
 * seconds to finish, leases still held after that are released, and the
 * worker ends `stopped`.
 *
 * To do less per message, the consumer archives what its handlers
 * finished together, in one statement per main-loop iteration (at most
 * 50 ms or 1000 messages later), and leases ahead of its handlers: each
 * lease asks for twice what its free slots take, and the rest waits for
 * the next free slot. When the handlers get through a lease faster than
 * the database answers the next, leases grow, up to eight times what the
 * free slots take. A crash between a handler's success and its archive
 * delivers the message again once its lease runs out — at least once, as
 * after a crash inside the handler.
 *
 * The consumer runs in the thread-default main context of the caller of
 * [method@Consumer.run_async]; its handler is called there.
 *
 * Since: 1.0
 */

typedef enum
{
  PHASE_IDLE,
  PHASE_STARTING,
  PHASE_POLLING,
  PHASE_INTERRUPTED,
  PHASE_SUSPENDED,
  PHASE_STOPPING,
} Phase;

struct _PgqrsConsumer
{
  GObject               parent_instance;

  PgqrsQueue           *queue;
  PgqrsStore           *store;
  char                 *worker_name;

  guint                 batch_size;
  guint                 concurrency;
  double                visibility_timeout;
  double                poll_interval;
  double                heartbeat_interval;
  double                stop_timeout;
  gboolean              delete_on_success;
  gboolean              workflow_in_thread;
  PgqrsRetryPolicy     *retry_policy;

  PgqrsConsumerHandler  handler;
  gpointer              handler_data;
  GDestroyNotify        handler_destroy;

  /* workflow mode: the runner calls the workflow function for each trigger */
  PgqrsWorkflowRunner  *workflow_runner;

  /* while running */
  Phase                 phase;
  GTask                *run_task;
  GMainContext         *context;
  GCancellable         *cancellable;      /* cancels our own database calls at the end */
  gulong                run_cancelled_id;
  PgqrsWorker          *worker;
  guint                 watch_id;         /* with the backend, for wakeups */
  gboolean              watch_busy;       /* told the backend we are busy: set_busy() */
  gboolean              no_wakeups;       /* polling only */
  gboolean              leasing;
  gboolean              woken;            /* a wakeup came while leasing */
  guint                 lease_limit;      /* how many the lease in flight asked for */
  gint64                lease_sent_us;    /* when it was sent: its leases run from then */
  guint                 lease_depth;      /* a lease asks for this many batches per free slot */
  gint64                lease_trip_us;    /* how long the last lease took to come back */
  gint64                lease_full_at;    /* when the last lease came back full; 0: it did not */
  gboolean              pumping;
  guint                 repump;           /* REPUMP_* asked for while pumping */
  GHashTable           *jobs;             /* PgqrsJob → itself, handlers in flight */
  GPtrArray            *prefetched;       /* leased, waiting for a free handler */
  gint64                prefetched_until; /* monotonic µs: when their leases run out */
  guint                 prefetch_gen;     /* which lease the prefetched came from */
  GPtrArray            *acks;             /* handled; archive (or delete) not yet sent */
  PgqrsSettle           ack_how;
  GSource              *ack_source;       /* sends the acks at the next tick */
  GSource              *ack_deadline;     /* sends them despite one in flight */
  guint                 acks_in_flight;
  guint                 calls;            /* database calls in flight, of any kind */
  GSource              *wait_source;
  GSource              *heartbeat_source;
  GSource              *deadline_source;
  GQueue                transitions;      /* PgqrsWorkerStatus still to apply, in order */
  gboolean              transitioning;
  PgqrsWorkerStatus     last_status;      /* the worker's status once the queue is applied */
  GError               *failure;          /* why the run ends, if it ends in error */

  guint64               processed;
  guint64               failed;
};

G_DEFINE_FINAL_TYPE (PgqrsConsumer, pgqrs_consumer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_QUEUE,
  PROP_WORKER_NAME,
  PROP_BATCH_SIZE,
  PROP_CONCURRENCY,
  PROP_VISIBILITY_TIMEOUT,
  PROP_POLL_INTERVAL,
  PROP_HEARTBEAT_INTERVAL,
  PROP_STOP_TIMEOUT,
  PROP_DELETE_ON_SUCCESS,
  PROP_WORKFLOW_IN_THREAD,
  PROP_RETRY_POLICY,
  PROP_WORKER,
  PROP_RUNNING,
  N_PROPS
};

enum {
  ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void pump (PgqrsConsumer *self);
static void pump_dispatch_only (PgqrsConsumer *self);
static void maybe_finish_stop (PgqrsConsumer *self);
static guint free_slots (PgqrsConsumer *self);

/* the most one lease asks for (pgqrs_queue_dequeue()'s bound) */
#define PGQRS_CONSUMER_MAX_LEASE 10000
/* How many batches per free slot a lease asks for: two at first, up to
 * eight (adapt_lease_depth()). */
#define LEASE_DEPTH_MIN 2
#define LEASE_DEPTH_MAX 8

static void
report (PgqrsConsumer *self,
        const GError  *error)
{
  g_debug ("Consumer %s: %s", self->worker_name, error->message);
  g_signal_emit (self, signals[ERROR], 0, error);
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static GSource *
add_timeout (PgqrsConsumer *self,
             double         seconds,
             GSourceFunc    func)
{
  GSource *source = g_timeout_source_new ((guint)ceil (MAX (0.0, seconds) * 1000.0));

  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);

  return source;
}

/* Worker status changes are applied one at a time, in order, whatever the
 * backend's connection pool would do with concurrent ones. */

static void apply_next_transition (PgqrsConsumer *self);

static void
transition_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PgqrsConsumer) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pgqrs_worker_transition_finish (PGQRS_WORKER (object), result, &error))
    report (self, error);

  self->transitioning = FALSE;
  apply_next_transition (self);
  maybe_finish_stop (self);
}

static void
apply_next_transition (PgqrsConsumer *self)
{
  gpointer next;

  if (self->transitioning || g_queue_is_empty (&self->transitions))
    return;

  next = g_queue_pop_head (&self->transitions);
  self->transitioning = TRUE;
  pgqrs_worker_transition_async (self->worker, GPOINTER_TO_UINT (next), NULL,
                                 transition_cb, g_object_ref (self));
}

static void
goto_status (PgqrsConsumer     *self,
             PgqrsWorkerStatus  status)
{
  if (self->last_status == status)
    return;

  self->last_status = status;
  g_queue_push_tail (&self->transitions, GUINT_TO_POINTER (status));
  apply_next_transition (self);
}

/* Called by the backend's watch list in our own context, and never after
 * end_run() unwatched. */
static void
wakeup_cb (gint64   queue_id,
           gpointer user_data)
{
  PgqrsConsumer *self = user_data;

  if (queue_id != 0 && queue_id != pgqrs_queue_get_id (self->queue))
    return;

  if (self->leasing)
    self->woken = TRUE;
  else
    pump (self);
}

static gboolean
wait_done_cb (gpointer data)
{
  PgqrsConsumer *self = data;

  g_clear_pointer (&self->wait_source, g_source_unref);
  pump (self);

  return G_SOURCE_REMOVE;
}

static void
next_visible_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PgqrsConsumer) self = user_data;
  g_autoptr(GError) error = NULL;
  double wait = self->poll_interval;
  double next;

  self->calls--;
  maybe_finish_stop (self);

  if (!_pgqrs_queue_next_visible_finish (self->queue, result, &next, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        report (self, error);
    }
  else if (next >= 0)
    wait = MIN (wait, next);

  if (self->phase != PHASE_POLLING || self->wait_source != NULL || self->leasing)
    return;

  self->wait_source = add_timeout (self, wait, wait_done_cb);
}

/* A consumer is busy while a lease is on its way or every handler slot
 * is taken: it looks for work again of itself (when the lease comes back,
 * when a handler ends), so the backend need not listen for other
 * processes' changes for it meanwhile (on SQLite, every commit of its own
 * handlers' writes would wake the thread that watches the file). */
static void
set_busy (PgqrsConsumer *self,
          gboolean       busy)
{
  if (self->watch_id == 0 || self->watch_busy == busy)
    return;

  self->watch_busy = busy;
  _pgqrs_backend_set_watcher_busy (_pgqrs_store_get_backend (self->store), self->watch_id, busy);
}

/* No work now: wait for a wakeup, the next delayed message or the poll
 * interval, whichever comes first.  Waiting is said before the next
 * visible message is looked up, so that an enqueue by another process
 * after the lease that found nothing is either seen by that lookup or
 * heard of. */
static void
wait_for_work (PgqrsConsumer *self)
{
  set_busy (self, free_slots (self) == 0);
  self->calls++;
  _pgqrs_queue_next_visible_async (self->queue, self->cancellable,
                                   next_visible_cb, g_object_ref (self));
}

/* A settle that failed (a lost connection, a server that went away) is
 * tried again a few times before the lease is left to expire, which would
 * run the job again.  A settle is fenced by the lease, so a repeat of one
 * that did apply changes nothing. */
#define SETTLE_ATTEMPTS      4
#define SETTLE_FIRST_BACKOFF 0.2   /* seconds, doubled each time */

typedef struct
{
  PgqrsConsumer *self;
  PgqrsSettle    how;
  GPtrArray     *messages;
  double         seconds;
  guint          attempt;
  gboolean       is_ack;         /* counted in acks_in_flight */
  guint          prefetch_gen;   /* an extend of these prefetched messages, or 0 */
} Settle;

static void
settle_free (Settle *settle)
{
  g_object_unref (settle->self);
  g_ptr_array_unref (settle->messages);
  g_free (settle);
}

static void settle_send (Settle *settle);
static void ack_done (PgqrsConsumer *self);

static gboolean
settle_again_cb (gpointer data)
{
  settle_send (data);
  return G_SOURCE_REMOVE;
}

static void
settle_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Settle *settle = user_data;
  PgqrsConsumer *self = settle->self;
  g_autoptr(GArray) flags = NULL;
  g_autoptr(GError) error = NULL;

  if ((flags = _pgqrs_queue_settle_finish (PGQRS_QUEUE (object), result, &error)) != NULL)
    {
      /* an extend pushes a lease out by its seconds, prefetched ones too */
      if (settle->prefetch_gen != 0 && settle->prefetch_gen == self->prefetch_gen)
        self->prefetched_until += (gint64)(settle->seconds * G_USEC_PER_SEC);
    }
  else
    {
      report (self, error);
      if (++settle->attempt < SETTLE_ATTEMPTS && settle->how != PGQRS_SETTLE_EXTEND &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          double backoff = SETTLE_FIRST_BACKOFF * (1u << (settle->attempt - 1));
          GSource *retry = g_timeout_source_new ((guint)(backoff * 1000));

          /* still one call in flight, for maybe_finish_stop() */
          g_source_set_static_name (retry, "[pgqrs] consumer: settle again");
          g_source_set_callback (retry, settle_again_cb, settle, NULL);
          g_source_attach (retry, self->context);
          g_source_unref (retry);
          return;
        }
    }

  if (settle->is_ack)
    ack_done (self);
  self->calls--;
  maybe_finish_stop (self);
  settle_free (settle);
}

static void
settle_send (Settle *settle)
{
  _pgqrs_queue_settle_async (settle->self->queue, settle->how, settle->messages,
                             settle->seconds, NULL, settle_cb, settle);
}

/* Settles are not cancelled with the consumer: a stopping consumer still
 * hands back or archives what it leased. */
static Settle *
settle (PgqrsConsumer *self,
        PgqrsSettle    how,
        GPtrArray     *messages,
        double         seconds)
{
  Settle *settle = g_new0 (Settle, 1);

  settle->self = g_object_ref (self);
  settle->how = how;
  settle->messages = g_ptr_array_ref (messages);
  settle->seconds = seconds;
  self->calls++;
  settle_send (settle);

  return settle;
}

/* Acknowledgements — the archive (or delete) of what handlers finished —
 * are coalesced: those of every handler that finished during one
 * main-loop iteration go out as one statement at the next, and while one
 * is in flight the next gathers until it returns.  The window is bounded:
 * an acknowledgement waits at most ACK_WINDOW_SECONDS, and ACK_WINDOW_MAX
 * pending go out at once.  A crash inside the window loses no message:
 * its lease runs out and it is delivered again, at least once as after a
 * crash mid-handler (docs/design.md, "The acknowledgement window"). */
#define ACK_WINDOW_SECONDS 0.05
#define ACK_WINDOW_MAX     1000

static void
ack_flush (PgqrsConsumer *self)
{
  g_autoptr(GPtrArray) messages = g_steal_pointer (&self->acks);
  Settle *sent;

  clear_source (&self->ack_source);
  clear_source (&self->ack_deadline);
  self->acks = g_ptr_array_new_with_free_func (g_object_unref);
  if (messages->len == 0)
    return;

  sent = settle (self, self->ack_how, messages, 0);
  sent->is_ack = TRUE;
  self->acks_in_flight++;
}

static gboolean
ack_tick_cb (gpointer data)
{
  PgqrsConsumer *self = data;

  g_clear_pointer (&self->ack_source, g_source_unref);
  /* with one in flight, its return sends these */
  if (self->acks_in_flight == 0)
    ack_flush (self);

  return G_SOURCE_REMOVE;
}

static gboolean
ack_deadline_cb (gpointer data)
{
  PgqrsConsumer *self = data;

  g_clear_pointer (&self->ack_deadline, g_source_unref);
  ack_flush (self);

  return G_SOURCE_REMOVE;
}

/* At the next main-loop iteration, after the handlers that finish in
 * this one. */
static void
ack_at_next_tick (PgqrsConsumer *self)
{
  if (self->ack_source != NULL)
    return;

  self->ack_source = g_idle_source_new ();
  g_source_set_priority (self->ack_source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (self->ack_source, "[pgqrs] consumer: acknowledge");
  g_source_set_callback (self->ack_source, ack_tick_cb, self, NULL);
  g_source_attach (self->ack_source, self->context);
}

static void
ack (PgqrsConsumer *self,
     PgqrsSettle    how,
     GPtrArray     *messages)
{
  if (self->acks->len > 0 && how != self->ack_how)
    ack_flush (self);

  if (self->acks->len == 0)
    self->ack_deadline = add_timeout (self, ACK_WINDOW_SECONDS, ack_deadline_cb);
  self->ack_how = how;
  for (guint i = 0; i < messages->len; i++)
    g_ptr_array_add (self->acks, g_object_ref (g_ptr_array_index (messages, i)));

  if (self->acks->len >= ACK_WINDOW_MAX)
    ack_flush (self);
  else if (self->acks_in_flight == 0)
    ack_at_next_tick (self);
}

static void
ack_done (PgqrsConsumer *self)
{
  self->acks_in_flight--;
  if (self->acks->len > 0 && self->acks_in_flight == 0)
    ack_at_next_tick (self);
}

static void
release_messages (PgqrsConsumer *self,
                  GPtrArray     *messages,
                  double         delay)
{
  settle (self, PGQRS_SETTLE_RELEASE, messages, delay);
}

static void
job_done (PgqrsJob     *job,
          const GError *error,
          gpointer      user_data)
{
  PgqrsConsumer *self = user_data;
  GPtrArray *messages = pgqrs_job_get_messages (job);
  PgqrsSettle how;
  double delay = 0;

  /* A workflow executor whose lease was taken over: the message is the
   * new holder's to settle. */
  if (g_error_matches (error, PGQRS_ERROR, PGQRS_ERROR_SUPERSEDED))
    {
      g_hash_table_remove (self->jobs, job);
      pump (self);
      maybe_finish_stop (self);
      return;
    }

  /* A workflow that scheduled a retry or paused has moved its trigger
   * message to the time it goes on: leave it there.  One whose completion
   * archived its trigger has nothing left to settle. */
  if (g_error_matches (error, PGQRS_ERROR, PGQRS_ERROR_STEP_NOT_READY) ||
      g_error_matches (error, PGQRS_ERROR, PGQRS_ERROR_PAUSED) ||
      (error == NULL && _pgqrs_job_is_archived (job)))
    {
      self->processed++;
      g_hash_table_remove (self->jobs, job);
      pump (self);
      maybe_finish_stop (self);
      return;
    }

  if (error == NULL)
    {
      self->processed++;
      how = self->delete_on_success ? PGQRS_SETTLE_DELETE : PGQRS_SETTLE_ARCHIVE;
    }
  else
    {
      guint attempt = pgqrs_job_get_attempt (job);

      self->failed++;
      g_debug ("Consumer %s: job of message %" G_GINT64_FORMAT " failed (attempt %u): %s",
               self->worker_name, pgqrs_message_get_id (pgqrs_job_get_message (job)),
               attempt, error->message);

      if (self->retry_policy == NULL)
        {
          how = PGQRS_SETTLE_RELEASE;
        }
      else if (pgqrs_retry_policy_should_retry (self->retry_policy, attempt))
        {
          how = PGQRS_SETTLE_RELEASE;
          delay = pgqrs_retry_policy_get_delay (self->retry_policy, attempt);
        }
      else
        {
          how = PGQRS_SETTLE_DEAD_LETTER;
        }
    }

  if (how == PGQRS_SETTLE_ARCHIVE || how == PGQRS_SETTLE_DELETE)
    ack (self, how, messages);
  else
    settle (self, how, messages, delay);
  g_hash_table_remove (self->jobs, job);
  pump (self);
  maybe_finish_stop (self);
}

static void
dispatch (PgqrsConsumer *self,
          GPtrArray     *messages)
{
  g_autoptr(PgqrsJob) job = _pgqrs_job_new (self->queue, messages, self->context, job_done, self);
  gboolean result;

  g_hash_table_add (self->jobs, g_object_ref (job));

  result = self->handler (job, self->handler_data);
  _pgqrs_job_settle (job, result);
}

/* Hands prefetched messages back, their handlers not started. */
static void
release_prefetched (PgqrsConsumer *self)
{
  g_autoptr(GPtrArray) messages = g_steal_pointer (&self->prefetched);

  self->prefetched = g_ptr_array_new_with_free_func (g_object_unref);
  if (messages->len > 0)
    release_messages (self, messages, 0);
}

/* In workflow mode, while runs are quick (_pgqrs_workflow_runner_keeps_up()),
 * each of the runner's threads has the trigger of its next run waiting
 * (on deck) while it runs one, so that it goes on to the next at once
 * instead of waiting for a hop through our context, where its job ends
 * and the next is handed out: waking a sleeping thread there and back
 * cost about a tenth of a run of three steps on SQLite.  On-deck triggers
 * are prefetched messages already handed out: their leases are not kept
 * alive (heartbeat_tick()), so that a run that stalls holds its successor
 * no longer than a lease, and a stop, an interrupt or a suspension takes
 * them back (take_back_on_deck()). */
static guint
free_slots (PgqrsConsumer *self)
{
  guint slots = self->concurrency;

  if (self->workflow_runner != NULL && _pgqrs_workflow_runner_keeps_up (self->workflow_runner))
    slots *= 2;

  return slots - MIN (slots, g_hash_table_size (self->jobs));
}

/* The triggers handed to the runner and not started: given back to the
 * queue, as prefetched messages are. */
static void
take_back_on_deck (PgqrsConsumer *self)
{
  g_autoptr(GPtrArray) jobs = NULL;

  if (self->workflow_runner == NULL)
    return;

  jobs = _pgqrs_workflow_runner_take_back (self->workflow_runner);
  for (guint i = 0; i < jobs->len; i++)
    {
      PgqrsJob *job = g_ptr_array_index (jobs, i);

      _pgqrs_job_abandon (job);
      release_messages (self, pgqrs_job_get_messages (job), 0);
      g_hash_table_remove (self->jobs, job);
    }
}

/* Starts handlers for prefetched messages while there is room, oldest
 * first.  Their leases are kept alive like those of running handlers;
 * should the heartbeats have failed for so long that they ran out, they
 * are not run here (another consumer may hold them now). */
static void
dispatch_prefetched (PgqrsConsumer *self)
{
  while (self->prefetched->len > 0 && self->phase == PHASE_POLLING && free_slots (self) > 0)
    {
      guint n = self->batch_size > 1 ? MIN (self->batch_size, self->prefetched->len) : 1;
      g_autoptr(GPtrArray) messages = g_ptr_array_new_full (n, g_object_unref);

      if (g_get_monotonic_time () >= self->prefetched_until)
        {
          release_prefetched (self);
          break;
        }

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (messages, g_object_ref (g_ptr_array_index (self->prefetched, i)));
      g_ptr_array_remove_range (self->prefetched, 0, n);
      dispatch (self, messages);
    }
}

static void
lease_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(PgqrsConsumer) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  guint requested;
  gint64 now;
  gboolean woken;

  self->leasing = FALSE;
  self->lease_full_at = 0;
  self->calls--;
  woken = self->woken;
  self->woken = FALSE;

  if (!(messages = _pgqrs_queue_lease_finish (self->queue, result, &error)))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        report (self, error);
      if (self->phase == PHASE_POLLING)
        {
          set_busy (self, FALSE);
          self->wait_source = add_timeout (self, self->poll_interval, wait_done_cb);
        }
      maybe_finish_stop (self);
      return;
    }

  requested = self->lease_limit;
  now = g_get_monotonic_time ();
  self->lease_full_at = messages->len >= requested ? now : 0;
  self->lease_trip_us = now - self->lease_sent_us;

  /* Stopped or paused while the lease was in flight: hand them back. */
  if (self->phase != PHASE_POLLING)
    {
      if (messages->len > 0)
        release_messages (self, messages, 0);
      maybe_finish_stop (self);
      return;
    }

  /* A lease is only sent with nothing prefetched (pump_once()), so these
   * are all that is: their leases run from when it was sent. */
  if (messages->len > 0)
    {
      g_assert (self->prefetched->len == 0);
      g_ptr_array_extend_and_steal (self->prefetched, g_steal_pointer (&messages));
      self->prefetched_until = self->lease_sent_us +
                               (gint64)(self->visibility_timeout * G_USEC_PER_SEC);
      if (++self->prefetch_gen == 0)
        self->prefetch_gen = 1;
      /* a full lease means there may be more; so does a wakeup that came
       * in meanwhile */
      if (self->prefetched->len >= requested || woken)
        {
          pump (self);
          return;
        }
    }
  else if (woken)
    {
      pump (self);
      return;
    }

  /* Otherwise run what came and wait. */
  pump_dispatch_only (self);
  if (!self->leasing && self->phase == PHASE_POLLING)
    wait_for_work (self);
}

/* The handlers wait out every lease's round trip with nothing to run: a
 * lease is sent when the last one's messages are used up.  When they were
 * used up sooner than that round trip took — quick handlers, a slow or
 * distant database — the next lease asks for twice as much, so that the
 * round trip is spread over more messages; when they lasted more than
 * four round trips, for half as much again, so that a consumer of slow
 * handlers does not hold messages other consumers could run.  Only a full
 * lease says how long its messages lasted: a short one means the queue
 * ran dry. */
static void
adapt_lease_depth (PgqrsConsumer *self)
{
  gint64 lasted;

  if (self->lease_full_at == 0)
    return;

  lasted = g_get_monotonic_time () - self->lease_full_at;
  if (lasted < self->lease_trip_us)
    self->lease_depth = MIN (self->lease_depth * 2, LEASE_DEPTH_MAX);
  else if (lasted > 4 * self->lease_trip_us)
    self->lease_depth = MAX (self->lease_depth / 2, LEASE_DEPTH_MIN);
}

/* Leases for the free handler slots, and at least as many again ahead of
 * them: the next handler to start finds its messages waiting instead of a
 * round trip away, and a consumer of quick handlers leases and
 * acknowledges more per statement (adapt_lease_depth()).  Never more is
 * held than the running handlers' messages plus one such lease, and with
 * no free slot (handlers that run long, or stall) nothing is leased: a
 * stalled consumer does not take messages other consumers could run. */
static void
lease_more (PgqrsConsumer *self)
{
  guint slots, run;

  if (self->phase != PHASE_POLLING || self->leasing || self->prefetched->len > 0)
    return;

  if ((slots = free_slots (self)) == 0)
    return;     /* job_done() pumps again */
  /* each free slot takes a batch; on-deck slots take theirs from the
   * lease for the running ones, so that no more is held than before */
  run = MIN (slots, self->concurrency) * MAX (self->batch_size, 1);

  clear_source (&self->wait_source);

  adapt_lease_depth (self);
  self->lease_limit = MIN (self->lease_depth * run, PGQRS_CONSUMER_MAX_LEASE);
  self->lease_sent_us = g_get_monotonic_time ();
  self->leasing = TRUE;
  set_busy (self, TRUE);
  self->calls++;
  _pgqrs_queue_lease_async (self->queue, pgqrs_worker_get_id (self->worker),
                            self->lease_limit, self->visibility_timeout,
                            self->cancellable, lease_cb, g_object_ref (self));
}

/* Handlers that finish at once call back into pump(): the outermost call
 * loops instead of recursing once per message. */
enum { REPUMP_DISPATCH = 1, REPUMP_LEASE = 2 };

static void
pump_run (PgqrsConsumer *self,
          gboolean       may_lease)
{
  if (self->pumping)
    {
      self->repump |= may_lease ? REPUMP_LEASE : REPUMP_DISPATCH;
      return;
    }

  self->pumping = TRUE;
  for (;;)
    {
      dispatch_prefetched (self);
      if (may_lease)
        lease_more (self);
      if (self->repump == 0)
        break;
      may_lease = (self->repump & REPUMP_LEASE) != 0;
      self->repump = 0;
    }
  self->pumping = FALSE;
}

static void
pump (PgqrsConsumer *self)
{
  pump_run (self, TRUE);
}

static void
pump_dispatch_only (PgqrsConsumer *self)
{
  pump_run (self, FALSE);
}

static void
heartbeat_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PgqrsConsumer) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pgqrs_worker_heartbeat_finish (PGQRS_WORKER (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    report (self, error);

  self->calls--;
  maybe_finish_stop (self);
}

/* Rule 15: a handler that runs long keeps its lease.  Each tick pushes the
 * leases of running handlers out by one tick, so they stay at least half a
 * visibility timeout ahead of the clock. */
static gboolean
heartbeat_tick (gpointer data)
{
  PgqrsConsumer *self = data;
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer job;

  self->calls++;
  pgqrs_worker_heartbeat_async (self->worker, self->cancellable, heartbeat_cb, g_object_ref (self));

  g_hash_table_iter_init (&iter, self->jobs);
  while (g_hash_table_iter_next (&iter, &job, NULL))
    {
      GPtrArray *messages = pgqrs_job_get_messages (job);

      /* on deck (free_slots()) */
      if (self->workflow_runner != NULL && _pgqrs_workflow_runner_is_waiting (self->workflow_runner, job))
        continue;

      for (guint i = 0; i < messages->len; i++)
        g_ptr_array_add (held, g_object_ref (g_ptr_array_index (messages, i)));
    }

  for (guint i = 0; i < self->prefetched->len; i++)
    g_ptr_array_add (held, g_object_ref (g_ptr_array_index (self->prefetched, i)));

  if (held->len > 0)
    {
      Settle *extend = settle (self, PGQRS_SETTLE_EXTEND, held,
                               MIN (self->heartbeat_interval, self->visibility_timeout / 2));

      if (self->prefetched->len > 0)
        extend->prefetch_gen = self->prefetch_gen;
    }

  return G_SOURCE_CONTINUE;
}

static void
end_run (PgqrsConsumer *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->run_task);

  clear_source (&self->wait_source);
  clear_source (&self->heartbeat_source);
  clear_source (&self->deadline_source);
  clear_source (&self->ack_source);
  clear_source (&self->ack_deadline);

  if (self->watch_id != 0)
    {
      _pgqrs_backend_unwatch (_pgqrs_store_get_backend (self->store), self->watch_id);
      self->watch_id = 0;
    }
  if (self->run_cancelled_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), self->run_cancelled_id);
      self->run_cancelled_id = 0;
    }

  self->phase = PHASE_IDLE;
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  if (self->failure != NULL)
    g_task_return_error (task, g_steal_pointer (&self->failure));
  else
    g_task_return_boolean (task, TRUE);
}

/* The stop completes once nothing is in flight: no lease call, no handler,
 * no archive or release (sent or waiting in the acknowledgement window), no
 * status change.  So does an interrupt: whoever
 * sees the worker suspended finds the messages its handlers were given
 * archived or released, not still on their way. */
static void
maybe_finish_stop (PgqrsConsumer *self)
{
  if (self->phase == PHASE_INTERRUPTED && self->calls == 0 &&
      g_hash_table_size (self->jobs) == 0 && self->acks->len == 0)
    {
      self->phase = PHASE_SUSPENDED;
      goto_status (self, PGQRS_WORKER_STATUS_SUSPENDED);
    }

  if (self->phase != PHASE_STOPPING ||
      self->calls > 0 || g_hash_table_size (self->jobs) > 0 || self->acks->len > 0)
    return;

  if (self->worker != NULL && self->last_status != PGQRS_WORKER_STATUS_STOPPED)
    {
      goto_status (self, PGQRS_WORKER_STATUS_SUSPENDED);
      goto_status (self, PGQRS_WORKER_STATUS_STOPPED);
    }

  if (self->transitioning || !g_queue_is_empty (&self->transitions))
    return;

  end_run (self);
}

static gboolean
deadline_cb (gpointer data)
{
  PgqrsConsumer *self = data;
  GHashTableIter iter;
  gpointer job;

  g_clear_pointer (&self->deadline_source, g_source_unref);

  /* Handlers that outlived the deadline lose their jobs: the leases go back
   * to the queue now, and a late completion changes nothing. */
  g_hash_table_iter_init (&iter, self->jobs);
  while (g_hash_table_iter_next (&iter, &job, NULL))
    {
      _pgqrs_job_abandon (job);
      release_messages (self, pgqrs_job_get_messages (job), 0);
      g_hash_table_iter_remove (&iter);
    }
  if (self->workflow_runner != NULL)
    _pgqrs_workflow_runner_abandon (self->workflow_runner);

  maybe_finish_stop (self);

  return G_SOURCE_REMOVE;
}

/**
 * pgqrs_consumer_stop:
 * @self: a #PgqrsConsumer
 *
 * Stops the consumer gracefully: it takes no new leases, lets running
 * handlers finish for up to [property@Consumer:stop-timeout] seconds, then
 * releases what is still leased, stops its worker and completes
 * [method@Consumer.run_async]. Does nothing if the consumer is not running.
 *
 * Since: 1.0
 */
void
pgqrs_consumer_stop (PgqrsConsumer *self)
{
  g_return_if_fail (PGQRS_IS_CONSUMER (self));

  if (self->phase == PHASE_IDLE || self->phase == PHASE_STOPPING)
    return;

  self->phase = PHASE_STOPPING;
  clear_source (&self->wait_source);
  release_prefetched (self);
  take_back_on_deck (self);

  if (g_hash_table_size (self->jobs) > 0)
    self->deadline_source = add_timeout (self, self->stop_timeout, deadline_cb);

  maybe_finish_stop (self);
}

static gboolean
stop_in_context (gpointer data)
{
  pgqrs_consumer_stop (data);
  return G_SOURCE_REMOVE;
}

static void
run_cancelled_cb (GCancellable *cancellable,
                  gpointer      user_data)
{
  PgqrsConsumer *self = user_data;

  /* May run in any thread: stop in ours. */
  _pgqrs_invoke_in_context (self->context, "[pgqrs] consumer stop", stop_in_context,
                            g_object_ref (self), g_object_unref);
}

static void
start_polling_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PgqrsConsumer) self = user_data;
  g_autoptr(GError) error = NULL;
  PgqrsBackend *backend = _pgqrs_store_get_backend (self->store);

  if (!pgqrs_worker_transition_finish (PGQRS_WORKER (object), result, &error))
    {
      self->failure = g_steal_pointer (&error);
      self->phase = PHASE_STOPPING;
      self->last_status = pgqrs_worker_get_status (self->worker);
      maybe_finish_stop (self);
      return;
    }

  self->last_status = PGQRS_WORKER_STATUS_POLLING;
  /* the watch list calls us in the thread-default context of the caller:
   * make sure that is ours */
  if (!self->no_wakeups)
    {
      g_main_context_push_thread_default (self->context);
      self->watch_id = _pgqrs_backend_watch (backend, wakeup_cb, self, NULL);
      self->watch_busy = FALSE;
      g_main_context_pop_thread_default (self->context);
    }
  self->heartbeat_source = add_timeout (self, MIN (self->heartbeat_interval,
                                                   self->visibility_timeout / 2),
                                        heartbeat_tick);

  if (self->phase == PHASE_STARTING)
    {
      self->phase = PHASE_POLLING;
      pump (self);
    }
  else
    maybe_finish_stop (self);
}

static void
register_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PgqrsConsumer) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!(self->worker = pgqrs_store_register_worker_finish (PGQRS_STORE (object), result, &error)))
    {
      self->failure = g_steal_pointer (&error);
      self->phase = PHASE_STOPPING;
      end_run (self);
      return;
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WORKER]);
  self->last_status = PGQRS_WORKER_STATUS_READY;
  pgqrs_worker_transition_async (self->worker, PGQRS_WORKER_STATUS_POLLING, NULL,
                                 start_polling_cb, g_object_ref (self));
}

/**
 * pgqrs_consumer_run_async:
 * @self: a #PgqrsConsumer
 * @cancellable: (nullable): cancelling it stops the consumer, like
 *   [method@Consumer.stop]
 * @callback: (scope async) (closure user_data): called when the consumer
 *   has stopped
 * @user_data: data for @callback
 *
 * Registers the consumer's worker and runs the handler over the queue until
 * [method@Consumer.stop] is called or @cancellable is cancelled. The handler
 * runs in the thread-default main context of the caller.
 *
 * Since: 1.0
 */
void
pgqrs_consumer_run_async (PgqrsConsumer       *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PGQRS_IS_CONSUMER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pgqrs_consumer_run_async);

  if (self->handler == NULL)
    {
      g_task_return_new_error (task, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE,
                               _("The consumer has no handler; call pgqrs_consumer_set_handler()"));
      return;
    }

  if (self->phase != PHASE_IDLE)
    {
      g_task_return_new_error (task, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE,
                               _("The consumer “%s” is running already"), self->worker_name);
      return;
    }

  self->phase = PHASE_STARTING;
  self->run_task = g_steal_pointer (&task);
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->processed = 0;
  self->failed = 0;
  self->lease_depth = LEASE_DEPTH_MIN;
  self->lease_full_at = 0;
  g_clear_object (&self->worker);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  if (cancellable != NULL)
    self->run_cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (run_cancelled_cb),
                                                    self, NULL);

  pgqrs_store_register_worker_async (self->store, self->worker_name,
                                     pgqrs_queue_get_name (self->queue), NULL,
                                     register_cb, g_object_ref (self));
}

/**
 * pgqrs_consumer_run_finish:
 * @self: a #PgqrsConsumer
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Consumer.run_async].
 *
 * Returns: %TRUE if the consumer ran and stopped; %FALSE with @error set if
 *   it could not start (no handler, a live worker of the same name, …)
 *
 * Since: 1.0
 */
gboolean
pgqrs_consumer_run_finish (PgqrsConsumer  *self,
                           GAsyncResult   *result,
                           GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
run_sync_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

/**
 * pgqrs_consumer_run:
 * @self: a #PgqrsConsumer
 * @cancellable: (nullable): cancelling it stops the consumer
 * @error: return location for a #GError
 *
 * Runs the consumer in the calling thread until it is stopped — by
 * [method@Consumer.stop] from a handler or another thread, or by
 * @cancellable. The handler runs in this thread.
 *
 * Returns: %TRUE if the consumer ran and stopped
 *
 * Since: 1.0
 */
gboolean
pgqrs_consumer_run (PgqrsConsumer  *self,
                    GCancellable   *cancellable,
                    GError        **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;
  gboolean ret;

  g_return_val_if_fail (PGQRS_IS_CONSUMER (self), FALSE);

  g_main_context_push_thread_default (context);
  pgqrs_consumer_run_async (self, cancellable, run_sync_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  ret = pgqrs_consumer_run_finish (self, result, error);
  g_main_context_pop_thread_default (context);

  return ret;
}

/**
 * pgqrs_consumer_interrupt:
 * @self: a #PgqrsConsumer
 * @error: return location for a #GError
 *
 * Stops taking new leases while running handlers finish; the worker goes
 * `interrupted`, then `suspended` once they have. Resume with
 * [method@Consumer.resume].
 *
 * Returns: %TRUE on success; %PGQRS_ERROR_INVALID_STATE if the consumer is
 *   not polling
 *
 * Since: 1.0
 */
gboolean
pgqrs_consumer_interrupt (PgqrsConsumer  *self,
                          GError        **error)
{
  g_return_val_if_fail (PGQRS_IS_CONSUMER (self), FALSE);

  if (self->phase != PHASE_POLLING)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE,
                   _("The consumer “%s” can only be interrupted while polling"),
                   self->worker_name);
      return FALSE;
    }

  self->phase = PHASE_INTERRUPTED;
  clear_source (&self->wait_source);
  release_prefetched (self);
  take_back_on_deck (self);
  goto_status (self, PGQRS_WORKER_STATUS_INTERRUPTED);
  maybe_finish_stop (self);

  return TRUE;
}

/**
 * pgqrs_consumer_suspend:
 * @self: a #PgqrsConsumer
 * @error: return location for a #GError
 *
 * Suspends the consumer at once: no new leases; running handlers go on and
 * heartbeats continue. Resume with [method@Consumer.resume].
 *
 * Returns: %TRUE on success; %PGQRS_ERROR_INVALID_STATE if the consumer is
 *   not running or is stopping
 *
 * Since: 1.0
 */
gboolean
pgqrs_consumer_suspend (PgqrsConsumer  *self,
                        GError        **error)
{
  g_return_val_if_fail (PGQRS_IS_CONSUMER (self), FALSE);

  if (self->phase != PHASE_POLLING && self->phase != PHASE_INTERRUPTED)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE,
                   _("The consumer “%s” can only be suspended while polling or interrupted"),
                   self->worker_name);
      return FALSE;
    }

  self->phase = PHASE_SUSPENDED;
  clear_source (&self->wait_source);
  release_prefetched (self);
  take_back_on_deck (self);
  goto_status (self, PGQRS_WORKER_STATUS_SUSPENDED);

  return TRUE;
}

/**
 * pgqrs_consumer_resume:
 * @self: a #PgqrsConsumer
 * @error: return location for a #GError
 *
 * Resumes a suspended consumer: its worker goes `ready`, then `polling`.
 *
 * Returns: %TRUE on success; %PGQRS_ERROR_INVALID_STATE if the consumer is
 *   not suspended
 *
 * Since: 1.0
 */
gboolean
pgqrs_consumer_resume (PgqrsConsumer  *self,
                       GError        **error)
{
  g_return_val_if_fail (PGQRS_IS_CONSUMER (self), FALSE);

  if (self->phase != PHASE_SUSPENDED)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE,
                   _("The consumer “%s” is not suspended"), self->worker_name);
      return FALSE;
    }

  self->phase = PHASE_POLLING;
  goto_status (self, PGQRS_WORKER_STATUS_READY);
  goto_status (self, PGQRS_WORKER_STATUS_POLLING);
  pump (self);

  return TRUE;
}

static gboolean
workflow_handler (PgqrsJob *job,
                  gpointer  user_data)
{
  PgqrsConsumer *self = user_data;

  pgqrs_job_defer (job);
  _pgqrs_workflow_runner_push (self->workflow_runner, job,
                               self->workflow_in_thread ? NULL : self->context,
                               !self->delete_on_success);

  return TRUE;
}

guint
_pgqrs_consumer_get_n_on_deck (PgqrsConsumer *self)
{
  g_return_val_if_fail (PGQRS_IS_CONSUMER (self), 0);

  return self->workflow_runner != NULL ? _pgqrs_workflow_runner_get_n_waiting (self->workflow_runner) : 0;
}

void
_pgqrs_consumer_set_wakeups (PgqrsConsumer *self,
                             gboolean       wakeups)
{
  g_return_if_fail (PGQRS_IS_CONSUMER (self));
  g_return_if_fail (self->phase == PHASE_IDLE);

  self->no_wakeups = !wakeups;
}

/**
 * pgqrs_consumer_set_workflow:
 * @self: a #PgqrsConsumer
 * @func: (scope notified) (closure user_data) (destroy destroy): the workflow's body
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Makes the consumer run a workflow: each message of its queue is the
 * trigger of a run (see [method@Store.trigger_workflow]). For each, the
 * consumer starts the run and calls @func, which runs the steps with
 * [method@Workflow.run_step] and returns the output; the consumer then
 * completes the run and archives the trigger.
 *
 * @func runs on a thread of the consumer's (up to
 * [property@Consumer:concurrency] at once), so that its steps may block
 * while the consumer keeps the trigger's lease alive. A run that paused or
 * scheduled a step retry keeps its trigger, which comes back when the run
 * goes on; a cancelled or finished run's trigger is archived.
 *
 * While runs are quick (a second or less), each of those threads is handed
 * the trigger of its next run while it runs one, and goes on to it as soon
 * as it is done. That trigger's lease is not kept alive while it waits, so
 * a run that stalls holds its successor no longer than
 * [property@Consumer:visibility-timeout]; stopping, interrupting or
 * suspending the consumer gives it back to the queue unstarted.
 *
 * This replaces any handler set with [method@Consumer.set_handler].
 *
 * Since: 1.0
 */
void
pgqrs_consumer_set_workflow (PgqrsConsumer     *self,
                             PgqrsWorkflowFunc  func,
                             gpointer           user_data,
                             GDestroyNotify     destroy)
{
  g_return_if_fail (PGQRS_IS_CONSUMER (self));
  g_return_if_fail (func != NULL);
  g_return_if_fail (self->phase == PHASE_IDLE);

  g_clear_pointer (&self->workflow_runner, _pgqrs_workflow_runner_free);
  self->workflow_runner = _pgqrs_workflow_runner_new (self->store, func, user_data, destroy,
                                                      self->concurrency);

  pgqrs_consumer_set_handler (self, workflow_handler, self, NULL);
}

static void
pgqrs_consumer_dispose (GObject *object)
{
  PgqrsConsumer *self = (PgqrsConsumer *)object;

  g_clear_pointer (&self->workflow_runner, _pgqrs_workflow_runner_free);

  if (self->handler_destroy != NULL)
    g_clear_pointer (&self->handler_data, self->handler_destroy);
  self->handler = NULL;

  G_OBJECT_CLASS (pgqrs_consumer_parent_class)->dispose (object);
}

static void
pgqrs_consumer_finalize (GObject *object)
{
  PgqrsConsumer *self = (PgqrsConsumer *)object;

  g_assert (self->run_task == NULL);

  g_clear_object (&self->queue);
  g_clear_object (&self->store);
  g_clear_object (&self->worker);
  g_clear_object (&self->retry_policy);
  g_clear_pointer (&self->worker_name, g_free);
  g_clear_pointer (&self->jobs, g_hash_table_unref);
  g_clear_pointer (&self->prefetched, g_ptr_array_unref);
  g_clear_pointer (&self->acks, g_ptr_array_unref);
  g_queue_clear (&self->transitions);
  g_clear_error (&self->failure);

  G_OBJECT_CLASS (pgqrs_consumer_parent_class)->finalize (object);
}

static void
pgqrs_consumer_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PgqrsConsumer *self = PGQRS_CONSUMER (object);

  switch (prop_id)
    {
    case PROP_QUEUE:
      g_value_set_object (value, self->queue);
      break;
    case PROP_WORKER_NAME:
      g_value_set_string (value, self->worker_name);
      break;
    case PROP_BATCH_SIZE:
      g_value_set_uint (value, self->batch_size);
      break;
    case PROP_CONCURRENCY:
      g_value_set_uint (value, self->concurrency);
      break;
    case PROP_VISIBILITY_TIMEOUT:
      g_value_set_double (value, self->visibility_timeout);
      break;
    case PROP_POLL_INTERVAL:
      g_value_set_double (value, self->poll_interval);
      break;
    case PROP_HEARTBEAT_INTERVAL:
      g_value_set_double (value, self->heartbeat_interval);
      break;
    case PROP_STOP_TIMEOUT:
      g_value_set_double (value, self->stop_timeout);
      break;
    case PROP_DELETE_ON_SUCCESS:
      g_value_set_boolean (value, self->delete_on_success);
      break;
    case PROP_WORKFLOW_IN_THREAD:
      g_value_set_boolean (value, self->workflow_in_thread);
      break;
    case PROP_RETRY_POLICY:
      g_value_set_object (value, self->retry_policy);
      break;
    case PROP_WORKER:
      g_value_set_object (value, self->worker);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->phase != PHASE_IDLE);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_double (PgqrsConsumer *self,
            double        *field,
            const GValue  *value,
            GParamSpec    *pspec)
{
  double v = g_value_get_double (value);

  /* 0 keeps the store's default, read at construction */
  if (v > 0 && *field != v)
    {
      *field = v;
      g_object_notify_by_pspec (G_OBJECT (self), pspec);
    }
}

static void
pgqrs_consumer_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PgqrsConsumer *self = PGQRS_CONSUMER (object);

  switch (prop_id)
    {
    case PROP_QUEUE:
      self->queue = g_value_dup_object (value);
      break;
    case PROP_WORKER_NAME:
      self->worker_name = g_value_dup_string (value);
      break;
    case PROP_BATCH_SIZE:
      if (self->batch_size != g_value_get_uint (value))
        {
          self->batch_size = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_CONCURRENCY:
      if (self->concurrency != g_value_get_uint (value))
        {
          self->concurrency = g_value_get_uint (value);
          if (self->workflow_runner != NULL)
            _pgqrs_workflow_runner_set_max_threads (self->workflow_runner, self->concurrency);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_VISIBILITY_TIMEOUT:
      set_double (self, &self->visibility_timeout, value, pspec);
      break;
    case PROP_POLL_INTERVAL:
      set_double (self, &self->poll_interval, value, pspec);
      break;
    case PROP_HEARTBEAT_INTERVAL:
      set_double (self, &self->heartbeat_interval, value, pspec);
      break;
    case PROP_STOP_TIMEOUT:
      set_double (self, &self->stop_timeout, value, pspec);
      break;
    case PROP_DELETE_ON_SUCCESS:
      if (self->delete_on_success != g_value_get_boolean (value))
        {
          self->delete_on_success = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_WORKFLOW_IN_THREAD:
      if (self->workflow_in_thread != g_value_get_boolean (value))
        {
          self->workflow_in_thread = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_RETRY_POLICY:
      if (g_set_object (&self->retry_policy, g_value_get_object (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pgqrs_consumer_constructed (GObject *object)
{
  PgqrsConsumer *self = (PgqrsConsumer *)object;
  PgqrsConfig *config;

  G_OBJECT_CLASS (pgqrs_consumer_parent_class)->constructed (object);

  g_assert (PGQRS_IS_QUEUE (self->queue));

  self->store = g_object_ref (pgqrs_queue_get_store (self->queue));
  config = pgqrs_store_get_config (self->store);

  if (self->visibility_timeout <= 0)
    self->visibility_timeout = pgqrs_config_get_visibility_timeout (config);
  if (self->poll_interval <= 0)
    self->poll_interval = pgqrs_config_get_poll_interval (config);
  if (self->heartbeat_interval <= 0)
    self->heartbeat_interval = pgqrs_config_get_heartbeat_interval (config);
}

static void
pgqrs_consumer_class_init (PgqrsConsumerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = pgqrs_consumer_constructed;
  object_class->dispose = pgqrs_consumer_dispose;
  object_class->finalize = pgqrs_consumer_finalize;
  object_class->get_property = pgqrs_consumer_get_property;
  object_class->set_property = pgqrs_consumer_set_property;

  /**
   * PgqrsConsumer:queue:
   *
   * The queue the consumer serves.
   *
   * Since: 1.0
   */
  properties[PROP_QUEUE] =
    g_param_spec_object ("queue", NULL, NULL, PGQRS_TYPE_QUEUE, construct);

  /**
   * PgqrsConsumer:worker-name:
   *
   * The name the consumer's worker registers under; unique among live
   * workers.
   *
   * Since: 1.0
   */
  properties[PROP_WORKER_NAME] =
    g_param_spec_string ("worker-name", NULL, NULL, NULL, construct);

  /**
   * PgqrsConsumer:batch-size:
   *
   * With 1, each job holds one message. Above 1, each job holds up to this
   * many, leased together, and succeeds or fails as a whole.
   *
   * Since: 1.0
   */
  properties[PROP_BATCH_SIZE] =
    g_param_spec_uint ("batch-size", NULL, NULL, 1, 10000, 1, rw);

  /**
   * PgqrsConsumer:concurrency:
   *
   * The most jobs in the handler at once.
   *
   * Since: 1.0
   */
  properties[PROP_CONCURRENCY] =
    g_param_spec_uint ("concurrency", NULL, NULL, 1, 10000, 1, rw);

  /**
   * PgqrsConsumer:visibility-timeout:
   *
   * Seconds each lease lasts before it is extended; 0 for the store's
   * [property@Config:visibility-timeout].
   *
   * Since: 1.0
   */
  properties[PROP_VISIBILITY_TIMEOUT] =
    g_param_spec_double ("visibility-timeout", NULL, NULL, 0, 43200, 0, rw);

  /**
   * PgqrsConsumer:poll-interval:
   *
   * Seconds to wait for work when no wakeup comes; 0 for the store's
   * [property@Config:poll-interval].
   *
   * Since: 1.0
   */
  properties[PROP_POLL_INTERVAL] =
    g_param_spec_double ("poll-interval", NULL, NULL, 0, 3600, 0, rw);

  /**
   * PgqrsConsumer:heartbeat-interval:
   *
   * Seconds between heartbeats; 0 for the store's
   * [property@Config:heartbeat-interval]. Heartbeats come at least twice
   * per visibility timeout, so that leases of running handlers never lapse.
   *
   * Keep it under three times the store's heartbeat interval: a worker
   * silent for longer counts as dead, and registering its name again (a
   * restart after a crash) takes it over; see [method@Store.register_worker].
   *
   * Since: 1.0
   */
  properties[PROP_HEARTBEAT_INTERVAL] =
    g_param_spec_double ("heartbeat-interval", NULL, NULL, 0, 3600, 0, rw);

  /**
   * PgqrsConsumer:stop-timeout:
   *
   * Seconds [method@Consumer.stop] waits for running handlers.
   *
   * Since: 1.0
   */
  properties[PROP_STOP_TIMEOUT] =
    g_param_spec_double ("stop-timeout", NULL, NULL, 0, 86400, 30, rw);

  /**
   * PgqrsConsumer:delete-on-success:
   *
   * Delete handled messages instead of archiving them.
   *
   * Since: 1.0
   */
  properties[PROP_DELETE_ON_SUCCESS] =
    g_param_spec_boolean ("delete-on-success", NULL, NULL, FALSE, rw);

  /**
   * PgqrsConsumer:workflow-in-thread:
   *
   * Whether the workflow function (see [method@Consumer.set_workflow]) is
   * called on a thread of the consumer's, where it may block, or — when
   * %FALSE — in the consumer's main context, where it must not: it then
   * runs its steps with [method@Workflow.run_step_async], calls
   * [method@Workflow.defer] and hands over the output with
   * [method@Workflow.resolve]. Language runtimes that cannot run code on
   * other threads, such as gjs, need %FALSE.
   *
   * A deferred run must be resolved: the consumer waits for it, and does
   * not stop before it is.
   *
   * Since: 1.0
   */
  properties[PROP_WORKFLOW_IN_THREAD] =
    g_param_spec_boolean ("workflow-in-thread", NULL, NULL, TRUE, rw);

  /**
   * PgqrsConsumer:retry-policy:
   *
   * When set, a failed job's messages come back after the policy's delay,
   * and are dead-lettered once its retries are spent. When %NULL, they come
   * back at once (and [property@Config:max-read-count] bounds the attempts).
   *
   * Since: 1.0
   */
  properties[PROP_RETRY_POLICY] =
    g_param_spec_object ("retry-policy", NULL, NULL, PGQRS_TYPE_RETRY_POLICY, rw);

  /**
   * PgqrsConsumer:worker:
   *
   * The consumer's registered worker, once it has started.
   *
   * Since: 1.0
   */
  properties[PROP_WORKER] =
    g_param_spec_object ("worker", NULL, NULL, PGQRS_TYPE_WORKER, ro);

  /**
   * PgqrsConsumer:running:
   *
   * Whether the consumer is between [method@Consumer.run_async] and the
   * end of its stop.
   *
   * Since: 1.0
   */
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PgqrsConsumer::error:
   * @self: a #PgqrsConsumer
   * @error: what failed
   *
   * Reports a database error the consumer met and recovered from; it goes
   * on after the poll interval.
   *
   * Since: 1.0
   */
  signals[ERROR] =
    g_signal_new ("error",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
pgqrs_consumer_init (PgqrsConsumer *self)
{
  self->batch_size = 1;
  self->concurrency = 1;
  self->workflow_in_thread = TRUE;
  self->stop_timeout = 30;
  self->jobs = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->prefetched = g_ptr_array_new_with_free_func (g_object_unref);
  self->acks = g_ptr_array_new_with_free_func (g_object_unref);
  g_queue_init (&self->transitions);
}

/**
 * pgqrs_consumer_new:
 * @queue: the queue to consume
 * @worker_name: the name of the consumer's worker
 *
 * Makes a consumer; give it a handler with [method@Consumer.set_handler],
 * then run it with [method@Consumer.run_async].
 *
 * Returns: (transfer full): a new #PgqrsConsumer
 *
 * Since: 1.0
 */
PgqrsConsumer *
pgqrs_consumer_new (PgqrsQueue *queue,
                    const char *worker_name)
{
  g_return_val_if_fail (PGQRS_IS_QUEUE (queue), NULL);
  g_return_val_if_fail (worker_name != NULL, NULL);

  return g_object_new (PGQRS_TYPE_CONSUMER, "queue", queue, "worker-name", worker_name, NULL);
}

/**
 * pgqrs_consumer_set_handler:
 * @self: a #PgqrsConsumer
 * @handler: (scope notified) (closure user_data) (destroy destroy): the handler
 * @user_data: data for @handler
 * @destroy: (nullable): frees @user_data
 *
 * Sets the function that handles each job.
 *
 * Since: 1.0
 */
void
pgqrs_consumer_set_handler (PgqrsConsumer        *self,
                            PgqrsConsumerHandler  handler,
                            gpointer              user_data,
                            GDestroyNotify        destroy)
{
  g_return_if_fail (PGQRS_IS_CONSUMER (self));
  g_return_if_fail (handler != NULL);

  if (self->handler_destroy != NULL)
    self->handler_destroy (self->handler_data);

  self->handler = handler;
  self->handler_data = user_data;
  self->handler_destroy = destroy;
}

/**
 * pgqrs_consumer_get_queue:
 * @self: a #PgqrsConsumer
 *
 * Gets the queue the consumer leases messages from.
 *
 * Returns: (transfer none): the queue the consumer serves
 *
 * Since: 1.0
 */
PgqrsQueue *
pgqrs_consumer_get_queue (PgqrsConsumer *self)
{
  g_return_val_if_fail (PGQRS_IS_CONSUMER (self), NULL);
  return self->queue;
}

/**
 * pgqrs_consumer_get_worker:
 * @self: a #PgqrsConsumer
 *
 * Gets the worker the consumer registered when it started.
 *
 * Returns: (transfer none) (nullable): the consumer's worker, once started
 *
 * Since: 1.0
 */
PgqrsWorker *
pgqrs_consumer_get_worker (PgqrsConsumer *self)
{
  g_return_val_if_fail (PGQRS_IS_CONSUMER (self), NULL);
  return self->worker;
}

/**
 * pgqrs_consumer_is_running:
 * @self: a #PgqrsConsumer
 *
 * Tells whether the consumer is between the start and the end of a run.
 *
 * Returns: the value of [property@Consumer:running]
 *
 * Since: 1.0
 */
gboolean
pgqrs_consumer_is_running (PgqrsConsumer *self)
{
  g_return_val_if_fail (PGQRS_IS_CONSUMER (self), FALSE);
  return self->phase != PHASE_IDLE;
}

/**
 * pgqrs_consumer_get_processed_count:
 * @self: a #PgqrsConsumer
 *
 * Gets how many jobs the handler completed successfully.
 *
 * Returns: how many jobs succeeded in the current or last run
 *
 * Since: 1.0
 */
guint64
pgqrs_consumer_get_processed_count (PgqrsConsumer *self)
{
  g_return_val_if_fail (PGQRS_IS_CONSUMER (self), 0);
  return self->processed;
}

/**
 * pgqrs_consumer_get_failed_count:
 * @self: a #PgqrsConsumer
 *
 * Gets how many jobs the handler failed.
 *
 * Returns: how many jobs failed in the current or last run
 *
 * Since: 1.0
 */
guint64
pgqrs_consumer_get_failed_count (PgqrsConsumer *self)
{
  g_return_val_if_fail (PGQRS_IS_CONSUMER (self), 0);
  return self->failed;
}
