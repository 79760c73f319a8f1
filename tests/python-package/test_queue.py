# test_queue.py — connecting, admin, producing and consuming by hand
#
# SPDX-License-Identifier: MIT

import asyncio
import datetime
from decimal import Decimal

import pytest

import pgqrs
from conftest import backend_name, is_postgres, schema_of, without_option


async def test_connect_with_config(make_dsn):
    dsn = make_dsn()
    config = pgqrs.Config(dsn, max_connections=3)
    assert config.dsn == dsn
    assert config.max_connections == 3
    config.default_lock_time_seconds = 12
    config.max_read_ct = 4
    config.heartbeat_interval_seconds = 7
    config.max_payload_size_bytes = 4096
    config.max_string_length = 100
    config.max_object_depth = 5
    config.forbidden_keys = ['secret']
    config.required_keys = []
    config.max_enqueue_per_second = None
    config.max_enqueue_burst = None
    assert config.default_lock_time_seconds == 12
    assert config.max_read_ct == 4
    assert config.heartbeat_interval_seconds == 7
    assert config.max_payload_size_bytes == 4096
    assert config.max_string_length == 100
    assert config.max_object_depth == 5
    assert config.forbidden_keys == ['secret']
    assert config.max_enqueue_per_second is None
    assert pgqrs.Config.from_dsn(dsn).dsn == dsn

    store = await pgqrs.connect_with(config)
    admin = pgqrs.admin(store)
    await admin.install()
    await admin.verify()
    await store.queue('tasks')
    with pytest.raises(pgqrs.ValidationError):
        await pgqrs.produce(store, 'tasks', {'secret': 1})
    with pytest.raises(pgqrs.ValidationError):
        await pgqrs.produce(store, 'tasks', {'a': 'x' * 200})


async def test_config_errors():
    with pytest.raises(pgqrs.ConfigError):
        pgqrs.Config('nosuchscheme://x')
    config = pgqrs.Config('sqlite:///tmp/never-opened.db')
    with pytest.raises(pgqrs.ConfigError):
        config.max_read_ct = 'many'
    with pytest.raises(pgqrs.ConfigError):
        await pgqrs.connect('nosuchscheme://x')


async def test_verify_before_install(dsn):
    store = await pgqrs.connect(dsn)
    with pytest.raises(pgqrs.PgqrsError):
        await pgqrs.admin(store).verify()
    await store.bootstrap()
    await pgqrs.admin(store).verify()


async def test_produce_consume_values(store):
    await store.queue('tasks')
    values = [
        {'task': 'send_email', 'to': 'user@example.com'},
        {'nested': {'list': [1, 2.5, True, None, 'é✓']}, 'big': 2 ** 53},
        [1, 'two', {'three': 3}],
        'text',
        42,
        -1.5,
        True,
        None,
    ]
    for value in values:
        await pgqrs.produce(store, 'tasks', value)

    seen = []

    async def handler(msg):
        seen.append(msg.payload)
        return True

    for _ in values:
        await pgqrs.consume(store, 'tasks', handler)
    assert seen == values
    # nothing left: consume() returns without calling the handler
    await pgqrs.consume(store, 'tasks', handler)
    assert len(seen) == len(values)
    metrics = await (await store.get_queues()).metrics('tasks')
    assert metrics['archived_messages'] == len(values)
    assert metrics['pending_messages'] == 0


async def test_non_json_payload(store):
    await store.queue('tasks')
    with pytest.raises(pgqrs.SerializationError):
        await pgqrs.produce(store, 'tasks', {1, 2})
    with pytest.raises(pgqrs.SerializationError):
        await pgqrs.produce(store, 'tasks', float('nan'))


async def test_plain_handler_and_batch(store):
    await store.queue('tasks')
    ids = await pgqrs.produce_batch(store, 'tasks', [{'n': i} for i in range(5)])
    assert len(ids) == 5 and ids == sorted(ids)

    batches = []
    await pgqrs.consume_batch(store, 'tasks', 3, lambda msgs: batches.append(
        [m.payload['n'] for m in msgs]))
    await pgqrs.consume_batch(store, 'tasks', 3, lambda msgs: batches.append(
        [m.payload['n'] for m in msgs]))
    assert batches == [[0, 1, 2], [3, 4]]
    assert await (await store.get_messages()).count() == 0


async def test_failed_handler_keeps_message(store):
    info = await store.queue('tasks')
    await pgqrs.produce(store, 'tasks', {'data': 'x'})

    async def handler(msg):
        raise ValueError('Simulated failure')

    with pytest.raises(ValueError, match='Simulated failure'):
        await pgqrs.consume(store, 'tasks', handler)
    messages = await store.get_messages()
    assert await messages.count() == 1
    assert await messages.list_archived_by_queue(info.id) == []


async def test_missing_queue(store):
    with pytest.raises(pgqrs.QueueNotFoundError):
        await pgqrs.produce(store, 'nosuch', {})
    with pytest.raises(pgqrs.QueueNotFoundError):
        await store.producer('nosuch')


async def test_admin_queues(store):
    admin = pgqrs.admin(store)
    created = await admin.create_queue('tasks')
    assert created.queue_name == 'tasks' and created.id > 0
    with pytest.raises(pgqrs.QueueAlreadyExistsError):
        await admin.create_queue('tasks')
    assert (await store.queue('tasks')).id == created.id     # found, not made
    other = await store.queue('other')                        # made
    queues = await admin.get_queues()
    assert sorted(q.queue_name for q in await queues.list()) == ['other', 'tasks']
    assert await queues.count() == 2

    await pgqrs.produce_batch(store, 'other', [1, 2, 3])
    assert await queues.purge('other') == 3
    assert sorted(m['name'] for m in await queues.list_metrics()) == ['other', 'tasks']

    assert await admin.delete_queue('other')
    assert [q.id for q in await queues.list()] == [created.id]
    with pytest.raises(pgqrs.QueueNotFoundError):
        await admin.delete_queue('other')
    assert other.id != created.id


async def test_producer(store):
    await store.queue('tasks')
    producer = await store.producer('tasks')
    assert producer.worker_id > 0
    first = await pgqrs.enqueue(producer, {'n': 1})
    batch = await pgqrs.enqueue_batch(producer, [{'n': 2}, {'n': 3}])
    delayed = await pgqrs.enqueue_delayed(producer, {'n': 4}, 60)
    assert first < batch[0] < batch[1] < delayed

    consumer = await store.consumer('tasks')
    messages = await pgqrs.dequeue(consumer, 10)
    assert [m.id for m in messages] == [first] + batch       # not the delayed one
    metrics = await (await store.get_queues()).metrics('tasks')
    assert metrics['delayed_messages'] == 1
    assert metrics['locked_messages'] == 3


async def test_consumer_by_hand(store):
    await store.queue('tasks')
    producer = await store.producer('tasks')
    consumer = await store.consumer('tasks')
    assert consumer.worker_id > 0 and consumer.worker_id != producer.worker_id
    assert await consumer.status() == pgqrs.WorkerStatus.Ready

    ids = [await producer.enqueue({'n': i}) for i in range(6)]
    [one] = await consumer.dequeue()
    assert one.id == ids[0]
    assert one.payload == {'n': 0}
    assert one.read_ct == 1
    assert one.queue_id == (await store.queue('tasks')).id
    assert one.enqueued_at and one.vt and one.dequeued_at
    assert one.archived_at is None

    assert await pgqrs.extend_vt(consumer, one, 30)
    assert await pgqrs.archive(consumer, one)
    with pytest.raises(pgqrs.MessageNotFoundError):
        await consumer.archive(one.id)              # not leased any more

    two, three, four = await consumer.dequeue(batch_size=3)
    assert await pgqrs.delete(consumer, two)
    assert await pgqrs.archive_batch(consumer, [three])
    assert await consumer.release_messages([four.id]) == 1

    more = await consumer.dequeue_many_with_delay(10, 5)
    assert [m.id for m in more] == [four.id, ids[4], ids[5]]
    assert more[0].read_ct == 2
    assert await consumer.archive_many([more[0].id, more[1].id]) == [True, True]
    assert await consumer.delete_many([more[2].id]) == [True]

    info = await store.queue('tasks')
    archived = await (await store.get_messages()).list_archived_by_queue(info.id)
    assert sorted(m.id for m in archived) == sorted([ids[0], ids[2], ids[3], ids[4]])
    assert all(m.archived_at for m in archived)


async def test_expired_lease_is_redelivered(store):
    await store.queue('tasks')
    consumer = await store.consumer('tasks')
    msg_id = await pgqrs.produce(store, 'tasks', {'a': 1})
    # a lease long enough for the second dequeue to come within it even
    # where a request takes long (the Turso engine on a loaded machine)
    [first] = await consumer.dequeue_many_with_delay(1, 2)
    assert await consumer.dequeue() == []
    await asyncio.sleep(2.5)
    [again] = await consumer.dequeue()
    assert again.id == first.id == msg_id and again.read_ct == 2


async def test_release_with_visibility(store):
    await store.queue('tasks')
    consumer = await store.consumer('tasks')
    first, second = await pgqrs.produce_batch(store, 'tasks', ['now', 'later'])
    now, later = await consumer.dequeue(2)
    utc = datetime.datetime.now(datetime.timezone.utc)
    assert await consumer.release_with_visibility(
        now.id, (utc - datetime.timedelta(hours=1)).isoformat())       # visible at once
    assert await consumer.release_with_visibility(
        later.id, (utc + datetime.timedelta(seconds=1.5)).isoformat())
    assert [m.id for m in await consumer.dequeue(2)] == [first]
    await asyncio.sleep(2)
    [back] = await consumer.dequeue(2)
    assert back.id == second and back.read_ct == 2
    with pytest.raises(ValueError):
        await consumer.release_with_visibility(back.id, 'tomorrow')
    with pytest.raises(pgqrs.MessageNotFoundError):       # never leased by it
        await consumer.release_with_visibility(back.id + 1000, utc.isoformat())


async def test_dead_letters(make_dsn):
    store = await pgqrs.connect(make_dsn('max_read_count=1'))
    admin = pgqrs.admin(store)
    await admin.install()
    await store.queue('tasks')
    consumer = await store.consumer('tasks')
    msg_id = await pgqrs.produce(store, 'tasks', {'poison': True})
    await consumer.dequeue_many_with_delay(1, 0.1)
    await asyncio.sleep(0.3)
    assert await consumer.dequeue() == []             # read too often
    [dead] = await admin.list_dead_letters('tasks')
    assert dead.id == msg_id and dead.dead_letter and dead.payload == {'poison': True}

    assert await admin.replay_dead_letter(msg_id)
    assert await admin.list_dead_letters('tasks') == []
    [back] = await consumer.dequeue()
    assert back.payload == {'poison': True}


async def test_workers(store):
    await store.queue('tasks')
    consumer = await store.consumer('tasks')
    producer = await store.producer('tasks')
    workers = await store.get_workers()
    assert await workers.count() == 2
    listed = {w.id: w for w in await workers.list()}
    assert set(listed) == {consumer.worker_id, producer.worker_id}
    info = await workers.get(consumer.worker_id)
    assert info.status == pgqrs.WorkerStatus.Ready and info.queue_id
    assert info.name and info.heartbeat_at
    with pytest.raises(pgqrs.WorkerNotFoundError):
        await workers.get(10 ** 9)
    [stats] = await workers.health_stats()
    assert stats['queue_name'] == 'tasks' and stats['total_workers'] == 2

    # a worker that was never heard of again is reclaimed
    await asyncio.sleep(1.1)
    assert await workers.purge_stale(1) == 2


async def test_interrupt_when_not_polling(store):
    await store.queue('tasks')
    consumer = await store.consumer('tasks')
    await consumer.interrupt()
    assert await consumer.status() == pgqrs.WorkerStatus.Suspended
    await consumer.stop()
    assert await consumer.status() == pgqrs.WorkerStatus.Stopped
    with pytest.raises(pgqrs.StateTransitionError):
        await consumer.interrupt()


def test_exception_hierarchy():
    for name in ['PgqrsConnectionError', 'QueueNotFoundError', 'WorkerNotFoundError',
                 'QueueAlreadyExistsError', 'MessageNotFoundError',
                 'SerializationError', 'ConfigError', 'RateLimitedError',
                 'ValidationError', 'TimeoutError', 'InternalError',
                 'StateTransitionError', 'TransientStepError',
                 'RetriesExhaustedError', 'StepNotReadyError', 'PausedError']:
        assert issubclass(getattr(pgqrs, name), pgqrs.PgqrsError), name
    assert issubclass(pgqrs.PgqrsError, Exception)


async def test_rate_limit(make_dsn):
    store = await pgqrs.connect(make_dsn('enqueue_rate_limit=1&enqueue_burst=1'))
    await pgqrs.admin(store).install()
    await store.queue('tasks')
    await pgqrs.produce(store, 'tasks', 1)
    with pytest.raises(pgqrs.RateLimitedError):
        await pgqrs.produce(store, 'tasks', 2)


# Servers nobody listens for, whatever the suite's backend: PostgreSQL and a
# libSQL server.
@pytest.mark.parametrize('unreachable', ['postgresql://nobody@127.0.0.1:1/none',
                                         'http://127.0.0.1:1'])
async def test_connection_error(unreachable):
    with pytest.raises(pgqrs.PgqrsConnectionError):
        store = await pgqrs.connect(unreachable)
        await pgqrs.admin(store).install()


@pytest.mark.skipif(not is_postgres(), reason='schemas are PostgreSQL\'s')
async def test_config_schema(dsn):
    config = pgqrs.Config(without_option(dsn, 'schema'), schema=schema_of(dsn))
    assert config.schema == schema_of(dsn)
    store = await pgqrs.connect_with(config)
    await pgqrs.admin(store).install()
    await store.queue('in_schema')
    same = await pgqrs.connect(dsn)
    assert [q.queue_name for q in await (await same.get_queues()).list()] == ['in_schema']


EXACT_VALUES = [
    2 ** 63 - 1, -2 ** 63, 2 ** 64 + 1, 10 ** 18, 1e18, 0.1, -0.0, 1.7976931348623157e308,
    5e-324, 'é✓😀', 'quote " backslash \\ tab \t newline \n', '\u2028',
    {'nested': [{'deep': [1, [2, [3]]]}], '': 'empty key'},
]


def assert_same_value(got, sent):
    """SQLite gives back the very value; PostgreSQL's jsonb the same value
    spelled its way (docs/concepts.md): 1e18 as the int 10**18, -0.0 as
    0.0."""
    if backend_name() == 'sqlite':
        assert repr(got) == repr(sent)
    elif isinstance(sent, dict):
        assert sorted(got) == sorted(sent)
        for key in sent:
            assert_same_value(got[key], sent[key])
    elif isinstance(sent, list):
        assert len(got) == len(sent)
        for g, s in zip(got, sent):
            assert_same_value(g, s)
    elif isinstance(sent, (int, float)) and not isinstance(sent, bool):
        def exact(number):
            return Decimal(repr(number)) if isinstance(number, float) else Decimal(number)
        assert not isinstance(got, bool) and exact(got) == exact(sent)
    else:
        assert got == sent and type(got) is type(sent)


async def test_exact_payloads(store):
    await store.queue('tasks')
    ids = await pgqrs.produce_batch(store, 'tasks', EXACT_VALUES)
    consumer = await store.consumer('tasks')
    messages = await consumer.dequeue(len(EXACT_VALUES))
    assert [m.id for m in messages] == ids
    for message, value in zip(messages, EXACT_VALUES):
        assert_same_value(message.payload, value)


async def test_exact_workflow_values(store):
    # The library holds workflow values as Json.Nodes: an int beyond 64 bits
    # becomes the nearest double there (docs/concepts.md)
    held = [float(v) if isinstance(v, int) and not -2 ** 63 <= v < 2 ** 63 else v
            for v in EXACT_VALUES]
    run = await pgqrs.admin(store).create_workflow('exact', EXACT_VALUES)
    assert_same_value(run.input, held)
    await run.start()
    await run.complete_step('one', EXACT_VALUES)
    assert_same_value((await run.acquire_step('one')).value, held)
    await run.success(EXACT_VALUES)
    assert_same_value(await run.result(), held)


async def test_nul_in_a_string(store):
    await store.queue('tasks')
    with pytest.raises(pgqrs.SerializationError):
        await pgqrs.produce(store, 'tasks', {'a': 'x\0y'})
    with pytest.raises(pgqrs.SerializationError):
        await pgqrs.produce(store, 'tasks', {'key\0': 1})
    # the six characters \u0000 are just text
    await pgqrs.produce(store, 'tasks', {'a': '\\u0000', 'b': '\\\\u0000'})
    [message] = await (await store.consumer('tasks')).dequeue()
    assert message.payload == {'a': '\\u0000', 'b': '\\\\u0000'}
