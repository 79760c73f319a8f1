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
                    GError     **error)
{
  g_autofree char *text = NULL;

  if (!_pgqrs_validate_name (_("workflow name"), name, error) ||
      !(text = _pgqrs_payload_serialize (pgqrs_store_get_config (self), input, -1, error)))
    return NULL;

  return _pgqrs_request_new_run_create (name, text, trigger, 0);
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
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(PgqrsReply) reply = NULL;
  PgqrsRequest *request;

  g_return_val_if_fail (PGQRS_IS_STORE (self), NULL);

  if (!(request = create_run_request (self, name, input, trigger, error)))
    return NULL;

  reply = _pgqrs_store_execute (self, request, cancellable, error);

  return reply_to_run (self, reply);
}

static void
run_create_async (PgqrsStore          *self,
                  const char          *name,
                  JsonNode            *input,
                  gboolean             trigger,
                  gpointer             source_tag,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  GError *error = NULL;
  PgqrsRequest *request;

  g_return_if_fail (PGQRS_IS_STORE (self));

  if (!(request = create_run_request (self, name, input, trigger, &error)))
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
  return run_create (self, name, input, FALSE, cancellable, error);
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
  run_create_async (self, name, input, FALSE, pgqrs_store_create_workflow_async,
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
  return run_create (self, name, input, TRUE, cancellable, error);
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
  run_create_async (self, name, input, TRUE, pgqrs_store_trigger_workflow_async,
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
