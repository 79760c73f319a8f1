/* pgqrs-request-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-internal-private.h"

#include <gio/gio.h>

#include "pgqrs-message.h"
#include "pgqrs-queue-metrics.h"
#include "pgqrs-types.h"
#include "pgqrs-worker-stats.h"

G_BEGIN_DECLS

/*
 * The data of the backend contract.  A public class asks a backend for one
 * semantic operation with a PgqrsRequest and gets a PgqrsReply back; both go
 * through the single execute bus (pgqrs-backend-private.h), and each backend
 * dispatches on PgqrsOp through its own op-indexed table.
 *
 * A request is a tagged union: `op` names the operation and selects the one
 * member of the union that holds its arguments, each with a name that says
 * what it means (visibility_seconds, delay_seconds, …).  No field is shared
 * by two operations.  Requests are built only by the typed constructors
 * below, one per operation, so a caller cannot forget an argument.
 *
 * A reply fills exactly one result member per operation, named next to the
 * operation below; errors go to the GError (QUEUE_NOT_FOUND, QUEUE_EXISTS,
 * SCHEMA_MISSING, CONNECTION, DATABASE, …).
 */
typedef enum
{
  PGQRS_OP_INSTALL,           /* ← -                                   */
  PGQRS_OP_VERIFY,            /* ← - (SCHEMA_MISSING if not current)    */
  PGQRS_OP_QUEUE_CREATE,      /* ← queues[1]                            */
  PGQRS_OP_QUEUE_GET,         /* ← queues[1]                            */
  PGQRS_OP_QUEUE_LIST,        /* ← queues, by name                      */
  PGQRS_OP_QUEUE_DELETE,      /* ← - (QUEUE_IN_USE unless cascade)      */
  PGQRS_OP_QUEUE_PURGE,       /* ← count                                */
  PGQRS_OP_ENQUEUE,           /* ← ids, in input order                  */
  PGQRS_OP_LEASE,             /* ← messages, oldest first               */
  PGQRS_OP_ARCHIVE,           /* ← flags, in token order                */
  PGQRS_OP_DELETE,            /* ← flags                                */
  PGQRS_OP_RELEASE,           /* ← flags                                */
  PGQRS_OP_EXTEND,            /* ← flags                                */
  PGQRS_OP_METRICS,           /* ← metrics, by queue name               */
  PGQRS_OP_LIST_ARCHIVED,     /* ← messages, newest first               */
  PGQRS_OP_REPLAY,            /* ← flags[1] (NOT_FOUND if no such id)   */
  PGQRS_OP_NEXT_VISIBLE,      /* ← seconds until the earliest unarchived message
                                   with vt > now is visible, or -1 if none */
  PGQRS_OP_WORKER_REGISTER,   /* ← workers[1]; a stopped name is reused (status
                                   ready, started/heartbeat now, shutdown NULL);
                                   a live one is WORKER_EXISTS; QUEUE_NOT_FOUND */
  PGQRS_OP_WORKER_GET,        /* ← workers[1] (NOT_FOUND)               */
  PGQRS_OP_WORKER_HEARTBEAT,  /* ← workers[1] (NOT_FOUND)               */
  PGQRS_OP_WORKER_TRANSITION, /* ← workers[1]; INVALID_STATE naming from and to
                                   when the current status is not allowed; to
                                   STOPPED sets shutdown_at and is INVALID_STATE
                                   while the worker holds unexpired leases */
  PGQRS_OP_WORKER_LIST,       /* ← workers, by name                     */
  PGQRS_OP_WORKER_RECLAIM,    /* ← count; marks them stopped and releases their
                                   leases (vt now, consumer NULL, read_ct kept) */
  PGQRS_OP_WORKER_STATS,      /* ← worker_stats, by queue name; QUEUE_NOT_FOUND */
  PGQRS_OP_WORKFLOW_DEFINE,   /* ← - ; binds (or rebinds) the workflow to the
                                   queue; QUEUE_NOT_FOUND */
  PGQRS_OP_RUN_CREATE,        /* ← runs[1], QUEUED.  With trigger, also enqueues
                                   {"workflow","run_id"} on the workflow's queue
                                   in the same transaction and stores its id
                                   (VALIDATION if unbound) */
  PGQRS_OP_RUN_GET,           /* ← runs[1] (NOT_FOUND)                  */
  PGQRS_OP_RUN_TRANSITION,    /* ← runs[1]; INVALID_STATE naming both.  To
                                   RUNNING from CANCELLING ends the run CANCELLED
                                   and fails with CANCELLED; from PAUSED before
                                   resume_at fails with PAUSED.  To PAUSED moves
                                   the trigger message's vt to resume_at; to
                                   CANCELLING from PAUSED makes it visible now.
                                   count: 1 when archive_trigger archived the
                                   trigger, else 0 (the caller settles it) */
  PGQRS_OP_STEP_ACQUIRE,      /* ← steps[1] (cached = TRUE when it was SUCCESS).
                                   CANCELLED (the run is finalised) when the run
                                   is CANCELLING; INVALID_STATE unless RUNNING;
                                   STEP_NOT_READY naming retry_at while a retry
                                   is not due */
  PGQRS_OP_STEP_COMPLETE,     /* ← steps[1]; only from RUNNING          */
  PGQRS_OP_STEP_FAIL,         /* ← steps[1]; a retry also moves the run's
                                   trigger message to retry_at */
  PGQRS_OP_CLOCK_SET,         /* ← -                                    */
  PGQRS_OP_MESSAGE_LIST,      /* ← messages: the queue's unarchived ones in the
                                   states asked for, in lease order (vt, id);
                                   nothing is leased */
  PGQRS_OP_MESSAGE_GET,       /* ← messages[1], in any state (NOT_FOUND unless
                                   the queue has it) */
  PGQRS_OP_RUN_LIST,          /* ← runs, newest first                    */
  PGQRS_OP_STEP_LIST,         /* ← steps of a run, in acquire order      */
  PGQRS_OP_SERVER_INFO,       /* ← count: the schema version; server_version:
                                   the database's (SCHEMA_MISSING if not
                                   installed) */
  PGQRS_OP_STEP_LOOKUP,       /* ← steps[1] when the step needs no write to be
                                   acquired: cached = TRUE when it is SUCCESS;
                                   id 0, RUNNING, started_at the database's
                                   now when it has no row and the run is
                                   RUNNING (and the fence current).  Else
                                   no steps: STEP_ACQUIRE decides.  A read. */
  PGQRS_OP_STEP_RECORD,       /* ← steps[1]: inserts the step SUCCESS with its
                                   output in one statement (or completes its
                                   RUNNING row); INVALID_STATE when the step
                                   is there and not RUNNING — a SUCCESS is
                                   never overwritten */
} PgqrsOp;

/* How many operations there are (the last one + 1). */
#define PGQRS_N_OPS (PGQRS_OP_STEP_RECORD + 1)

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

/* QUEUE_CREATE, QUEUE_GET, QUEUE_PURGE */
typedef struct
{
  char     *queue_name;
} PgqrsQueueNameArgs;

typedef struct
{
  char     *queue_name;
  gboolean  cascade;            /* delete its messages, workers and workflows too */
} PgqrsQueueDeleteArgs;

typedef struct
{
  gint64     queue_id;
  char      *queue_name;        /* for the error when the queue went away */
  gint64     worker_id;         /* 0: a one-off call that names no worker */
  GPtrArray *payloads;          /* element-type utf8: validated compact JSON */
  double     delay_seconds;     /* visible this long after now */
  GPtrArray *idempotency_keys;  /* element-type utf8, one per payload, or NULL:
                                   a payload whose key a message of the queue
                                   has gets that message's id, and is not
                                   stored */
} PgqrsEnqueueArgs;

typedef struct
{
  gint64    queue_id;
  gint64    worker_id;          /* the consumer the leases go to; 0: none */
  guint     limit;              /* the most messages to lease */
  double    visibility_seconds; /* invisible to others this long */
  guint     max_read_count;     /* a message read this often is dead-lettered */
} PgqrsLeaseArgs;

/* The part every settle (ARCHIVE, DELETE, RELEASE, EXTEND) shares: which
 * leases it acts on.  Each settle's own struct starts with it. */
typedef struct
{
  gint64    queue_id;
  GArray   *tokens;             /* element-type PgqrsLeaseToken */
} PgqrsSettleArgs;

typedef struct
{
  PgqrsSettleArgs settle;
  gboolean  dead_letter;        /* archive reason: dead letter, not done */
} PgqrsArchiveArgs;

typedef struct
{
  PgqrsSettleArgs settle;
} PgqrsDeleteArgs;

typedef struct
{
  PgqrsSettleArgs settle;
  double    delay_seconds;      /* visible again this long after now */
} PgqrsReleaseArgs;

typedef struct
{
  PgqrsSettleArgs settle;
  double    extend_seconds;     /* the lease runs this long after now */
} PgqrsExtendArgs;

typedef struct
{
  char     *queue_name;         /* NULL: every queue */
} PgqrsMetricsArgs;

typedef struct
{
  char     *queue_name;         /* NULL: every queue */
  gboolean  dead_letter_only;
  guint     limit;
  guint     offset;
} PgqrsListArchivedArgs;

typedef struct
{
  gint64    message_id;
} PgqrsReplayArgs;

typedef struct
{
  gint64    queue_id;
} PgqrsNextVisibleArgs;

typedef struct
{
  char     *worker_name;
  char     *queue_name;         /* NULL: a worker bound to no queue */
  double    takeover_after_seconds; /* a live worker of this name that sent no
                                       heartbeat this long is reclaimed first;
                                       0: never */
} PgqrsWorkerRegisterArgs;

/* WORKER_GET, WORKER_HEARTBEAT */
typedef struct
{
  gint64    worker_id;
} PgqrsWorkerIdArgs;

typedef struct
{
  gint64            worker_id;
  PgqrsWorkerStatus to;
  guint             allowed_from; /* bit 1 << PgqrsWorkerStatus per status */
} PgqrsWorkerTransitionArgs;

typedef struct
{
  char     *queue_name;         /* NULL: every worker */
} PgqrsWorkerListArgs;

typedef struct
{
  double    stale_after_seconds; /* heartbeat older than this */
} PgqrsWorkerReclaimArgs;

typedef struct
{
  char     *queue_name;         /* NULL: every queue */
  double    stale_after_seconds; /* counted stale: heartbeat older than this */
} PgqrsWorkerStatsArgs;

typedef struct
{
  char     *workflow_name;
  char     *queue_name;
} PgqrsWorkflowDefineArgs;

typedef struct
{
  char     *workflow_name;
  char     *input;              /* validated compact JSON, or NULL */
  gboolean  trigger;            /* also enqueue the trigger message */
  gint64    worker_id;          /* 0: names no worker */
  char     *idempotency_key;    /* or NULL: with a key a run of the workflow
                                   has, that run is the reply, and nothing is
                                   created */
} PgqrsRunCreateArgs;

typedef struct
{
  gint64    run_id;             /* 0: find the run by message_id */
  gint64    message_id;         /* the trigger message of the run */
} PgqrsRunGetArgs;

typedef struct
{
  gint64          run_id;
  PgqrsRunStatus  to;
  guint           allowed_from; /* bit 1 << PgqrsRunStatus per status */
  char           *detail;       /* JSON: the output (to SUCCESS), the error (to
                                   ERROR) or the reason (to PAUSED); else NULL */
  double          resume_after_seconds; /* to PAUSED: resume this long after now */
  gint64          worker_id;    /* 0: names no worker */
  gboolean        archive_trigger; /* to SUCCESS under a fence: archive the
                                      fence's message (the run's trigger) as
                                      done in the same transaction */
} PgqrsRunTransitionArgs;

typedef struct
{
  gint64    run_id;
  char     *step_name;
} PgqrsStepAcquireArgs;

typedef struct
{
  gint64    step_id;
  char     *output;             /* JSON */
} PgqrsStepCompleteArgs;

typedef struct
{
  gint64    step_id;            /* 0: the step has no row yet (see STEP_LOOKUP):
                                   its row is made by the failure */
  gint64    run_id;
  char     *step_name;
  char     *error;              /* JSON */
  double    retry_after_seconds; /* < 0: no retry, the run ends ERROR */
} PgqrsStepFailArgs;

/* STEP_LOOKUP */
typedef struct
{
  gint64    run_id;
  char     *step_name;
} PgqrsStepLookupArgs;

/* STEP_RECORD: a step acquired without a row (STEP_LOOKUP) and finished */
typedef struct
{
  gint64    run_id;
  char     *step_name;
  char     *started_at;         /* ISO-8601 by the database's clock, or NULL: now */
  char     *output;             /* JSON */
} PgqrsStepRecordArgs;

typedef struct
{
  double    skew_seconds;       /* how far the database's clock is moved ahead */
} PgqrsClockSetArgs;

typedef struct
{
  gint64    queue_id;
  guint     states;             /* PgqrsMessageState flags, at least one */
  guint     limit;
  guint     offset;
} PgqrsMessageListArgs;

typedef struct
{
  gint64    queue_id;
  gint64    message_id;
} PgqrsMessageGetArgs;

typedef struct
{
  char     *workflow_name;      /* NULL: every workflow */
  guint     statuses;           /* bit 1 << PgqrsRunStatus per status; 0: any */
  char     *created_after;      /* ISO-8601 UTC with milliseconds, or NULL */
  char     *created_before;     /* the same, or NULL */
  guint     limit;
  guint     offset;
} PgqrsRunListArgs;

typedef struct
{
  gint64    run_id;
} PgqrsStepListArgs;

typedef struct
{
  PgqrsOp op;
  /* The lease a workflow executor holds on its run's trigger message
   * (issue 14): a run transition or a step operation with a fence applies
   * only while the message still has this lease count and is not archived,
   * else it fails with SUPERSEDED and changes nothing.  id 0: unfenced. */
  PgqrsLeaseToken fence;
  union {
    PgqrsQueueNameArgs        queue_create;
    PgqrsQueueNameArgs        queue_get;
    PgqrsQueueDeleteArgs      queue_delete;
    PgqrsQueueNameArgs        queue_purge;
    PgqrsEnqueueArgs          enqueue;
    PgqrsLeaseArgs            lease;
    PgqrsArchiveArgs          archive;
    PgqrsDeleteArgs           delete;
    PgqrsReleaseArgs          release;
    PgqrsExtendArgs           extend;
    PgqrsMetricsArgs          metrics;
    PgqrsListArchivedArgs     list_archived;
    PgqrsReplayArgs           replay;
    PgqrsNextVisibleArgs      next_visible;
    PgqrsWorkerRegisterArgs   worker_register;
    PgqrsWorkerIdArgs         worker_get;
    PgqrsWorkerIdArgs         worker_heartbeat;
    PgqrsWorkerTransitionArgs worker_transition;
    PgqrsWorkerListArgs       worker_list;
    PgqrsWorkerReclaimArgs    worker_reclaim;
    PgqrsWorkerStatsArgs      worker_stats;
    PgqrsWorkflowDefineArgs   workflow_define;
    PgqrsRunCreateArgs        run_create;
    PgqrsRunGetArgs           run_get;
    PgqrsRunTransitionArgs    run_transition;
    PgqrsStepAcquireArgs      step_acquire;
    PgqrsStepCompleteArgs     step_complete;
    PgqrsStepFailArgs         step_fail;
    PgqrsClockSetArgs         clock_set;
    PgqrsMessageListArgs      message_list;
    PgqrsMessageGetArgs       message_get;
    PgqrsRunListArgs          run_list;
    PgqrsStepListArgs         step_list;
    PgqrsStepLookupArgs       step_lookup;
    PgqrsStepRecordArgs       step_record;
  };
} PgqrsRequest;

/* One constructor per operation; strings are copied, @payloads is taken. */
PgqrsRequest *_pgqrs_request_new_install          (void);
PgqrsRequest *_pgqrs_request_new_verify           (void);
PgqrsRequest *_pgqrs_request_new_queue_create     (const char        *queue_name);
PgqrsRequest *_pgqrs_request_new_queue_get        (const char        *queue_name);
PgqrsRequest *_pgqrs_request_new_queue_list       (void);
PgqrsRequest *_pgqrs_request_new_queue_delete     (const char        *queue_name,
                                                   gboolean           cascade);
PgqrsRequest *_pgqrs_request_new_queue_purge      (const char        *queue_name);
PgqrsRequest *_pgqrs_request_new_enqueue          (gint64             queue_id,
                                                   const char        *queue_name,
                                                   gint64             worker_id,
                                                   GPtrArray         *payloads,
                                                   double             delay_seconds);
PgqrsRequest *_pgqrs_request_new_lease            (gint64             queue_id,
                                                   gint64             worker_id,
                                                   guint              limit,
                                                   double             visibility_seconds,
                                                   guint              max_read_count);
/* The settles start with no token: add them with _pgqrs_request_add_token(). */
PgqrsRequest *_pgqrs_request_new_archive          (gint64             queue_id,
                                                   gboolean           dead_letter);
PgqrsRequest *_pgqrs_request_new_delete           (gint64             queue_id);
PgqrsRequest *_pgqrs_request_new_release          (gint64             queue_id,
                                                   double             delay_seconds);
PgqrsRequest *_pgqrs_request_new_extend           (gint64             queue_id,
                                                   double             extend_seconds);
PgqrsRequest *_pgqrs_request_new_metrics          (const char        *queue_name);
PgqrsRequest *_pgqrs_request_new_list_archived    (const char        *queue_name,
                                                   gboolean           dead_letter_only,
                                                   guint              limit,
                                                   guint              offset);
PgqrsRequest *_pgqrs_request_new_replay           (gint64             message_id);
PgqrsRequest *_pgqrs_request_new_next_visible     (gint64             queue_id);
PgqrsRequest *_pgqrs_request_new_worker_register  (const char        *worker_name,
                                                   const char        *queue_name,
                                                   double             takeover_after_seconds);
PgqrsRequest *_pgqrs_request_new_worker_get       (gint64             worker_id);
PgqrsRequest *_pgqrs_request_new_worker_heartbeat (gint64             worker_id);
PgqrsRequest *_pgqrs_request_new_worker_transition (gint64            worker_id,
                                                   PgqrsWorkerStatus  to,
                                                   guint              allowed_from);
PgqrsRequest *_pgqrs_request_new_worker_list      (const char        *queue_name);
PgqrsRequest *_pgqrs_request_new_worker_reclaim   (double             stale_after_seconds);
PgqrsRequest *_pgqrs_request_new_worker_stats     (const char        *queue_name,
                                                   double             stale_after_seconds);
PgqrsRequest *_pgqrs_request_new_workflow_define  (const char        *workflow_name,
                                                   const char        *queue_name);
PgqrsRequest *_pgqrs_request_new_run_create       (const char        *workflow_name,
                                                   const char        *input,
                                                   gboolean           trigger,
                                                   gint64             worker_id);
PgqrsRequest *_pgqrs_request_new_run_get          (gint64             run_id,
                                                   gint64             message_id);
PgqrsRequest *_pgqrs_request_new_run_transition   (gint64             run_id,
                                                   PgqrsRunStatus     to,
                                                   guint              allowed_from,
                                                   const char        *detail,
                                                   double             resume_after_seconds,
                                                   gint64             worker_id);
PgqrsRequest *_pgqrs_request_new_step_acquire     (gint64             run_id,
                                                   const char        *step_name);
PgqrsRequest *_pgqrs_request_new_step_complete    (gint64             step_id,
                                                   const char        *output);
PgqrsRequest *_pgqrs_request_new_step_fail        (gint64             step_id,
                                                   gint64             run_id,
                                                   const char        *step_name,
                                                   const char        *error,
                                                   double             retry_after_seconds);
PgqrsRequest *_pgqrs_request_new_clock_set        (double             skew_seconds);
PgqrsRequest *_pgqrs_request_new_message_list     (gint64             queue_id,
                                                   PgqrsMessageState  states,
                                                   guint              limit,
                                                   guint              offset);
PgqrsRequest *_pgqrs_request_new_message_get      (gint64             queue_id,
                                                   gint64             message_id);
PgqrsRequest *_pgqrs_request_new_run_list         (const char        *workflow_name,
                                                   guint              statuses,
                                                   const char        *created_after,
                                                   const char        *created_before,
                                                   guint              limit,
                                                   guint              offset);
PgqrsRequest *_pgqrs_request_new_step_list        (gint64             run_id);
PgqrsRequest *_pgqrs_request_new_server_info      (void);
PgqrsRequest *_pgqrs_request_new_step_lookup      (gint64             run_id,
                                                   const char        *step_name);
PgqrsRequest *_pgqrs_request_new_step_record      (gint64             run_id,
                                                   const char        *step_name,
                                                   const char        *started_at,
                                                   const char        *output);

PGQRS_INTERNAL
void          _pgqrs_request_free                 (PgqrsRequest      *request);
/* Only for ARCHIVE, DELETE, RELEASE and EXTEND. */
void          _pgqrs_request_add_token            (PgqrsRequest      *request,
                                                   gint64             id,
                                                   gint64             lease_count);
/* Only for ENQUEUE (@keys: one per payload, taken) and RUN_CREATE. */
void          _pgqrs_request_set_idempotency_keys (PgqrsRequest  *request,
                                                   GPtrArray     *keys);
void          _pgqrs_request_set_idempotency_key  (PgqrsRequest  *request,
                                                   const char    *key);
/* Only for RUN_TRANSITION and the STEP_ operations but STEP_LIST; @fence
 * may be NULL. */
void          _pgqrs_request_set_fence            (PgqrsRequest      *request,
                                                   const PgqrsLeaseToken *fence);
/* Whether a RUN_TRANSITION is to archive its run's trigger as well: one to
 * SUCCESS that asks for it and is fenced by the trigger's lease. */
PGQRS_INTERNAL
gboolean      _pgqrs_request_archives_trigger     (const PgqrsRequest *request);
/* The leases a settle acts on, or NULL when @request is no settle. */
PGQRS_INTERNAL
const PgqrsSettleArgs *_pgqrs_request_get_settle  (const PgqrsRequest *request);
PGQRS_INTERNAL
const char   *_pgqrs_op_to_string                 (PgqrsOp            op);

/* Rows, as the backends read them. */
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

/* The result members; which one an operation fills is listed at PgqrsOp. */
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
  char      *server_version;   /* SERVER_INFO */
  double     seconds;
  gint64     woken_queue_id;   /* RUN_CREATE with trigger: the queue that got
                                  the trigger message, whose consumers the
                                  backend wakes */
} PgqrsReply;

PGQRS_INTERNAL
PgqrsReply    *_pgqrs_reply_new              (void);
PGQRS_INTERNAL
void           _pgqrs_reply_free             (PgqrsReply    *reply);
PGQRS_INTERNAL
void           _pgqrs_reply_add_queue        (PgqrsReply    *reply,
                                              gint64         id,
                                              const char    *name,
                                              const char    *created_at);
PGQRS_INTERNAL
void           _pgqrs_reply_add_id           (PgqrsReply    *reply,
                                              gint64         id);
PGQRS_INTERNAL
void           _pgqrs_reply_add_flag         (PgqrsReply    *reply,
                                              gboolean       flag);
PGQRS_INTERNAL
void           _pgqrs_reply_add_worker       (PgqrsReply    *reply,
                                              const PgqrsWorkerRow *row);
PGQRS_INTERNAL
void           _pgqrs_reply_add_run          (PgqrsReply    *reply,
                                              const PgqrsRunRow *row);
PGQRS_INTERNAL
void           _pgqrs_reply_add_step         (PgqrsReply    *reply,
                                              const PgqrsStepRow *row);

/* The decoders every caller uses.  The steal functions return a new array,
 * empty rather than NULL.  _pgqrs_reply_get_flag() is the single flag of a
 * one-token settle or a replay: FALSE when the reply holds none (the lease
 * was no longer held). */
GPtrArray     *_pgqrs_reply_steal_messages   (PgqrsReply    *reply);
GArray        *_pgqrs_reply_steal_flags      (PgqrsReply    *reply);
GArray        *_pgqrs_reply_steal_ids        (PgqrsReply    *reply);
gboolean       _pgqrs_reply_get_flag         (PgqrsReply    *reply);

void           _pgqrs_queue_row_free         (PgqrsQueueRow *row);
PGQRS_INTERNAL
void           _pgqrs_worker_row_free        (PgqrsWorkerRow *row);
PGQRS_INTERNAL
void           _pgqrs_run_row_free           (PgqrsRunRow   *row);
PGQRS_INTERNAL
void           _pgqrs_step_row_free          (PgqrsStepRow  *row);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgqrsRequest, _pgqrs_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgqrsReply, _pgqrs_reply_free)

G_END_DECLS
