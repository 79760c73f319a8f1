/* pgqrs-watch-list.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "pgqrs-watch-list-private.h"

/* Shared by the list and a pending call, hence the reference count; the
 * fields below @lock are guarded by it. */
typedef struct
{
  gatomicrefcount  ref;
  guint            id;
  PgqrsWakeupFunc  func;
  gpointer         user_data;
  GDestroyNotify   destroy;
  GMainContext    *context;   /* NULL: called in the notifying thread */
  gboolean         busy;      /* under the list's lock: _pgqrs_watch_list_set_busy() */

  GMutex           lock;
  gboolean         removed;
  gboolean         pending;
  gint64           pending_queue_id;
} Watcher;

struct _PgqrsWatchList
{
  GMutex     lock;
  GPtrArray *watchers;   /* Watcher */
  guint      last_id;
};

static Watcher *
watcher_ref (Watcher *watcher)
{
  g_atomic_ref_count_inc (&watcher->ref);
  return watcher;
}

static void
watcher_unref (gpointer data)
{
  Watcher *watcher = data;

  if (!g_atomic_ref_count_dec (&watcher->ref))
    return;

  if (watcher->destroy != NULL)
    watcher->destroy (watcher->user_data);
  g_clear_pointer (&watcher->context, g_main_context_unref);
  g_mutex_clear (&watcher->lock);
  g_free (watcher);
}

PgqrsWatchList *
_pgqrs_watch_list_new (void)
{
  PgqrsWatchList *self = g_new0 (PgqrsWatchList, 1);

  g_mutex_init (&self->lock);
  self->watchers = g_ptr_array_new ();

  return self;
}

static void
watcher_remove (Watcher *watcher)
{
  g_mutex_lock (&watcher->lock);
  watcher->removed = TRUE;
  g_mutex_unlock (&watcher->lock);
  watcher_unref (watcher);
}

void
_pgqrs_watch_list_free (PgqrsWatchList *self)
{
  g_ptr_array_foreach (self->watchers, (GFunc)watcher_remove, NULL);
  g_ptr_array_unref (self->watchers);
  g_mutex_clear (&self->lock);
  g_free (self);
}

guint
_pgqrs_watch_list_add (PgqrsWatchList  *self,
                       GMainContext    *context,
                       PgqrsWakeupFunc  func,
                       gpointer         user_data,
                       GDestroyNotify   destroy)
{
  Watcher *watcher = g_new0 (Watcher, 1);

  g_atomic_ref_count_init (&watcher->ref);
  watcher->func = func;
  watcher->user_data = user_data;
  watcher->destroy = destroy;
  watcher->context = context ? g_main_context_ref (context) : NULL;
  g_mutex_init (&watcher->lock);

  g_mutex_lock (&self->lock);
  if (++self->last_id == 0)
    ++self->last_id;
  watcher->id = self->last_id;
  g_ptr_array_add (self->watchers, watcher);
  g_mutex_unlock (&self->lock);

  return watcher->id;
}

/* The watcher's index in the list, or -1.  Under the list's lock. */
static gint
find_watcher (PgqrsWatchList *self,
              guint           id)
{
  for (guint i = 0; i < self->watchers->len; i++)
    if (((Watcher *)g_ptr_array_index (self->watchers, i))->id == id)
      return (gint)i;

  return -1;
}

gboolean
_pgqrs_watch_list_remove (PgqrsWatchList *self,
                          guint           id)
{
  Watcher *watcher = NULL;
  gint i;

  g_mutex_lock (&self->lock);
  if ((i = find_watcher (self, id)) >= 0)
    watcher = g_ptr_array_steal_index_fast (self->watchers, i);
  g_mutex_unlock (&self->lock);

  if (watcher == NULL)
    return FALSE;

  watcher_remove (watcher);
  return TRUE;
}

gboolean
_pgqrs_watch_list_is_empty (PgqrsWatchList *self)
{
  gboolean empty;

  g_mutex_lock (&self->lock);
  empty = self->watchers->len == 0;
  g_mutex_unlock (&self->lock);

  return empty;
}

gboolean
_pgqrs_watch_list_set_busy (PgqrsWatchList *self,
                            guint           id,
                            gboolean        busy)
{
  gint i;

  g_mutex_lock (&self->lock);
  if ((i = find_watcher (self, id)) >= 0)
    ((Watcher *)g_ptr_array_index (self->watchers, i))->busy = busy;
  g_mutex_unlock (&self->lock);

  return i >= 0;
}

gboolean
_pgqrs_watch_list_all_busy (PgqrsWatchList *self)
{
  gboolean all_busy = TRUE;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->watchers->len && all_busy; i++)
    all_busy = ((Watcher *)g_ptr_array_index (self->watchers, i))->busy;
  g_mutex_unlock (&self->lock);

  return all_busy;
}

/* In the watcher's context. */
static gboolean
watcher_dispatch (gpointer data)
{
  Watcher *watcher = data;
  gboolean removed;
  gint64 queue_id;

  g_mutex_lock (&watcher->lock);
  removed = watcher->removed;
  queue_id = watcher->pending_queue_id;
  watcher->pending = FALSE;
  g_mutex_unlock (&watcher->lock);

  if (!removed)
    watcher->func (queue_id, watcher->user_data);

  return G_SOURCE_REMOVE;
}

void
_pgqrs_watch_list_notify (PgqrsWatchList *self,
                          gint64          queue_id)
{
  g_autoptr(GPtrArray) direct = g_ptr_array_new_with_free_func (watcher_unref);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->watchers->len; i++)
    {
      Watcher *watcher = g_ptr_array_index (self->watchers, i);
      gboolean schedule;

      if (watcher->context == NULL)
        {
          g_ptr_array_add (direct, watcher_ref (watcher));
          continue;
        }

      g_mutex_lock (&watcher->lock);
      schedule = !watcher->pending;
      if (schedule)
        watcher->pending_queue_id = queue_id;
      else if (watcher->pending_queue_id != queue_id)
        watcher->pending_queue_id = 0;
      watcher->pending = TRUE;
      g_mutex_unlock (&watcher->lock);

      if (schedule)
        {
          GSource *source = g_idle_source_new ();

          /* the priority of the signal emission this replaces */
          g_source_set_priority (source, G_PRIORITY_DEFAULT);
          g_source_set_callback (source, watcher_dispatch, watcher_ref (watcher), watcher_unref);
          g_source_set_static_name (source, "[pgqrs] wakeup");
          g_source_attach (source, watcher->context);
          g_source_unref (source);
        }
    }
  g_mutex_unlock (&self->lock);

  /* outside the list's lock, which they may take */
  for (guint i = 0; i < direct->len; i++)
    {
      Watcher *watcher = g_ptr_array_index (direct, i);
      gboolean removed;

      g_mutex_lock (&watcher->lock);
      removed = watcher->removed;
      g_mutex_unlock (&watcher->lock);

      if (!removed)
        watcher->func (queue_id, watcher->user_data);
    }
}
