# _payload.py — Python values in and out of the library
#
# SPDX-License-Identifier: MIT
#
# Every payload, workflow input, step output and run output crosses here and
# nowhere else, so that the way values reach the library is one place to
# change: today a Json.Node made by the override's to_json_node() from the
# json module's text, read back with from_json_node().

from ._gi import Pgqrs
from . import _bridge
from ._errors import SerializationError


def to_node(value):
    """@value as the library's JSON value; SerializationError if it is not
    JSON (a set, an object, NaN…)."""
    try:
        return Pgqrs.to_json_node(value)
    except (TypeError, ValueError) as error:
        raise SerializationError(str(error)) from error


def from_node(node):
    """The Python value of a JSON value of the library (None for none)."""
    return Pgqrs.from_json_node(node)


def message_value(message):
    """The payload of a Pgqrs.Message as a Python value."""
    return from_node(message.get_payload())


async def enqueue(queue, value, delay_seconds=0):
    node = to_node(value)
    if delay_seconds:
        return await _bridge.method(queue, 'enqueue_delayed', node,
                                    float(delay_seconds))
    return await _bridge.method(queue, 'enqueue', node)


async def enqueue_batch(queue, values, delay_seconds=0):
    nodes = [to_node(value) for value in values]
    return list(await _bridge.method(queue, 'enqueue_batch', nodes,
                                     float(delay_seconds)))
