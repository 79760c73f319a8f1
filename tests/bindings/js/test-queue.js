// test-queue.js — Pgqrs.Queue from gjs: the life of a message
//
// SPDX-License-Identifier: MIT

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Pgqrs from 'gi://Pgqrs?version=1';

import {
    assert, assertEqual, assertRejectsPgqrs, assertThrowsPgqrs, json, jsonOf, openStore, run,
    text,
} from './testutil.js';

const ids = messages => messages.map(m => m.get_id());

function openQueue(options = null) {
    const store = openStore(options);
    return [store, store.create_queue('tasks', null)];
}

run({
    'enqueue, dequeue, archive'() {
        const [store, queue] = openQueue();
        const id = queue.enqueue(json('{"task": "send_email"}'), null);
        assert(typeof id === 'number' && id > 0, 'enqueue gives an id');

        const messages = queue.dequeue(10, 30, null);
        assertEqual(messages.length, 1);
        const [message] = messages;
        assert(message instanceof Pgqrs.Message);
        assertEqual(message.get_id(), id);
        assertEqual(message.id, id);
        assertEqual(message.get_queue_id(), queue.get_id());
        assertEqual(message.get_read_count(), 1);
        assert(message.get_enqueued_at() instanceof GLib.DateTime, 'enqueued_at');
        assert(message.get_dequeued_at() !== null, 'dequeued_at');
        assertEqual(message.get_archived_at(), null);
        assertEqual(message.get_archive_reason(), Pgqrs.ArchiveReason.NONE);
        assertEqual(JSON.parse(text(message)), {task: 'send_email'});

        assertEqual(queue.dequeue(10, 30, null).length, 0, 'a leased message is invisible');

        assertEqual(queue.archive(message, null), true);
        assertEqual(queue.archive(message, null), false, 'the lease is gone');

        const archived = store.list_archived('tasks', false, 0, 0, null);
        assertEqual(ids(archived), [id]);
        assertEqual(archived[0].get_archive_reason(), Pgqrs.ArchiveReason.DONE);
    },

    async 'enqueue, dequeue, archive, async'() {
        const [store, queue] = openQueue();
        const id = await queue.enqueue_async(json('[1, 2]'), null);
        assert(id > 0, 'enqueue gives an id');

        const messages = await queue.dequeue_async(5, 30, null);
        assertEqual(ids(messages), [id]);
        assertEqual(text(messages[0]), '[1,2]');

        assertEqual(await queue.archive_async(messages[0], null), true);
        assertEqual(await queue.archive_async(messages[0], null), false);
        assertEqual(ids(await store.list_archived_async(null, false, 10, 0, null)), [id]);
    },

    'the callback form of async calls'() {
        const [, queue] = openQueue();
        const loop = new GLib.MainLoop(null, false);
        let result = null;

        queue.enqueue_async(jsonOf({via: 'callback'}), null, (source, res) => {
            result = source.enqueue_finish(res);
            loop.quit();
        });
        loop.run();
        assert(result > 0, 'the callback got an id');
    },

    async 'enqueue delayed'() {
        const [store, queue] = openQueue();
        queue.enqueue_delayed(json('"later"'), 3600, null);
        await queue.enqueue_delayed_async(json('"later too"'), 3600, null);
        assertEqual(queue.dequeue(10, 30, null).length, 0);

        const metrics = store.get_metrics('tasks', null);
        assertEqual(metrics.get_delayed(), 2);
        assertEqual(metrics.get_pending(), 0);
    },

    async 'enqueue a batch'() {
        const [, queue] = openQueue();
        const first = queue.enqueue_batch([json('1'), json('"two"'), json('{"n": 3}')], 0, null);
        assertEqual(first.length, 3);
        const more = await queue.enqueue_batch_async([json('4'), json('5')], 0, null);
        assertEqual(more.length, 2);
        assertEqual(queue.enqueue_batch([json('6')], 3600, null).length, 1);

        const messages = queue.dequeue(100, 30, null);
        assertEqual(ids(messages), [...first, ...more]);
        assertEqual(messages.map(text), ['1', '"two"', '{"n":3}', '4', '5']);

        assertEqual(queue.archive_batch(messages, null), [true, true, true, true, true]);
        assertEqual(await queue.archive_batch_async(messages, null),
            [false, false, false, false, false]);
    },

    async 'a batch is all or nothing'() {
        const [store, queue] = openQueue();
        const deep = json(`${'['.repeat(1000)}${']'.repeat(1000)}`);
        const error = assertThrowsPgqrs(Pgqrs.Error.VALIDATION,
            () => queue.enqueue_batch([json('1'), deep], 0, null));
        assert(error.message.startsWith('payload 1:'), `the error names the index: ${error}`);
        const rejection = await assertRejectsPgqrs(Pgqrs.Error.VALIDATION,
            queue.enqueue_batch_async([json('1'), deep], 0, null));
        assert(rejection.message.startsWith('payload 1:'), `the error names the index: ${rejection}`);
        assertEqual(store.get_metrics('tasks', null).get_total(), 0);
    },

    async 'release'() {
        const [, queue] = openQueue();
        queue.enqueue(json('1'), null);
        queue.enqueue(json('2'), null);

        const [first, second] = queue.dequeue(2, 30, null);
        assertEqual(queue.release(first, 0, null), true);
        assertEqual(await queue.release_async(second, 0, null), true);
        assertEqual(queue.release(first, 0, null), false, 'released already');

        const again = queue.dequeue(2, 30, null);
        assertEqual(again.map(m => m.get_read_count()), [2, 2]);
        assertEqual(await queue.release_batch_async(again, 3600, null), [true, true]);
        assertEqual(queue.dequeue(2, 30, null).length, 0, 'released with a delay');
    },

    async 'extend visibility'() {
        const [, queue] = openQueue();
        queue.enqueue(json('1'), null);
        queue.enqueue(json('2'), null);
        const messages = queue.dequeue(2, 30, null);

        assertEqual(queue.extend_visibility(messages[0], 60, null), true);
        assertEqual(await queue.extend_visibility_async(messages[1], 60, null), true);
        assertEqual(queue.extend_visibility_batch(messages, 60, null), [true, true]);
        assertEqual(await queue.extend_visibility_batch_async(messages, 60, null), [true, true]);
    },

    async 'delete'() {
        const [store, queue] = openQueue();
        for (let i = 0; i < 3; i++)
            queue.enqueue(json(`${i}`), null);
        const [first, second, third] = queue.dequeue(3, 30, null);

        assertEqual(queue.delete_message(first, null), true);
        assertEqual(queue.delete_message(first, null), false);
        assertEqual(await queue.delete_message_async(second, null), true);
        assertEqual(queue.delete_batch([third], null), [true]);
        assertEqual(await queue.delete_batch_async([third], null), [false]);
        assertEqual(store.get_metrics('tasks', null).get_total(), 0);
    },

    async 'metrics'() {
        const [store, queue] = openQueue();
        const other = store.create_queue('other', null);
        for (const n of [1, 2, 3])
            queue.enqueue(jsonOf(n), null);
        queue.enqueue_delayed(jsonOf(4), 3600, null);
        other.enqueue(jsonOf(5), null);

        const leased = queue.dequeue(2, 30, null);
        queue.archive(leased[0], null);

        let metrics = store.get_metrics('tasks', null);
        assert(metrics instanceof Pgqrs.QueueMetrics);
        assertEqual(metrics.get_queue_name(), 'tasks');
        assertEqual([metrics.get_total(), metrics.get_pending(), metrics.get_delayed(),
            metrics.get_leased(), metrics.get_archived(), metrics.get_dead_lettered()],
        [4, 1, 1, 1, 1, 0]);
        assert(metrics.get_oldest_pending_age() >= 0, 'oldest pending age');
        assertEqual(metrics.total, 4);

        metrics = await store.get_metrics_async('tasks', null);
        assertEqual(metrics.get_leased(), 1);

        const totals = list => Object.fromEntries(
            list.map(m => [m.get_queue_name(), m.get_total()]).sort());
        assertEqual(totals(store.list_metrics(null)), {other: 1, tasks: 4});
        assertEqual(totals(await store.list_metrics_async(null)), {other: 1, tasks: 4});
    },

    async 'dead letters and replay'() {
        const [store, queue] = openQueue('max_read_count=1');
        const id = queue.enqueue(json('"poison"'), null);

        const [message] = queue.dequeue(1, 30, null);
        queue.release(message, 0, null);
        assertEqual(queue.dequeue(1, 30, null).length, 0, 'read too often: dead-lettered');

        const [dead] = store.list_archived('tasks', true, 0, 0, null);
        assertEqual(dead.get_id(), id);
        assertEqual(dead.get_archive_reason(), Pgqrs.ArchiveReason.DEAD_LETTER);

        assertEqual(store.replay(id, null), true);
        assertEqual(await store.replay_async(id, null), false, 'not archived now');
        assertEqual(ids(queue.dequeue(1, 30, null)), [id]);
    },

    async 'bad arguments and cancellation'() {
        const [, queue] = openQueue();
        assertThrowsPgqrs(Pgqrs.Error.VALIDATION, () => queue.dequeue(0, 30, null));
        await assertRejectsPgqrs(Pgqrs.Error.VALIDATION,
            queue.enqueue_delayed_async(json('1'), -5, null));

        const cancellable = new Gio.Cancellable();
        cancellable.cancel();
        try {
            await queue.enqueue_async(json('1'), cancellable);
            throw new Error('a cancelled enqueue succeeded');
        } catch (error) {
            assert(error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED),
                `expected CANCELLED, got ${error}`);
        }
    },

    'idempotency keys'() {
        const [store, queue] = openQueue();
        const first = queue.enqueue_with_key(json('{"order": 1}'), 'order-1', null);
        assertEqual(queue.enqueue_with_key(json('{"order": 1}'), 'order-1', null), first);

        const ids = queue.enqueue_batch_with_keys([json('{}'), json('{}'), json('{}')],
            ['order-1', 'order-2', 'order-2'], null);
        assertEqual(ids[0], first);
        assertEqual(ids[1], ids[2]);
        assert(ids[1] !== first, 'a new key is a new message');
        assertEqual(store.get_metrics('tasks', null).get_total(), 2);

        assertThrowsPgqrs(Pgqrs.Error.VALIDATION, () => queue.enqueue_with_key(json('{}'), '', null));

        store.define_workflow('import', 'tasks', null);
        const run = store.trigger_workflow_with_key('import', json('{}'), 'import-a', null);
        const again = store.trigger_workflow_with_key('import', json('{}'), 'import-a', null);
        assertEqual(again.get_id(), run.get_id());
        assertEqual(store.get_metrics('tasks', null).get_total(), 3);
    },
});
