# _bridge.py — the library's asynchronous calls, awaited from asyncio
#
# SPDX-License-Identifier: MIT
#
# The library runs its asynchronous calls on a GLib main context; asyncio
# runs its own loop. Rather than replace the asyncio loop by one that runs on
# GLib (python3-gbulb), pgqrs keeps a private GLib main context iterated on
# a thread of its own, started at the first call: every call of the library
# begins and ends there, and its result is handed to the awaiting asyncio
# loop with call_soon_threadsafe(). docs/design.md says why.
#
# While the GLib thread waits in poll() or in the library's C code it holds
# no GIL, so the asyncio loop runs on undisturbed.

import asyncio
import threading

from ._gi import Gio, GLib
from . import _errors


class _GLibThread:
    """A GLib main context and the thread that iterates it."""

    def __init__(self):
        self.context = GLib.MainContext.new()
        self._loop = GLib.MainLoop.new(self.context, False)
        self._started = threading.Event()
        self.thread = threading.Thread(target=self._run, name='pgqrs-glib',
                                       daemon=True)
        self.thread.start()
        self._started.wait()

    def _run(self):
        self.context.push_thread_default()
        self._started.set()
        self._loop.run()

    def invoke(self, func, *args):
        """Call func(*args) on the GLib thread, soon (now if on it)."""
        def call(*_):
            func(*args)
            return GLib.SOURCE_REMOVE

        if threading.current_thread() is self.thread:
            func(*args)
        else:
            self.context.invoke_full(GLib.PRIORITY_DEFAULT, call)


_glib = None
_glib_lock = threading.Lock()


def glib():
    """The GLib thread, started on first use."""
    global _glib
    with _glib_lock:
        if _glib is None:
            _glib = _GLibThread()
        return _glib


def _settle(future, ok, value):
    if future.done():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


def settle_threadsafe(loop, future, ok, value):
    """Resolve an asyncio future from any thread; a closed loop has nobody
    waiting any more."""
    try:
        loop.call_soon_threadsafe(_settle, future, ok, value)
    except RuntimeError:
        pass


def _exception(error):
    return _errors.from_gerror(error) if isinstance(error, GLib.Error) else error


def _deliver(loop, future, func, *args):
    """Settle @future with func(*args), or with what it raised."""
    try:
        value = func(*args)
    except BaseException as error:  # noqa: BLE001 — handed to the caller
        settle_threadsafe(loop, future, False, _exception(error))
    else:
        settle_threadsafe(loop, future, True, value)


async def call(begin, finish, *args, cancellable=None):
    """Await begin(*args, cancellable, callback) on the GLib thread and
    return finish(result).

    A GLib.Error becomes the matching pgqrs exception. Cancelling the
    awaiting task cancels the call through its GCancellable.
    """
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    if cancellable is None:
        cancellable = Gio.Cancellable()

    def ready(_source, result, *_user_data):
        _deliver(loop, future, finish, result)

    def start():
        try:
            begin(*args, cancellable, ready)
        except BaseException as error:  # noqa: BLE001 — handed to the caller
            settle_threadsafe(loop, future, False, _exception(error))

    glib().invoke(start)
    try:
        return await future
    except asyncio.CancelledError:
        cancellable.cancel()
        raise


async def run_on_glib(func, *args):
    """Await a quick, non-blocking func(*args) run on the GLib thread: the
    library's objects that belong to its main context are touched there."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    glib().invoke(_deliver, loop, future, func, *args)
    return await future


async def method(obj, name, *args, cancellable=None):
    """Await obj.<name>_async(*args) with obj.<name>_finish()."""
    return await call(getattr(obj, name + '_async'),
                      getattr(obj, name + '_finish'), *args,
                      cancellable=cancellable)
