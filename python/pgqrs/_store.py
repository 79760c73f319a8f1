# _store.py — the store, its admin, producers, consumers and tables
#
# SPDX-License-Identifier: MIT

import asyncio
import datetime
import re
import socket
import uuid

from ._gi import Pgqrs
from . import _bridge, _payload
from ._errors import (MessageNotFoundError, QueueAlreadyExistsError,
                      QueueNotFoundError, WorkerNotFoundError)
from ._types import (QueueInfo, QueueMessage, RunRecord, StepRecord,
                     WorkerInfo, WorkflowRecord, metrics_dict, parse_time,
                     worker_stats_dict, worker_status)


def worker_name():
    """A fresh worker name: the host's, made a valid name, and a random
    part, as the reference names its workers."""
    host = re.sub(r'[^A-Za-z0-9_-]', '-', socket.gethostname())[:24]
    return 'w_{}_{}'.format(host, uuid.uuid4().hex[:16])


class Store:
    """A connection to a pgqrs database; make one with connect()."""

    def __init__(self, store):
        self._store = store
        self._queues = {}

    @property
    def gobject(self):
        """The Pgqrs.Store underneath, for the introspected API."""
        return self._store

    @property
    def config(self):
        return self._store.get_config()

    async def _queue(self, name, create=False):
        queue = self._queues.get(name)
        if queue is not None:
            return queue
        try:
            queue = await _bridge.method(self._store, 'get_queue', name)
        except QueueNotFoundError:
            if not create:
                raise
            try:
                queue = await _bridge.method(self._store, 'create_queue', name)
            except QueueAlreadyExistsError:   # created meanwhile elsewhere
                queue = await _bridge.method(self._store, 'get_queue', name)
        self._queues[name] = queue
        return queue

    def _forget_queue(self, name):
        self._queues.pop(name, None)

    async def queue(self, name):
        """The queue @name, created if there is none."""
        return QueueInfo(await self._queue(name, create=True))

    async def _register(self, cls, queue):
        q = await self._queue(queue)
        worker = await _bridge.method(self._store, 'register_worker',
                                      worker_name(), queue)
        return cls(self, q, worker)

    async def producer(self, queue):
        """A producer for @queue, registered as a worker."""
        return await self._register(Producer, queue)

    async def consumer(self, queue):
        """A consumer of @queue, registered as a worker."""
        return await self._register(Consumer, queue)

    def consume_iter(self, queue, poll_interval_ms=None):
        """An async iterator over the messages of @queue (see
        ConsumerIterator)."""
        from ._dequeue import ConsumerIterator
        return ConsumerIterator(self, queue, 50 if poll_interval_ms is None
                                else poll_interval_ms)

    async def bootstrap(self):
        """Create or upgrade the tables (as Admin.install())."""
        await _bridge.method(self._store, 'install')

    async def create_workflow(self, name):
        """Define the workflow @name on a queue of the same name."""
        from ._workflow import WorkflowBuilder
        return await WorkflowBuilder().name(name).store(self).create()

    async def get_workers(self):
        return Workers(self)

    async def get_queues(self):
        return Queues(self)

    async def get_messages(self):
        return Messages(self)

    async def get_workflows(self):
        return Workflows(self)

    async def get_workflow_runs(self):
        return WorkflowRuns(self)

    async def get_workflow_steps(self):
        return WorkflowSteps(self)

    def __repr__(self):
        return '<pgqrs.Store {}>'.format(
            self.config.get_backend_kind().value_nick)


class _QueueWorker:
    """A registered worker of one queue."""

    def __init__(self, store, queue, worker):
        self._store = store
        self._queue = queue
        self._worker = worker

    @property
    def worker_id(self):
        return self._worker.get_id()

    @property
    def queue(self):
        return self._queue.get_name()


class Producer(_QueueWorker):
    """Enqueues on one queue, as a registered worker."""

    async def enqueue(self, payload):
        return await _payload.enqueue(self._queue, payload)

    async def enqueue_delayed(self, payload, delay_seconds):
        return await _payload.enqueue(self._queue, payload, delay_seconds)

    async def enqueue_batch(self, payloads):
        return await _payload.enqueue_batch(self._queue, payloads)


class Consumer(_QueueWorker):
    """Leases messages of one queue, as a registered worker.

    dequeue() leases by hand; pgqrs.dequeue().worker(consumer)…poll(store)
    runs a handler for each message until interrupt(). The messages it
    archives, deletes or extends are given by id and must be ones it
    leased."""

    def __init__(self, store, queue, worker):
        super().__init__(store, queue, worker)
        self._leased = {}
        self._runner = None        # the Pgqrs.Consumer of poll()
        self._poll = None          # the poll running now
        # poll()'s start and interrupt() one after the other: each moves
        # the worker through several states
        self._state_lock = asyncio.Lock()

    async def status(self):
        """The worker's status, as stored."""
        await _bridge.method(self._worker, 'refresh')
        return worker_status(self._worker.get_status())

    async def interrupt(self):
        """Stop taking messages. A poll() running finishes the handlers it
        runs and then ends with StateTransitionError; the worker is then
        SUSPENDED."""
        async with self._state_lock:
            poll = self._poll
            if poll is None:
                await _bridge.method(self._worker, 'refresh')
                if self._worker.get_status() == Pgqrs.WorkerStatus.POLLING:
                    await _bridge.method(self._worker, 'transition',
                                         Pgqrs.WorkerStatus.INTERRUPTED)
                await _bridge.method(self._worker, 'transition',
                                     Pgqrs.WorkerStatus.SUSPENDED)
                return
        await poll.interrupt()

    async def stop(self):
        """End the worker: it goes STOPPED (a running poll first ends as
        after interrupt())."""
        if self._poll is not None:
            await self._poll.interrupt()
        if self._runner is not None:
            await self._poll_stop()
            return
        await _bridge.method(self._worker, 'refresh')
        if self._worker.get_status() != Pgqrs.WorkerStatus.SUSPENDED:
            await self.interrupt()
        await _bridge.method(self._worker, 'transition',
                             Pgqrs.WorkerStatus.STOPPED)

    async def _poll_stop(self):
        from ._dequeue import stop_runner
        await stop_runner(self._runner)

    def _remember(self, messages):
        result = []
        for message in messages:
            self._leased[message.get_id()] = message
            result.append(QueueMessage(message, self.queue))
        return result

    def _message(self, message_id):
        message = self._leased.get(message_id)
        if message is None:
            raise MessageNotFoundError(
                'message {} was not leased by this consumer'.format(message_id))
        return message

    async def dequeue(self, batch_size=None):
        """Lease up to batch_size (default 1) messages for the store's
        visibility timeout."""
        return await self.dequeue_many_with_delay(batch_size or 1, 0)

    async def dequeue_many_with_delay(self, limit, vt):
        """Lease up to @limit messages for @vt seconds."""
        messages = await _bridge.method(self._queue, 'dequeue', limit,
                                        float(vt))
        return self._remember(messages)

    async def extend_vt(self, message_id, seconds):
        """Extend the lease by @seconds; False if it ran out meanwhile."""
        return await _bridge.method(self._queue, 'extend_visibility',
                                    self._message(message_id), float(seconds))

    async def _settle(self, name, message_id, *args):
        done = await _bridge.method(self._queue, name,
                                    self._message(message_id), *args)
        self._leased.pop(message_id, None)
        return done

    async def _settle_many(self, name, message_ids, *args):
        messages = [self._message(i) for i in message_ids]
        done = await _bridge.method(self._queue, name, messages, *args)
        for i in message_ids:
            self._leased.pop(i, None)
        return [bool(d) for d in done]

    async def archive(self, message_id):
        """Mark the message done; False if the lease ran out meanwhile."""
        return await self._settle('archive', message_id)

    async def archive_many(self, message_ids):
        return await self._settle_many('archive_batch', message_ids)

    async def delete(self, message_id):
        return await self._settle('delete_message', message_id)

    async def delete_many(self, message_ids):
        return await self._settle_many('delete_batch', message_ids)

    async def release_with_visibility(self, message_id, visible_at):
        """Give a leased message back to the queue, to be visible again at
        @visible_at (RFC 3339; made a delay by this machine's clock, as
        delays are counted from the database's now); False if the lease ran
        out meanwhile."""
        delay = parse_time(visible_at) - datetime.datetime.now(datetime.timezone.utc)
        return await self._settle('release', message_id,
                                  max(0.0, delay.total_seconds()))

    async def release_messages(self, message_ids, delay_seconds=0):
        """Give leased messages back to the queue (after @delay_seconds);
        returns how many were still leased."""
        done = await self._settle_many('release_batch', message_ids,
                                       float(delay_seconds))
        return sum(done)


class Workers:
    def __init__(self, store):
        self._store = store

    async def list(self, queue=None):
        workers = await _bridge.method(self._store._store, 'list_workers', queue)
        return [WorkerInfo(w) for w in workers]

    async def count(self, queue=None):
        return len(await self.list(queue))

    async def get(self, worker_id):
        for worker in await self.list():
            if worker.id == worker_id:
                return worker
        raise WorkerNotFoundError('no worker {}'.format(worker_id))

    async def health_stats(self):
        stats = await _bridge.method(self._store._store, 'list_worker_stats')
        return [worker_stats_dict(s) for s in stats]

    async def purge_stale(self, timeout_seconds):
        """Reclaim workers silent for @timeout_seconds: their leases go back
        to their queues. Returns how many."""
        return await _bridge.method(self._store._store, 'reclaim_workers',
                                    float(timeout_seconds))


class Queues:
    def __init__(self, store):
        self._store = store

    async def list(self):
        queues = await _bridge.method(self._store._store, 'list_queues')
        return [QueueInfo(q) for q in queues]

    async def count(self):
        return len(await self.list())

    async def purge(self, queue_name):
        """Delete every message of the queue, archived ones too."""
        return await _bridge.method(self._store._store, 'purge_queue',
                                    queue_name)

    async def metrics(self, queue_name):
        return metrics_dict(await _bridge.method(self._store._store,
                                                 'get_metrics', queue_name))

    async def list_metrics(self):
        metrics = await _bridge.method(self._store._store, 'list_metrics')
        return [metrics_dict(m) for m in metrics]


class Messages:
    _PAGE = 1000

    def __init__(self, store):
        self._store = store

    async def count(self):
        """Messages still in their queues (pending, delayed or leased)."""
        metrics = await _bridge.method(self._store._store, 'list_metrics')
        return sum(m.get_pending() + m.get_delayed() + m.get_leased()
                   for m in metrics)

    async def _queue_name(self, queue_id):
        for queue in await _bridge.method(self._store._store, 'list_queues'):
            if queue.get_id() == queue_id:
                return queue.get_name()
        raise QueueNotFoundError('no queue with id {}'.format(queue_id))

    async def list_archived(self, queue_name, dead_letters_only=False):
        result = []
        while True:
            page = await _bridge.method(self._store._store, 'list_archived',
                                        queue_name, dead_letters_only,
                                        self._PAGE, len(result))
            result.extend(QueueMessage(m, queue_name) for m in page)
            if len(page) < self._PAGE:
                return result

    async def list_archived_by_queue(self, queue_id):
        return await self.list_archived(await self._queue_name(queue_id))


class Workflows:
    """The workflows defined with pgqrs.workflow()…create(), each on the
    queue of its name."""

    def __init__(self, store):
        self._store = store

    async def get_by_name(self, name):
        """The workflow @name; QueueNotFoundError if it has no queue."""
        queue = await self._store._queue(name)
        return WorkflowRecord(name, queue.get_id())


class WorkflowRuns:
    """The workflow runs of the store, newest first."""

    _PAGE = 100

    def __init__(self, store):
        self._store = store

    async def _gobjects(self, workflow_name=None):
        runs = []
        while True:
            page = await _bridge.method(self._store._store, 'list_workflow_runs',
                                        workflow_name, [], None, None,
                                        self._PAGE, len(runs))
            runs.extend(page)
            if len(page) < self._PAGE:
                return runs

    async def list(self, workflow_name=None):
        """Every run, or those of the workflow @workflow_name."""
        queue_ids = {q.get_name(): q.get_id() for q in
                     await _bridge.method(self._store._store, 'list_queues')}
        return [RunRecord(run, queue_ids.get(run.get_name()))
                for run in await self._gobjects(workflow_name)]


class WorkflowSteps:
    """The steps of the store's workflow runs."""

    def __init__(self, store):
        self._store = store

    async def list(self, run_id=None):
        """The steps of every run (newest run first, each run's steps in
        the order they were first acquired), or those of run @run_id."""
        if run_id is None:
            runs = await WorkflowRuns(self._store)._gobjects()
        else:
            runs = [await _bridge.method(self._store._store, 'get_workflow_run',
                                         run_id)]
        steps = []
        for run in runs:
            steps.extend(StepRecord(step, run.get_id()) for step in
                         await _bridge.method(run, 'list_steps'))
        return steps


class Admin:
    """Schema, queues, workers and dead letters of a store."""

    def __init__(self, store):
        self._store = store

    async def install(self):
        """Create or upgrade the tables; safe at every start."""
        await _bridge.method(self._store._store, 'install')

    async def verify(self):
        """Check that the tables are installed and current."""
        await _bridge.method(self._store._store, 'verify')

    async def create_queue(self, name):
        """Create the queue @name; QueueAlreadyExistsError if it exists."""
        queue = await _bridge.method(self._store._store, 'create_queue', name)
        self._store._queues[name] = queue
        return QueueInfo(queue)

    async def delete_queue(self, name, cascade=False):
        """Delete the queue @name; with cascade also its messages and
        workers (otherwise a queue in use is refused)."""
        self._store._forget_queue(name)
        return await _bridge.method(self._store._store, 'delete_queue', name,
                                    cascade)

    async def purge_queue(self, name):
        return await Queues(self._store).purge(name)

    async def get_queues(self):
        return Queues(self._store)

    async def get_workers(self):
        return Workers(self._store)

    async def get_messages(self):
        return Messages(self._store)

    async def get_workflows(self):
        return Workflows(self._store)

    async def get_workflow_runs(self):
        return WorkflowRuns(self._store)

    async def get_workflow_steps(self):
        return WorkflowSteps(self._store)

    async def list_dead_letters(self, queue_name):
        """The messages of @queue_name archived as dead letters."""
        return await Messages(self._store).list_archived(queue_name, True)

    async def replay_dead_letter(self, message_id):
        """Put an archived message (a dead letter) back in its queue."""
        return await _bridge.method(self._store._store, 'replay', message_id)

    async def reclaim_workers(self, older_than_seconds):
        return await Workers(self._store).purge_stale(older_than_seconds)

    async def create_workflow(self, name, arg=None):
        """Start a run of the workflow @name with input @arg, to be executed
        by the caller (see pgqrs.decorators)."""
        from ._workflow import Run
        node = _payload.to_node(arg)
        run = await _bridge.method(self._store._store, 'create_workflow', name,
                                   node)
        return Run(self._store, run)
