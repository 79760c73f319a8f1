/* pgqrs.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define PGQRS_INSIDE
# include "pgqrs-version.h"
# include "pgqrs-version-macros.h"
# include "pgqrs-enums.h"
# include "pgqrs-error.h"
# include "pgqrs-config.h"
# include "pgqrs-json.h"
# include "pgqrs-message.h"
# include "pgqrs-queue-metrics.h"
# include "pgqrs-queue.h"
# include "pgqrs-worker.h"
# include "pgqrs-worker-stats.h"
# include "pgqrs-retry-policy.h"
# include "pgqrs-job.h"
# include "pgqrs-consumer.h"
# include "pgqrs-types.h"
# include "pgqrs-step.h"
# include "pgqrs-workflow.h"
# include "pgqrs-store.h"
#undef PGQRS_INSIDE

G_END_DECLS
