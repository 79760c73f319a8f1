// test-store.js — Pgqrs.Store from gjs: connecting, installing, queues
//
// SPDX-License-Identifier: MIT

import Pgqrs from 'gi://Pgqrs?version=1';

import {
    assert, assertEqual, assertRejectsPgqrs, assertThrowsPgqrs, backendName, jsonOf, newDsn,
    openStore, run,
} from './testutil.js';

const names = queues => queues.map(q => q.get_name()).sort();

run({
    'the backend is the one asked for'() {
        const kinds = {
            sqlite: Pgqrs.BackendKind.SQLITE,
            postgres: Pgqrs.BackendKind.POSTGRES,
            turso: Pgqrs.BackendKind.TURSO,
        };
        assertEqual(openStore().get_config().get_backend_kind(), kinds[backendName()]);
    },

    'connect and install'() {
        const dsn = newDsn();
        const store = Pgqrs.Store.new(dsn, null);
        assert(store instanceof Pgqrs.Store);
        assertEqual(store.dsn, dsn);
        assertEqual(store.get_config().get_dsn(), dsn);

        assertThrowsPgqrs(Pgqrs.Error.SCHEMA_MISSING, () => store.verify(null));
        assertEqual(store.install(null), true);
        assertEqual(store.install(null), true, 'install is idempotent');
        assertEqual(store.verify(null), true);
    },

    async 'connect and install, async'() {
        const store = await Pgqrs.Store.new_async(newDsn(), null);
        assert(store instanceof Pgqrs.Store);
        assertEqual(await store.install_async(null), true);
        assertEqual(await store.verify_async(null), true);
    },

    async 'connect for a config'() {
        const config = Pgqrs.Config.new_from_dsn(newDsn());
        config.set_option('max_read_count', '7');

        let store = Pgqrs.Store.new_for_config(config, null);
        assertEqual(store.get_config().get_max_read_count(), 7);
        store = await Pgqrs.Store.new_for_config_async(config, null);
        assertEqual(store.get_config().get_max_read_count(), 7);
    },

    async 'a bad DSN is INVALID_CONFIG'() {
        for (const dsn of ['bogus://nowhere', 'not a dsn', '']) {
            assertThrowsPgqrs(Pgqrs.Error.INVALID_CONFIG, () => Pgqrs.Store.new(dsn, null));
            assertThrowsPgqrs(Pgqrs.Error.INVALID_CONFIG, () => Pgqrs.Config.new_from_dsn(dsn));
            // eslint-disable-next-line no-await-in-loop
            await assertRejectsPgqrs(Pgqrs.Error.INVALID_CONFIG, Pgqrs.Store.new_async(dsn, null));
        }
    },

    'a bad option is INVALID_CONFIG'() {
        const config = Pgqrs.Config.new_from_dsn(newDsn());
        assertThrowsPgqrs(Pgqrs.Error.INVALID_CONFIG,
            () => config.set_option('max_read_count', 'many'));
    },

    async 'create and get queues'() {
        const store = openStore();
        const queue = store.create_queue('tasks', null);
        assert(queue instanceof Pgqrs.Queue);
        assertEqual(queue.get_name(), 'tasks');
        assertEqual(queue.name, 'tasks');
        assert(queue.get_id() > 0, 'the queue has an id');
        assert(queue.get_store() === store, 'the queue knows its store');
        assert(queue.get_created_at() !== null, 'the queue has a creation time');
        assertEqual(store.get_queue('tasks', null).get_id(), queue.get_id());

        const other = await store.create_queue_async('other', null);
        assertEqual((await store.get_queue_async('other', null)).get_id(), other.get_id());

        assertEqual(names(store.list_queues(null)), ['other', 'tasks']);
        assertEqual(names(await store.list_queues_async(null)), ['other', 'tasks']);
    },

    async 'an existing queue is QUEUE_EXISTS'() {
        const store = openStore();
        store.create_queue('tasks', null);
        assertThrowsPgqrs(Pgqrs.Error.QUEUE_EXISTS, () => store.create_queue('tasks', null));
        await assertRejectsPgqrs(Pgqrs.Error.QUEUE_EXISTS, store.create_queue_async('tasks', null));
    },

    async 'a bad queue name is VALIDATION'() {
        const store = openStore();
        for (const name of ['bad name!', '', 'x'.repeat(1000)]) {
            assertThrowsPgqrs(Pgqrs.Error.VALIDATION, () => store.create_queue(name, null));
            // eslint-disable-next-line no-await-in-loop
            await assertRejectsPgqrs(Pgqrs.Error.VALIDATION, store.create_queue_async(name, null));
        }
    },

    async 'a missing queue is QUEUE_NOT_FOUND'() {
        const store = openStore();
        assertThrowsPgqrs(Pgqrs.Error.QUEUE_NOT_FOUND, () => store.get_queue('missing', null));
        await assertRejectsPgqrs(Pgqrs.Error.QUEUE_NOT_FOUND,
            store.get_metrics_async('missing', null));
    },

    async 'delete and purge queues'() {
        const store = openStore();
        const queue = store.create_queue('tasks', null);
        queue.enqueue(jsonOf({n: 1}), null);
        queue.enqueue(jsonOf({n: 2}), null);

        assertThrowsPgqrs(Pgqrs.Error.QUEUE_IN_USE, () => store.delete_queue('tasks', false, null));
        assertEqual(store.purge_queue('tasks', null), 2);
        assertEqual(await store.purge_queue_async('tasks', null), 0);
        assertEqual(store.delete_queue('tasks', false, null), true);

        store.create_queue('again', null).enqueue(jsonOf([1, 2, 3]), null);
        assertEqual(await store.delete_queue_async('again', true, null), true);
        assertEqual(store.list_queues(null).length, 0);
    },
});
