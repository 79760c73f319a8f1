# test_store.py — Pgqrs.Store from Python: connecting, installing, queues
#
# SPDX-License-Identifier: MIT

import pytest

from gi.repository import Pgqrs

from conftest import assert_pgqrs_error, backend_name, call_async


def test_connect_and_install(dsn):
    store = Pgqrs.Store.new(dsn)
    assert isinstance(store, Pgqrs.Store)
    assert store.props.dsn == dsn
    assert store.get_config().get_dsn() == dsn

    with pytest.raises(Exception) as excinfo:
        store.verify()
    assert_pgqrs_error(excinfo, Pgqrs.Error.SCHEMA_MISSING)

    assert store.install() is True
    assert store.install() is True, 'install is idempotent'
    assert store.verify() is True


def test_connect_and_install_async(dsn):
    store = call_async(Pgqrs.Store, 'new', dsn)
    assert isinstance(store, Pgqrs.Store)

    assert call_async(store, 'install') is True
    assert call_async(store, 'verify') is True


def test_connect_for_config(dsn):
    config = Pgqrs.Config.new_from_dsn(dsn)
    config.set_option('max_read_count', '7')

    store = Pgqrs.Store.new_for_config(config)
    assert store.get_config().get_max_read_count() == 7

    store = call_async(Pgqrs.Store, 'new_for_config', config, finish='new')
    assert store.get_config().get_max_read_count() == 7


@pytest.mark.parametrize('bad_dsn', [
    'bogus://nowhere',
    'not a dsn',
    '',
])
def test_bad_dsn(bad_dsn):
    with pytest.raises(Exception) as excinfo:
        Pgqrs.Store.new(bad_dsn)
    assert_pgqrs_error(excinfo, Pgqrs.Error.INVALID_CONFIG)

    with pytest.raises(Exception) as excinfo:
        call_async(Pgqrs.Store, 'new', bad_dsn)
    assert_pgqrs_error(excinfo, Pgqrs.Error.INVALID_CONFIG)

    with pytest.raises(Exception) as excinfo:
        Pgqrs.Config.new_from_dsn(bad_dsn)
    assert_pgqrs_error(excinfo, Pgqrs.Error.INVALID_CONFIG)


def test_bad_option(dsn):
    config = Pgqrs.Config.new_from_dsn(dsn)
    with pytest.raises(Exception) as excinfo:
        config.set_option('max_read_count', 'many')
    assert_pgqrs_error(excinfo, Pgqrs.Error.INVALID_CONFIG)


def test_create_and_get_queue(store):
    queue = store.create_queue('tasks')
    assert isinstance(queue, Pgqrs.Queue)
    assert queue.get_name() == 'tasks'
    assert queue.props.name == 'tasks'
    assert queue.get_id() > 0
    assert queue.get_store() is store
    assert queue.get_created_at() is not None

    again = store.get_queue('tasks')
    assert again.get_id() == queue.get_id()

    other = call_async(store, 'create_queue', 'other')
    assert other.get_name() == 'other'
    assert call_async(store, 'get_queue', 'other').get_id() == other.get_id()

    names = sorted(q.get_name() for q in store.list_queues())
    assert names == ['other', 'tasks']
    names = sorted(q.get_name() for q in call_async(store, 'list_queues'))
    assert names == ['other', 'tasks']


def test_queue_exists(store):
    store.create_queue('tasks')

    with pytest.raises(Exception) as excinfo:
        store.create_queue('tasks')
    assert_pgqrs_error(excinfo, Pgqrs.Error.QUEUE_EXISTS)

    with pytest.raises(Exception) as excinfo:
        call_async(store, 'create_queue', 'tasks')
    assert_pgqrs_error(excinfo, Pgqrs.Error.QUEUE_EXISTS)


@pytest.mark.parametrize('bad_name', ['bad name!', '', 'x' * 1000])
def test_bad_queue_name(store, bad_name):
    with pytest.raises(Exception) as excinfo:
        store.create_queue(bad_name)
    assert_pgqrs_error(excinfo, Pgqrs.Error.VALIDATION)

    with pytest.raises(Exception) as excinfo:
        call_async(store, 'create_queue', bad_name)
    assert_pgqrs_error(excinfo, Pgqrs.Error.VALIDATION)


def test_queue_not_found(store):
    with pytest.raises(Exception) as excinfo:
        store.get_queue('missing')
    assert_pgqrs_error(excinfo, Pgqrs.Error.QUEUE_NOT_FOUND)

    with pytest.raises(Exception) as excinfo:
        call_async(store, 'get_metrics', 'missing')
    assert_pgqrs_error(excinfo, Pgqrs.Error.QUEUE_NOT_FOUND)


def test_delete_and_purge_queue(store):
    queue = store.create_queue('tasks')
    queue.enqueue({'n': 1})
    queue.enqueue({'n': 2})

    with pytest.raises(Exception) as excinfo:
        store.delete_queue('tasks', False)
    assert_pgqrs_error(excinfo, Pgqrs.Error.QUEUE_IN_USE)

    assert store.purge_queue('tasks') == 2
    assert call_async(store, 'purge_queue', 'tasks') == 0
    assert store.delete_queue('tasks', False) is True

    store.create_queue('again').enqueue([1, 2, 3])
    assert call_async(store, 'delete_queue', 'again', True) is True
    assert list(store.list_queues()) == []


def test_worker_stats(store):
    # The snippet of docs/concepts.md, "Workers".
    store.create_queue('emails')
    worker = store.register_worker('mailer-1', 'emails')
    worker.transition(Pgqrs.WorkerStatus.POLLING)

    stats = store.get_worker_stats('emails')
    assert stats.get_queue_name() == 'emails'
    assert (stats.props.polling, stats.props.stale, stats.props.held_messages) == (1, 0, 0)
    assert stats.get_count(Pgqrs.WorkerStatus.POLLING) == 1
    assert stats.props.total == 1

    every = call_async(store, 'list_worker_stats')
    assert [s.get_queue_name() for s in every] == ['emails']

    with pytest.raises(Exception) as excinfo:
        store.get_worker_stats('nope')
    assert_pgqrs_error(excinfo, Pgqrs.Error.QUEUE_NOT_FOUND)


def test_uninitialized_store_fails_cleanly():
    # A GInitable made with GObject.Object.new() and never initialised must
    # give an error, not crash.
    store = Pgqrs.Store(dsn='sqlite::memory:')
    with pytest.raises(Exception) as excinfo:
        store.install()
    assert excinfo.value.domain == 'pgqrs-error-quark'


def test_backend_in_use(store):
    # The suite runs once per backend; make sure it is the one asked for.
    kinds = {'sqlite': Pgqrs.BackendKind.SQLITE,
             'postgres': Pgqrs.BackendKind.POSTGRES,
             'turso': Pgqrs.BackendKind.TURSO}
    assert store.get_config().get_backend_kind() == kinds[backend_name()]
