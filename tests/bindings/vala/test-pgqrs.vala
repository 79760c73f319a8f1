/* test-pgqrs.vala — pgqrs from Vala: the store, queues, a consumer and a
 * durable workflow, with blocking and async calls, on the backend that
 * pgqrs-test-env chose (PGQRS_TEST_BACKEND, PGQRS_TEST_DSN).
 *
 * SPDX-License-Identifier: MIT
 */

static int serial = 0;

/* A DSN for a database no other test uses: a new file next to the one
 * pgqrs-test-env made, or a schema of its own on the same server. */
static string new_dsn (string? options = null) {
    var base_dsn = Environment.get_variable ("PGQRS_TEST_DSN");
    if (base_dsn == null)
        error ("PGQRS_TEST_DSN is not set: run this through pgqrs-test-env");

    serial++;
    string dsn;
    /* SQLite, and the Turso engine (turso:///path), which the library runs */
    foreach (var scheme in new string[] { "sqlite", "turso" }) {
        if (base_dsn.has_prefix (scheme + "://")) {
            var dir = Path.get_dirname (base_dsn.substring (scheme.length + 3).split ("?")[0]);
            dsn = "%s://%s/vala-%d.db".printf (scheme, dir, serial);
            return options != null ? dsn + "?" + options : dsn;
        }
    }

    var schema = "vala%d_%d".printf ((int) Posix.getpid (), serial);
    try {
        var pattern = new Regex ("([?&]schema=)[^&]*");
        if (pattern.match (base_dsn))
            dsn = pattern.replace (base_dsn, -1, 0, "\\g<1>" + schema);
        else
            dsn = base_dsn + (base_dsn.contains ("?") ? "&" : "?") + "schema=" + schema;
    } catch (RegexError e) {
        error ("%s", e.message);
    }
    return options != null ? dsn + "&" + options : dsn;
}

static Pgqrs.Store open_store (string? options = null) {
    try {
        var store = new Pgqrs.Store (new_dsn (options));
        store.install ();
        return store;
    } catch (Error e) {
        error ("cannot open a store: %s", e.message);
    }
}

static Json.Node json (string text) {
    try {
        return Json.from_string (text);
    } catch (Error e) {
        error ("bad JSON in the test: %s", e.message);
    }
}

static string text (Json.Node? node) {
    return node == null ? "NULL" : Json.to_string (node, false);
}

static void unexpected (Error e) {
    error ("unexpected error: %s (%s, %d)", e.message, e.domain.to_string (), e.code);
}

/* Runs an async test on a main loop of its own; the test reports errors
 * through the GError of its .end (). */
delegate void AsyncBegin (AsyncReadyCallback done);
delegate void AsyncEnd (AsyncResult result) throws Error;

static void run_on_loop (AsyncBegin begin, AsyncEnd end) {
    var loop = new MainLoop ();
    Error? failure = null;
    var timeout = Timeout.add_seconds (30, () => {
        error ("the async test did not finish within 30 s");
    });
    begin ((obj, result) => {
        try {
            end (result);
        } catch (Error e) {
            failure = e;
        }
        loop.quit ();
    });
    loop.run ();
    Source.remove (timeout);
    if (failure != null)
        unexpected (failure);
}

/* connect, install, errors */

static void test_connect_and_install () {
    try {
        var store = new Pgqrs.Store (new_dsn ());
        try {
            store.verify ();
            assert_not_reached ();
        } catch (Pgqrs.Error.SCHEMA_MISSING e) {
            assert (e.message.length > 0);
        }
        assert (store.install ());
        assert (store.install ());
        assert (store.verify ());

        var backend = Environment.get_variable ("PGQRS_TEST_BACKEND");
        var expected = backend == "postgres" ? Pgqrs.BackendKind.POSTGRES
                     : backend == "turso" ? Pgqrs.BackendKind.TURSO : Pgqrs.BackendKind.SQLITE;
        assert (store.get_config ().get_backend_kind () == expected);
    } catch (Error e) {
        unexpected (e);
    }
}

static async void connect_and_install_async () throws Error {
    var store = (Pgqrs.Store) Object.new (typeof (Pgqrs.Store), dsn: new_dsn ());
    yield store.init_async (Priority.DEFAULT, null);
    assert (yield store.install_async ());
    assert (yield store.verify_async ());
}

static void test_connect_and_install_async () {
    run_on_loop ((done) => connect_and_install_async.begin (done),
                 (result) => connect_and_install_async.end (result));
}

static async void bad_dsn_async (string dsn) throws Error {
    var store = (Pgqrs.Store) Object.new (typeof (Pgqrs.Store), dsn: dsn);
    yield store.init_async (Priority.DEFAULT, null);
}

static void test_bad_dsn () {
    string[] dsns = { "bogus://nowhere", "not a dsn", "" };
    foreach (var dsn in dsns) {
        try {
            new Pgqrs.Store (dsn);
            assert_not_reached ();
        } catch (Pgqrs.Error.INVALID_CONFIG e) {
            assert (e.domain == Pgqrs.Error.quark ());
            assert (e.message.length > 0);
        } catch (Error e) {
            unexpected (e);
        }

        var loop = new MainLoop ();
        Error? failure = null;
        bad_dsn_async.begin (dsn, (obj, result) => {
            try {
                bad_dsn_async.end (result);
            } catch (Error e) {
                failure = e;
            }
            loop.quit ();
        });
        loop.run ();
        assert (failure is Pgqrs.Error.INVALID_CONFIG);
    }
}

static void test_queue_errors () {
    var store = open_store ();
    try {
        store.create_queue ("tasks");
        store.create_queue ("tasks");
        assert_not_reached ();
    } catch (Pgqrs.Error.QUEUE_EXISTS e) {
    } catch (Error e) {
        unexpected (e);
    }
    try {
        store.get_queue ("missing");
        assert_not_reached ();
    } catch (Pgqrs.Error.QUEUE_NOT_FOUND e) {
    } catch (Error e) {
        unexpected (e);
    }
    try {
        store.create_queue ("bad name!");
        assert_not_reached ();
    } catch (Pgqrs.Error.VALIDATION e) {
    } catch (Error e) {
        unexpected (e);
    }
}

/* queues */

static void test_idempotency_keys () {
    var store = open_store ();
    try {
        var queue = store.create_queue ("orders");
        var first = queue.enqueue_with_key (json ("{\"order\": 1}"), "order-1");
        assert (queue.enqueue_with_key (json ("{\"order\": 1}"), "order-1") == first);

        var payloads = new GenericArray<Json.Node> ();
        payloads.add (json ("1"));
        payloads.add (json ("2"));
        var ids = queue.enqueue_batch_with_keys (payloads, { "order-1", "order-2" });
        assert (ids.length == 2);
        assert (ids.index (0) == first && ids.index (1) != first);
        assert (store.get_metrics ("orders").get_total () == 2);

        store.define_workflow ("import", "orders");
        var run = store.trigger_workflow_with_key ("import", json ("{}"), "import-a");
        var again = store.trigger_workflow_with_key ("import", json ("{}"), "import-a");
        assert (again.get_id () == run.get_id ());
        assert (store.get_metrics ("orders").get_total () == 3);
    } catch (GLib.Error e) {
        error ("%s", e.message);
    }
}

static void test_queue () {
    var store = open_store ();
    try {
        var queue = store.create_queue ("tasks");
        assert (queue.get_name () == "tasks");
        assert (store.get_queue ("tasks").get_id () == queue.get_id ());

        var id = queue.enqueue (json ("{\"task\": \"send_email\"}"));
        assert (id > 0);

        var payloads = new GenericArray<Json.Node> ();
        payloads.add (json ("1"));
        payloads.add (json ("\"two\""));
        payloads.add (json ("{\"n\": 3}"));
        var ids = queue.enqueue_batch (payloads, 0);
        assert (ids.length == 3);
        assert (ids.index (0) > id && ids.index (1) > ids.index (0) && ids.index (2) > ids.index (1));

        var messages = queue.dequeue (10, 30);
        assert (messages.length == 4);
        assert (messages[0].get_id () == id);
        assert (text (messages[0].get_payload ()) == "{\"task\":\"send_email\"}");
        assert (text (messages[3].get_payload ()) == "{\"n\":3}");
        assert (messages[0].get_read_count () == 1);
        assert (queue.dequeue (10, 30).length == 0);

        assert (queue.archive (messages[0]));
        assert (!queue.archive (messages[0]));

        var rest = new GenericArray<Pgqrs.Message> ();
        for (var i = 1; i < messages.length; i++)
            rest.add (messages[i]);
        var archived = queue.archive_batch (rest);
        assert (archived.length == 3);
        for (var i = 0; i < 3; i++)
            assert (archived.index (i));

        var metrics = store.get_metrics ("tasks");
        assert (metrics.get_total () == 4);
        assert (metrics.get_archived () == 4);
        assert (store.list_archived ("tasks", false, 0, 0).length == 4);
    } catch (Error e) {
        unexpected (e);
    }
}

static async void queue_async () throws Error {
    var store = new Pgqrs.Store (new_dsn ());
    yield store.install_async ();
    var queue = yield store.create_queue_async ("tasks");
    assert ((yield store.get_queue_async ("tasks")).get_id () == queue.get_id ());

    var id = yield queue.enqueue_async (json ("[1, 2]"));
    var payloads = new GenericArray<Json.Node> ();
    payloads.add (json ("3"));
    payloads.add (json ("4"));
    var ids = yield queue.enqueue_batch_async (payloads, 0);
    assert (ids.length == 2);

    var messages = yield queue.dequeue_async (10, 30);
    assert (messages.length == 3);
    assert (messages[0].get_id () == id);
    assert (text (messages[0].get_payload ()) == "[1,2]");

    assert (yield queue.archive_async (messages[0]));
    assert (!(yield queue.archive_async (messages[0])));

    var rest = new GenericArray<Pgqrs.Message> ();
    rest.add (messages[1]);
    rest.add (messages[2]);
    var archived = yield queue.archive_batch_async (rest);
    assert (archived.length == 2 && archived.index (0) && archived.index (1));

    try {
        yield queue.enqueue_delayed_async (json ("1"), -5);
        assert_not_reached ();
    } catch (Pgqrs.Error.VALIDATION e) {
    }

    var metrics = yield store.get_metrics_async ("tasks");
    assert (metrics.get_archived () == 3);
}

static void test_queue_async () {
    run_on_loop ((done) => queue_async.begin (done), (result) => queue_async.end (result));
}

/* a consumer with a Vala handler */

/* a Vala handler that finishes its jobs later, from the main loop */

static void test_consumer_deferred () {
    var store = open_store ();
    try {
        var queue = store.create_queue ("tasks");
        for (var n = 0; n < 4; n++)
            queue.enqueue (json ("%d".printf (n)));

        var consumer = new Pgqrs.Consumer (queue, "vala-deferred");
        consumer.poll_interval = 0.2;
        var finished = 0;

        consumer.set_handler ((job) => {
            job.defer ();
            /* the lease is the consumer's until the job is finished */
            try {
                assert (store.get_metrics ("tasks").get_leased () >= 1);
            } catch (Error e) {
                unexpected (e);
            }
            Timeout.add (20, () => {
                job.complete ();
                if (++finished == 4)
                    consumer.stop ();
                return Source.REMOVE;
            });
            return false;   /* ignored: the job was deferred */
        });

        var loop = new MainLoop ();
        consumer.run_async.begin (null, (obj, result) => {
            try {
                assert (consumer.run_async.end (result));
            } catch (Error e) {
                unexpected (e);
            }
            loop.quit ();
        });
        var timeout = Timeout.add_seconds (30, () => {
            error ("the consumer did not finish within 30 s");
        });
        loop.run ();
        Source.remove (timeout);

        assert (finished == 4);
        assert (consumer.get_processed_count () == 4);
        assert (consumer.get_failed_count () == 0);
        assert (store.get_metrics ("tasks").get_archived () == 4);
    } catch (Error e) {
        unexpected (e);
    }
}

static void test_consumer () {
    var store = open_store ();
    try {
        var queue = store.create_queue ("tasks");
        for (var n = 0; n < 5; n++)
            queue.enqueue (json ("{\"n\": %d}".printf (n)));

        var consumer = new Pgqrs.Consumer (queue, "vala-consumer");
        consumer.poll_interval = 0.2;
        consumer.retry_policy = new Pgqrs.RetryPolicy.fixed (3, 0.1);
        var seen = new GenericArray<string> ();
        var failed_once = false;

        consumer.set_handler ((job) => {
            var payload = text (job.get_payload ());
            if (payload == "{\"n\":2}" && !failed_once) {
                failed_once = true;
                job.fail ("the first attempt fails");
                return false;
            }
            seen.add ("%s@%u".printf (payload, job.get_attempt ()));
            if (seen.length == 5)
                consumer.stop ();
            return true;
        });

        var loop = new MainLoop ();
        consumer.run_async.begin (null, (obj, result) => {
            try {
                assert (consumer.run_async.end (result));
            } catch (Error e) {
                unexpected (e);
            }
            loop.quit ();
        });
        var timeout = Timeout.add_seconds (30, () => {
            error ("the consumer did not finish within 30 s");
        });
        loop.run ();
        Source.remove (timeout);

        assert (seen.length == 5);
        assert (seen.find_with_equal_func ("{\"n\":2}@2", str_equal));
        assert (consumer.get_processed_count () == 5);
        assert (consumer.get_failed_count () == 1);
        assert (consumer.get_worker ().get_status () == Pgqrs.WorkerStatus.STOPPED);
        assert (store.get_metrics ("tasks").get_archived () == 5);
    } catch (Error e) {
        unexpected (e);
    }
}

/* a durable workflow with Vala steps */

class Pipeline : Object {
    public int fetched = 0;
    public int transformed = 0;
    public int saved = 0;

    public Json.Node? execute (Pgqrs.Workflow run, bool crash_after_transform) throws Error {
        run.start ();
        var raw = run.run_step ("fetch", (step) => {
            fetched++;
            return json ("\"id,amount\\n1,10\\n2,20\\n3,30\"");
        });
        var rows = run.run_step ("transform", (step) => {
            transformed++;
            var lines = raw.get_string ().split ("\n");
            return json ("%d".printf (lines.length - 1));
        });
        if (crash_after_transform)
            return null;
        var result = run.run_step ("save", (step) => {
            saved++;
            return json ("{\"saved\": %s}".printf (text (rows)));
        });
        run.complete (result);
        return result;
    }
}

static void test_workflow_replay () {
    var store = open_store ();
    try {
        var pipeline = new Pipeline ();
        var run = store.create_workflow ("data_pipeline", json ("{\"url\": \"https://example.com/data.csv\"}"));
        assert (run.get_status () == Pgqrs.RunStatus.QUEUED);
        assert (pipeline.execute (run, true) == null);
        assert (pipeline.fetched == 1 && pipeline.transformed == 1 && pipeline.saved == 0);

        /* as after a crash: found in the store, executed again */
        var again = store.get_workflow_run (run.get_id ());
        assert (again.get_status () == Pgqrs.RunStatus.RUNNING);
        var output = pipeline.execute (again, false);
        assert (text (output) == "{\"saved\":3}");
        assert (pipeline.fetched == 1 && pipeline.transformed == 1 && pipeline.saved == 1);

        var done = store.get_workflow_run (run.get_id ());
        assert (done.get_status () == Pgqrs.RunStatus.SUCCESS);
        assert (text (done.get_output ()) == "{\"saved\":3}");
    } catch (Error e) {
        unexpected (e);
    }
}

static void test_workflow_failure () {
    var store = open_store ();
    try {
        var run = store.create_workflow ("flaky", json ("{}"));
        run.set_retry_policy (new Pgqrs.RetryPolicy.fixed (1, 0.05));
        run.start ();
        var calls = 0;
        Pgqrs.StepFunc flaky = (step) => {
            calls++;
            step.set_error ("the service is down", true);
            return null;
        };
        try {
            run.run_step ("fetch", flaky);
            assert_not_reached ();
        } catch (Pgqrs.Error.STEP_NOT_READY e) {
        }
        Thread.usleep (100 * 1000);
        try {
            run.run_step ("fetch", flaky);
            assert_not_reached ();
        } catch (Pgqrs.Error.RETRIES_EXHAUSTED e) {
        }
        assert (calls == 2);
        assert (run.get_status () == Pgqrs.RunStatus.ERROR);
    } catch (Error e) {
        unexpected (e);
    }
}

static async void workflow_async () throws Error {
    var store = new Pgqrs.Store (new_dsn ());
    yield store.install_async ();
    var run = yield store.create_workflow_async ("async_pipeline", json ("{\"n\": 2}"));
    assert (yield run.start_async ());

    var bodies = 0;
    for (var execution = 0; execution < 2; execution++) {
        var step = yield run.acquire_step_async ("double");
        if (step.is_cached ()) {
            assert (execution == 1);
            assert (text (step.get_output ()) == "{\"n\":4}");
        } else {
            bodies++;
            var n = run.get_input ().get_object ().get_int_member ("n");
            assert (yield step.complete_async (json ("{\"n\": %lld}".printf (n * 2))));
        }
    }
    assert (bodies == 1);

    assert (yield run.complete_async (json ("{\"n\": 4}")));
    assert (text (yield run.wait_async (5)) == "{\"n\":4}");
    assert (yield run.refresh_async ());
    assert (run.get_status () == Pgqrs.RunStatus.SUCCESS);
}

static void test_workflow_async () {
    run_on_loop ((done) => workflow_async.begin (done), (result) => workflow_async.end (result));
}

/* run_step_async with a Vala body that defers and resolves from the loop */
static async void deferred_steps_async () throws Error {
    var store = new Pgqrs.Store (new_dsn ());
    yield store.install_async ();
    var run = yield store.create_workflow_async ("awaiting", json ("{\"n\": 3}"));
    assert (yield run.start_async ());

    var bodies = 0;
    for (var execution = 0; execution < 2; execution++) {
        var again = yield store.get_workflow_run_async (run.get_id ());
        if (execution > 0)
            assert (yield again.start_async ());
        var output = yield again.run_step_async ("triple", (step) => {
            bodies++;
            step.defer ();
            Timeout.add (10, () => {
                step.resolve (json ("{\"tripled\": 9}"));
                return Source.REMOVE;
            });
            return null;
        });
        assert (text (output) == "{\"tripled\":9}");
    }
    assert (bodies == 1);
}

static void test_workflow_deferred () {
    run_on_loop ((done) => deferred_steps_async.begin (done),
                 (result) => deferred_steps_async.end (result));
}

int main (string[] args) {
    Test.init (ref args);
    Test.add_func ("/vala/store/connect-and-install", test_connect_and_install);
    Test.add_func ("/vala/store/connect-and-install-async", test_connect_and_install_async);
    Test.add_func ("/vala/store/bad-dsn", test_bad_dsn);
    Test.add_func ("/vala/queue/idempotency-keys", test_idempotency_keys);
    Test.add_func ("/vala/store/queue-errors", test_queue_errors);
    Test.add_func ("/vala/queue/sync", test_queue);
    Test.add_func ("/vala/queue/async", test_queue_async);
    Test.add_func ("/vala/consumer/handler", test_consumer);
    Test.add_func ("/vala/consumer/deferred", test_consumer_deferred);
    Test.add_func ("/vala/workflow/replay", test_workflow_replay);
    Test.add_func ("/vala/workflow/failure", test_workflow_failure);
    Test.add_func ("/vala/workflow/async", test_workflow_async);
    Test.add_func ("/vala/workflow/deferred-steps", test_workflow_deferred);
    return Test.run ();
}
