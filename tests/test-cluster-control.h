/* test-cluster-control.h — what the PostgreSQL-only tests do to the cluster
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Restarts the server of pgqrs_test_cluster_dsn() with `pg_ctl restart
 * -m fast`: every connection is closed, and the server is back (on the
 * same port) when this returns. */
void pgqrs_test_cluster_restart (void);

/* The directory of the cluster (its data directory is "data" in it). */
const char *pgqrs_test_cluster_dir (void);

G_END_DECLS
