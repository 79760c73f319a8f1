/* pgqrs-postgres-lease-forms-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The lease statement with the size of its window written in, one
 * prepared statement per size (pgqrs-postgres-lease-forms.c). */
typedef struct _PgqrsPostgresLeaseForms PgqrsPostgresLeaseForms;

/* @sql: PG_STMT_MESSAGE_LEASE for the backend's schema */
PgqrsPostgresLeaseForms *_pgqrs_postgres_lease_forms_new    (const char               *sql);
void                     _pgqrs_postgres_lease_forms_free   (PgqrsPostgresLeaseForms  *forms);

/* The statement name and SQL of the lease of @limit messages, taking the
 * lease's parameters but the last; FALSE when @limit has no form of its
 * own (then the lease takes @limit as $5).  Safe from any thread; what it
 * returns lives as long as @forms. */
gboolean                 _pgqrs_postgres_lease_forms_lookup (PgqrsPostgresLeaseForms  *forms,
                                                             guint                     limit,
                                                             const char              **name,
                                                             const char              **sql);

G_END_DECLS
