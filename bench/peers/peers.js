#!/usr/bin/env node
// bench/peers/peers.js — a peer job queue drains the same backlog as
// pgqrs-bench --scenario drain, on the same server (run by bench/driver.py).
//
//   node peers.js --peer pg-boss|graphile-worker --dsn postgresql://… \
//                 --messages N --consumers C --batch B
//
// pg-boss: C concurrent loops of fetch ({batchSize: B}) + complete (ids) —
//   the same lease + archive-batch loop as pgqrs's drain; a pool of C + 1
//   connections; no supervisor / scheduler running (pgqrs runs none either).
// graphile-worker: a runner with concurrency C; for B > 1 a local queue of
//   C × B jobs (as many locked at once as pgqrs's C consumers × B) and
//   completions batched (completeJobBatchDelay 0); for B = 1 neither (one
//   get_job + one complete_job per job).
//
// The backlog (payload {"task":"bench","i":N}) is inserted outside the clock.
// Prints one line of JSON: messages/s, and for pg-boss fetch / complete
// latency.
//
// SPDX-License-Identifier: MIT
'use strict'

const { performance } = require('node:perf_hooks')

function parseArgs () {
  const o = { peer: null, dsn: null, messages: 50000, consumers: 1, batch: 1 }
  const a = process.argv.slice(2)
  for (let i = 0; i < a.length; i += 2) {
    const k = a[i].replace(/^--/, '')
    if (!(k in o)) throw new Error('unknown option ' + a[i])
    o[k] = (k === 'peer' || k === 'dsn') ? a[i + 1] : parseInt(a[i + 1], 10)
  }
  if (!o.peer || !o.dsn) throw new Error('--peer and --dsn are required')
  return o
}

function stats (us) {
  const s = us.slice().sort((x, y) => x - y)
  const at = (p) => {
    if (!s.length) return null
    const r = p / 100 * (s.length - 1)
    const lo = Math.floor(r)
    return lo + 1 >= s.length ? s[s.length - 1] : s[lo] + (r - lo) * (s[lo + 1] - s[lo])
  }
  const sum = s.reduce((x, y) => x + y, 0)
  return { n: s.length, mean_ms: s.length ? sum / s.length : null, p50_ms: at(50), p95_ms: at(95), p99_ms: at(99) }
}

function log (...args) { console.error(...args) }

async function pgBoss (o) {
  const PgBoss = require('pg-boss')
  const boss = new PgBoss({ connectionString: o.dsn, max: o.consumers + 1, supervise: false, schedule: false })
  boss.on('error', (e) => log('pg-boss:', e.message))
  await boss.start()
  const name = `bench_${o.consumers}_${o.batch}_${process.pid}`
  await boss.createQueue(name)
  for (let i = 0; i < o.messages; i += 5000) {
    const jobs = []
    for (let j = i; j < Math.min(o.messages, i + 5000); j++) jobs.push({ name, data: { task: 'bench', i: j } })
    await boss.insert(jobs)
  }
  const db = boss.getDb()
  await db.executeSql('VACUUM ANALYZE pgboss.job')
  log(`pg-boss: ${o.messages} jobs in ${name}, ${o.consumers} loop(s), batch ${o.batch}`)

  const fetchMs = []
  const completeMs = []
  let completed = 0
  const t0 = performance.now()
  async function loop () {
    for (;;) {
      const a = performance.now()
      const jobs = await boss.fetch(name, { batchSize: o.batch })
      const b = performance.now()
      if (!jobs.length) return
      fetchMs.push(b - a)
      const r = await boss.complete(name, jobs.map((j) => j.id))
      completeMs.push(performance.now() - b)
      completed += r.affected
    }
  }
  await Promise.all(Array.from({ length: o.consumers }, loop))
  const seconds = (performance.now() - t0) / 1000
  const left = await db.executeSql("SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state < 'completed'", [name])
  await db.executeSql('DELETE FROM pgboss.job WHERE name = $1', [name])
  await boss.deleteQueue(name)
  await boss.stop({ graceful: false, wait: true })
  return {
    archived: completed,
    seconds,
    left_waiting: left.rows[0].n,
    lease: stats(fetchMs),
    archive: stats(completeMs)
  }
}

async function graphileWorker (o) {
  const { run, makeWorkerUtils } = require('graphile-worker')
  const { Pool } = require('pg')
  const pool = new Pool({ connectionString: o.dsn, max: 2 })
  pool.on('error', (e) => log('pg:', e.message))
  const utils = await makeWorkerUtils({ pgPool: pool })
  await utils.migrate()
  await pool.query('DELETE FROM graphile_worker._private_jobs')
  for (let i = 0; i < o.messages; i += 5000) {
    const specs = []
    for (let j = i; j < Math.min(o.messages, i + 5000); j++) specs.push({ identifier: 'bench', payload: { task: 'bench', i: j } })
    await utils.addJobs(specs)
  }
  await pool.query('VACUUM ANALYZE graphile_worker._private_jobs')
  log(`graphile-worker: ${o.messages} jobs, concurrency ${o.consumers}, batch ${o.batch}`)

  let handled = 0
  let tEnd = 0
  let resolveDone
  const done = new Promise((resolve) => { resolveDone = resolve })
  const worker = {}
  if (o.batch > 1) {
    worker.localQueue = { size: o.consumers * o.batch }
    worker.completeJobBatchDelay = 0
  }
  const t0 = performance.now()
  const runner = await run({
    connectionString: o.dsn,
    concurrency: o.consumers,
    noHandleSignals: true,
    pollInterval: 1000,
    preset: { worker },
    logger: new (require('graphile-worker').Logger)(() => (level, message) => {
      if (level === 'error') log('graphile-worker:', message)
    }),
    taskList: {
      bench: async () => {
        if (++handled === o.messages) {
          tEnd = performance.now()
          resolveDone()
        }
      }
    }
  })
  await done
  await runner.stop()
  // Completions still batched when the last handler ran are flushed by stop():
  // count them against the clock too if any remain.
  const left = await pool.query('SELECT count(*)::int AS n FROM graphile_worker._private_jobs')
  await utils.release()
  await pool.end()
  return { archived: handled, seconds: (tEnd - t0) / 1000, left_waiting: left.rows[0].n }
}

async function main () {
  const o = parseArgs()
  const r = o.peer === 'pg-boss' ? await pgBoss(o) : o.peer === 'graphile-worker' ? await graphileWorker(o) : null
  if (!r) throw new Error('unknown peer ' + o.peer)
  const out = {
    scenario: 'peer-drain',
    backend: 'postgres',
    peer: o.peer,
    version: require(`${o.peer}/package.json`).version,
    consumers: o.consumers,
    batch: o.batch,
    messages: o.messages,
    ...r,
    messages_per_s: r.archived / r.seconds
  }
  process.stdout.write(JSON.stringify(out) + '\n')
}

main().then(() => process.exit(0), (e) => { console.error('peers.js:', e.stack || e); process.exit(1) })
