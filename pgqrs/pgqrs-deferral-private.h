/* pgqrs-deferral-private.h — a body that hands over its result later
 *
 * A step body (PgqrsStep) or a workflow function (PgqrsWorkflow) may say
 * "I will finish later" with defer(), and later hand over its JSON result,
 * or NULL for a failure, with resolve(), from any thread.  Whoever waits
 * for it registers a callback, called once with the result: in the thread
 * that resolves, or at once if that happened already.
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef void (*PgqrsResolvedFunc) (JsonNode *result,
                                   gpointer  data);

typedef struct
{
  GMutex             lock;
  gboolean           deferred;
  gboolean           resolved;
  JsonNode          *result;
  PgqrsResolvedFunc  on_resolved;
  gpointer           on_resolved_data;
} PgqrsDeferral;

void     _pgqrs_deferral_init        (PgqrsDeferral     *self);
void     _pgqrs_deferral_clear       (PgqrsDeferral     *self);
void     _pgqrs_deferral_defer       (PgqrsDeferral     *self);
gboolean _pgqrs_deferral_is_deferred (PgqrsDeferral     *self);
/* FALSE if it was not deferred or was resolved already. */
gboolean _pgqrs_deferral_resolve     (PgqrsDeferral     *self,
                                      JsonNode          *result);
void     _pgqrs_deferral_on_resolved (PgqrsDeferral     *self,
                                      PgqrsResolvedFunc  func,
                                      gpointer           data);
/* Takes the callback back unless it has been called (or is being called):
 * its data, or NULL. For a waiter that gives up. */
gpointer _pgqrs_deferral_forget      (PgqrsDeferral     *self);

G_END_DECLS
