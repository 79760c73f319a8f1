/* pgqrs-validation.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pgqrs-error.h"
#include "pgqrs-json-private.h"
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

static gboolean
check_top_level_keys (PgqrsConfig  *config,
                      const char   *prefix,
                      JsonNode     *payload,
                      GError      **error)
{
  const char * const *required = pgqrs_config_get_required_keys (config);
  const char * const *forbidden = pgqrs_config_get_forbidden_keys (config);
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (payload) ? json_node_get_object (payload) : NULL;

  if (required != NULL && required[0] != NULL && object == NULL)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                   _("%sthe payload must be a JSON object with the keys required by "
                     "required-keys"),
                   prefix);
      return FALSE;
    }

  for (guint i = 0; required != NULL && required[i] != NULL; i++)
    {
      if (!json_object_has_member (object, required[i]))
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                       _("%sthe payload lacks the required key “%s”"),
                       prefix, required[i]);
          return FALSE;
        }
    }

  for (guint i = 0; object != NULL && forbidden != NULL && forbidden[i] != NULL; i++)
    {
      if (json_object_has_member (object, forbidden[i]))
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                       _("%sthe payload has the forbidden key “%s”"),
                       prefix, forbidden[i]);
          return FALSE;
        }
    }

  return TRUE;
}

static void
config_limits (PgqrsConfig     *config,
               PgqrsJsonLimits *limits)
{
  limits->max_depth = pgqrs_config_get_max_depth (config);
  limits->max_string = pgqrs_config_get_max_string_bytes (config);
  limits->max_key = pgqrs_config_get_max_key_bytes (config);
}

static char *
batch_prefix (int index)
{
  return index >= 0 ? g_strdup_printf (_("payload %d: "), index) : g_strdup ("");
}

static gboolean
check_size (PgqrsConfig  *config,
            const char   *prefix,
            gsize         len,
            GError      **error)
{
  if (len > pgqrs_config_get_max_payload_bytes (config))
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_PAYLOAD_TOO_LARGE,
                   _("%sthe payload is %zu bytes; max-payload-bytes is %u"),
                   prefix, len, pgqrs_config_get_max_payload_bytes (config));
      return FALSE;
    }

  return TRUE;
}

char *
_pgqrs_payload_serialize (PgqrsConfig  *config,
                          JsonNode     *payload,
                          int           index,
                          GError      **error)
{
  g_autofree char *prefix = batch_prefix (index);
  g_autofree char *text = NULL;
  PgqrsJsonLimits limits;
  gsize len;

  if (payload == NULL)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                   _("%sthe payload is missing"), prefix);
      return NULL;
    }

  /* The writer checks the limits as it goes: a pathological payload is
   * refused without recursing through all of it. */
  config_limits (config, &limits);
  if (!(text = _pgqrs_json_write (payload, &limits, prefix, &len, error)) ||
      !check_top_level_keys (config, prefix, payload, error) ||
      !check_size (config, prefix, len, error))
    return NULL;

  return g_steal_pointer (&text);
}

char *
_pgqrs_payload_check_text (PgqrsConfig  *config,
                           const char   *text,
                           int           index,
                           GError      **error)
{
  g_autofree char *prefix = batch_prefix (index);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GString) compact = NULL;
  PgqrsJsonLimits limits;

  if (text == NULL)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                   _("%sthe payload is missing"), prefix);
      return NULL;
    }

  /* The value is built only to check the required and forbidden keys; what
   * is stored is the text itself, without its insignificant whitespace, so
   * that every number keeps its exact spelling. */
  config_limits (config, &limits);
  if (!_pgqrs_json_read (text, -1, &limits, PGQRS_ERROR_VALIDATION, prefix,
                         &node, &compact, error) ||
      !check_top_level_keys (config, prefix, node, error) ||
      !check_size (config, prefix, compact->len, error))
    return NULL;

  return g_string_free (g_steal_pointer (&compact), FALSE);
}

JsonNode *
_pgqrs_payload_parse (const char  *text,
                      GError     **error)
{
  JsonNode *node = NULL;

  if (!_pgqrs_payload_check (text, &node, error))
    return NULL;

  return node;
}

gboolean
_pgqrs_payload_check (const char  *text,
                      JsonNode   **out_node,
                      GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (text == NULL)
    {
      g_set_error_literal (error, PGQRS_ERROR, PGQRS_ERROR_DATABASE,
                           _("The database returned a payload that is NULL"));
      return FALSE;
    }

  /* Every leased message passes here: the message is translated only
   * for a payload that fails, gettext being no cheaper than the check. */
  if (_pgqrs_json_read (text, -1, NULL, PGQRS_ERROR_DATABASE, NULL, out_node, NULL,
                        error != NULL ? &local_error : NULL))
    return TRUE;

  if (local_error != NULL)
    g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_DATABASE, "%s%s",
                 _("The database returned a payload pgqrs cannot read: "), local_error->message);
  return FALSE;
}

JsonNode *
_pgqrs_stored_json_parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  if (text == NULL)
    return NULL;

  if (!(node = _pgqrs_payload_parse (text, &error)))
    g_warning ("%s", error->message);

  return node;
}

GPtrArray *
_pgqrs_idempotency_keys (const char * const  *keys,
                         guint                n_expected,
                         GError             **error)
{
  g_autoptr(GPtrArray) copy = g_ptr_array_new_with_free_func (g_free);
  guint n = g_strv_length ((char **)keys);

  if (n != n_expected)
    {
      g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                   _("%u idempotency keys for %u payloads; give one per payload"),
                   n, n_expected);
      return NULL;
    }

  for (guint i = 0; i < n; i++)
    {
      gsize len = strlen (keys[i]);

      if (len == 0 || len > PGQRS_IDEMPOTENCY_KEY_MAX_BYTES || !g_utf8_validate (keys[i], len, NULL))
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                       _("Idempotency key %u is %zu bytes long; a key is 1 to %d bytes of UTF-8"),
                       i, len, PGQRS_IDEMPOTENCY_KEY_MAX_BYTES);
          return NULL;
        }
      g_ptr_array_add (copy, g_strdup (keys[i]));
    }

  return g_steal_pointer (&copy);
}
