/* pgqrs-postgres-connection.c — one nonblocking libpq connection
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "pgqrs-config-private.h"
#include "pgqrs-error.h"
#include "pgqrs-postgres-connection-private.h"
#include "pgqrs-postgres-source-private.h"

/* The DSN as libpq gets it: without the query parameters that are pgqrs
 * options. */
static char *
libpq_part (const char *dsn)
{
  g_autoptr(GString) out = NULL;
  const char *query = strchr (dsn, '?');
  g_auto(GStrv) params = NULL;
  gboolean first = TRUE;

  if (query == NULL)
    return g_strdup (dsn);

  out = g_string_new_len (dsn, query - dsn);
  params = g_strsplit (query + 1, "&", -1);
  for (guint i = 0; params[i] != NULL; i++)
    {
      g_autofree char *key = g_uri_unescape_segment (params[i], strchr (params[i], '='), NULL);

      if (params[i][0] == '\0' || (key != NULL && _pgqrs_config_is_option (key)))
        continue;
      g_string_append_c (out, first ? '?' : '&');
      g_string_append (out, params[i]);
      first = FALSE;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The keywords of libpq's secrets. */
static gboolean
is_secret_keyword (const char *keyword)
{
  return g_str_equal (keyword, "password") || g_str_equal (keyword, "sslpassword");
}

/* libpq's own reading of a PostgreSQL DSN: its password and sslpassword,
 * added to @secrets.  Returns FALSE when libpq finds a secret that
 * @secrets lacks, which means it reads the DSN differently. */
gboolean
_pgqrs_postgres_add_dsn_secrets (const char *dsn,
                                 GPtrArray  *secrets)
{
  g_autofree char *conninfo = libpq_part (dsn);
  PQconninfoOption *options = PQconninfoParse (conninfo, NULL);
  gboolean agrees = TRUE;

  /* Unparsable: libpq will refuse it, and its message is redacted with
   * what was found without it. */
  if (options == NULL)
    return TRUE;

  for (PQconninfoOption *option = options; option->keyword != NULL; option++)
    if (option->val != NULL && option->val[0] != '\0' && is_secret_keyword (option->keyword))
      {
        agrees &= g_ptr_array_find_with_equal_func (secrets, option->val, g_str_equal, NULL);
        g_ptr_array_add (secrets, g_strdup (option->val));
      }
  PQconninfoFree (options);

  return agrees;
}

/* libpq enforces connect_timeout only in its blocking calls, so the
 * nonblocking connect keeps its own, and a default: a host that drops
 * packets must not leave a caller waiting for the kernel's TCP timeout. */
#define DEFAULT_CONNECT_TIMEOUT 30

/* Addresses tried per host name; libpq tries every one of them in order. */
#define MAX_ADDRESSES_PER_HOST 8

/* Keepalive probes sent before the kernel gives up on a peer. */
#define KEEPALIVE_PROBES 3

struct _PgqrsPostgresConnectInfo
{
  char      *dsn;              /* redacted, for messages */
  GPtrArray *keywords;         /* NULL-terminated, as PQconnectStartParams wants */
  GPtrArray *values;
  GPtrArray *secrets;          /* what must never be shown: the password, raw and decoded */
  guint      connect_timeout;  /* seconds */
  gboolean   connect_bounded;  /* connect_timeout is the call bound's */
  guint      call_timeout_ms;  /* a query unanswered this long loses its connection */
};

struct _PgqrsPostgresConnection
{
  PGconn                   *pg;
  PgqrsPostgresConnectInfo *info;
  GHashTable               *prepared;   /* names of the statements prepared on it */
  gboolean                  broken;
  gboolean                  busy;
};

/* --- connect info -------------------------------------------------------- */

static void
add_secret (GPtrArray  *secrets,
            const char *text,
            gsize       len)
{
  if (text != NULL && len > 0)
    g_ptr_array_add (secrets, g_strndup (text, len));
}

static void        add_option  (PgqrsPostgresConnectInfo *info,
                                const char               *keyword,
                                const char               *value);
static const char *find_option (PgqrsPostgresConnectInfo *info,
                                const char               *keyword);

/* Dead peers are found by the kernel too, unless the DSN says otherwise:
 * keepalives on an idle connection, and tcp_user_timeout for data the
 * peer never acknowledges.  Both within about the call bound. */
static void
add_keepalive_options (PgqrsPostgresConnectInfo *info)
{
  guint idle = MAX (info->call_timeout_ms / 3000, 1);
  guint interval = MAX (info->call_timeout_ms / (3000 * KEEPALIVE_PROBES), 1);
  g_autofree char *idle_text = g_strdup_printf ("%u", idle);
  g_autofree char *interval_text = g_strdup_printf ("%u", interval);
  g_autofree char *count_text = g_strdup_printf ("%u", KEEPALIVE_PROBES);
  g_autofree char *user_timeout_text = g_strdup_printf ("%u", info->call_timeout_ms);

  if (find_option (info, "keepalives") == NULL)
    add_option (info, "keepalives", "1");
  if (find_option (info, "keepalives_idle") == NULL)
    add_option (info, "keepalives_idle", idle_text);
  if (find_option (info, "keepalives_interval") == NULL)
    add_option (info, "keepalives_interval", interval_text);
  if (find_option (info, "keepalives_count") == NULL)
    add_option (info, "keepalives_count", count_text);
  if (find_option (info, "tcp_user_timeout") == NULL)
    add_option (info, "tcp_user_timeout", user_timeout_text);
}

static void
connect_info_clear (gpointer data)
{
  PgqrsPostgresConnectInfo *info = data;

  g_free (info->dsn);
  g_ptr_array_unref (info->keywords);
  g_ptr_array_unref (info->values);
  g_ptr_array_unref (info->secrets);
}

static void
add_option (PgqrsPostgresConnectInfo *info,
            const char               *keyword,
            const char               *value)
{
  /* keep the NULL terminators last */
  g_ptr_array_insert (info->keywords, info->keywords->len - 1, g_strdup (keyword));
  g_ptr_array_insert (info->values, info->values->len - 1, g_strdup (value));
}

static const char *
find_option (PgqrsPostgresConnectInfo *info,
             const char               *keyword)
{
  for (guint i = 0; i + 1 < info->keywords->len; i++)
    if (g_str_equal (g_ptr_array_index (info->keywords, i), keyword))
      return g_ptr_array_index (info->values, i);

  return NULL;
}

PgqrsPostgresConnectInfo *
_pgqrs_postgres_connect_info_new (const char  *conninfo,
                                  const char  *dsn,
                                  double       call_timeout,
                                  GError     **error)
{
  g_autoptr(PgqrsPostgresConnectInfo) info = g_atomic_rc_box_new0 (PgqrsPostgresConnectInfo);
  g_auto(GStrv) secrets = NULL;
  PQconninfoOption *options;
  char *errmsg = NULL;

  info->dsn = g_strdup (dsn);
  info->keywords = g_ptr_array_new_with_free_func (g_free);
  info->values = g_ptr_array_new_with_free_func (g_free);
  info->secrets = g_ptr_array_new_with_free_func (g_free);
  info->connect_timeout = DEFAULT_CONNECT_TIMEOUT;
  info->call_timeout_ms = MAX (1, (guint)(call_timeout * 1000));
  g_ptr_array_add (info->keywords, NULL);
  g_ptr_array_add (info->values, NULL);

  /* A connection made for a call is part of it: a server that accepts
   * the socket and never answers must not hold the call longer than the
   * bound.  libpq's own minimum is 2 s. */
  info->connect_timeout = CLAMP ((info->call_timeout_ms + 999) / 1000, 2, DEFAULT_CONNECT_TIMEOUT);
  info->connect_bounded = TRUE;

  /* The same secrets the configuration hides in the DSN it shows, libpq's
   * reading of them included, longest first. */
  secrets = _pgqrs_config_dsn_secrets (conninfo);
  for (guint i = 0; secrets[i] != NULL; i++)
    add_secret (info->secrets, secrets[i], strlen (secrets[i]));

  if (!(options = PQconninfoParse (conninfo, &errmsg)))
    {
      g_autofree char *text = _pgqrs_postgres_connect_info_redact (info, errmsg ? errmsg
                                                                           : "out of memory");

      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                   _("Invalid PostgreSQL connection options in “%s”: %s"), dsn, g_strstrip (text));
      PQfreemem (errmsg);
      return NULL;
    }

  for (PQconninfoOption *option = options; option->keyword != NULL; option++)
    {
      if (option->val == NULL)
        continue;

      /* Payloads and names are UTF-8 whatever the server's encoding. */
      if (g_str_equal (option->keyword, "client_encoding"))
        continue;

      if (g_str_equal (option->keyword, "connect_timeout"))
        {
          guint64 seconds;

          if (g_ascii_string_to_unsigned (option->val, 10, 0, G_MAXINT, &seconds, NULL))
            {
              info->connect_timeout = seconds == 0 ? DEFAULT_CONNECT_TIMEOUT : MAX (seconds, 2);
              info->connect_bounded = FALSE;
            }
        }

      add_option (info, option->keyword, option->val);
    }
  PQconninfoFree (options);

  add_option (info, "client_encoding", "UTF8");
  if (find_option (info, "fallback_application_name") == NULL)
    add_option (info, "fallback_application_name", "pgqrs");
  add_keepalive_options (info);

  return g_steal_pointer (&info);
}

PgqrsPostgresConnectInfo *
_pgqrs_postgres_connect_info_ref (PgqrsPostgresConnectInfo *info)
{
  return g_atomic_rc_box_acquire (info);
}

void
_pgqrs_postgres_connect_info_unref (PgqrsPostgresConnectInfo *info)
{
  g_atomic_rc_box_release_full (info, connect_info_clear);
}

const char *
_pgqrs_postgres_connect_info_get_dsn (PgqrsPostgresConnectInfo *info)
{
  return info->dsn;
}

char *
_pgqrs_postgres_connect_info_redact (PgqrsPostgresConnectInfo *info,
                                     const char               *text)
{
  g_autoptr(GString) out = g_string_new (text);

  for (guint i = 0; i < info->secrets->len; i++)
    g_string_replace (out, g_ptr_array_index (info->secrets, i), "***", 0);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* --- the connection ------------------------------------------------------- */

static void
notice_processor (void       *arg,
                  const char *message)
{
  /* Notices such as "schema … already exists, skipping" are expected;
   * libpq would print them on stderr. */
  g_debug ("PostgreSQL: %s", message);
}

void
_pgqrs_postgres_connection_free (PgqrsPostgresConnection *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->pg, PQfinish);
  g_clear_pointer (&self->prepared, g_hash_table_unref);
  g_clear_pointer (&self->info, _pgqrs_postgres_connect_info_unref);
  g_free (self);
}

gboolean
_pgqrs_postgres_connection_is_broken (PgqrsPostgresConnection *self)
{
  return self->broken || PQstatus (self->pg) != CONNECTION_OK;
}

void
_pgqrs_postgres_connection_set_broken (PgqrsPostgresConnection *self)
{
  self->broken = TRUE;
}

gboolean
_pgqrs_postgres_connection_check_idle (PgqrsPostgresConnection *self)
{
  struct pollfd pfd = { .fd = PQsocket (self->pg), .events = POLLIN };

  if (_pgqrs_postgres_connection_is_broken (self) || pfd.fd < 0 ||
      PQtransactionStatus (self->pg) != PQTRANS_IDLE)
    return FALSE;

  /* Nothing is owed to an idle connection that does not LISTEN: anything
   * readable is the server going away (a FATAL message, then EOF). */
  if (poll (&pfd, 1, 0) != 0)
    {
      self->broken = TRUE;
      return FALSE;
    }

  return TRUE;
}

PGconn *
_pgqrs_postgres_connection_get_pg (PgqrsPostgresConnection *self)
{
  return self->pg;
}

PgqrsPostgresConnectInfo *
_pgqrs_postgres_connection_get_info (PgqrsPostgresConnection *self)
{
  return self->info;
}

static char *
one_line (char *text)
{
  g_autoptr(GString) out = g_string_new (g_strstrip (text));

  g_string_replace (out, "\n\t", " ", 0);
  g_string_replace (out, "\n", "; ", 0);
  g_free (text);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
info_error_text (PgqrsPostgresConnectInfo *info,
                 const char               *message)
{
  return one_line (_pgqrs_postgres_connect_info_redact (info, message ? message : ""));
}

char *
_pgqrs_postgres_connection_error_text (PgqrsPostgresConnection *self,
                                       const char              *message)
{
  return info_error_text (self->info, message ? message : PQerrorMessage (self->pg));
}

/* --- connecting ----------------------------------------------------------- */

typedef struct
{
  PgqrsPostgresConnectInfo *info;
  GMainContext             *context;
  PGconn                   *pg;
  int                       fd;
  GSource                  *socket_source;
  GSource                  *timeout_source;
  GSource                  *cancel_source;

  /* host names resolved before libpq sees them: its own lookup blocks */
  GResolver                *resolver;
  char                    **hosts;
  char                    **ports;
  guint                     next_host;
  GPtrArray                *host_entries;
  GPtrArray                *hostaddr_entries;
  GPtrArray                *port_entries;
  char                     *resolve_error;
} ConnectData;

static void
destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
connect_data_free (ConnectData *data)
{
  destroy_source (&data->socket_source);
  destroy_source (&data->timeout_source);
  destroy_source (&data->cancel_source);
  g_clear_pointer (&data->pg, PQfinish);
  g_clear_object (&data->resolver);
  g_clear_pointer (&data->hosts, g_strfreev);
  g_clear_pointer (&data->ports, g_strfreev);
  g_clear_pointer (&data->host_entries, g_ptr_array_unref);
  g_clear_pointer (&data->hostaddr_entries, g_ptr_array_unref);
  g_clear_pointer (&data->port_entries, g_ptr_array_unref);
  g_free (data->resolve_error);
  g_main_context_unref (data->context);
  _pgqrs_postgres_connect_info_unref (data->info);
  g_free (data);
}

static void
connect_failed (GTask      *task,
                const char *message)
{
  ConnectData *data = g_task_get_task_data (task);
  g_autofree char *text = info_error_text (data->info, message);

  destroy_source (&data->socket_source);
  destroy_source (&data->timeout_source);
  destroy_source (&data->cancel_source);
  g_task_return_new_error (task, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                           _("Cannot connect to %s: %s"), data->info->dsn, text);
  g_object_unref (task);
}

static void
connect_succeeded (GTask *task)
{
  ConnectData *data = g_task_get_task_data (task);
  PgqrsPostgresConnection *conn;

  destroy_source (&data->socket_source);
  destroy_source (&data->timeout_source);
  destroy_source (&data->cancel_source);

  if (PQsetnonblocking (data->pg, 1) != 0)
    {
      connect_failed (task, PQerrorMessage (data->pg));
      return;
    }
  PQsetNoticeProcessor (data->pg, notice_processor, NULL);

  conn = g_new0 (PgqrsPostgresConnection, 1);
  conn->pg = g_steal_pointer (&data->pg);
  conn->info = _pgqrs_postgres_connect_info_ref (data->info);
  conn->prepared = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_task_return_pointer (task, conn, (GDestroyNotify)_pgqrs_postgres_connection_free);
  g_object_unref (task);
}

static gboolean
connect_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  g_autofree char *message = data->info->connect_bounded
    ? g_strdup_printf (_("no answer within %u seconds (the call-timeout)"), data->info->connect_timeout)
    : g_strdup_printf (_("timed out after %u seconds (connect_timeout)"), data->info->connect_timeout);

  g_clear_pointer (&data->timeout_source, g_source_unref);
  connect_failed (task, message);

  return G_SOURCE_REMOVE;
}

/* Each host of a list gets its own socket and its own time to answer, as
 * with libpq's blocking connect. */
static void
restart_connect_timeout (GTask *task)
{
  ConnectData *data = g_task_get_task_data (task);

  destroy_source (&data->timeout_source);
  data->timeout_source = g_timeout_source_new_seconds (data->info->connect_timeout);
  g_source_set_static_name (data->timeout_source, "[pgqrs] PostgreSQL connect timeout");
  g_source_set_callback (data->timeout_source, connect_timeout_cb, task, NULL);
  g_source_attach (data->timeout_source, data->context);
}

static void
connect_continue (GTask                     *task,
                  PostgresPollingStatusType  status)
{
  ConnectData *data = g_task_get_task_data (task);
  int fd;

  switch (status)
    {
    case PGRES_POLLING_OK:
      connect_succeeded (task);
      return;

    case PGRES_POLLING_FAILED:
      connect_failed (task, PQerrorMessage (data->pg));
      return;

    case PGRES_POLLING_READING:
    case PGRES_POLLING_WRITING:
    case PGRES_POLLING_ACTIVE:
    default:
      break;
    }

  /* libpq may have moved on to another socket: the next host, or a retry
   * without SSL. */
  fd = PQsocket (data->pg);
  if (fd < 0)
    {
      connect_failed (task, PQerrorMessage (data->pg));
      return;
    }
  if (fd != data->fd)
    {
      data->fd = fd;
      restart_connect_timeout (task);
    }

  _pgqrs_postgres_socket_source_watch (data->socket_source, fd,
                                       status == PGRES_POLLING_READING ? G_IO_IN : G_IO_OUT);
}

static gboolean
connect_socket_cb (GIOCondition revents,
                   gpointer     user_data)
{
  GTask *task = user_data;
  ConnectData *data = g_task_get_task_data (task);

  /* An error or hang-up is for PQconnectPoll to read and report. */
  connect_continue (task, PQconnectPoll (data->pg));

  return G_SOURCE_CONTINUE;
}

static gboolean
connect_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  GTask *task = user_data;
  ConnectData *data = g_task_get_task_data (task);

  destroy_source (&data->socket_source);
  destroy_source (&data->timeout_source);
  g_clear_pointer (&data->cancel_source, g_source_unref);
  g_task_return_error_if_cancelled (task);
  g_object_unref (task);

  return G_SOURCE_REMOVE;
}

static void
start_connect (GTask *task)
{
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) keywords = g_ptr_array_new ();
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  PgqrsPostgresConnectInfo *info = data->info;

  for (guint i = 0; i + 1 < info->keywords->len; i++)
    {
      const char *keyword = g_ptr_array_index (info->keywords, i);

      /* replaced by the resolved lists below */
      if (data->host_entries != NULL &&
          (g_str_equal (keyword, "host") || g_str_equal (keyword, "hostaddr") ||
           (data->ports != NULL && g_str_equal (keyword, "port"))))
        continue;

      g_ptr_array_add (keywords, (char *)keyword);
      g_ptr_array_add (values, g_strdup (g_ptr_array_index (info->values, i)));
    }

  if (data->host_entries != NULL)
    {
      g_ptr_array_add (data->host_entries, NULL);
      g_ptr_array_add (data->hostaddr_entries, NULL);
      g_ptr_array_add (keywords, (char *)"host");
      g_ptr_array_add (values, g_strjoinv (",", (char **)data->host_entries->pdata));
      g_ptr_array_add (keywords, (char *)"hostaddr");
      g_ptr_array_add (values, g_strjoinv (",", (char **)data->hostaddr_entries->pdata));
      if (data->ports != NULL)
        {
          g_ptr_array_add (data->port_entries, NULL);
          g_ptr_array_add (keywords, (char *)"port");
          g_ptr_array_add (values, g_strjoinv (",", (char **)data->port_entries->pdata));
        }
    }

  g_ptr_array_add (keywords, NULL);
  g_ptr_array_add (values, NULL);

  data->pg = PQconnectStartParams ((const char * const *)keywords->pdata,
                                   (const char * const *)values->pdata, 0);
  if (data->pg == NULL)
    {
      connect_failed (task, "out of memory");
      return;
    }
  if (PQstatus (data->pg) == CONNECTION_BAD)
    {
      connect_failed (task, PQerrorMessage (data->pg));
      return;
    }

  data->socket_source = _pgqrs_postgres_socket_source_new ();
  g_source_set_callback (data->socket_source, (GSourceFunc)(void (*) (void))connect_socket_cb,
                         task, NULL);
  g_source_attach (data->socket_source, data->context);

  /* As if PQconnectPoll had answered "writing", which is where libpq
   * starts. */
  connect_continue (task, PGRES_POLLING_WRITING);
}

static gboolean
is_host_name (const char *host)
{
  return host[0] != '\0' && host[0] != '/' && host[0] != '@' &&
         !g_hostname_is_ip_address (host);
}

static void resolve_next_host (GTask *task);

static const char *
port_for_host (ConnectData *data,
               guint        i)
{
  if (data->ports == NULL)
    return NULL;

  return data->ports[g_strv_length (data->ports) == 1 ? 0 : i];
}

static void
add_host_entry (ConnectData *data,
                const char  *host,
                const char  *hostaddr,
                const char  *port)
{
  g_ptr_array_add (data->host_entries, g_strdup (host));
  g_ptr_array_add (data->hostaddr_entries, g_strdup (hostaddr));
  if (data->ports != NULL)
    g_ptr_array_add (data->port_entries, g_strdup (port));
}

static void
resolved_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  guint i = data->next_host - 1;
  g_autoptr(GError) error = NULL;
  GList *addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (object), result, &error);

  if (g_task_had_error (task))
    {
      g_resolver_free_addresses (addresses);
      g_object_unref (task);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      destroy_source (&data->cancel_source);
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);      /* the operation's reference */
      g_object_unref (task);      /* the lookup's */
      return;
    }

  if (addresses == NULL)
    {
      if (data->resolve_error == NULL)
        data->resolve_error = g_strdup_printf (_("cannot resolve “%s”: %s"),
                                               data->hosts[i], error->message);
    }
  else
    {
      guint n = 0;

      for (GList *l = addresses; l != NULL && n < MAX_ADDRESSES_PER_HOST; l = l->next, n++)
        {
          g_autofree char *address = g_inet_address_to_string (l->data);

          add_host_entry (data, data->hosts[i], address, port_for_host (data, i));
        }
      g_resolver_free_addresses (addresses);
    }

  resolve_next_host (task);
  g_object_unref (task);
}

static void
resolve_next_host (GTask *task)
{
  ConnectData *data = g_task_get_task_data (task);

  while (data->hosts[data->next_host] != NULL)
    {
      guint i = data->next_host++;

      if (is_host_name (data->hosts[i]))
        {
          g_resolver_lookup_by_name_async (data->resolver, data->hosts[i],
                                           g_task_get_cancellable (task),
                                           resolved_cb, g_object_ref (task));
          return;
        }

      add_host_entry (data, data->hosts[i], "", port_for_host (data, i));
    }

  if (data->host_entries->len == 0)
    {
      connect_failed (task, data->resolve_error);
      return;
    }

  start_connect (task);
}

/* Looks up the host names of the DSN without blocking (libpq would call
 * getaddrinfo() inside PQconnectPoll) and hands libpq the addresses as
 * `hostaddr`, keeping `host` for TLS verification and .pgpass. */
static gboolean
start_resolving (GTask *task)
{
  ConnectData *data = g_task_get_task_data (task);
  const char *host = find_option (data->info, "host");
  const char *hostaddr = find_option (data->info, "hostaddr");
  const char *port = find_option (data->info, "port");
  gboolean any_name = FALSE;
  guint n_hosts, n_ports;

  if (host == NULL || (hostaddr != NULL && hostaddr[0] != '\0'))
    return FALSE;

  data->hosts = g_strsplit (host, ",", -1);
  data->ports = port != NULL ? g_strsplit (port, ",", -1) : NULL;
  n_hosts = g_strv_length (data->hosts);
  n_ports = data->ports ? g_strv_length (data->ports) : 0;

  for (guint i = 0; i < n_hosts; i++)
    any_name |= is_host_name (data->hosts[i]);

  /* A list libpq will reject anyway: let it say why. */
  if (!any_name || (n_ports > 1 && n_ports != n_hosts))
    {
      g_clear_pointer (&data->hosts, g_strfreev);
      g_clear_pointer (&data->ports, g_strfreev);
      return FALSE;
    }

  data->resolver = g_resolver_get_default ();
  data->host_entries = g_ptr_array_new_with_free_func (g_free);
  data->hostaddr_entries = g_ptr_array_new_with_free_func (g_free);
  data->port_entries = g_ptr_array_new_with_free_func (g_free);
  resolve_next_host (task);

  return TRUE;
}

void
_pgqrs_postgres_connection_open_async (PgqrsPostgresConnectInfo *info,
                                       GCancellable             *cancellable,
                                       GAsyncReadyCallback       callback,
                                       gpointer                  user_data)
{
  /* The operation's own reference, dropped when it returns; its sources
   * hold none, and returning destroys them. */
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  ConnectData *data = g_new0 (ConnectData, 1);

  g_task_set_source_tag (task, _pgqrs_postgres_connection_open_async);
  data->info = _pgqrs_postgres_connect_info_ref (info);
  data->context = g_main_context_ref_thread_default ();
  data->fd = -1;
  g_task_set_task_data (task, data, (GDestroyNotify)connect_data_free);

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  if (cancellable != NULL)
    {
      data->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (data->cancel_source, (GSourceFunc)(void (*) (void))connect_cancelled_cb,
                             task, NULL);
      g_source_attach (data->cancel_source, data->context);
    }

  if (!start_resolving (task))
    start_connect (task);
}

PgqrsPostgresConnection *
_pgqrs_postgres_connection_open_finish (GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- queries -------------------------------------------------------------- */

typedef struct
{
  PgqrsPostgresConnection *conn;
  PgqrsPostgresQuery       query;
  GMainContext            *context;
  GSource                 *socket_source;
  GSource                 *cancel_source;
  GSource                 *timeout_source;
  PGresult                *result;
  gboolean                 preparing;
  gboolean                 flushing;
} QueryData;

static void
query_data_free (QueryData *data)
{
  destroy_source (&data->socket_source);
  destroy_source (&data->cancel_source);
  destroy_source (&data->timeout_source);
  g_clear_pointer (&data->result, PQclear);
  g_main_context_unref (data->context);
  g_free (data);
}

static void
query_done (GTask *task)
{
  QueryData *data = g_task_get_task_data (task);

  destroy_source (&data->socket_source);
  destroy_source (&data->cancel_source);
  destroy_source (&data->timeout_source);
  data->conn->busy = FALSE;
}

/* What both ways of waiting for a query share: how it is sent, how its
 * results are gathered and what a lost or silent connection is told. */

/* Breaks the connection and says why. */
static GError *
lost_error (PgqrsPostgresConnection *conn)
{
  g_autofree char *text = _pgqrs_postgres_connection_error_text (conn, NULL);

  conn->broken = TRUE;
  return g_error_new (PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                      _("Lost the connection to %s: %s"), conn->info->dsn, text);
}

static void send_cancel (PgqrsPostgresConnection *conn);

/* No answer within the call bound: the server is gone without a word (a
 * failover behind a virtual IP, a NAT that dropped the flow), or too slow
 * to wait for.  Either way the connection cannot be trusted with another
 * query, and the caller hears of it as a lost connection. */
static GError *
timeout_error (PgqrsPostgresConnection *conn)
{
  send_cancel (conn);
  conn->broken = TRUE;
  return g_error_new (PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                      _("No answer from %s within %.3g seconds (the call-timeout); "
                        "the connection is closed"),
                      conn->info->dsn, conn->info->call_timeout_ms / 1000.0);
}

/* Sends @query, or first the statement it names when the connection has
 * not prepared it yet (then *@preparing is set). */
static gboolean
send_command (PgqrsPostgresConnection  *conn,
              const PgqrsPostgresQuery *query,
              gboolean                 *preparing)
{
  PGconn *pg = conn->pg;

  if (query->name != NULL && !g_hash_table_contains (conn->prepared, query->name))
    {
      *preparing = TRUE;
      return PQsendPrepare (pg, query->name, query->sql, 0, NULL);
    }
  if (query->name != NULL)
    return PQsendQueryPrepared (pg, query->name, query->n_params, query->values, NULL, NULL, 0);
  if (query->n_params < 0)
    return PQsendQuery (pg, query->sql);
  return PQsendQueryParams (pg, query->sql, query->n_params, NULL, query->values,
                            NULL, NULL, 0);
}

/* Takes the results libpq has ready into *@kept: the first error wins,
 * else the first result (a script's later results are its bookkeeping).
 * Returns TRUE once all of the command's results are in. */
static gboolean
gather_results (PgqrsPostgresConnection  *conn,
                PGresult                **kept)
{
  while (!PQisBusy (conn->pg))
    {
      PGresult *result = PQgetResult (conn->pg);

      if (result == NULL)
        return TRUE;

      if (*kept == NULL ||
          (PQresultStatus (result) == PGRES_FATAL_ERROR &&
           PQresultStatus (*kept) != PGRES_FATAL_ERROR))
        {
          g_clear_pointer (kept, PQclear);
          *kept = result;
        }
      else
        PQclear (result);
    }

  return FALSE;
}

/* A statement just prepared: it is known from now on, and the query that
 * needed it is sent next. */
static gboolean
prepared_now (PgqrsPostgresConnection  *conn,
              const PgqrsPostgresQuery *query,
              PGresult                **result)
{
  if (*result == NULL || PQresultStatus (*result) != PGRES_COMMAND_OK)
    return FALSE;

  g_hash_table_add (conn->prepared, g_strdup (query->name));
  g_clear_pointer (result, PQclear);
  return TRUE;
}

static void
query_lost (GTask *task)
{
  QueryData *data = g_task_get_task_data (task);
  GError *error = lost_error (data->conn);

  query_done (task);
  g_task_return_error (task, error);
  g_object_unref (task);
}

/* Flushes what libpq holds for the server, then waits for what comes
 * back; while output remains, input is read too, or a server blocked on a
 * full socket could never take the rest. */
static gboolean
flush_and_watch (GTask *task)
{
  QueryData *data = g_task_get_task_data (task);
  int rc = PQflush (data->conn->pg);

  if (rc < 0)
    {
      query_lost (task);
      return FALSE;
    }

  data->flushing = rc > 0;
  _pgqrs_postgres_socket_source_watch (data->socket_source, PQsocket (data->conn->pg),
                                       data->flushing ? G_IO_IN | G_IO_OUT : G_IO_IN);

  return TRUE;
}

static gboolean
query_send (GTask *task)
{
  QueryData *data = g_task_get_task_data (task);

  if (!send_command (data->conn, &data->query, &data->preparing))
    {
      query_lost (task);
      return FALSE;
    }

  return flush_and_watch (task);
}

/* All results of the command are in. */
static void
query_complete (GTask *task)
{
  QueryData *data = g_task_get_task_data (task);

  if (data->preparing)
    {
      data->preparing = FALSE;

      if (prepared_now (data->conn, &data->query, &data->result))
        {
          query_send (task);
          return;
        }
    }

  query_done (task);
  g_task_return_pointer (task, g_steal_pointer (&data->result), (GDestroyNotify)PQclear);
  g_object_unref (task);
}

static gboolean
query_socket_cb (GIOCondition revents,
                 gpointer     user_data)
{
  GTask *task = user_data;
  QueryData *data = g_task_get_task_data (task);
  PGconn *pg = data->conn->pg;
  gboolean read_ok = TRUE;

  if (revents & (G_IO_IN | G_IO_ERR | G_IO_HUP))
    read_ok = PQconsumeInput (pg);

  if (read_ok && data->flushing && !flush_and_watch (task))
    return G_SOURCE_CONTINUE;

  /* Even when reading failed: a server that goes away sends why first
   * (FATAL, with its SQLSTATE), and libpq hands that over as a result. */
  if (gather_results (data->conn, &data->result))
    {
      query_complete (task);
      return G_SOURCE_CONTINUE;
    }

  if (!read_ok || PQstatus (pg) == CONNECTION_BAD)
    query_lost (task);

  return G_SOURCE_CONTINUE;
}

static gpointer
send_cancel_thread (gpointer user_data)
{
  PGcancel *cancel = user_data;
  char errbuf[256];

  PQcancel (cancel, errbuf, sizeof errbuf);
  PQfreeCancel (cancel);

  return NULL;
}

/* Asks the server to stop the statement of a connection that is being
 * dropped, from a thread of its own since PQcancel() blocks, so that it
 * does not run on holding locks until it notices the closed socket. */
static void
send_cancel (PgqrsPostgresConnection *conn)
{
  PGcancel *cancel = PQgetCancel (conn->pg);

  if (cancel != NULL)
    {
      GThread *thread = g_thread_try_new ("pgqrs-pg-cancel", send_cancel_thread, cancel, NULL);

      if (thread != NULL)
        g_thread_unref (thread);
      else
        PQfreeCancel (cancel);
    }
}

static gboolean
query_cancelled_cb (GCancellable *cancellable,
                    gpointer      user_data)
{
  GTask *task = user_data;
  QueryData *data = g_task_get_task_data (task);

  /* The connection is dropped rather than drained: the caller's context
   * may never run again to read the rest. */
  send_cancel (data->conn);

  g_clear_pointer (&data->cancel_source, g_source_unref);
  query_done (task);
  data->conn->broken = TRUE;
  g_task_return_error_if_cancelled (task);
  g_object_unref (task);

  return G_SOURCE_REMOVE;
}

static gboolean
query_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  QueryData *data = g_task_get_task_data (task);
  GError *error;

  g_clear_pointer (&data->timeout_source, g_source_unref);
  error = timeout_error (data->conn);
  query_done (task);
  g_task_return_error (task, error);
  g_object_unref (task);

  return G_SOURCE_REMOVE;
}

void
_pgqrs_postgres_connection_query_async (PgqrsPostgresConnection  *self,
                                        const PgqrsPostgresQuery *query,
                                        GCancellable             *cancellable,
                                        GAsyncReadyCallback       callback,
                                        gpointer                  user_data)
{
  /* The operation's own reference, dropped when it returns; its sources
   * hold none, and returning destroys them. */
  GTask *task;
  QueryData *data;

  g_return_if_fail (!self->busy);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, _pgqrs_postgres_connection_query_async);

  data = g_new0 (QueryData, 1);
  data->conn = self;
  data->query = *query;
  data->context = g_main_context_ref_thread_default ();
  g_task_set_task_data (task, data, (GDestroyNotify)query_data_free);

  /* Nothing was sent: the connection stays usable. */
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  if (_pgqrs_postgres_connection_is_broken (self))
    {
      g_task_return_new_error (task, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                               _("Lost the connection to %s"), self->info->dsn);
      g_object_unref (task);
      return;
    }

  self->busy = TRUE;

  data->socket_source = _pgqrs_postgres_socket_source_new ();
  g_source_set_callback (data->socket_source, (GSourceFunc)(void (*) (void))query_socket_cb,
                         task, NULL);
  g_source_attach (data->socket_source, data->context);

  if (cancellable != NULL)
    {
      data->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (data->cancel_source, (GSourceFunc)(void (*) (void))query_cancelled_cb,
                             task, NULL);
      g_source_attach (data->cancel_source, data->context);
    }

  data->timeout_source = g_timeout_source_new (self->info->call_timeout_ms);
  g_source_set_static_name (data->timeout_source, "[pgqrs] PostgreSQL call timeout");
  g_source_set_callback (data->timeout_source, query_timeout_cb, task, NULL);
  g_source_attach (data->timeout_source, data->context);

  query_send (task);
}

PGresult *
_pgqrs_postgres_connection_query_finish (PgqrsPostgresConnection  *self,
                                         GAsyncResult             *result,
                                         GError                  **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Waits on the connection's socket, and on @cancel_fd when it is set,
 * until something happens or @deadline passes, and reads what came.
 * Returns FALSE with @error when the wait ends the query. */
static gboolean
wait_and_read (PgqrsPostgresConnection  *conn,
               gboolean                  flushing,
               GPollFD                  *cancel_fd,
               GCancellable             *cancellable,
               gint64                    deadline,
               GError                  **error)
{
  GPollFD fds[2] = { { .fd = PQsocket (conn->pg), .events = G_IO_IN } };
  gint64 left = deadline - g_get_monotonic_time ();
  int n = 1;
  int rc;

  if (flushing)
    fds[0].events |= G_IO_OUT;
  if (cancel_fd != NULL)
    fds[n++] = *cancel_fd;

  /* rounded up: a wait that ends a little early only waits again */
  rc = left > 0 ? g_poll (fds, n, (int)MIN ((left + 999) / 1000, G_MAXINT)) : 0;
  if (rc < 0 && errno == EINTR)
    return TRUE;

  if (g_cancellable_is_cancelled (cancellable))
    {
      /* As in the async path: the connection is dropped, not drained. */
      send_cancel (conn);
      conn->broken = TRUE;
      g_cancellable_set_error_if_cancelled (cancellable, error);
      return FALSE;
    }

  if (rc == 0)
    {
      *error = timeout_error (conn);
      return FALSE;
    }

  if ((fds[0].revents & (G_IO_IN | G_IO_ERR | G_IO_HUP)) && !PQconsumeInput (conn->pg))
    conn->broken = TRUE;

  return TRUE;
}

PGresult *
_pgqrs_postgres_connection_query_sync (PgqrsPostgresConnection   *self,
                                       const PgqrsPostgresQuery  *query,
                                       GCancellable              *cancellable,
                                       GError                   **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)self->info->call_timeout_ms * 1000;
  PGresult *result = NULL;
  GError *local = NULL;
  gboolean preparing = FALSE;
  gboolean done = FALSE;
  GPollFD cancel_fd;
  gboolean has_cancel_fd;
  gboolean sent;
  int flushed;

  g_return_val_if_fail (!self->busy, NULL);

  /* Nothing was sent: the connection stays usable. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (_pgqrs_postgres_connection_is_broken (self))
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                   _("Lost the connection to %s"), self->info->dsn);
      return NULL;
    }

  self->busy = TRUE;
  has_cancel_fd = g_cancellable_make_pollfd (cancellable, &cancel_fd);

  sent = send_command (self, query, &preparing);
  while (sent && (flushed = PQflush (self->pg)) >= 0)
    {
      /* Even when reading failed: a server that goes away sends why
       * first (FATAL, with its SQLSTATE), and libpq hands that over as a
       * result. */
      if (gather_results (self, &result))
        {
          if (preparing && prepared_now (self, query, &result))
            {
              preparing = FALSE;
              sent = send_command (self, query, &preparing);
              continue;
            }
          done = TRUE;
          break;
        }

      if (self->broken || PQstatus (self->pg) == CONNECTION_BAD)
        break;

      if (!wait_and_read (self, flushed > 0, has_cancel_fd ? &cancel_fd : NULL,
                          cancellable, deadline, &local))
        break;
    }

  if (has_cancel_fd)
    g_cancellable_release_fd (cancellable);
  self->busy = FALSE;

  if (!done)
    {
      g_clear_pointer (&result, PQclear);
      if (local == NULL)
        local = lost_error (self);
      g_propagate_error (error, local);
    }

  return result;
}
