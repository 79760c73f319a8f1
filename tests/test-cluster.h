/* test-cluster.h — a throwaway PostgreSQL cluster for the test suites
 *
 * SPDX-License-Identifier: MIT
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Starts, once per process and on first use, a PostgreSQL cluster in a
 * temporary directory on a free port (as an unprivileged user when running
 * as root), and with @via_pgbouncer a PgBouncer in transaction mode in front
 * of it.  Returns the base DSN to reach it; the cluster is stopped and removed
 * when the process exits. */
const char *pgqrs_test_cluster_dsn (gboolean via_pgbouncer);

G_END_DECLS
