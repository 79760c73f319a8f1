/* pgqrs-validation-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <json-glib/json-glib.h>

#include "pgqrs-config.h"

G_BEGIN_DECLS

#define PGQRS_NAME_MAX_BYTES 63

/* Names of queues, workers, workflows and schemas: 1–63 bytes of
 * [A-Za-z0-9_-], starting with a letter or an underscore.  @what names the
 * kind of thing in the error message ("queue name", "schema", …). */
gboolean  _pgqrs_validate_name    (const char   *what,
                                   const char   *name,
                                   GError      **error);

/* Checks @payload against the limits of @config and returns it serialized
 * as compact JSON.  @index is the position in a batch, or -1 for a single
 * payload, so that the error can say which one broke which rule. */
char     *_pgqrs_payload_serialize (PgqrsConfig  *config,
                                    JsonNode     *payload,
                                    int           index,
                                    GError      **error);

/* The same for a payload given as JSON text, which must parse: returns it
 * without its insignificant whitespace, every token spelled as given. */
char     *_pgqrs_payload_check_text (PgqrsConfig *config,
                                     const char  *text,
                                     int          index,
                                     GError     **error);

/* A payload, input or output as the database returned it.  Text pgqrs
 * cannot read (semantics rule 27) is a PGQRS_ERROR_DATABASE error that says
 * why.  _pgqrs_payload_check() builds the value only with @out_node. */
JsonNode *_pgqrs_payload_parse     (const char   *text,
                                    GError      **error);
gboolean  _pgqrs_payload_check     (const char   *text,
                                    JsonNode    **out_node,
                                    GError      **error);

/* A stored workflow input, output or error, or a step's output: NULL for
 * NULL, and for text pgqrs cannot read, with a warning that says why. */
JsonNode *_pgqrs_stored_json_parse (const char   *text);

G_END_DECLS
