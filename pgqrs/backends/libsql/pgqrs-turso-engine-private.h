/* pgqrs-turso-engine-private.h — the Turso engine as a private child process
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* tursodb in its server mode ("--sync-server") on one database file,
 * listening on a free loopback port.  The engine locks its file, so all
 * the stores on one file share one engine — those of other processes
 * through the address it publishes in FILE.pgqrs-engine.  start() returns
 * this process's handle with one more reference (starting the engine if
 * no process runs it); stop() drops one, and with the last stops the
 * engine if this process runs it. */
typedef struct _PgqrsTursoEngine PgqrsTursoEngine;

/* The program: $PGQRS_TURSODB, else tursodb on PATH; NULL if neither. */
char             *_pgqrs_turso_engine_find    (void);
/* BACKEND_UNAVAILABLE when there is no engine to run, CONNECTION when it
 * does not start (or another process's engine has the file). */
PgqrsTursoEngine *_pgqrs_turso_engine_start   (const char        *path,
                                               GError           **error);
void              _pgqrs_turso_engine_stop    (PgqrsTursoEngine  *self);
/* Starts the engine again if this process ran it and it has gone (the
 * file keeps everything committed); its URL changes, and the generation
 * with it. */
gboolean          _pgqrs_turso_engine_ensure  (PgqrsTursoEngine  *self,
                                               GError           **error);
/* Checks, with the connection lock held and before a request, that the
 * engine still runs where this process thinks (or, with @refused, that it
 * is gone): finds it again, or starts it, if it has moved. */
gboolean          _pgqrs_turso_engine_locate  (PgqrsTursoEngine  *self,
                                               gboolean           refused,
                                               GError           **error);
/* The current process's URL and generation. */
char             *_pgqrs_turso_engine_get_url (PgqrsTursoEngine  *self,
                                               guint             *generation);
guint             _pgqrs_turso_engine_get_generation (PgqrsTursoEngine *self);
/* The file each store flock()s for each request and across each
 * transaction: the engine has one connection for all of them. */
const char       *_pgqrs_turso_engine_get_lock_path (PgqrsTursoEngine *self);
/* The process id of the engine this process runs, else 0 (for the tests). */
int               _pgqrs_turso_engine_get_pid (PgqrsTursoEngine  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgqrsTursoEngine, _pgqrs_turso_engine_stop)

G_END_DECLS
