# test_asyncio.py — the event loop never waits for the database
#
# SPDX-License-Identifier: MIT
#
# A 1 ms asyncio ticker runs while pgqrs waits: for a statement held up by a
# lock another connection takes, for a lease while the queue is empty, for a
# run to finish. The longest gap between its ticks is what the event loop
# stalled. Cancelling the awaiting task cancels the call.

import asyncio
import os
import subprocess
import sys
import textwrap
import time

import pytest

import pgqrs
from conftest import Ticker, backend_name, is_postgres, libpq_dsn, schema_of

HOLD_SECONDS = 1.5


# What the loop may stall beyond the tick's own millisecond and the waits
# for a CPU (see conftest.Ticker): typically 1 to 2 ms (the sleep's timer
# rounds up to the next millisecond), now and then over 10 ms on a machine
# whose CPUs are shared (10.8 ms once, through PgBouncer, in a whole-suite
# run). A loop that waited for the database would stall as long as the
# wait, HOLD_SECONDS: a limit well below that and well above the noise.
MAX_STALL_SECONDS = 0.100


def assert_no_stall(ticker, what):
    """The loop never stalled more than a few milliseconds, apart from the
    time the machine gave its CPUs to other processes."""
    print('{} on {}: {} ticks, longest gap {:.2f} ms, longest stall {:.2f} ms '
          'once the waits for a CPU are taken out'.format(
              what, backend_name(), ticker.ticks, ticker.longest * 1000,
              ticker.longest_stall * 1000))
    assert ticker.longest_stall < MAX_STALL_SECONDS
    assert ticker.ticks > HOLD_SECONDS / 0.005


# Another process takes the database's write lock, prints 'locked', holds
# it sys.argv[2] seconds and lets go: SQLite's through a connection of its
# own; sqld's through a stream of its own (the libSQL remote protocol); the
# Turso engine's where every store on the file takes it, its lock file
# (pgqrs-turso-engine.c: the engine has one connection for everyone).
LOCK_HOLDERS = {
    'sqlite': '''
        import sqlite3, sys, time
        db = sqlite3.connect(sys.argv[1][len('sqlite://'):].split('?')[0],
                             isolation_level=None)
        db.execute('BEGIN EXCLUSIVE')
        print('locked', flush=True)
        time.sleep(float(sys.argv[2]))
        db.execute('COMMIT')
    ''',
    'sqld': '''
        import json, sys, time, urllib.request
        def pipeline(sql, baton=None):
            body = {'baton': baton, 'requests': [{'type': 'execute', 'stmt': {'sql': sql}}]}
            request = urllib.request.Request(
                sys.argv[1].split('?')[0] + '/v2/pipeline', data=json.dumps(body).encode(),
                headers={'Content-Type': 'application/json'})
            reply = json.loads(urllib.request.urlopen(request).read())
            assert reply['results'][0]['type'] == 'ok', reply
            return reply['baton']
        baton = pipeline('BEGIN IMMEDIATE')
        print('locked', flush=True)
        time.sleep(float(sys.argv[2]))
        pipeline('COMMIT', baton)
    ''',
    'turso': '''
        import fcntl, sys, time
        with open(sys.argv[1][len('turso://'):].split('?')[0] + '.pgqrs-lock', 'a') as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            print('locked', flush=True)
            time.sleep(float(sys.argv[2]))
    ''',
}


async def hold_lock(dsn, seconds):
    """Another connection takes the messages table for @seconds; returns the
    process once it has the lock."""
    if is_postgres():
        script = ('BEGIN;\nLOCK TABLE "{}".pgqrs_messages IN ACCESS EXCLUSIVE MODE;\n'
                  "SELECT 'locked';\nSELECT pg_sleep({});\nCOMMIT;\n").format(
                      schema_of(dsn), seconds)
        process = await asyncio.create_subprocess_exec(
            'psql', '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', libpq_dsn(dsn),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        process.stdin.write(script.encode())
        await process.stdin.drain()
        process.stdin.close()
    else:
        process = await asyncio.create_subprocess_exec(
            sys.executable, '-c', textwrap.dedent(LOCK_HOLDERS[backend_name()]),
            dsn, str(seconds), stdout=subprocess.PIPE)
    line = await asyncio.wait_for(process.stdout.readline(), 30)
    assert line.strip() == b'locked'
    return process


async def test_loop_runs_through_a_locked_statement(store, dsn):
    await store.queue('tasks')
    holder = await hold_lock(dsn, HOLD_SECONDS)
    with Ticker() as ticker:
        start = time.monotonic()
        await pgqrs.produce(store, 'tasks', {'waited': True})
        waited = time.monotonic() - start
    await holder.wait()
    assert waited > HOLD_SECONDS / 2          # it really was held up
    assert_no_stall(ticker, 'a statement waiting {:.2f} s for a lock'.format(waited))


async def test_loop_runs_through_a_lease_wait(store):
    await store.queue('tasks')
    consumer = await store.consumer('tasks')
    handled = asyncio.Event()

    async def handler(msg):
        handled.set()

    with Ticker() as ticker:
        task = asyncio.create_task(
            pgqrs.dequeue().worker(consumer).handle(handler).poll(store))
        await asyncio.sleep(HOLD_SECONDS)          # nothing to lease meanwhile
        await pgqrs.produce(store, 'tasks', {})
        await asyncio.wait_for(handled.wait(), 10)
        run = await pgqrs.admin(store).create_workflow('never_finishes', None)
        with pytest.raises(pgqrs.TimeoutError):
            await run.result(timeout=0.5)
        await consumer.interrupt()
        with pytest.raises(pgqrs.StateTransitionError):
            await task
    assert_no_stall(ticker, 'a lease wait of {} s'.format(HOLD_SECONDS))


async def test_cancelling_the_task_cancels_the_call(store, dsn):
    await store.queue('tasks')
    holder = await hold_lock(dsn, HOLD_SECONDS)
    task = asyncio.create_task(pgqrs.produce(store, 'tasks', {'cancelled': True}))
    await asyncio.sleep(0.2)
    start = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - start < 0.1
    await holder.wait()
    await asyncio.sleep(0.2)
    if backend_name() == 'postgres':
        # the statement was cancelled, not left to go through later
        assert await (await store.get_messages()).count() == 0
    elif backend_name() == 'pgbouncer':
        # PgBouncer passes the library's cancel request on to a server
        # connection, which may or may not still be the one running the
        # statement (and a statement it did not cancel may commit only after
        # the sleep above on a busy machine): once at most, never twice
        assert await (await store.get_messages()).count() in (0, 1)
    else:
        # SQLite's statement was already waiting for the lock on the
        # library's thread, and sqld and the Turso engine had the request:
        # it went through once it had the lock (the awaiting task was
        # cancelled all the same)
        assert await (await store.get_messages()).count() == 1

    # a wait is cancelled as well
    run = await pgqrs.admin(store).create_workflow('never_finishes', None)
    waiting = asyncio.create_task(run.result())
    await asyncio.sleep(0.1)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting


GLIB_PROGRAM = textwrap.dedent('''
    # A program whose main loop is GLib's, as a GTK application's: gbulb
    # runs asyncio on it.
    import asyncio, sys
    import gbulb
    from gi.repository import GLib
    import pgqrs

    gbulb.install()

    async def main(dsn):
        ticks = []
        GLib.timeout_add(1, lambda: ticks.append(1) or True)   # a GLib source
        store = await pgqrs.connect(dsn)
        await pgqrs.admin(store).install()
        await store.queue('tasks')
        await pgqrs.produce(store, 'tasks', {'from': 'glib'})
        seen = []
        await pgqrs.consume(store, 'tasks', lambda msg: seen.append(msg.payload))
        assert isinstance(asyncio.get_running_loop(), gbulb.GLibEventLoop)
        print(seen, len(ticks) > 0)

    asyncio.run(main(sys.argv[1]))
''')


async def test_inside_a_glib_main_loop(dsn, tmp_path):
    script = tmp_path / 'glib_program.py'
    script.write_text(GLIB_PROGRAM)
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(script), dsn, stdout=subprocess.PIPE,
        env=dict(os.environ))
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0
    assert out.decode().strip() == "[{'from': 'glib'}] True"
