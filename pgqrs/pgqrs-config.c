/* pgqrs-config.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "pgqrs-backend-module-private.h"
#include "pgqrs-config-private.h"
#include "pgqrs-enums.h"
#include "pgqrs-error-private.h"
#include "pgqrs-validation-private.h"

/**
 * PgqrsConfig:
 *
 * Every setting of a [class@Store], as GObject properties.
 *
 * A configuration is made from a DSN with [ctor@Config.new_from_dsn]. The
 * DSN names the database:
 *
 * - `sqlite:///absolute/path.db`, `sqlite://relative/path.db` or
 *   `sqlite::memory:` for SQLite,
 * - `postgresql://user@host:port/dbname` (or `postgres://`) for PostgreSQL,
 * - `turso://…` for Turso/libSQL.
 *
 * Each writable property is an option. Its value comes, from the weakest to
 * the strongest, from the default, from an environment variable named
 * `PGQRS_` followed by the property name in upper case with underscores
 * (`PGQRS_VISIBILITY_TIMEOUT`), and from the DSN's query string
 * (`sqlite:///jobs.db?visibility_timeout=60&max_read_count=3`; dashes and
 * underscores are alike). Properties can also be set afterwards, before the
 * configuration is handed to a store.
 *
 * Query parameters of a PostgreSQL DSN that are not pgqrs options are handed
 * to libpq unchanged (`sslmode`, `connect_timeout`, `application_name`, …).
 *
 * The [property@Config:dsn] property never shows a password.
 *
 * Since: 1.0
 */

struct _PgqrsConfig
{
  GObject           parent_instance;

  char             *dsn;            /* redacted */
  PgqrsBackendKind  backend_kind;
  char             *sqlite_path;
  gboolean          sqlite_in_memory;
  char             *conninfo;       /* what the backend connects with */

  char             *schema;
  guint             max_connections;
  double            visibility_timeout;
  guint             max_read_count;
  double            poll_interval;
  double            heartbeat_interval;
  guint             max_payload_bytes;
  guint             max_depth;
  guint             max_string_bytes;
  guint             max_key_bytes;
  char            **required_keys;
  char            **forbidden_keys;
  double            enqueue_rate_limit;
  guint             enqueue_burst;
  guint             busy_timeout;
  gboolean          prepared_statements;
  double            call_timeout;
};

G_DEFINE_FINAL_TYPE (PgqrsConfig, pgqrs_config, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DSN,
  PROP_BACKEND_KIND,
  PROP_SCHEMA,
  PROP_MAX_CONNECTIONS,
  PROP_VISIBILITY_TIMEOUT,
  PROP_MAX_READ_COUNT,
  PROP_POLL_INTERVAL,
  PROP_HEARTBEAT_INTERVAL,
  PROP_MAX_PAYLOAD_BYTES,
  PROP_MAX_DEPTH,
  PROP_MAX_STRING_BYTES,
  PROP_MAX_KEY_BYTES,
  PROP_REQUIRED_KEYS,
  PROP_FORBIDDEN_KEYS,
  PROP_ENQUEUE_RATE_LIMIT,
  PROP_ENQUEUE_BURST,
  PROP_BUSY_TIMEOUT,
  PROP_PREPARED_STATEMENTS,
  PROP_CALL_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define DEFAULT_SCHEMA             "public"
#define DEFAULT_MAX_CONNECTIONS    10
#define DEFAULT_VISIBILITY_TIMEOUT 30.0
#define DEFAULT_MAX_READ_COUNT     5
#define DEFAULT_POLL_INTERVAL      1.0
#define DEFAULT_HEARTBEAT_INTERVAL 5.0
#define DEFAULT_MAX_PAYLOAD_BYTES  (1024 * 1024)
#define DEFAULT_MAX_DEPTH          32
#define DEFAULT_MAX_STRING_BYTES   (1024 * 1024)
#define DEFAULT_MAX_KEY_BYTES      256
#define DEFAULT_BUSY_TIMEOUT       10000
/* Without a call-timeout of its own, a call may take this many heartbeat
 * intervals: a worker whose calls hang is then seen stale by others about
 * when it gives up on the connection itself. */
#define CALL_BOUND_HEARTBEATS      3

static void
pgqrs_config_finalize (GObject *object)
{
  PgqrsConfig *self = (PgqrsConfig *)object;

  g_clear_pointer (&self->dsn, g_free);
  g_clear_pointer (&self->sqlite_path, g_free);
  g_clear_pointer (&self->conninfo, g_free);
  g_clear_pointer (&self->schema, g_free);
  g_clear_pointer (&self->required_keys, g_strfreev);
  g_clear_pointer (&self->forbidden_keys, g_strfreev);

  G_OBJECT_CLASS (pgqrs_config_parent_class)->finalize (object);
}

static void
pgqrs_config_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PgqrsConfig *self = PGQRS_CONFIG (object);

  switch (prop_id)
    {
    case PROP_DSN:
      g_value_set_string (value, self->dsn);
      break;
    case PROP_BACKEND_KIND:
      g_value_set_enum (value, self->backend_kind);
      break;
    case PROP_SCHEMA:
      g_value_set_string (value, self->schema);
      break;
    case PROP_MAX_CONNECTIONS:
      g_value_set_uint (value, self->max_connections);
      break;
    case PROP_VISIBILITY_TIMEOUT:
      g_value_set_double (value, self->visibility_timeout);
      break;
    case PROP_MAX_READ_COUNT:
      g_value_set_uint (value, self->max_read_count);
      break;
    case PROP_POLL_INTERVAL:
      g_value_set_double (value, self->poll_interval);
      break;
    case PROP_HEARTBEAT_INTERVAL:
      g_value_set_double (value, self->heartbeat_interval);
      break;
    case PROP_MAX_PAYLOAD_BYTES:
      g_value_set_uint (value, self->max_payload_bytes);
      break;
    case PROP_MAX_DEPTH:
      g_value_set_uint (value, self->max_depth);
      break;
    case PROP_MAX_STRING_BYTES:
      g_value_set_uint (value, self->max_string_bytes);
      break;
    case PROP_MAX_KEY_BYTES:
      g_value_set_uint (value, self->max_key_bytes);
      break;
    case PROP_REQUIRED_KEYS:
      g_value_set_boxed (value, self->required_keys);
      break;
    case PROP_FORBIDDEN_KEYS:
      g_value_set_boxed (value, self->forbidden_keys);
      break;
    case PROP_ENQUEUE_RATE_LIMIT:
      g_value_set_double (value, self->enqueue_rate_limit);
      break;
    case PROP_ENQUEUE_BURST:
      g_value_set_uint (value, self->enqueue_burst);
      break;
    case PROP_BUSY_TIMEOUT:
      g_value_set_uint (value, self->busy_timeout);
      break;
    case PROP_PREPARED_STATEMENTS:
      g_value_set_boolean (value, self->prepared_statements);
      break;
    case PROP_CALL_TIMEOUT:
      g_value_set_double (value, self->call_timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_boolean (PgqrsConfig  *self,
             gboolean     *field,
             const GValue *value,
             GParamSpec   *pspec)
{
  gboolean v = g_value_get_boolean (value);

  if (*field != v)
    {
      *field = v;
      g_object_notify_by_pspec (G_OBJECT (self), pspec);
    }
}

static void
set_uint (PgqrsConfig  *self,
          guint        *field,
          const GValue *value,
          GParamSpec   *pspec)
{
  guint v = g_value_get_uint (value);

  if (*field != v)
    {
      *field = v;
      g_object_notify_by_pspec (G_OBJECT (self), pspec);
    }
}

static void
set_double (PgqrsConfig  *self,
            double       *field,
            const GValue *value,
            GParamSpec   *pspec)
{
  double v = g_value_get_double (value);

  if (*field != v)
    {
      *field = v;
      g_object_notify_by_pspec (G_OBJECT (self), pspec);
    }
}

static void
set_strv (PgqrsConfig   *self,
          char        ***field,
          const GValue  *value,
          GParamSpec    *pspec)
{
  const char * const *v = g_value_get_boxed (value);
  const char * const empty[] = { NULL };

  if (v == NULL)
    v = empty;

  if (*field == NULL || !g_strv_equal ((const char * const *)*field, v))
    {
      g_strfreev (*field);
      *field = g_strdupv ((char **)v);
      g_object_notify_by_pspec (G_OBJECT (self), pspec);
    }
}

static void
pgqrs_config_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  PgqrsConfig *self = PGQRS_CONFIG (object);

  switch (prop_id)
    {
    case PROP_SCHEMA:
      {
        const char *schema = g_value_get_string (value) ? g_value_get_string (value) : DEFAULT_SCHEMA;

        if (g_strcmp0 (self->schema, schema) != 0)
          {
            g_free (self->schema);
            self->schema = g_strdup (schema);
            g_object_notify_by_pspec (object, pspec);
          }
      }
      break;
    case PROP_MAX_CONNECTIONS:
      set_uint (self, &self->max_connections, value, pspec);
      break;
    case PROP_VISIBILITY_TIMEOUT:
      set_double (self, &self->visibility_timeout, value, pspec);
      break;
    case PROP_MAX_READ_COUNT:
      set_uint (self, &self->max_read_count, value, pspec);
      break;
    case PROP_POLL_INTERVAL:
      set_double (self, &self->poll_interval, value, pspec);
      break;
    case PROP_HEARTBEAT_INTERVAL:
      set_double (self, &self->heartbeat_interval, value, pspec);
      break;
    case PROP_MAX_PAYLOAD_BYTES:
      set_uint (self, &self->max_payload_bytes, value, pspec);
      break;
    case PROP_MAX_DEPTH:
      set_uint (self, &self->max_depth, value, pspec);
      break;
    case PROP_MAX_STRING_BYTES:
      set_uint (self, &self->max_string_bytes, value, pspec);
      break;
    case PROP_MAX_KEY_BYTES:
      set_uint (self, &self->max_key_bytes, value, pspec);
      break;
    case PROP_REQUIRED_KEYS:
      set_strv (self, &self->required_keys, value, pspec);
      break;
    case PROP_FORBIDDEN_KEYS:
      set_strv (self, &self->forbidden_keys, value, pspec);
      break;
    case PROP_ENQUEUE_RATE_LIMIT:
      set_double (self, &self->enqueue_rate_limit, value, pspec);
      break;
    case PROP_ENQUEUE_BURST:
      set_uint (self, &self->enqueue_burst, value, pspec);
      break;
    case PROP_BUSY_TIMEOUT:
      set_uint (self, &self->busy_timeout, value, pspec);
      break;
    case PROP_PREPARED_STATEMENTS:
      set_boolean (self, &self->prepared_statements, value, pspec);
      break;
    case PROP_CALL_TIMEOUT:
      set_double (self, &self->call_timeout, value, pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pgqrs_config_class_init (PgqrsConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  _pgqrs_ensure_i18n ();

  object_class->finalize = pgqrs_config_finalize;
  object_class->get_property = pgqrs_config_get_property;
  object_class->set_property = pgqrs_config_set_property;

  /**
   * PgqrsConfig:dsn:
   *
   * The DSN this configuration was made from, with any password replaced
   * by `***`.
   *
   * Since: 1.0
   */
  properties[PROP_DSN] =
    g_param_spec_string ("dsn", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * PgqrsConfig:backend-kind:
   *
   * Which database the DSN names.
   *
   * Since: 1.0
   */
  properties[PROP_BACKEND_KIND] =
    g_param_spec_enum ("backend-kind", NULL, NULL,
                       PGQRS_TYPE_BACKEND_KIND, PGQRS_BACKEND_KIND_SQLITE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * PgqrsConfig:schema:
   *
   * The PostgreSQL schema that holds the pgqrs tables: 1–63 bytes of
   * `[A-Za-z0-9_-]` starting with a letter or `_`. Table names are
   * qualified with it, so no session state is needed. SQLite ignores it.
   *
   * Since: 1.0
   */
  properties[PROP_SCHEMA] =
    g_param_spec_string ("schema", NULL, NULL, DEFAULT_SCHEMA, rw);

  /**
   * PgqrsConfig:max-connections:
   *
   * The most connections a store opens to a PostgreSQL server at once.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_CONNECTIONS] =
    g_param_spec_uint ("max-connections", NULL, NULL,
                       1, 1000, DEFAULT_MAX_CONNECTIONS, rw);

  /**
   * PgqrsConfig:visibility-timeout:
   *
   * Seconds a dequeued message stays invisible to other consumers when the
   * caller does not give a visibility timeout of its own.
   *
   * Since: 1.0
   */
  properties[PROP_VISIBILITY_TIMEOUT] =
    g_param_spec_double ("visibility-timeout", NULL, NULL,
                         0.001, 43200.0, DEFAULT_VISIBILITY_TIMEOUT, rw);

  /**
   * PgqrsConfig:max-read-count:
   *
   * How many times a message may be leased. The lease that would exceed it
   * archives the message as dead-lettered instead.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_READ_COUNT] =
    g_param_spec_uint ("max-read-count", NULL, NULL,
                       1, G_MAXINT32, DEFAULT_MAX_READ_COUNT, rw);

  /**
   * PgqrsConfig:poll-interval:
   *
   * Seconds a consumer waits for work before it looks again when no wakeup
   * arrives.
   *
   * Since: 1.0
   */
  properties[PROP_POLL_INTERVAL] =
    g_param_spec_double ("poll-interval", NULL, NULL,
                         0.001, 3600.0, DEFAULT_POLL_INTERVAL, rw);

  /**
   * PgqrsConfig:heartbeat-interval:
   *
   * Seconds between the heartbeats of a running worker.
   *
   * Since: 1.0
   */
  properties[PROP_HEARTBEAT_INTERVAL] =
    g_param_spec_double ("heartbeat-interval", NULL, NULL,
                         0.01, 3600.0, DEFAULT_HEARTBEAT_INTERVAL, rw);

  /**
   * PgqrsConfig:max-payload-bytes:
   *
   * The largest payload accepted, in bytes of compact JSON.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_PAYLOAD_BYTES] =
    g_param_spec_uint ("max-payload-bytes", NULL, NULL,
                       1, 256 * 1024 * 1024, DEFAULT_MAX_PAYLOAD_BYTES, rw);

  /**
   * PgqrsConfig:max-depth:
   *
   * The deepest nesting of arrays and objects accepted in a payload; a
   * scalar has depth 0, `[1]` has depth 1.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_DEPTH] =
    g_param_spec_uint ("max-depth", NULL, NULL,
                       1, 1024, DEFAULT_MAX_DEPTH, rw);

  /**
   * PgqrsConfig:max-string-bytes:
   *
   * The longest string value accepted anywhere in a payload, in bytes.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_STRING_BYTES] =
    g_param_spec_uint ("max-string-bytes", NULL, NULL,
                       1, G_MAXUINT32, DEFAULT_MAX_STRING_BYTES, rw);

  /**
   * PgqrsConfig:max-key-bytes:
   *
   * The longest object member name accepted anywhere in a payload, in bytes.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_KEY_BYTES] =
    g_param_spec_uint ("max-key-bytes", NULL, NULL,
                       1, G_MAXUINT32, DEFAULT_MAX_KEY_BYTES, rw);

  /**
   * PgqrsConfig:required-keys:
   *
   * Members every payload must have at its top level; a payload with
   * required keys must be an object. In a DSN or environment variable, a
   * comma-separated list.
   *
   * Since: 1.0
   */
  properties[PROP_REQUIRED_KEYS] =
    g_param_spec_boxed ("required-keys", NULL, NULL, G_TYPE_STRV, rw);

  /**
   * PgqrsConfig:forbidden-keys:
   *
   * Members no payload may have at its top level. In a DSN or environment
   * variable, a comma-separated list.
   *
   * Since: 1.0
   */
  properties[PROP_FORBIDDEN_KEYS] =
    g_param_spec_boxed ("forbidden-keys", NULL, NULL, G_TYPE_STRV, rw);

  /**
   * PgqrsConfig:enqueue-rate-limit:
   *
   * The most messages per second one store enqueues into one queue; past it
   * enqueue fails with %PGQRS_ERROR_RATE_LIMITED. Zero, the default, turns
   * the limit off.
   *
   * Since: 1.0
   */
  properties[PROP_ENQUEUE_RATE_LIMIT] =
    g_param_spec_double ("enqueue-rate-limit", NULL, NULL,
                         0.0, 1e9, 0.0, rw);

  /**
   * PgqrsConfig:enqueue-burst:
   *
   * How many messages may be enqueued at once above the rate limit. Zero
   * means one second's worth of the rate.
   *
   * Since: 1.0
   */
  properties[PROP_ENQUEUE_BURST] =
    g_param_spec_uint ("enqueue-burst", NULL, NULL,
                       0, G_MAXUINT32, 0, rw);

  /**
   * PgqrsConfig:busy-timeout:
   *
   * Milliseconds SQLite waits for another process's write to finish before
   * giving up.
   *
   * Since: 1.0
   */
  properties[PROP_BUSY_TIMEOUT] =
    g_param_spec_uint ("busy-timeout", NULL, NULL,
                       0, 3600000, DEFAULT_BUSY_TIMEOUT, rw);

  /**
   * PgqrsConfig:prepared-statements:
   *
   * Whether the PostgreSQL backend prepares its statements once per server
   * connection and keeps a connection that `LISTEN`s for enqueue wakeups.
   *
   * Turn it off (`?prepared_statements=false`) when connecting through a
   * pooler in transaction mode, such as PgBouncer with
   * `pool_mode = transaction`: each transaction may then run on a different
   * server connection, which has neither the named statements nor the
   * `LISTEN`.  Statements are then sent unnamed, and consumers wait for
   * [property@Config:poll-interval] instead of a notification.  The
   * SQLite backend ignores it.
   *
   * Since: 1.0
   */
  properties[PROP_PREPARED_STATEMENTS] =
    g_param_spec_boolean ("prepared-statements", NULL, NULL,
                          TRUE, rw);

  /**
   * PgqrsConfig:call-timeout:
   *
   * Seconds one call to a PostgreSQL server may go unanswered.  A call
   * that gets no answer within it fails with %PGQRS_ERROR_CONNECTION, and
   * its connection is closed rather than used again: a server behind a
   * connection that died silently (a failover behind a virtual IP, a NAT
   * that dropped the flow) never answers, and nothing else would tell.
   * Zero, the default, means three times
   * [property@Config:heartbeat-interval].  Connections also get TCP
   * keepalives and a `tcp_user_timeout` from it, unless the DSN sets
   * them.  Raise it for calls that are slow on purpose, such as a purge
   * of a very large queue.  The SQLite backend ignores it.
   *
   * Since: 1.0
   */
  properties[PROP_CALL_TIMEOUT] =
    g_param_spec_double ("call-timeout", NULL, NULL,
                         0.0, 86400.0, 0.0, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pgqrs_config_init (PgqrsConfig *self)
{
  self->schema = g_strdup (DEFAULT_SCHEMA);
  self->max_connections = DEFAULT_MAX_CONNECTIONS;
  self->visibility_timeout = DEFAULT_VISIBILITY_TIMEOUT;
  self->max_read_count = DEFAULT_MAX_READ_COUNT;
  self->poll_interval = DEFAULT_POLL_INTERVAL;
  self->heartbeat_interval = DEFAULT_HEARTBEAT_INTERVAL;
  self->max_payload_bytes = DEFAULT_MAX_PAYLOAD_BYTES;
  self->max_depth = DEFAULT_MAX_DEPTH;
  self->max_string_bytes = DEFAULT_MAX_STRING_BYTES;
  self->max_key_bytes = DEFAULT_MAX_KEY_BYTES;
  self->required_keys = g_new0 (char *, 1);
  self->forbidden_keys = g_new0 (char *, 1);
  self->busy_timeout = DEFAULT_BUSY_TIMEOUT;
  self->prepared_statements = TRUE;
}

/* Options are the writable properties; DSN keys and environment variables
 * may spell them with underscores. */
static GParamSpec *
find_option_in_class (GObjectClass *klass,
                      const char   *key)
{
  g_autofree char *name = g_ascii_strdown (key, -1);
  GParamSpec *pspec;

  g_strdelimit (name, "_", '-');
  pspec = g_object_class_find_property (klass, name);

  if (pspec == NULL || !(pspec->flags & G_PARAM_WRITABLE))
    return NULL;

  return pspec;
}

/**
 * _pgqrs_config_is_option:
 * @key: a key of a DSN's query
 *
 * Whether @key is a pgqrs option rather than a parameter of the database's
 * client library, for a backend that hands the DSN to that library.
 *
 * Returns: %TRUE for a pgqrs option
 */
gboolean
_pgqrs_config_is_option (const char *key)
{
  g_autoptr(GTypeClass) klass = g_type_class_ref (PGQRS_TYPE_CONFIG);

  return find_option_in_class (G_OBJECT_CLASS (klass), key) != NULL;
}

static GParamSpec *
find_option (PgqrsConfig *self,
             const char  *key)
{
  return find_option_in_class (G_OBJECT_GET_CLASS (self), key);
}

/* Numbers are written in decimal digits only: strtod() and friends would
 * also take hexadecimal ("0x10"), exponents, "inf", and leading blanks
 * (a "%20" in a DSN). */
static gboolean
is_decimal (const char *value,
            gboolean    fraction)
{
  const char *p = value;

  while (g_ascii_isdigit (*p))
    p++;
  if (p == value)
    return FALSE;
  if (fraction && *p == '.')
    {
      const char *digits = ++p;

      while (g_ascii_isdigit (*p))
        p++;
      if (p == digits)
        return FALSE;
    }

  return *p == '\0';
}

static gboolean
parse_option_value (GParamSpec  *pspec,
                    const char  *value,
                    GValue      *out,
                    GError     **error)
{
  GType type = G_PARAM_SPEC_VALUE_TYPE (pspec);

  g_value_init (out, type);

  if (type == G_TYPE_STRING)
    {
      g_value_set_string (out, value);
    }
  else if (type == G_TYPE_UINT)
    {
      guint64 v;

      if (!is_decimal (value, FALSE) ||
          !g_ascii_string_to_unsigned (value, 10,
                                       G_PARAM_SPEC_UINT (pspec)->minimum,
                                       G_PARAM_SPEC_UINT (pspec)->maximum,
                                       &v, NULL))
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                       _("Option “%s” must be a whole number from %u to %u, not “%s”"),
                       pspec->name,
                       G_PARAM_SPEC_UINT (pspec)->minimum,
                       G_PARAM_SPEC_UINT (pspec)->maximum,
                       value);
          return FALSE;
        }
      g_value_set_uint (out, (guint)v);
    }
  else if (type == G_TYPE_DOUBLE)
    {
      GParamSpecDouble *dspec = G_PARAM_SPEC_DOUBLE (pspec);
      char *end = NULL;
      double v;

      errno = 0;
      v = g_ascii_strtod (value, &end);
      if (!is_decimal (value, TRUE) || errno != 0 || end == value || *end != '\0' ||
          !(v >= dspec->minimum && v <= dspec->maximum))
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                       _("Option “%s” must be a decimal number from %g to %g, not “%s”"),
                       pspec->name, dspec->minimum, dspec->maximum, value);
          return FALSE;
        }
      g_value_set_double (out, v);
    }
  else if (type == G_TYPE_BOOLEAN)
    {
      g_autofree char *lower = g_ascii_strdown (value, -1);

      if (g_str_equal (lower, "true") || g_str_equal (lower, "1") ||
          g_str_equal (lower, "yes") || g_str_equal (lower, "on"))
        g_value_set_boolean (out, TRUE);
      else if (g_str_equal (lower, "false") || g_str_equal (lower, "0") ||
               g_str_equal (lower, "no") || g_str_equal (lower, "off"))
        g_value_set_boolean (out, FALSE);
      else
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                       _("Option “%s” must be true or false, not “%s”"),
                       pspec->name, value);
          return FALSE;
        }
    }
  else if (type == G_TYPE_STRV)
    {
      g_auto(GStrv) parts = g_strsplit (value, ",", -1);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_strstrip (parts[i]);
          if (parts[i][0] != '\0')
            g_strv_builder_add (builder, parts[i]);
        }
      g_value_take_boxed (out, g_strv_builder_end (builder));
    }
  else
    g_assert_not_reached ();

  return TRUE;
}

/* A schema name is a pgqrs name, and not one PostgreSQL keeps for itself:
 * it refuses to create a schema whose name starts with "pg_" (the name is
 * quoted, so only that spelling), which install would find out too late. */
static gboolean
validate_schema (const char  *schema,
                 GError     **error)
{
  if (!_pgqrs_validate_name ("schema", schema, error))
    {
      (*error)->code = PGQRS_ERROR_INVALID_CONFIG;
      return FALSE;
    }

  if (g_str_has_prefix (schema, "pg_"))
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                   _("The schema “%s” starts with “pg_”, which PostgreSQL reserves "
                     "for its own schemas"), schema);
      return FALSE;
    }

  return TRUE;
}

/**
 * pgqrs_config_set_option:
 * @self: a #PgqrsConfig
 * @key: an option name such as `visibility_timeout` or `visibility-timeout`
 * @value: the value, written as in a DSN query string
 * @error: return location for a #GError
 *
 * Sets one option from its text form, as the DSN and the environment do.
 *
 * Returns: %TRUE if the option was set; %FALSE with @error set to
 *   %PGQRS_ERROR_INVALID_CONFIG if the option is unknown or the value does
 *   not fit it
 *
 * Since: 1.0
 */
gboolean
pgqrs_config_set_option (PgqrsConfig  *self,
                         const char   *key,
                         const char   *value,
                         GError      **error)
{
  g_auto(GValue) parsed = G_VALUE_INIT;
  GParamSpec *pspec;

  g_return_val_if_fail (PGQRS_IS_CONFIG (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (!(pspec = find_option (self, key)))
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                   _("Unknown option “%s”"), key);
      return FALSE;
    }

  if (!parse_option_value (pspec, value, &parsed, error))
    return FALSE;

  if (pspec == properties[PROP_SCHEMA] && !validate_schema (value, error))
    return FALSE;

  g_object_set_property (G_OBJECT (self), pspec->name, &parsed);

  return TRUE;
}

static gboolean
apply_environment (PgqrsConfig  *self,
                   GError      **error)
{
  g_autofree GParamSpec **pspecs = NULL;
  guint n_pspecs = 0;

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (self), &n_pspecs);

  for (guint i = 0; i < n_pspecs; i++)
    {
      g_autofree char *upper = NULL;
      g_autofree char *var = NULL;
      g_autoptr(GError) local_error = NULL;
      const char *value;

      if (!(pspecs[i]->flags & G_PARAM_WRITABLE))
        continue;

      upper = g_ascii_strup (pspecs[i]->name, -1);
      g_strdelimit (upper, "-", '_');
      var = g_strconcat ("PGQRS_", upper, NULL);

      if (!(value = g_getenv (var)))
        continue;

      if (!pgqrs_config_set_option (self, pspecs[i]->name, value, &local_error))
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                       _("Environment variable %s: %s"), var, local_error->message);
          return FALSE;
        }
    }

  return TRUE;
}

/* --- secrets in a DSN ----------------------------------------------------- */

/*
 * A DSN may hold secrets in two places: the password of the user
 * information ("scheme://user:password@host") and the values of query
 * parameters such as "password" or the Turso/libSQL "authToken".  They are
 * found the way libpq reads a URI, which is what the PostgreSQL backend
 * connects with: the user information runs up to an '@' that comes before
 * the first '/', so '?', '#' and ':' may be part of a password; a key is
 * percent-decoded before it is compared ("pass%77ord" is "password").
 * Where libpq and a reader could disagree — two '@' (libpq takes the
 * first as the end of the password, the rest as the host name), or an '@'
 * after a "?key=" in a DSN without a path (libpq takes that query for
 * user information) — the DSN is ambiguous: it is refused, and shown as no
 * more than its scheme.
 */

typedef struct
{
  gsize start;
  gsize end;
} SecretSpan;

/* Keys are compared without case, dashes or underscores: libpq's
 * "password" and "sslpassword", and the token of Turso/libSQL. */
static gboolean
is_secret_key (const char *key)
{
  static const char * const secret_keys[] = { "password", "sslpassword", "authtoken" };
  g_autoptr(GString) folded = g_string_new (NULL);

  for (const char *p = key; *p != '\0'; p++)
    if (*p != '-' && *p != '_')
      g_string_append_c (folded, g_ascii_tolower (*p));

  for (guint i = 0; i < G_N_ELEMENTS (secret_keys); i++)
    if (g_str_equal (folded->str, secret_keys[i]))
      return TRUE;

  return FALSE;
}

static gboolean
is_scheme (const char *text,
           gsize       len)
{
  if (len == 0 || !g_ascii_isalpha (text[0]))
    return FALSE;

  for (gsize i = 1; i < len; i++)
    if (!g_ascii_isalnum (text[i]) && !strchr ("+.-", text[i]))
      return FALSE;

  return TRUE;
}

/* Where the user information ends (its '@'), or 0 when there is none;
 * @ambiguous tells whether libpq and a reader could disagree on it. */
static gsize
find_userinfo_end (const char *dsn,
                   gsize       start,
                   gboolean   *ambiguous)
{
  gsize head = start + strcspn (dsn + start, "/");
  gsize query = start + strcspn (dsn + start, "?");
  gsize end = 0;
  guint n_at = 0;

  for (gsize i = start; i < head; i++)
    if (dsn[i] == '@')
      {
        end = i;
        n_at++;
      }

  /* A '?' then a '=' before the '@' reads as a query to a person */
  *ambiguous = n_at > 1 ||
               (n_at == 1 && query < end && memchr (dsn + query, '=', end - query) != NULL);

  return end;
}

/* Fills @spans with where the secrets of @dsn are.  Returns FALSE when
 * @dsn has no scheme; then nothing in it can be told apart.  A SQLite
 * DSN is never ambiguous: its "authority" is a file path, where '@'
 * means nothing. */
/* Where the query of @dsn (with a scheme) starts: its '?', or the end.
 * Sets *@password to the span of the user information's password, if
 * any. */
static gsize
find_query (const char *dsn,
            SecretSpan *password,
            gboolean   *ambiguous)
{
  gsize start = strcspn (dsn, ":") + 1;
  gboolean authority = g_str_has_prefix (dsn + start, "//");
  gsize userinfo_end = 0;

  *password = (SecretSpan) { 0, 0 };
  *ambiguous = FALSE;
  if (authority)
    start += 2;

  if (g_ascii_strncasecmp (dsn, "sqlite:", strlen ("sqlite:")) != 0)
    userinfo_end = find_userinfo_end (dsn, start, ambiguous);

  if (userinfo_end > 0)
    {
      const char *colon = memchr (dsn + start, ':', userinfo_end - start);

      /* Without "//" the "scheme" may well be the user name
       * ("app:secret@host"): all of the user information goes. */
      if (!authority)
        *password = (SecretSpan) { start, userinfo_end };
      else if (colon != NULL && (gsize)(colon - dsn) + 1 < userinfo_end)
        *password = (SecretSpan) { colon - dsn + 1, userinfo_end };
      start = userinfo_end + 1;
    }

  return start + strcspn (dsn + start, "?");
}

static gboolean
find_secrets (const char *dsn,
              GArray     *spans,
              gboolean   *ambiguous)
{
  gsize scheme_len = strcspn (dsn, ":");
  SecretSpan password;
  gsize query;

  *ambiguous = FALSE;
  if (dsn[scheme_len] != ':' || !is_scheme (dsn, scheme_len))
    return FALSE;

  query = find_query (dsn, &password, ambiguous);
  if (password.end > password.start)
    g_array_append_val (spans, password);

  while (dsn[query] != '\0')
    {
      gsize param = query + 1;
      gsize param_end = param + strcspn (dsn + param, "&");
      gsize key_end = param + strcspn (dsn + param, "&=");
      g_autofree char *key = g_uri_unescape_segment (dsn + param, dsn + key_end, NULL);

      /* A key that cannot be decoded might be anything: all of the
       * parameter goes. */
      if (key == NULL && param_end > param)
        g_array_append_val (spans, ((SecretSpan) { param, param_end }));
      else if (key != NULL && dsn[key_end] == '=' && key_end + 1 < param_end &&
               is_secret_key (key))
        g_array_append_val (spans, ((SecretSpan) { key_end + 1, param_end }));

      query = param_end;
    }

  return TRUE;
}

static gboolean
is_postgres_dsn (const char *dsn)
{
  return g_ascii_strncasecmp (dsn, "postgresql:", strlen ("postgresql:")) == 0 ||
         g_ascii_strncasecmp (dsn, "postgres:", strlen ("postgres:")) == 0;
}

/* The secrets of @dsn as written and percent-decoded; FALSE if they cannot
 * be told apart from the rest (no scheme, or libpq reads it otherwise). */
static gboolean
collect_secrets (const char *dsn,
                 GArray     *spans,
                 GPtrArray  *secrets)
{
  gboolean ambiguous;

  if (!find_secrets (dsn, spans, &ambiguous))
    return FALSE;

  for (guint i = 0; i < spans->len; i++)
    {
      SecretSpan *span = &g_array_index (spans, SecretSpan, i);
      char *decoded = g_uri_unescape_segment (dsn + span->start, dsn + span->end, NULL);

      g_ptr_array_add (secrets, g_strndup (dsn + span->start, span->end - span->start));
      if (decoded != NULL)
        g_ptr_array_add (secrets, decoded);
    }

  /* libpq's own reading, from the PostgreSQL backend's module: a process
   * without it has no libpq to read the DSN otherwise. */
  if (is_postgres_dsn (dsn) &&
      !_pgqrs_backend_module_add_dsn_secrets ("postgres", dsn, secrets))
    return FALSE;

  return !ambiguous;
}

/**
 * _pgqrs_config_redact_dsn:
 * @dsn: any text given as a DSN, of any scheme
 *
 * The one filter every message and property that shows a DSN goes
 * through: passwords and tokens are replaced by `***`.  A DSN whose
 * secrets cannot be told apart from the rest (no scheme; libpq reads it
 * otherwise) shows as no more than its scheme, or `***`.
 *
 * Returns: (transfer full): @dsn, safe to show
 */
char *
_pgqrs_config_redact_dsn (const char *dsn)
{
  g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (SecretSpan));
  g_autoptr(GPtrArray) secrets = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) out = NULL;
  gsize scheme_len = strcspn (dsn, ":");
  gsize from = 0;

  if (!collect_secrets (dsn, spans, secrets))
    {
      /* Text without a scheme is shown only when nothing in it could be
       * a secret: no key=value, no user information. */
      if (dsn[scheme_len] == ':' && is_scheme (dsn, scheme_len))
        return g_strdup_printf ("%.*s:***", (int)scheme_len, dsn);
      if (strpbrk (dsn, "=@:% \t\n") != NULL)
        return g_strdup ("***");
      return g_strdup (dsn);
    }

  out = g_string_new (NULL);
  for (guint i = 0; i < spans->len; i++)
    {
      SecretSpan *span = &g_array_index (spans, SecretSpan, i);

      g_string_append_len (out, dsn + from, span->start - from);
      g_string_append (out, "***");
      from = span->end;
    }
  g_string_append (out, dsn + from);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static int
compare_longest_first (gconstpointer a,
                       gconstpointer b)
{
  gsize len_a = strlen (*(const char * const *)a);
  gsize len_b = strlen (*(const char * const *)b);

  return len_a < len_b ? 1 : len_a > len_b ? -1 : 0;
}

/**
 * _pgqrs_config_dsn_secrets:
 * @dsn: a DSN, or what the PostgreSQL backend connects with
 *
 * The secrets of @dsn as written and percent-decoded, for a backend to
 * remove from the messages of its client library, which may quote them.
 *
 * Returns: (transfer full): a %NULL-terminated array, longest first
 */
char **
_pgqrs_config_dsn_secrets (const char *dsn)
{
  g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (SecretSpan));
  g_autoptr(GPtrArray) secrets = g_ptr_array_new_with_free_func (g_free);

  collect_secrets (dsn, spans, secrets);
  /* Longest first, so that a secret that contains another goes whole. */
  g_ptr_array_sort (secrets, compare_longest_first);
  g_ptr_array_add (secrets, NULL);

  return (char **)g_ptr_array_free (g_steal_pointer (&secrets), FALSE);
}

/* Applies each pgqrs option of a DSN's query string.  For PostgreSQL,
 * parameters that are not pgqrs options are kept for libpq in
 * @passthrough; for the other backends they are errors.  A message may
 * name a key, never the value of one that is not a pgqrs option, and no
 * value at all when the DSN holds a secret (@show_values FALSE): a
 * password with an unescaped '&' would otherwise show its tail. */
static gboolean
apply_query (PgqrsConfig  *self,
             const char   *query,
             GString      *passthrough,
             gboolean      show_values,
             GError      **error)
{
  g_auto(GStrv) pairs = g_strsplit (query, "&", -1);

  for (guint i = 0; pairs[i] != NULL; i++)
    {
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;
      g_autoptr(GError) local_error = NULL;
      const char *eq;

      if (pairs[i][0] == '\0')
        continue;

      eq = strchr (pairs[i], '=');
      key = g_uri_unescape_segment (pairs[i], eq, NULL);

      if (key == NULL)
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                       _("The key of parameter %u of the DSN query is not validly "
                         "percent-encoded (write a “%%” as %%25)"), i + 1);
          return FALSE;
        }

      if (key[0] == '\0')
        {
          if (show_values)
            g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                         _("Malformed parameter “%s” in DSN query; expected key=value"),
                         pairs[i]);
          else
            g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                         _("Parameter %u of the DSN query has no key; expected key=value"),
                         i + 1);
          return FALSE;
        }

      if (eq == NULL)
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                       _("Malformed parameter “%s” in DSN query; expected key=value"), key);
          return FALSE;
        }

      if (!(value = g_uri_unescape_string (eq + 1, NULL)))
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                       _("The value of parameter “%s” in the DSN query is not validly "
                         "percent-encoded (write a “%%” as %%25)"), key);
          return FALSE;
        }

      if (find_option (self, key) == NULL && passthrough != NULL)
        {
          if (passthrough->len > 0)
            g_string_append_c (passthrough, '&');
          g_string_append (passthrough, pairs[i]);
          continue;
        }

      if (!pgqrs_config_set_option (self, key, value, &local_error))
        {
          if (show_values || find_option (self, key) == NULL)
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                         _("Option “%s” in the DSN has a bad value (not shown: the DSN holds "
                           "a password or token)"), find_option (self, key)->name);
          return FALSE;
        }
    }

  return TRUE;
}

/* Refuses what would make the secrets of @dsn ambiguous or leak through
 * a client library's messages, before anything reads it. */
static gboolean
check_secrets (PgqrsConfig  *self,
               const char   *dsn,
               gboolean     *has_secrets,
               GError      **error)
{
  g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (SecretSpan));
  gboolean ambiguous;

  find_secrets (dsn, spans, &ambiguous);
  *has_secrets = spans->len > 0;

  if (ambiguous)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                   _("DSN “%s” has an “@” that could end its user information in more "
                     "than one place; write an “@” of a user name, password or query "
                     "value as %%40"), self->dsn);
      return FALSE;
    }

  for (guint i = 0; i < spans->len; i++)
    {
      SecretSpan *span = &g_array_index (spans, SecretSpan, i);
      g_autofree char *decoded = g_uri_unescape_segment (dsn + span->start, dsn + span->end, NULL);

      /* a whole parameter, whose key did not decode: apply_query() says so */
      if (strchr ("?&", dsn[span->start - 1]) != NULL)
        continue;

      if (decoded == NULL)
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                       _("A password or token in DSN “%s” is not validly percent-encoded "
                         "(write a “%%” as %%25)"), self->dsn);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
parse_sqlite_location (PgqrsConfig  *self,
                       const char   *dsn,
                       const char   *location,
                       GError      **error)
{
  g_autofree char *path = NULL;

  if (g_str_equal (location, ":memory:"))
    {
      self->sqlite_in_memory = TRUE;
      return TRUE;
    }

  if (!g_str_has_prefix (location, "//"))
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                   _("Malformed SQLite DSN “%s”: expected sqlite:///absolute/path.db, "
                     "sqlite://relative/path.db or sqlite::memory:"),
                   dsn);
      return FALSE;
    }

  path = g_uri_unescape_string (location + 2, NULL);

  if (path == NULL || path[0] == '\0')
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                   _("SQLite DSN “%s” names no database file"), dsn);
      return FALSE;
    }

  if (g_str_has_suffix (path, "/"))
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                   _("SQLite DSN “%s” names a directory, not a database file"), dsn);
      return FALSE;
    }

  self->sqlite_path = g_steal_pointer (&path);

  return TRUE;
}

static gboolean
parse_dsn (PgqrsConfig  *self,
           const char   *dsn,
           GError      **error)
{
  g_autofree char *scheme = NULL;
  g_autofree char *body = NULL;
  const char *colon;
  gboolean has_secrets;
  const char *query;

  if (dsn == NULL || dsn[0] == '\0')
    {
      g_set_error_literal (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                           _("The DSN is empty"));
      return FALSE;
    }

  self->dsn = _pgqrs_config_redact_dsn (dsn);

  colon = strchr (dsn, ':');
  if (colon == NULL || !is_scheme (dsn, colon - dsn))
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                   _("DSN “%s” has no scheme; expected sqlite:, postgresql:, postgres:, turso:, libsql:, http: or https:"),
                   self->dsn);
      return FALSE;
    }

  scheme = g_ascii_strdown (dsn, colon - dsn);

  if (!check_secrets (self, dsn, &has_secrets, error))
    return FALSE;

  /* The query starts after the user information, which may hold a '?'. */
  {
    SecretSpan password;
    gboolean ambiguous;
    gsize query_at = find_query (dsn, &password, &ambiguous);

    body = g_strndup (colon + 1, dsn + query_at - (colon + 1));
    query = dsn[query_at] == '?' ? dsn + query_at + 1 : NULL;
  }

  if (g_str_equal (scheme, "sqlite"))
    {
      self->backend_kind = PGQRS_BACKEND_KIND_SQLITE;
      if (!parse_sqlite_location (self, self->dsn, body, error))
        return FALSE;
      if (query && !apply_query (self, query, NULL, !has_secrets, error))
        return FALSE;
    }
  else if (g_str_equal (scheme, "postgresql") || g_str_equal (scheme, "postgres"))
    {
      g_autoptr(GString) conninfo = g_string_new (NULL);
      g_autoptr(GString) passthrough = g_string_new (NULL);

      self->backend_kind = PGQRS_BACKEND_KIND_POSTGRES;
      if (!g_str_has_prefix (body, "//"))
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                       _("Malformed PostgreSQL DSN “%s”: expected postgresql://[user@]host[:port]/dbname"),
                       self->dsn);
          return FALSE;
        }
      if (query && !apply_query (self, query, passthrough, !has_secrets, error))
        return FALSE;

      g_string_append_printf (conninfo, "%s:%s", scheme, body);
      if (passthrough->len > 0)
        g_string_append_printf (conninfo, "?%s", passthrough->str);
      self->conninfo = g_string_free (g_steal_pointer (&conninfo), FALSE);
    }
  else if (g_str_equal (scheme, "turso") || g_str_equal (scheme, "libsql") ||
           g_str_equal (scheme, "http") || g_str_equal (scheme, "https"))
    {
      g_autoptr(GString) passthrough = g_string_new (NULL);

      /* The libSQL backend reads the location and its own parameters
       * (authToken, tls) from conninfo; pgqrs's options are taken here. */
      self->backend_kind = PGQRS_BACKEND_KIND_TURSO;
      if (!g_str_has_prefix (body, "//") || body[2] == '\0')
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                       _("Malformed Turso DSN “%s”: expected turso://host, turso:///path/to/file.db, "
                         "libsql://host[:port] or http(s)://host:port"), self->dsn);
          return FALSE;
        }
      if (query && !apply_query (self, query, passthrough, !has_secrets, error))
        return FALSE;
      self->conninfo = g_strdup_printf ("%s:%s%s%s", scheme, body,
                                        passthrough->len > 0 ? "?" : "", passthrough->str);
    }
  else
    {
      /* Nothing tells what in it is a secret: only the scheme is shown. */
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                   _("Unknown scheme “%s” in a DSN; expected sqlite, postgresql, postgres, turso, libsql, http or https"),
                   scheme);
      return FALSE;
    }

  return TRUE;
}

/**
 * pgqrs_config_new_from_dsn:
 * @dsn: a DSN such as `sqlite:///var/lib/app/jobs.db`
 * @error: return location for a #GError
 *
 * Makes a configuration from @dsn, the `PGQRS_*` environment variables and
 * the defaults, in that order of strength.
 *
 * Returns: (transfer full): a new #PgqrsConfig, or %NULL with @error set to
 *   %PGQRS_ERROR_INVALID_CONFIG naming what is wrong
 *
 * Since: 1.0
 */
PgqrsConfig *
pgqrs_config_new_from_dsn (const char  *dsn,
                           GError     **error)
{
  g_autoptr(PgqrsConfig) self = g_object_new (PGQRS_TYPE_CONFIG, NULL);

  if (!apply_environment (self, error))
    return NULL;

  if (!parse_dsn (self, dsn, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * pgqrs_config_copy:
 * @self: a #PgqrsConfig
 *
 * Copies the configuration, so that a store's settings cannot change under
 * it.
 *
 * Returns: (transfer full): a new #PgqrsConfig with the same settings
 *
 * Since: 1.0
 */
PgqrsConfig *
pgqrs_config_copy (PgqrsConfig *self)
{
  g_autofree GParamSpec **pspecs = NULL;
  PgqrsConfig *copy;
  guint n_pspecs = 0;

  g_return_val_if_fail (PGQRS_IS_CONFIG (self), NULL);

  copy = g_object_new (PGQRS_TYPE_CONFIG, NULL);
  copy->dsn = g_strdup (self->dsn);
  copy->backend_kind = self->backend_kind;
  copy->sqlite_path = g_strdup (self->sqlite_path);
  copy->sqlite_in_memory = self->sqlite_in_memory;
  copy->conninfo = g_strdup (self->conninfo);

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (self), &n_pspecs);
  for (guint i = 0; i < n_pspecs; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;

      if (!(pspecs[i]->flags & G_PARAM_WRITABLE))
        continue;
      g_value_init (&value, pspecs[i]->value_type);
      g_object_get_property (G_OBJECT (self), pspecs[i]->name, &value);
      g_object_set_property (G_OBJECT (copy), pspecs[i]->name, &value);
    }

  return copy;
}

gboolean
_pgqrs_config_validate (PgqrsConfig  *self,
                        GError      **error)
{
  if (self->dsn == NULL)
    {
      g_set_error_literal (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                           _("The configuration was not made from a DSN"));
      return FALSE;
    }

  if (!validate_schema (self->schema, error))
    return FALSE;

  return TRUE;
}

gboolean
_pgqrs_config_get_sqlite_in_memory (PgqrsConfig *self)
{
  return self->sqlite_in_memory;
}

const char *
_pgqrs_config_get_sqlite_path (PgqrsConfig *self)
{
  return self->sqlite_path;
}

const char *
_pgqrs_config_get_conninfo (PgqrsConfig *self)
{
  return self->conninfo;
}

#define DEFINE_GETTER(type, name, fallback) \
  type \
  pgqrs_config_get_##name (PgqrsConfig *self) \
  { \
    g_return_val_if_fail (PGQRS_IS_CONFIG (self), fallback); \
    return self->name; \
  }

/**
 * pgqrs_config_get_dsn:
 * @self: a #PgqrsConfig
 *
 * Gets the DSN the configuration was made from, safe to log.
 *
 * Returns: (nullable): the DSN, with any password replaced by `***`
 *
 * Since: 1.0
 */
DEFINE_GETTER (const char *, dsn, NULL)

/**
 * pgqrs_config_get_backend_kind:
 * @self: a #PgqrsConfig
 *
 * Gets which database backend the DSN selects.
 *
 * Returns: which database the DSN names
 *
 * Since: 1.0
 */
DEFINE_GETTER (PgqrsBackendKind, backend_kind, 0)

/**
 * pgqrs_config_get_schema:
 * @self: a #PgqrsConfig
 *
 * Gets the PostgreSQL schema that holds the pgqrs tables.
 *
 * Returns: the value of [property@Config:schema]
 *
 * Since: 1.0
 */
DEFINE_GETTER (const char *, schema, NULL)

/**
 * pgqrs_config_get_max_connections:
 * @self: a #PgqrsConfig
 *
 * Gets the most connections a store opens to a PostgreSQL server at once.
 *
 * Returns: the value of [property@Config:max-connections]
 *
 * Since: 1.0
 */
DEFINE_GETTER (guint, max_connections, 0)

/**
 * pgqrs_config_get_visibility_timeout:
 * @self: a #PgqrsConfig
 *
 * Gets the visibility timeout used when a dequeue does not give one.
 *
 * Returns: the value of [property@Config:visibility-timeout], in seconds
 *
 * Since: 1.0
 */
DEFINE_GETTER (double, visibility_timeout, 0)

/**
 * pgqrs_config_get_max_read_count:
 * @self: a #PgqrsConfig
 *
 * Gets how many times a message may be leased before it is dead-lettered.
 *
 * Returns: the value of [property@Config:max-read-count]
 *
 * Since: 1.0
 */
DEFINE_GETTER (guint, max_read_count, 0)

/**
 * pgqrs_config_get_poll_interval:
 * @self: a #PgqrsConfig
 *
 * Gets how long a consumer waits for work when no wakeup arrives.
 *
 * Returns: the value of [property@Config:poll-interval], in seconds
 *
 * Since: 1.0
 */
DEFINE_GETTER (double, poll_interval, 0)

/**
 * pgqrs_config_get_heartbeat_interval:
 * @self: a #PgqrsConfig
 *
 * Gets the time between the heartbeats of a running worker.
 *
 * Returns: the value of [property@Config:heartbeat-interval], in seconds
 *
 * Since: 1.0
 */
DEFINE_GETTER (double, heartbeat_interval, 0)

/**
 * pgqrs_config_get_max_payload_bytes:
 * @self: a #PgqrsConfig
 *
 * Gets the largest payload accepted, in bytes of compact JSON.
 *
 * Returns: the value of [property@Config:max-payload-bytes]
 *
 * Since: 1.0
 */
DEFINE_GETTER (guint, max_payload_bytes, 0)

/**
 * pgqrs_config_get_max_depth:
 * @self: a #PgqrsConfig
 *
 * Gets the deepest nesting of arrays and objects accepted in a payload.
 *
 * Returns: the value of [property@Config:max-depth]
 *
 * Since: 1.0
 */
DEFINE_GETTER (guint, max_depth, 0)

/**
 * pgqrs_config_get_max_string_bytes:
 * @self: a #PgqrsConfig
 *
 * Gets the longest string value accepted anywhere in a payload.
 *
 * Returns: the value of [property@Config:max-string-bytes]
 *
 * Since: 1.0
 */
DEFINE_GETTER (guint, max_string_bytes, 0)

/**
 * pgqrs_config_get_max_key_bytes:
 * @self: a #PgqrsConfig
 *
 * Gets the longest object member name accepted anywhere in a payload.
 *
 * Returns: the value of [property@Config:max-key-bytes]
 *
 * Since: 1.0
 */
DEFINE_GETTER (guint, max_key_bytes, 0)

/**
 * pgqrs_config_get_enqueue_rate_limit:
 * @self: a #PgqrsConfig
 *
 * Gets the most messages per second one store enqueues into one queue.
 *
 * Returns: the value of [property@Config:enqueue-rate-limit], in messages
 *   per second; zero when off
 *
 * Since: 1.0
 */
DEFINE_GETTER (double, enqueue_rate_limit, 0)

/**
 * pgqrs_config_get_enqueue_burst:
 * @self: a #PgqrsConfig
 *
 * Gets how many messages may be enqueued at once above the rate limit.
 *
 * Returns: the value of [property@Config:enqueue-burst]
 *
 * Since: 1.0
 */
DEFINE_GETTER (guint, enqueue_burst, 0)

/**
 * pgqrs_config_get_busy_timeout:
 * @self: a #PgqrsConfig
 *
 * Gets how long SQLite waits for another process's write to finish.
 *
 * Returns: the value of [property@Config:busy-timeout], in milliseconds
 *
 * Since: 1.0
 */
DEFINE_GETTER (guint, busy_timeout, 0)

/**
 * pgqrs_config_get_prepared_statements:
 * @self: a #PgqrsConfig
 *
 * Gets whether the PostgreSQL backend prepares its statements and listens
 * for wakeups.
 *
 * Returns: the value of [property@Config:prepared-statements]
 *
 * Since: 1.0
 */
DEFINE_GETTER (gboolean, prepared_statements, FALSE)

/**
 * pgqrs_config_get_call_timeout:
 * @self: a #PgqrsConfig
 *
 * Gets how long one call to a PostgreSQL server may go unanswered.
 *
 * Returns: the value of [property@Config:call-timeout], in seconds; zero
 *   for three heartbeat intervals
 *
 * Since: 1.0
 */
DEFINE_GETTER (double, call_timeout, 0)

double
_pgqrs_config_get_call_bound (PgqrsConfig *self)
{
  if (self->call_timeout > 0)
    return self->call_timeout;

  return CALL_BOUND_HEARTBEATS * self->heartbeat_interval;
}

/**
 * pgqrs_config_get_required_keys:
 * @self: a #PgqrsConfig
 *
 * Gets the top-level members every payload must have.
 *
 * Returns: (transfer none) (array zero-terminated=1): the value of
 *   [property@Config:required-keys]
 *
 * Since: 1.0
 */
const char * const *
pgqrs_config_get_required_keys (PgqrsConfig *self)
{
  g_return_val_if_fail (PGQRS_IS_CONFIG (self), NULL);
  return (const char * const *)self->required_keys;
}

/**
 * pgqrs_config_get_forbidden_keys:
 * @self: a #PgqrsConfig
 *
 * Gets the top-level members no payload may have.
 *
 * Returns: (transfer none) (array zero-terminated=1): the value of
 *   [property@Config:forbidden-keys]
 *
 * Since: 1.0
 */
const char * const *
pgqrs_config_get_forbidden_keys (PgqrsConfig *self)
{
  g_return_val_if_fail (PGQRS_IS_CONFIG (self), NULL);
  return (const char * const *)self->forbidden_keys;
}
