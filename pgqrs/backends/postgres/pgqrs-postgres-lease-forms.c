/* pgqrs-postgres-lease-forms.c — the lease with the size of its window written in
 *
 * The lease statement takes the size of its window as its last parameter
 * (LIMIT $5).  Prepared so, it is planned again at every execution: for
 * its generic plan the planner must guess the window, takes a tenth of
 * the table, and updates such a window best through a hash join over the
 * whole table; the plan cache compares that with the plans for the actual
 * sizes and never settles on it (docs/design.md, "Planned once").  On the
 * benchmark's queue of 50,000 messages planning took 0.23 ms of every
 * lease, which ran in 0.10 ms for one message and 0.7 ms for fifty.
 *
 * With the size written in, the generic plan is the plan for that size:
 * the cache keeps it from the sixth execution on, planned in 0.01 ms.  A
 * consumer leases the same few sizes over and over (a batch for each
 * free slot, twice), and a drain loop one, so each size gets a prepared
 * statement of its own, up to MAX_FORMS sizes per backend, each prepared
 * on a connection when first run there.  Other sizes, and every size when
 * statements are not prepared (behind a transaction pooler, where an
 * unnamed statement is planned for its parameters anyway), take $5.
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "pgqrs-postgres-lease-forms-private.h"
#include "pgqrs-postgres-statements-private.h"

#define MAX_FORMS 16

typedef struct
{
  guint  limit;
  char  *name;
  char  *sql;
} Form;

struct _PgqrsPostgresLeaseForms
{
  GMutex  mutex;
  char   *sql;
  guint   n_forms;
  Form    forms[MAX_FORMS];
};

/* @sql with PG_LEASE_LIMIT_PARAM replaced by @limit */
static char *
lease_with_limit (const char *sql,
                  guint       limit)
{
  g_autoptr(GString) out = g_string_new (sql);
  g_autofree char *written = g_strdup_printf ("LIMIT %u", limit);
  guint replaced = g_string_replace (out, PG_LEASE_LIMIT_PARAM, written, 0);

  g_assert (replaced == 1);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

PgqrsPostgresLeaseForms *
_pgqrs_postgres_lease_forms_new (const char *sql)
{
  PgqrsPostgresLeaseForms *forms = g_new0 (PgqrsPostgresLeaseForms, 1);

  g_mutex_init (&forms->mutex);
  forms->sql = g_strdup (sql);

  return forms;
}

void
_pgqrs_postgres_lease_forms_free (PgqrsPostgresLeaseForms *forms)
{
  for (guint i = 0; i < forms->n_forms; i++)
    {
      g_free (forms->forms[i].name);
      g_free (forms->forms[i].sql);
    }
  g_free (forms->sql);
  g_mutex_clear (&forms->mutex);
  g_free (forms);
}

gboolean
_pgqrs_postgres_lease_forms_lookup (PgqrsPostgresLeaseForms  *forms,
                                    guint                     limit,
                                    const char              **name,
                                    const char              **sql)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&forms->mutex);
  Form *form = NULL;

  for (guint i = 0; i < forms->n_forms && form == NULL; i++)
    if (forms->forms[i].limit == limit)
      form = &forms->forms[i];

  if (form == NULL)
    {
      if (forms->n_forms == MAX_FORMS)
        return FALSE;
      form = &forms->forms[forms->n_forms++];
      form->limit = limit;
      form->name = g_strdup_printf ("pgqrs_%u_limit_%u", PG_STMT_MESSAGE_LEASE, limit);
      form->sql = lease_with_limit (forms->sql, limit);
    }

  *name = form->name;
  *sql = form->sql;
  return TRUE;
}
