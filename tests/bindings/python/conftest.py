# conftest.py — shared fixtures of the Python binding tests
#
# SPDX-License-Identifier: MIT
#
# The tests run against the build tree: meson sets GI_TYPELIB_PATH and
# LD_LIBRARY_PATH to the built library and PYTHONPATH to a folder whose
# gi/overrides/ holds the uninstalled Pgqrs.py.

import itertools
import os
import re
import threading

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Json', '1.0')
gi.require_version('Pgqrs', '1')

import gi.overrides  # noqa: E402

# PyGObject looks in its own gi/overrides first; an installed Pgqrs.py there
# must not shadow the one under test.
for _path in os.environ.get('PYTHONPATH', '').split(os.pathsep):
    _overrides = os.path.join(_path, 'gi', 'overrides')
    if os.path.exists(os.path.join(_overrides, 'Pgqrs.py')):
        gi.overrides.__path__.insert(0, _overrides)
        break

from gi.repository import GLib, Pgqrs  # noqa: E402

import pytest  # noqa: E402

ASYNC_TIMEOUT_SECONDS = 30

_serial = itertools.count(1)


def backend_name():
    return os.environ.get('PGQRS_TEST_BACKEND') or 'sqlite'


def new_dsn(tmp_path, options=None):
    """A DSN for a database no other test uses, as test-util.c makes them.

    SQLite gets a file in the test's temporary folder. PostgreSQL needs
    PGQRS_TEST_DSN, the fresh database pgqrs-test-env made: each test gets a
    schema of its own next to the one it names.
    """
    backend = backend_name()
    serial = next(_serial)

    if backend == 'sqlite':
        dsn = 'sqlite://{}'.format(tmp_path / 'test-{}.db'.format(serial))
        return dsn + ('?' + options if options else '')

    # the Turso engine on a new file, which the library runs
    if backend == 'turso':
        dsn = 'turso://{}'.format(tmp_path / 'test-{}.db'.format(serial))
        return dsn + ('?' + options if options else '')

    base = os.environ.get('PGQRS_TEST_DSN')
    if not base:
        pytest.fail('PGQRS_TEST_BACKEND={} needs PGQRS_TEST_DSN'.format(backend))
    schema = 'py{}_{}'.format(os.getpid(), serial)
    if re.search(r'[?&]schema=', base):
        dsn = re.sub(r'([?&]schema=)[^&]*', r'\g<1>' + schema, base)
    else:
        dsn = '{}{}schema={}'.format(base, '&' if '?' in base else '?', schema)
    return dsn + ('&' + options if options else '')


@pytest.fixture
def dsn(tmp_path):
    return new_dsn(tmp_path)


@pytest.fixture
def store(dsn):
    store = Pgqrs.Store.new(dsn, None)
    store.install(None)
    return store


@pytest.fixture
def queue(store):
    return store.create_queue('tasks', None)


def call_async(source, name, *args, finish=None):
    """Run source.<name>_async(*args, None, callback) and return the result
    of source.<finish or name>_finish(), on a main loop of this thread. The
    callback must come back on this thread, and within
    ASYNC_TIMEOUT_SECONDS."""
    loop = GLib.MainLoop()
    results = []

    def done(obj, result, *user_data):
        assert threading.current_thread() is threading.main_thread()
        results.append(result)
        loop.quit()

    def timed_out():
        loop.quit()
        return GLib.SOURCE_REMOVE

    timeout = GLib.timeout_add_seconds(ASYNC_TIMEOUT_SECONDS, timed_out)
    getattr(source, name + '_async')(*args, None, done)
    loop.run()
    if not results:
        pytest.fail('{}_async did not call back within {} s'.format(
            name, ASYNC_TIMEOUT_SECONDS))
    GLib.source_remove(timeout)
    return getattr(source, (finish or name) + '_finish')(results[0])


def assert_pgqrs_error(excinfo, code):
    error = excinfo.value
    assert isinstance(error, GLib.Error)
    assert error.matches(Pgqrs.error_quark(), code), \
        '{} ({}), expected {}'.format(error.message, error.code, code)
    assert error.message
