/* pgqrs-version-macros.h
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#if !defined(PGQRS_INSIDE) && !defined(PGQRS_COMPILATION)
# error "Only <pgqrs.h> can be included directly."
#endif

#include <glib.h>

#include "pgqrs-version.h"

#ifndef _PGQRS_EXTERN
# define _PGQRS_EXTERN __attribute__((visibility("default"))) extern
#endif

#ifdef PGQRS_DISABLE_DEPRECATION_WARNINGS
# define PGQRS_DEPRECATED _PGQRS_EXTERN
# define PGQRS_DEPRECATED_FOR(f) _PGQRS_EXTERN
# define PGQRS_UNAVAILABLE(maj,min) _PGQRS_EXTERN
#else
# define PGQRS_DEPRECATED G_DEPRECATED _PGQRS_EXTERN
# define PGQRS_DEPRECATED_FOR(f) G_DEPRECATED_FOR(f) _PGQRS_EXTERN
# define PGQRS_UNAVAILABLE(maj,min) G_UNAVAILABLE(maj,min) _PGQRS_EXTERN
#endif

#define PGQRS_VERSION_1_0 (G_ENCODE_VERSION (1, 0))

#ifndef PGQRS_VERSION_MIN_REQUIRED
# define PGQRS_VERSION_MIN_REQUIRED (PGQRS_VERSION_1_0)
#endif

#ifndef PGQRS_VERSION_MAX_ALLOWED
# define PGQRS_VERSION_MAX_ALLOWED (PGQRS_VERSION_1_0)
#endif

#define PGQRS_AVAILABLE_IN_ALL _PGQRS_EXTERN

#if PGQRS_VERSION_MIN_REQUIRED >= PGQRS_VERSION_1_0
# define PGQRS_DEPRECATED_IN_1_0 PGQRS_DEPRECATED
# define PGQRS_DEPRECATED_IN_1_0_FOR(f) PGQRS_DEPRECATED_FOR(f)
#else
# define PGQRS_DEPRECATED_IN_1_0 _PGQRS_EXTERN
# define PGQRS_DEPRECATED_IN_1_0_FOR(f) _PGQRS_EXTERN
#endif

#define PGQRS_AVAILABLE_IN_1_0 _PGQRS_EXTERN
