/* test-libsql-server.h — libSQL servers for the test suites
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A throwaway sqld (the libSQL server) on a free loopback port with an
 * empty database of its own.  With @require_token it accepts only requests
 * that carry a JWT signed by a key the test made, and *token (if not NULL)
 * is set to a valid one.  Returns its base URL ("http://127.0.0.1:PORT").
 *
 * A server lives until a test of another path (g_test_get_path()) asks for
 * one, or the process exits: every test gets fresh databases, and no more
 * servers run at once than one test uses. */
const char *pgqrs_test_sqld_start     (gboolean      require_token,
                                       const char  **token);
/* Stops and starts again, on the same port and files, the server that
 * answers at @url. */
void        pgqrs_test_sqld_restart   (const char   *url);
/* A JWT signed by a key no server trusts. */
const char *pgqrs_test_sqld_bad_token (void);

/* The engines' programs: $PGQRS_TEST_SQLD / $PGQRS_TURSODB when set, else
 * the project's own install (scripts/install-engines). */
const char *pgqrs_test_sqld_program   (void);
const char *pgqrs_test_tursodb_program (void);

/* A new temporary directory, removed with its contents at exit. */
const char *pgqrs_test_tmp_dir        (void);

G_END_DECLS
