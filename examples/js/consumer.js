// SPDX-License-Identifier: MIT
// consumer.js — a pgqrs consumer as a service runs one, from gjs.
//
// The consumer leases messages from "tasks", calls the handler for each and
// archives the ones it handled. It runs until SIGINT (Ctrl-C) or SIGTERM:
// then it finishes the jobs in hand and the program ends.
//
// The signal handlers are GLib sources on the default main context, so the
// consumer runs with run_async() on a GLib.MainLoop of that context. The
// blocking consumer.run() iterates a private context instead: while it
// blocks, no source of the program's context runs, signal sources included.
//
// Usage: gjs -m consumer.js [DSN]      (default: sqlite://consumer-example.db)

import GLib from 'gi://GLib';
import Json from 'gi://Json';
import Pgqrs from 'gi://Pgqrs?version=1';
import System from 'system';

const N_TASKS = 5;
const SIGINT = 2, SIGTERM = 15;
const dsn = ARGV[0] ?? 'sqlite://consumer-example.db';

const store = Pgqrs.Store.new(dsn, null);
store.install(null);
let queue;
try {
    queue = store.get_queue('tasks', null);
} catch (error) {
    if (!error.matches(Pgqrs.Error, Pgqrs.Error.QUEUE_NOT_FOUND))
        throw error;
    queue = store.create_queue('tasks', null);
}

for (let i = 1; i <= N_TASKS; i++) {
    const task = {task: 'send_email', to: `user${i}@example.com`};
    queue.enqueue(Json.from_string(JSON.stringify(task)), null);
}

const consumer = Pgqrs.Consumer.new(queue, 'email-sender');
const loop = new GLib.MainLoop(null, false);
let handled = 0;

consumer.set_handler(job => {
    const task = JSON.parse(Json.to_string(job.get_payload(), false));
    print(`sending email #${++handled} to ${task.to}`);
    if (handled === N_TASKS)
        print(`all ${N_TASKS} sent; waiting for more until SIGINT or SIGTERM`);
    return true;
});

for (const signum of [SIGINT, SIGTERM]) {
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, () => {
        print('stopping on a signal');
        consumer.stop();            // graceful: jobs in hand finish
        return GLib.SOURCE_CONTINUE;
    });
}

let status = 0;
consumer.run_async(null, (source, result) => {
    try {
        consumer.run_finish(result);
    } catch (error) {
        printerr(`consumer failed: ${error.message}`);
        status = 1;
    }
    loop.quit();
});
loop.run();

print(`handled ${handled}`);
System.exit(status === 0 && handled === N_TASKS ? 0 : 1);
