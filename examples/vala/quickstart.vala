/* quickstart.vala — the pgqrs job queue from Vala, in one page.
 *
 * Connect to a database, install the pgqrs tables, create a queue, enqueue
 * a job, lease it back as a consumer would, handle it, archive it, and look
 * at the queue's metrics — with the async calls, on the main loop.
 *
 * Usage: quickstart [DSN]      (default: sqlite://quickstart.db)
 *
 * Build: valac --pkg pgqrs-1 --pkg json-glib-1.0 quickstart.vala
 *
 * SPDX-License-Identifier: MIT
 */

async int main (string[] args) {
    var dsn = args.length > 1 ? args[1] : "sqlite://quickstart.db";

    try {
        /* Connect, and create or update the tables: install is idempotent,
         * so applications call it at start-up. */
        var store = (Pgqrs.Store) Object.new (typeof (Pgqrs.Store), dsn: dsn);
        yield store.init_async (Priority.DEFAULT, null);
        yield store.install_async ();

        /* A queue is created once; later runs find it. */
        Pgqrs.Queue queue;
        try {
            queue = yield store.get_queue_async ("tasks");
        } catch (Pgqrs.Error.QUEUE_NOT_FOUND e) {
            queue = yield store.create_queue_async ("tasks");
        }

        /* Produce: any JSON value is a payload. */
        var payload = Json.from_string ("{\"task\": \"send_email\", \"to\": \"user@example.com\"}");
        var id = yield queue.enqueue_async (payload);
        print ("enqueued message %lld\n", id);

        /* Consume: lease up to 10 messages for 30 seconds. If this process
         * died now, they would come back to the queue when the 30 seconds
         * are up. */
        var messages = yield queue.dequeue_async (10, 30);
        foreach (var message in messages) {
            /* … do the work here … */
            print ("handling message %lld (read %u time(s)): %s\n", message.get_id (),
                   message.get_read_count (), Json.to_string (message.get_payload (), false));

            /* Done: archive it. false means the lease ran out and another
             * consumer has the message now. */
            if (!yield queue.archive_async (message))
                print ("lease of message %lld lost; someone else has it\n", message.get_id ());
        }

        var metrics = yield store.get_metrics_async ("tasks");
        print ("queue \"%s\": %lld message(s): %lld pending, %lld leased, %lld archived\n",
               metrics.get_queue_name (), metrics.get_total (), metrics.get_pending (),
               metrics.get_leased (), metrics.get_archived ());
    } catch (Error e) {
        printerr ("quickstart: %s\n", e.message);
        return 1;
    }

    return 0;
}
