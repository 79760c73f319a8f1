/* test-proxy.c — a TCP proxy on loopback that can go silent
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <gio/gio.h>
#include <poll.h>

#include "test-proxy.h"

/* How often the threads look at the stop flag, in milliseconds. */
#define POLL_MS 50

typedef struct
{
  PgqrsTestProxy *proxy;
  GSocket        *client;
  GSocket        *server;
  gint            stalled;   /* atomic */
  GThread        *thread;
} Link;

struct _PgqrsTestProxy
{
  GSocket   *listener;
  guint      port;
  guint      target_port;
  gint       stop;           /* atomic */
  gint       silent;         /* atomic: new links start stalled */
  GThread   *accept_thread;
  GMutex     mutex;
  GPtrArray *links;          /* Link */
};

static gboolean
send_all (GSocket    *socket,
          const char *data,
          gssize      len)
{
  while (len > 0)
    {
      gssize sent = g_socket_send (socket, data, len, NULL, NULL);

      if (sent <= 0)
        return FALSE;
      data += sent;
      len -= sent;
    }

  return TRUE;
}

static gpointer
link_thread (gpointer user_data)
{
  Link *link = user_data;
  GSocket *sockets[2] = { link->client, link->server };
  char buf[16384];

  while (!g_atomic_int_get (&link->proxy->stop))
    {
      struct pollfd fds[2] = {
        { .fd = g_socket_get_fd (link->client), .events = POLLIN },
        { .fd = g_socket_get_fd (link->server), .events = POLLIN },
      };

      if (poll (fds, 2, POLL_MS) <= 0)
        continue;

      for (guint i = 0; i < 2; i++)
        {
          gssize len;

          if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;

          len = g_socket_receive (sockets[i], buf, sizeof buf, NULL, NULL);
          if (len <= 0)
            goto closed;

          /* A black hole reads all and says nothing. */
          if (!g_atomic_int_get (&link->stalled) && !send_all (sockets[1 - i], buf, len))
            goto closed;
        }
    }

closed:
  g_socket_close (link->client, NULL);
  g_socket_close (link->server, NULL);

  return NULL;
}

static gpointer
accept_thread (gpointer user_data)
{
  PgqrsTestProxy *self = user_data;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) target = g_inet_socket_address_new (loopback, self->target_port);

  while (!g_atomic_int_get (&self->stop))
    {
      struct pollfd pfd = { .fd = g_socket_get_fd (self->listener), .events = POLLIN };
      g_autoptr(GSocket) client = NULL;
      g_autoptr(GSocket) server = NULL;
      Link *link;

      if (poll (&pfd, 1, POLL_MS) <= 0)
        continue;
      if (!(client = g_socket_accept (self->listener, NULL, NULL)))
        continue;

      server = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
      if (server == NULL || !g_socket_connect (server, target, NULL, NULL))
        continue;

      link = g_new0 (Link, 1);
      link->proxy = self;
      link->stalled = g_atomic_int_get (&self->silent);
      link->client = g_steal_pointer (&client);
      link->server = g_steal_pointer (&server);
      link->thread = g_thread_new ("pgqrs-test-proxy-link", link_thread, link);

      g_mutex_lock (&self->mutex);
      g_ptr_array_add (self->links, link);
      g_mutex_unlock (&self->mutex);
    }

  return NULL;
}

static void
link_free (Link *link)
{
  g_thread_join (link->thread);
  g_object_unref (link->client);
  g_object_unref (link->server);
  g_free (link);
}

PgqrsTestProxy *
pgqrs_test_proxy_new (guint target_port)
{
  PgqrsTestProxy *self = g_new0 (PgqrsTestProxy, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  self->target_port = target_port;
  self->links = g_ptr_array_new_with_free_func ((GDestroyNotify)link_free);
  g_mutex_init (&self->mutex);

  self->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (self->listener, any, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (self->listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (self->listener, &error);
  g_assert_no_error (error);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  self->accept_thread = g_thread_new ("pgqrs-test-proxy", accept_thread, self);

  return self;
}

guint
pgqrs_test_proxy_get_port (PgqrsTestProxy *self)
{
  return self->port;
}

guint
pgqrs_test_proxy_stall (PgqrsTestProxy *self)
{
  guint n = 0;

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->links->len; i++)
    {
      Link *link = g_ptr_array_index (self->links, i);

      if (!g_socket_is_closed (link->client))
        {
          g_atomic_int_set (&link->stalled, TRUE);
          n++;
        }
    }
  g_mutex_unlock (&self->mutex);

  return n;
}

void
pgqrs_test_proxy_set_silent (PgqrsTestProxy *self,
                             gboolean        silent)
{
  g_atomic_int_set (&self->silent, silent);
}

void
pgqrs_test_proxy_free (PgqrsTestProxy *self)
{
  g_atomic_int_set (&self->stop, TRUE);
  g_thread_join (self->accept_thread);
  g_ptr_array_unref (self->links);
  g_socket_close (self->listener, NULL);
  g_object_unref (self->listener);
  g_mutex_clear (&self->mutex);
  g_free (self);
}
