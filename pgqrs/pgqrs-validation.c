/* pgqrs-validation.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pgqrs-error.h"
#include "pgqrs-validation-private.h"

gboolean
_pgqrs_validate_name (const char  *what,
                      const char  *name,
                      GError     **error)
{
  gsize len;

  if (name == NULL || name[0] == '\0')
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                   _("The %s is empty"), what);
      return FALSE;
    }

  len = strlen (name);
  if (len > PGQRS_NAME_MAX_BYTES)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                   _("The %s is %zu bytes long; the limit is %d"),
                   what, len, PGQRS_NAME_MAX_BYTES);
      return FALSE;
    }

  if (!g_ascii_isalpha (name[0]) && name[0] != '_')
    {
      g_autofree char *shown = g_strescape (name, NULL);

      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                   _("The %s “%s” must start with a letter or an underscore"),
                   what, shown);
      return FALSE;
    }

  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isalnum (name[i]) && name[i] != '_' && name[i] != '-')
        {
          g_autofree char *shown = g_strescape (name, NULL);

          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                       _("The %s “%s” may only hold letters, digits, “_” and “-” "
                         "(byte %zu is not one)"),
                       what, shown, i + 1);
          return FALSE;
        }
    }

  return TRUE;
}

typedef struct
{
  PgqrsConfig *config;
  GString     *prefix;    /* "payload 3: " in a batch, "" otherwise */
  guint        max_depth;
  guint        max_string;
  guint        max_key;
} Limits;

static gboolean
check_node (const Limits  *limits,
            JsonNode      *node,
            guint          depth,
            GError       **error)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        {
          gsize len = strlen (json_node_get_string (node));

          if (len > limits->max_string)
            {
              g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                           _("%sa string of %zu bytes is longer than "
                             "max-string-bytes (%u)"),
                           limits->prefix->str, len, limits->max_string);
              return FALSE;
            }
        }
      return TRUE;

    case JSON_NODE_NULL:
      return TRUE;

    case JSON_NODE_ARRAY:
    case JSON_NODE_OBJECT:
      if (depth + 1 > limits->max_depth)
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                       _("%sthe payload nests deeper than max-depth (%u)"),
                       limits->prefix->str, limits->max_depth);
          return FALSE;
        }

      if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);
          guint n = json_array_get_length (array);

          for (guint i = 0; i < n; i++)
            if (!check_node (limits, json_array_get_element (array, i), depth + 1, error))
              return FALSE;
        }
      else
        {
          JsonObjectIter iter;
          const char *member;
          JsonNode *child;

          json_object_iter_init (&iter, json_node_get_object (node));
          while (json_object_iter_next (&iter, &member, &child))
            {
              gsize len = strlen (member);

              if (len > limits->max_key)
                {
                  g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                               _("%sa key of %zu bytes is longer than "
                                 "max-key-bytes (%u)"),
                               limits->prefix->str, len, limits->max_key);
                  return FALSE;
                }
              if (!check_node (limits, child, depth + 1, error))
                return FALSE;
            }
        }
      return TRUE;

    default:
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                   _("%sthe payload holds a value JSON cannot represent"),
                   limits->prefix->str);
      return FALSE;
    }
}

static gboolean
check_top_level_keys (const Limits  *limits,
                      JsonNode      *payload,
                      GError       **error)
{
  const char * const *required = pgqrs_config_get_required_keys (limits->config);
  const char * const *forbidden = pgqrs_config_get_forbidden_keys (limits->config);
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (payload) ? json_node_get_object (payload) : NULL;

  if (required != NULL && required[0] != NULL && object == NULL)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                   _("%sthe payload must be a JSON object with the keys required by "
                     "required-keys"),
                   limits->prefix->str);
      return FALSE;
    }

  for (guint i = 0; required != NULL && required[i] != NULL; i++)
    {
      if (!json_object_has_member (object, required[i]))
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                       _("%sthe payload lacks the required key “%s”"),
                       limits->prefix->str, required[i]);
          return FALSE;
        }
    }

  for (guint i = 0; object != NULL && forbidden != NULL && forbidden[i] != NULL; i++)
    {
      if (json_object_has_member (object, forbidden[i]))
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                       _("%sthe payload has the forbidden key “%s”"),
                       limits->prefix->str, forbidden[i]);
          return FALSE;
        }
    }

  return TRUE;
}

char *
_pgqrs_payload_serialize (PgqrsConfig  *config,
                          JsonNode     *payload,
                          int           index,
                          GError      **error)
{
  g_autoptr(GString) prefix = g_string_new (NULL);
  g_autofree char *text = NULL;
  Limits limits;
  gsize len;

  if (index >= 0)
    g_string_printf (prefix, _("payload %d: "), index);

  if (payload == NULL)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                   _("%sthe payload is missing"), prefix->str);
      return NULL;
    }

  limits.config = config;
  limits.prefix = prefix;
  limits.max_depth = pgqrs_config_get_max_depth (config);
  limits.max_string = pgqrs_config_get_max_string_bytes (config);
  limits.max_key = pgqrs_config_get_max_key_bytes (config);

  /* Structure first: a pathological payload is refused before it is
   * serialized, and the depth check keeps the recursion bounded. */
  if (!check_node (&limits, payload, 0, error) ||
      !check_top_level_keys (&limits, payload, error))
    return NULL;

  text = json_to_string (payload, FALSE);
  len = strlen (text);

  if (len > pgqrs_config_get_max_payload_bytes (config))
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_PAYLOAD_TOO_LARGE,
                   _("%sthe payload is %zu bytes; max-payload-bytes is %u"),
                   prefix->str, len, pgqrs_config_get_max_payload_bytes (config));
      return NULL;
    }

  return g_steal_pointer (&text);
}

JsonNode *
_pgqrs_payload_parse (const char  *text,
                      GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *node;

  if (text == NULL)
    {
      g_set_error_literal (error, PGQRS_ERROR, PGQRS_ERROR_DATABASE,
                           _("The database returned a message without a payload"));
      return NULL;
    }

  if (!(node = json_from_string (text, &local_error)))
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_DATABASE,
                   _("The database returned a payload that is not JSON: %s"),
                   local_error ? local_error->message : _("empty"));
      return NULL;
    }

  return node;
}
