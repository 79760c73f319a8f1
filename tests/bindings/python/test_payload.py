# test_payload.py — payloads come back equal to what was stored (semantics
# rule 26) from Python, through the override (Python's json module and the
# text API) and through a Json.Node, on every backend; what JSON cannot hold
# is refused, naming its path. tests/test-payload.c runs the same lists in C.
#
# SPDX-License-Identifier: MIT

import math
from decimal import Decimal

import pytest

from gi.repository import GLib, Json, Pgqrs

from conftest import assert_pgqrs_error, backend_name

NUMBERS = [
    1, -1, 3.14, 0.1, 1e-9, 1e10, 1e17, 1e18, 9.2e18, 9.3e18, 2.5e20, -2.5e20,
    6.02214076e23, 1.5e300, 1e-300, 1.6e-19, -0.0,
    9223372036854775807, 9223372036854775808, 123456789012345678901234567890,
]


def _long_text():
    text = ''
    while len(text) < 200 * 1024:
        text += 'line "quoted" \\ tab\t é 中 😀\n'
    return text


STRINGS = [
    'plain',
    '',
    'quote " backslash \\ slash / done',
    '\b\f\n\r\t',
    ''.join(chr(c) for c in range(1, 32)),
    'DEL \x7f',
    'é ü ß — 中文 한국어 עברית',
    'non-BMP: 😀 𝄞 𐍈 🇫🇷',
    'separators \u2028 \u2029 and BOM \ufeff',
    _long_text(),
]


def value_of(number):
    """The exact value of a JSON number as the json module reads it: a float
    is the value of its shortest spelling (what Python and pgqrs write)."""
    return Decimal(repr(number)) if isinstance(number, float) else Decimal(number)


def assert_same_number(got, sent):
    assert not isinstance(got, bool)
    assert value_of(got) == value_of(sent), '{!r} came back as {!r}'.format(sent, got)
    # PostgreSQL's numeric has no negative zero (docs/concepts.md)
    if isinstance(sent, float) and sent == 0 and backend_name() == 'sqlite':
        assert math.copysign(1, got) == math.copysign(1, sent)


def take_one(queue):
    messages = queue.dequeue(10, 30)
    assert len(messages) == 1
    assert queue.archive(messages[0])
    return messages[0]


@pytest.mark.parametrize('number', NUMBERS, ids=repr)
def test_number_round_trip(queue, number):
    queue.enqueue({'v': number})
    message = take_one(queue)
    assert_same_number(message.data['v'], number)

    # The Json.Node of the message holds the nearest double, or the exact
    # integer when it fits in 64 bits; never a wrapped one.
    node = message.get_payload().get_object().get_member('v')
    if isinstance(number, int) and -2 ** 63 <= number < 2 ** 63:
        assert node.get_value_type().name == 'gint64'
        assert node.get_int() == number
    else:
        assert node.get_double() == float(number)


def test_all_numbers_in_one_payload(queue):
    queue.enqueue(NUMBERS)
    got = take_one(queue).data
    assert len(got) == len(NUMBERS)
    for value, sent in zip(got, NUMBERS):
        assert_same_number(value, sent)


def test_numbers_through_json_node(queue):
    # A Json.Node built by the override is written by pgqrs, not json-glib.
    node = Pgqrs.to_json_node(NUMBERS)
    queue.enqueue(node)
    got = take_one(queue).data
    for value, sent in zip(got, NUMBERS):
        if isinstance(sent, int) and sent >= 2 ** 63:
            sent = float(sent)   # a Json.Node holds the nearest double
        assert_same_number(value, sent)


def test_numbers_as_text(queue):
    for number in NUMBERS:
        text = '{{"v": {}}}'.format(number)
        queue.enqueue_text(text)
        message = take_one(queue)
        if backend_name() == 'sqlite':
            assert message.get_payload_text() == text.replace(' ', '')
        assert_same_number(message.data['v'], number)


@pytest.mark.parametrize('string', STRINGS, ids=lambda s: repr(s[:20]))
def test_string_round_trip(queue, string):
    queue.enqueue({'s': string})
    queue.enqueue(Pgqrs.to_json_node({'s': string}))
    messages = queue.dequeue(10, 30)
    assert [m.data['s'] for m in messages] == [string, string]
    assert [m.get_payload().get_object().get_string_member('s')
            for m in messages] == [string, string]


def test_async_and_batch_go_through_text(queue):
    from conftest import call_async
    big = 2 ** 64
    call_async(queue, 'enqueue', {'n': big})
    call_async(queue, 'enqueue_delayed', {'n': big + 1}, 0)
    ids = call_async(queue, 'enqueue_batch', [{'n': big + 2}, {'n': 1e18}], 0)
    assert len(ids) == 2
    assert queue.enqueue_delayed({'n': big + 3}, 0) > 0
    got = sorted(m.data['n'] for m in queue.dequeue(10, 30))
    assert got == [1e18, big, big + 1, big + 2, big + 3]


@pytest.mark.parametrize('value', [math.nan, math.inf, -math.inf])
def test_nan_and_infinities_refused(queue, value):
    with pytest.raises(ValueError):
        queue.enqueue({'amount': value})

    # in a Json.Node, refused by pgqrs with the path
    amount = Json.Object()
    amount.set_double_member('amount', value)
    with pytest.raises(GLib.Error) as excinfo:
        queue.enqueue(Json.Node.alloc().init_object(amount))
    assert_pgqrs_error(excinfo, Pgqrs.Error.VALIDATION)
    assert '$.amount' in excinfo.value.message

    item = Json.Object()
    item.set_double_member('price', value)
    items = Json.Array()
    for i in range(3):
        items.add_int_element(i)
    items.add_object_element(item)
    root = Json.Object()
    root.set_array_member('items', items)
    with pytest.raises(GLib.Error) as excinfo:
        queue.enqueue(Json.Node.alloc().init_object(root))
    assert '$.items[3].price' in excinfo.value.message
    assert queue.dequeue(10, 30) == []


@pytest.mark.parametrize('text,path,word', [
    ('{"amount": NaN}', '$.amount', 'not JSON'),
    ('{"amount": 1e400}', '$.amount', 'beyond the range of a double'),
    ('{"items": [0, 1, 2, {"name": "\\ud800"}]}', '$.items[3].name', 'lone surrogate'),
    ('{"s": "a\\u0000b"}', '$.s', 'U+0000'),
])
def test_text_refused(queue, text, path, word):
    with pytest.raises(GLib.Error) as excinfo:
        queue.enqueue_text(text)
    assert_pgqrs_error(excinfo, Pgqrs.Error.VALIDATION)
    assert path in excinfo.value.message and word in excinfo.value.message
    with pytest.raises(GLib.Error) as excinfo:
        queue.enqueue_batch_text(['{}', text], 0)
    assert 'payload 1: ' + path in excinfo.value.message
    assert queue.dequeue(10, 30) == []


def test_workflow_values(store):
    store.create_queue('numbers')
    store.define_workflow('numbers', 'numbers')
    run = store.create_workflow('numbers', NUMBERS)
    run.start()
    step_output = run.run_step('echo', lambda step: NUMBERS)
    run.complete({'all': NUMBERS})
    reloaded = store.get_workflow_run(run.get_id())
    nearest = [float(n) if isinstance(n, int) and n >= 2 ** 63 else n for n in NUMBERS]
    for got in (reloaded.input_data, Pgqrs.from_json_node(step_output),
                reloaded.output_data['all']):
        for value, sent in zip(got, nearest):
            assert_same_number(value, sent)
