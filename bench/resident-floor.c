/* resident-floor.c — the resident memory of a GLib program with one
 * connection of a database's own client library, and nothing of pgqrs
 *
 *   resident-floor postgresql://…     libpq: connect, SELECT 1
 *   resident-floor sqlite:///PATH     SQLite: open, SELECT 1
 *
 * Prints one line of JSON: resident_mib (VmRSS) and resident_private_mib
 * (RssAnon), read after a second in the main loop, as pgqrs-bench's idle
 * scenario reads them for an idle consumer.  It is the floor under that
 * figure: what any GIO application holds once it has talked to the
 * database through the library every pgqrs backend builds on.  Like
 * pgqrs-bench, it loads the client library at run time, so that the one
 * it does not use is not mapped.
 *
 * SPDX-License-Identifier: MIT
 */

#include <gio/gio.h>
#include <gmodule.h>
#include <stdio.h>
#include <string.h>

/* A field of /proc/self/status in kB, as MiB; -1 if unreadable. */
static double
status_mib (const char *status,
            const char *field)
{
  g_autofree char *key = g_strdup_printf ("\n%s:", field);
  const char *line = strstr (status, key);
  long kib;

  if (line == NULL || sscanf (line + strlen (key), " %ld kB", &kib) != 1)
    return -1;
  return kib / 1024.0;
}

static gboolean
quit_loop (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

/* libpq, through the few entry points used: connect, SELECT 1. */
static gboolean
postgres_connect (const char  *dsn,
                  GModule    **module,
                  GError     **error)
{
  gpointer (*connectdb) (const char *);
  int (*status) (gpointer);
  gpointer (*exec) (gpointer, const char *);
  void (*clear) (gpointer);
  const char *(*error_message) (gpointer);
  gpointer conn;

  if (!(*module = g_module_open ("libpq.so.5", G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL)) ||
      !g_module_symbol (*module, "PQconnectdb", (gpointer *)&connectdb) ||
      !g_module_symbol (*module, "PQstatus", (gpointer *)&status) ||
      !g_module_symbol (*module, "PQexec", (gpointer *)&exec) ||
      !g_module_symbol (*module, "PQclear", (gpointer *)&clear) ||
      !g_module_symbol (*module, "PQerrorMessage", (gpointer *)&error_message))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "libpq: %s", g_module_error ());
      return FALSE;
    }

  conn = connectdb (dsn);
  if (status (conn) != 0)   /* CONNECTION_OK */
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", error_message (conn));
      return FALSE;
    }
  clear (exec (conn, "SELECT 1"));
  /* the connection stays open, as a consumer's does */
  return TRUE;
}

static gboolean
sqlite_open (const char  *path,
             GModule    **module,
             GError     **error)
{
  int (*open_db) (const char *, gpointer *);
  int (*exec) (gpointer, const char *, gpointer, gpointer, char **);
  gpointer db;

  if (!(*module = g_module_open ("libsqlite3.so.0", G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL)) ||
      !g_module_symbol (*module, "sqlite3_open", (gpointer *)&open_db) ||
      !g_module_symbol (*module, "sqlite3_exec", (gpointer *)&exec))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "SQLite: %s", g_module_error ());
      return FALSE;
    }
  if (open_db (path, &db) != 0 || exec (db, "SELECT 1", NULL, NULL, NULL) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "SQLite: cannot open %s", path);
      return FALSE;
    }
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *status = NULL;
  GModule *module = NULL;
  const char *dsn;
  gboolean ok;

  if (argc != 2)
    {
      g_printerr ("usage: resident-floor postgresql://… | sqlite:///PATH\n");
      return 2;
    }
  dsn = argv[1];

  if (g_str_has_prefix (dsn, "postgres"))
    ok = postgres_connect (dsn, &module, &error);
  else if (g_str_has_prefix (dsn, "sqlite://"))
    ok = sqlite_open (dsn + strlen ("sqlite://"), &module, &error);
  else
    ok = (g_set_error (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "not a PostgreSQL or SQLite DSN: %s", dsn), FALSE);
  if (!ok)
    {
      g_printerr ("resident-floor: %s\n", error->message);
      return 1;
    }

  g_timeout_add (1000, quit_loop, loop);
  g_main_loop_run (loop);

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, &error))
    {
      g_printerr ("resident-floor: %s\n", error->message);
      return 1;
    }
  printf ("{\"scenario\":\"resident-floor\",\"backend\":\"%s\",\"resident_mib\":%.3f,"
          "\"resident_private_mib\":%.3f}\n",
          g_str_has_prefix (dsn, "postgres") ? "postgres" : "sqlite",
          status_mib (status, "VmRSS"), status_mib (status, "RssAnon"));
  return 0;
}
