# _payload.py — Python values in and out of the library
#
# SPDX-License-Identifier: MIT
#
# Every payload, workflow input, step output and run output crosses here and
# nowhere else. They travel as JSON text between Python's json module and
# the library's own JSON reader and writer: payloads through the text forms
# of enqueue and of a message's payload, so a Python value never passes
# through a Json.Node; workflow values, which the library takes as
# Json.Nodes, through Pgqrs.json_from_string() and json_to_string(), which
# keep numbers exact (json-glib's own would not).

import json
import re

from ._gi import GLib, Pgqrs
from . import _bridge
from ._errors import SerializationError, from_gerror


# U+0000 as the json module escapes it in a string: \u0000 after an even
# number of backslashes (an odd one would make it the text "\u0000")
_ESCAPED_NUL = re.compile(r'(?<!\\)(?:\\\\)*\\u0000')


def to_text(value):
    """@value as JSON text; SerializationError if it is not JSON (a set, an
    object, NaN, a string holding U+0000, which the library's values cannot
    keep)."""
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as error:
        raise SerializationError(str(error)) from error
    if _ESCAPED_NUL.search(text):
        raise SerializationError('a string holds U+0000, which pgqrs cannot keep')
    return text


def from_text(text):
    """The Python value of JSON text (None for none)."""
    return None if text is None else json.loads(text)


def to_node(value):
    """@value as the library's JSON value (a Json.Node)."""
    try:
        return Pgqrs.json_from_string(to_text(value))
    except GLib.Error as error:
        raise from_gerror(error) from None


def from_node(node):
    """The Python value of a JSON value of the library (None for none)."""
    if node is None:
        return None
    try:
        return json.loads(Pgqrs.json_to_string(node))
    except GLib.Error as error:
        raise from_gerror(error) from None


def message_value(message):
    """The payload of a Pgqrs.Message as a Python value."""
    return from_text(message.get_payload_text())


async def enqueue(queue, value, delay_seconds=0):
    text = to_text(value)
    if delay_seconds:
        ids = await _bridge.call(queue.enqueue_batch_text_async,
                                 queue.enqueue_batch_text_finish, [text],
                                 float(delay_seconds))
        return ids[0]
    return await _bridge.call(queue.enqueue_text_async,
                              queue.enqueue_text_finish, text)


async def enqueue_batch(queue, values, delay_seconds=0):
    texts = [to_text(value) for value in values]
    return list(await _bridge.call(queue.enqueue_batch_text_async,
                                   queue.enqueue_batch_text_finish, texts,
                                   float(delay_seconds)))
