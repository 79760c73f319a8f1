/* pgqrs-step-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-backend-private.h"
#include "pgqrs-step.h"

G_BEGIN_DECLS

PgqrsStep  *_pgqrs_step_new         (PgqrsWorkflow      *workflow,
                                     const PgqrsStepRow *row);
void        _pgqrs_step_update      (PgqrsStep          *self,
                                     const PgqrsStepRow *row);
/* What the step function said with pgqrs_step_set_error(), or NULL. */
const char *_pgqrs_step_get_failure (PgqrsStep          *self,
                                     gboolean           *transient);

G_END_DECLS
