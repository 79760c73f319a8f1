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
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pgqrs-error.h"
#include "pgqrs-turso-engine.h"

/*
 * Turso publishes no C library; its engine ships as the tursodb program,
 * whose server mode answers the libSQL remote protocol.  The store runs it
 * on the database file, on a loopback port nobody else is told about, as a
 * child that dies with the thread that started it (the store's owner
 * thread) even if the process is killed.
 */

#define START_ATTEMPTS   3      /* a free port may be taken before the engine binds it */
#define READY_TIMEOUT_MS 15000
#define STOP_TIMEOUT_MS  5000

struct _PgqrsTursoEngine
{
  GSubprocess *process;
  char        *url;
  char        *log_path;       /* the engine's output, quoted when it fails */
};

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

static char *
read_log (PgqrsTursoEngine *self)
{
  g_autofree char *text = NULL;
  gsize len = 0;

  if (!g_file_get_contents (self->log_path, &text, &len, NULL) || len == 0)
    return g_strdup (_("(no output)"));
  /* the end says why it stopped */
  return g_utf8_make_valid (len > 400 ? text + len - 400 : text, -1);
}

static void
engine_free (PgqrsTursoEngine *self)
{
  if (self->log_path != NULL)
    g_unlink (self->log_path);
  g_free (self->log_path);
  g_clear_object (&self->process);
  g_free (self->url);
  g_free (self);
}

static gboolean
wait_ready (PgqrsTursoEngine *self,
            guint             port)
{
  gint64 deadline = g_get_monotonic_time () + READY_TIMEOUT_MS * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      if (!_pgqrs_turso_engine_alive (self))
        return FALSE;
      if (port_open (port))
        return TRUE;
      g_usleep (10 * 1000);
    }

  return FALSE;
}

PgqrsTursoEngine *
_pgqrs_turso_engine_start (const char  *path,
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
      PgqrsTursoEngine *self;
      int log_fd;
      guint port;

      if (!(port = free_port (error)))
        return NULL;

      self = g_new0 (PgqrsTursoEngine, 1);
      if ((log_fd = g_file_open_tmp ("pgqrs-tursodb-XXXXXX.log", &self->log_path, &local_error)) < 0)
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                       _("Cannot start the Turso engine: %s"), local_error->message);
          engine_free (self);
          return NULL;
        }
      g_subprocess_launcher_take_stdout_fd (launcher, log_fd);
      g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                 G_SUBPROCESS_FLAGS_STDERR_MERGE);
      g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);

      address = g_strdup_printf ("127.0.0.1:%u", port);
      self->process = g_subprocess_launcher_spawn (launcher, &local_error, program, "--quiet",
                                                   "--sync-server", address, path, NULL);
      if (self->process == NULL)
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                       _("Cannot start the Turso engine %s: %s"), program, local_error->message);
          engine_free (self);
          return NULL;
        }
      self->url = g_strdup_printf ("http://%s", address);

      if (wait_ready (self, port))
        return self;

      g_free (failure);
      failure = read_log (self);
      _pgqrs_turso_engine_stop (self);
    }

  g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
               _("The Turso engine did not start on “%s”: %s"), path, failure);
  return NULL;
}

const char *
_pgqrs_turso_engine_get_url (PgqrsTursoEngine *self)
{
  return self->url;
}

const char *
_pgqrs_turso_engine_get_pid (PgqrsTursoEngine *self)
{
  return g_subprocess_get_identifier (self->process);
}

gboolean
_pgqrs_turso_engine_alive (PgqrsTursoEngine *self)
{
  /* GSubprocess reaps its child itself; the identifier goes with it */
  return g_subprocess_get_identifier (self->process) != NULL;
}

void
_pgqrs_turso_engine_stop (PgqrsTursoEngine *self)
{
  gint64 deadline;

  if (self == NULL)
    return;

  if (_pgqrs_turso_engine_alive (self))
    {
      g_subprocess_send_signal (self->process, SIGTERM);
      deadline = g_get_monotonic_time () + STOP_TIMEOUT_MS * 1000;
      while (_pgqrs_turso_engine_alive (self) && g_get_monotonic_time () < deadline)
        g_usleep (5 * 1000);
      if (_pgqrs_turso_engine_alive (self))
        g_subprocess_force_exit (self->process);
    }
  g_subprocess_wait (self->process, NULL, NULL);

  engine_free (self);
}
