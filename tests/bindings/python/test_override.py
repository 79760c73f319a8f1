# test_override.py — the sugar Pgqrs.py adds, and that it changes no shape
#
# SPDX-License-Identifier: MIT

import math

import pytest

from gi.repository import Gio, GLib, Json, Pgqrs

from conftest import call_async

VALUES = [
    {'task': 'send_email', 'to': 'user@example.com'},
    {'nested': {'list': [1, 2.5, True, None, 'ünïcödé ✓']}},
    [1, 'two', 3.0, False],
    'a string',
    42,
    -1.5,
    True,
    None,
    2 ** 62,
    {},
    [],
]


def test_override_is_loaded():
    assert Pgqrs.Queue.__module__ == 'gi.overrides.Pgqrs'
    assert Pgqrs.Message.__module__ == 'gi.overrides.Pgqrs'


@pytest.mark.parametrize('value', VALUES)
def test_json_round_trip(value):
    node = Pgqrs.to_json_node(value)
    assert isinstance(node, Json.Node)
    assert Pgqrs.from_json_node(node) == value


def test_json_node_passes_through():
    node = Json.from_string('{"a": 1}')
    assert Pgqrs.to_json_node(node) is node
    assert Pgqrs.from_json_node(None) is None


@pytest.mark.parametrize('value', [math.nan, math.inf, {'x': -math.inf}])
def test_no_json_spelling(value):
    with pytest.raises(ValueError):
        Pgqrs.to_json_node(value)


@pytest.mark.parametrize('value', ['a\0b', {'k\0': 1}, [{'deep': ['\0']}]])
def test_nul_refused(value, queue):
    # json-glib would cut the string at U+0000 and store less than given
    with pytest.raises(ValueError, match='U\\+0000'):
        Pgqrs.to_json_node(value)
    with pytest.raises(ValueError):
        queue.enqueue(value)
    assert len(queue.dequeue(10, 30)) == 0


@pytest.mark.parametrize('value', [object(), {1, 2}, b'bytes', {'a': object()}])
def test_not_json(value):
    with pytest.raises(TypeError):
        Pgqrs.to_json_node(value)


def test_enqueue_python_values(queue):
    for value in VALUES:
        queue.enqueue(value)
    messages = queue.dequeue(100, 30)
    assert [m.data for m in messages] == VALUES
    assert [m.get_data() for m in messages] == VALUES


def test_enqueue_python_values_async(queue):
    call_async(queue, 'enqueue', {'a': 1})
    call_async(queue, 'enqueue_delayed', {'b': 2}, 0)
    ids = call_async(queue, 'enqueue_batch', [{'c': 3}, [4], 'five'], 0)
    assert len(ids) == 3
    assert [m.data for m in queue.dequeue(10, 30)] == \
        [{'a': 1}, {'b': 2}, {'c': 3}, [4], 'five']


def test_enqueue_batch_takes_any_iterable(queue):
    ids = queue.enqueue_batch(({'n': n} for n in range(4)), 0)
    assert len(ids) == 4
    ids = queue.enqueue_batch((Json.from_string('5'), 6), 0)
    assert len(ids) == 2
    assert [m.data for m in queue.dequeue(10, 30)] == \
        [{'n': 0}, {'n': 1}, {'n': 2}, {'n': 3}, 5, 6]


def test_enqueue_delayed_python_value(queue):
    queue.enqueue_delayed({'later': True}, 3600)
    assert queue.dequeue(10, 30) == []


def test_data_is_a_fresh_copy(queue):
    queue.enqueue({'list': [1]})
    [message] = queue.dequeue(1, 30)
    data = message.data
    data['list'].append(2)
    assert message.data == {'list': [1]}


def test_bad_payload_raises_before_the_call(store, queue):
    with pytest.raises(TypeError):
        queue.enqueue(object())
    with pytest.raises(ValueError):
        queue.enqueue_batch([1, math.nan], 0)
    assert store.get_metrics('tasks').get_total() == 0


def test_shapes_are_unchanged(queue):
    # Keyword arguments and the cancellable pass through as without the
    # override.
    cancellable = Gio.Cancellable()
    assert queue.enqueue(payload={'k': 1}) > 0
    assert queue.enqueue({'k': 2}, cancellable) > 0
    assert queue.enqueue_delayed({'k': 3}, delay_seconds=0) > 0
    assert len(queue.enqueue_batch(payloads=[{'k': 4}], delay_seconds=0)) == 1


def test_cancelled_enqueue(queue):
    cancellable = Gio.Cancellable()
    cancellable.cancel()
    with pytest.raises(GLib.Error) as excinfo:
        queue.enqueue({'k': 1}, cancellable)
    assert excinfo.value.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)


def test_reprs(store, queue):
    queue.enqueue({'a': 1})
    [message] = queue.dequeue(1, 30)
    assert repr(queue) == "<Pgqrs.Queue 'tasks' id={}>".format(queue.get_id())
    assert repr(message).startswith('<Pgqrs.Message id={} '.format(message.get_id()))
    assert "'tasks'" in repr(store.get_metrics('tasks'))
