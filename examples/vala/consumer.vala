/* consumer.vala — a pgqrs consumer as a service runs one, from Vala.
 *
 * The consumer leases messages from "tasks", calls the handler for each and
 * archives the ones it handled. It runs until SIGINT (Ctrl-C) or SIGTERM:
 * then it finishes the jobs in hand and the program ends.
 *
 * The signal handlers are GLib sources on the default main context, so the
 * consumer runs with run_async () on a MainLoop of that context. The
 * blocking consumer.run () iterates a private context instead: while it
 * blocks, no source of the program's context runs, signal sources included.
 *
 * Usage: consumer [DSN]      (default: sqlite://consumer-example.db)
 *
 * SPDX-License-Identifier: MIT
 */

const int N_TASKS = 5;

int main (string[] args) {
    var dsn = args.length > 1 ? args[1] : "sqlite://consumer-example.db";
    var loop = new MainLoop ();
    var handled = 0;
    var status = 0;

    try {
        var store = new Pgqrs.Store (dsn);
        store.install ();
        Pgqrs.Queue queue;
        try {
            queue = store.get_queue ("tasks");
        } catch (Pgqrs.Error.QUEUE_NOT_FOUND e) {
            queue = store.create_queue ("tasks");
        }

        for (var i = 1; i <= N_TASKS; i++)
            queue.enqueue (Json.from_string (@"{\"task\": \"send_email\", \"to\": \"user$i@example.com\"}"));

        var consumer = new Pgqrs.Consumer (queue, "email-sender");
        consumer.set_handler ((job) => {
            var task = job.get_payload ().get_object ();
            print ("sending email #%d to %s\n", ++handled, task.get_string_member ("to"));
            if (handled == N_TASKS)
                print ("all %d sent; waiting for more until SIGINT or SIGTERM\n", N_TASKS);
            return true;
        });

        foreach (var signum in new int[] { ProcessSignal.INT, ProcessSignal.TERM }) {
            Unix.signal_add (signum, () => {
                print ("stopping on a signal\n");
                consumer.stop ();   // graceful: jobs in hand finish
                return Source.CONTINUE;
            });
        }

        consumer.run_async.begin (null, (obj, res) => {
            try {
                consumer.run_async.end (res);
            } catch (GLib.Error e) {
                printerr ("consumer failed: %s\n", e.message);
                status = 1;
            }
            loop.quit ();
        });
        loop.run ();
    } catch (GLib.Error e) {
        printerr ("%s\n", e.message);
        return 1;
    }

    print ("handled %d\n", handled);
    return status == 0 && handled == N_TASKS ? 0 : 1;
}
