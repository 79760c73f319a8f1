/* pgqrs-json.c — pgqrs's own JSON writer and reader
 *
 * json-glib 1.6 cannot be trusted with payloads: its generator writes some
 * doubles as text that is not JSON (1e18 becomes "1e+18.0"), and its parser
 * wraps an integer beyond 64 bits into a wrong one.  Every payload, workflow
 * input, step output, run output and error goes through these two instead
 * (semantics rule 26).
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "pgqrs-error.h"
#include "pgqrs-json.h"
#include "pgqrs-json-private.h"

/* An error is found deep inside a value; on the way back out every level
 * adds its own step of the path ("[3]", ".name"), innermost first, so a
 * payload that is fine costs nothing for the path. */
typedef struct
{
  GPtrArray *segments;
  char      *problem;
} Failure;

static gboolean
failure_set (Failure    *failure,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
failure_set (Failure    *failure,
             const char *format,
             ...)
{
  va_list args;

  va_start (args, format);
  failure->problem = g_strdup_vprintf (format, args);
  va_end (args);

  return FALSE;
}

static gboolean
is_identifier (const char *key,
               gsize       len)
{
  if (len == 0 || (!g_ascii_isalpha (key[0]) && key[0] != '_'))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!g_ascii_isalnum (key[i]) && key[i] != '_')
      return FALSE;
  return TRUE;
}

static void append_string (GString    *out,
                           const char *text,
                           gsize       len);

/* @key is UTF-8: a key that is not is reported on its object. */
static void
failure_add_key (Failure    *failure,
                 const char *key,
                 gsize       len)
{
  GString *segment = g_string_new (NULL);

  if (is_identifier (key, len))
    {
      g_string_append_c (segment, '.');
      g_string_append_len (segment, key, len);
    }
  else
    {
      g_string_append_c (segment, '[');
      append_string (segment, key, len);
      g_string_append_c (segment, ']');
    }
  g_ptr_array_add (failure->segments, g_string_free (segment, FALSE));
}

static void
failure_add_index (Failure *failure,
                   guint    index)
{
  g_ptr_array_add (failure->segments, g_strdup_printf ("[%u]", index));
}

static void
failure_report (Failure     *failure,
                int          code,
                const char  *prefix,
                GError     **error)
{
  g_autoptr(GString) path = g_string_new ("$");

  for (guint i = failure->segments->len; i > 0; i--)
    g_string_append (path, g_ptr_array_index (failure->segments, i - 1));

  g_set_error (error, PGQRS_ERROR, code, "%s%s: %s",
               prefix ? prefix : "", path->str, failure->problem);
}

static void
failure_clear (Failure *failure)
{
  g_clear_pointer (&failure->segments, g_ptr_array_unref);
  g_clear_pointer (&failure->problem, g_free);
}

static guint
depth_limit (const PgqrsJsonLimits *limits)
{
  if (limits != NULL && limits->max_depth > 0)
    return MIN (limits->max_depth, PGQRS_JSON_MAX_NESTING);
  return PGQRS_JSON_MAX_NESTING;
}

static gboolean
failure_too_deep (Failure               *failure,
                  const PgqrsJsonLimits *limits)
{
  if (limits != NULL && limits->max_depth > 0 && limits->max_depth <= PGQRS_JSON_MAX_NESTING)
    return failure_set (failure, _("the payload nests deeper than max-depth (%u)"),
                        limits->max_depth);
  return failure_set (failure, _("the value nests deeper than %u levels"),
                      (guint)PGQRS_JSON_MAX_NESTING);
}

/* --- writer ------------------------------------------------------------- */

static void
append_string (GString    *out,
               const char *text,
               gsize       len)
{
  const char *run = text;
  const char *end = text + len;

  g_string_append_c (out, '"');
  for (const char *p = text; p < end; p++)
    {
      guchar c = (guchar)*p;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;

      g_string_append_len (out, run, p - run);
      run = p + 1;
      switch (c)
        {
        case '"':  g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:   g_string_append_printf (out, "\\u%04x", c); break;
        }
    }
  g_string_append_len (out, run, end - run);
  g_string_append_c (out, '"');
}

/* The shortest of %.15g, %.16g and %.17g that reads back as @value (%.17g
 * always does).  A double keeps a fraction or an exponent, so that it reads
 * back as a double and -0.0 keeps its sign. */
static void
append_double (GString *out,
               double   value)
{
  static const char * const formats[] = { "%.15g", "%.16g", "%.17g" };
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buffer, sizeof buffer, formats[i], value);
      if (g_ascii_strtod (buffer, NULL) == value)
        break;
    }

  g_string_append (out, buffer);
  if (strpbrk (buffer, ".eE") == NULL)
    g_string_append (out, ".0");
}

typedef struct
{
  const PgqrsJsonLimits *limits;
  guint                  max_depth;
  GString               *out;
  Failure                failure;
} Writer;

static gboolean
check_utf8 (Failure    *failure,
            const char *what,
            const char *text,
            gsize       len)
{
  const char *bad;
  g_autofree char *shown = NULL;

  if (g_utf8_validate_len (text, len, &bad))
    return TRUE;

  shown = g_utf8_make_valid (text, len);
  return failure_set (failure, _("%s is not valid UTF-8 (byte %zu): “%s”"),
                      what, (gsize)(bad - text) + 1, shown);
}

static gboolean
write_node (Writer   *w,
            JsonNode *node,
            guint     depth)
{
  const PgqrsJsonLimits *limits = w->limits;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_NULL:
      g_string_append (w->out, "null");
      return TRUE;

    case JSON_NODE_VALUE:
      {
        GType type = json_node_get_value_type (node);

        if (type == G_TYPE_INT64)
          g_string_append_printf (w->out, "%" G_GINT64_FORMAT, json_node_get_int (node));
        else if (type == G_TYPE_BOOLEAN)
          g_string_append (w->out, json_node_get_boolean (node) ? "true" : "false");
        else if (type == G_TYPE_DOUBLE)
          {
            double value = json_node_get_double (node);

            if (isnan (value))
              return failure_set (&w->failure, _("NaN is not a JSON number"));
            if (isinf (value))
              return failure_set (&w->failure, _("%s is not a JSON number"),
                                  value > 0 ? "Infinity" : "-Infinity");
            append_double (w->out, value);
          }
        else if (type == G_TYPE_STRING && json_node_get_string (node) != NULL)
          {
            const char *text = json_node_get_string (node);
            gsize len = strlen (text);

            if (limits != NULL && limits->max_string > 0 && len > limits->max_string)
              return failure_set (&w->failure,
                                  _("a string of %zu bytes is longer than max-string-bytes (%zu)"),
                                  len, limits->max_string);
            if (!check_utf8 (&w->failure, _("the string"), text, len))
              return FALSE;
            append_string (w->out, text, len);
          }
        else
          return failure_set (&w->failure, _("the value (of type %s) has no JSON spelling"),
                              g_type_name (type));
        return TRUE;
      }

    case JSON_NODE_ARRAY:
    case JSON_NODE_OBJECT:
      if (depth + 1 > w->max_depth)
        return failure_too_deep (&w->failure, limits);

      if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);
          guint n = json_array_get_length (array);

          g_string_append_c (w->out, '[');
          for (guint i = 0; i < n; i++)
            {
              if (i > 0)
                g_string_append_c (w->out, ',');
              if (!write_node (w, json_array_get_element (array, i), depth + 1))
                {
                  failure_add_index (&w->failure, i);
                  return FALSE;
                }
            }
          g_string_append_c (w->out, ']');
        }
      else
        {
          JsonObjectIter iter;
          const char *member;
          JsonNode *child;
          gboolean first = TRUE;

          g_string_append_c (w->out, '{');
          json_object_iter_init_ordered (&iter, json_node_get_object (node));
          while (json_object_iter_next_ordered (&iter, &member, &child))
            {
              gsize len = strlen (member);

              if (!check_utf8 (&w->failure, _("a key"), member, len))
                return FALSE;
              if (limits != NULL && limits->max_key > 0 && len > limits->max_key)
                return failure_set (&w->failure,
                                    _("a key of %zu bytes is longer than max-key-bytes (%zu)"),
                                    len, limits->max_key);
              if (!first)
                g_string_append_c (w->out, ',');
              first = FALSE;
              append_string (w->out, member, len);
              g_string_append_c (w->out, ':');
              if (!write_node (w, child, depth + 1))
                {
                  failure_add_key (&w->failure, member, len);
                  return FALSE;
                }
            }
          g_string_append_c (w->out, '}');
        }
      return TRUE;

    default:
      return failure_set (&w->failure, _("the value has no JSON spelling"));
    }
}

char *
_pgqrs_json_write (JsonNode               *node,
                   const PgqrsJsonLimits  *limits,
                   const char             *prefix,
                   gsize                  *out_len,
                   GError                **error)
{
  g_autoptr(GString) out = g_string_sized_new (64);
  Writer w = { limits, depth_limit (limits), out, { g_ptr_array_new_with_free_func (g_free), NULL } };

  g_return_val_if_fail (node != NULL, NULL);

  if (!write_node (&w, node, 0))
    {
      failure_report (&w.failure, PGQRS_ERROR_VALIDATION, prefix, error);
      failure_clear (&w.failure);
      return NULL;
    }
  failure_clear (&w.failure);

  if (out_len != NULL)
    *out_len = out->len;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* --- reader ------------------------------------------------------------- */

typedef struct
{
  const char            *start;
  const char            *p;
  const char            *end;
  const PgqrsJsonLimits *limits;
  guint                  max_depth;
  gboolean               build;
  GString               *compact;
  const char            *copied;    /* @compact holds the text up to here */
  Failure                failure;
} Reader;

static inline gboolean
is_space (char c)
{
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static inline void
skip_space (Reader *r)
{
  const char *p = r->p;

  if (p >= r->end || !is_space (*p))
    return;

  if (r->compact != NULL && p > r->copied)
    g_string_append_len (r->compact, r->copied, p - r->copied);
  while (p < r->end && is_space (*p))
    p++;
  r->p = r->copied = p;
}

static gboolean
unexpected (Reader *r)
{
  gsize at = (gsize)(r->p - r->start) + 1;

  if (r->p >= r->end)
    return failure_set (&r->failure, _("not JSON: the text ends too early (at byte %zu)"), at);
  if (g_ascii_isgraph (*r->p))
    return failure_set (&r->failure, _("not JSON: unexpected “%c” at byte %zu"), *r->p, at);
  return failure_set (&r->failure, _("not JSON: unexpected byte 0x%02x at byte %zu"),
                      (guchar)*r->p, at);
}

static gboolean
read_hex4 (Reader   *r,
           gunichar *out)
{
  gunichar value = 0;

  if (r->end - r->p < 4)
    return unexpected (r);

  for (int i = 0; i < 4; i++, r->p++)
    {
      int digit = g_ascii_xdigit_value (*r->p);

      if (digit < 0)
        return unexpected (r);
      value = value * 16 + digit;
    }

  *out = value;
  return TRUE;
}

/* The string at r->p (its opening quote); its decoded bytes are appended to
 * @buffer (nullable) and counted in @decoded_len. */
static gboolean
read_string (Reader  *r,
             GString *buffer,
             gsize   *decoded_len)
{
  gsize len = 0;

  r->p++;
  for (;;)
    {
      const char *run = r->p;
      gunichar c;
      char utf8[6];

      while (r->p < r->end && *r->p != '"' && *r->p != '\\' && (guchar)*r->p >= 0x20)
        r->p++;

      if (r->p > run)
        {
          const char *bad;

          if (!g_utf8_validate_len (run, r->p - run, &bad))
            {
              r->p = bad;
              return failure_set (&r->failure, _("the string is not valid UTF-8 (byte %zu)"),
                                  (gsize)(bad - r->start) + 1);
            }
          if (buffer != NULL)
            g_string_append_len (buffer, run, r->p - run);
          len += r->p - run;
        }

      if (r->p >= r->end)
        return unexpected (r);
      if (*r->p == '"')
        {
          r->p++;
          break;
        }
      if (*r->p != '\\')
        return failure_set (&r->failure,
                            _("not JSON: a control character (0x%02x) in a string must be "
                              "escaped (byte %zu)"),
                            (guchar)*r->p, (gsize)(r->p - r->start) + 1);

      r->p++;
      if (r->p >= r->end)
        return unexpected (r);

      switch (*r->p++)
        {
        case '"':  c = '"'; break;
        case '\\': c = '\\'; break;
        case '/':  c = '/'; break;
        case 'b':  c = '\b'; break;
        case 'f':  c = '\f'; break;
        case 'n':  c = '\n'; break;
        case 'r':  c = '\r'; break;
        case 't':  c = '\t'; break;
        case 'u':
          if (!read_hex4 (r, &c))
            return FALSE;
          if (c >= 0xD800 && c <= 0xDBFF)
            {
              gunichar low;

              if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
                return failure_set (&r->failure,
                                    _("the string holds a lone surrogate \\u%04X (byte %zu)"),
                                    c, (gsize)(r->p - r->start));
              r->p += 2;
              if (!read_hex4 (r, &low))
                return FALSE;
              if (low < 0xDC00 || low > 0xDFFF)
                return failure_set (&r->failure,
                                    _("the string holds a lone surrogate \\u%04X (byte %zu)"),
                                    c, (gsize)(r->p - r->start));
              c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
            }
          else if (c >= 0xDC00 && c <= 0xDFFF)
            return failure_set (&r->failure,
                                _("the string holds a lone surrogate \\u%04X (byte %zu)"),
                                c, (gsize)(r->p - r->start));
          else if (c == 0)
            return failure_set (&r->failure,
                                _("the string holds U+0000, which a JsonNode cannot keep "
                                  "(byte %zu)"),
                                (gsize)(r->p - r->start));
          break;
        default:
          r->p--;
          return unexpected (r);
        }

      {
        int n = g_unichar_to_utf8 (c, utf8);

        if (buffer != NULL)
          g_string_append_len (buffer, utf8, n);
        len += n;
      }
    }

  *decoded_len = len;
  return TRUE;
}

static gboolean
read_number (Reader    *r,
             JsonNode **out)
{
  const char *start = r->p;
  const char *p = r->p;
  gboolean is_integer = TRUE;
  gboolean has_exponent = FALSE;
  char small[64];
  g_autofree char *large = NULL;
  char *text;
  gsize len;

  if (*p == '-')
    p++;
  if (p < r->end && *p == '0')
    {
      if (++p < r->end && g_ascii_isdigit (*p))
        {
          r->p = p;
          return unexpected (r);   /* JSON has no leading zero */
        }
    }
  else if (p < r->end && *p >= '1' && *p <= '9')
    while (p < r->end && g_ascii_isdigit (*p))
      p++;
  else
    {
      r->p = p;
      return unexpected (r);
    }

  if (p < r->end && *p == '.')
    {
      is_integer = FALSE;
      p++;
      if (p >= r->end || !g_ascii_isdigit (*p))
        {
          r->p = p;
          return unexpected (r);
        }
      while (p < r->end && g_ascii_isdigit (*p))
        p++;
    }

  if (p < r->end && (*p == 'e' || *p == 'E'))
    {
      is_integer = FALSE;
      has_exponent = TRUE;
      p++;
      if (p < r->end && (*p == '+' || *p == '-'))
        p++;
      if (p >= r->end || !g_ascii_isdigit (*p))
        {
          r->p = p;
          return unexpected (r);
        }
      while (p < r->end && g_ascii_isdigit (*p))
        p++;
    }

  r->p = p;
  len = p - start;

  /* Checking only: a number without an exponent and of fewer than 300
   * digits is always within the range of a double. */
  if (out == NULL && !has_exponent && len < 300)
    return TRUE;

  if (len < sizeof small)
    {
      memcpy (small, start, len);
      small[len] = '\0';
      text = small;
    }
  else
    text = large = g_strndup (start, len);

  if (is_integer)
    {
      gint64 value;

      errno = 0;
      value = g_ascii_strtoll (text, NULL, 10);
      if (errno != ERANGE)
        {
          if (out != NULL)
            *out = (value == 0 && text[0] == '-')
                   ? json_node_init_double (json_node_alloc (), -0.0)
                   : json_node_init_int (json_node_alloc (), value);
          return TRUE;
        }
      /* beyond 64 bits: the nearest double, never a wrapped integer */
    }

  {
    double value = g_ascii_strtod (text, NULL);

    if (!isfinite (value))
      {
        if (len > 40)
          memcpy (text + 37, "...", 4);
        return failure_set (&r->failure, _("the number %s is beyond the range of a double"), text);
      }
    if (out != NULL)
      *out = json_node_init_double (json_node_alloc (), value);
  }

  return TRUE;
}

static gboolean
read_literal (Reader     *r,
              const char *word,
              JsonNode  **out)
{
  gsize len = strlen (word);

  if ((gsize)(r->end - r->p) < len || memcmp (r->p, word, len) != 0)
    return unexpected (r);
  r->p += len;

  if (out == NULL)
    return TRUE;
  if (word[0] == 'n')
    *out = json_node_new (JSON_NODE_NULL);
  else
    *out = json_node_init_boolean (json_node_alloc (), word[0] == 't');
  return TRUE;
}

static gboolean read_value (Reader    *r,
                            guint      depth,
                            JsonNode **out);

/* After a member or an element: "," and more, or @close and the end. */
static gboolean
read_separator (Reader   *r,
                char      close,
                gboolean *closed)
{
  skip_space (r);
  if (r->p < r->end && (*r->p == ',' || *r->p == close))
    {
      *closed = *r->p++ == close;
      skip_space (r);
      return TRUE;
    }
  return unexpected (r);
}

/* The key whose string starts at @at, for the path of an error. */
static void
failure_add_key_at (Reader     *r,
                    const char *at)
{
  g_autoptr(GString) key = g_string_new (NULL);
  Reader sub = { r->start, at, r->end, NULL, 0, FALSE, NULL, NULL, { NULL, NULL } };
  gsize len;

  if (read_string (&sub, key, &len))
    failure_add_key (&r->failure, key->str, key->len);
  g_free (sub.failure.problem);
}

static gboolean
read_array (Reader    *r,
            guint      depth,
            JsonNode **out)
{
  g_autoptr(JsonArray) array = NULL;
  gboolean closed = FALSE;
  guint index = 0;

  if (depth + 1 > r->max_depth)
    return failure_too_deep (&r->failure, r->limits);

  if (out != NULL)
    array = json_array_new ();

  r->p++;
  skip_space (r);
  if (r->p < r->end && *r->p == ']')
    r->p++;
  else
    for (;; index++)
      {
        JsonNode *element = NULL;

        if (!read_value (r, depth + 1, out ? &element : NULL))
          {
            failure_add_index (&r->failure, index);
            return FALSE;
          }
        if (out != NULL)
          json_array_add_element (array, element);

        if (!read_separator (r, ']', &closed))
          return FALSE;
        if (closed)
          break;
      }

  if (out != NULL)
    *out = json_node_init_array (json_node_alloc (), array);
  return TRUE;
}

static gboolean
read_object (Reader    *r,
             guint      depth,
             JsonNode **out)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GString) key = NULL;
  gboolean closed = FALSE;

  if (depth + 1 > r->max_depth)
    return failure_too_deep (&r->failure, r->limits);

  if (out != NULL)
    {
      object = json_object_new ();
      key = g_string_new (NULL);
    }

  r->p++;
  skip_space (r);
  if (r->p < r->end && *r->p == '}')
    r->p++;
  else
    for (;;)
      {
        const char *key_at = r->p;
        JsonNode *member = NULL;
        gsize key_len;

        if (r->p >= r->end || *r->p != '"')
          return unexpected (r);
        if (key != NULL)
          g_string_truncate (key, 0);
        if (!read_string (r, key, &key_len))
          return FALSE;
        if (r->limits != NULL && r->limits->max_key > 0 && key_len > r->limits->max_key)
          return failure_set (&r->failure,
                              _("a key of %zu bytes is longer than max-key-bytes (%zu)"),
                              key_len, r->limits->max_key);

        skip_space (r);
        if (r->p >= r->end || *r->p != ':')
          return unexpected (r);
        r->p++;
        skip_space (r);

        if (!read_value (r, depth + 1, out ? &member : NULL))
          {
            failure_add_key_at (r, key_at);
            return FALSE;
          }
        /* A repeated key keeps its last value, as PostgreSQL's jsonb does. */
        if (out != NULL)
          json_object_set_member (object, key->str, member);

        if (!read_separator (r, '}', &closed))
          return FALSE;
        if (closed)
          break;
      }

  if (out != NULL)
    *out = json_node_init_object (json_node_alloc (), object);
  return TRUE;
}

static gboolean
read_value (Reader    *r,
            guint      depth,
            JsonNode **out)
{
  if (r->p >= r->end)
    return unexpected (r);

  switch (*r->p)
    {
    case '{':
      return read_object (r, depth, out);
    case '[':
      return read_array (r, depth, out);
    case '"':
      {
        g_autoptr(GString) buffer = out ? g_string_new (NULL) : NULL;
        gsize len;

        if (!read_string (r, buffer, &len))
          return FALSE;
        if (r->limits != NULL && r->limits->max_string > 0 && len > r->limits->max_string)
          return failure_set (&r->failure,
                              _("a string of %zu bytes is longer than max-string-bytes (%zu)"),
                              len, r->limits->max_string);
        if (out != NULL)
          *out = json_node_init_string (json_node_alloc (), buffer->str);
        return TRUE;
      }
    case 't':
      return read_literal (r, "true", out);
    case 'f':
      return read_literal (r, "false", out);
    case 'n':
      return read_literal (r, "null", out);
    default:
      if (*r->p == '-' || g_ascii_isdigit (*r->p))
        return read_number (r, out);
      return unexpected (r);
    }
}

gboolean
_pgqrs_json_read (const char             *text,
                  gssize                  len,
                  const PgqrsJsonLimits  *limits,
                  int                     code,
                  const char             *prefix,
                  JsonNode              **out_node,
                  GString               **out_compact,
                  GError                **error)
{
  g_autoptr(JsonNode) node = NULL;
  Reader r = { 0, };

  g_return_val_if_fail (text != NULL, FALSE);

  if (len < 0)
    len = strlen (text);

  r.start = r.p = r.copied = text;
  r.end = text + len;
  r.limits = limits;
  r.max_depth = depth_limit (limits);
  r.compact = out_compact ? g_string_sized_new (len) : NULL;
  r.failure.segments = g_ptr_array_new_with_free_func (g_free);

  skip_space (&r);
  if (r.p >= r.end)
    failure_set (&r.failure, _("not JSON: the text is empty"));
  else if (read_value (&r, 0, out_node ? &node : NULL))
    {
      skip_space (&r);
      if (r.p < r.end)
        unexpected (&r);
    }

  if (r.failure.problem != NULL)
    {
      failure_report (&r.failure, code, prefix, error);
      failure_clear (&r.failure);
      if (r.compact != NULL)
        g_string_free (r.compact, TRUE);
      return FALSE;
    }
  failure_clear (&r.failure);

  if (r.compact != NULL)
    {
      g_string_append_len (r.compact, r.copied, r.p - r.copied);
      *out_compact = r.compact;
    }
  if (out_node != NULL)
    *out_node = g_steal_pointer (&node);
  return TRUE;
}

/* --- public API --------------------------------------------------------- */

/**
 * pgqrs_json_to_string:
 * @node: a JSON value
 * @error: return location for a #GError
 *
 * Writes @node as compact JSON text, the way pgqrs stores payloads: a
 * double in the shortest form that reads back as the same double, an
 * integer exactly, strings escaped as JSON requires.
 *
 * Unlike json_to_string() of json-glib 1.6, this never writes text that is
 * not JSON: NaN, infinities and strings or keys that are not valid UTF-8
 * are refused with %PGQRS_ERROR_VALIDATION, naming their path in @node
 * (`$.items[3].price`).
 *
 * Returns: (transfer full): the JSON text, or %NULL with @error set
 *
 * Since: 1.0
 */
char *
pgqrs_json_to_string (JsonNode  *node,
                      GError   **error)
{
  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _pgqrs_json_write (node, NULL, NULL, NULL, error);
}

/**
 * pgqrs_json_from_string:
 * @text: JSON text, in UTF-8
 * @error: return location for a #GError
 *
 * Reads @text into a #JsonNode the way pgqrs reads payloads: an integer
 * that fits in 64 bits becomes an integer, any other number the nearest
 * double — never a wrapped integer, as json_from_string() of json-glib 1.6
 * makes of `18446744073709551616`.
 *
 * Text that is not JSON, bytes that are not UTF-8, a lone surrogate,
 * U+0000 (a #JsonNode string cannot hold it) and numbers beyond the range of
 * a double are refused with %PGQRS_ERROR_VALIDATION, naming the path.
 *
 * Returns: (transfer full): the JSON value, or %NULL with @error set
 *
 * Since: 1.0
 */
JsonNode *
pgqrs_json_from_string (const char  *text,
                        GError     **error)
{
  JsonNode *node = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_pgqrs_json_read (text, -1, NULL, PGQRS_ERROR_VALIDATION, NULL, &node, NULL, error))
    return NULL;
  return node;
}
