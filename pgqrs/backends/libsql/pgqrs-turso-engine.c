/* pgqrs-turso-engine.c — the Turso engine as a private child process
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pgqrs-error.h"
#include "pgqrs-turso-engine-private.h"

/*
 * Turso publishes no C library; its engine ships as the tursodb program,
 * whose server mode answers the libSQL remote protocol.  The store runs it
 * on the database file, on a loopback port nobody else is told about, as a
 * child that dies with the thread that started it even if the process is
 * killed.  That thread is the engine's own keeper, which lives as long as
 * the engine: not the owner thread of the store that needed it first,
 * which ends when that store closes while others still use the engine.
 */

#define START_ATTEMPTS   3      /* a free port may be taken before the engine binds it */
#define READY_TIMEOUT_MS 15000
#define STOP_TIMEOUT_MS  5000

/* One engine process; an engine is restarted as a new one. */
typedef struct
{
  GSubprocess *process;
  char        *url;
  char        *log_path;       /* the engine's output, quoted when it fails */
  GThread     *keeper;         /* started it, stops it when told */
  GMutex       lock;
  GCond        cond;
  gboolean     stop;           /* under lock */
} Child;

/*
 * The engine locks its file, so a second engine on it cannot start: all
 * the stores on one file share one engine, in this process and in others.
 * The first store to need it starts it and writes its URL to
 * "FILE.pgqrs-engine"; the others read it there.  Whoever finds the engine
 * gone (its process ended) starts it again, once: the sidecar file's own
 * lock elects who.  The engine has one connection for everyone, so each
 * store holds "FILE.pgqrs-lock" (flock, per open file: between threads and
 * processes alike) for each request and across each transaction.
 */
struct _PgqrsTursoEngine
{
  char   *path;
  char   *sidecar_path;       /* FILE.pgqrs-engine */
  char   *lock_path;          /* FILE.pgqrs-lock */
  guint   ref_count;          /* under registry_lock */
  Child  *child;              /* the engine, when this process runs it */
  char   *url;                /* the engine's, wherever it runs */
  guint   generation;         /* counts URL changes, under registry_lock */
};

static GMutex registry_lock;
static GHashTable *registry;  /* path → PgqrsTursoEngine */

char *
_pgqrs_turso_engine_find (void)
{
  const char *env = g_getenv ("PGQRS_TURSODB");

  if (env != NULL && *env != '\0')
    return g_file_test (env, G_FILE_TEST_IS_EXECUTABLE) ? g_strdup (env) : NULL;

  return g_find_program_in_path ("tursodb");
}

static guint
free_port (GError **error)
{
  struct sockaddr_in addr = { .sin_family = AF_INET };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  guint port = 0;

  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (fd >= 0 && bind (fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
      getsockname (fd, (struct sockaddr *)&addr, &len) == 0)
    port = ntohs (addr.sin_port);
  else
    g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                 _("Cannot find a free loopback port for the Turso engine: %s"),
                 g_strerror (errno));
  if (fd >= 0)
    close (fd);

  return port;
}

static gboolean
port_open (guint port)
{
  struct sockaddr_in addr = { .sin_family = AF_INET };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  gboolean open;

  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  addr.sin_port = htons (port);
  open = fd >= 0 && connect (fd, (struct sockaddr *)&addr, sizeof addr) == 0;
  if (fd >= 0)
    close (fd);

  return open;
}

/* Runs in the child between fork and exec. */
static void
child_setup (gpointer user_data)
{
  /* Dies with the thread that started it: a killed store leaves no engine
   * behind holding the file. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
child_alive (Child *child)
{
  /* GSubprocess reaps its child itself; the identifier goes with it */
  return g_subprocess_get_identifier (child->process) != NULL;
}

static char *
read_log (Child *self)
{
  g_autofree char *text = NULL;
  gsize len = 0;

  if (!g_file_get_contents (self->log_path, &text, &len, NULL) || len == 0)
    return g_strdup (_("(no output)"));
  /* the end says why it stopped */
  return g_utf8_make_valid (len > 400 ? text + len - 400 : text, -1);
}

static void
child_free (Child *self)
{
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  if (self->log_path != NULL)
    g_unlink (self->log_path);
  g_free (self->log_path);
  g_clear_object (&self->process);
  g_free (self->url);
  g_free (self);
}

static void
child_terminate (Child *self)
{
  gint64 deadline;

  if (child_alive (self))
    {
      g_subprocess_send_signal (self->process, SIGTERM);
      deadline = g_get_monotonic_time () + STOP_TIMEOUT_MS * 1000;
      while (child_alive (self) && g_get_monotonic_time () < deadline)
        g_usleep (5 * 1000);
      if (child_alive (self))
        g_subprocess_force_exit (self->process);
    }
  g_subprocess_wait (self->process, NULL, NULL);
}

static void
child_stop (Child *self)
{
  child_terminate (self);
  child_free (self);
}

static gboolean
wait_ready (Child *self,
            guint  port)
{
  gint64 deadline = g_get_monotonic_time () + READY_TIMEOUT_MS * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      if (!child_alive (self))
        return FALSE;
      if (port_open (port))
        return TRUE;
      g_usleep (10 * 1000);
    }

  return FALSE;
}

static Child *
child_start (const char  *path,
             GError     **error)
{
  g_autofree char *program = _pgqrs_turso_engine_find ();
  g_autofree char *failure = NULL;

  if (program == NULL)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_BACKEND_UNAVAILABLE,
                   _("turso:// on a local file (“%s”) needs the Turso engine, and tursodb was "
                     "not found: install it (npm install @tursodatabase/cli-linux-x64-gnu, or "
                     "Turso's installer) and put tursodb on PATH, or set PGQRS_TURSODB to the "
                     "program"), path);
      return NULL;
    }

  for (guint attempt = 1; attempt <= START_ATTEMPTS; attempt++)
    {
      g_autoptr(GSubprocessLauncher) launcher =
        g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
      g_autoptr(GError) local_error = NULL;
      g_autofree char *address = NULL;
      Child *self;
      int log_fd;
      guint port;

      if (!(port = free_port (error)))
        return NULL;

      self = g_new0 (Child, 1);
      g_mutex_init (&self->lock);
      g_cond_init (&self->cond);
      if ((log_fd = g_file_open_tmp ("pgqrs-tursodb-XXXXXX.log", &self->log_path, &local_error)) < 0)
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                       _("Cannot start the Turso engine: %s"), local_error->message);
          child_free (self);
          return NULL;
        }
      g_subprocess_launcher_take_stdout_fd (launcher, log_fd);
      g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                 G_SUBPROCESS_FLAGS_STDERR_MERGE);
      g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
      /* a crash's report is the log's last lines, not a Rust backtrace */
      g_subprocess_launcher_setenv (launcher, "RUST_BACKTRACE", "0", TRUE);

      address = g_strdup_printf ("127.0.0.1:%u", port);
      self->process = g_subprocess_launcher_spawn (launcher, &local_error, program, "--quiet",
                                                   "--sync-server", address, path, NULL);
      if (self->process == NULL)
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                       _("Cannot start the Turso engine %s: %s"), program, local_error->message);
          child_free (self);
          return NULL;
        }
      self->url = g_strdup_printf ("http://%s", address);

      if (wait_ready (self, port))
        return self;

      g_free (failure);
      failure = read_log (self);
      child_stop (self);

      if (strstr (failure, "locked by another process"))
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                       _("“%s” is in use by the Turso engine of another process: a turso:/// file "
                         "serves one process at a time (several processes can share a database "
                         "through sqld)"), path);
          return NULL;
        }
    }

  g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
               _("The Turso engine did not start on “%s”: %s"), path, failure);
  return NULL;
}

typedef struct
{
  char        *path;
  GAsyncQueue *started;        /* gets this back, child or error set */
  Child       *child;
  GError      *error;
} KeeperStart;

static gpointer
keeper_thread (gpointer data)
{
  KeeperStart *start = data;
  GAsyncQueue *started = start->started;
  Child *child = start->child = child_start (start->path, &start->error);

  /* the starter owns @start from here */
  g_async_queue_push (started, start);
  g_async_queue_unref (started);

  if (child != NULL)
    {
      g_mutex_lock (&child->lock);
      while (!child->stop)
        g_cond_wait (&child->cond, &child->lock);
      g_mutex_unlock (&child->lock);
      child_terminate (child);
    }

  return NULL;
}

/* Starts the engine from a keeper thread of its own (see the top). */
static Child *
child_start_kept (const char  *path,
                  GError     **error)
{
  KeeperStart *start = g_new0 (KeeperStart, 1);
  g_autoptr(GAsyncQueue) started = g_async_queue_new ();
  GThread *keeper;
  Child *child;

  start->path = g_strdup (path);
  start->started = g_async_queue_ref (started);
  keeper = g_thread_new ("pgqrs-tursodb", keeper_thread, start);
  g_async_queue_pop (started);          /* @start, filled in */

  if ((child = start->child) != NULL)
    child->keeper = keeper;
  else
    {
      g_thread_join (keeper);
      g_propagate_error (error, start->error);
    }
  g_free (start->path);
  g_free (start);

  return child;
}

static void
child_release (Child *self)
{
  GThread *keeper = self->keeper;

  g_mutex_lock (&self->lock);
  self->stop = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  g_thread_join (keeper);
  child_free (self);
}

static gboolean
url_answers (const char *url)
{
  const char *colon = url ? strrchr (url, ':') : NULL;

  return colon != NULL && port_open ((guint)g_ascii_strtoull (colon + 1, NULL, 10));
}

/* Under registry_lock: finds the engine's URL, starting the engine if no
 * process runs it. */
static gboolean
find_or_start (PgqrsTursoEngine  *self,
               GError           **error)
{
  g_autofree char *published = NULL;
  g_autofree char *previous = g_strdup (self->url);
  int fd;

  if (self->child != NULL && child_alive (self->child))
    return TRUE;
  g_clear_pointer (&self->child, child_release);

  /* the sidecar's lock elects the one process that starts the engine */
  if ((fd = open (self->sidecar_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0 ||
      flock (fd, LOCK_EX) != 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                   _("Cannot open %s: %s"), self->sidecar_path, g_strerror (saved_errno));
      return FALSE;
    }

  if (g_file_get_contents (self->sidecar_path, &published, NULL, NULL))
    g_strstrip (published);

  if (published != NULL && url_answers (published))
    {
      g_free (self->url);
      self->url = g_steal_pointer (&published);
    }
  else
    {
      g_autofree char *line = NULL;

      /* an engine its process stopped emptied the file: only one that
       * died is news */
      if (previous != NULL && published != NULL && *published != '\0')
        g_message ("The Turso engine on “%s” stopped; starting it again", self->path);
      if (!(self->child = child_start_kept (self->path, error)))
        {
          close (fd);
          return FALSE;
        }
      g_free (self->url);
      self->url = g_strdup (self->child->url);
      line = g_strconcat (self->url, "\n", NULL);
      if (ftruncate (fd, 0) != 0 || pwrite (fd, line, strlen (line), 0) != (ssize_t)strlen (line))
        g_message ("Cannot publish the Turso engine's address in %s: %s; other processes "
                   "cannot use “%s” while this one does", self->sidecar_path,
                   g_strerror (errno), self->path);
    }
  close (fd);

  if (g_strcmp0 (previous, self->url) != 0)
    self->generation++;

  return TRUE;
}

PgqrsTursoEngine *
_pgqrs_turso_engine_start (const char  *path,
                           GError     **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&registry_lock);
  g_autofree char *canonical = g_canonicalize_filename (path, NULL);
  g_autofree char *program = NULL;
  PgqrsTursoEngine *self;

  if (registry == NULL)
    registry = g_hash_table_new (g_str_hash, g_str_equal);

  if ((self = g_hash_table_lookup (registry, canonical)))
    {
      self->ref_count++;
      return self;
    }

  if (!(program = _pgqrs_turso_engine_find ()))
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_BACKEND_UNAVAILABLE,
                   _("turso:// on a local file (“%s”) needs the Turso engine, and tursodb was "
                     "not found: install it (npm install @tursodatabase/cli-linux-x64-gnu, or "
                     "Turso's installer) and put tursodb on PATH, or set PGQRS_TURSODB to the "
                     "program"), canonical);
      return NULL;
    }

  self = g_new0 (PgqrsTursoEngine, 1);
  self->path = g_steal_pointer (&canonical);
  self->sidecar_path = g_strconcat (self->path, ".pgqrs-engine", NULL);
  self->lock_path = g_strconcat (self->path, ".pgqrs-lock", NULL);
  if (!find_or_start (self, error))
    {
      g_free (self->path);
      g_free (self->sidecar_path);
      g_free (self->lock_path);
      g_free (self);
      return NULL;
    }
  self->ref_count = 1;
  g_hash_table_insert (registry, self->path, self);

  return self;
}

gboolean
_pgqrs_turso_engine_locate (PgqrsTursoEngine  *self,
                            gboolean           refused,
                            GError           **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&registry_lock);
  g_autofree char *published = NULL;

  if (self->child != NULL && child_alive (self->child))
    return TRUE;

  /* Where the engine is, by the word of the process that runs it: the
   * file is emptied when it stops the engine. */
  if (!refused && g_file_get_contents (self->sidecar_path, &published, NULL, NULL) &&
      g_str_equal (g_strstrip (published), self->url))
    return TRUE;

  return find_or_start (self, error);
}

gboolean
_pgqrs_turso_engine_ensure (PgqrsTursoEngine  *self,
                            GError           **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&registry_lock);

  /* Another process's engine is not probed here: each request checks
   * where it is (_pgqrs_turso_engine_locate()), and one that finds it
   * gone has it started again. */
  if (self->child == NULL || child_alive (self->child))
    return TRUE;

  return find_or_start (self, error);
}

char *
_pgqrs_turso_engine_get_url (PgqrsTursoEngine *self,
                             guint            *generation)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&registry_lock);

  if (generation != NULL)
    *generation = self->generation;
  return g_strdup (self->url);
}

guint
_pgqrs_turso_engine_get_generation (PgqrsTursoEngine *self)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&registry_lock);

  return self->generation;
}

const char *
_pgqrs_turso_engine_get_lock_path (PgqrsTursoEngine *self)
{
  return self->lock_path;
}

int
_pgqrs_turso_engine_get_pid (PgqrsTursoEngine *self)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&registry_lock);
  const char *pid = self->child ? g_subprocess_get_identifier (self->child->process) : NULL;

  return pid ? atoi (pid) : 0;
}

/* Stops this process's engine, which other processes may use: with the
 * connection lock, so that no request of theirs is in flight, and with
 * the address file's, emptied, so that they start it again only once it
 * has let go of the database file. */
static void
retire (PgqrsTursoEngine *self)
{
  int lock_fd = open (self->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  int sidecar_fd = open (self->sidecar_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  g_autofree char *published = NULL;

  /* Without the locks (a file that cannot be opened), it is stopped all
   * the same: others see a request fail and the next one find it gone. */
  if (lock_fd >= 0)
    while (flock (lock_fd, LOCK_EX) != 0 && errno == EINTR)
      ;
  if (sidecar_fd >= 0)
    while (flock (sidecar_fd, LOCK_EX) != 0 && errno == EINTR)
      ;

  if (sidecar_fd >= 0 && g_file_get_contents (self->sidecar_path, &published, NULL, NULL) &&
      g_str_equal (g_strstrip (published), self->child->url) && ftruncate (sidecar_fd, 0) != 0)
    g_message ("Cannot empty %s: %s", self->sidecar_path, g_strerror (errno));
  g_clear_pointer (&self->child, child_release);

  if (sidecar_fd >= 0)
    close (sidecar_fd);
  if (lock_fd >= 0)
    close (lock_fd);
}

void
_pgqrs_turso_engine_stop (PgqrsTursoEngine *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  if (self == NULL)
    return;

  locker = g_mutex_locker_new (&registry_lock);
  if (--self->ref_count > 0)
    return;

  g_hash_table_remove (registry, self->path);
  /* The locks are taken without the registry's: a store of this process
   * may hold the connection lock and want the registry. */
  g_clear_pointer (&locker, g_mutex_locker_free);
  if (self->child != NULL)
    retire (self);
  g_free (self->url);
  g_free (self->path);
  g_free (self->sidecar_path);
  g_free (self->lock_path);
  g_free (self);
}
