/* pgqrs-deferral-private.h — the one "finishes later" primitive
 *
 * Whatever may finish after the call that started it — a consumer's job
 * (PgqrsJob), a step body (PgqrsStep), a workflow function (PgqrsWorkflow),
 * the runner's call of a workflow function — holds a PgqrsDeferral.  The
 * body says "I will finish later" with defer(); whoever finishes it hands
 * over the result with resolve(), from any thread, and the first resolution
 * wins.  One waiter registers a callback, called once with the result: in
 * the main context it names (the owner held meanwhile), or in the thread
 * that resolves, or at once if that happened already; or it blocks in
 * wait().  A waiter that gives up takes its callback back with forget(),
 * or abandons the deferral, which wakes wait() and makes later resolutions
 * change nothing.
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* @result: what resolve() was given (owned by the deferral) */
typedef void (*PgqrsResolvedFunc) (gpointer result,
                                   gpointer data);

typedef struct
{
  GMutex             lock;
  GCond              cond;
  GObject           *owner;          /* unowned: the object this is part of */
  GDestroyNotify     result_free;
  gboolean           deferred;
  gboolean           resolved;
  gboolean           abandoned;
  gpointer           result;
  PgqrsResolvedFunc  on_resolved;
  gpointer           on_resolved_data;
  GMainContext      *on_resolved_context;
} PgqrsDeferral;

/* @owner: the object the deferral is part of, held while a callback is on
 * its way to a main context; or NULL if no callback goes to one. */
void     _pgqrs_deferral_init        (PgqrsDeferral     *self,
                                      gpointer           owner,
                                      GDestroyNotify     result_free);
void     _pgqrs_deferral_clear       (PgqrsDeferral     *self);
void     _pgqrs_deferral_defer       (PgqrsDeferral     *self);
gboolean _pgqrs_deferral_is_deferred (PgqrsDeferral     *self);
gboolean _pgqrs_deferral_is_resolved (PgqrsDeferral     *self);
/* Takes @result.  FALSE (and @result freed) if it was resolved or
 * abandoned already. */
gboolean _pgqrs_deferral_resolve     (PgqrsDeferral     *self,
                                      gpointer           result);
/* @context: where @func is called (at once if the caller owns it); NULL:
 * in the thread that resolves. */
void     _pgqrs_deferral_on_resolved (PgqrsDeferral     *self,
                                      GMainContext      *context,
                                      PgqrsResolvedFunc  func,
                                      gpointer           data);
/* Takes the callback back unless it has been called (or is on its way):
 * its data, or NULL. */
gpointer _pgqrs_deferral_forget      (PgqrsDeferral     *self);
/* Blocks until resolved or abandoned: TRUE and the result in *result
 * (transfer full) if resolved. */
gboolean _pgqrs_deferral_wait        (PgqrsDeferral     *self,
                                      gpointer          *result);
void     _pgqrs_deferral_abandon     (PgqrsDeferral     *self);
gboolean _pgqrs_deferral_is_abandoned (PgqrsDeferral    *self);

G_END_DECLS
