/* pgqrs-deferral.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "pgqrs-deferral-private.h"

void
_pgqrs_deferral_init (PgqrsDeferral  *self,
                      gpointer        owner,
                      GDestroyNotify  result_free)
{
  *self = (PgqrsDeferral) { 0, };
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->owner = owner;
  self->result_free = result_free;
}

void
_pgqrs_deferral_clear (PgqrsDeferral *self)
{
  if (self->result != NULL && self->result_free != NULL)
    self->result_free (g_steal_pointer (&self->result));
  g_clear_pointer (&self->on_resolved_context, g_main_context_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
}

static gboolean
read_flag (PgqrsDeferral  *self,
           const gboolean *flag)
{
  gboolean value;

  g_mutex_lock (&self->lock);
  value = *flag;
  g_mutex_unlock (&self->lock);

  return value;
}

void
_pgqrs_deferral_defer (PgqrsDeferral *self)
{
  g_mutex_lock (&self->lock);
  self->deferred = TRUE;
  g_mutex_unlock (&self->lock);
}

gboolean
_pgqrs_deferral_is_deferred (PgqrsDeferral *self)
{
  return read_flag (self, &self->deferred);
}

gboolean
_pgqrs_deferral_is_resolved (PgqrsDeferral *self)
{
  return read_flag (self, &self->resolved);
}

/* A callback on its way to its main context. */
typedef struct
{
  PgqrsDeferral     *deferral;
  PgqrsResolvedFunc  func;
  gpointer           data;
} Delivery;

static gboolean
deliver_in_context (gpointer user_data)
{
  Delivery *delivery = user_data;

  delivery->func (delivery->deferral->result, delivery->data);

  return G_SOURCE_REMOVE;
}

static void
delivery_free (gpointer user_data)
{
  Delivery *delivery = user_data;
  GObject *owner = delivery->deferral->owner;

  g_free (delivery);
  /* last, as it may finalize the owner and the deferral with it */
  if (owner != NULL)
    g_object_unref (owner);
}

/* Outside the lock: calls @func now or sends it to @context. */
static void
deliver (PgqrsDeferral     *self,
         GMainContext      *context,
         PgqrsResolvedFunc  func,
         gpointer           data)
{
  Delivery *delivery;

  if (context == NULL)
    {
      func (self->result, data);
      return;
    }

  delivery = g_new0 (Delivery, 1);
  delivery->deferral = self;
  delivery->func = func;
  delivery->data = data;
  if (self->owner != NULL)
    g_object_ref (self->owner);
  g_main_context_invoke_full (context, G_PRIORITY_DEFAULT, deliver_in_context,
                              delivery, delivery_free);
}

gboolean
_pgqrs_deferral_resolve (PgqrsDeferral *self,
                         gpointer       result)
{
  g_autoptr(GMainContext) context = NULL;
  PgqrsResolvedFunc func;
  gpointer data;

  g_mutex_lock (&self->lock);
  if (self->resolved || self->abandoned)
    {
      g_mutex_unlock (&self->lock);
      if (result != NULL && self->result_free != NULL)
        self->result_free (result);
      return FALSE;
    }
  self->resolved = TRUE;
  self->result = result;
  func = g_steal_pointer (&self->on_resolved);
  data = g_steal_pointer (&self->on_resolved_data);
  context = g_steal_pointer (&self->on_resolved_context);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  if (func != NULL)
    deliver (self, context, func, data);

  return TRUE;
}

void
_pgqrs_deferral_on_resolved (PgqrsDeferral     *self,
                             GMainContext      *context,
                             PgqrsResolvedFunc  func,
                             gpointer           data)
{
  gboolean resolved;

  g_mutex_lock (&self->lock);
  resolved = self->resolved;
  if (!resolved)
    {
      self->on_resolved = func;
      self->on_resolved_data = data;
      g_clear_pointer (&self->on_resolved_context, g_main_context_unref);
      self->on_resolved_context = context ? g_main_context_ref (context) : NULL;
    }
  g_mutex_unlock (&self->lock);

  if (resolved)
    deliver (self, context, func, data);
}

gpointer
_pgqrs_deferral_forget (PgqrsDeferral *self)
{
  gpointer data;

  g_mutex_lock (&self->lock);
  self->on_resolved = NULL;
  data = g_steal_pointer (&self->on_resolved_data);
  g_clear_pointer (&self->on_resolved_context, g_main_context_unref);
  g_mutex_unlock (&self->lock);

  return data;
}

gboolean
_pgqrs_deferral_wait (PgqrsDeferral *self,
                      gpointer      *result)
{
  gboolean resolved;

  g_mutex_lock (&self->lock);
  while (!self->resolved && !self->abandoned)
    g_cond_wait (&self->cond, &self->lock);
  resolved = self->resolved;
  *result = resolved ? g_steal_pointer (&self->result) : NULL;
  g_mutex_unlock (&self->lock);

  return resolved;
}

gboolean
_pgqrs_deferral_is_abandoned (PgqrsDeferral *self)
{
  return read_flag (self, &self->abandoned);
}

void
_pgqrs_deferral_abandon (PgqrsDeferral *self)
{
  g_mutex_lock (&self->lock);
  if (!self->resolved)
    self->abandoned = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}
