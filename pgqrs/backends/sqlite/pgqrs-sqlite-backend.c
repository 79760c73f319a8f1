/* pgqrs-sqlite-backend.c — PgqrsBackend on SQLite, with an owner thread
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#ifdef __linux__
# include <errno.h>
# include <glib-unix.h>
# include <sys/inotify.h>
# include <unistd.h>
#endif

#include "pgqrs-config-private.h"
#include "pgqrs-error.h"
#include "pgqrs-sqlite-backend-private.h"
#include "pgqrs-sqlite-connection-private.h"
#include "pgqrs-sqlite-ops-private.h"

/*
 * One thread owns the database handle: it opens it, runs the requests in
 * arrival order and closes it.  Requests reach it through a queue and the
 * results of async calls go back through GTask, which completes in the main
 * context of the caller.  Serialising on one thread is what SQLite wants
 * anyway (one writer), and keeps database work off GLib's shared worker
 * pool, where a slow disk would starve unrelated tasks (the design of
 * tinysparql's direct connection).
 *
 * Two things make that cheaper without a second code path (docs/design.md,
 * "Blocking calls and group commit on SQLite"):
 *
 * - Group commit: requests that queued up while the owner was busy run
 *   together in one transaction, each in a savepoint of its own, and are
 *   answered after its COMMIT.
 * - Blocking calls wait on a condition variable for the owner's answer
 *   instead of iterating a main context made for the call.
 * - Blocking callers on a file take turns on the connection on their own
 *   threads while the owner thread has nothing to do (take_turn()), each
 *   running, with its own request, those that queued behind it.
 */

struct _PgqrsSqliteBackend
{
  GObject       parent_instance;

  PgqrsConfig  *config;
  const PgqrsSqlTransport *transport;
  GAsyncQueue  *jobs;       /* element-type Job */
  GThread      *owner;

  char         *shared_key; /* shared by the stores of its file: _pgqrs_sqlite_backend_new() */
  gpointer      conn;       /* the transport's connection, once open; under conn_lock */
  /* Held by whoever uses the connection: the owner thread, or a blocking
   * caller running its own request (transport->callers_run). */
  GMutex        conn_lock;
  gint          in_flight;  /* jobs pushed and not yet run (atomic) */
  /* Blocking callers taking turns on the connection (take_turn()):
   * whether one has the turn, and the jobs of those waiting for it, in
   * order of arrival.  Under turn_lock. */
  GMutex        turn_lock;
  gboolean      turn_taken;
  GQueue        turn_waiters;  /* element-type Job */

  /* Wakeups, called in each watcher's context.  For enqueues by other
   * processes: a thread watching the write-ahead log (inotify, else
   * GFileMonitor), while anyone watches. */
  PgqrsWatchList *watchers;
  GMutex        watch_mutex;   /* guards the thread and the fields below */
  GThread      *watcher;
  GMainContext *watch_context;
  GMainLoop    *watch_loop;
  /* Linux: the inotify instance the thread reads (-1: none, the thread
   * uses GFileMonitor), and its watch on the log's directory, there only
   * while a watcher is not busy (update_file_watch()). */
  int           inotify_fd;
  int           inotify_wd;
  char         *wal_dir;
  gboolean      watch_warned;
};

typedef enum
{
  JOB_OPEN,
  JOB_EXECUTE,
  JOB_RUN,
  JOB_QUIT,
} JobKind;

/* Nobody to wake; else the id of the queue to wake, 0 for all. */
#define NO_WAKE ((gint64)-1)

/* The most requests one transaction takes, so that the first of a long
 * queue is not kept waiting for the last. */
#define MAX_GROUP 64

typedef struct
{
  JobKind       kind;
  GTask        *task;       /* NULL: a blocking caller waits on done_cond, and owns the job */
  GCancellable *cancellable; /* a blocking caller's */
  PgqrsRequest *request;
  PgqrsConfig  *config;
  /* JOB_EXECUTE: the outcome, held until the transaction has committed */
  PgqrsReply   *reply;
  GError       *error;
  gint64        wake;
  /* JOB_RUN */
  void        (*func) (gpointer connection, gpointer data);
  gpointer      data;
  GMutex        lock;
  GCond         done_cond;
  gboolean      done;
  gboolean      your_turn;  /* a blocking caller handed the turn (take_turn()) */
} Job;

static void pgqrs_sqlite_backend_iface_init (PgqrsBackendInterface *iface);
static void shared_forget (PgqrsSqliteBackend *self);

G_DEFINE_FINAL_TYPE_WITH_CODE (PgqrsSqliteBackend, pgqrs_sqlite_backend, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PGQRS_TYPE_BACKEND,
                                                      pgqrs_sqlite_backend_iface_init))

static void
job_free (Job *job)
{
  g_clear_object (&job->task);
  g_clear_pointer (&job->request, _pgqrs_request_free);
  g_clear_pointer (&job->reply, _pgqrs_reply_free);
  g_clear_error (&job->error);
  g_clear_object (&job->config);
  g_free (job);
}

/* The SQLite library on a file: the transport of sqlite:// stores. */
static gpointer
sqlite_open (PgqrsConfig  *config,
             GError      **error)
{
  return _pgqrs_sqlite_connection_open (config, error);
}

static PgqrsSqlDb *
sqlite_get_db (gpointer   connection,
               GError   **error)
{
  return _pgqrs_sqlite_connection_get_db (connection);
}

static void
sqlite_close (gpointer connection)
{
  _pgqrs_sqlite_connection_close (connection);
}

static gboolean
sqlite_group_begin (gpointer   connection,
                    GError   **error)
{
  return _pgqrs_sqlite_connection_group_begin (connection, error);
}

static gboolean
sqlite_group_lost (gpointer connection)
{
  return _pgqrs_sqlite_connection_group_lost (connection);
}

static gboolean
sqlite_group_commit (gpointer   connection,
                     GError   **error)
{
  return _pgqrs_sqlite_connection_group_commit (connection, error);
}

static const PgqrsSqlTransport sqlite_transport = {
  .thread_name = "pgqrs-sqlite",
  .open = sqlite_open,
  .get_db = sqlite_get_db,
  .close = sqlite_close,
  .watch_wal = TRUE,
  .callers_run = TRUE,
  .group_begin = sqlite_group_begin,
  .group_lost = sqlite_group_lost,
  .group_commit = sqlite_group_commit,
};

/* The one code path of a request, async or blocking, on the owner
 * thread.  *wake says whom to wake once the request is committed. */
static PgqrsReply *
run_request (PgqrsSqliteBackend  *self,
             PgqrsRequest        *request,
             gint64              *wake,
             GError             **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  guint64 changes_before;
  PgqrsSqlDb *db;

  *wake = NO_WAKE;

  if (self->conn == NULL)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION, _("The database is not open"));
      return NULL;
    }

  if (!(db = self->transport->get_db (self->conn, error)))
    return NULL;

  reply = _pgqrs_reply_new ();
  changes_before = db->total_changes;
  if (!_pgqrs_sqlite_execute (db, request, reply, error))
    return NULL;

  /* In-process wakeup: consumers of this store hear of the new messages
   * before the enqueue's caller does; a new clock may make messages
   * visible. */
  if (request->op == PGQRS_OP_ENQUEUE)
    *wake = request->enqueue.queue_id;
  else if (request->op == PGQRS_OP_RUN_CREATE && request->run_create.trigger)
    *wake = reply->woken_queue_id;
  else if (request->op == PGQRS_OP_CLOCK_SET)
    *wake = 0;
  /* Without a log to watch, any change wakes this store's consumers, as
   * the log watch does for a file: a release with a delay, say, changes
   * when the next message is due. */
  else if (!self->transport->watch_wal && db->total_changes != changes_before)
    *wake = 0;

  return g_steal_pointer (&reply);
}

static void
run_job (PgqrsSqliteBackend *self,
         Job                *job)
{
  g_clear_pointer (&job->reply, _pgqrs_reply_free);
  g_clear_error (&job->error);
  job->reply = run_request (self, job->request, &job->wake, &job->error);
}

static gboolean
job_cancelled (Job *job)
{
  GCancellable *cancellable = job->task ? g_task_get_cancellable (job->task) : job->cancellable;

  return g_cancellable_set_error_if_cancelled (cancellable, &job->error);
}

/* A job pushed is no longer in flight: called by the owner thread once
 * the job's work is done and the connection's lock let go, before the job
 * is answered, so that the caller's next blocking call finds the backend
 * idle (take_turn()). */
static void
job_done (PgqrsSqliteBackend *self)
{
  g_atomic_int_add (&self->in_flight, -1);
}

/* Answers a job once its work is committed and the connection let go:
 * wakes the watchers, then completes its task or its blocking caller. */
static void
answer_job (PgqrsSqliteBackend *self,
            Job                *job)
{
  if (job->wake != NO_WAKE)
    _pgqrs_watch_list_notify (self->watchers, job->wake);

  if (job->task == NULL)
    {
      /* the caller frees the job as soon as it sees done */
      g_mutex_lock (&job->lock);
      job->done = TRUE;
      g_cond_signal (&job->done_cond);
      g_mutex_unlock (&job->lock);
      return;
    }

  if (job->reply != NULL)
    g_task_return_pointer (job->task, g_steal_pointer (&job->reply),
                           (GDestroyNotify)_pgqrs_reply_free);
  else
    g_task_return_error (job->task, g_steal_pointer (&job->error));
  job_free (job);
}

/* Runs the requests the owner took off the queue together.  More than one
 * share one transaction (group commit), each in a savepoint of its own, so
 * that a request that fails undoes only itself; none is answered before
 * the COMMIT (the caller answers them).  Should the transaction itself
 * fail (its COMMIT, or SQLite rolling it back as a whole on an I/O
 * error), nothing of it was kept, and each request runs again on its own:
 * grouping never decides an outcome. */
static void
run_group (PgqrsSqliteBackend *self,
           Job               **group,
           guint               n_group)
{
  const PgqrsSqlTransport *transport = self->transport;
  Job *live[MAX_GROUP];
  guint n_live = 0;
  gboolean grouped;

  g_assert (n_group <= MAX_GROUP);
  for (guint i = 0; i < n_group; i++)
    if (!job_cancelled (group[i]))
      live[n_live++] = group[i];

  grouped = n_live > 1 && self->conn != NULL && transport->group_begin != NULL &&
            transport->group_begin (self->conn, NULL);

  if (grouped)
    {
      gboolean lost = FALSE;

      for (guint i = 0; i < n_live && !lost; i++)
        {
          run_job (self, live[i]);
          lost = transport->group_lost (self->conn);
        }

      grouped = transport->group_commit (self->conn, NULL);
    }

  if (!grouped)
    for (guint i = 0; i < n_live; i++)
      run_job (self, live[i]);
}

static void
run_func (PgqrsSqliteBackend *self,
          Job                *job)
{
  g_mutex_lock (&self->conn_lock);
  job->func (self->conn, job->data);
  g_mutex_unlock (&self->conn_lock);
  job_done (self);

  g_mutex_lock (&job->lock);
  job->done = TRUE;
  g_cond_signal (&job->done_cond);
  g_mutex_unlock (&job->lock);
}

static void
run_open (PgqrsSqliteBackend *self,
          Job                *job)
{
  GError *error = NULL;
  gboolean opened = FALSE;

  if (!g_cancellable_set_error_if_cancelled (g_task_get_cancellable (job->task), &error))
    {
      g_mutex_lock (&self->conn_lock);
      if (self->conn != NULL || (self->conn = self->transport->open (job->config, &error)))
        opened = TRUE;
      g_mutex_unlock (&self->conn_lock);
    }
  job_done (self);

  if (opened)
    g_task_return_boolean (job->task, TRUE);
  else
    g_task_return_error (job->task, error);

  job_free (job);
}

/* Whether @job may join a group: the schema's install runs alone. */
static gboolean
groups (Job *job)
{
  return job->kind == JOB_EXECUTE && job->request->op != PGQRS_OP_INSTALL;
}

/* @data is the backend, unowned: its finalizer joins this thread. */
static gpointer
owner_thread (gpointer data)
{
  PgqrsSqliteBackend *self = data;
  gboolean may_group = self->transport->group_begin != NULL;
  g_autoptr(GPtrArray) group = g_ptr_array_sized_new (MAX_GROUP);
  Job *next = NULL;

  for (;;)
    {
      Job *job = next ? next : g_async_queue_pop (self->jobs);

      next = NULL;
      if (job->kind == JOB_QUIT)
        {
          job_free (job);
          break;
        }

      switch (job->kind)
        {
        case JOB_RUN:
          run_func (self, job);
          break;

        case JOB_OPEN:
          run_open (self, job);
          break;

        case JOB_EXECUTE:
          /* what queued up behind it, up to a job that runs alone */
          g_ptr_array_add (group, job);
          while (may_group && groups (job) && group->len < MAX_GROUP &&
                 (next = g_async_queue_try_pop (self->jobs)) != NULL && groups (next))
            {
              g_ptr_array_add (group, next);
              next = NULL;
            }
          g_mutex_lock (&self->conn_lock);
          run_group (self, (Job **)group->pdata, group->len);
          g_mutex_unlock (&self->conn_lock);
          for (guint i = 0; i < group->len; i++)
            {
              job_done (self);
              answer_job (self, g_ptr_array_index (group, i));
            }
          g_ptr_array_set_size (group, 0);
          break;

        case JOB_QUIT:
        default:
          g_assert_not_reached ();
        }
    }

  g_mutex_lock (&self->conn_lock);
  if (self->conn != NULL)
    self->transport->close (g_steal_pointer (&self->conn));
  g_mutex_unlock (&self->conn_lock);

  return NULL;
}

static void
push_job (PgqrsSqliteBackend *self,
          Job                *job)
{
  if (self->owner == NULL)
    self->owner = g_thread_new (self->transport->thread_name, owner_thread, self);

  if (job->kind != JOB_QUIT)
    g_atomic_int_inc (&self->in_flight);
  g_async_queue_push (self->jobs, job);
}

/* For a job on the caller's stack, its lock and condition initialised:
 * waits until it is answered or, while turns are taken, handed the turn.
 * Whoever signals does so holding the lock and never touches the job
 * after letting it go, so the caller may clear it as soon as this
 * returns. */
static void
wait_for_job (Job *job)
{
  g_mutex_lock (&job->lock);
  while (!job->done && !job->your_turn)
    g_cond_wait (&job->done_cond, &job->lock);
  g_mutex_unlock (&job->lock);
}

/* For a job on the caller's stack: pushes it and waits for the owner's
 * answer. */
static void
push_and_wait (PgqrsSqliteBackend *self,
               Job                *job)
{
  push_job (self, job);
  wait_for_job (job);
}

void
_pgqrs_sqlite_backend_run_sync (PgqrsBackend  *backend,
                                void         (*func) (gpointer connection,
                                                      gpointer data),
                                gpointer       data)
{
  PgqrsSqliteBackend *self = PGQRS_SQLITE_BACKEND (backend);
  Job job = { .kind = JOB_RUN, .func = func, .data = data };

  g_mutex_init (&job.lock);
  g_cond_init (&job.done_cond);
  push_and_wait (self, &job);
  g_mutex_clear (&job.lock);
  g_cond_clear (&job.done_cond);
}

typedef struct
{
  PgqrsSqliteBackend *self;
  void              (*func) (PgqrsSqlDb *db,
                             gpointer    data);
  gpointer            data;
  GError            **error;
} RunSql;

static void
run_sql (gpointer connection,
         gpointer data)
{
  RunSql *run = data;
  PgqrsSqlDb *db = NULL;

  if (connection == NULL)
    g_set_error_literal (run->error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                         _("The store is not open"));
  else
    db = run->self->transport->get_db (connection, run->error);
  if (db != NULL)
    run->func (db, run->data);
}

gboolean
_pgqrs_sqlite_backend_run_sql_sync (PgqrsBackend  *backend,
                                    void         (*func) (PgqrsSqlDb *db,
                                                          gpointer    data),
                                    gpointer       data,
                                    GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  RunSql run = { PGQRS_SQLITE_BACKEND (backend), func, data, &local_error };

  _pgqrs_sqlite_backend_run_sync (backend, run_sql, &run);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

guint
_pgqrs_sqlite_backend_get_n_queued (PgqrsBackend *backend)
{
  return MAX (g_async_queue_length (PGQRS_SQLITE_BACKEND (backend)->jobs), 0);
}

guint
_pgqrs_sqlite_backend_get_n_in_flight (PgqrsBackend *backend)
{
  return g_atomic_int_get (&PGQRS_SQLITE_BACKEND (backend)->in_flight);
}

guint
_pgqrs_sqlite_backend_get_n_waiting_turns (PgqrsBackend *backend)
{
  PgqrsSqliteBackend *self = PGQRS_SQLITE_BACKEND (backend);
  guint n;

  g_mutex_lock (&self->turn_lock);
  n = self->turn_waiters.length;
  g_mutex_unlock (&self->turn_lock);
  return n;
}

static void
wal_changed_cb (GFileMonitor      *monitor,
                GFile             *file,
                GFile             *other_file,
                GFileMonitorEvent  event,
                gpointer           user_data)
{
  if (event == G_FILE_MONITOR_EVENT_CHANGED || event == G_FILE_MONITOR_EVENT_CREATED)
    _pgqrs_watch_list_notify (PGQRS_SQLITE_BACKEND (user_data)->watchers, 0);
}

#ifdef __linux__
/* inotify itself rather than GFileMonitor: GLib's inotify monitor naps for
 * up to 100 ms once it has been idle, which showed as 85 ms from another
 * process's enqueue to the handler (bench/results).  The directory is
 * watched, not the log, which may not exist yet. */
typedef struct
{
  PgqrsSqliteBackend *backend;
  const char         *wal_name;
} WalWatch;

static gboolean
inotify_ready_cb (int           fd,
                  GIOCondition  condition,
                  gpointer      user_data)
{
  WalWatch *watch = user_data;
  char buf[4096] __attribute__ ((aligned (__alignof__ (struct inotify_event))));
  gboolean changed = FALSE;
  ssize_t len;

  while ((len = read (fd, buf, sizeof buf)) > 0)
    {
      for (char *p = buf; p < buf + len; )
        {
          const struct inotify_event *event = (const struct inotify_event *)p;

          if (event->len > 0 && g_str_equal (event->name, watch->wal_name))
            changed = TRUE;
          p += sizeof *event + event->len;
        }
    }

  /* one wakeup for all the commits read at once */
  if (changed)
    _pgqrs_watch_list_notify (watch->backend->watchers, 0);

  return G_SOURCE_CONTINUE;
}

static void
watch_with_inotify (PgqrsSqliteBackend *self,
                    int                 fd,
                    const char         *wal_path)
{
  g_autofree char *wal_name = g_path_get_basename (wal_path);
  WalWatch watch = { self, wal_name };
  g_autoptr(GSource) source = NULL;

  source = g_unix_fd_source_new (fd, G_IO_IN);
  g_source_set_callback (source, G_SOURCE_FUNC (inotify_ready_cb), &watch, NULL);
  g_source_set_static_name (source, "[pgqrs] SQLite write-ahead log watch");
  g_source_attach (source, self->watch_context);
  g_main_loop_run (self->watch_loop);
  g_source_destroy (source);
}
#endif

/* Every commit, by any process and by this one, appends to the log and
 * wakes the thread watching it: a busy consumer's own writes (the steps
 * of the workflows it runs, the archives of its messages) would wake it
 * on every commit, for nothing (a busy consumer looks for work again of
 * itself).  So the directory is only watched while a watcher is not
 * busy; a consumer says it waits before it last looks at the queue, so
 * that nothing enqueued meanwhile goes unheard.  Under watch_mutex. */
static void
update_file_watch (PgqrsSqliteBackend *self)
{
#ifdef __linux__
  gboolean wanted;

  if (self->inotify_fd < 0)
    return;

  wanted = !_pgqrs_watch_list_all_busy (self->watchers);
  if (wanted && self->inotify_wd < 0)
    {
      self->inotify_wd = inotify_add_watch (self->inotify_fd, self->wal_dir,
                                            IN_MODIFY | IN_CREATE | IN_MOVED_TO);
      if (self->inotify_wd < 0 && !self->watch_warned)
        {
          self->watch_warned = TRUE;
          g_warning ("Cannot watch %s for other processes' enqueues: %s; consumers will poll",
                     self->wal_dir, g_strerror (errno));
        }
    }
  else if (!wanted && self->inotify_wd >= 0)
    {
      inotify_rm_watch (self->inotify_fd, self->inotify_wd);
      self->inotify_wd = -1;
    }
#endif
}

gboolean
_pgqrs_sqlite_backend_is_watching_file (PgqrsBackend *backend)
{
  PgqrsSqliteBackend *self = PGQRS_SQLITE_BACKEND (backend);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->watch_mutex);

  return self->inotify_wd >= 0;
}

static gpointer
watch_thread (gpointer data)
{
  PgqrsSqliteBackend *self = data;
  g_autofree char *wal_path = g_strconcat (_pgqrs_config_get_sqlite_path (self->config), "-wal", NULL);
  g_autoptr(GFile) wal = g_file_new_for_path (wal_path);
  g_autoptr(GFileMonitor) monitor = NULL;
  g_autoptr(GError) error = NULL;
  /* set before the thread started, closed after it ends */
  int fd = self->inotify_fd;

  g_main_context_push_thread_default (self->watch_context);

  /* Every commit by any process appends to the write-ahead log. */
#ifdef __linux__
  if (fd >= 0)
    watch_with_inotify (self, fd, wal_path);
  else
#endif
  if ((monitor = g_file_monitor_file (wal, G_FILE_MONITOR_NONE, NULL, &error)))
    {
      g_file_monitor_set_rate_limit (monitor, 10);
      g_signal_connect (monitor, "changed", G_CALLBACK (wal_changed_cb), self);
      g_main_loop_run (self->watch_loop);
      g_file_monitor_cancel (monitor);
    }
  else
    g_warning ("Cannot watch %s for other processes' enqueues: %s; consumers will poll",
               wal_path, error->message);

  g_main_context_pop_thread_default (self->watch_context);

  return NULL;
}

static gboolean
quit_watch_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
stop_watch_thread (PgqrsSqliteBackend *self)
{
  g_autoptr(GSource) quit = NULL;

  if (self->watcher == NULL)
    return;

  /* A source rather than g_main_loop_quit(), which would be lost if the
   * thread has not reached g_main_loop_run() yet. */
  quit = g_idle_source_new ();
  g_source_set_callback (quit, quit_watch_loop, self->watch_loop, NULL);
  g_source_attach (quit, self->watch_context);
  g_thread_join (g_steal_pointer (&self->watcher));
  g_clear_pointer (&self->watch_loop, g_main_loop_unref);
  g_clear_pointer (&self->watch_context, g_main_context_unref);
#ifdef __linux__
  if (self->inotify_fd >= 0)
    close (self->inotify_fd);
#endif
  self->inotify_fd = self->inotify_wd = -1;
  g_clear_pointer (&self->wal_dir, g_free);
}

static guint
pgqrs_sqlite_backend_watch (PgqrsBackend    *backend,
                            GMainContext    *context,
                            PgqrsWakeupFunc  func,
                            gpointer         user_data,
                            GDestroyNotify   destroy)
{
  PgqrsSqliteBackend *self = PGQRS_SQLITE_BACKEND (backend);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->watch_mutex);
  guint id;

  /* An in-memory database has no other processes to hear from; a
   * server's database has no log here to watch: consumers poll. */
  if (self->transport->watch_wal && !_pgqrs_config_get_sqlite_in_memory (self->config) &&
      self->watcher == NULL)
    {
      self->watch_context = g_main_context_new ();
      self->watch_loop = g_main_loop_new (self->watch_context, FALSE);
      self->wal_dir = g_path_get_dirname (_pgqrs_config_get_sqlite_path (self->config));
#ifdef __linux__
      self->inotify_fd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
#endif
      self->watcher = g_thread_new ("pgqrs-sqlite-watch", watch_thread, self);
    }

  id = _pgqrs_watch_list_add (self->watchers, context, func, user_data, destroy);
  update_file_watch (self);

  return id;
}

static void
pgqrs_sqlite_backend_set_watcher_busy (PgqrsBackend *backend,
                                       guint         watch_id,
                                       gboolean      busy)
{
  PgqrsSqliteBackend *self = PGQRS_SQLITE_BACKEND (backend);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->watch_mutex);

  if (_pgqrs_watch_list_set_busy (self->watchers, watch_id, busy))
    update_file_watch (self);
}

static void
pgqrs_sqlite_backend_unwatch (PgqrsBackend *backend,
                              guint         watch_id)
{
  PgqrsSqliteBackend *self = PGQRS_SQLITE_BACKEND (backend);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->watch_mutex);

  if (!_pgqrs_watch_list_remove (self->watchers, watch_id))
    return;
  if (_pgqrs_watch_list_is_empty (self->watchers))
    stop_watch_thread (self);
  else
    update_file_watch (self);
}

static void
pgqrs_sqlite_backend_finalize (GObject *object)
{
  PgqrsSqliteBackend *self = (PgqrsSqliteBackend *)object;

  shared_forget (self);

  stop_watch_thread (self);
  g_mutex_clear (&self->watch_mutex);

  if (self->owner != NULL)
    {
      Job *quit = g_new0 (Job, 1);

      /* Jobs before it still run; their tasks hold the store, so by now
       * there are none left. */
      quit->kind = JOB_QUIT;
      g_async_queue_push (self->jobs, quit);
      g_thread_join (g_steal_pointer (&self->owner));
    }
  /* the owner thread took it last, to close the connection */
  g_mutex_clear (&self->conn_lock);
  /* blocking callers hold the store: none waits for a turn now */
  g_mutex_clear (&self->turn_lock);

  g_clear_pointer (&self->jobs, g_async_queue_unref);
  g_clear_pointer (&self->watchers, _pgqrs_watch_list_free);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (pgqrs_sqlite_backend_parent_class)->finalize (object);
}

static void
pgqrs_sqlite_backend_class_init (PgqrsSqliteBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pgqrs_sqlite_backend_finalize;
}

static void
pgqrs_sqlite_backend_init (PgqrsSqliteBackend *self)
{
  self->jobs = g_async_queue_new ();
  self->watchers = _pgqrs_watch_list_new ();
  g_mutex_init (&self->watch_mutex);
  self->inotify_fd = self->inotify_wd = -1;
  g_mutex_init (&self->conn_lock);
  g_mutex_init (&self->turn_lock);
  g_queue_init (&self->turn_waiters);
}

/* The tasks have no source object: the owner thread may drop the last
 * reference to a task, and must never drop the last one to the backend,
 * whose finalizer joins that very thread. */

static void
pgqrs_sqlite_backend_open_async (PgqrsBackend        *backend,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  PgqrsSqliteBackend *self = PGQRS_SQLITE_BACKEND (backend);
  Job *job = g_new0 (Job, 1);

  job->kind = JOB_OPEN;
  job->task = g_task_new (NULL, cancellable, callback, user_data);
  job->config = g_object_ref (self->config);
  g_task_set_source_tag (job->task, pgqrs_sqlite_backend_open_async);

  push_job (self, job);
}

static gboolean
pgqrs_sqlite_backend_open_finish (PgqrsBackend  *backend,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
pgqrs_sqlite_backend_execute_async (PgqrsBackend        *backend,
                                    PgqrsRequest        *request,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  PgqrsSqliteBackend *self = PGQRS_SQLITE_BACKEND (backend);
  Job *job = g_new0 (Job, 1);

  job->kind = JOB_EXECUTE;
  job->task = g_task_new (NULL, cancellable, callback, user_data);
  job->request = request;
  g_task_set_source_tag (job->task, pgqrs_sqlite_backend_execute_async);

  push_job (self, job);
}

static PgqrsReply *
pgqrs_sqlite_backend_execute_finish (PgqrsBackend  *backend,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* A group of a turn, on the caller's stack. */
typedef struct
{
  Job   *jobs[MAX_GROUP];
  guint  len;
} TurnGroup;

/* Takes the jobs waiting for a turn into @group, in order, up to
 * MAX_GROUP in all (@taken already ran) and a job that runs alone. */
static void
take_waiters (PgqrsSqliteBackend *self,
              TurnGroup          *group,
              guint               taken)
{
  Job *next;

  while (taken + group->len < MAX_GROUP &&
         (group->len == 0 || groups (group->jobs[0])) &&
         (next = g_queue_peek_head (&self->turn_waiters)) != NULL &&
         (group->len == 0 || groups (next)))
    group->jobs[group->len++] = g_queue_pop_head (&self->turn_waiters);
}

/* Answers the callers waiting in @group, which has run; @own, the turn's
 * own job, only wakes the watchers: signalling a condition costs a system
 * call even when nobody waits on it. */
static void
answer_group (PgqrsSqliteBackend *self,
              TurnGroup          *group,
              Job                *own)
{
  for (guint i = 0; i < group->len; i++)
    {
      Job *job = group->jobs[i];

      if (job != own)
        answer_job (self, job);
      else if (job->wake != NO_WAKE)
        _pgqrs_watch_list_notify (self->watchers, job->wake);
    }
  group->len = 0;
}

/* The turn of a blocking caller: runs @job, with the requests of those
 * waiting behind it, on the caller's own thread, holding the connection
 * as the owner thread would, in one group (group commit); then what came
 * in the meantime, until nobody waits or MAX_GROUP requests have run.
 * What runs next is settled before the callers of a group are answered:
 * a caller woken up (which may take this thread's core) finds the turn
 * either free or busy with work, never held by a thread that waits to
 * run again only to give it up. */
static void
run_turn (PgqrsSqliteBackend *self,
          Job                *job)
{
  TurnGroup first, second;
  TurnGroup *group = &first, *ran = &second;
  guint taken = 0;
  Job *next = NULL;

  first.len = second.len = 0;
  group->jobs[group->len++] = job;
  g_mutex_lock (&self->turn_lock);
  take_waiters (self, group, taken);
  g_mutex_unlock (&self->turn_lock);

  while (group->len > 0)
    {
      TurnGroup *swap;

      g_mutex_lock (&self->conn_lock);
      run_group (self, group->jobs, group->len);
      g_mutex_unlock (&self->conn_lock);
      taken += group->len;
      swap = ran, ran = group, group = swap;

      g_mutex_lock (&self->turn_lock);
      take_waiters (self, group, taken);
      /* nobody waits; or, past MAX_GROUP, the next caller runs its own turn */
      if (group->len == 0 && (next = g_queue_pop_head (&self->turn_waiters)) == NULL)
        self->turn_taken = FALSE;
      g_mutex_unlock (&self->turn_lock);

      answer_group (self, ran, job);
    }

  if (next != NULL)
    {
      g_mutex_lock (&next->lock);
      next->your_turn = TRUE;
      g_cond_signal (&next->done_cond);
      g_mutex_unlock (&next->lock);
    }
}

/* Runs a blocking caller's request on its own thread while the owner
 * thread has nothing to do: nothing queued or running there (so it cannot
 * overtake what the caller asked for before), the connection open.  That
 * saves the two thread switches of the hand-off, most of a small
 * request's time; the caller holds the connection as the owner thread
 * would.  Callers that meet take turns: one has the turn and runs, with
 * its own request, those of the callers that queued behind it, in order
 * of arrival (run_turn()); those callers sleep until answered, one wakeup
 * each where a hand-off to the owner thread and back costs two.  A mutex
 * instead would let callers that never sleep keep the connection from the
 * others.  A third caller, meeting one with the turn and one waiting,
 * goes to the owner thread, where requests collect into larger groups
 * (docs/design.md, "Blocking callers that meet take turns").  The stores
 * of one file in a process share this backend (_pgqrs_sqlite_backend_new()),
 * so they never fight over SQLite's lock.  FALSE if it may not: the
 * request then goes to the owner thread. */
static gboolean
take_turn (PgqrsSqliteBackend *self,
           Job                *job)
{
  /* The connection is set once, by the open job, before in_flight drops
   * back to 0: it can be read without the lock. */
  if (!self->transport->callers_run || g_atomic_int_get (&self->in_flight) != 0 ||
      self->conn == NULL)
    return FALSE;

  g_mutex_lock (&self->turn_lock);
  if (!self->turn_taken)
    {
      self->turn_taken = TRUE;
      g_mutex_unlock (&self->turn_lock);
    }
  else if (self->turn_waiters.length > 0)
    {
      g_mutex_unlock (&self->turn_lock);
      return FALSE;
    }
  else
    {
      g_queue_push_tail (&self->turn_waiters, job);
      g_mutex_unlock (&self->turn_lock);
      wait_for_job (job);
      if (job->done)
        return TRUE;  /* run in the turn of a caller before it */
    }

  run_turn (self, job);
  return TRUE;
}

/* A blocking call: the same request as execute_async, run by the caller
 * itself, taking turns with other blocking callers, when the owner thread
 * is idle (take_turn()), else queued behind what came first there (and
 * perhaps run in one group with it), its answer handed to the waiting
 * thread through a condition variable rather than a main context made for
 * the call. */
static PgqrsReply *
pgqrs_sqlite_backend_execute_sync (PgqrsBackend  *backend,
                                   PgqrsRequest  *request,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  PgqrsSqliteBackend *self = PGQRS_SQLITE_BACKEND (backend);
  g_autoptr(PgqrsRequest) owned = request;
  Job job = { .kind = JOB_EXECUTE, .cancellable = cancellable, .request = request };

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  g_mutex_init (&job.lock);
  g_cond_init (&job.done_cond);
  if (!take_turn (self, &job))
    push_and_wait (self, &job);
  g_mutex_clear (&job.lock);
  g_cond_clear (&job.done_cond);

  if (job.error != NULL)
    g_propagate_error (error, job.error);

  return job.reply;
}

static void
pgqrs_sqlite_backend_iface_init (PgqrsBackendInterface *iface)
{
  iface->open_async = pgqrs_sqlite_backend_open_async;
  iface->open_finish = pgqrs_sqlite_backend_open_finish;
  iface->execute_async = pgqrs_sqlite_backend_execute_async;
  iface->execute_finish = pgqrs_sqlite_backend_execute_finish;
  iface->execute_sync = pgqrs_sqlite_backend_execute_sync;
  iface->watch = pgqrs_sqlite_backend_watch;
  iface->unwatch = pgqrs_sqlite_backend_unwatch;
  iface->set_watcher_busy = pgqrs_sqlite_backend_set_watcher_busy;
}

PgqrsBackend *
_pgqrs_sqlite_backend_new_with_transport (PgqrsConfig             *config,
                                          const PgqrsSqlTransport *transport)
{
  PgqrsSqliteBackend *self = g_object_new (PGQRS_TYPE_SQLITE_BACKEND, NULL);

  self->config = g_object_ref (config);
  self->transport = transport;

  return PGQRS_BACKEND (self);
}

/* The stores of one database file in a process share one backend (one
 * connection, one owner thread): their requests queue up together and
 * commit in groups, where connections of their own would take SQLite's
 * write lock from each other, each waiting out the other's transaction
 * in the busy handler's sleeps and reading its page cache afresh after
 * the other's commit.  Keyed by the file's canonical path and the busy
 * timeout (the only settings the connection takes from the DSN); an
 * in-memory database is a store's own.  Weak references: the last store
 * to go finalizes it. */
static GMutex      shared_lock;
static GHashTable *shared;   /* key → GWeakRef *, PgqrsSqliteBackend */

static char *
shared_key (PgqrsConfig *config)
{
  g_autofree char *path = g_canonicalize_filename (_pgqrs_config_get_sqlite_path (config), NULL);

  return g_strdup_printf ("%u %s", pgqrs_config_get_busy_timeout (config), path);
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/* From the finalizer: drops the entry of a shared backend, unless a new
 * backend for the file has taken it already. */
static void
shared_forget (PgqrsSqliteBackend *self)
{
  g_autofree char *key = g_steal_pointer (&self->shared_key);
  g_autoptr(GObject) newer = NULL;
  GWeakRef *ref;

  if (key == NULL)
    return;

  g_mutex_lock (&shared_lock);
  if ((ref = g_hash_table_lookup (shared, key)) != NULL &&
      (newer = g_weak_ref_get (ref)) == NULL)
    g_hash_table_remove (shared, key);
  g_mutex_unlock (&shared_lock);
}

PgqrsBackend *
_pgqrs_sqlite_backend_new (PgqrsConfig *config)
{
  g_autofree char *key = NULL;
  PgqrsSqliteBackend *self;
  GWeakRef *ref;

  if (_pgqrs_config_get_sqlite_in_memory (config))
    return _pgqrs_sqlite_backend_new_with_transport (config, &sqlite_transport);

  key = shared_key (config);
  g_mutex_lock (&shared_lock);

  if (shared == NULL)
    shared = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, weak_ref_free);

  if ((ref = g_hash_table_lookup (shared, key)) == NULL ||
      (self = g_weak_ref_get (ref)) == NULL)
    {
      self = PGQRS_SQLITE_BACKEND (_pgqrs_sqlite_backend_new_with_transport (config, &sqlite_transport));
      self->shared_key = g_strdup (key);
      ref = g_new0 (GWeakRef, 1);
      g_weak_ref_init (ref, self);
      g_hash_table_insert (shared, g_steal_pointer (&key), ref);
    }

  g_mutex_unlock (&shared_lock);

  return PGQRS_BACKEND (self);
}
