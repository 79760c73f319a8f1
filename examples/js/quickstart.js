#!/usr/bin/env -S gjs -m
// quickstart.js — the pgqrs job queue from gjs, in one page.
//
// Connect to a database, install the pgqrs tables, create a queue, enqueue
// a job, lease it back as a consumer would, handle it, archive it, and look
// at the queue's metrics — with the async calls, as a GNOME app would make
// them on its main loop.
//
// Usage: gjs -m quickstart.js [DSN]      (default: sqlite://quickstart.db)
//
// SPDX-License-Identifier: MIT

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Json from 'gi://Json';
import Pgqrs from 'gi://Pgqrs?version=1';
import System from 'system';

// Make the async calls used here return promises.
Gio._promisify(Pgqrs.Store, 'new_async', 'new_finish');
for (const method of ['install', 'get_queue', 'create_queue', 'get_metrics'])
    Gio._promisify(Pgqrs.Store.prototype, `${method}_async`, `${method}_finish`);
for (const method of ['enqueue', 'dequeue', 'archive'])
    Gio._promisify(Pgqrs.Queue.prototype, `${method}_async`, `${method}_finish`);

// Payloads are Json.Node; these convert from and to JavaScript values.
const toJson = value => Json.from_string(JSON.stringify(value));
const fromJson = node => JSON.parse(Json.to_string(node, false));

async function main(dsn) {
    // Connect, and create or update the tables: install is idempotent, so
    // applications call it at start-up. Failures throw a GLib.Error.
    const store = await Pgqrs.Store.new_async(dsn, null);
    await store.install_async(null);

    // A queue is created once; later runs find it.
    let queue;
    try {
        queue = await store.get_queue_async('tasks', null);
    } catch (error) {
        if (!error.matches(Pgqrs.Error, Pgqrs.Error.QUEUE_NOT_FOUND))
            throw error;
        queue = await store.create_queue_async('tasks', null);
    }

    // Produce: any JSON value is a payload.
    const id = await queue.enqueue_async(toJson({task: 'send_email', to: 'user@example.com'}), null);
    print(`enqueued message ${id}`);

    // Consume: lease up to 10 messages for 30 seconds. If this process died
    // now, they would come back to the queue when the 30 seconds are up.
    for (const message of await queue.dequeue_async(10, 30, null)) {
        // ... do the work here ...
        print(`handling message ${message.get_id()} (read ${message.get_read_count()} ` +
              `time(s)): ${JSON.stringify(fromJson(message.get_payload()))}`);

        // Done: archive it. false means the lease ran out and another
        // consumer has the message now.
        if (!await queue.archive_async(message, null))
            print(`lease of message ${message.get_id()} lost; someone else has it`);
    }

    const metrics = await store.get_metrics_async('tasks', null);
    print(`queue "${metrics.get_queue_name()}": ${metrics.get_total()} message(s): ` +
          `${metrics.get_pending()} pending, ${metrics.get_leased()} leased, ` +
          `${metrics.get_archived()} archived`);
}

const loop = new GLib.MainLoop(null, false);
let status = 0;
main(ARGV[0] ?? 'sqlite://quickstart.db')
    .catch(error => {
        printerr(`quickstart: ${error.message}`);
        status = 1;
    })
    .finally(() => loop.quit());
loop.run();
System.exit(status);
