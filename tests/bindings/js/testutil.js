// testutil.js — what the gjs binding tests share: a TAP runner on a main
// loop, a fresh database per test, assertions for pgqrs errors
//
// SPDX-License-Identifier: MIT

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Json from 'gi://Json';
import Pgqrs from 'gi://Pgqrs?version=1';
import System from 'system';

const ASYNC_TIMEOUT_SECONDS = 30;

// Each *_async method becomes promise-returning when called without a
// callback; the callback form keeps working.
Gio._promisify(Pgqrs.Store, 'new_async', 'new_finish');
Gio._promisify(Pgqrs.Store, 'new_for_config_async', 'new_finish');
for (const method of ['install', 'verify', 'create_queue', 'get_queue',
    'list_queues', 'delete_queue', 'purge_queue', 'get_metrics',
    'list_metrics', 'list_archived', 'replay', 'define_workflow',
    'create_workflow', 'trigger_workflow', 'get_workflow_run'])
    Gio._promisify(Pgqrs.Store.prototype, `${method}_async`, `${method}_finish`);
for (const method of ['enqueue', 'enqueue_delayed', 'enqueue_batch', 'enqueue_text',
    'enqueue_batch_text', 'dequeue',
    'archive', 'delete_message', 'release', 'extend_visibility'])
    Gio._promisify(Pgqrs.Queue.prototype, `${method}_async`, `${method}_finish`);
for (const method of ['start', 'complete', 'fail', 'refresh', 'acquire_step', 'run_step', 'wait'])
    Gio._promisify(Pgqrs.Workflow.prototype, `${method}_async`, `${method}_finish`);
for (const method of ['complete', 'fail'])
    Gio._promisify(Pgqrs.Step.prototype, `${method}_async`, `${method}_finish`);
Gio._promisify(Pgqrs.Consumer.prototype, 'run_async', 'run_finish');

// Not these: Gio._promisify takes a result array whose first element is
// true for a (true, out values…) pair and drops that element, which
// mangles the per-message booleans of the batch lease operations. They get
// the same promise form without that.
for (const method of ['archive_batch', 'delete_batch', 'release_batch',
    'extend_visibility_batch']) {
    const original = Pgqrs.Queue.prototype[`${method}_async`];
    Pgqrs.Queue.prototype[`${method}_async`] = function (...args) {
        if (args.length === original.length)
            return original.apply(this, args);
        return new Promise((resolve, reject) => {
            original.call(this, ...args, (source, result) => {
                try {
                    resolve(source[`${method}_finish`](result));
                } catch (error) {
                    reject(error);
                }
            });
        });
    };
}

let sqliteDir = null;
let serial = 0;

export function backendName() {
    return GLib.getenv('PGQRS_TEST_BACKEND') || 'sqlite';
}

// A DSN for a database no other test uses, as test-util.c makes them:
// SQLite gets a file in a temporary folder; any other backend needs
// PGQRS_TEST_DSN, a server to use, and gets a schema of its own there.
export function newDsn(options = null) {
    serial++;
    // SQLite, and the Turso engine, which the library runs: a new file
    if (backendName() === 'sqlite' || backendName() === 'turso') {
        if (!sqliteDir)
            sqliteDir = GLib.Dir.make_tmp('pgqrs-js-XXXXXX');
        const dsn = `${backendName()}://${sqliteDir}/test-${serial}.db`;
        return options ? `${dsn}?${options}` : dsn;
    }

    const base = GLib.getenv('PGQRS_TEST_DSN');
    if (!base)
        throw new Error(`PGQRS_TEST_BACKEND=${backendName()} needs PGQRS_TEST_DSN`);
    const pid = new Gio.Credentials().get_unix_pid();
    const schema = `js${pid}_${serial}`;
    const dsn = /[?&]schema=/.test(base)
        ? base.replace(/([?&]schema=)[^&]*/, `$1${schema}`)
        : `${base}${base.includes('?') ? '&' : '?'}schema=${schema}`;
    return options ? `${dsn}&${options}` : dsn;
}

export function openStore(options = null) {
    const store = Pgqrs.Store.new(newDsn(options), null);
    store.install(null);
    return store;
}

export function json(text) {
    return Json.from_string(text);
}

export function jsonOf(value) {
    return Json.from_string(JSON.stringify(value));
}

export function text(message) {
    return Json.to_string(message.get_payload(), false);
}

export function assert(condition, what = 'assertion failed') {
    if (!condition)
        throw new Error(what);
}

export function assertEqual(actual, expected, what = '') {
    const a = JSON.stringify(actual), e = JSON.stringify(expected);
    if (a !== e)
        throw new Error(`${what ? `${what}: ` : ''}got ${a}, expected ${e}`);
}

function checkPgqrsError(error, code) {
    if (!(error instanceof GLib.Error))
        throw new Error(`expected a GLib.Error, got ${error}`);
    if (!error.matches(Pgqrs.Error, code)) {
        throw new Error(`expected pgqrs error ${code}, got ${error.domain}:${error.code}: ` +
            `${error.message}`);
    }
    assert(error.message.length > 0, 'the error has a message');
}

export function assertThrowsPgqrs(code, func) {
    try {
        func();
    } catch (error) {
        checkPgqrsError(error, code);
        return error;
    }
    throw new Error(`expected pgqrs error ${code}, nothing was thrown`);
}

export async function assertRejectsPgqrs(code, promise) {
    try {
        await promise;
    } catch (error) {
        checkPgqrsError(error, code);
        return error;
    }
    throw new Error(`expected pgqrs error ${code}, the promise resolved`);
}

function withTimeout(promise, name) {
    let id = 0;
    const timeout = new Promise((resolve, reject) => {
        id = GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, ASYNC_TIMEOUT_SECONDS, () => {
            reject(new Error(`${name} did not finish within ${ASYNC_TIMEOUT_SECONDS} s`));
            return GLib.SOURCE_REMOVE;
        });
    });
    return Promise.race([promise, timeout]).finally(() => GLib.Source.remove(id));
}

// The SQLite files of the tests; run() calls it at the end.
export function removeSqliteDir() {
    if (!sqliteDir)
        return;
    const dir = Gio.File.new_for_path(sqliteDir);
    const children = dir.enumerate_children('standard::name', Gio.FileQueryInfoFlags.NONE, null);
    for (let info; (info = children.next_file(null)) !== null;)
        dir.get_child(info.get_name()).delete(null);
    dir.delete(null);
}

// Runs the tests, each a function that may return a promise, one after the
// other on a GLib main loop, and reports them in TAP; exits 1 if any failed.
export function run(tests) {
    const entries = Object.entries(tests);
    const loop = new GLib.MainLoop(null, false);
    let failed = 0;

    print(`1..${entries.length}`);
    (async () => {
        for (const [index, [name, test]] of entries.entries()) {
            try {
                // eslint-disable-next-line no-await-in-loop
                await withTimeout(Promise.resolve().then(test), name);
                print(`ok ${index + 1} - ${name}`);
            } catch (error) {
                failed++;
                print(`not ok ${index + 1} - ${name}`);
                const detail = `${error}\n${error.stack ?? ''}`.trim();
                for (const line of detail.split('\n'))
                    print(`# ${line}`);
            }
        }
    })().finally(() => loop.quit());
    loop.run();

    removeSqliteDir();
    System.exit(failed ? 1 : 0);
}
