/* pgqrs-postgres-source.c — a GSource watching a libpq socket
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "pgqrs-postgres-source-private.h"

/*
 * libpq owns its socket: the descriptor can change during PQconnectPoll
 * (each host of a list, an SSL retry), and what to wait for switches between
 * reading and writing as a query is flushed.  A GUnixFDSource fixes both at
 * creation, and a GSocket would take the descriptor over; this source keeps
 * one tag that is moved or modified in place, so the source and its place in
 * the caller's main context survive every change.
 */

typedef struct
{
  GSource       source;
  gpointer      tag;
  int           fd;
} SocketSource;

static gboolean
socket_source_dispatch (GSource     *source,
                        GSourceFunc  callback,
                        gpointer     user_data)
{
  SocketSource *self = (SocketSource *)source;
  GIOCondition revents = self->tag ? g_source_query_unix_fd (source, self->tag) : 0;

  if (callback == NULL)
    return G_SOURCE_REMOVE;

  return ((PgqrsPostgresSocketFunc)(void (*) (void))callback) (revents, user_data);
}

static GSourceFuncs socket_source_funcs = {
  .dispatch = socket_source_dispatch,
};

GSource *
_pgqrs_postgres_socket_source_new (void)
{
  GSource *source = g_source_new (&socket_source_funcs, sizeof (SocketSource));

  ((SocketSource *)source)->fd = -1;
  g_source_set_static_name (source, "[pgqrs] PostgreSQL socket");

  return source;
}

/* Waits for @condition on @fd (errors and hang-ups are always reported). */
void
_pgqrs_postgres_socket_source_watch (GSource      *source,
                                     int           fd,
                                     GIOCondition  condition)
{
  SocketSource *self = (SocketSource *)source;

  condition |= G_IO_ERR | G_IO_HUP;

  if (self->tag != NULL && self->fd == fd)
    {
      g_source_modify_unix_fd (source, self->tag, condition);
      return;
    }

  if (self->tag != NULL)
    g_source_remove_unix_fd (source, self->tag);

  self->fd = fd;
  self->tag = fd >= 0 ? g_source_add_unix_fd (source, fd, condition) : NULL;
}
