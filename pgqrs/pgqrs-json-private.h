/* pgqrs-json-private.h — pgqrs's own JSON writer and reader
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The limits a payload is held to (see PgqrsConfig); 0 means none.  Even
 * without limits the reader stops at PGQRS_JSON_MAX_NESTING, so that a
 * hostile text cannot exhaust the stack. */
typedef struct
{
  guint max_depth;
  gsize max_string;
  gsize max_key;
} PgqrsJsonLimits;

#define PGQRS_JSON_MAX_NESTING 1024

/* Writes @node as compact JSON that is always valid JSON: a double in the
 * shortest form that reads back as the same double (and never without a
 * fraction or an exponent, so that it stays a double), an integer exactly,
 * strings with every character JSON requires escaped.  NaN, infinities and
 * strings or keys that are not UTF-8 are refused with
 * PGQRS_ERROR_VALIDATION, as is anything beyond @limits; the message starts
 * with @prefix and names the path of the culprit ("$.items[3].name"). */
char     *_pgqrs_json_write (JsonNode               *node,
                             const PgqrsJsonLimits  *limits,
                             const char             *prefix,
                             gsize                  *out_len,
                             GError                **error);

/* Reads the JSON text @text (@len bytes, or NUL-terminated when -1).
 *
 * With @out_node it builds the JsonNode: an integer that fits in 64 bits
 * becomes an int64, any other number the nearest double; "-0" stays a
 * negative zero.  Without it the text is only checked, allocating nothing.
 * With @out_compact it returns the text without its insignificant
 * whitespace, every token spelled as written (so numbers keep their exact
 * text).
 *
 * The text is refused — with @code in PGQRS_ERROR, a message starting with
 * @prefix and naming the path — when it is not JSON, holds bytes that are
 * not UTF-8, a lone surrogate or U+0000 (which a JsonNode cannot hold), a
 * number beyond the range of a double, or breaks @limits (nullable). */
gboolean  _pgqrs_json_read  (const char             *text,
                             gssize                  len,
                             const PgqrsJsonLimits  *limits,
                             int                     code,
                             const char             *prefix,
                             JsonNode              **out_node,
                             GString               **out_compact,
                             GError                **error);

G_END_DECLS
