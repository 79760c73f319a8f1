/* pgqrs-backend-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <gio/gio.h>

#include "pgqrs-config.h"
#include "pgqrs-message.h"
#include "pgqrs-queue-metrics.h"
#include "pgqrs-worker.h"
#include "pgqrs-worker-stats.h"
#include "pgqrs-workflow-types.h"
#include "pgqrs-watch-list-private.h"

G_BEGIN_DECLS

/*
 * PgqrsBackend is the storage contract.  Instead of one vfunc pair per
 * operation, a backend gets a PgqrsRequest naming one semantic operation and
 * answers with a PgqrsReply.  This keeps the interface to a handful of
 * vfuncs, lets every operation share one async path (GTask to the caller's
 * main context) and one blocking path, and makes each backend's list of what
 * it must do a single switch over PgqrsOp.  The public classes build
 * requests; they never see SQL and never branch on the backend.
 */

/* Each operation, with the request fields it reads (→) and the reply fields
 * it fills (←).  Errors go to the GError: QUEUE_NOT_FOUND, QUEUE_EXISTS,
 * SCHEMA_MISSING, CONNECTION, DATABASE, … */
typedef enum
{
  PGQRS_OP_INSTALL,        /* → -                               ← -          */
  PGQRS_OP_VERIFY,         /* → -                               ← - (SCHEMA_MISSING if not current) */
  PGQRS_OP_QUEUE_CREATE,   /* → queue_name                      ← queues[1]  */
  PGQRS_OP_QUEUE_GET,      /* → queue_name                      ← queues[1]  */
  PGQRS_OP_QUEUE_LIST,     /* → -                               ← queues (by name) */
  PGQRS_OP_QUEUE_DELETE,   /* → queue_name, cascade             ← - (QUEUE_IN_USE unless cascade) */
  PGQRS_OP_QUEUE_PURGE,    /* → queue_name                      ← count      */
  PGQRS_OP_ENQUEUE,        /* → queue_id, payloads, seconds (delay), worker_id  ← ids, input order */
  PGQRS_OP_LEASE,          /* → queue_id, limit, seconds (visibility), max_read_count, worker_id
                                                                ← messages, oldest first */
  PGQRS_OP_ARCHIVE,        /* → queue_id, tokens, dead_letter (archive reason)  ← flags, input order */
  PGQRS_OP_DELETE,         /* → queue_id, tokens                ← flags      */
  PGQRS_OP_RELEASE,        /* → queue_id, tokens, seconds (delay) ← flags    */
  PGQRS_OP_EXTEND,         /* → queue_id, tokens, seconds       ← flags      */
  PGQRS_OP_METRICS,        /* → queue_name, or NULL for all     ← metrics (by name) */
  PGQRS_OP_LIST_ARCHIVED,  /* → queue_name or NULL, dead_letter_only, limit, offset
                                                                ← messages, newest first */
  PGQRS_OP_REPLAY,         /* → message_id                      ← flags[1] (NOT_FOUND if no such id) */
  PGQRS_OP_NEXT_VISIBLE,   /* → queue_id                        ← seconds until the earliest unarchived
                                                                  message with vt > now is visible, or
                                                                  -1 if none (the consumer's wait) */
  PGQRS_OP_WORKER_REGISTER,   /* → worker_name, queue_name or NULL  ← workers[1]; a stopped name is
                                   reused (status ready, started/heartbeat now, shutdown NULL);
                                   a live one is WORKER_EXISTS; QUEUE_NOT_FOUND */
  PGQRS_OP_WORKER_GET,        /* → worker_id                        ← workers[1] (NOT_FOUND) */
  PGQRS_OP_WORKER_HEARTBEAT,  /* → worker_id                        ← workers[1] (NOT_FOUND) */
  PGQRS_OP_WORKER_TRANSITION, /* → worker_id, status (to), status_mask (allowed from: bit
                                   1 << PgqrsWorkerStatus)          ← workers[1]; INVALID_STATE naming
                                   from and to when the current status is not in the mask; to
                                   STOPPED sets shutdown_at and is INVALID_STATE while the worker
                                   holds unexpired leases */
  PGQRS_OP_WORKER_LIST,       /* → queue_name or NULL               ← workers, by name */
  PGQRS_OP_WORKER_RECLAIM,    /* → seconds (heartbeat older than)   ← count; marks them stopped and
                                   releases their leases (vt now, consumer NULL, read_ct kept) */
  PGQRS_OP_WORKER_STATS,      /* → queue_name or NULL for all, seconds (stale: heartbeat older than)
                                                                    ← worker_stats (by queue name);
                                   QUEUE_NOT_FOUND */
  PGQRS_OP_WORKFLOW_DEFINE,   /* → workflow_name, queue_name        ← - ; binds (or rebinds) the
                                   workflow to the queue; QUEUE_NOT_FOUND */
  PGQRS_OP_RUN_CREATE,        /* → workflow_name, payloads[0] (input), trigger, worker_id
                                                                    ← runs[1]; QUEUED.  With trigger,
                                   also enqueues {"workflow","run_id"} on the workflow's queue in the
                                   same transaction and stores its id (VALIDATION if unbound) */
  PGQRS_OP_RUN_GET,           /* → run_id, or message_id when run_id is 0  ← runs[1] (NOT_FOUND) */
  PGQRS_OP_RUN_TRANSITION,    /* → run_id, run_status (to), status_mask (allowed from, bit
                                   1 << PgqrsRunStatus), payloads[0] (output for SUCCESS, error for
                                   ERROR, reason for PAUSED), seconds (PAUSED: resume after), worker_id
                                                                    ← runs[1]; INVALID_STATE naming
                                   both.  To RUNNING from CANCELLING ends the run CANCELLED and fails
                                   with CANCELLED; from PAUSED before resume_at fails with PAUSED.
                                   To PAUSED moves the trigger message's vt to resume_at; to
                                   CANCELLING from PAUSED makes it visible now. */
  PGQRS_OP_STEP_ACQUIRE,      /* → run_id, step_name               ← steps[1] (cached = TRUE when
                                   it was SUCCESS).  CANCELLED (the run is finalised) when the run
                                   is CANCELLING; INVALID_STATE unless RUNNING; STEP_NOT_READY naming
                                   retry_at while a retry is not due */
  PGQRS_OP_STEP_COMPLETE,     /* → step_id, payloads[0] (output)   ← steps[1]; only from RUNNING */
  PGQRS_OP_STEP_FAIL,         /* → step_id, run_id, payloads[0] (error), seconds: retry after, or
                                   < 0 for no retry (the run ends ERROR with the error)
                                                                    ← steps[1]; a retry also moves the
                                   run's trigger message to retry_at */
  PGQRS_OP_CLOCK_SET,         /* → seconds (the skew of the database's clock)  ← - */
} PgqrsOp;

/* The fencing token of a lease (semantics rule 5): an operation on a leased
 * message applies only while the row still has this lease count, i.e. no
 * later lease took it over and it was not released.  The lease count goes
 * up with every lease, release and reschedule and is never reset — unlike
 * the read count, which replay resets — so a token never comes back. */
typedef struct
{
  gint64 id;
  gint64 lease_count;
} PgqrsLeaseToken;

typedef struct
{
  gint64     id;
  char      *name;
  char      *created_at;   /* ISO-8601 */
} PgqrsQueueRow;

typedef struct
{
  gint64             id;
  char              *name;
  gint64             queue_id;       /* 0: none */
  PgqrsWorkerStatus  status;
  char              *started_at;     /* ISO-8601 */
  char              *heartbeat_at;
  char              *shutdown_at;    /* or NULL */
  double             heartbeat_age;  /* seconds, by the database clock */
} PgqrsWorkerRow;

typedef struct
{
  gint64          id;
  char           *workflow_name;
  gint64          message_id;      /* 0: an in-process run */
  PgqrsRunStatus  status;
  char           *input;           /* JSON text, or NULL */
  char           *output;
  char           *error;
  char           *pause_reason;
  char           *created_at;      /* ISO-8601, or NULL */
  char           *updated_at;
  char           *started_at;
  char           *paused_at;
  char           *completed_at;
  char           *resume_at;
  gint64          worker_id;
} PgqrsRunRow;

typedef struct
{
  gint64           id;
  gint64           run_id;
  char            *name;
  PgqrsStepStatus  status;
  char            *output;         /* JSON text, or NULL */
  char            *error;
  guint            retry_count;
  char            *retry_at;       /* ISO-8601, or NULL */
  char            *started_at;
  char            *completed_at;
  gboolean         cached;         /* SUCCESS before this acquire: replay, do not run */
} PgqrsStepRow;

typedef struct
{
  PgqrsOp    op;
  char      *queue_name;
  gint64     queue_id;
  gint64     worker_id;        /* 0: a one-off call that names no worker */
  gint64     message_id;
  GPtrArray *payloads;         /* element-type utf8: validated compact JSON */
  GArray    *tokens;           /* element-type PgqrsLeaseToken */
  double     seconds;
  guint      limit;
  guint      offset;
  guint      max_read_count;
  gboolean   cascade;
  gboolean   dead_letter_only;
  gboolean   dead_letter;
  char      *worker_name;
  PgqrsWorkerStatus status;
  guint      status_mask;
  char      *workflow_name;
  char      *step_name;
  gint64     run_id;
  gint64     step_id;
  PgqrsRunStatus run_status;
  gboolean   trigger;
} PgqrsRequest;

typedef struct
{
  GPtrArray *queues;           /* element-type PgqrsQueueRow */
  GArray    *ids;              /* element-type gint64 */
  GArray    *flags;            /* element-type gboolean */
  GPtrArray *messages;         /* element-type PgqrsMessage */
  GPtrArray *metrics;          /* element-type PgqrsQueueMetrics */
  GPtrArray *workers;          /* element-type PgqrsWorkerRow */
  GPtrArray *worker_stats;     /* element-type PgqrsWorkerStats */
  GPtrArray *runs;             /* element-type PgqrsRunRow */
  GPtrArray *steps;            /* element-type PgqrsStepRow */
  gint64     count;
  double     seconds;
} PgqrsReply;

PgqrsRequest  *_pgqrs_request_new            (PgqrsOp        op);
void           _pgqrs_request_free           (PgqrsRequest  *request);
void           _pgqrs_request_add_token      (PgqrsRequest  *request,
                                              gint64         id,
                                              gint64         lease_count);
const char    *_pgqrs_op_to_string           (PgqrsOp        op);

PgqrsReply    *_pgqrs_reply_new              (void);
void           _pgqrs_reply_free             (PgqrsReply    *reply);
void           _pgqrs_reply_add_queue        (PgqrsReply    *reply,
                                              gint64         id,
                                              const char    *name,
                                              const char    *created_at);
void           _pgqrs_reply_add_id           (PgqrsReply    *reply,
                                              gint64         id);
void           _pgqrs_reply_add_flag         (PgqrsReply    *reply,
                                              gboolean       flag);

void           _pgqrs_reply_add_worker       (PgqrsReply    *reply,
                                              const PgqrsWorkerRow *row);

void           _pgqrs_reply_add_run          (PgqrsReply    *reply,
                                              const PgqrsRunRow *row);
void           _pgqrs_reply_add_step         (PgqrsReply    *reply,
                                              const PgqrsStepRow *row);
void           _pgqrs_run_row_free           (PgqrsRunRow   *row);
void           _pgqrs_step_row_free          (PgqrsStepRow  *row);
PgqrsRunStatus _pgqrs_run_status_from_string (const char    *text);
PgqrsStepStatus _pgqrs_step_status_from_string (const char  *text);

/* Rules 18–20, the same on every backend: what acquiring a step whose row
 * already existed means. */
typedef enum
{
  PGQRS_STEP_VERDICT_REPLAY,    /* completed: hand back its output (marked cached) */
  PGQRS_STEP_VERDICT_RESTART,   /* pending, crashed mid-step, or due for a retry */
  PGQRS_STEP_VERDICT_REFUSED,   /* failed for good, or not yet due: see the error */
} PgqrsStepVerdict;

PgqrsStepVerdict _pgqrs_step_row_judge       (PgqrsStepRow  *step,
                                              const PgqrsRequest *request,
                                              gboolean       not_due,
                                              GError       **error);
gboolean       _pgqrs_run_check_running      (gint64         run_id,
                                              PgqrsRunStatus status,
                                              GError       **error);

void           _pgqrs_queue_row_free         (PgqrsQueueRow *row);
void           _pgqrs_worker_row_free        (PgqrsWorkerRow *row);
PgqrsWorkerStatus _pgqrs_worker_status_from_string (const char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgqrsRequest, _pgqrs_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgqrsReply, _pgqrs_reply_free)

#define PGQRS_TYPE_BACKEND (pgqrs_backend_get_type ())

G_DECLARE_INTERFACE (PgqrsBackend, pgqrs_backend, PGQRS, BACKEND, GObject)

struct _PgqrsBackendInterface
{
  GTypeInterface parent_iface;

  /* Connects (or opens the file).  Called once, before any execute. */
  void        (*open_async)     (PgqrsBackend         *self,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data);
  gboolean    (*open_finish)    (PgqrsBackend         *self,
                                 GAsyncResult         *result,
                                 GError              **error);

  /* Runs one request; takes ownership of @request.  Must not block the
   * caller's main context, and must complete in the thread-default main
   * context of the caller. */
  void        (*execute_async)  (PgqrsBackend         *self,
                                 PgqrsRequest         *request,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data);
  PgqrsReply *(*execute_finish) (PgqrsBackend         *self,
                                 GAsyncResult         *result,
                                 GError              **error);

  /* Wakeups.  While it has watchers, the backend calls each of them in
   * its @context (a PgqrsWatchList; NULL: in the thread that hears of
   * them) when messages may have become available: enqueued or made
   * visible through this backend, or enqueued by another process where
   * the backend can hear of it (PostgreSQL: LISTEN/NOTIFY; SQLite: a
   * change of the database file).  watch() returns the id for unwatch(). */
  guint       (*watch)          (PgqrsBackend         *self,
                                 GMainContext         *context,
                                 PgqrsWakeupFunc       func,
                                 gpointer              user_data,
                                 GDestroyNotify        destroy);
  void        (*unwatch)        (PgqrsBackend         *self,
                                 guint                 watch_id);
};

/* @func is called in the thread-default main context of the caller. */
guint       _pgqrs_backend_watch          (PgqrsBackend         *self,
                                           PgqrsWakeupFunc       func,
                                           gpointer              user_data,
                                           GDestroyNotify        destroy);
void        _pgqrs_backend_unwatch        (PgqrsBackend         *self,
                                           guint                 watch_id);

/* The former interface, for the tests that listen without a main context:
 * while set, ::message-available (gint64 queue_id, 0 when unknown) is
 * emitted in the thread that hears of messages.  The library itself does
 * not use it. */
void        _pgqrs_backend_set_watching   (PgqrsBackend         *self,
                                           gboolean              watching);

void        _pgqrs_backend_open_async     (PgqrsBackend         *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean    _pgqrs_backend_open_finish    (PgqrsBackend         *self,
                                           GAsyncResult         *result,
                                           GError              **error);
void        _pgqrs_backend_execute_async  (PgqrsBackend         *self,
                                           PgqrsRequest         *request,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
PgqrsReply *_pgqrs_backend_execute_finish (PgqrsBackend         *self,
                                           GAsyncResult         *result,
                                           GError              **error);

/* Makes the backend a DSN names, or fails with BACKEND_UNAVAILABLE. */
PgqrsBackend *_pgqrs_backend_new_for_config (PgqrsConfig  *config,
                                             GError      **error);

G_END_DECLS
