/* pgqrs-step-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-backend-private.h"
#include "pgqrs-deferral-private.h"
#include "pgqrs-step.h"

G_BEGIN_DECLS

PgqrsStep  *_pgqrs_step_new         (PgqrsWorkflow      *workflow,
                                     const PgqrsStepRow *row);
void        _pgqrs_step_update      (PgqrsStep          *self,
                                     const PgqrsStepRow *row);
/* A deferred body (pgqrs_step_defer()) ends with pgqrs_step_resolve():
 * see pgqrs-deferral-private.h. */
gboolean    _pgqrs_step_is_deferred (PgqrsStep          *self);
void        _pgqrs_step_on_resolved (PgqrsStep          *self,
                                     GMainContext       *context,
                                     PgqrsResolvedFunc   func,
                                     gpointer            data);
/* What the step function said with pgqrs_step_set_error(), or NULL. */
const char *_pgqrs_step_get_failure (PgqrsStep          *self,
                                     gboolean           *transient);

G_END_DECLS
