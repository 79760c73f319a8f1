# pgqrs — job queues and durable workflows, from asyncio
#
# SPDX-License-Identifier: MIT
#
# The Python API of the pgqrs documentation, on the introspected library
# (gi.repository.Pgqrs, the low-level layer, still there underneath: see
# Store.gobject and Run.gobject). Every call that reaches the database is a
# coroutine; none blocks the event loop (see _bridge.py).

"""Job queues and durable workflows on PostgreSQL, SQLite and Turso/libSQL,
for asyncio.

    import asyncio, pgqrs

    async def main():
        store = await pgqrs.connect("sqlite://jobs.db")
        await pgqrs.admin(store).install()
        await store.queue("tasks")
        await pgqrs.produce(store, "tasks", {"to": "ada@example.com"})
        await pgqrs.consume(store, "tasks", lambda msg: print(msg.payload))

    asyncio.run(main())
"""

from . import _bridge, _payload
from ._gi import Pgqrs
from ._errors import *  # noqa: F401,F403
from ._errors import __all__ as _errors_all
from ._types import (BackoffStrategy, Config, QueueInfo, QueueMessage,
                     RunRecord, StepRecord, StepResultStatus, StepRetryPolicy,
                     TriggerMessage, WorkerInfo, WorkerStatus, WorkflowRecord,
                     WorkflowStatus)
from ._store import (Admin, Consumer, Messages, Producer, Queues, Store,
                     Workers, WorkflowRuns, Workflows, WorkflowSteps)
from ._dequeue import (ConsumerIterator, DequeueBuilder, consume, consume_batch,
                       dequeue)
from ._workflow import (Run, RunBuilder, StepBuilder, StepGuard, StepResult,
                        WorkflowBuilder, WorkflowTriggerBuilder, run)
from ._workflow import step as _step_builder
from ._workflow import workflow as _workflow_builder
from . import decorators
from .decorators import WorkflowDef

async def connect(dsn):
    """Open the store @dsn names: sqlite://PATH, postgresql://…, a
    libSQL server (libsql://…, http://…) or turso:///PATH (the Turso
    engine on a file)."""
    return Store(await _bridge.call(Pgqrs.Store.new_async,
                                    Pgqrs.Store.new_finish, dsn))


async def connect_with(config):
    """Open the store a Config describes."""
    return Store(await _bridge.call(Pgqrs.Store.new_for_config_async,
                                    Pgqrs.Store.new_finish, config._config))


def admin(store):
    return Admin(store)


async def produce(store, queue, payload):
    """Enqueue @payload (any JSON value) on @queue; returns its id."""
    return await _payload.enqueue(await store._queue(queue), payload)


async def produce_batch(store, queue, payloads):
    """Enqueue @payloads on @queue in one transaction; returns their ids."""
    return await _payload.enqueue_batch(await store._queue(queue), payloads)


async def enqueue(producer, payload):
    return await producer.enqueue(payload)


async def enqueue_batch(producer, payloads):
    return await producer.enqueue_batch(payloads)


async def enqueue_delayed(producer, payload, delay_seconds):
    return await producer.enqueue_delayed(payload, delay_seconds)


async def archive(consumer, message):
    return await consumer.archive(message.id)


async def archive_batch(consumer, messages):
    """Archive @messages; True if all of them still were leased."""
    return all(await consumer.archive_many([m.id for m in messages]))


async def delete(consumer, message):
    return await consumer.delete(message.id)


async def extend_vt(consumer, message, seconds):
    return await consumer.extend_vt(message.id, seconds)


def workflow(name=None):
    """pgqrs.workflow() is a WorkflowBuilder (…name(n).store(s).create() or
    .trigger(input).execute()); used as a decorator it is
    pgqrs.decorators.workflow."""
    if callable(name):
        return decorators.workflow(name)
    return _workflow_builder(name)


def step(func=None):
    """pgqrs.step() is a StepBuilder; used as a decorator it is
    pgqrs.decorators.step."""
    if func is not None:
        return decorators.step(func)
    return _step_builder()


__all__ = [
    'connect', 'connect_with', 'admin', 'produce', 'produce_batch', 'consume',
    'consume_batch', 'enqueue', 'enqueue_batch', 'enqueue_delayed', 'dequeue',
    'archive', 'archive_batch', 'delete', 'extend_vt', 'workflow', 'run',
    'step', 'decorators',
    'Config', 'Store', 'Admin', 'Producer', 'Consumer', 'Workers', 'Queues',
    'Messages', 'QueueMessage', 'QueueInfo', 'WorkerInfo', 'TriggerMessage',
    'Workflows', 'WorkflowRuns', 'WorkflowSteps', 'RunRecord', 'StepRecord',
    'WorkflowRecord', 'Run', 'StepResult', 'StepGuard', 'DequeueBuilder',
    'ConsumerIterator',
    'WorkflowBuilder', 'WorkflowTriggerBuilder', 'RunBuilder', 'StepBuilder',
    'WorkflowDef', 'WorkerStatus', 'WorkflowStatus', 'StepResultStatus',
    'BackoffStrategy', 'StepRetryPolicy',
] + list(_errors_all)
