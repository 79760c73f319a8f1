#!/usr/bin/env node
// bench/peers/peers.js — a peer job queue drains the same backlog as
// pgqrs-bench --scenario drain-consumer, on the same server, through the
// peer's own worker API with a handler, as PgqrsConsumer runs its handler
// (run by bench/driver.py with the Node 22 of bench/peers/node_modules).
//
//   node peers.js --peer pg-boss|graphile-worker --dsn postgresql://… \
//                 --messages N --consumers C --batch B
//
// How --consumers C and --batch B map onto each peer (pgqrs: C consumers,
// each leasing up to B messages at a time, the handler called per lease,
// the lease archived as one when the handler returns):
//
// pg-boss: boss.work(queue, {localConcurrency: C, batchSize: B, …}, handler)
//   — C workers, each fetching up to B jobs; the handler gets the B jobs and
//   pg-boss completes them as one when it resolves.  A full fetch is
//   followed by the next at once (burstWhenBatchFull; for B = 1, where
//   pg-boss ignores it, burstWhenReadyExceeds 1 over the queue's cached
//   ready count, which a supervise pass sets after the prefill), not by a
//   poll delay (at least 0.5 s).  A pool of C + 2 connections; no
//   supervisor or scheduler running while it drains (pgqrs runs none
//   either).
// graphile-worker: run({concurrency: C, taskList}) — C workers; for B > 1 a
//   local queue of C × B jobs (as many locked at once as C pgqrs consumers
//   × B) and completions batched (completeJobBatchDelay 0); for B = 1
//   neither: one get_job and one complete_job per job.  A pool of
//   max(10, C + 2) connections (graphile-worker's advice); success lines
//   not logged (NO_LOG_SUCCESS).
//
// The backlog (payload {"task":"bench","i":N}) is inserted and vacuumed
// outside the clock.  The clock runs from the first call of the handler to
// the moment every job is completed in the database: for pg-boss, which
// completes a batch before its worker fetches again, when
// offWork({wait: true}) has stopped the workers after the handler's last
// call; for graphile-worker, whose workers do not wait for completions,
// when its job table (it deletes a job once completed) is seen empty.
// handler_seconds is the clock up to the handler's last call only, where
// pgqrs-bench's drain-consumer stops its clock.
//
// Prints one line of JSON (scenario "peer-drain"): archived (jobs
// completed), seconds, messages_per_s = archived / seconds, left_waiting
// (jobs not completed afterwards).
//
// SPDX-License-Identifier: MIT
'use strict'

const fs = require('node:fs')
const path = require('node:path')
const { performance } = require('node:perf_hooks')

function parseArgs () {
  const o = { peer: null, dsn: null, messages: 50000, consumers: 1, batch: 1 }
  const a = process.argv.slice(2)
  for (let i = 0; i < a.length; i += 2) {
    const k = a[i].replace(/^--/, '')
    if (!(k in o)) throw new Error('unknown option ' + a[i])
    if (i + 1 >= a.length) throw new Error('option ' + a[i] + ' needs a value')
    o[k] = (k === 'peer' || k === 'dsn') ? a[i + 1] : parseInt(a[i + 1], 10)
  }
  if (!o.peer || !o.dsn) throw new Error('--peer and --dsn are required')
  for (const k of ['messages', 'consumers', 'batch']) {
    if (!(o[k] >= 1)) throw new Error(`--${k} must be a positive integer`)
  }
  return o
}

function log (...args) { console.error(...args) }

function version (name) {
  // Neither package exports its package.json, so read it from the tree.
  const file = path.join(__dirname, 'node_modules', name, 'package.json')
  return JSON.parse(fs.readFileSync(file, 'utf8')).version
}

function payloads (o, each) {
  // the backlog in slices of 5000, as one insert each
  const slices = []
  for (let i = 0; i < o.messages; i += 5000) {
    const s = []
    for (let j = i; j < Math.min(o.messages, i + 5000); j++) s.push(each({ task: 'bench', i: j }))
    slices.push(s)
  }
  return slices
}

// Counts handled jobs; records the first and the last call.
function makeClock (o) {
  const c = { handled: 0, first: 0, last: 0 }
  let resolveDone
  c.done = new Promise((resolve) => { resolveDone = resolve })
  c.add = (n) => {
    if (c.handled === 0) c.first = performance.now()
    c.handled += n
    if (c.handled >= o.messages && !c.last) {
      c.last = performance.now()
      resolveDone()
    }
  }
  return c
}

async function pgBoss (o) {
  const { PgBoss } = await import('pg-boss')
  const name = `bench_${o.consumers}_${o.batch}_${process.pid}`

  // Prefill with an instance of its own: its supervise pass writes the
  // queue's ready count, which the draining instance reads into its queue
  // cache when it starts (burstWhenReadyExceeds looks there).
  const setup = new PgBoss({ connectionString: o.dsn, max: 2, supervise: false, schedule: false })
  setup.on('error', (e) => log('pg-boss:', e.message))
  await setup.start()
  await setup.createQueue(name)
  for (const jobs of payloads(o, (data) => ({ data }))) await setup.insert(name, jobs)
  await setup.getDb().executeSql('VACUUM ANALYZE pgboss.job')
  await setup.supervise(name)
  await setup.stop({ graceful: false })

  const boss = new PgBoss({ connectionString: o.dsn, max: o.consumers + 2, supervise: false, schedule: false })
  boss.on('error', (e) => log('pg-boss:', e.message))
  boss.on('warning', (w) => log('pg-boss warning:', w.message))
  await boss.start()
  const cached = await boss.getQueue(name)
  log(`pg-boss: ${o.messages} jobs in ${name} (ready ${cached && cached.readyCount}), ` +
      `${o.consumers} worker(s), batch ${o.batch}`)

  const clock = makeClock(o)
  await boss.work(name, {
    localConcurrency: o.consumers,
    batchSize: o.batch,
    pollingIntervalSeconds: 0.5,
    ...(o.batch > 1 ? { burstWhenBatchFull: true } : { burstWhenReadyExceeds: 1 })
  }, async (jobs) => { clock.add(jobs.length) })
  await clock.done
  await boss.offWork(name, { wait: true })
  const end = performance.now()

  const db = boss.getDb()
  const left = await db.executeSql("SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state < 'completed'", [name])
  const completed = await db.executeSql("SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'completed'", [name])
  await boss.deleteQueue(name)
  await boss.stop({ graceful: false })
  return {
    archived: completed.rows[0].n,
    handled: clock.handled,
    seconds: (end - clock.first) / 1000,
    handler_seconds: (clock.last - clock.first) / 1000,
    left_waiting: left.rows[0].n
  }
}

async function graphileWorker (o) {
  // Before the import: graphile-worker reads it when it loads.
  process.env.NO_LOG_SUCCESS = '1'
  const { run, makeWorkerUtils, Logger } = await import('graphile-worker')
  const { Pool } = require('pg')
  const pool = new Pool({ connectionString: o.dsn, max: Math.max(10, o.consumers + 2) })
  pool.on('error', (e) => log('pg:', e.message))
  pool.on('connect', (client) => client.on('error', (e) => log('pg:', e.message)))
  const utils = await makeWorkerUtils({ pgPool: pool })
  await utils.migrate()
  await pool.query('DELETE FROM graphile_worker._private_jobs')
  for (const specs of payloads(o, (payload) => ({ identifier: 'bench', payload }))) await utils.addJobs(specs)
  await pool.query('VACUUM ANALYZE graphile_worker._private_jobs')
  log(`graphile-worker: ${o.messages} jobs, concurrency ${o.consumers}, batch ${o.batch}`)

  const worker = {}
  if (o.batch > 1) {
    worker.localQueue = { size: o.consumers * o.batch }
    worker.completeJobBatchDelay = 0
  }
  const clock = makeClock(o)
  const runner = await run({
    pgPool: pool,
    concurrency: o.consumers,
    noHandleSignals: true,
    pollInterval: 1000,
    preset: { worker },
    logger: new Logger(() => (level, message) => {
      if (level === 'error') log('graphile-worker:', message)
    }),
    taskList: {
      bench: async () => { clock.add(1) }
    }
  })
  await clock.done
  // A worker does not wait for its job's completion (with B = 1 it is not
  // batched, and stop() does not wait for it either): the last completion
  // is when the table is empty, since graphile-worker deletes a job once it
  // is completed.
  const deadline = clock.last + 60000
  let left
  do {
    left = await pool.query('SELECT count(*)::int AS n FROM graphile_worker._private_jobs')
  } while (left.rows[0].n > 0 && performance.now() < deadline)
  const end = performance.now()
  await runner.stop()
  left = await pool.query('SELECT count(*)::int AS n FROM graphile_worker._private_jobs')
  await utils.release()
  await pool.end()
  return {
    archived: o.messages - left.rows[0].n,
    handled: clock.handled,
    seconds: (end - clock.first) / 1000,
    handler_seconds: (clock.last - clock.first) / 1000,
    left_waiting: left.rows[0].n
  }
}

async function main () {
  const o = parseArgs()
  const peers = { 'pg-boss': pgBoss, 'graphile-worker': graphileWorker }
  if (!peers[o.peer]) throw new Error('unknown peer ' + o.peer)
  const r = await peers[o.peer](o)
  const out = {
    scenario: 'peer-drain',
    backend: 'postgres',
    peer: o.peer,
    version: version(o.peer),
    node: process.version,
    consumers: o.consumers,
    batch: o.batch,
    messages: o.messages,
    ...r,
    messages_per_s: r.archived / r.seconds
  }
  process.stdout.write(JSON.stringify(out) + '\n')
}

main().then(() => process.exit(0), (e) => { console.error('peers.js:', e.stack || e); process.exit(1) })
