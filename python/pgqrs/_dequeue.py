# _dequeue.py — handlers run for each message: consume(), dequeue()…poll()
#
# SPDX-License-Identifier: MIT
#
# poll() runs a Pgqrs.Consumer on the GLib thread: it leases, keeps leases
# alive with heartbeats, waits for work without busy polling and archives or
# gives back what the handler did. Its handler defers each job and hands it
# to the asyncio loop, where the Python handler runs (awaited if it is a
# coroutine function); the job is completed or failed from there.

import asyncio
import inspect
import traceback

from ._gi import GLib, Pgqrs
from . import _bridge, _payload
from ._errors import (MessageNotFoundError, StateTransitionError,
                      ValidationError, from_gerror)
from ._store import Consumer
from ._types import QueueMessage

# How often an interrupt() that came while poll() was starting the runner
# looks whether the runner polls yet (it registers its worker first).
INTERRUPT_RETRY_MS = 5


def reason(exception):
    return ''.join(traceback.format_exception_only(type(exception),
                                                   exception)).strip()


async def call_handler(handler, *args):
    """Call a plain or async handler; an awaitable result is awaited."""
    result = handler(*args)
    if inspect.isawaitable(result):
        result = await result
    return result


async def consume(store, queue, handler):
    """Lease one message of @queue, if any, and hand it to @handler; archive
    it when the handler returns. An exception of the handler is raised
    here, and the message comes back when its lease runs out."""
    q = await store._queue(queue)
    messages = await _bridge.method(q, 'dequeue', 1, 0.0)
    if not messages:
        return
    await call_handler(handler, QueueMessage(messages[0], queue))
    await _bridge.method(q, 'archive', messages[0])


async def consume_batch(store, queue, batch_size, handler):
    """As consume(), for up to @batch_size messages at once, handed over as
    a list."""
    q = await store._queue(queue)
    messages = await _bridge.method(q, 'dequeue', batch_size, 0.0)
    if not messages:
        return
    await call_handler(handler, [QueueMessage(m, queue) for m in messages])
    await _bridge.method(q, 'archive_batch', messages)


async def stop_runner(runner):
    """Stop a Pgqrs.Consumer gracefully and wait until it has."""
    loop = asyncio.get_running_loop()
    stopped = loop.create_future()

    def stop():
        if not runner.is_running():
            _bridge.settle_threadsafe(loop, stopped, True, None)
            return

        def on_running(*_):
            if not runner.is_running():
                runner.disconnect(handler_id)
                _bridge.settle_threadsafe(loop, stopped, True, None)

        handler_id = runner.connect('notify::running', on_running)
        runner.stop()

    _bridge.glib().invoke(stop)
    await stopped


class _Poll:
    """One poll(): a Pgqrs.Consumer running with a Python handler."""

    def __init__(self, store, runner, kind, handler):
        self.store = store
        self.runner = runner
        self.kind = kind
        self.handler = handler
        self.loop = asyncio.get_running_loop()
        self.ended = self.loop.create_future()
        self.tasks = set()
        self.interrupted = False

    # on the GLib thread
    def on_job(self, job, *_user_data):
        job.defer()
        try:
            self.loop.call_soon_threadsafe(self._start_job, job)
        except RuntimeError:
            # nobody is left to handle it, nor anything after it
            job.fail('the event loop of the handler is closed')
            self.runner.stop()
        return True

    def _start_job(self, job):
        task = self.loop.create_task(self._run_job(job))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run_job(self, job):
        try:
            if self.kind == 'workflow':
                await self._run_workflow(job)
                return
            queue_name = job.get_queue().get_name()
            messages = [QueueMessage(m, queue_name) for m in job.get_messages()]
            if self.kind == 'one':
                await call_handler(self.handler, messages[0])
            else:
                await call_handler(self.handler, messages)
        except Exception as exception:  # noqa: BLE001 — fails the job
            job.fail(reason(exception))
        except BaseException as exception:
            # cancelled, or the process is going down: the message comes
            # back (a workflow run goes on from its first step not done)
            job.fail(reason(exception))
            raise
        else:
            job.complete()

    async def _run_workflow(self, job):
        from ._workflow import Run, finish_trigger
        payload = _payload.message_value(job.get_message())
        if not isinstance(payload, dict) or 'run_id' not in payload:
            job.fail('the message is not a workflow trigger')
            return
        try:
            gobject = await _bridge.method(self.store._store, 'get_workflow_run',
                                           payload['run_id'])
        except MessageNotFoundError:
            job.complete()             # the run is gone: nothing left to do
            return
        run = Run(self.store, gobject)
        try:
            await _bridge.method(gobject, 'start')
        except StateTransitionError:
            job.complete()             # cancelled or finished already
            return
        try:
            result = await call_handler(self.handler, run)
        except Exception as exception:  # noqa: BLE001 — see finish_trigger()
            await finish_trigger(job, run, error=exception)
        else:
            await finish_trigger(job, run, result=result)

    # on the GLib thread
    def on_worker_status(self, worker, *_):
        if (self.interrupted and
                worker.get_status() == Pgqrs.WorkerStatus.SUSPENDED):
            _bridge.settle_threadsafe(self.loop, self.ended, False,
                                      StateTransitionError(
                                          'the consumer was interrupted'))

    # on the GLib thread
    def _interrupt_runner(self):
        """Interrupt the runner; False while it cannot be yet: poll() has
        just started it and it is still registering its worker."""
        worker = self.runner.get_worker()
        if worker is None or worker.get_status() != Pgqrs.WorkerStatus.POLLING:
            return False
        worker.connect('notify::status', self.on_worker_status)
        self.runner.interrupt()
        self.on_worker_status(worker)
        return True

    async def interrupt(self):
        self.interrupted = True

        def retry(*_):
            if not self.runner.is_running() or self._interrupt_runner():
                return GLib.SOURCE_REMOVE
            return GLib.SOURCE_CONTINUE

        def interrupt():
            # poll() starts the runner before anyone can interrupt it (it
            # sets consumer._poll and invokes start() with no await
            # between), so a runner not polling yet is on its way there
            if not self._interrupt_runner():
                source = GLib.timeout_source_new(INTERRUPT_RETRY_MS)
                source.set_callback(retry)
                source.attach(_bridge.glib().context)

        await _bridge.run_on_glib(interrupt)


class DequeueBuilder:
    """pgqrs.dequeue(): which messages to handle, how, and poll() to run."""

    def __init__(self):
        self._worker = None
        self._queue = None
        self._batch = 1
        self._poll_interval_ms = None
        self._handler = None
        self._kind = None

    def worker(self, consumer):
        self._worker = consumer
        return self

    def batch(self, size):
        self._batch = max(1, int(size))
        return self

    def from_queue(self, queue):
        self._queue = queue
        return self

    def poll_interval(self, interval_ms):
        self._poll_interval_ms = interval_ms
        return self

    def _handle(self, kind, handler):
        self._kind = kind
        self._handler = handler
        return self

    def handle(self, handler):
        """Call handler(message) for each message."""
        return self._handle('one', handler)

    def handle_batch(self, handler):
        """Call handler(messages) with up to batch() messages at once."""
        return self._handle('batch', handler)

    def handle_workflow(self, handler):
        """Execute a workflow run for each trigger message: handler(run),
        usually a function of pgqrs.decorators.workflow."""
        return self._handle('workflow', handler)

    @property
    def queue(self):
        if self._worker is not None:
            return self._worker.queue
        return self._queue

    @property
    def batch_size(self):
        return self._batch

    @property
    def poll_interval_ms(self):
        return self._poll_interval_ms

    def has_worker(self):
        return self._worker is not None

    async def poll(self, store):
        """Run the handler for each message until the consumer is
        interrupted (then StateTransitionError) or this task is cancelled
        (the consumer stops gracefully: running handlers finish, and the
        worker goes STOPPED)."""
        if self._handler is None:
            raise ValueError('exactly one of handle(), handle_batch() or '
                             'handle_workflow() is required')
        if self._kind == 'one' and self._batch != 1:
            raise ValidationError('single-message handlers need batch size '
                                  '1, not {}'.format(self._batch))
        consumer = self._worker
        if consumer is None:
            if self._queue is None:
                raise ValueError('a queue is required: use '
                                 '.from_queue("name") or .worker(consumer)')
            consumer = await store.consumer(self._queue)
        # consumer.interrupt() waits for the runner to be set up and
        # started, or poll() for its interrupt() to be done: each sees the
        # worker as the other left it
        async with consumer._state_lock:
            poll = await self._start(store, consumer)
        try:
            await asyncio.shield(poll.ended)
        except asyncio.CancelledError:
            # Ctrl-C, or the task was cancelled: stop gracefully, the
            # handlers running finish first
            await asyncio.shield(stop_runner(poll.runner))
            raise
        finally:
            consumer._poll = None
            if self._worker is None:
                await asyncio.shield(stop_runner(poll.runner))

    async def _start(self, store, consumer):
        """Hand the consumer's worker to a Pgqrs.Consumer and start it."""
        if consumer._poll is not None:
            raise StateTransitionError('the consumer is polling already')

        status = await consumer.status()
        if status.value in ('SUSPENDED', 'INTERRUPTED', 'STOPPED'):
            raise StateTransitionError(
                'the consumer is {}'.format(status.value.lower()))

        runner = consumer._runner
        if runner is None:
            # the Pgqrs.Consumer registers the worker again under its name:
            # the name of a stopped worker is taken over
            await _bridge.method(consumer._worker, 'transition',
                                 Pgqrs.WorkerStatus.SUSPENDED)
            await _bridge.method(consumer._worker, 'transition',
                                 Pgqrs.WorkerStatus.STOPPED)
            runner = Pgqrs.Consumer.new(consumer._queue,
                                        consumer._worker.get_name())
            consumer._runner = runner
        runner.set_property('batch-size', self._batch)
        if self._poll_interval_ms is not None:
            runner.set_property('poll-interval', self._poll_interval_ms / 1000)

        poll = _Poll(store, runner, self._kind, self._handler)
        consumer._poll = poll

        def on_worker(*_):
            worker = runner.get_worker()
            if worker is not None:
                consumer._worker = worker

        def run_done(_source, result, *_):
            try:
                runner.run_finish(result)
            except GLib.Error as error:
                _bridge.settle_threadsafe(poll.loop, poll.ended, False,
                                          from_gerror(error))
            else:
                _bridge.settle_threadsafe(poll.loop, poll.ended, True, None)

        def start():
            runner.set_handler(poll.on_job)
            runner.connect('notify::worker', on_worker)
            runner.run_async(None, run_done)

        _bridge.glib().invoke(start)
        return poll


class ConsumerIterator:
    """store.consume_iter(queue): the messages of a queue, one at a time,
    as they come (looking every poll_interval_ms while it is empty).
    Archive or delete each by id; close() (or leaving `async with`) stops
    its worker."""

    def __init__(self, store, queue, poll_interval_ms=50):
        self._store = store
        self._queue = queue
        self._interval = poll_interval_ms / 1000
        self._consumer = None
        self._closed = False

    async def _get_consumer(self):
        if self._consumer is None:
            self._consumer = await self._store.consumer(self._queue)
        return self._consumer

    def __aiter__(self):
        return self

    async def __anext__(self):
        consumer = await self._get_consumer()
        while not self._closed:
            messages = await consumer.dequeue()
            if messages:
                return messages[0]
            await asyncio.sleep(self._interval)
        raise StopAsyncIteration

    async def archive(self, message_id):
        return await (await self._get_consumer()).archive(message_id)

    async def delete(self, message_id):
        return await (await self._get_consumer()).delete(message_id)

    async def close(self):
        self._closed = True
        if self._consumer is not None:
            await self._consumer.stop()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_info):
        await self.close()


def dequeue(*args, **kwargs):
    """dequeue() is a DequeueBuilder; dequeue(consumer, batch_size) leases
    up to batch_size messages with the consumer."""
    if not args and not kwargs:
        return DequeueBuilder()
    return _dequeue_with(*args, **kwargs)


async def _dequeue_with(consumer, batch_size):
    if not isinstance(consumer, Consumer):
        raise TypeError('dequeue() takes a Consumer')
    return await consumer.dequeue(batch_size)


__all__ = ['consume', 'consume_batch', 'dequeue', 'DequeueBuilder',
           'ConsumerIterator']
