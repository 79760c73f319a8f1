/* pgqrs-backend-support.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>

#include "pgqrs-backend-support-private.h"
#include "pgqrs-error.h"

PgqrsStepVerdict
_pgqrs_step_row_judge (PgqrsStepRow               *step,
                       const PgqrsStepAcquireArgs *args,
                       gboolean                    not_due,
                       GError                    **error)
{
  switch (step->status)
    {
    case PGQRS_STEP_STATUS_SUCCESS:
      step->cached = TRUE;      /* rule 18: replay, do not run */
      return PGQRS_STEP_VERDICT_REPLAY;

    case PGQRS_STEP_STATUS_ERROR:
      if (step->retry_at == NULL)
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE,
                       _("Step “%s” of workflow run %lld failed for good"),
                       args->step_name, (long long)args->run_id);
          return PGQRS_STEP_VERDICT_REFUSED;
        }
      if (not_due)
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_STEP_NOT_READY,
                       _("Step “%s” of workflow run %lld may retry at %s"),
                       args->step_name, (long long)args->run_id, step->retry_at);
          return PGQRS_STEP_VERDICT_REFUSED;
        }
      return PGQRS_STEP_VERDICT_RESTART;

    case PGQRS_STEP_STATUS_RUNNING:   /* its process died mid-step: run it again */
    case PGQRS_STEP_STATUS_PENDING:
    default:
      return PGQRS_STEP_VERDICT_RESTART;
    }
}

gboolean
_pgqrs_run_check_running (gint64           run_id,
                          PgqrsRunStatus   status,
                          GError         **error)
{
  if (status == PGQRS_RUN_STATUS_RUNNING)
    return TRUE;

  g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_INVALID_STATE,
               _("Workflow run %lld is %s; steps run only while it is RUNNING"),
               (long long)run_id, pgqrs_run_status_to_string (status));
  return FALSE;
}

gboolean
_pgqrs_step_lookup_judge (PgqrsStepRow   *step,
                          gboolean        has_row,
                          PgqrsRunStatus  run_status,
                          gboolean        fence_current)
{
  if (!fence_current || run_status != PGQRS_RUN_STATUS_RUNNING)
    return FALSE;

  /* New: it runs, and its row is made when it finishes (rule 18: an
   * unfinished step runs again, with or without a row) */
  if (!has_row)
    {
      step->id = 0;
      step->status = PGQRS_STEP_STATUS_RUNNING;
      return TRUE;
    }

  if (step->status == PGQRS_STEP_STATUS_SUCCESS)
    {
      step->cached = TRUE;      /* rule 18: replay, do not run */
      return TRUE;
    }

  return FALSE;
}

void
_pgqrs_set_superseded_error (GError             **error,
                             const PgqrsRequest  *request)
{
  g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_SUPERSEDED,
               _("Cannot %s: the lease on trigger message %lld was taken over; "
                 "another worker executes the run now"),
               _pgqrs_op_to_string (request->op), (long long)request->fence.id);
}

/* The versioned migrations, the same scheme on every backend: the scripts
 * under a resource path, named by version ("001_init.sql", …). */

int
_pgqrs_migration_version (const char *name)
{
  return (int)g_ascii_strtoll (name, NULL, 10);
}

static int
compare_migrations (gconstpointer a,
                    gconstpointer b)
{
  return _pgqrs_migration_version (*(const char **)a) -
         _pgqrs_migration_version (*(const char **)b);
}

GStrv
_pgqrs_migrations_list (const char *resource_path)
{
  g_auto(GStrv) names = g_resources_enumerate_children (resource_path,
                                                        G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  g_assert (names != NULL);

  qsort (names, g_strv_length (names), sizeof (char *), compare_migrations);

  return g_steal_pointer (&names);
}

int
_pgqrs_migrations_latest (const char *resource_path)
{
  g_auto(GStrv) names = _pgqrs_migrations_list (resource_path);
  guint n = g_strv_length (names);

  return n > 0 ? _pgqrs_migration_version (names[n - 1]) : 0;
}
