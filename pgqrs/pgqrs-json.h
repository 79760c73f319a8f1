/* pgqrs-json.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#if !defined(PGQRS_INSIDE) && !defined(PGQRS_COMPILATION)
# error "Only <pgqrs.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

#include "pgqrs-version-macros.h"

G_BEGIN_DECLS

PGQRS_AVAILABLE_IN_ALL
char     *pgqrs_json_to_string   (JsonNode    *node,
                                  GError     **error);
PGQRS_AVAILABLE_IN_ALL
JsonNode *pgqrs_json_from_string (const char  *text,
                                  GError     **error);

G_END_DECLS
