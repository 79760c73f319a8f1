"""bench/report.py — REPORT.md and SVG charts from results.json.

Used by bench/driver.py; also runnable on its own to redo the report from
a results file:  python3 bench/report.py bench/results/results.json
Standard library only.

SPDX-License-Identifier: MIT
"""

import json
import os
import sys
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))


# --------------------------------------------------------------------------
# looking things up

def find(results, **kw):
    for r in results:
        if all(r.get(k) == v for k, v in kw.items()) and "failed" not in r:
            return r
    return None


def median_run(results, **kw):
    """The run with the median messages/s among the repetitions matching
    kw (the middle one of an odd number), with "reps", "min_per_s" and
    "max_per_s" added."""
    rs = [r for r in results
          if all(r.get(k) == v for k, v in kw.items()) and "failed" not in r and r.get("messages_per_s")]
    if not rs:
        return None
    rs.sort(key=lambda r: r["messages_per_s"])
    m = dict(rs[(len(rs) - 1) // 2] if len(rs) % 2 else rs[len(rs) // 2 - 1])
    if len(rs) % 2 == 0:
        m["messages_per_s"] = (rs[len(rs) // 2 - 1]["messages_per_s"] + rs[len(rs) // 2]["messages_per_s"]) / 2
    m["reps"] = len(rs)
    m["min_per_s"] = rs[0]["messages_per_s"]
    m["max_per_s"] = rs[-1]["messages_per_s"]
    return m


def rate(r):
    """msg/s, with the range when repeated."""
    if not r:
        return "–"
    if r.get("reps", 1) > 1:
        return "%s (%s–%s)" % (num(r["messages_per_s"]), num(r["min_per_s"]), num(r["max_per_s"]))
    return num(r["messages_per_s"])


def get(r, path, default=None):
    v = r
    for part in path.split("."):
        if not isinstance(v, dict) or part not in v:
            return default
        v = v[part]
    return v


def num(v, digits=0):
    if v is None or (isinstance(v, float) and v != v):
        return "–"
    if digits == 0:
        return "{:,.0f}".format(v)
    return "{:,.{d}f}".format(v, d=digits)


def ms(v):
    if v is None:
        return "–"
    if v < 1:
        return "%.3f" % v
    if v < 10:
        return "%.2f" % v
    return "%.1f" % v


def pct(a, b):
    if not a or not b:
        return "–"
    return "%.0f%%" % (100.0 * a / b)


def ratio(a, b):
    if not a or not b:
        return "–"
    return "%.2f×" % (a / b)


# --------------------------------------------------------------------------
# SVG: grouped bar charts and line charts, nothing else

PALETTE = ["#3465a4", "#f57900", "#73d216", "#cc0000", "#75507b", "#c4a000"]


def svg_bars(path, title, groups, series, values, ylabel, log=False):
    """groups: x labels; series: names; values[s][g]: number or None."""
    import math
    w, h = 760, 380
    left, right, top, bottom = 70, 20, 40, 80
    pw, ph = w - left - right, h - top - bottom
    vals = [v for row in values for v in row if v]
    vmax = max(vals) if vals else 1
    if log:
        vmin = min(vals) if vals else 1
        lo, hi = math.floor(math.log10(vmin)), math.ceil(math.log10(vmax))
        if hi == lo:
            hi += 1

        def y(v):
            return top + ph - ph * (math.log10(v) - lo) / (hi - lo)
        ticks = [10 ** e for e in range(lo, hi + 1)]
    else:
        step = nice_step(vmax / 5)
        top_v = step * math.ceil(vmax / step)

        def y(v):
            return top + ph - ph * v / top_v
        ticks = [step * i for i in range(int(round(top_v / step)) + 1)]
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">' % (w, h),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="22" font-size="15" font-weight="bold">%s</text>' % (left, escape(title))]
    for t in ticks:
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>' % (left, w - right, y(t), y(t)))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' % (left - 6, y(t) + 4, short(t)))
    out.append('<text transform="translate(16,%d) rotate(-90)" text-anchor="middle">%s</text>' % (top + ph / 2, escape(ylabel)))
    gw = pw / max(1, len(groups))
    bw = gw * 0.8 / max(1, len(series))
    for gi, g in enumerate(groups):
        x0 = left + gi * gw + gw * 0.1
        for si in range(len(series)):
            v = values[si][gi]
            if not v:
                continue
            yy = y(v)
            out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %s</title></rect>'
                       % (x0 + si * bw, yy, bw - 1, top + ph - yy, PALETTE[si % len(PALETTE)],
                          escape(series[si]), escape(g), short(v)))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (left + gi * gw + gw / 2, top + ph + 16, escape(g)))
    lx = left
    for si, s in enumerate(series):
        out.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/>' % (lx, h - 30, PALETTE[si % len(PALETTE)]))
        out.append('<text x="%d" y="%d">%s</text>' % (lx + 16, h - 20, escape(s)))
        lx += 24 + 7 * len(s)
    out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="black"/>' % (left, w - right, top + ph, top + ph))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def backlog_label(point):
    """ "996900 waiting + 1000000 archived (in the table)" → "997k + 1M arch." """
    import re
    text = re.sub(r"\d+", lambda m: short(float(m.group(0))), point)
    text = text.replace(" waiting", "").replace(" archived", " arch.")
    return re.sub(r" \(.*\)$", "", text)


def nice_step(x):
    import math
    if x <= 0:
        return 1
    e = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 2.5, 5, 10):
        if m * e >= x:
            return m * e
    return 10 * e


def short(v):
    if v >= 1e6:
        return "%gM" % round(v / 1e6, 2)
    if v >= 1e3:
        return "%gk" % round(v / 1e3, 2)
    if v >= 1:
        return "%g" % round(v, 2)
    return "%g" % round(v, 3)


# --------------------------------------------------------------------------

def write(doc, out):
    meta, results = doc["meta"], doc["results"]
    L = []
    m = meta["machine"]
    L.append("# pgqrs benchmark report%s" % (" (quick mode: tiny sizes, not a measurement)" if meta.get("quick") else ""))
    L.append("")
    L.append("- Date: %s; took %s s" % (meta["date"], meta.get("seconds")))
    L.append("- Command: `%s`" % meta["command"].strip())
    L.append("- Machine: %s cores (%s), %s GiB memory, %s, Linux %s"
             % (m.get("cores"), m.get("cpu", "?"), m.get("memory_gib"), m.get("os", "?"), m.get("kernel")))
    L.append("- PostgreSQL %s (throwaway cluster on 127.0.0.1, TCP; durability defaults: fsync, synchronous_commit and full_page_writes on; %s); libpq %s"
             % (meta.get("postgresql_version", "not run"),
                ", ".join("%s=%s" % kv for kv in meta.get("postgresql_settings", {}).items()),
                meta.get("libpq_version")))
    L.append("- SQLite %s (the library's settings: WAL, synchronous=NORMAL)" % meta.get("sqlite_version"))
    if meta.get("libsql_engines"):
        ls = meta["libsql_sizes"]
        L.append("- Turso/libSQL: %s; drain backlog %s; enqueue %s single, %s in batches of 100; e2e %s samples (poll %s)"
                 % (", ".join("%s (%s)" % kv for kv in meta["libsql_engines"].items()),
                    ", ".join("%s messages on %s" % (num(v), k) for k, v in ls["drain_messages"].items()),
                    num(ls["enqueue_single"]), num(ls["enqueue_batch"]), ls["e2e_samples"], ls["e2e_poll_samples"]))
    s = meta["sizes"]
    L.append("- Sizes: drain backlog %s messages; enqueue %s single, %s in batches of 100; e2e %s samples (poll %s, interval %s s); idle %s s; workflows %s runs; backlog levels %s + %s archived"
             % (num(s["drain_messages"]), num(s["enqueue_single"]), num(s["enqueue_batch"]), s["e2e_samples"],
                s["e2e_poll_samples"], s["poll_interval"], s["idle_seconds"], s["workflow_runs"],
                s["backlog_levels"], num(s["backlog_archived"])))
    for n in meta.get("notes", []):
        L.append("- Note: %s" % n)
    if meta.get("failures"):
        L.append("")
        L.append("**Failures:**")
        for f in meta["failures"]:
            L.append("- %s: %s" % (f["what"], f["why"]))
    L.append("")

    targets(L, results)
    drain_section(L, results, out, meta)
    libsql_section(L, results, out)
    other_sections(L, results, out)

    findings = os.path.join(HERE, "findings.md")
    if not meta.get("quick") and os.path.exists(findings):
        with open(findings) as f:
            L.append(f.read().rstrip())
            L.append("")

    with open(os.path.join(out, "REPORT.md"), "w") as f:
        f.write("\n".join(L) + "\n")


def paired_ratios(results, scenario, backend, c, batch, paired=None):
    """The ratios of each run of scenario to the ceiling run taken right
    after it (the same rep), sorted."""
    ratios = []
    for x in results:
        if x.get("scenario") == scenario and x.get("backend") == backend and "failed" not in x and \
                (x.get("consumers"), x.get("batch")) == (c, batch) and x.get("messages_per_s"):
            kw = dict(scenario="ceiling", backend=backend, consumers=c, batch=batch, rep=x.get("rep", 0))
            ce = [r for r in results if all(r.get(k) == v for k, v in kw.items()) and "failed" not in r
                  and r.get("paired") == paired and r.get("messages_per_s")]
            if ce:
                ratios.append(x["messages_per_s"] / ce[0]["messages_per_s"])
    return sorted(ratios)


def median(values):
    if not values:
        return None
    h = len(values) // 2
    return values[h] if len(values) % 2 else (values[h - 1] + values[h]) / 2


def cells_of(results, scenario, backend, paired=None):
    """(consumers, batch, median run of scenario, median of its ratios to the
    ceiling run that followed it) per cell, in the order first run; the
    ceiling runs of the drain-consumer pairs are tagged "paired"."""
    cells = []
    for r in results:
        if r.get("scenario") == scenario and r.get("backend") == backend \
                and (r["consumers"], r["batch"]) not in [(c, b) for c, b, _, _ in cells]:
            c, batch = r["consumers"], r["batch"]
            m = median_run(results, scenario=scenario, backend=backend, consumers=c, batch=batch)
            if m:
                cells.append((c, batch, m, median(paired_ratios(results, scenario, backend, c, batch, paired))))
    return cells


def drain_cells(results, backend):
    return cells_of(results, "drain", backend)


def consumer_cells(results, backend):
    return cells_of(results, "drain-consumer", backend, "drain-consumer")


def like_peer_cells(results):
    """One PgqrsConsumer of concurrency C per peer cell (driver.py's
    consumer_like_peers); no ceiling pairs them."""
    return cells_of(results, "drain-consumer-like-peers", "postgres")


def verdict(ok):
    return "**yes**" if ok else "**no**"


def worst_cell_row(L, what, cells, threshold):
    """One row: the lowest ratio over the cells, and every cell below
    threshold."""
    measured = [x for x in cells if x[3]]
    if not measured:
        L.append("| %s | not measured | – |" % what)
        return
    worst = min(measured, key=lambda x: x[3])
    below = ["%d×%d %.2f×" % (c, b, r) for c, b, _, r in measured if r < threshold]
    L.append("| %s | %d cells; lowest %.2f× at %d×%d%s | %s |"
             % (what, len(measured), worst[3], worst[0], worst[1],
                "; below: " + ", ".join(below) if below else "", verdict(not below)))


def baseline_ratio(results, scenario, backend, key="runs_per_s"):
    """Median over reps of new / baseline, each new run paired with the
    baseline run after it; (ratio, median new, median baseline, pairs)."""
    ratios, news, bases = [], [], []
    for x in results:
        if x.get("scenario") == scenario and x.get("backend") == backend and x.get("binary") == "new" \
                and "failed" not in x and x.get(key):
            b = [r for r in results if r.get("scenario") == scenario and r.get("backend") == backend
                 and r.get("binary") == "baseline" and r.get("rep") == x.get("rep") and "failed" not in r
                 and r.get(key)]
            if b:
                ratios.append(x[key] / b[0][key])
                news.append(x[key])
                bases.append(b[0][key])
    if not ratios:
        return None
    return median(sorted(ratios)), median(sorted(news)), median(sorted(bases)), len(ratios)


def targets(L, results):
    """Issue 17's targets, each a ratio measured in this run."""
    L.append("## Targets")
    L.append("")
    L.append("Each ratio pairs runs taken one after the other (pgqrs, then its baseline) and gives the median "
             "of the pairs.")
    L.append("")
    L.append("| target | measured | met? |")
    L.append("|---|---|---|")
    # 1. through PgqrsConsumer, >= 1.0x the ceiling in every cell
    for backend, ceiling in (("postgres", "the pgbench ceiling"), ("sqlite", "the bare loop")):
        worst_cell_row(L, "1. `PgqrsConsumer` ≥ 1.0× %s in every cell (%s)" % (ceiling, backend),
                       consumer_cells(results, backend), 1.0)
    # 2. the plain drain loop, >= 0.95x its ceiling in every cell
    for backend in ("postgres", "sqlite"):
        worst_cell_row(L, "2. drain loop (`dequeue` + `archive_batch`) ≥ 0.95× its ceiling in every cell (%s)" % backend,
                       drain_cells(results, backend), 0.95)
    # 3. PgqrsConsumer against the peers' workers, cell by cell: one
    # consumer of concurrency C, as each peer runs one worker of C slots
    # (runs before these existed: the grid's C separate consumers)
    cells = {(c, b): m for c, b, m, _ in like_peer_cells(results)}
    who = "`PgqrsConsumer` (one, of concurrency C)"
    if not cells:
        cells = {(c, b): m for c, b, m, _ in consumer_cells(results, "postgres")}
        who = "`PgqrsConsumer`"
    for peer, need in (("graphile-worker", 1.2), ("pg-boss", 5.0)):
        rows, short = [], []
        for r in results:
            if r.get("peer") == peer and "failed" not in r and (r["consumers"], r["batch"]) not in [x[0] for x in rows]:
                c, b = r["consumers"], r["batch"]
                pm = median_run(results, peer=peer, consumers=c, batch=b)
                m = cells.get((c, b))
                if pm and m:
                    rows.append(((c, b), m["messages_per_s"] / pm["messages_per_s"]))
        if not rows:
            L.append("| 3. %s ≥ %.1f× %s in every peer cell | not measured | – |" % (who, need, peer))
            continue
        short = ["%d×%d" % cb for cb, x in rows if x < need]
        L.append("| 3. %s ≥ %.1f× %s in every peer cell | %s | %s |"
                 % (who, need, peer,
                    ", ".join("%d×%d %.2f×" % (cb[0], cb[1], x) for cb, x in rows), verdict(not short)))
    # 4. workflows, >= 2x runs/s against the baseline build
    for backend in ("postgres", "sqlite"):
        for scenario in ("workflow", "workflow-consumer"):
            b = baseline_ratio(results, scenario, backend)
            if b is None:
                ran = find(results, scenario=scenario, backend=backend)
                L.append("| 4. %s runs/s ≥ 2× the baseline (%s) | not measured%s | – |"
                         % (scenario, backend, " (run without --baseline-bench)" if ran else ""))
                continue
            L.append("| 4. %s runs/s ≥ 2× the baseline (%s) | %.2f× (%s vs %s runs/s, %d pairs) | %s |"
                     % (scenario, backend, b[0], num(b[1]), num(b[2]), b[3], verdict(b[0] >= 2)))
    # 5. unchanged or better: latency, idle CPU and memory
    e = find(results, scenario="e2e", backend="postgres", mode="other")
    if e:
        p50 = get(e, "latency.p50_ms")
        L.append("| 5. e2e p50 < 5 ms on PostgreSQL with wakeups (producer on another connection: NOTIFY) | p50 %s ms, p99 %s ms | %s |"
                 % (ms(p50), ms(get(e, "latency.p99_ms")), verdict(p50 < 5)))
    e = find(results, scenario="e2e", backend="sqlite", mode="same")
    if e:
        p50 = get(e, "latency.p50_ms")
        L.append("| 5. e2e p50 < 2 ms in one process on SQLite | p50 %s ms, p99 %s ms | %s |"
                 % (ms(p50), ms(get(e, "latency.p99_ms")), verdict(p50 < 2)))
    for backend in ("postgres", "sqlite"):
        i = find(results, scenario="idle", backend=backend)
        if not i:
            continue
        c = i["client_cpu_percent"]
        extra = " (server side: %.3f%%)" % i["server_cpu_percent"] if "server_cpu_percent" in i else ""
        L.append("| 5. idle consumer < 1%% of a core (%s) | %.3f%% of a core%s | %s |"
                 % (backend, c, extra, verdict(c < 1)))
        if "resident_mib" in i:
            private = i.get("resident_private_mib")
            floor = find(results, scenario="resident-floor", backend=backend)
            L.append("| 5. idle consumer resident memory < 10 MB (%s) | %.1f MiB resident%s%s | %s |"
                     % (backend, i["resident_mib"],
                        ", %.1f MiB of it private (the rest: shared libraries' pages)" % private if private else "",
                        "; the floor, a GIO program with one connection of %s and nothing of pgqrs "
                        "(bench/resident-floor.c): %.1f MiB (%.1f MB)"
                        % ("libpq" if backend == "postgres" else "SQLite", floor["resident_mib"],
                           floor["resident_mib"] * 1.048576) if floor else "",
                        verdict(i["resident_mib"] * 1.048576 < 10)))
    L.append("")


def drain_section(L, results, out, meta):
    L.append("## Drain: a prefilled backlog, lease + archive-batch loops")
    L.append("")
    L.append("Each consumer is a thread with its own store, looping `pgqrs_queue_dequeue (batch)` + "
             "`pgqrs_queue_archive_batch` until the queue is empty (on SQLite the stores of one file in a "
             "process share one connection and owner thread).  The ceiling runs the same statements "
             "without the library: on PostgreSQL `pgbench -M prepared` with the library's own lease and "
             "archive statements (`pgbench-drain.sql`, generated from the library's statement table at run "
             "time), one client per consumer; on SQLite `sqlite-ceiling` (the same statements and "
             "transactions in a bare C loop, with SQLite's own WAL checkpoints, in the commit that fills "
             "the WAL, where the library checkpoints on a thread beside the writes).  Peers drain the same backlog on the same server through their "
             "own workers, each job given to a handler: pg-boss `work()` with `localConcurrency` = consumers "
             "and `batchSize` = batch, graphile-worker `run()` with `concurrency` = consumers and a local "
             "queue of consumers × batch with batched completions (`bench/peers/peers.js`); they are set "
             "beside the drain loop here, and beside `PgqrsConsumer`, which also runs a handler, in the "
             "targets.  At batch 10 and 50 each peer cell is three rounds of pgqrs, pg-boss and "
             "graphile-worker in turn, and the figures are medians; at batch 1 one round.")
    L.append("")
    for backend in ("postgres", "sqlite"):
        configs = []
        for r in results:
            if r.get("scenario") == "drain" and r.get("backend") == backend and (r["consumers"], r["batch"]) not in configs:
                configs.append((r["consumers"], r["batch"]))
        if not configs:
            continue
        L.append("### %s" % ("PostgreSQL" if backend == "postgres" else "SQLite"))
        L.append("")
        hdr = "| consumers | batch | pgqrs msg/s | lease p50 / p95 ms | archive p50 / p95 ms | ceiling msg/s | pgqrs / ceiling |"
        sep = "|---|---|---|---|---|---|---|"
        if backend == "postgres":
            hdr += " pg-boss msg/s | pgqrs / pg-boss | graphile-worker msg/s | pgqrs / graphile-worker |"
            sep += "---|---|---|---|"
        L.append(hdr)
        L.append(sep)
        groups, ser_p, ser_c, ser_b, ser_g = [], [], [], [], []
        for c, b in configs:
            r = median_run(results, scenario="drain", backend=backend, consumers=c, batch=b)
            if not r:
                continue
            ce = median_run(results, scenario="ceiling", backend=backend, consumers=c, batch=b)
            cv = ce and ce.get("messages_per_s")
            line = "| %d | %d | %s | %s / %s | %s / %s | %s | %s |" % (
                c, b, rate(r), ms(get(r, "lease.p50_ms")), ms(get(r, "lease.p95_ms")),
                ms(get(r, "archive.p50_ms")), ms(get(r, "archive.p95_ms")), rate(ce), pct(r["messages_per_s"], cv))
            groups.append("%d×%d" % (c, b))
            ser_p.append(r["messages_per_s"])
            ser_c.append(cv)
            if backend == "postgres":
                bo = median_run(results, peer="pg-boss", consumers=c, batch=b)
                gw = median_run(results, peer="graphile-worker", consumers=c, batch=b)
                bv = bo and bo["messages_per_s"]
                gv = gw and gw["messages_per_s"]
                ser_b.append(bv)
                ser_g.append(gv)
                line += " %s | %s | %s | %s |" % (num(bv), ratio(r["messages_per_s"], bv), num(gv),
                                                   ratio(r["messages_per_s"], gv))
            L.append(line)
        L.append("")
        chart = "drain-%s.svg" % backend
        series, values = ["pgqrs", "ceiling (%s)" % ("pgbench" if backend == "postgres" else "sqlite-ceiling")], [ser_p, ser_c]
        if backend == "postgres" and any(ser_b):
            series += ["pg-boss", "graphile-worker"]
            values += [ser_b, ser_g]
        svg_bars(os.path.join(out, chart), "Drain throughput, %s (consumers × batch)" % backend, groups, series,
                 values, "messages / s")
        L.append("![drain %s](%s)" % (backend, chart))
        L.append("")
        L.append("Batch ≥ 10: the median of the runs (range in brackets), pgqrs and its ceiling alternating; "
                 "latencies are those of the median run.%s" % (
                     "  PostgreSQL rates are by the database's clock for the ceiling (first lease to last "
                     "archive: pgbench gives each client a fixed number of transactions, so it runs a surplus "
                     "that leases nothing) and by the benchmark's clock for pgqrs (its database-clock rate is "
                     "in results.json as db_messages_per_s)." if backend == "postgres" else ""))
        L.append("")
        if backend == "postgres":
            ce = [r for r in results if r.get("scenario") == "ceiling" and r.get("backend") == "postgres"]
            if ce:
                L.append("pgbench's own per-statement averages (ms), for comparison with pgqrs's lease / archive p50 above:")
                L.append("")
                L.append("| consumers × batch | run | pgbench lease avg | pgbench archive avg |")
                L.append("|---|---|---|---|")
                for r in ce:
                    L.append("| %d×%d | %d | %s | %s |" % (r["consumers"], r["batch"], r.get("rep", 0) + 1,
                                                           ms(r.get("lease_avg_ms")), ms(r.get("archive_avg_ms"))))
                L.append("")
        cells = consumer_cells(results, backend)
        if cells:
            L.append("Through `PgqrsConsumer` (handler per batch, the consumer archives; each consumer a thread with "
                     "its own store and main loop), each run followed by a run of the ceiling; the ratio is the "
                     "median of those pairs:")
            L.append("")
            L.append("| consumers | batch-size | msg/s | vs the drain loop | vs the ceiling (paired) |")
            L.append("|---|---|---|---|---|")
            for c, batch, m, vs_ceiling in cells:
                d = median_run(results, scenario="drain", backend=backend, consumers=c, batch=batch)
                L.append("| %d | %d | %s | %s | %s |" % (c, batch, rate(m), pct(m["messages_per_s"], d and d["messages_per_s"]),
                                                       "%.2f×" % vs_ceiling if vs_ceiling else "–"))
            L.append("")
        like = like_peer_cells(results) if backend == "postgres" else []
        if like:
            L.append("Set up as the peers are (target 3): each peer runs one worker object whose C handler slots "
                     "share what it fetched (pg-boss `localConcurrency`, graphile-worker `concurrency` and its "
                     "local queue), so pgqrs runs one `PgqrsConsumer` of concurrency C and batch-size B on one "
                     "store (`pgqrs-bench --scenario drain-consumer --consumers 1 --concurrency C --batch B`); "
                     "the grid's C separate consumers beside it:")
            L.append("")
            L.append("| C × B | one consumer, concurrency C: msg/s | C consumers: msg/s | pg-boss msg/s | "
                     "pgqrs / pg-boss | graphile-worker msg/s | pgqrs / graphile-worker |")
            L.append("|---|---|---|---|---|---|---|")
            grid = {(c, b): m for c, b, m, _ in cells}
            for c, batch, m, _ in like:
                bo = median_run(results, peer="pg-boss", consumers=c, batch=batch)
                gw = median_run(results, peer="graphile-worker", consumers=c, batch=batch)
                bv = bo and bo["messages_per_s"]
                gv = gw and gw["messages_per_s"]
                L.append("| %d×%d | %s | %s | %s | %s | %s | %s |"
                         % (c, batch, rate(m), rate(grid.get((c, batch))), num(bv), ratio(m["messages_per_s"], bv),
                            num(gv), ratio(m["messages_per_s"], gv)))
            L.append("")


def libsql_section(L, results, out):
    """Drain on sqld and on the Turso engine, next to the two ceilings of
    bench/libsql-ceiling: the library's own requests, and one request per
    transaction."""
    engines = [e for e in ("sqld", "turso")
               if any(r.get("scenario") == "drain" and r.get("backend") == e for r in results)]
    if not engines:
        return
    L.append("## Drain on Turso/libSQL: sqld and the Turso engine")
    L.append("")
    L.append("The same drain loop on `sqld` (`http://127.0.0.1:PORT`, a server the benchmark starts) and on the "
             "Turso engine (`turso:///path.db`: the library runs `tursodb` itself).  Two ceilings, both "
             "`bench/libsql-ceiling`: the library's lease and archive statements (its statement table, linked "
             "in), in the same transactions, with the statements its protocol client adds for the engine, over "
             "the same HTTP client (libsoup-3, json-glib Hrana pipeline requests), without the library.  "
             "*same requests* sends them as the library does — one request per statement, so the ratio is "
             "the library's own cost; *one request per transaction* sends each transaction as one Hrana "
             "batch (BEGIN IMMEDIATE, the statements on condition, COMMIT, ROLLBACK unless it committed) — what "
             "the protocol allows with these statements.  On the Turso engine consumers take turns on its one "
             "connection (as the library's stores do).  Batch ≥ 10: medians of the runs, pgqrs and the two "
             "ceilings alternating.")
    L.append("")
    for backend in engines:
        configs = []
        for r in results:
            if r.get("scenario") == "drain" and r.get("backend") == backend and (r["consumers"], r["batch"]) not in configs:
                configs.append((r["consumers"], r["batch"]))
        L.append("### %s" % ("sqld" if backend == "sqld" else "Turso engine (tursodb)"))
        L.append("")
        L.append("| consumers | batch | pgqrs msg/s | lease p50 / p95 ms | archive p50 / p95 ms | "
                 "same requests msg/s | pgqrs / same requests | one request per transaction msg/s | "
                 "pgqrs / that |")
        L.append("|---|---|---|---|---|---|---|---|---|")
        groups, ser_p, ser_s, ser_t = [], [], [], []
        for c, b in configs:
            r = median_run(results, scenario="drain", backend=backend, consumers=c, batch=b)
            if not r:
                continue
            cs = median_run(results, scenario="ceiling", backend=backend, consumers=c, batch=b, requests="statement")
            ct = median_run(results, scenario="ceiling", backend=backend, consumers=c, batch=b, requests="transaction")
            sv = cs and cs["messages_per_s"]
            tv = ct and ct["messages_per_s"]
            L.append("| %d | %d | %s | %s / %s | %s / %s | %s | %s | %s | %s |" % (
                c, b, rate(r), ms(get(r, "lease.p50_ms")), ms(get(r, "lease.p95_ms")),
                ms(get(r, "archive.p50_ms")), ms(get(r, "archive.p95_ms")),
                rate(cs), pct(r["messages_per_s"], sv), rate(ct), pct(r["messages_per_s"], tv)))
            groups.append("%d×%d" % (c, b))
            ser_p.append(r["messages_per_s"])
            ser_s.append(sv)
            ser_t.append(tv)
        L.append("")
        chart = "drain-%s.svg" % backend
        svg_bars(os.path.join(out, chart), "Drain throughput, %s (consumers × batch)" % backend, groups,
                 ["pgqrs", "ceiling: same requests", "ceiling: one request per transaction"],
                 [ser_p, ser_s, ser_t], "messages / s")
        L.append("![drain %s](%s)" % (backend, chart))
        L.append("")
    retried = [r for r in results if r.get("driver") == "libsql-ceiling" and r.get("busy_retries")]
    if retried:
        L.append("sqld refused a ceiling transaction's `BEGIN IMMEDIATE` with “database is locked” (another "
                 "writer held the lock), and it was sent again: %s." % ", ".join(
                     "%s: %d" % (r["what"], r["busy_retries"]) for r in retried))
        L.append("")
    L.append("Enqueue and end-to-end latency on these engines are in the tables below (backends `sqld`, "
             "`turso`).  Their e2e has no `other` mode: another store's enqueue reaches a consumer by "
             "polling, which the `poll` mode measures.")
    L.append("")


def other_sections(L, results, out):
    L.append("## Enqueue")
    L.append("")
    L.append("| backend | batch | msg/s | call p50 / p99 ms |")
    L.append("|---|---|---|---|")
    for r in results:
        if r.get("scenario") == "enqueue":
            L.append("| %s | %d | %s | %s / %s |" % (r["backend"], r["batch"], num(r["messages_per_s"]),
                                                  ms(get(r, "call.p50_ms")), ms(get(r, "call.p99_ms"))))
    L.append("")

    L.append("## End-to-end latency: enqueue → handler start")
    L.append("")
    L.append("`same`: the producer enqueues on the consumer's own store (in-process wakeup); `other`: a producer "
             "with its own store on another thread, so the wakeup travels through the database (PostgreSQL "
             "`NOTIFY`, SQLite's file watch); `poll`: wakeups blocked, the consumer only polls (samples spread "
             "uniformly over the poll cycle).")
    L.append("")
    L.append("| backend | mode | p50 ms | p99 ms | mean ms | samples |")
    L.append("|---|---|---|---|---|---|")
    groups, p50s, p99s = [], [], []
    for r in results:
        if r.get("scenario") == "e2e":
            mode = r["mode"] + (" (%.0f ms interval)" % (1000 * r["poll_interval_s"]) if r["mode"] == "poll" else "")
            L.append("| %s | %s | %s | %s | %s | %s |" % (r["backend"], mode, ms(get(r, "latency.p50_ms")),
                                                         ms(get(r, "latency.p99_ms")), ms(get(r, "latency.mean_ms")),
                                                         get(r, "latency.n")))
            if r["mode"] != "poll":
                groups.append("%s %s" % (r["backend"], r["mode"]))
                p50s.append(get(r, "latency.p50_ms"))
                p99s.append(get(r, "latency.p99_ms"))
    L.append("")
    if groups:
        svg_bars(os.path.join(out, "e2e.svg"), "End-to-end latency with wakeups (ms)", groups, ["p50", "p99"],
                 [p50s, p99s], "milliseconds")
        L.append("![e2e](e2e.svg)")
        L.append("")

    L.append("## Idle consumer")
    L.append("")
    L.append("| backend | watched s | poll interval s | heartbeat s | client CPU % of a core | server CPU % | resident MiB (private) | floor MiB (private) |")
    L.append("|---|---|---|---|---|---|---|---|")
    for r in results:
        if r.get("scenario") == "idle":
            floor = find(results, scenario="resident-floor", backend=r["backend"])
            L.append("| %s | %.0f | %g | %g | %.3f | %s | %s | %s |" % (
                r["backend"], r["seconds"], r["poll_interval_s"], r["heartbeat_interval_s"], r["client_cpu_percent"],
                "%.3f" % r["server_cpu_percent"] if "server_cpu_percent" in r else "–",
                "%.1f (%.1f)" % (r["resident_mib"], r.get("resident_private_mib", 0)) if "resident_mib" in r else "–",
                "%.1f (%.1f)" % (floor["resident_mib"], floor["resident_private_mib"]) if floor else "–"))
    L.append("")
    L.append("The floor is bench/resident-floor.c: a GIO program that opens one connection of the backend's "
             "client library (libpq, SQLite), runs `SELECT 1` and waits a second in its main loop; nothing of "
             "pgqrs. The idle consumer's figure includes it.")
    L.append("")

    L.append("## Workflows")
    L.append("")
    L.append("In-process runs (create, start, three steps, complete) one after another; then runs whose three "
             "steps had completed are started again (a restart after a crash): each step comes back from the "
             "store (cached) without running its body.  `workflow-consumer`: triggered runs executed by a "
             "`PgqrsConsumer` in workflow mode.")
    L.append("")
    L.append("| backend | runs/s | steps/s | run p50 ms | step p50 ms | cached step p50 / p99 ms | replayed runs/s | consumer runs/s | consumer steps/s |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    for backend in ("postgres", "sqlite"):
        w = find(results, scenario="workflow", backend=backend, binary="new")
        wc = find(results, scenario="workflow-consumer", backend=backend, binary="new")
        if not w:
            continue
        L.append("| %s | %s | %s | %s | %s | %s / %s | %s | %s | %s |" % (
            backend, num(w["runs_per_s"]), num(w["steps_per_s"]), ms(get(w, "run.p50_ms")), ms(get(w, "step.p50_ms")),
            ms(get(w, "cached_step.p50_ms")), ms(get(w, "cached_step.p99_ms")), num(w["replayed_runs_per_s"]),
            num(wc and wc["runs_per_s"]), num(wc and wc["steps_per_s"])))
    L.append("")

    L.append("## Backlog growth")
    L.append("")
    L.append("Lease (batch 10) and archive latency as the waiting backlog grows, then with a large archive: "
             "in the same queue (next to a small backlog) and elsewhere in the table (next to the large backlog).")
    L.append("")
    L.append("| backend | point | rows in table | lease p50 / p95 / p99 ms | archive p50 / p95 ms |")
    L.append("|---|---|---|---|---|")
    groups, series = [], {}
    for r in results:
        if r.get("scenario") == "backlog":
            for p in r["points"]:
                L.append("| %s | %s | %s | %s / %s / %s | %s / %s |" % (
                    r["backend"], p["point"], num(p["rows_in_table"]), ms(get(p, "lease.p50_ms")),
                    ms(get(p, "lease.p95_ms")), ms(get(p, "lease.p99_ms")), ms(get(p, "archive.p50_ms")),
                    ms(get(p, "archive.p95_ms"))))
                if p["point"] not in groups:
                    groups.append(p["point"])
                series.setdefault(r["backend"], {})[p["point"]] = get(p, "lease.p50_ms")
    L.append("")
    if groups:
        names = sorted(series)
        svg_bars(os.path.join(out, "backlog.svg"), "Lease latency p50 (batch 10) as the backlog grows (ms)",
                 [backlog_label(g) for g in groups],
                 ["lease p50, " + n for n in names], [[series[n].get(g) for g in groups] for n in names], "milliseconds")
        L.append("![backlog](backlog.svg)")
        L.append("")


if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "results", "results.json")
    with open(path) as f:
        write(json.load(f), os.path.dirname(os.path.abspath(path)))
