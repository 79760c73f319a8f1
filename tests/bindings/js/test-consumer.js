// test-consumer.js — a Pgqrs.Consumer running handlers written in JavaScript
//
// SPDX-License-Identifier: MIT

import GLib from 'gi://GLib';
import Json from 'gi://Json';
import Pgqrs from 'gi://Pgqrs?version=1';

import {assert, assertEqual, jsonOf, openStore, run} from './testutil.js';

function openQueue() {
    const store = openStore();
    return [store, store.create_queue('tasks', null)];
}

function newConsumer(queue, name = 'js-consumer') {
    const consumer = Pgqrs.Consumer.new(queue, name);
    // The handlers stop the consumer; the poll interval is only the fallback
    // if a wakeup were lost, short so that it shows as slow, not hung.
    consumer.poll_interval = 0.2;
    return consumer;
}

run({
    async 'a handler archives on success'() {
        const [store, queue] = openQueue();
        const ids = [0, 1, 2, 3, 4].map(n => queue.enqueue(jsonOf({n}), null));
        const consumer = newConsumer(queue);
        const seen = [];

        consumer.set_handler(job => {
            assert(job instanceof Pgqrs.Job, 'the handler gets a job');
            const messages = job.get_messages();
            assertEqual(messages.length, 1);
            seen.push([job.get_message().get_id(),
                messageData(job),
                job.get_attempt()]);
            if (seen.length === ids.length)
                consumer.stop();
            return true;
        });
        assertEqual(await consumer.run_async(null), true);

        assertEqual(seen, ids.map((id, n) => [id, {n}, 1]));
        assertEqual(consumer.get_processed_count(), 5);
        assertEqual(consumer.get_failed_count(), 0);
        assertEqual(consumer.is_running(), false);
        assertEqual(consumer.get_worker().get_status(), Pgqrs.WorkerStatus.STOPPED);

        const metrics = store.get_metrics('tasks', null);
        assertEqual([metrics.get_archived(), metrics.get_pending(), metrics.get_leased()],
            [5, 0, 0]);
    },

    async 'a failing handler is retried'() {
        const [store, queue] = openQueue();
        queue.enqueue(jsonOf({flaky: true}), null);
        const consumer = newConsumer(queue);
        consumer.retry_policy = Pgqrs.RetryPolicy.new_fixed(3, 0.1);
        const attempts = [];

        consumer.set_handler(job => {
            attempts.push(job.get_attempt());
            if (job.get_attempt() === 1)
                return false;
            if (job.get_attempt() === 2) {
                job.fail('the service is down');
                return false;
            }
            consumer.stop();
            return true;
        });
        assertEqual(await consumer.run_async(null), true);

        assertEqual(attempts, [1, 2, 3]);
        assertEqual(consumer.get_failed_count(), 2);
        assertEqual(consumer.get_processed_count(), 1);
        assertEqual(store.get_metrics('tasks', null).get_archived(), 1);
    },

    'the blocking run, with a deferred batch job'() {
        const [store, queue] = openQueue();
        for (const n of [1, 2, 3])
            queue.enqueue(jsonOf(n), null);
        const consumer = newConsumer(queue);
        consumer.batch_size = 3;
        const seen = [];

        consumer.set_handler(job => {
            seen.push(...job.get_messages().map(messageData));
            job.defer();
            // run() makes a main context of its own the thread default.
            const idle = GLib.idle_source_new();
            idle.set_callback(() => {
                job.complete();
                if (seen.length === 3)
                    consumer.stop();
                return GLib.SOURCE_REMOVE;
            });
            idle.attach(GLib.MainContext.ref_thread_default());
            return true;
        });
        assertEqual(consumer.run(null), true);

        assertEqual(seen.sort(), [1, 2, 3]);
        assertEqual(store.get_metrics('tasks', null).get_archived(), 3);
    },
});

function messageData(jobOrMessage) {
    const payload = jobOrMessage.get_payload();
    return JSON.parse(Json.to_string(payload, false));
}
