/* pgqrs-deferral.c
 *
 * SPDX-License-Identifier: MIT
 */

#include "config.h"

#include "pgqrs-deferral-private.h"

void
_pgqrs_deferral_init (PgqrsDeferral *self)
{
  *self = (PgqrsDeferral) { 0, };
  g_mutex_init (&self->lock);
}

void
_pgqrs_deferral_clear (PgqrsDeferral *self)
{
  g_clear_pointer (&self->result, json_node_unref);
  g_mutex_clear (&self->lock);
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
  gboolean deferred;

  g_mutex_lock (&self->lock);
  deferred = self->deferred;
  g_mutex_unlock (&self->lock);

  return deferred;
}

gboolean
_pgqrs_deferral_resolve (PgqrsDeferral *self,
                         JsonNode      *result)
{
  PgqrsResolvedFunc func;
  gpointer data;

  g_mutex_lock (&self->lock);
  if (!self->deferred || self->resolved)
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  self->resolved = TRUE;
  self->result = result ? json_node_copy (result) : NULL;
  func = g_steal_pointer (&self->on_resolved);
  data = g_steal_pointer (&self->on_resolved_data);
  g_mutex_unlock (&self->lock);

  if (func != NULL)
    func (self->result, data);

  return TRUE;
}

void
_pgqrs_deferral_on_resolved (PgqrsDeferral     *self,
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
    }
  g_mutex_unlock (&self->lock);

  if (resolved)
    func (self->result, data);
}

gpointer
_pgqrs_deferral_forget (PgqrsDeferral *self)
{
  gpointer data;

  g_mutex_lock (&self->lock);
  self->on_resolved = NULL;
  data = g_steal_pointer (&self->on_resolved_data);
  g_mutex_unlock (&self->lock);

  return data;
}
