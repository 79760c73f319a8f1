/* pgqrs-config.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#if !defined(PGQRS_INSIDE) && !defined(PGQRS_COMPILATION)
# error "Only <pgqrs.h> can be included directly."
#endif

#include <glib-object.h>

#include "pgqrs-version-macros.h"

G_BEGIN_DECLS

/**
 * PgqrsBackendKind:
 * @PGQRS_BACKEND_KIND_SQLITE: an SQLite database file, or an in-memory database
 * @PGQRS_BACKEND_KIND_POSTGRES: a PostgreSQL server
 * @PGQRS_BACKEND_KIND_TURSO: a Turso/libSQL database
 *
 * Which database a DSN names.
 *
 * Since: 1.0
 */
typedef enum
{
  PGQRS_BACKEND_KIND_SQLITE,
  PGQRS_BACKEND_KIND_POSTGRES,
  PGQRS_BACKEND_KIND_TURSO,
} PgqrsBackendKind;

#define PGQRS_TYPE_CONFIG (pgqrs_config_get_type ())

PGQRS_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (PgqrsConfig, pgqrs_config, PGQRS, CONFIG, GObject)

PGQRS_AVAILABLE_IN_1_0
PgqrsConfig       *pgqrs_config_new_from_dsn          (const char   *dsn,
                                                       GError      **error);
PGQRS_AVAILABLE_IN_1_0
PgqrsConfig       *pgqrs_config_copy                  (PgqrsConfig  *self);
PGQRS_AVAILABLE_IN_1_0
gboolean           pgqrs_config_set_option            (PgqrsConfig  *self,
                                                       const char   *key,
                                                       const char   *value,
                                                       GError      **error);
PGQRS_AVAILABLE_IN_1_0
const char        *pgqrs_config_get_dsn               (PgqrsConfig  *self);
PGQRS_AVAILABLE_IN_1_0
PgqrsBackendKind   pgqrs_config_get_backend_kind      (PgqrsConfig  *self);
PGQRS_AVAILABLE_IN_1_0
const char        *pgqrs_config_get_schema            (PgqrsConfig  *self);
PGQRS_AVAILABLE_IN_1_0
guint              pgqrs_config_get_max_connections   (PgqrsConfig  *self);
PGQRS_AVAILABLE_IN_1_0
double             pgqrs_config_get_visibility_timeout (PgqrsConfig *self);
PGQRS_AVAILABLE_IN_1_0
guint              pgqrs_config_get_max_read_count    (PgqrsConfig  *self);
PGQRS_AVAILABLE_IN_1_0
double             pgqrs_config_get_poll_interval     (PgqrsConfig  *self);
PGQRS_AVAILABLE_IN_1_0
double             pgqrs_config_get_heartbeat_interval (PgqrsConfig *self);
PGQRS_AVAILABLE_IN_1_0
guint              pgqrs_config_get_max_payload_bytes (PgqrsConfig  *self);
PGQRS_AVAILABLE_IN_1_0
guint              pgqrs_config_get_max_depth         (PgqrsConfig  *self);
PGQRS_AVAILABLE_IN_1_0
guint              pgqrs_config_get_max_string_bytes  (PgqrsConfig  *self);
PGQRS_AVAILABLE_IN_1_0
guint              pgqrs_config_get_max_key_bytes     (PgqrsConfig  *self);
PGQRS_AVAILABLE_IN_1_0
const char * const *pgqrs_config_get_required_keys    (PgqrsConfig  *self);
PGQRS_AVAILABLE_IN_1_0
const char * const *pgqrs_config_get_forbidden_keys   (PgqrsConfig  *self);
PGQRS_AVAILABLE_IN_1_0
double             pgqrs_config_get_enqueue_rate_limit (PgqrsConfig *self);
PGQRS_AVAILABLE_IN_1_0
guint              pgqrs_config_get_enqueue_burst     (PgqrsConfig  *self);
PGQRS_AVAILABLE_IN_1_0
guint              pgqrs_config_get_busy_timeout      (PgqrsConfig  *self);
PGQRS_AVAILABLE_IN_1_0
gboolean           pgqrs_config_get_prepared_statements (PgqrsConfig *self);
PGQRS_AVAILABLE_IN_1_0
double             pgqrs_config_get_call_timeout      (PgqrsConfig  *self);

G_END_DECLS
