/* pgqrs-postgres-listener.c — LISTEN on a connection of its own
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "pgqrs-postgres-listener-private.h"
#include "pgqrs-postgres-source-private.h"

/*
 * The listening connection lives in a thread with its own main context:
 * wakeups must arrive whatever the callers' contexts are doing (a blocking
 * call iterates only its private context), and the connection is shared
 * by every consumer of the backend.  Between losing the connection and
 * listening again, notifications are lost; the consumers poll as well,
 * and hear "something may have changed" (queue 0) once listening resumes.
 */

#define RETRY_FIRST_MS 100
#define RETRY_MAX_MS   5000

struct _PgqrsPostgresListener
{
  PgqrsPostgresConnectInfo *info;
  char                     *listen_sql;
  PgqrsPostgresNotifyFunc   func;
  gpointer                  user_data;

  GThread                  *thread;
  GMainContext             *context;
  GMainLoop                *loop;

  /* owned by the thread */
  PgqrsPostgresConnection  *conn;
  GSource                  *socket_source;
  GSource                  *retry_source;
  GCancellable             *cancellable;
  guint                     retry_ms;
};

static void connect_now (PgqrsPostgresListener *self);

static gboolean
retry_cb (gpointer user_data)
{
  PgqrsPostgresListener *self = user_data;

  g_clear_pointer (&self->retry_source, g_source_unref);
  connect_now (self);

  return G_SOURCE_REMOVE;
}

static void
lost (PgqrsPostgresListener *self,
      const char            *why)
{
  if (self->socket_source != NULL)
    {
      g_source_destroy (self->socket_source);
      g_clear_pointer (&self->socket_source, g_source_unref);
    }
  g_clear_pointer (&self->conn, _pgqrs_postgres_connection_free);

  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  g_debug ("pgqrs: LISTEN connection: %s; retrying in %u ms", why, self->retry_ms);

  self->retry_source = g_timeout_source_new (self->retry_ms);
  g_source_set_static_name (self->retry_source, "[pgqrs] PostgreSQL LISTEN retry");
  g_source_set_callback (self->retry_source, retry_cb, self, NULL);
  g_source_attach (self->retry_source, self->context);
  self->retry_ms = MIN (self->retry_ms * 2, RETRY_MAX_MS);
}

static void
drain_notifications (PgqrsPostgresListener *self)
{
  PGconn *pg = _pgqrs_postgres_connection_get_pg (self->conn);
  PGnotify *notify;

  while ((notify = PQnotifies (pg)) != NULL)
    {
      gint64 queue_id = g_ascii_strtoll (notify->extra ? notify->extra : "", NULL, 10);

      self->func (queue_id, self->user_data);
      PQfreemem (notify);
    }
}

static gboolean
socket_cb (GIOCondition revents,
           gpointer     user_data)
{
  PgqrsPostgresListener *self = user_data;
  PGconn *pg = _pgqrs_postgres_connection_get_pg (self->conn);

  if (!PQconsumeInput (pg) || PQstatus (pg) != CONNECTION_OK)
    {
      g_autofree char *why = _pgqrs_postgres_connection_error_text (self->conn, NULL);

      lost (self, why);
      return G_SOURCE_REMOVE;
    }

  drain_notifications (self);

  return G_SOURCE_CONTINUE;
}

static void
listening_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  PgqrsPostgresListener *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) res = _pgqrs_postgres_connection_query_finish (self->conn, result, &error);

  if (res == NULL || PQresultStatus (res) != PGRES_COMMAND_OK)
    {
      g_autofree char *why = res ? _pgqrs_postgres_connection_error_text (self->conn,
                                                                          PQresultErrorMessage (res))
                                 : g_strdup (error->message);

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        lost (self, why);
      return;
    }

  self->retry_ms = RETRY_FIRST_MS;
  self->socket_source = _pgqrs_postgres_socket_source_new ();
  g_source_set_callback (self->socket_source, (GSourceFunc)(void (*) (void))socket_cb, self, NULL);
  _pgqrs_postgres_socket_source_watch (self->socket_source,
                                       PQsocket (_pgqrs_postgres_connection_get_pg (self->conn)),
                                       G_IO_IN);
  g_source_attach (self->socket_source, self->context);

  drain_notifications (self);
  self->func (0, self->user_data);
}

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  PgqrsPostgresListener *self = user_data;
  g_autoptr(GError) error = NULL;
  PgqrsPostgresQuery listen = { NULL, self->listen_sql, -1, NULL };

  if (!(self->conn = _pgqrs_postgres_connection_open_finish (result, &error)))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        lost (self, error->message);
      return;
    }

  _pgqrs_postgres_connection_query_async (self->conn, &listen, self->cancellable,
                                          listening_cb, self);
}

static void
connect_now (PgqrsPostgresListener *self)
{
  _pgqrs_postgres_connection_open_async (self->info, self->cancellable, connected_cb, self);
}

static gboolean
start_cb (gpointer user_data)
{
  connect_now (user_data);
  return G_SOURCE_REMOVE;
}

static gpointer
listener_thread (gpointer user_data)
{
  PgqrsPostgresListener *self = user_data;
  g_autoptr(GSource) start = g_idle_source_new ();

  g_main_context_push_thread_default (self->context);

  g_source_set_callback (start, start_cb, self, NULL);
  g_source_attach (start, self->context);
  g_main_loop_run (self->loop);

  /* Let whatever was under way see the cancellation and finish. */
  while (g_main_context_iteration (self->context, FALSE))
    ;

  if (self->retry_source != NULL)
    {
      g_source_destroy (self->retry_source);
      g_clear_pointer (&self->retry_source, g_source_unref);
    }
  if (self->socket_source != NULL)
    {
      g_source_destroy (self->socket_source);
      g_clear_pointer (&self->socket_source, g_source_unref);
    }
  g_clear_pointer (&self->conn, _pgqrs_postgres_connection_free);

  g_main_context_pop_thread_default (self->context);

  return NULL;
}

PgqrsPostgresListener *
_pgqrs_postgres_listener_new (PgqrsPostgresConnectInfo *info,
                              const char               *channel,
                              PgqrsPostgresNotifyFunc   func,
                              gpointer                  user_data)
{
  PgqrsPostgresListener *self = g_new0 (PgqrsPostgresListener, 1);

  self->info = _pgqrs_postgres_connect_info_ref (info);
  /* The channel is made of letters, digits, '_' and '-' only. */
  self->listen_sql = g_strdup_printf ("LISTEN \"%s\"", channel);
  self->func = func;
  self->user_data = user_data;
  self->retry_ms = RETRY_FIRST_MS;
  self->cancellable = g_cancellable_new ();
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("pgqrs-pg-listen", listener_thread, self);

  return self;
}

static gboolean
quit_cb (gpointer user_data)
{
  PgqrsPostgresListener *self = user_data;

  g_cancellable_cancel (self->cancellable);
  g_main_loop_quit (self->loop);

  return G_SOURCE_REMOVE;
}

void
_pgqrs_postgres_listener_free (PgqrsPostgresListener *self)
{
  g_autoptr(GSource) quit = NULL;

  if (self == NULL)
    return;

  /* A source rather than g_main_loop_quit(), which would be lost if the
   * thread has not reached g_main_loop_run() yet. */
  quit = g_idle_source_new ();
  g_source_set_priority (quit, G_PRIORITY_HIGH);
  g_source_set_callback (quit, quit_cb, self, NULL);
  g_source_attach (quit, self->context);
  g_thread_join (self->thread);

  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_object_unref (self->cancellable);
  g_free (self->listen_sql);
  _pgqrs_postgres_connect_info_unref (self->info);
  g_free (self);
}
