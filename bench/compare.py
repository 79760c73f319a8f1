#!/usr/bin/env python3
"""Runs the same pgqrs-bench scenarios with two builds, side by side.

    bench/compare.py --base OLD/pgqrs-bench --new NEW/pgqrs-bench [--reps N]
                     [--messages N] [--samples N] [--backends sqlite,postgres]
                     [--grid 1x1,1x10,4x10] [--e2e same,other]
                     [--workflows workflow,workflow-consumer] [--runs N]
                     [--ceiling BUILD/bench/sqlite-ceiling]
                     [--consumer-grid 1x1,4x10]

The machines these figures come from are shared and noisy, so a figure
only means something next to its baseline measured at the same moment:
for every cell the two programs run in turn (base, new, base, new, ...),
each on a fresh queue of the same database, and the report gives each
side's median and the median of the per-pair ratios new/base.

--consumer-grid adds drain-consumer cells (the backlog drained through
PgqrsConsumer, consumers x batch-size); none unless given.

Drain cells give messages/s (higher is better: ratio > 1 means the new
build is faster); e2e cells give the p50 enqueue-to-handler latency in ms
(lower is better: ratio < 1 means the new build is faster); workflow
cells give runs of 3 steps per second (higher is better), in-process
(`workflow`) or triggered and run by a consumer (`workflow-consumer`, at
--workflow-concurrency).

PostgreSQL runs on a throwaway cluster (bench/pg-cluster.sh), removed at
the end; SQLite on a fresh file in a temporary folder.  The JSON of every
run goes to --json if given.

With --ceiling, the SQLite drain cells compare --new with the bare C loop
(sqlite-ceiling, on a backlog --new prefills) instead of --base: "base"
is then the ceiling and new/base the fraction of it pgqrs reaches.

SPDX-License-Identifier: MIT
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import driver  # noqa: E402  (bench/driver.py: baseline_dsn)


def program_env(program):
    """The environment a build-tree pgqrs-bench runs in: its own build's
    backend modules (PostgreSQL, libSQL), not whatever is installed."""
    env = dict(os.environ)
    modules = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(program))),
                           "pgqrs", "backends")
    if os.path.isdir(modules):
        env["PGQRS_BACKEND_DIR"] = modules
    return env


def run_bench(program, dsn, args, timeout=1800, program_args=None):
    argv = program_args if program_args is not None else ["--dsn", dsn] + args
    proc = subprocess.run([program] + argv, capture_output=True, text=True, timeout=timeout,
                          env=program_env(program))
    if proc.returncode != 0:
        raise RuntimeError("%s %s: exit %d: %s" % (program, " ".join(args),
                                                   proc.returncode, proc.stderr.strip()[-400:]))
    lines = [l for l in proc.stdout.splitlines() if l.startswith("{")]
    if not lines:
        raise RuntimeError("%s %s printed no JSON" % (program, " ".join(args)))
    return json.loads(lines[-1])


def cells(opts):
    for backend in opts.backends:
        for c, b in opts.grid:
            yield backend, "drain c%d b%d" % (c, b), [
                "--scenario", "drain", "--messages", str(opts.messages),
                "--consumers", str(c), "--batch", str(b)]
        for c, b in opts.consumer_grid:
            yield backend, "consumer c%d b%d" % (c, b), [
                "--scenario", "drain-consumer", "--messages", str(opts.messages),
                "--consumers", str(c), "--batch", str(b)]
        for mode in opts.e2e:
            yield backend, "e2e %s" % mode, [
                "--scenario", "e2e", "--mode", mode, "--samples", str(opts.samples)]
        for scenario in opts.workflows:
            yield backend, scenario, [
                "--scenario", scenario, "--runs", str(opts.runs),
                "--consumers", str(opts.workflow_concurrency)]


def run_ceiling(opts, dsn, args):
    """The bare loop on a backlog the candidate prefills, like bench/driver.py."""
    opt = dict(zip(args[::2], args[1::2]))
    proc = subprocess.run([opts.new, "--dsn", dsn, "--scenario", "prefill", "--messages",
                           opt["--messages"]], capture_output=True, text=True, check=True)
    return run_bench(opts.ceiling, dsn, [], program_args=[
        "--db", dsn[len("sqlite://"):], "--queue-id", proc.stdout.strip(),
        "--consumers", opt["--consumers"], "--batch", opt["--batch"]])


def figure(result):
    if result["scenario"] == "workflow":
        if result["replayed_step_bodies_run"] != 0:
            raise RuntimeError("workflow: %d completed steps ran again"
                               % result["replayed_step_bodies_run"])
        return result["runs_per_s"]
    if result["scenario"] == "workflow-consumer":
        if result["completed"] != result["runs"]:
            raise RuntimeError("workflow-consumer: %d of %d runs completed"
                               % (result["completed"], result["runs"]))
        return result["runs_per_s"]
    if result["scenario"] in ("drain", "ceiling", "drain-consumer"):
        if result.get("left_waiting", 0) != 0:
            raise RuntimeError("drain left %d messages behind" % result["left_waiting"])
        return result["messages_per_s"]
    if result.get("timeouts", 0) != 0:
        raise RuntimeError("e2e: %d samples never arrived" % result["timeouts"])
    return result["latency"]["p50_ms"]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", required=True, help="the baseline pgqrs-bench")
    p.add_argument("--new", required=True, help="the candidate pgqrs-bench")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--messages", type=int, default=20000)
    p.add_argument("--samples", type=int, default=300)
    p.add_argument("--backends", default="sqlite,postgres")
    p.add_argument("--grid", default="1x1,1x10,4x10")
    p.add_argument("--e2e", default="same,other")
    p.add_argument("--workflows", default="",
                   help="workflow scenarios to run too: workflow,workflow-consumer")
    p.add_argument("--runs", type=int, default=300, help="runs per workflow cell")
    p.add_argument("--workflow-concurrency", type=int, default=1,
                   help="the consumer's concurrency in workflow-consumer cells")
    p.add_argument("--consumer-grid", default="")
    p.add_argument("--json", help="write every run's JSON here")
    p.add_argument("--ceiling", help="sqlite-ceiling: the base of the SQLite drain cells")
    opts = p.parse_args()
    opts.backends = [b for b in opts.backends.split(",") if b]
    opts.grid = [tuple(int(x) for x in cell.split("x")) for cell in opts.grid.split(",") if cell]
    opts.e2e = [m for m in opts.e2e.split(",") if m]
    opts.workflows = [w for w in opts.workflows.split(",") if w]
    opts.consumer_grid = [tuple(int(x) for x in cell.split("x"))
                          for cell in opts.consumer_grid.split(",") if cell]

    work = tempfile.mkdtemp(prefix="pgqrs-compare-")
    if os.geteuid() == 0:
        shutil.chown(work, "postgres")
    cluster = os.path.join(work, "pg")
    dsns = {"sqlite": "sqlite://" + os.path.join(work, "bench.db")}
    runs = []
    try:
        if "postgres" in opts.backends:
            port = subprocess.run([os.path.join(HERE, "pg-cluster.sh"), "start", cluster],
                                  check=True, capture_output=True, text=True).stdout.strip()
            dsns["postgres"] = "postgresql://postgres@127.0.0.1:%s/postgres" % port
            # the workflow scenarios' raw SQL (which clears the queue) knows
            # only the default schema, where the baseline, on tables of its
            # own, installs nothing: install it there first
            if opts.workflows:
                subprocess.run([opts.new, "--dsn", dsns["postgres"], "--scenario", "prefill",
                                "--messages", "1"], check=True, capture_output=True, timeout=120,
                               env=program_env(opts.new))

        print("%-9s %-14s %12s %12s %8s   (%d pairs; drain: messages/s, e2e: p50 ms, workflow: runs/s)"
              % ("backend", "cell", "base", "new", "new/base", opts.reps))
        for backend, label, args in cells(opts):
            base, new, ratios = [], [], []
            for rep in range(opts.reps):
                pair = []
                for side, program in (("base", opts.base), ("new", opts.new)):
                    if side == "base" and opts.ceiling and backend == "sqlite" and args[1] == "drain":
                        r = run_ceiling(opts, dsns[backend], args)
                    else:
                        # workflows: the base build on tables of its own
                        # (driver.baseline_dsn; the drains' raw SQL knows
                        # only the default schema)
                        own = side == "base" and args[1].startswith("workflow")
                        r = run_bench(program, driver.baseline_dsn(dsns[backend]) if own else dsns[backend],
                                      args)
                    r.update({"side": side, "rep": rep, "cell": label})
                    runs.append(r)
                    pair.append(figure(r))
                base.append(pair[0])
                new.append(pair[1])
                ratios.append(pair[1] / pair[0])
            print("%-9s %-14s %12.2f %12.2f %8.3f" % (backend, label, statistics.median(base),
                                                     statistics.median(new), statistics.median(ratios)),
                  flush=True)
    finally:
        if "postgres" in dsns:
            subprocess.run([os.path.join(HERE, "pg-cluster.sh"), "stop", cluster],
                           capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
        if opts.json:
            with open(opts.json, "w") as f:
                json.dump(runs, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
