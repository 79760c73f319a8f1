/* pgqrs-store-workflows.c — PgqrsStore: workflows and their runs
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pgqrs-error.h"
#include "pgqrs-store-private.h"
#include "pgqrs-validation-private.h"
#include "pgqrs-workflow-private.h"

static PgqrsRequest *
define_workflow_request (const char  *name,
                         const char  *queue_name,
                         GError     **error)
{
  if (!_pgqrs_validate_name (_("workflow name"), name, error) ||
      !_pgqrs_validate_name (_("queue name"), queue_name, error))
    return NULL;

  return _pgqrs_request_new_workflow_define (name, queue_name);
}

/**
 * pgqrs_store_define_workflow:
 * @self: a #PgqrsStore
 * @name: the workflow's name (the rules of queue names apply)
 * @queue_name: the queue its trigger messages go to
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Binds a workflow to a queue, so that [method@Store.trigger_workflow] can
 * start runs of it there. Defining it again rebinds it.
 *
 * Returns: %TRUE on success; %PGQRS_ERROR_QUEUE_NOT_FOUND,
 *   %PGQRS_ERROR_VALIDATION
 *
 * Since: 1.0
 */
gboolean
pgqrs_store_define_workflow (PgqrsStore    *self,
                             const char    *name,
                             const char    *queue_name,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_STORE (self), FALSE);

  if (!(request = define_workflow_request (name, queue_name, error)))
    return FALSE;

  reply = _pgqrs_store_execute (self, request, cancellable, error);

  return reply != NULL;
}

/**
 * pgqrs_store_define_workflow_async:
 * @self: a #PgqrsStore
 * @name: the workflow's name
 * @queue_name: the queue its trigger messages go to
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.define_workflow] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_define_workflow_async (PgqrsStore          *self,
                                   const char          *name,
                                   const char          *queue_name,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_STORE (self));

  if (!(request = define_workflow_request (name, queue_name, &error)))
    return _pgqrs_store_report_error (self, pgqrs_store_define_workflow_async,
                                       callback, user_data, error);

  _pgqrs_store_execute_async (self, self, request, pgqrs_store_define_workflow_async,
                              cancellable, callback, user_data);
}

/**
 * pgqrs_store_define_workflow_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.define_workflow_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
pgqrs_store_define_workflow_finish (PgqrsStore    *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_autoptr(PgqrsReply) reply =
    _pgqrs_store_execute_finish (self, result, pgqrs_store_define_workflow_async, error);

  return reply != NULL;
}

static PgqrsRequest *
create_run_request (PgqrsStore  *self,
                    const char  *name,
                    JsonNode    *input,
                    gboolean     trigger,
                    const char  *idempotency_key,
                    GError     **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) key = NULL;
  PgqrsRequest *request;
  const char *keys[] = { idempotency_key, NULL };

  if (!_pgqrs_validate_name (_("workflow name"), name, error) ||
      (idempotency_key != NULL && !(key = _pgqrs_idempotency_keys (keys, 1, error))) ||
      !(text = _pgqrs_payload_serialize (pgqrs_store_get_config (self), input, -1, error)))
    return NULL;

  request = _pgqrs_request_new_run_create (name, text, trigger, 0);
  if (idempotency_key != NULL)
    _pgqrs_request_set_idempotency_key (request, idempotency_key);

  return request;
}

static PgqrsWorkflow *
reply_to_run (PgqrsStore *self,
              PgqrsReply *reply)
{
  if (reply == NULL)
    return NULL;

  g_assert (reply->runs != NULL && reply->runs->len == 1);

  return _pgqrs_workflow_new (self, g_ptr_array_index (reply->runs, 0));
}

/* Creating and triggering differ only in the trigger flag and the source
 * tag; the public pairs are one call into these. */
static PgqrsWorkflow *
run_create (PgqrsStore    *self,
            const char    *name,
            JsonNode      *input,
            gboolean       trigger,
            const char    *idempotency_key,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_STORE (self), NULL);

  if (!(request = create_run_request (self, name, input, trigger, idempotency_key, error)))
    return NULL;

  reply = _pgqrs_store_execute (self, request, cancellable, error);

  return reply_to_run (self, reply);
}

static void
run_create_async (PgqrsStore          *self,
                  const char          *name,
                  JsonNode            *input,
                  gboolean             trigger,
                  const char          *idempotency_key,
                  gpointer             source_tag,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_STORE (self));

  if (!(request = create_run_request (self, name, input, trigger, idempotency_key, &error)))
    return _pgqrs_store_report_error (self, source_tag, callback, user_data, error);

  _pgqrs_store_execute_async (self, self, request, source_tag, cancellable, callback, user_data);
}

static PgqrsWorkflow *
run_create_finish (PgqrsStore    *self,
                   GAsyncResult  *result,
                   gpointer       source_tag,
                   GError       **error)
{
  g_autoptr(PgqrsReply) reply = _pgqrs_store_execute_finish (self, result, source_tag, error);

  return reply_to_run (self, reply);
}

/**
 * pgqrs_store_create_workflow:
 * @self: a #PgqrsStore
 * @name: the workflow's name
 * @input: the run's input, any JSON value
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Creates a run to execute in this process: `QUEUED`, with no trigger
 * message. Start it with [method@Workflow.start].
 *
 * Returns: (transfer full): the run, or %NULL with @error set
 *
 * Since: 1.0
 */
PgqrsWorkflow *
pgqrs_store_create_workflow (PgqrsStore    *self,
                             const char    *name,
                             JsonNode      *input,
                             GCancellable  *cancellable,
                             GError       **error)
{
  return run_create (self, name, input, FALSE, NULL, cancellable, error);
}

/**
 * pgqrs_store_create_workflow_async:
 * @self: a #PgqrsStore
 * @name: the workflow's name
 * @input: the run's input
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.create_workflow] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_create_workflow_async (PgqrsStore          *self,
                                   const char          *name,
                                   JsonNode            *input,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  run_create_async (self, name, input, FALSE, NULL, pgqrs_store_create_workflow_async,
                    cancellable, callback, user_data);
}

/**
 * pgqrs_store_create_workflow_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.create_workflow_async].
 *
 * Returns: (transfer full): the run, or %NULL with @error set
 *
 * Since: 1.0
 */
PgqrsWorkflow *
pgqrs_store_create_workflow_finish (PgqrsStore    *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return run_create_finish (self, result, pgqrs_store_create_workflow_async, error);
}

/**
 * pgqrs_store_trigger_workflow:
 * @self: a #PgqrsStore
 * @name: the name of a workflow bound to a queue with
 *   [method@Store.define_workflow]
 * @input: the run's input, any JSON value
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Creates a run and enqueues its trigger message on the workflow's queue, in
 * one transaction. A [class@Consumer] with a workflow function runs it.
 *
 * Returns: (transfer full): the run, `QUEUED`, or %NULL with @error set:
 *   %PGQRS_ERROR_VALIDATION if the workflow is bound to no queue
 *
 * Since: 1.0
 */
PgqrsWorkflow *
pgqrs_store_trigger_workflow (PgqrsStore    *self,
                              const char    *name,
                              JsonNode      *input,
                              GCancellable  *cancellable,
                              GError       **error)
{
  return run_create (self, name, input, TRUE, NULL, cancellable, error);
}

/**
 * pgqrs_store_trigger_workflow_async:
 * @self: a #PgqrsStore
 * @name: the name of a workflow bound to a queue
 * @input: the run's input
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.trigger_workflow] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_trigger_workflow_async (PgqrsStore          *self,
                                    const char          *name,
                                    JsonNode            *input,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  run_create_async (self, name, input, TRUE, NULL, pgqrs_store_trigger_workflow_async,
                    cancellable, callback, user_data);
}

/**
 * pgqrs_store_trigger_workflow_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.trigger_workflow_async].
 *
 * Returns: (transfer full): the run, or %NULL with @error set
 *
 * Since: 1.0
 */
PgqrsWorkflow *
pgqrs_store_trigger_workflow_finish (PgqrsStore    *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return run_create_finish (self, result, pgqrs_store_trigger_workflow_async, error);
}

static PgqrsRequest *
get_run_request (gint64 run_id)
{
  return _pgqrs_request_new_run_get (run_id, 0);
}

/**
 * pgqrs_store_get_workflow_run:
 * @self: a #PgqrsStore
 * @run_id: a run's id
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Finds a run, for instance to look at its result.
 *
 * Returns: (transfer full): the run, or %NULL with @error set:
 *   %PGQRS_ERROR_NOT_FOUND
 *
 * Since: 1.0
 */
PgqrsWorkflow *
pgqrs_store_get_workflow_run (PgqrsStore    *self,
                              gint64         run_id,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;

  g_return_val_if_fail (PGQRS_IS_STORE (self), NULL);

  reply = _pgqrs_store_execute (self, get_run_request (run_id), cancellable, error);

  return reply_to_run (self, reply);
}

/**
 * pgqrs_store_get_workflow_run_async:
 * @self: a #PgqrsStore
 * @run_id: a run's id
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.get_workflow_run] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_get_workflow_run_async (PgqrsStore          *self,
                                    gint64               run_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (PGQRS_IS_STORE (self));

  _pgqrs_store_execute_async (self, self, get_run_request (run_id),
                              pgqrs_store_get_workflow_run_async, cancellable, callback, user_data);
}

/**
 * pgqrs_store_get_workflow_run_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.get_workflow_run_async].
 *
 * Returns: (transfer full): the run, or %NULL with @error set
 *
 * Since: 1.0
 */
PgqrsWorkflow *
pgqrs_store_get_workflow_run_finish (PgqrsStore    *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_autoptr(PgqrsReply) reply =
    _pgqrs_store_execute_finish (self, result, pgqrs_store_get_workflow_run_async, error);

  return reply_to_run (self, reply);
}

/**
 * pgqrs_store_create_workflow_with_key:
 * @self: a #PgqrsStore
 * @name: the workflow's name
 * @input: the run's input, any JSON value
 * @idempotency_key: 1–255 bytes that name this run for its creator
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Creates a run as [method@Store.create_workflow] does, unless a run of the
 * workflow already has the key @idempotency_key; then that run is returned and
 * nothing is created. A caller that lost its connection while creating a
 * run calls this again with the same key.
 *
 * Returns: (transfer full): the run with @idempotency_key, new or not, or
 *   %NULL with @error set
 *
 * Since: 1.0
 */
PgqrsWorkflow *
pgqrs_store_create_workflow_with_key (PgqrsStore    *self,
                                      const char    *name,
                                      JsonNode      *input,
                                      const char    *idempotency_key,
                                      GCancellable  *cancellable,
                                      GError       **error)
{
  g_return_val_if_fail (idempotency_key != NULL, NULL);

  return run_create (self, name, input, FALSE, idempotency_key, cancellable, error);
}

/**
 * pgqrs_store_create_workflow_with_key_async:
 * @self: a #PgqrsStore
 * @name: the workflow's name
 * @input: the run's input
 * @idempotency_key: 1–255 bytes that name this run for its creator
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.create_workflow_with_key] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_create_workflow_with_key_async (PgqrsStore          *self,
                                            const char          *name,
                                            JsonNode            *input,
                                            const char          *idempotency_key,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_return_if_fail (idempotency_key != NULL);

  run_create_async (self, name, input, FALSE, idempotency_key,
                    pgqrs_store_create_workflow_with_key_async, cancellable, callback, user_data);
}

/**
 * pgqrs_store_create_workflow_with_key_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.create_workflow_with_key_async].
 *
 * Returns: (transfer full): the run, or %NULL with @error set
 *
 * Since: 1.0
 */
PgqrsWorkflow *
pgqrs_store_create_workflow_with_key_finish (PgqrsStore    *self,
                                             GAsyncResult  *result,
                                             GError       **error)
{
  return run_create_finish (self, result, pgqrs_store_create_workflow_with_key_async, error);
}

/**
 * pgqrs_store_trigger_workflow_with_key:
 * @self: a #PgqrsStore
 * @name: the name of a workflow bound to a queue with
 *   [method@Store.define_workflow]
 * @input: the run's input, any JSON value
 * @idempotency_key: 1–255 bytes that name this run for its creator
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Creates a run and enqueues its trigger as [method@Store.trigger_workflow]
 * does, unless a run of the workflow already has the key @idempotency_key; then
 * that run is returned, and neither a run nor a trigger is added.
 *
 * Returns: (transfer full): the run with @idempotency_key, new or not, or
 *   %NULL with @error set
 *
 * Since: 1.0
 */
PgqrsWorkflow *
pgqrs_store_trigger_workflow_with_key (PgqrsStore    *self,
                                       const char    *name,
                                       JsonNode      *input,
                                       const char    *idempotency_key,
                                       GCancellable  *cancellable,
                                       GError       **error)
{
  g_return_val_if_fail (idempotency_key != NULL, NULL);

  return run_create (self, name, input, TRUE, idempotency_key, cancellable, error);
}

/**
 * pgqrs_store_trigger_workflow_with_key_async:
 * @self: a #PgqrsStore
 * @name: the name of a workflow bound to a queue
 * @input: the run's input
 * @idempotency_key: 1–255 bytes that name this run for its creator
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.trigger_workflow_with_key] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_trigger_workflow_with_key_async (PgqrsStore          *self,
                                             const char          *name,
                                             JsonNode            *input,
                                             const char          *idempotency_key,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_return_if_fail (idempotency_key != NULL);

  run_create_async (self, name, input, TRUE, idempotency_key,
                    pgqrs_store_trigger_workflow_with_key_async, cancellable, callback, user_data);
}

/**
 * pgqrs_store_trigger_workflow_with_key_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.trigger_workflow_with_key_async].
 *
 * Returns: (transfer full): the run, or %NULL with @error set
 *
 * Since: 1.0
 */
PgqrsWorkflow *
pgqrs_store_trigger_workflow_with_key_finish (PgqrsStore    *self,
                                              GAsyncResult  *result,
                                              GError       **error)
{
  return run_create_finish (self, result, pgqrs_store_trigger_workflow_with_key_async, error);
}

/* The database's clocks write ISO-8601 UTC with milliseconds; a bound in
 * the same form compares as text on SQLite and as a timestamp on
 * PostgreSQL. */
static char *
time_bound (GDateTime *time)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autofree char *seconds = NULL;

  if (time == NULL)
    return NULL;

  utc = g_date_time_to_utc (time);
  seconds = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%03dZ", seconds, g_date_time_get_microsecond (utc) / 1000);
}

static PgqrsRequest *
list_runs_request (const char           *workflow_name,
                   const PgqrsRunStatus *statuses,
                   guint                 n_statuses,
                   GDateTime            *created_after,
                   GDateTime            *created_before,
                   guint                 limit,
                   guint                 offset,
                   GError              **error)
{
  g_autofree char *after = time_bound (created_after);
  g_autofree char *before = time_bound (created_before);
  guint mask = 0;

  for (guint i = 0; i < n_statuses; i++)
    {
      if ((guint)statuses[i] > PGQRS_RUN_STATUS_CANCELLED)
        {
          g_set_error (error, PGQRS_ERROR, PGQRS_ERROR_VALIDATION,
                       _("%d is not a workflow run status"), (int)statuses[i]);
          return NULL;
        }
      mask |= 1u << statuses[i];
    }

  return _pgqrs_request_new_run_list (workflow_name, mask, after, before,
                                      limit > 0 ? limit : 100, offset);
}

static GPtrArray *
reply_to_runs (PgqrsStore *self,
               PgqrsReply *reply)
{
  GPtrArray *runs;

  if (reply == NULL)
    return NULL;

  runs = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; reply->runs != NULL && i < reply->runs->len; i++)
    g_ptr_array_add (runs, _pgqrs_workflow_new (self, g_ptr_array_index (reply->runs, i)));

  return runs;
}

/**
 * pgqrs_store_list_workflow_runs:
 * @self: a #PgqrsStore
 * @workflow_name: (nullable): only the runs of this workflow; %NULL for all
 * @statuses: (array length=n_statuses) (nullable): only the runs in one of
 *   these statuses; empty for any
 * @n_statuses: the length of @statuses
 * @created_after: (nullable): only the runs created after this time
 * @created_before: (nullable): only the runs created before this time
 * @limit: the most runs to return; 0 means 100
 * @offset: how many of the newest to skip, for paging
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Lists workflow runs, the newest first. Creation times are the database's
 * (see [method@Workflow.get_created_at]).
 *
 * Returns: (transfer container) (element-type PgqrsWorkflow): the runs, or
 *   %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
pgqrs_store_list_workflow_runs (PgqrsStore           *self,
                                const char           *workflow_name,
                                const PgqrsRunStatus *statuses,
                                guint                 n_statuses,
                                GDateTime            *created_after,
                                GDateTime            *created_before,
                                guint                 limit,
                                guint                 offset,
                                GCancellable         *cancellable,
                                GError              **error)
{
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_STORE (self), NULL);
  g_return_val_if_fail (statuses != NULL || n_statuses == 0, NULL);

  if (!(request = list_runs_request (workflow_name, statuses, n_statuses, created_after,
                                     created_before, limit, offset, error)))
    return NULL;

  {
    g_autoptr(PgqrsReply) reply = _pgqrs_store_execute (self, request, cancellable, error);

    return reply_to_runs (self, reply);
  }
}

/**
 * pgqrs_store_list_workflow_runs_async:
 * @self: a #PgqrsStore
 * @workflow_name: (nullable): only the runs of this workflow; %NULL for all
 * @statuses: (array length=n_statuses) (nullable): only the runs in one of
 *   these statuses; empty for any
 * @n_statuses: the length of @statuses
 * @created_after: (nullable): only the runs created after this time
 * @created_before: (nullable): only the runs created before this time
 * @limit: the most runs to return; 0 means 100
 * @offset: how many of the newest to skip, for paging
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Starts [method@Store.list_workflow_runs] without blocking.
 *
 * Since: 1.0
 */
void
pgqrs_store_list_workflow_runs_async (PgqrsStore           *self,
                                      const char           *workflow_name,
                                      const PgqrsRunStatus *statuses,
                                      guint                 n_statuses,
                                      GDateTime            *created_after,
                                      GDateTime            *created_before,
                                      guint                 limit,
                                      guint                 offset,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_STORE (self));
  g_return_if_fail (statuses != NULL || n_statuses == 0);

  if (!(request = list_runs_request (workflow_name, statuses, n_statuses, created_after,
                                     created_before, limit, offset, &error)))
    return _pgqrs_store_report_error (self, pgqrs_store_list_workflow_runs_async,
                                       callback, user_data, error);

  _pgqrs_store_execute_async (self, self, request, pgqrs_store_list_workflow_runs_async,
                              cancellable, callback, user_data);
}

/**
 * pgqrs_store_list_workflow_runs_finish:
 * @self: a #PgqrsStore
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Store.list_workflow_runs_async].
 *
 * Returns: (transfer container) (element-type PgqrsWorkflow): the runs, or
 *   %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
pgqrs_store_list_workflow_runs_finish (PgqrsStore    *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_autoptr(PgqrsReply) reply =
    _pgqrs_store_execute_finish (self, result, pgqrs_store_list_workflow_runs_async, error);

  return reply_to_runs (self, reply);
}
