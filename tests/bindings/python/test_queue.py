# test_queue.py — Pgqrs.Queue from Python: the life of a message
#
# SPDX-License-Identifier: MIT

import json

import pytest

from gi.repository import Json, Pgqrs

from conftest import assert_pgqrs_error, call_async


def node(text):
    return Json.from_string(text)


def text(message):
    return Json.to_string(message.get_payload(), False)


def test_enqueue_dequeue_archive(store, queue):
    message_id = queue.enqueue(node('{"task": "send_email"}'))
    assert isinstance(message_id, int) and message_id > 0

    messages = queue.dequeue(10, 30)
    assert isinstance(messages, list)
    assert len(messages) == 1
    message = messages[0]
    assert isinstance(message, Pgqrs.Message)
    assert message.get_id() == message_id
    assert message.props.id == message_id
    assert message.get_queue_id() == queue.get_id()
    assert message.get_read_count() == 1
    assert message.get_enqueued_at() is not None
    assert message.get_dequeued_at() is not None
    assert message.get_archived_at() is None
    assert message.get_archive_reason() == Pgqrs.ArchiveReason.NONE
    assert json.loads(text(message)) == {'task': 'send_email'}

    assert queue.dequeue(10, 30) == [], 'a leased message is invisible'

    assert queue.archive(message) is True
    assert queue.archive(message) is False, 'the lease is gone'

    archived = store.list_archived('tasks', False, 0, 0)
    assert [m.get_id() for m in archived] == [message_id]
    assert archived[0].get_archive_reason() == Pgqrs.ArchiveReason.DONE
    assert archived[0].get_archived_at() is not None


def test_enqueue_dequeue_archive_async(store, queue):
    message_id = call_async(queue, 'enqueue', node('[1, 2]'))
    assert message_id > 0

    messages = call_async(queue, 'dequeue', 5, 30)
    assert [m.get_id() for m in messages] == [message_id]
    assert text(messages[0]) == '[1,2]'

    assert call_async(queue, 'archive', messages[0]) is True
    assert call_async(queue, 'archive', messages[0]) is False

    archived = call_async(store, 'list_archived', None, False, 10, 0)
    assert [m.get_id() for m in archived] == [message_id]


def test_enqueue_delayed(queue):
    queue.enqueue_delayed(node('"later"'), 3600)
    call_async(queue, 'enqueue_delayed', node('"later too"'), 3600)
    assert queue.dequeue(10, 30) == []

    metrics = queue.get_store().get_metrics('tasks')
    assert metrics.get_delayed() == 2
    assert metrics.get_pending() == 0


def test_enqueue_batch(queue):
    ids = queue.enqueue_batch([node('1'), node('"two"'), node('{"n": 3}')], 0)
    assert isinstance(ids, list)
    assert len(ids) == 3
    assert ids == sorted(ids)

    more = call_async(queue, 'enqueue_batch', [node('4'), node('5')], 0)
    assert len(more) == 2

    delayed = queue.enqueue_batch([node('6')], 3600)
    assert len(delayed) == 1

    messages = queue.dequeue(100, 30)
    assert [m.get_id() for m in messages] == ids + more
    assert [text(m) for m in messages] == ['1', '"two"', '{"n":3}', '4', '5']

    assert queue.archive_batch(messages) == [True] * 5
    assert call_async(queue, 'archive_batch', messages) == [False] * 5


def test_batch_is_all_or_nothing(store, queue):
    deep = '[' * 1000 + ']' * 1000
    with pytest.raises(Exception) as excinfo:
        queue.enqueue_batch([node('1'), node(deep)], 0)
    assert_pgqrs_error(excinfo, Pgqrs.Error.VALIDATION)
    assert excinfo.value.message.startswith('payload 1:'), 'the error names the index'
    assert store.get_metrics('tasks').get_total() == 0


def test_release(queue):
    queue.enqueue(node('1'))
    queue.enqueue(node('2'))

    first, second = queue.dequeue(2, 30)
    assert queue.release(first, 0) is True
    assert call_async(queue, 'release', second, 0) is True
    assert queue.release(first, 0) is False, 'released already'

    again = queue.dequeue(2, 30)
    assert [m.get_read_count() for m in again] == [2, 2]

    assert queue.release_batch(again, 3600) == [True, True]
    assert queue.dequeue(2, 30) == [], 'released with a delay'


def test_extend_visibility(queue):
    queue.enqueue(node('1'))
    queue.enqueue(node('2'))
    messages = queue.dequeue(2, 30)

    assert queue.extend_visibility(messages[0], 60) is True
    assert call_async(queue, 'extend_visibility', messages[1], 60) is True
    assert queue.extend_visibility_batch(messages, 60) == [True, True]
    assert call_async(queue, 'extend_visibility_batch', messages, 60) == [True, True]


def test_delete(store, queue):
    for i in range(3):
        queue.enqueue(node(str(i)))
    first, second, third = queue.dequeue(3, 30)

    assert queue.delete_message(first) is True
    assert queue.delete_message(first) is False
    assert call_async(queue, 'delete_message', second) is True
    assert queue.delete_batch([third]) == [True]
    assert call_async(queue, 'delete_batch', [third]) == [False]

    assert store.get_metrics('tasks').get_total() == 0


def test_metrics(store, queue):
    other = store.create_queue('other')
    queue.enqueue_batch([node('1'), node('2'), node('3')], 0)
    queue.enqueue_delayed(node('4'), 3600)
    other.enqueue(node('5'))

    leased = queue.dequeue(2, 30)
    queue.archive(leased[0])

    metrics = store.get_metrics('tasks')
    assert isinstance(metrics, Pgqrs.QueueMetrics)
    assert metrics.get_queue_name() == 'tasks'
    assert metrics.get_total() == 4
    assert metrics.get_pending() == 1
    assert metrics.get_delayed() == 1
    assert metrics.get_leased() == 1
    assert metrics.get_archived() == 1
    assert metrics.get_dead_lettered() == 0
    assert metrics.get_oldest_pending_age() >= 0
    assert metrics.props.total == 4

    metrics = call_async(store, 'get_metrics', 'tasks')
    assert metrics.get_leased() == 1

    every = {m.get_queue_name(): m.get_total() for m in store.list_metrics()}
    assert every == {'tasks': 4, 'other': 1}
    every = {m.get_queue_name(): m.get_total()
             for m in call_async(store, 'list_metrics')}
    assert every == {'tasks': 4, 'other': 1}


def test_dead_letter_and_replay(tmp_path):
    from conftest import new_dsn

    store = Pgqrs.Store.new(new_dsn(tmp_path, 'max_read_count=1'))
    store.install()
    queue = store.create_queue('tasks')
    message_id = queue.enqueue(node('"poison"'))

    [message] = queue.dequeue(1, 30)
    queue.release(message, 0)
    assert queue.dequeue(1, 30) == [], 'read too often: dead-lettered'

    [dead] = store.list_archived('tasks', True, 0, 0)
    assert dead.get_id() == message_id
    assert dead.get_archive_reason() == Pgqrs.ArchiveReason.DEAD_LETTER

    assert store.replay(message_id) is True
    assert call_async(store, 'replay', message_id) is False, 'not archived now'
    [back] = queue.dequeue(1, 30)
    assert back.get_id() == message_id


def test_bad_arguments_raise(queue):
    with pytest.raises(Exception) as excinfo:
        queue.dequeue(0, 30)
    assert_pgqrs_error(excinfo, Pgqrs.Error.VALIDATION)

    with pytest.raises(Exception) as excinfo:
        call_async(queue, 'enqueue_delayed', node('1'), -5)
    assert_pgqrs_error(excinfo, Pgqrs.Error.VALIDATION)


def test_idempotency_keys(store, queue):
    # a retry with the key returns the first message, and stores nothing
    first = queue.enqueue_with_key({'order': 1}, 'order-1')
    assert queue.enqueue_with_key({'order': 1}, 'order-1') == first

    ids = queue.enqueue_batch_with_keys([{'order': 1}, {'order': 2}, {'order': 2}],
                                        ['order-1', 'order-2', 'order-2'])
    assert list(ids) == [first, ids[1], ids[1]] and ids[1] != first
    assert store.get_metrics(queue.get_name()).get_total() == 2

    with pytest.raises(Exception) as raised:
        queue.enqueue_with_key({}, '')
    assert_pgqrs_error(raised, Pgqrs.Error.VALIDATION)

    store.define_workflow('import', queue.get_name())
    run = store.trigger_workflow_with_key('import', {'file': 'a.csv'}, 'import-a')
    again = store.trigger_workflow_with_key('import', {'file': 'a.csv'}, 'import-a')
    assert again.get_id() == run.get_id()
    assert store.get_metrics(queue.get_name()).get_total() == 3
