/* pgqrs-time-private.h — the times the backends return
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-internal-private.h"

G_BEGIN_DECLS

/* A time as the backends return it, held until someone asks for it: the
 * microseconds since the Unix epoch, and the GDateTime built from them on
 * first use (objects such as a leased message carry several times that
 * most handlers never read). */
typedef struct
{
  gint64     usec;
  gboolean   set;       /* FALSE: the column was NULL */
  GDateTime *built;     /* on first use; atomic */
} PgqrsTime;

/* Reads @text (ISO-8601, or NULL for no time) into @time; FALSE with
 * @error (PGQRS_ERROR_DATABASE, naming @column) if it is not a time. */
gboolean   _pgqrs_time_read  (PgqrsTime   *time,
                              const char  *text,
                              const char  *column,
                              GError     **error);
/* The time as a GDateTime in UTC, built once; NULL for no time. */
GDateTime *_pgqrs_time_get   (PgqrsTime   *time);
void       _pgqrs_time_clear (PgqrsTime   *time);

G_END_DECLS
