/* pgqrs-postgres-pool.c — a bounded pool of connections with FIFO waiting
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "pgqrs-postgres-pool-private.h"

/*
 * The pool is shared between threads (blocking calls run on private main
 * contexts in whatever thread makes them), so its state sits behind a
 * mutex, and everything that waits — connecting, a waiter's cancellation —
 * is a source on the main context of the caller it serves.
 */

struct _PgqrsPostgresPool
{
  GMutex                    mutex;
  PgqrsPostgresConnectInfo *info;
  guint                     max_connections;
  guint                     n_open;    /* connections that exist or are being made */
  GQueue                    idle;      /* PgqrsPostgresConnection, last used first */
  GQueue                    waiters;   /* Waiter, oldest first */
};

typedef struct
{
  PgqrsPostgresPool *pool;
  GTask             *task;
  GMainContext      *context;
  GSource           *cancel_source;
} Waiter;

static void
waiter_clear (gpointer data)
{
  Waiter *waiter = data;

  g_clear_object (&waiter->task);
  g_clear_pointer (&waiter->context, g_main_context_unref);
  g_clear_pointer (&waiter->cancel_source, g_source_unref);
}

static void
waiter_unref (Waiter *waiter)
{
  g_atomic_rc_box_release_full (waiter, waiter_clear);
}

PgqrsPostgresPool *
_pgqrs_postgres_pool_new (PgqrsPostgresConnectInfo *info,
                          guint                     max_connections)
{
  PgqrsPostgresPool *self = g_new0 (PgqrsPostgresPool, 1);

  g_mutex_init (&self->mutex);
  self->info = _pgqrs_postgres_connect_info_ref (info);
  self->max_connections = MAX (max_connections, 1);
  g_queue_init (&self->idle);
  g_queue_init (&self->waiters);

  return self;
}

void
_pgqrs_postgres_pool_free (PgqrsPostgresPool *self)
{
  if (self == NULL)
    return;

  /* Every caller holds the backend, and so the pool, until it is done. */
  g_warn_if_fail (self->waiters.length == 0);

  g_queue_clear_full (&self->idle, (GDestroyNotify)_pgqrs_postgres_connection_free);
  _pgqrs_postgres_connect_info_unref (self->info);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

/* A place in the pool became free (a connection closed, or one that was
 * being made failed): the oldest waiter takes it over, or it is given up. */
static void give_place (PgqrsPostgresPool *self);

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PgqrsPostgresPool *self = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  PgqrsPostgresConnection *conn = _pgqrs_postgres_connection_open_finish (result, &error);

  if (conn == NULL)
    {
      give_place (self);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, conn, (GDestroyNotify)_pgqrs_postgres_connection_free);
}

/* Connects for @task, in the caller's main context, on a place already
 * counted in n_open. */
static void
open_for (GTask *task)
{
  _pgqrs_postgres_connection_open_async (((PgqrsPostgresPool *)g_task_get_task_data (task))->info,
                                         g_task_get_cancellable (task),
                                         opened_cb, g_object_ref (task));
}

static gboolean
open_for_waiter_cb (gpointer user_data)
{
  Waiter *waiter = user_data;

  /* Connecting waits on sources of the waiter's own context. */
  g_main_context_push_thread_default (waiter->context);
  open_for (waiter->task);
  g_main_context_pop_thread_default (waiter->context);

  return G_SOURCE_REMOVE;
}

static void
give_place (PgqrsPostgresPool *self)
{
  Waiter *waiter;

  g_mutex_lock (&self->mutex);
  if (!(waiter = g_queue_pop_head (&self->waiters)))
    self->n_open--;
  g_mutex_unlock (&self->mutex);

  if (waiter != NULL)
    {
      g_autoptr(GSource) idle = g_idle_source_new ();

      if (waiter->cancel_source != NULL)
        g_source_destroy (waiter->cancel_source);
      g_source_set_static_name (idle, "[pgqrs] PostgreSQL pool: connect for a waiter");
      g_source_set_callback (idle, open_for_waiter_cb, waiter, (GDestroyNotify)waiter_unref);
      g_source_attach (idle, waiter->context);
    }
}

static gboolean
waiter_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  Waiter *waiter = user_data;
  gboolean removed;

  g_mutex_lock (&waiter->pool->mutex);
  removed = g_queue_remove (&waiter->pool->waiters, waiter);
  g_mutex_unlock (&waiter->pool->mutex);

  /* Otherwise it was just served, and the caller sees the cancellation
   * when its connection arrives. */
  if (removed)
    {
      g_task_return_error_if_cancelled (waiter->task);
      waiter_unref (waiter);    /* the queue's reference */
    }

  return G_SOURCE_REMOVE;
}

/* The idle connection used last that is still good, or NULL; called and
 * returning with the mutex held. */
static PgqrsPostgresConnection *
pop_idle_locked (PgqrsPostgresPool *self)
{
  PgqrsPostgresConnection *conn;

  while ((conn = g_queue_pop_head (&self->idle)))
    {
      if (_pgqrs_postgres_connection_check_idle (conn))
        return conn;

      /* Closed by the server while idle (restart, terminated backend):
       * drop it and look again. */
      self->n_open--;
      g_mutex_unlock (&self->mutex);
      _pgqrs_postgres_connection_free (conn);
      g_mutex_lock (&self->mutex);
    }

  return NULL;
}

PgqrsPostgresConnection *
_pgqrs_postgres_pool_try_acquire (PgqrsPostgresPool *self)
{
  PgqrsPostgresConnection *conn;

  g_mutex_lock (&self->mutex);
  conn = pop_idle_locked (self);
  g_mutex_unlock (&self->mutex);

  return conn;
}

void
_pgqrs_postgres_pool_acquire_async (PgqrsPostgresPool   *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  PgqrsPostgresConnection *conn;
  Waiter *waiter;

  g_task_set_source_tag (task, _pgqrs_postgres_pool_acquire_async);
  g_task_set_task_data (task, self, NULL);
  /* A connection handed over must reach the caller, never be dropped
   * with the task because of a late cancellation. */
  g_task_set_check_cancellable (task, FALSE);

  if (g_task_return_error_if_cancelled (task))
    return;

  g_mutex_lock (&self->mutex);

  if ((conn = pop_idle_locked (self)))
    {
      g_mutex_unlock (&self->mutex);
      g_task_return_pointer (task, conn, (GDestroyNotify)_pgqrs_postgres_connection_free);
      return;
    }

  if (self->n_open < self->max_connections)
    {
      self->n_open++;
      g_mutex_unlock (&self->mutex);
      open_for (task);
      return;
    }

  waiter = g_atomic_rc_box_new0 (Waiter);
  waiter->pool = self;
  waiter->task = g_object_ref (task);
  waiter->context = g_main_context_ref_thread_default ();
  if (cancellable != NULL)
    {
      waiter->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (waiter->cancel_source, "[pgqrs] PostgreSQL pool: cancel a wait");
      g_source_set_callback (waiter->cancel_source,
                             (GSourceFunc)(void (*) (void))waiter_cancelled_cb,
                             g_atomic_rc_box_acquire (waiter), (GDestroyNotify)waiter_unref);
      g_source_attach (waiter->cancel_source, waiter->context);
    }
  g_queue_push_tail (&self->waiters, waiter);

  g_mutex_unlock (&self->mutex);
}

PgqrsPostgresConnection *
_pgqrs_postgres_pool_acquire_finish (PgqrsPostgresPool  *self,
                                     GAsyncResult       *result,
                                     GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
_pgqrs_postgres_pool_release (PgqrsPostgresPool       *self,
                              PgqrsPostgresConnection *conn)
{
  Waiter *waiter;

  if (_pgqrs_postgres_connection_is_broken (conn))
    {
      _pgqrs_postgres_connection_free (conn);
      give_place (self);
      return;
    }

  g_mutex_lock (&self->mutex);
  if (!(waiter = g_queue_pop_head (&self->waiters)))
    g_queue_push_head (&self->idle, conn);
  g_mutex_unlock (&self->mutex);

  if (waiter != NULL)
    {
      if (waiter->cancel_source != NULL)
        g_source_destroy (waiter->cancel_source);
      /* GTask delivers it in the waiter's own main context. */
      g_task_return_pointer (waiter->task, conn, (GDestroyNotify)_pgqrs_postgres_connection_free);
      waiter_unref (waiter);
    }
}
