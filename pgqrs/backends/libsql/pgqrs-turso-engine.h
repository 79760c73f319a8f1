/* pgqrs-turso-engine.h — the Turso engine as a private child process
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* tursodb in its server mode ("--sync-server") on one database file,
 * listening on a free loopback port; the store that starts it is its only
 * client, and stops it. */
typedef struct _PgqrsTursoEngine PgqrsTursoEngine;

/* The program: $PGQRS_TURSODB, else tursodb on PATH; NULL if neither. */
char             *_pgqrs_turso_engine_find    (void);
/* BACKEND_UNAVAILABLE when there is no engine to run, CONNECTION when it
 * does not start. */
PgqrsTursoEngine *_pgqrs_turso_engine_start   (const char        *path,
                                               GError           **error);
const char       *_pgqrs_turso_engine_get_url (PgqrsTursoEngine  *self);
/* The child's process id, or NULL once it has exited. */
const char       *_pgqrs_turso_engine_get_pid (PgqrsTursoEngine *self);
/* Whether the child is still running. */
gboolean          _pgqrs_turso_engine_alive   (PgqrsTursoEngine  *self);
/* Stops the child (SIGTERM, SIGKILL after a grace period) and waits for it. */
void              _pgqrs_turso_engine_stop    (PgqrsTursoEngine  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgqrsTursoEngine, _pgqrs_turso_engine_stop)

G_END_DECLS
