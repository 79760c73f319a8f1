// test-payload.js — payloads come back equal to what was stored (semantics
// rule 26) from gjs: as JSON text through JSON.stringify()/JSON.parse() and
// the text API, and through a Json.Node written and read by pgqrs; what JSON
// cannot hold is refused, naming its path. tests/test-payload.c runs the
// same lists in C.
//
// SPDX-License-Identifier: MIT

import Json from 'gi://Json';
import Pgqrs from 'gi://Pgqrs?version=1';

import {
    assert, assertEqual, assertRejectsPgqrs, assertThrowsPgqrs, backendName, openStore, run,
} from './testutil.js';

// The numbers of issue 13 as spelled: a JS number is a double, so each
// comes back as the nearest double of its spelling.
const NUMBERS = [
    '1', '-1', '3.14', '0.1', '1e-9', '1e10', '1e17', '1e18', '9.2e18', '9.3e18',
    '2.5e20', '-2.5e20', '6.02214076e23', '1.5e300', '1e-300', '1.6e-19', '-0.0',
    '9223372036854775807', '9223372036854775808', '123456789012345678901234567890',
];

function longText() {
    let text = '';
    while (text.length < 200 * 1024)
        text += 'line "quoted" \\ tab\t é 中 😀\n';
    return text;
}

const STRINGS = [
    'plain',
    '',
    'quote " backslash \\ slash / done',
    '\b\f\n\r\t',
    Array.from({length: 31}, (_, i) => String.fromCharCode(i + 1)).join(''),
    'DEL \x7f',
    'é ü ß — 中文 한국어 עברית',
    'non-BMP: 😀 𝄞 𐍈 🇫🇷',
    'separators \u2028 \u2029 and BOM \ufeff',
    longText(),
];

function openQueue() {
    const store = openStore();
    return [store, store.create_queue('payloads', null)];
}

function takeOne(queue) {
    const messages = queue.dequeue(10, 30, null);
    assertEqual(messages.length, 1);
    assert(queue.archive(messages[0], null), 'archived');
    return messages[0];
}

function assertSameNumber(got, spelling) {
    const expected = Number(spelling);
    assert(got === expected, `${spelling} came back as ${got}`);
    // PostgreSQL's numeric has no negative zero (docs/concepts.md)
    if (Object.is(expected, -0) && backendName() === 'sqlite')
        assert(Object.is(got, -0), `${spelling} lost its sign`);
}

function refusal(error, path, word) {
    assert(error.message.includes(path) && error.message.includes(word),
        `“${error.message}” does not name ${path} and ${word}`);
}

run({
    'numbers as text, read by JSON.parse'() {
        const [, queue] = openQueue();
        for (const spelling of NUMBERS) {
            queue.enqueue_text(`{"v": ${spelling}}`, null);
            const message = takeOne(queue);
            if (backendName() === 'sqlite')
                assertEqual(message.get_payload_text(), `{"v":${spelling}}`);
            assertSameNumber(JSON.parse(message.get_payload_text()).v, spelling);
        }
    },

    'numbers from JSON.stringify, all in one payload'() {
        const [, queue] = openQueue();
        // JSON.stringify spells -0 as 0: that is JavaScript, not pgqrs
        const values = NUMBERS.filter(s => s !== '-0.0').map(Number);
        queue.enqueue_text(JSON.stringify(values), null);
        const got = JSON.parse(takeOne(queue).get_payload_text());
        assertEqual(got.length, values.length);
        got.forEach((value, i) => assert(value === values[i], `${values[i]} came back as ${value}`));
    },

    'numbers through a Json.Node written by pgqrs'() {
        const [, queue] = openQueue();
        for (const spelling of NUMBERS) {
            const node = Pgqrs.json_from_string(`{"v": ${spelling}}`);
            queue.enqueue(node, null);
            const message = takeOne(queue);
            assertSameNumber(JSON.parse(message.get_payload_text()).v, spelling);
            const member = message.get_payload().get_object().get_member('v');
            if (member.get_value_type().name === 'gdouble')
                assertSameNumber(member.get_double(), spelling);
        }
    },

    async 'strings, through text and a Json.Node, async'() {
        const [, queue] = openQueue();
        for (const string of STRINGS) {
            // eslint-disable-next-line no-await-in-loop
            await queue.enqueue_text_async(JSON.stringify({s: string}), null);
            queue.enqueue(Pgqrs.json_from_string(JSON.stringify({s: string})), null);
            const messages = queue.dequeue(10, 30, null);
            assertEqual(messages.map(m => JSON.parse(m.get_payload_text()).s === string), [true, true]);
            assertEqual(messages.map(m => m.get_payload().get_object().get_string_member('s') === string),
                [true, true]);
            messages.forEach(m => queue.archive(m, null));
        }
    },

    async 'batches of text'() {
        const [, queue] = openQueue();
        const ids = await queue.enqueue_batch_text_async(['{"a": 1}', '[2]', '"three"'], 0, null);
        assertEqual(ids.length, 3);
        const got = queue.dequeue(10, 30, null).map(m => JSON.parse(m.get_payload_text()));
        assertEqual(got, [{a: 1}, [2], 'three']);
    },

    async 'refusals name the path'() {
        const [store, queue] = openQueue();
        for (const [text, path, word] of [
            ['{"amount": NaN}', '$.amount', 'not JSON'],
            ['{"amount": Infinity}', '$.amount', 'not JSON'],
            ['{"amount": 1e400}', '$.amount', 'beyond the range of a double'],
            ['{"items": [0, 1, 2, {"name": "\\ud800"}]}', '$.items[3].name', 'lone surrogate'],
        ]) {
            refusal(assertThrowsPgqrs(Pgqrs.Error.VALIDATION, () => queue.enqueue_text(text, null)),
                path, word);
            // eslint-disable-next-line no-await-in-loop
            refusal(await assertRejectsPgqrs(Pgqrs.Error.VALIDATION,
                queue.enqueue_batch_text_async(['{}', text], 0, null)), `payload 1: ${path}`, word);
        }

        for (const value of [NaN, Infinity, -Infinity]) {
            const object = new Json.Object();
            object.set_double_member('amount', value);
            const node = Json.Node.alloc().init_object(object);
            refusal(assertThrowsPgqrs(Pgqrs.Error.VALIDATION, () => queue.enqueue(node, null)),
                '$.amount', 'JSON number');
        }
        assertEqual(store.get_metrics('payloads', null).get_total(), 0);
    },
});
