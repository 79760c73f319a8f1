# test_poll.py — pgqrs.dequeue()…poll(): handlers run by a consumer
#
# SPDX-License-Identifier: MIT

import asyncio
import os
import signal
import subprocess
import sys
import textwrap

import pytest

import pgqrs
from conftest import eventually


async def archived_ids(store, queue):
    info = await store.queue(queue)
    return sorted(m.id for m in
                  await (await store.get_messages()).list_archived_by_queue(info.id))


async def test_handle_and_interrupt(store):
    await store.queue('tasks')
    consumer = await store.consumer('tasks')
    worker_id = consumer.worker_id
    seen = []

    async def handler(msg):
        seen.append(msg.payload)
        return True

    task = asyncio.create_task(
        pgqrs.dequeue().worker(consumer).batch(1).handle(handler).poll(store))
    ids = [await pgqrs.produce(store, 'tasks', {'n': i}) for i in range(3)]

    async def all_archived():
        return await archived_ids(store, 'tasks') == ids
    await eventually(all_archived)
    assert seen == [{'n': 0}, {'n': 1}, {'n': 2}]
    assert await consumer.status() == pgqrs.WorkerStatus.Polling

    info = await store.queue('tasks')
    archived = await (await store.get_messages()).list_archived_by_queue(info.id)
    # the worker keeps its id when the poll takes it over
    assert consumer.worker_id == worker_id
    assert all(m.consumer_worker_id == worker_id for m in archived)

    await consumer.interrupt()
    with pytest.raises(pgqrs.StateTransitionError):
        await asyncio.wait_for(task, timeout=10)
    assert await consumer.status() == pgqrs.WorkerStatus.Suspended
    with pytest.raises(pgqrs.StateTransitionError):     # interrupted for good
        await pgqrs.dequeue().worker(consumer).handle(handler).poll(store)
    await consumer.stop()
    assert await consumer.status() == pgqrs.WorkerStatus.Stopped


async def test_poll_ends_with_its_messages_settled(store):
    """A handler that interrupts its consumer: once poll() has ended, the
    message it handled is archived (the worker goes suspended only after
    the archive, not while it is on its way to a server)."""
    await store.queue('tasks')
    for round in range(10):
        consumer = await store.consumer('tasks')
        msg_id = await pgqrs.produce(store, 'tasks', {'round': round})

        async def handler(msg):
            await consumer.interrupt()
        with pytest.raises(pgqrs.StateTransitionError):
            await pgqrs.dequeue().worker(consumer).handle(handler).poll(store)
        assert (await archived_ids(store, 'tasks'))[-1:] == [msg_id], round


async def test_interrupt_before_poll_starts(store):
    await store.queue('tasks')
    consumer = await store.consumer('tasks')
    task = asyncio.create_task(
        pgqrs.dequeue().worker(consumer).batch(1).handle(lambda m: None).poll(store))
    await consumer.interrupt()
    with pytest.raises(pgqrs.StateTransitionError):
        await asyncio.wait_for(task, timeout=10)
    assert await consumer.status() == pgqrs.WorkerStatus.Suspended


async def test_interrupt_while_poll_starts(store):
    # interrupt() at every moment of poll()'s start: before it looks at the
    # worker, between the transitions that hand the worker to the runner,
    # after; each time poll() ends with StateTransitionError and the
    # worker is SUSPENDED, and interrupt() itself never fails
    await store.queue('tasks')
    for delay_ms in range(0, 40, 2):
        consumer = await store.consumer('tasks')
        task = asyncio.create_task(
            pgqrs.dequeue().worker(consumer).batch(1).handle(lambda m: None).poll(store))
        await asyncio.sleep(delay_ms / 1000)
        await consumer.interrupt()
        with pytest.raises(pgqrs.StateTransitionError):
            await asyncio.wait_for(task, timeout=10)
        assert await consumer.status() == pgqrs.WorkerStatus.Suspended


async def test_handle_batch_handoff(store):
    await store.queue('tasks')
    consumer_a = await store.consumer('tasks')
    consumer_b = await store.consumer('tasks')
    batches = []

    def handle_batch(msgs):        # a plain function is fine too
        batches.append([m.payload['n'] for m in msgs])

    task_a = asyncio.create_task(
        pgqrs.dequeue().worker(consumer_a).batch(5).handle_batch(handle_batch).poll(store))
    id1 = await pgqrs.produce(store, 'tasks', {'n': 1})

    async def archived_by(worker_id, msg_id):
        info = await store.queue('tasks')
        return any(m.id == msg_id and m.consumer_worker_id == worker_id
                   for m in await (await store.get_messages()).list_archived_by_queue(info.id))

    await eventually(lambda: archived_by(consumer_a.worker_id, id1))
    await consumer_a.interrupt()
    with pytest.raises(pgqrs.StateTransitionError):
        await asyncio.wait_for(task_a, timeout=10)

    task_b = asyncio.create_task(
        pgqrs.dequeue().worker(consumer_b).batch(5).handle_batch(handle_batch).poll(store))
    ids = await pgqrs.produce_batch(store, 'tasks', [{'n': i} for i in range(2, 8)])
    for msg_id in ids:
        await eventually(lambda: archived_by(consumer_b.worker_id, msg_id))
    assert sorted(sum(batches, [])) == list(range(1, 8))
    assert all(len(b) <= 5 for b in batches)
    await consumer_b.interrupt()
    with pytest.raises(pgqrs.StateTransitionError):
        await asyncio.wait_for(task_b, timeout=10)


async def test_failed_handler_gives_message_back(store):
    await store.queue('tasks')
    consumer = await store.consumer('tasks')
    attempts = []

    async def handler(msg):
        attempts.append(msg.read_ct)
        if len(attempts) == 1:
            raise RuntimeError('first try fails')

    task = asyncio.create_task(
        pgqrs.dequeue().worker(consumer).poll_interval(50).handle(handler).poll(store))
    msg_id = await pgqrs.produce(store, 'tasks', {})

    async def archived():
        return msg_id in await archived_ids(store, 'tasks')
    await eventually(archived, timeout=20)
    assert attempts[:2] == [1, 2]
    await consumer.interrupt()
    with pytest.raises(pgqrs.StateTransitionError):
        await task


async def test_cancel_stops_gracefully(store):
    await store.queue('tasks')
    started = asyncio.Event()
    finished = []

    async def handler(msg):
        started.set()
        await asyncio.sleep(0.3)
        finished.append(msg.id)

    builder = pgqrs.dequeue().from_queue('tasks').handle(handler)
    assert builder.queue == 'tasks' and builder.batch_size == 1
    assert not builder.has_worker()
    task = asyncio.create_task(builder.poll(store))
    msg_id = await pgqrs.produce(store, 'tasks', {})
    await asyncio.wait_for(started.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # the handler running was let finish, and its message archived
    assert finished == [msg_id]
    assert await archived_ids(store, 'tasks') == [msg_id]
    workers = await (await store.get_workers()).list()
    assert [w.status for w in workers] == [pgqrs.WorkerStatus.Stopped]


async def test_builder_validation(store):
    await store.queue('tasks')
    with pytest.raises(ValueError):
        await pgqrs.dequeue().from_queue('tasks').poll(store)
    with pytest.raises(pgqrs.ValidationError):
        await pgqrs.dequeue().from_queue('tasks').batch(2).handle(print).poll(store)
    with pytest.raises(ValueError):
        await pgqrs.dequeue().handle(print).poll(store)
    assert pgqrs.dequeue().poll_interval(25).poll_interval_ms == 25


CONSUMER_SCRIPT = textwrap.dedent('''
    import asyncio, sys
    import pgqrs

    async def main(dsn):
        store = await pgqrs.connect(dsn)
        await pgqrs.admin(store).install()
        await store.queue('tasks')
        consumer = await store.consumer('tasks')

        async def handler(msg):
            print('handling', msg.id, flush=True)
            await asyncio.sleep(0.5)
            print('handled', msg.id, flush=True)

        print('worker', consumer.worker_id, flush=True)
        await pgqrs.dequeue().worker(consumer).handle(handler).poll(store)

    try:
        asyncio.run(main(sys.argv[1]))
    except KeyboardInterrupt:
        print('stopped', flush=True)
''')


async def test_keyboard_interrupt_stops_consumer(store, dsn, tmp_path):
    script = tmp_path / 'consumer.py'
    script.write_text(CONSUMER_SCRIPT)
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(script), dsn, stdout=subprocess.PIPE,
        env=dict(os.environ))
    try:
        line = await asyncio.wait_for(process.stdout.readline(), 30)
        worker_id = int(line.split()[1])
        msg_id = await pgqrs.produce(store, 'tasks', {})
        line = await asyncio.wait_for(process.stdout.readline(), 30)
        assert line.decode().split() == ['handling', str(msg_id)]
        process.send_signal(signal.SIGINT)
        rest = (await asyncio.wait_for(process.stdout.read(), 30)).decode().split('\n')
        assert rest[:2] == ['handled {}'.format(msg_id), 'stopped']
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert await archived_ids(store, 'tasks') == [msg_id]
    info = await (await store.get_workers()).get(worker_id)
    assert info.status == pgqrs.WorkerStatus.Stopped


async def test_consume_iter(store):
    await store.queue('tasks')
    ids = await pgqrs.produce_batch(store, 'tasks', [{'n': i} for i in range(3)])
    seen = []
    async with store.consume_iter('tasks', poll_interval_ms=10) as messages:
        async for msg in messages:
            seen.append(msg.payload['n'])
            if msg.payload['n'] == 1:
                assert await messages.delete(msg.id)
            else:
                assert await messages.archive(msg.id)
            if len(seen) == 2:
                # one more, enqueued while the iterator waits
                ids.append(await pgqrs.produce(store, 'tasks', {'n': 3}))
            if len(seen) == 4:
                break
    assert seen == [0, 1, 2, 3]
    assert await archived_ids(store, 'tasks') == [ids[0], ids[2], ids[3]]
    [worker] = await (await store.get_workers()).list()
    assert worker.status == pgqrs.WorkerStatus.Stopped
    with pytest.raises(StopAsyncIteration):
        await messages.__anext__()


def test_event_loop_closed_under_a_poll(dsn):
    """A program that closes its event loop without stopping a poll: the
    consumer gives the next message back and stops."""
    first = asyncio.new_event_loop()

    async def start():
        store = await pgqrs.connect(dsn)
        await pgqrs.admin(store).install()
        await store.queue('tasks')
        consumer = await store.consumer('tasks')
        task = asyncio.create_task(
            pgqrs.dequeue().worker(consumer).handle(lambda msg: None).poll(store))

        async def polling():
            return await consumer.status() == pgqrs.WorkerStatus.Polling
        await eventually(polling)
        return consumer, task

    consumer, task = first.run_until_complete(start())
    first.close()

    async def afterwards():
        store = await pgqrs.connect(dsn)
        msg_id = await pgqrs.produce(store, 'tasks', {})

        async def stopped():
            info = await (await store.get_workers()).get(consumer.worker_id)
            return info.status == pgqrs.WorkerStatus.Stopped
        await eventually(stopped)
        assert await archived_ids(store, 'tasks') == []
        [back] = await (await store.consumer('tasks')).dequeue()
        assert back.id == msg_id and back.read_ct >= 2     # given back, not lost

    asyncio.run(afterwards())
