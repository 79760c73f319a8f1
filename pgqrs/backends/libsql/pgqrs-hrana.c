/* pgqrs-hrana.c — a client of the libSQL remote protocol (Hrana over HTTP)
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <sys/file.h>
#include <sqlite3.h>
#include <string.h>

#include "pgqrs-error.h"
#include "pgqrs-hrana-private.h"

/*
 * The protocol is tursodatabase/libsql docs/HRANA_3_SPEC.md ("Hrana over
 * HTTP"): a POST to /v3/pipeline (or /v2/pipeline) carries a baton naming a
 * stream — a connection on the server — and a list of requests; the answer
 * has one result per request and a new baton.  A stream not closed by a
 * "close" request is kept by the server, so autocommit statements close
 * theirs at once, and a transaction keeps its stream between BEGIN and
 * COMMIT.
 *
 * The engines differ; every difference is in this table, with the engine
 * that needs it.
 */
typedef struct
{
  const char *pipeline_path;
  /* sqld: "close" ends a stream.  tursodb 0.7 refuses it ("unknown variant
   * `close`, expected `execute` or `batch`"). */
  gboolean    has_close;
  /* sqld: a stream per baton, so a transaction is held by its baton.
   * tursodb 0.7: no batons; every request runs on one shared connection,
   * which keeps an open transaction from one request to the next. */
  gboolean    has_batons;
  /* sqld: affected_row_count is the statement's change count.  tursodb
   * 0.7: always 0, so the count is read with SELECT changes(). */
  gboolean    counts_rows;
} DialectInfo;

static const DialectInfo dialects[] = {
  [PGQRS_HRANA_DIALECT_FULL]    = { "/v3/pipeline", TRUE,  TRUE,  TRUE  },
  [PGQRS_HRANA_DIALECT_TURSODB] = { "/v2/pipeline", FALSE, FALSE, FALSE },
};

/* A response larger than this is refused rather than buffered. */
#define MAX_RESPONSE_BYTES (256 * 1024 * 1024)
/* How much of an unexpected HTTP body an error quotes. */
#define MAX_QUOTED_BYTES   200

typedef struct
{
  PgqrsSqlStmt  parent;
  PgqrsHrana   *client;
  char         *sql;
  guint         n_params;    /* the highest parameter number in sql */
  GPtrArray    *args;        /* JsonNode *, parameter i at i - 1; NULL: null */
  JsonNode     *result;      /* the execute result, once run */
  JsonArray    *rows;        /* of result */
  guint         next_row;
  JsonArray    *row;         /* the current row */
} HranaStmt;

struct _PgqrsHrana
{
  PgqrsSqlDb         parent;
  char              *url;           /* base URL, no trailing slash */
  char              *auth_header;   /* "Bearer …" or NULL: the only copy of the token */
  guint              timeout_s;
  guint              busy_timeout_ms;
  SoupSession       *session;       /* made by the thread that uses it */
  PgqrsHranaDialect  dialect;
  gboolean           connected;

  char              *baton;         /* the open stream, on a server with batons */
  char              *stream_url;    /* the stream's server, if it named one */
  gboolean           in_transaction;
  /* BEGIN not sent yet: it goes in front of the transaction's first
   * statement, in the same request */
  gboolean           begin_pending;

  /* tursodb's one connection, shared with other stores: a file this
   * client flock()s for each request and across each transaction; -1 */
  int                connection_lock;
  gboolean           holding;
  /* the lock was just taken: the next request first rolls back whatever
   * transaction a store that died holding it left open */
  gboolean           fresh_hold;
  /* tursodb's engine may have moved (its process stopped it and another
   * started it again): where the requests go now; NULL for a server */
  PgqrsHranaLocate   locate;
  gpointer           locate_data;

  gint64             changes;       /* of the last statement */
  int                errcode;
  const char        *operation;
  GHashTable        *stmts;         /* id → HranaStmt */
};

static const PgqrsSqlDbClass hrana_db_class;

static void
hrana_stmt_clear_result (HranaStmt *stmt)
{
  g_clear_pointer (&stmt->result, json_node_unref);
  stmt->rows = NULL;
  stmt->row = NULL;
  stmt->next_row = 0;
}

static void
hrana_stmt_free (gpointer data)
{
  HranaStmt *stmt = data;

  hrana_stmt_clear_result (stmt);
  g_ptr_array_unref (stmt->args);
  g_free (stmt->sql);
  g_free (stmt);
}

PgqrsHrana *
_pgqrs_hrana_new (const char *url,
                  const char *token,
                  guint       timeout_s)
{
  PgqrsHrana *self = g_new0 (PgqrsHrana, 1);

  self->parent.klass = &hrana_db_class;
  self->url = g_strdup (url);
  while (g_str_has_suffix (self->url, "/"))
    self->url[strlen (self->url) - 1] = '\0';
  self->parent.location = self->url;
  if (token != NULL && *token != '\0')
    self->auth_header = g_strconcat ("Bearer ", token, NULL);
  self->timeout_s = timeout_s;
  self->connection_lock = -1;
  self->changes = 0;
  self->stmts = g_hash_table_new_full (NULL, NULL, NULL, hrana_stmt_free);

  return self;
}

static void
take_connection (PgqrsHrana *self)
{
  if (self->connection_lock >= 0 && !self->holding)
    {
      /* flock() waits as long as another store's transaction lasts */
      while (flock (self->connection_lock, LOCK_EX) != 0 && errno == EINTR)
        ;
      self->holding = TRUE;
      self->fresh_hold = TRUE;
    }
}

static void
give_connection (PgqrsHrana *self)
{
  if (self->holding)
    {
      self->holding = FALSE;
      flock (self->connection_lock, LOCK_UN);
    }
}

void
_pgqrs_hrana_set_locator (PgqrsHrana       *self,
                          PgqrsHranaLocate  locate,
                          gpointer          data)
{
  self->locate = locate;
  self->locate_data = data;
}

/* Asks where the engine is now, and follows it there. */
static gboolean
relocate (PgqrsHrana  *self,
          gboolean     refused,
          GError     **error)
{
  g_autofree char *url = self->locate (self->locate_data, refused, error);

  if (url == NULL)
    return FALSE;

  if (!g_str_equal (url, self->url))
    {
      g_free (self->url);
      self->url = g_steal_pointer (&url);
      self->parent.location = self->url;
      /* its kept-alive connections lead to the engine that went */
      g_clear_object (&self->session);
    }

  return TRUE;
}

void
_pgqrs_hrana_set_connection_lock (PgqrsHrana *self,
                                  int         fd)
{
  g_return_if_fail (!self->holding);
  self->connection_lock = fd;
}

static void
close_stream (PgqrsHrana *self)
{
  g_clear_pointer (&self->baton, g_free);
  g_clear_pointer (&self->stream_url, g_free);
  self->in_transaction = FALSE;
  self->begin_pending = FALSE;
}

void
_pgqrs_hrana_free (PgqrsHrana *self)
{
  if (self == NULL)
    return;

  if (self->baton != NULL && self->session != NULL)
    {
      /* Ends a transaction left open, so the server's stream goes now
       * rather than when it expires. */
      _pgqrs_sql_rollback (&self->parent);
    }
  close_stream (self);
  give_connection (self);
  g_clear_object (&self->session);
  g_hash_table_unref (self->stmts);
  if (self->auth_header != NULL)
    memset (self->auth_header, 0, strlen (self->auth_header));
  g_free (self->auth_header);
  g_free (self->url);
  g_free (self);
}

PgqrsHranaDialect
_pgqrs_hrana_get_dialect (PgqrsHrana *self)
{
  return self->dialect;
}

const char *
_pgqrs_hrana_get_location (PgqrsHrana *self)
{
  return self->url;
}

PgqrsSqlDb *
_pgqrs_hrana_get_db (PgqrsHrana *self)
{
  return &self->parent;
}

void
_pgqrs_hrana_set_statements (PgqrsHrana   *self,
                             const char *(*statement_sql) (guint id))
{
  self->parent.statement_sql = statement_sql;
}

/* Values and statements */

JsonNode *
_pgqrs_hrana_value_int (gint64 value)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, value);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "integer");
  json_builder_set_member_name (b, "value");
  json_builder_add_string_value (b, text);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

JsonNode *
_pgqrs_hrana_value_float (double value)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "float");
  json_builder_set_member_name (b, "value");
  json_builder_add_double_value (b, value);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

JsonNode *
_pgqrs_hrana_value_text (const char *value)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "text");
  json_builder_set_member_name (b, "value");
  json_builder_add_string_value (b, value);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

JsonNode *
_pgqrs_hrana_value_blob (GBytes *value)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gsize size;
  const guchar *data = g_bytes_get_data (value, &size);
  g_autofree char *encoded = g_base64_encode (data, size);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "blob");
  json_builder_set_member_name (b, "base64");
  json_builder_add_string_value (b, encoded);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

GBytes *
_pgqrs_hrana_value_get_blob (JsonObject *value)
{
  JsonNode *node = json_object_get_member (value, "base64");
  g_autoptr(GString) padded = NULL;
  const char *text;
  guchar *data;
  gsize len;

  if (!json_object_has_member (value, "type") ||
      g_strcmp0 (json_object_get_string_member (value, "type"), "blob") != 0 ||
      node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  text = json_node_get_string (node);
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
      return NULL;

  /* g_base64_decode() needs whole groups of four */
  padded = g_string_new (text);
  while (padded->len % 4 != 0)
    g_string_append_c (padded, '=');
  data = g_base64_decode (padded->str, &len);

  return g_bytes_new_take (data, len);
}

JsonNode *
_pgqrs_hrana_value_null (void)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "null");
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

JsonNode *
_pgqrs_hrana_stmt_new (const char *sql,
                       JsonArray  *args)
{
  JsonObject *stmt = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (stmt, "sql", sql);
  if (args != NULL)
    json_object_set_array_member (stmt, "args", json_array_ref (args));
  json_node_take_object (node, stmt);

  return node;
}

static JsonNode *
request_new (const char *type,
             const char *member,
             JsonNode   *value)
{
  JsonObject *request = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (request, "type", type);
  if (member != NULL)
    json_object_set_member (request, member, value);
  json_node_take_object (node, request);

  return node;
}

/* Errors */

static gboolean
malformed (PgqrsHrana  *self,
           const char  *what,
           GError     **error)
{
  g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
               _("The libSQL server at %s sent a malformed response: %s"),
               self->url, what);
  return FALSE;
}

/* A server's message, with any copy of the token taken out: some proxies
 * echo the request's headers into their error pages. */
static char *
scrub (PgqrsHrana *self,
       const char *text,
       gssize      len)
{
  g_autofree char *valid = g_utf8_make_valid (text, len);
  GString *out = g_string_new (valid);

  if (self->auth_header != NULL)
    g_string_replace (out, self->auth_header + strlen ("Bearer "), "***", 0);

  return g_string_free (out, FALSE);
}

/* SQLite's extended result code for a server's error message: neither
 * engine sends one (sqld says "SQLITE_CONSTRAINT", tursodb
 * "EXECUTE_ERROR"), but both keep SQLite's wording. */
static int
errcode_from_message (const char *message,
                      const char *code)
{
  if (strstr (message, "FOREIGN KEY constraint failed"))
    return SQLITE_CONSTRAINT_FOREIGNKEY;
  if (strstr (message, "UNIQUE constraint failed"))
    return SQLITE_CONSTRAINT_UNIQUE;
  if (strstr (message, "NOT NULL constraint failed"))
    return SQLITE_CONSTRAINT_NOTNULL;
  if (strstr (message, "CHECK constraint failed"))
    return SQLITE_CONSTRAINT_CHECK;
  if (strstr (message, "constraint failed") || (code && g_str_has_prefix (code, "SQLITE_CONSTRAINT")))
    return SQLITE_CONSTRAINT;
  if (strstr (message, "database is locked") || (code && g_str_equal (code, "SQLITE_BUSY")))
    return SQLITE_BUSY;
  return SQLITE_ERROR;
}

/* Turns a Hrana error object into a GError, as the SQLite backend turns
 * SQLite's errors: constraint → CONFLICT, a missing table → SCHEMA_MISSING. */
static void
set_statement_error (PgqrsHrana  *self,
                     JsonObject  *object,
                     GError     **error)
{
  const char *message = NULL;
  const char *code = NULL;

  if (object != NULL && json_object_has_member (object, "message") &&
      JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "message")))
    message = json_object_get_string_member (object, "message");
  if (object != NULL && json_object_has_member (object, "code") &&
      JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "code")))
    code = json_object_get_string_member (object, "code");
  if (message == NULL)
    message = _("unknown error");

  self->errcode = errcode_from_message (message, code);

  {
    g_autofree char *text = scrub (self, message, -1);
    const char *what = self->operation ? self->operation : _("run a statement");

    if ((self->errcode & 0xff) == SQLITE_CONSTRAINT)
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONFLICT,
                   _("Cannot %s in %s: %s (%s)"), what, self->url, text, code ? code : "");
    else if (strstr (message, "no such table"))
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_SCHEMA_MISSING,
                   _("Cannot %s in %s: %s; run pgqrs_store_install() first"),
                   what, self->url, text);
    else
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_DATABASE,
                   _("Cannot %s in %s: %s (%s)"), what, self->url, text, code ? code : "");
  }
}

/* HTTP */

static SoupSession *
get_session (PgqrsHrana *self)
{
  if (self->session == NULL)
    self->session = soup_session_new_with_options ("timeout", self->timeout_s,
                                                   "idle-timeout", 60,
                                                   "user-agent", "pgqrs/" PACKAGE_VERSION,
                                                   NULL);
  return self->session;
}

/* @body as JSON text.  json-glib 1.6 leaves the control character U+001F
 * raw inside strings, which JSON forbids and sqld refuses; compact output
 * has no raw control characters anywhere else, so each one left is
 * escaped here. */
static char *
body_to_text (JsonNode *body,
              gsize    *len)
{
  g_autofree char *text = json_to_string (body, FALSE);
  GString *out = g_string_sized_new (strlen (text) + 16);

  for (const char *p = text; *p != '\0'; p++)
    {
      if ((guchar)*p < 0x20)
        g_string_append_printf (out, "\\u%04x", (guchar)*p);
      else
        g_string_append_c (out, *p);
    }

  *len = out->len;
  return g_string_free (out, FALSE);
}

/* POSTs @body to @path, returns the parsed JSON answer.  @status_out gets
 * the HTTP status of an answer that is not 200 (then NULL is returned with
 * @error set); @refused (if not NULL), whether the server refused the
 * connection, so that the request certainly never reached it. */
static JsonNode *
post_json (PgqrsHrana  *self,
           const char  *base,
           const char  *path,
           JsonNode    *body,
           guint       *status_out,
           gboolean    *refused,
           GError     **error)
{
  g_autofree char *url = g_strconcat (base, path, NULL);
  g_autofree char *text = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  const char *data;
  gsize size;
  guint status;

  if (status_out != NULL)
    *status_out = 0;
  if (refused != NULL)
    *refused = FALSE;

  if (!(msg = soup_message_new ("POST", url)))
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_CONFIG,
                   _("“%s” is not a valid URL for a libSQL server"), self->url);
      return NULL;
    }

  if (self->auth_header != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg),
                                  "Authorization", self->auth_header);
  text = body_to_text (body, &size);
  request = g_bytes_new_take (g_steal_pointer (&text), size);
  soup_message_set_request_body_from_bytes (msg, "application/json", request);

  response = soup_session_send_and_read (get_session (self), msg, NULL, &local_error);
  if (response == NULL)
    {
      if (refused != NULL)
        *refused = g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
      /* The request reached the server, which may yet carry it out: the
       * caller must not take it as undone. */
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                     _("The libSQL server at %s did not answer within %u s; what the request did is unknown"),
                     self->url, self->timeout_s);
      else
        g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                     _("Cannot reach the libSQL server at %s: %s"), self->url, local_error->message);
      return NULL;
    }

  status = soup_message_get_status (msg);
  data = g_bytes_get_data (response, &size);

  if (status != SOUP_STATUS_OK)
    {
      g_autofree char *quoted = scrub (self, data ? data : "", MIN (size, MAX_QUOTED_BYTES));

      if (status_out != NULL)
        *status_out = status;
      g_strstrip (quoted);
      if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
        g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                     _("The libSQL server at %s refused the %s (HTTP %u): %s"),
                     self->url,
                     self->auth_header ? _("authentication token") : _("request without a token"),
                     status, quoted);
      else
        g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                     _("The libSQL server at %s answered HTTP %u %s: %s"),
                     self->url, status, soup_status_get_phrase (status), quoted);
      return NULL;
    }

  if (size > MAX_RESPONSE_BYTES)
    {
      malformed (self, _("the response is too large"), error);
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data ? data : "", size, &local_error))
    {
      malformed (self, local_error->message, error);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      malformed (self, _("the response is not a JSON object"), error);
      return NULL;
    }

  return json_node_ref (json_parser_get_root (parser));
}

static JsonArray *
pipeline (PgqrsHrana  *self,
          const char  *path,
          JsonArray   *requests,
          guint       *status_out,
          GError     **error)
{
  g_autoptr(JsonArray) owned = requests;
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) answer = NULL;
  JsonObject *object = json_object_new ();
  JsonObject *root;
  JsonNode *results;
  JsonNode *baton;
  JsonNode *base_url;
  guint n_requests = json_array_get_length (requests);
  gboolean took;
  gboolean reset = FALSE;
  gboolean refused = FALSE;

  /* a transaction holds the connection already, until its end */
  took = !self->holding;
  take_connection (self);

  /* Nothing sent since the lock was taken: the engine's process may have
   * stopped it in between (it takes the lock to do so, so never under a
   * request), and the requests follow it to wherever it runs now. */
  if (self->fresh_hold && self->locate != NULL && !relocate (self, FALSE, error))
    {
      close_stream (self);
      if (took)
        give_connection (self);
      return NULL;
    }

  if (self->fresh_hold)
    {
      /* tursodb's one connection: a store killed inside a transaction
       * leaves it open for whoever comes next.  No live transaction can be
       * open now (each holds the lock to its end), so a ROLLBACK first
       * ends only an abandoned one; "no transaction is active" otherwise,
       * which is ignored. */
      JsonArray *prefixed = json_array_sized_new (n_requests + 1);

      json_array_add_element (prefixed, request_new ("execute", "stmt",
                                                     _pgqrs_hrana_stmt_new ("ROLLBACK", NULL)));
      for (guint i = 0; i < n_requests; i++)
        json_array_add_element (prefixed, json_node_ref (json_array_get_element (requests, i)));
      json_array_unref (owned);
      owned = requests = prefixed;
      self->fresh_hold = FALSE;
      reset = TRUE;
    }

  if (self->baton != NULL)
    json_object_set_string_member (object, "baton", self->baton);
  else
    json_object_set_null_member (object, "baton");
  json_object_set_array_member (object, "requests", json_array_ref (requests));
  json_node_take_object (body, object);

  answer = post_json (self, self->stream_url ? self->stream_url : self->url, path, body,
                      status_out, &refused, error);
  if (answer == NULL && refused && reset && self->locate != NULL)
    {
      /* The engine is gone (killed, not stopped) and the request never
       * reached it; nor did anything else since the lock was taken, so it
       * is sent again, whatever it does, to the engine started anew. */
      g_clear_error (error);
      if (relocate (self, TRUE, error))
        answer = post_json (self, self->url, path, body, status_out, NULL, error);
    }
  if (took)
    give_connection (self);
  if (answer == NULL)
    {
      /* The stream is gone with the request: the server drops a stream
       * whose request failed, and a restarted server knows no batons. */
      close_stream (self);
      return NULL;
    }

  root = json_node_get_object (answer);
  results = json_object_get_member (root, "results");
  if (results == NULL || !JSON_NODE_HOLDS_ARRAY (results) ||
      json_array_get_length (json_node_get_array (results)) != n_requests + reset)
    {
      close_stream (self);
      malformed (self, _("the results do not match the requests"), error);
      return NULL;
    }

  for (guint i = reset; i < n_requests + reset; i++)
    {
      JsonNode *result = json_array_get_element (json_node_get_array (results), i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (result) ? json_node_get_object (result) : NULL;
      JsonNode *type = o ? json_object_get_member (o, "type") : NULL;
      const char *t = type && JSON_NODE_HOLDS_VALUE (type) &&
                      json_node_get_value_type (type) == G_TYPE_STRING
                      ? json_node_get_string (type) : NULL;

      if (t == NULL || (!g_str_equal (t, "ok") && !g_str_equal (t, "error")) ||
          (g_str_equal (t, "ok") && !(json_object_has_member (o, "response") &&
                                      JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "response")))) ||
          (g_str_equal (t, "error") && !(json_object_has_member (o, "error") &&
                                         JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "error")))))
        {
          close_stream (self);
          malformed (self, _("a result is neither ok nor an error"), error);
          return NULL;
        }
    }

  baton = json_object_get_member (root, "baton");
  g_clear_pointer (&self->baton, g_free);
  if (baton != NULL && JSON_NODE_HOLDS_VALUE (baton) &&
      json_node_get_value_type (baton) == G_TYPE_STRING)
    self->baton = g_strdup (json_node_get_string (baton));

  /* sqld behind a load balancer names the server that holds the stream */
  base_url = json_object_get_member (root, "base_url");
  if (self->baton != NULL && base_url != NULL && JSON_NODE_HOLDS_VALUE (base_url) &&
      json_node_get_value_type (base_url) == G_TYPE_STRING)
    {
      g_free (self->stream_url);
      self->stream_url = g_strdup (json_node_get_string (base_url));
    }
  else if (self->baton == NULL)
    g_clear_pointer (&self->stream_url, g_free);

  if (reset)
    {
      /* the caller sees the results of its own requests */
      JsonArray *own = json_array_sized_new (n_requests);

      for (guint i = 1; i <= n_requests; i++)
        json_array_add_element (own, json_node_ref (json_array_get_element (json_node_get_array (results), i)));
      return own;
    }

  return json_array_ref (json_node_get_array (results));
}

JsonArray *
_pgqrs_hrana_pipeline (PgqrsHrana  *self,
                       JsonArray   *requests,
                       GError     **error)
{
  return pipeline (self, dialects[self->dialect].pipeline_path, requests, NULL, error);
}

/* The response of a result that pipeline() checked, or NULL with @error
 * set from the result's error. */
static JsonObject *
result_response (PgqrsHrana  *self,
                 JsonArray   *results,
                 guint        index,
                 GError     **error)
{
  JsonObject *result = json_array_get_object_element (results, index);

  if (g_str_equal (json_object_get_string_member (result, "type"), "error"))
    {
      set_statement_error (self, json_object_get_object_member (result, "error"), error);
      return NULL;
    }

  return json_object_get_object_member (result, "response");
}

/* An execute or batch-step result, checked: an object with rows. */
static gboolean
check_result (PgqrsHrana  *self,
              JsonNode    *result,
              GError     **error)
{
  JsonNode *rows;

  if (result == NULL || !JSON_NODE_HOLDS_OBJECT (result))
    return malformed (self, _("a statement has no result"), error);

  rows = json_object_get_member (json_node_get_object (result), "rows");
  if (rows == NULL || !JSON_NODE_HOLDS_ARRAY (rows))
    return malformed (self, _("an execute result has no rows"), error);

  for (guint i = 0; i < json_array_get_length (json_node_get_array (rows)); i++)
    if (!JSON_NODE_HOLDS_ARRAY (json_array_get_element (json_node_get_array (rows), i)))
      return malformed (self, _("a row is not an array"), error);

  return TRUE;
}

/* The first column of the first row of a checked result, as an integer. */
static gint64
first_value (JsonNode *result)
{
  JsonArray *rows = json_object_get_array_member (json_node_get_object (result), "rows");
  JsonArray *row;
  JsonNode *node;
  const char *text = NULL;

  if (json_array_get_length (rows) < 1)
    return 0;
  row = json_array_get_array_element (rows, 0);
  node = json_array_get_length (row) > 0 ? json_array_get_element (row, 0) : NULL;
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
      json_object_has_member (json_node_get_object (node), "value") &&
      JSON_NODE_HOLDS_VALUE (json_object_get_member (json_node_get_object (node), "value")))
    text = json_object_get_string_member (json_node_get_object (node), "value");

  return text ? g_ascii_strtoll (text, NULL, 10) : 0;
}

static gint64
affected_rows (JsonNode *result)
{
  JsonObject *object = json_node_get_object (result);
  JsonNode *count = json_object_get_member (object, "affected_row_count");

  return count && JSON_NODE_HOLDS_VALUE (count) ? json_node_get_int (count) : 0;
}

/* Connecting */

static JsonArray *
probe_requests (gboolean with_close)
{
  JsonArray *requests = json_array_new ();

  json_array_add_element (requests, request_new ("execute", "stmt",
                                                  _pgqrs_hrana_stmt_new ("SELECT 1", NULL)));
  if (with_close)
    json_array_add_element (requests, request_new ("close", NULL, NULL));

  return requests;
}

gboolean
_pgqrs_hrana_connect (PgqrsHrana  *self,
                      GError     **error)
{
  g_autoptr(JsonArray) results = NULL;
  g_autoptr(GError) local_error = NULL;
  guint status = 0;

  close_stream (self);

  /* sqld and Turso Cloud speak Hrana 3; tursodb answers 404 there and
   * speaks a part of Hrana 2 that has no "close". */
  results = pipeline (self, "/v3/pipeline", probe_requests (TRUE), &status, &local_error);
  if (results == NULL && status == SOUP_STATUS_NOT_FOUND)
    {
      g_clear_error (&local_error);
      results = pipeline (self, "/v2/pipeline", probe_requests (TRUE), &status, &local_error);
      if (results != NULL)
        self->dialect = PGQRS_HRANA_DIALECT_FULL;   /* an older sqld */
      else if (status == SOUP_STATUS_INTERNAL_SERVER_ERROR || status == SOUP_STATUS_BAD_REQUEST)
        {
          g_clear_error (&local_error);
          results = pipeline (self, "/v2/pipeline", probe_requests (FALSE), &status, &local_error);
          self->dialect = PGQRS_HRANA_DIALECT_TURSODB;
        }
    }
  else
    self->dialect = PGQRS_HRANA_DIALECT_FULL;

  if (results == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  close_stream (self);
  if (!result_response (self, results, 0, error))
    return FALSE;

  self->connected = TRUE;
  return TRUE;
}

/* Batches */

JsonNode *
_pgqrs_hrana_cond_ok (guint step)
{
  JsonObject *cond = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (cond, "type", "ok");
  json_object_set_int_member (cond, "step", step);
  json_node_take_object (node, cond);

  return node;
}

JsonNode *
_pgqrs_hrana_cond_not (JsonNode *inner)
{
  JsonObject *cond = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (cond, "type", "not");
  json_object_set_member (cond, "cond", inner);
  json_node_take_object (node, cond);

  return node;
}

void
_pgqrs_hrana_batch_add (JsonArray *steps,
                        JsonNode  *stmt,
                        JsonNode  *condition)
{
  JsonObject *step = json_object_new ();

  json_object_set_member (step, "stmt", stmt);
  if (condition != NULL)
    json_object_set_member (step, "condition", condition);
  json_array_add_object_element (steps, step);
}

/* One request carrying @steps (transfer full); *@failed_step is the index
 * of the first step that failed, or -1. */
static JsonArray *
batch_once (PgqrsHrana  *self,
            JsonArray   *steps,
            int         *failed_step,
            GError     **error)
{
  const DialectInfo *info = &dialects[self->dialect];
  g_autoptr(JsonArray) requests = json_array_new ();
  g_autoptr(JsonArray) results = NULL;
  JsonObject *batch = json_object_new ();
  JsonNode *batch_node = json_node_new (JSON_NODE_OBJECT);
  guint n_steps = json_array_get_length (steps);
  JsonObject *response;
  JsonObject *result;
  JsonNode *step_results;
  JsonNode *step_errors;

  json_object_set_array_member (batch, "steps", steps);
  json_node_take_object (batch_node, batch);
  json_array_add_element (requests, request_new ("batch", "batch", batch_node));
  if (info->has_close && !self->in_transaction)
    json_array_add_element (requests, request_new ("close", NULL, NULL));

  if (!(results = pipeline (self, info->pipeline_path, g_steal_pointer (&requests), NULL, error)))
    return NULL;
  if (!self->in_transaction)
    close_stream (self);

  if (!(response = result_response (self, results, 0, error)))
    return NULL;

  if (!json_object_has_member (response, "result") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (response, "result")))
    {
      malformed (self, _("a batch response has no result"), error);
      return NULL;
    }
  result = json_object_get_object_member (response, "result");
  step_results = json_object_get_member (result, "step_results");
  step_errors = json_object_get_member (result, "step_errors");
  if (step_results == NULL || !JSON_NODE_HOLDS_ARRAY (step_results) ||
      step_errors == NULL || !JSON_NODE_HOLDS_ARRAY (step_errors) ||
      json_array_get_length (json_node_get_array (step_results)) != n_steps ||
      json_array_get_length (json_node_get_array (step_errors)) != n_steps)
    {
      malformed (self, _("a batch result does not match its steps"), error);
      return NULL;
    }

  for (guint i = 0; i < n_steps; i++)
    {
      JsonNode *step_error = json_array_get_element (json_node_get_array (step_errors), i);

      if (JSON_NODE_HOLDS_OBJECT (step_error))
        {
          *failed_step = (int)i;
          set_statement_error (self, json_node_get_object (step_error), error);
          return NULL;
        }
    }

  return json_array_ref (json_node_get_array (step_results));
}

/* The longest pause between two tries of a request refused for the lock. */
#define MAX_BUSY_PAUSE_MS 50

/*
 * A request whose first step was refused with "database is locked" ran
 * nothing: the steps behind it run only if the one before succeeded, and
 * a statement that fails leaves no change behind.  sqld 0.24 refuses a
 * BEGIN IMMEDIATE that way, at once, around a checkpoint of its WAL while
 * other streams write (docs/backends.md), where SQLite's own busy handler
 * would have waited.  So the request is
 * sent again, after a pause that grows to MAX_BUSY_PAUSE_MS, for as long as
 * PgqrsConfig:busy-timeout allows, as a SQLite connection would wait; then
 * the caller sees the server's error.
 */
JsonArray *
_pgqrs_hrana_batch (PgqrsHrana  *self,
                    JsonArray   *steps,
                    GError     **error)
{
  g_autoptr(JsonArray) owned = steps;
  gint64 deadline = -1;
  guint pause_ms = 1;

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      int failed_step = -1;
      JsonArray *results = batch_once (self, json_array_ref (steps), &failed_step, &local_error);
      gint64 now;

      if (results != NULL)
        return results;

      now = g_get_monotonic_time ();
      if (deadline < 0)
        deadline = now + (gint64)self->busy_timeout_ms * 1000;
      if (failed_step != 0 || (self->errcode & 0xff) != SQLITE_BUSY || now >= deadline)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      g_usleep (MIN ((gint64)pause_ms * 1000, deadline - now));
      pause_ms = MIN (pause_ms * 2, MAX_BUSY_PAUSE_MS);
    }
}

void
_pgqrs_hrana_set_busy_timeout (PgqrsHrana *self,
                               guint       busy_timeout_ms)
{
  self->busy_timeout_ms = busy_timeout_ms;
}

gboolean
_pgqrs_hrana_batch_atomic (PgqrsHrana  *self,
                           GPtrArray   *statements,
                           GError      **error)
{
  g_autoptr(JsonArray) steps = json_array_new ();
  g_autoptr(JsonArray) results = NULL;
  guint commit;

  _pgqrs_hrana_batch_add (steps, _pgqrs_hrana_stmt_new ("BEGIN IMMEDIATE", NULL), NULL);
  for (guint i = 0; i < statements->len; i++)
    _pgqrs_hrana_batch_add (steps, _pgqrs_hrana_stmt_new (g_ptr_array_index (statements, i), NULL),
                            _pgqrs_hrana_cond_ok (i));
  commit = statements->len + 1;
  _pgqrs_hrana_batch_add (steps, _pgqrs_hrana_stmt_new ("COMMIT", NULL),
                          _pgqrs_hrana_cond_ok (commit - 1));
  _pgqrs_hrana_batch_add (steps, _pgqrs_hrana_stmt_new ("ROLLBACK", NULL),
                          _pgqrs_hrana_cond_not (_pgqrs_hrana_cond_ok (commit)));

  results = _pgqrs_hrana_batch (self, g_steal_pointer (&steps), error);

  return results != NULL;
}

GPtrArray *
_pgqrs_hrana_split_script (const char *sql)
{
  GPtrArray *statements = g_ptr_array_new_with_free_func (g_free);
  GString *current = g_string_new (NULL);

  /* sqlite3_complete() knows SQLite's lexer: a ";" inside a string, a
   * comment or a trigger body does not end the statement. */
  for (const char *p = sql; *p != '\0'; p++)
    {
      g_string_append_c (current, *p);
      if (*p == ';' && sqlite3_complete (current->str))
        {
          g_strstrip (current->str);
          if (strcmp (current->str, ";") != 0)
            g_ptr_array_add (statements, g_strdup (current->str));
          g_string_truncate (current, 0);
        }
    }

  /* a last statement without its ";" */
  g_strstrip (current->str);
  if (current->str[0] != '\0')
    g_ptr_array_add (statements, g_strdup (current->str));
  g_string_free (current, TRUE);

  return statements;
}

/* The number of parameters of @sql, as SQLite counts them: the highest
 * "?NNN", and each plain "?" one more than the highest before it.  sqld
 * refuses a statement sent with more or fewer values than that, where
 * SQLite binds NULL to a parameter left unbound. */
static guint
count_parameters (const char *sql)
{
  guint highest = 0;

  for (const char *p = sql; *p != '\0'; p++)
    {
      if (*p == '\'' || *p == '"' || *p == '`' || *p == '[')
        {
          char close = *p == '[' ? ']' : *p;

          for (p++; *p != '\0' && *p != close; p++)
            ;
          if (*p == '\0')
            break;
        }
      else if (p[0] == '-' && p[1] == '-')
        {
          while (*p != '\0' && *p != '\n')
            p++;
          if (*p == '\0')
            break;
        }
      else if (p[0] == '/' && p[1] == '*')
        {
          const char *end = strstr (p + 2, "*/");

          if (end == NULL)
            break;
          p = end + 1;
        }
      else if (*p == '?')
        {
          if (g_ascii_isdigit (p[1]))
            {
              char *end;
              guint64 n = g_ascii_strtoull (p + 1, &end, 10);

              highest = MAX (highest, (guint)MIN (n, G_MAXUINT));
              p = end - 1;
            }
          else
            highest++;
        }
    }

  return highest;
}

/* Runs one statement (a Hrana stmt object, transfer full) on the current
 * stream and returns its result.  It goes as a batch: behind a BEGIN still
 * to be sent, on condition that it succeeded, so that the statement never
 * runs outside its transaction; and on tursodb, whose results count no
 * rows, followed by SELECT changes() — all in one request. */
static JsonNode *
execute (PgqrsHrana  *self,
         JsonNode    *stmt,
         GError     **error)
{
  const DialectInfo *info = &dialects[self->dialect];
  g_autoptr(JsonArray) steps = json_array_new ();
  g_autoptr(JsonArray) results = NULL;
  guint index = 0;
  JsonNode *result;

  if (self->begin_pending)
    {
      _pgqrs_hrana_batch_add (steps, _pgqrs_hrana_stmt_new ("BEGIN IMMEDIATE", NULL), NULL);
      self->begin_pending = FALSE;
      index = 1;
    }
  _pgqrs_hrana_batch_add (steps, stmt, index > 0 ? _pgqrs_hrana_cond_ok (0) : NULL);
  if (!info->counts_rows)
    _pgqrs_hrana_batch_add (steps, _pgqrs_hrana_stmt_new ("SELECT changes()", NULL),
                            _pgqrs_hrana_cond_ok (index));

  if (!(results = _pgqrs_hrana_batch (self, g_steal_pointer (&steps), error)))
    return NULL;

  result = json_array_get_element (results, index);
  if (!check_result (self, result, error) ||
      (!info->counts_rows && !check_result (self, json_array_get_element (results, index + 1), error)))
    return NULL;

  self->changes = info->counts_rows ? affected_rows (result)
                                    : first_value (json_array_get_element (results, index + 1));
  if (self->changes > 0)
    self->parent.total_changes += self->changes;

  return json_node_ref (result);
}

static gboolean
execute_sql (PgqrsHrana  *self,
             const char  *sql,
             GError     **error)
{
  g_autoptr(JsonNode) result = execute (self, _pgqrs_hrana_stmt_new (sql, NULL), error);

  return result != NULL;
}

/* The PgqrsSqlDb implementation */

/* for args, which has NULL for parameters not bound */
static void
value_free (gpointer value)
{
  if (value != NULL)
    json_node_unref (value);
}

static PgqrsSqlStmt *
hrana_prepare (PgqrsSqlDb  *db,
               guint        id,
               const char  *sql,
               GError     **error)
{
  PgqrsHrana *self = (PgqrsHrana *)db;
  HranaStmt *stmt = g_hash_table_lookup (self->stmts, GUINT_TO_POINTER (id));

  if (stmt == NULL)
    {
      stmt = g_new0 (HranaStmt, 1);
      stmt->parent.klass = &hrana_db_class;
      stmt->client = self;
      stmt->sql = g_strdup (sql);
      stmt->n_params = count_parameters (sql);
      stmt->args = g_ptr_array_new_with_free_func (value_free);
      g_hash_table_insert (self->stmts, GUINT_TO_POINTER (id), stmt);
    }
  else
    {
      hrana_stmt_clear_result (stmt);
      g_ptr_array_set_size (stmt->args, 0);
      if (strcmp (stmt->sql, sql) != 0)
        {
          g_free (stmt->sql);
          stmt->sql = g_strdup (sql);
          stmt->n_params = count_parameters (sql);
        }
    }

  return &stmt->parent;
}

static void
bind (HranaStmt *stmt,
      int        index,
      JsonNode  *value)
{
  g_return_if_fail (index >= 1);

  if ((guint)index > stmt->args->len)
    g_ptr_array_set_size (stmt->args, index);
  if (stmt->args->pdata[index - 1] != NULL)
    json_node_unref (stmt->args->pdata[index - 1]);
  stmt->args->pdata[index - 1] = value;
}

static void
hrana_bind_int64 (PgqrsSqlStmt *stmt,
                  int           index,
                  gint64        value)
{
  bind ((HranaStmt *)stmt, index, _pgqrs_hrana_value_int (value));
}

static void
hrana_bind_double (PgqrsSqlStmt *stmt,
                   int           index,
                   double        value)
{
  bind ((HranaStmt *)stmt, index, _pgqrs_hrana_value_float (value));
}

static void
hrana_bind_text (PgqrsSqlStmt *stmt,
                 int           index,
                 const char   *text)
{
  bind ((HranaStmt *)stmt, index, text ? _pgqrs_hrana_value_text (text) : _pgqrs_hrana_value_null ());
}

static void
hrana_bind_null (PgqrsSqlStmt *stmt,
                 int           index)
{
  bind ((HranaStmt *)stmt, index, _pgqrs_hrana_value_null ());
}

static void
hrana_reset (PgqrsSqlStmt *stmt)
{
  hrana_stmt_clear_result ((HranaStmt *)stmt);
}

static int
hrana_step (PgqrsSqlDb    *db,
            PgqrsSqlStmt  *base,
            GError       **error)
{
  PgqrsHrana *self = (PgqrsHrana *)db;
  HranaStmt *stmt = (HranaStmt *)base;

  if (stmt->result == NULL)
    {
      g_autoptr(JsonArray) args = json_array_new ();

      for (guint i = 0; i < MAX (stmt->args->len, stmt->n_params); i++)
        json_array_add_element (args, i < stmt->args->len && stmt->args->pdata[i]
                                      ? json_node_ref (stmt->args->pdata[i])
                                      : _pgqrs_hrana_value_null ());

      if (!(stmt->result = execute (self, _pgqrs_hrana_stmt_new (stmt->sql, args), error)))
        return 0;
      stmt->rows = json_object_get_array_member (json_node_get_object (stmt->result), "rows");
      stmt->next_row = 0;
    }

  if (stmt->next_row < json_array_get_length (stmt->rows))
    {
      stmt->row = json_array_get_array_element (stmt->rows, stmt->next_row++);
      return PGQRS_SQL_ROW;
    }

  stmt->row = NULL;
  return PGQRS_SQL_DONE;
}

/* The value object of column @column of the current row, or NULL. */
static JsonObject *
column_value (PgqrsSqlStmt *base,
              int           column,
              const char  **type)
{
  HranaStmt *stmt = (HranaStmt *)base;
  JsonNode *node;
  JsonObject *value;

  *type = "null";
  if (stmt->row == NULL || column < 0 || (guint)column >= json_array_get_length (stmt->row))
    return NULL;
  node = json_array_get_element (stmt->row, column);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  value = json_node_get_object (node);
  if (!json_object_has_member (value, "type") ||
      !JSON_NODE_HOLDS_VALUE (json_object_get_member (value, "type")))
    return NULL;
  *type = json_object_get_string_member (value, "type");

  return value;
}

/* The member "value" of a value object as a string, or NULL. */
static const char *
value_string (JsonObject *value)
{
  JsonNode *node = value ? json_object_get_member (value, "value") : NULL;

  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
}

static double
value_double (JsonObject *value)
{
  JsonNode *node = value ? json_object_get_member (value, "value") : NULL;

  return node && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_double (node) : 0.0;
}

static PgqrsSqlType
hrana_column_type (PgqrsSqlStmt *stmt,
                   int           column)
{
  const char *type;

  column_value (stmt, column, &type);
  if (g_str_equal (type, "integer"))
    return PGQRS_SQL_INTEGER;
  if (g_str_equal (type, "float"))
    return PGQRS_SQL_FLOAT;
  if (g_str_equal (type, "text"))
    return PGQRS_SQL_TEXT;
  if (g_str_equal (type, "blob"))
    return PGQRS_SQL_BLOB;
  return PGQRS_SQL_NULL;
}

static gint64
hrana_column_int64 (PgqrsSqlStmt *stmt,
                    int           column)
{
  const char *type;
  JsonObject *value = column_value (stmt, column, &type);

  if (g_str_equal (type, "integer") || g_str_equal (type, "text"))
    {
      const char *text = value_string (value);

      return text ? g_ascii_strtoll (text, NULL, 10) : 0;
    }
  if (g_str_equal (type, "float"))
    return (gint64)value_double (value);
  return 0;
}

static double
hrana_column_double (PgqrsSqlStmt *stmt,
                     int           column)
{
  const char *type;
  JsonObject *value = column_value (stmt, column, &type);

  if (g_str_equal (type, "float"))
    return value_double (value);
  if (g_str_equal (type, "integer") || g_str_equal (type, "text"))
    {
      const char *text = value_string (value);

      return text ? g_ascii_strtod (text, NULL) : 0.0;
    }
  return 0.0;
}

static const char *
hrana_column_text (PgqrsSqlStmt *stmt,
                   int           column)
{
  const char *type;
  JsonObject *value = column_value (stmt, column, &type);

  /* Integers come as text already; floats are not read as text by any
   * statement of ours. */
  if (g_str_equal (type, "text") || g_str_equal (type, "integer"))
    return value_string (value);
  return NULL;
}

static int
hrana_changes (PgqrsSqlDb *db)
{
  return (int)((PgqrsHrana *)db)->changes;
}

static gboolean
hrana_begin (PgqrsSqlDb  *db,
             GError     **error)
{
  PgqrsHrana *self = (PgqrsHrana *)db;

  g_return_val_if_fail (!self->in_transaction, FALSE);

  /* On sqld the stream BEGIN opens is kept by its baton; on tursodb the
   * one shared connection keeps the transaction.  BEGIN itself travels
   * with the first statement: one request fewer per transaction. */
  take_connection (self);
  self->in_transaction = TRUE;
  self->begin_pending = TRUE;

  return TRUE;
}

static gboolean
end_transaction (PgqrsHrana  *self,
                 const char  *sql,
                 GError     **error)
{
  gboolean ok;

  /* the statement closes the stream behind it */
  self->in_transaction = FALSE;
  ok = execute_sql (self, sql, error);
  close_stream (self);

  return ok;
}

static void
hrana_rollback (PgqrsSqlDb *db)
{
  PgqrsHrana *self = (PgqrsHrana *)db;

  if (!self->in_transaction)
    {
      /* A request that failed on the way ended the transaction (its
       * stream went with it), but the connection lock is still held. */
      give_connection (self);
      return;
    }

  if (self->begin_pending)
    {
      /* nothing was sent */
      close_stream (self);
      give_connection (self);
      return;
    }

  /* On sqld a stream that is already gone has taken its transaction
   * with it; either way there is nothing left to undo. */
  if (dialects[self->dialect].has_batons && self->baton == NULL)
    close_stream (self);
  else
    end_transaction (self, "ROLLBACK", NULL);
  give_connection (self);
}

static gboolean
hrana_commit (PgqrsSqlDb  *db,
              GError     **error)
{
  PgqrsHrana *self = (PgqrsHrana *)db;
  gboolean had_stream = self->baton != NULL || !dialects[self->dialect].has_batons;

  g_return_val_if_fail (self->in_transaction, FALSE);

  if (self->begin_pending)
    {
      /* an empty transaction: nothing was sent, nothing to commit */
      close_stream (self);
      give_connection (self);
      return TRUE;
    }

  if (!had_stream)
    {
      /* sqld dropped the stream (an error, a restart): the transaction
       * is gone, and COMMIT on a new stream would commit nothing. */
      close_stream (self);
      give_connection (self);
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_CONNECTION,
                   _("The libSQL server at %s lost the transaction before it was committed"),
                   self->url);
      return FALSE;
    }

  if (!end_transaction (self, "COMMIT", error))
    {
      /* tursodb keeps a transaction whose COMMIT failed */
      if (!dialects[self->dialect].has_batons)
        {
          g_autoptr(GError) ignored = NULL;

          execute_sql (self, "ROLLBACK", &ignored);
        }
      give_connection (self);
      return FALSE;
    }

  give_connection (self);
  return TRUE;
}

static gboolean
hrana_exec (PgqrsSqlDb  *db,
            const char  *sql,
            GError     **error)
{
  PgqrsHrana *self = (PgqrsHrana *)db;
  g_autoptr(GPtrArray) statements = _pgqrs_hrana_split_script (sql);
  g_autoptr(JsonArray) steps = NULL;
  g_autoptr(JsonArray) results = NULL;

  if (statements->len == 0)
    return TRUE;

  if (!self->in_transaction)
    return _pgqrs_hrana_batch_atomic (self, statements, error);

  /* inside the transaction: each statement on condition of the one before,
   * the first behind the BEGIN still to be sent */
  steps = json_array_new ();
  if (self->begin_pending)
    {
      g_ptr_array_insert (statements, 0, g_strdup ("BEGIN IMMEDIATE"));
      self->begin_pending = FALSE;
    }
  for (guint i = 0; i < statements->len; i++)
    _pgqrs_hrana_batch_add (steps, _pgqrs_hrana_stmt_new (g_ptr_array_index (statements, i), NULL),
                            i > 0 ? _pgqrs_hrana_cond_ok (i - 1) : NULL);
  results = _pgqrs_hrana_batch (self, g_steal_pointer (&steps), error);

  return results != NULL;
}

static int
hrana_errcode (PgqrsSqlDb *db)
{
  return ((PgqrsHrana *)db)->errcode;
}

static void
hrana_set_operation (PgqrsSqlDb *db,
                     const char *operation)
{
  ((PgqrsHrana *)db)->operation = operation;
}

static const PgqrsSqlDbClass hrana_db_class = {
  .prepare_sql = hrana_prepare,
  .step = hrana_step,
  .reset = hrana_reset,
  .bind_int64 = hrana_bind_int64,
  .bind_double = hrana_bind_double,
  .bind_text = hrana_bind_text,
  .bind_null = hrana_bind_null,
  .column_type = hrana_column_type,
  .column_int64 = hrana_column_int64,
  .column_double = hrana_column_double,
  .column_text = hrana_column_text,
  .changes = hrana_changes,
  .begin = hrana_begin,
  .commit = hrana_commit,
  .rollback = hrana_rollback,
  .exec = hrana_exec,
  .errcode = hrana_errcode,
  .set_operation = hrana_set_operation,
};
