/* pgqrs-error-private.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include "pgqrs-error.h"

G_BEGIN_DECLS

void _pgqrs_ensure_i18n (void);

G_END_DECLS
