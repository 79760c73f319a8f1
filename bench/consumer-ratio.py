#!/usr/bin/env python3
"""Drains through PgqrsConsumer next to the ceiling, without the rest of the bench.

    bench/consumer-ratio.py --bench B/bench/pgqrs-bench --ceiling B/bench/sqlite-ceiling
                            [--messages N] [--reps N] [--grid 1x1,1x10,4x50]
                            [--backends postgres,sqlite] [--json FILE] [--drain]

The drain-consumer part of bench/driver.py (issue 17, target 1) on its own,
for measuring a change to the consumer in minutes: for each cell
(consumers x batch-size) a drain-consumer run and then a ceiling run
(pgbench with the library's own statements on a throwaway PostgreSQL
cluster, sqlite-ceiling on a fresh SQLite file), --reps times; prints the
medians and the median of the paired ratios, as the report does.

With --drain, the plain drain loop (dequeue + archive_batch, target 2)
instead of PgqrsConsumer.

SPDX-License-Identifier: MIT
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import driver  # noqa: E402  (bench/driver.py)
import report  # noqa: E402  (bench/report.py)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bench", required=True, help="pgqrs-bench")
    p.add_argument("--ceiling", required=True, help="sqlite-ceiling")
    p.add_argument("--messages", type=int, default=5000)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--grid", default="1x1,1x10,1x50,2x1,2x10,2x50,4x1,4x10,4x50")
    p.add_argument("--backends", default="postgres,sqlite")
    p.add_argument("--json", help="write every run's JSON here")
    p.add_argument("--drain", action="store_true", help="the drain loop instead of PgqrsConsumer")
    args = p.parse_args()
    grid = [tuple(int(x) for x in cell.split("x")) for cell in args.grid.split(",") if cell]
    size = {"drain_messages": args.messages, "consumer_reps": args.reps, "consumer_grid": grid,
            "drain_reps": args.reps, "drain_grid": grid}
    backends = [b for b in args.backends.split(",") if b]

    work = tempfile.mkdtemp(prefix="pgqrs-consumer-ratio-")
    os.chmod(work, 0o755)   # the cluster's server user must reach its directory
    cluster = os.path.join(work, "pg")
    log = open(os.path.join(work, "run.log"), "w")
    run = driver.Run(args, log)
    args.out = work     # where driver.drains() leaves its pgbench script
    port = None
    statements = None
    try:
        dsns = []
        if "postgres" in backends:
            port = int(subprocess.run(["sh", os.path.join(HERE, "pg-cluster.sh"), "start", cluster],
                                      check=True, capture_output=True, text=True).stdout.strip())
            dsns.append(("postgres", "postgresql://postgres@127.0.0.1:%d/postgres" % port))
            rc, out, err = run.call([args.bench, "--scenario", "statements"], 30)
            statements = json.loads(out.strip().splitlines()[-1])
            with open(os.path.join(work, "drain.pgbench"), "w") as f:
                f.write(driver.pgbench_script(statements))
        sqlite_db = os.path.join(work, "bench.db")
        if "sqlite" in backends:
            dsns.append(("sqlite", "sqlite://" + sqlite_db))
        for backend, dsn in dsns:
            if args.drain:
                driver.drains(run, args, size, backend, dsn, statements, sqlite_db, work)
                cells = report.drain_cells(run.results, backend)
            else:
                driver.consumer_drains(run, args, size, backend, dsn, sqlite_db, work)
                cells = report.consumer_cells(run.results, backend)
            print("%-9s %-5s %12s %12s %8s   (%d pairs; messages/s)"
                  % (backend, "cell", "drain" if args.drain else "consumer", "ceiling", "ratio", args.reps))
            for c, batch, m, ratio in cells:
                ce = report.median_run(run.results, scenario="ceiling", backend=backend,
                                       consumers=c, batch=batch)
                print("%-9s %-5s %12.0f %12.0f %8s" % (backend, "%dx%d" % (c, batch), m["messages_per_s"],
                                                       ce["messages_per_s"] if ce else 0,
                                                       "%.2f" % ratio if ratio else "-"), flush=True)
    finally:
        if port is not None:
            subprocess.run(["sh", os.path.join(HERE, "pg-cluster.sh"), "stop", cluster],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        log.close()
        shutil.rmtree(work, ignore_errors=True)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(run.results, f, indent=1)
    for f in run.failures:
        print("FAILED: %s: %s" % (f["what"], f["why"]), file=sys.stderr)
    return 1 if run.failures else 0


if __name__ == "__main__":
    sys.exit(main())
