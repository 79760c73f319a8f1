/* test-cluster.c — a throwaway PostgreSQL cluster (and PgBouncer) per test process
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pgqrs.h"
#include "test-cluster.h"
#include "test-cluster-control.h"
#include "test-util.h"

/*
 * The cluster lives in a temporary directory owned by the user that runs it
 * (the "postgres" user when the tests run as root: PostgreSQL refuses root).
 * Cleaning up is the job of a reaper: a shell in a session of its own that
 * waits for the end of its standard input, a pipe whose only writer is this
 * process.  However the test process ends — exit, a failed assertion's
 * abort, a signal, meson killing the test's process group on a timeout —
 * the pipe closes and the reaper stops PgBouncer and the server and removes
 * the directory.  At a normal exit, the test process waits for it.
 */

#define START_ATTEMPTS 5     /* a free port may be taken before the server binds it */
#define READY_TIMEOUT  60    /* seconds */

static GMutex cluster_lock;
static char *cluster_dir;
static char *bindir;
static guint server_port;
static char *server_dsn;
static char *bouncer_dsn;
static gboolean drop_privileges;
static uid_t run_uid;
static gid_t run_gid;
static int reaper_fd = -1;
static GPid reaper_pid;

static const char reaper_script[] =
  "cat >/dev/null\n"
  "if [ -f \"$1/bouncer.pid\" ]; then kill -TERM \"$(cat \"$1/bouncer.pid\")\" 2>/dev/null; fi\n"
  "if [ -f \"$1/data/postmaster.pid\" ]; then\n"
  "  pid=$(head -n 1 \"$1/data/postmaster.pid\")\n"
  "  kill -QUIT \"$pid\" 2>/dev/null\n"          /* immediate shutdown */
  "  i=0\n"
  "  while kill -0 \"$pid\" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done\n"
  "fi\n"
  "rm -rf \"$1\"\n";

/* Runs between fork and exec: only async-signal-safe calls. */
static void
child_setup (gpointer user_data)
{
  /* Out of the test's process group, which meson kills on a timeout:
   * the reaper must outlive the test to clean up. */
  setsid ();

  if (GPOINTER_TO_INT (user_data) && drop_privileges)
    {
      if (setgroups (0, NULL) != 0 || setgid (run_gid) != 0 || setuid (run_uid) != 0)
        _exit (127);
    }
}

#define AS_SERVER_USER GINT_TO_POINTER (TRUE)
#define AS_ME          GINT_TO_POINTER (FALSE)

static gboolean
try_run (const char * const *argv,
         gpointer            as_user,
         char              **output)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync (cluster_dir, (char **)argv, NULL, 0, child_setup, as_user,
                     &out, &err, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      *output = g_strconcat (out ? out : "", err ? err : "", NULL);
      return FALSE;
    }

  return TRUE;
}

/* Runs a program to completion; ends the test process with its output if
 * it fails. */
static void
run_or_die (const char * const *argv,
            gpointer            as_user)
{
  g_autofree char *output = NULL;

  if (!try_run (argv, as_user, &output))
    {
      g_autofree char *command = g_strjoinv (" ", (char **)argv);

      g_error ("test cluster: %s failed:\n%s", command, output);
    }
}


static char *
find_bindir (void)
{
  const char *env = g_getenv ("PGQRS_TEST_PG_BINDIR");
  g_autofree char *initdb = NULL;
  g_autoptr(GDir) dir = NULL;
  int best = 0;
  const char *name;

  if (env != NULL && *env != '\0')
    return g_strdup (env);

  /* Debian keeps the server programs out of PATH, one directory per
   * major version: take the newest. */
  if ((dir = g_dir_open ("/usr/lib/postgresql", 0, NULL)))
    while ((name = g_dir_read_name (dir)))
      {
        g_autofree char *path = g_build_filename ("/usr/lib/postgresql", name, "bin", "initdb", NULL);
        int version = atoi (name);

        if (version > best && g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
          {
            best = version;
            g_free (initdb);
            initdb = g_steal_pointer (&path);
          }
      }

  if (initdb == NULL)
    initdb = g_find_program_in_path ("initdb");

  if (initdb == NULL)
    g_error ("test cluster: PostgreSQL's initdb was not found (install postgresql, or set "
             "PGQRS_TEST_PG_BINDIR)");

  return g_path_get_dirname (initdb);
}

static char *
pg_program (const char *name)
{
  return g_build_filename (bindir, name, NULL);
}

static void
start_reaper (void)
{
  const char *argv[] = { "/bin/sh", "-c", reaper_script, "pgqrs-test-cluster-reaper",
                         cluster_dir, NULL };
  g_autoptr(GError) error = NULL;
  int fds[2];

  if (!g_unix_open_pipe (fds, FD_CLOEXEC, &error))
    g_error ("test cluster: %s", error->message);

  if (!g_spawn_async_with_pipes_and_fds (NULL, argv, NULL,
                                         G_SPAWN_DO_NOT_REAP_CHILD |
                                         G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                         child_setup, AS_ME,
                                         fds[0], -1, -1, NULL, NULL, 0,
                                         &reaper_pid, NULL, NULL, NULL, &error))
    g_error ("test cluster: cannot start the reaper: %s", error->message);

  close (fds[0]);
  reaper_fd = fds[1];
}

static void
stop_cluster_at_exit (void)
{
  int status;

  if (reaper_fd < 0)
    return;

  close (reaper_fd);
  reaper_fd = -1;
  waitpid (reaper_pid, &status, 0);
}

static void
init_cluster (void)
{
  g_autofree char *initdb = pg_program ("initdb");
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  struct passwd *pw;

  if (geteuid () == 0)
    {
      if (!(pw = getpwnam ("postgres")))
        g_error ("test cluster: running as root, but there is no “postgres” user to run "
                 "PostgreSQL as");
      drop_privileges = TRUE;
      run_uid = pw->pw_uid;
      run_gid = pw->pw_gid;
    }

  if (!(cluster_dir = g_dir_make_tmp ("pgqrs-cluster-XXXXXX", &error)))
    g_error ("test cluster: %s", error->message);
  if (drop_privileges && chown (cluster_dir, run_uid, run_gid) != 0)
    g_error ("test cluster: chown %s: %s", cluster_dir, g_strerror (errno));

  start_reaper ();
  atexit (stop_cluster_at_exit);

  data = g_build_filename (cluster_dir, "data", NULL);
  {
    /* No fsync and the C locale: a throwaway cluster should be quick to
     * make. */
    const char *argv[] = { initdb, "-D", data, "-U", "postgres", "-A", "trust",
                           "-E", "UTF8", "--locale=C", "-N", "--no-instructions", NULL };

    run_or_die (argv, AS_SERVER_USER);
  }
}

static void
start_server (void)
{
  g_autofree char *pg_ctl = pg_program ("pg_ctl");
  g_autofree char *data = g_build_filename (cluster_dir, "data", NULL);
  g_autofree char *log = g_build_filename (cluster_dir, "postgres.log", NULL);

  for (guint attempt = 1; ; attempt++)
    {
      g_autofree char *options = NULL;
      g_autofree char *output = NULL;
      guint port = pgqrs_test_free_port ();

      options = g_strdup_printf ("-p %u -k %s -c listen_addresses=127.0.0.1 -c fsync=off "
                                 "-c synchronous_commit=off -c full_page_writes=off "
                                 "-c max_connections=200", port, cluster_dir);
      {
        const char *argv[] = { pg_ctl, "-D", data, "-l", log, "-w", "-t",
                               G_STRINGIFY (READY_TIMEOUT), "-o", options, "start", NULL };

        if (try_run (argv, AS_SERVER_USER, &output))
          {
            server_port = port;
            break;
          }
      }

      if (attempt == START_ATTEMPTS)
        {
          g_autofree char *log_text = NULL;

          g_file_get_contents (log, &log_text, NULL, NULL);
          g_error ("test cluster: the server did not start: %s\n%s", output,
                   log_text ? log_text : "");
        }
    }

  server_dsn = g_strdup_printf ("postgresql://postgres@127.0.0.1:%u/postgres", server_port);
}

static gboolean
wait_until_ready (const char *conninfo)
{
  gint64 deadline = g_get_monotonic_time () + READY_TIMEOUT * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      if (PQping (conninfo) == PQPING_OK)
        return TRUE;
      g_usleep (G_USEC_PER_SEC / 20);
    }

  return FALSE;
}

static void
start_bouncer (void)
{
  g_autofree char *program = g_find_program_in_path ("pgbouncer");
  g_autofree char *config_path = g_build_filename (cluster_dir, "pgbouncer.ini", NULL);
  g_autofree char *users_path = g_build_filename (cluster_dir, "userlist.txt", NULL);
  g_autofree char *log_path = g_build_filename (cluster_dir, "pgbouncer.log", NULL);
  g_autofree char *pid_path = g_build_filename (cluster_dir, "bouncer.pid", NULL);
  g_autofree char *config = NULL;
  g_autofree char *pid_text = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(GError) error = NULL;
  GPid pid;
  guint port;

  if (program == NULL && g_file_test ("/usr/sbin/pgbouncer", G_FILE_TEST_IS_EXECUTABLE))
    program = g_strdup ("/usr/sbin/pgbouncer");
  if (program == NULL)
    g_error ("test cluster: pgbouncer was not found (install pgbouncer)");

  for (guint attempt = 1; ; attempt++)
    {
      const char *argv[] = { program, config_path, NULL };

      port = pgqrs_test_free_port ();
      config = g_strdup_printf ("[databases]\n"
                                "* = host=127.0.0.1 port=%u\n"
                                "[pgbouncer]\n"
                                "listen_addr = 127.0.0.1\n"
                                "listen_port = %u\n"
                                "unix_socket_dir =\n"
                                "auth_type = trust\n"
                                "auth_file = %s\n"
                                "pool_mode = transaction\n"
                                "max_client_conn = 200\n"
                                "default_pool_size = 20\n"
                                "logfile = %s\n",
                                server_port, port, users_path, log_path);
      if (!g_file_set_contents (config_path, config, -1, &error) ||
          !g_file_set_contents (users_path, "\"postgres\" \"\"\n", -1, &error))
        g_error ("test cluster: %s", error->message);
      if (drop_privileges &&
          (chown (config_path, run_uid, run_gid) != 0 || chown (users_path, run_uid, run_gid) != 0))
        g_error ("test cluster: chown: %s", g_strerror (errno));

      if (!g_spawn_async (cluster_dir, (char **)argv, NULL,
                          G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                          child_setup, AS_SERVER_USER, &pid, &error))
        g_error ("test cluster: cannot start pgbouncer: %s", error->message);

      /* for the reaper */
      pid_text = g_strdup_printf ("%d\n", (int)pid);
      g_file_set_contents (pid_path, pid_text, -1, NULL);

      conninfo = g_strdup_printf ("host=127.0.0.1 port=%u dbname=postgres user=postgres "
                                  "connect_timeout=2", port);
      if (wait_until_ready (conninfo))
        break;

      kill (pid, SIGTERM);
      if (attempt == START_ATTEMPTS)
        {
          g_autofree char *log_text = NULL;

          g_file_get_contents (log_path, &log_text, NULL, NULL);
          g_error ("test cluster: pgbouncer did not start\n%s", log_text ? log_text : "");
        }
      g_clear_pointer (&config, g_free);
      g_clear_pointer (&pid_text, g_free);
      g_clear_pointer (&conninfo, g_free);
    }

  /* Transaction pooling hands each transaction to any server connection:
   * no named prepared statements, no LISTEN. */
  bouncer_dsn = g_strdup_printf ("postgresql://postgres@127.0.0.1:%u/postgres"
                                 "?prepared_statements=false", port);
}

const char *
pgqrs_test_cluster_dsn (gboolean via_pgbouncer)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&cluster_lock);

  if (server_dsn == NULL)
    {
      bindir = find_bindir ();
      init_cluster ();
      start_server ();
    }

  if (!via_pgbouncer)
    return server_dsn;

  if (bouncer_dsn == NULL)
    start_bouncer ();

  return bouncer_dsn;
}

void
pgqrs_test_cluster_restart (void)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&cluster_lock);
  g_autofree char *pg_ctl = pg_program ("pg_ctl");
  g_autofree char *data = g_build_filename (cluster_dir, "data", NULL);
  g_autofree char *log = g_build_filename (cluster_dir, "postgres.log", NULL);
  const char *argv[] = { pg_ctl, "-D", data, "-l", log, "-w", "-t", G_STRINGIFY (READY_TIMEOUT),
                         "-m", "fast", "restart", NULL };

  g_assert_nonnull (server_dsn);
  run_or_die (argv, AS_SERVER_USER);
}

const char *
pgqrs_test_cluster_dir (void)
{
  return cluster_dir;
}
