# _workflow.py — workflow runs, steps, and the builders that reach them
#
# SPDX-License-Identifier: MIT

from ._gi import Pgqrs
from . import _bridge, _payload
from ._errors import (MessageNotFoundError, QueueNotFoundError,
                      StateTransitionError, StepNotReadyError,
                      TransientStepError, to_gerror)
from ._types import (StepResultStatus, TriggerMessage, WorkflowRecord,
                     WorkflowStatus, parse_time, run_status)


class StepGuard:
    """The step a run acquired for execution: finish it with success() or
    one of the fails."""

    def __init__(self, run, step):
        self._run = run
        self._step = step

    @property
    def name(self):
        return self._step.get_name()

    @property
    def retry_count(self):
        return self._step.get_retry_count()

    async def success(self, result):
        """Store @result as the step's output: it is never run again."""
        await _bridge.method(self._step, 'complete', _payload.to_node(result))

    async def fail(self, error):
        """Fail the step for good: the run ends ERROR."""
        await _bridge.method(self._step, 'fail', str(error), False)

    async def fail_transient(self, code, message, retry_after=None):
        """Fail the step for now: within the run's retry policy the step is
        retried at its retry time (the run's trigger message is moved
        there); past it the run ends ERROR.

        With @retry_after (seconds) the run is also paused that long, so
        the retry comes no sooner than that (nor sooner than the policy's
        delay)."""
        if retry_after is not None and not retry_after >= 0:
            raise ValueError('retry_after must be a number of seconds >= 0')
        await _bridge.method(self._step, 'fail', '{}: {}'.format(code, message),
                             True)
        if retry_after and self._step.get_retry_at() is not None:
            await _bridge.method(self._run._run, 'pause',
                                 'retry after {} s ({})'.format(retry_after, code),
                                 float(retry_after))


class StepResult:
    """What acquire_step() found: status Execute with a guard, or Skipped
    with the step's stored output as value."""

    __slots__ = ('status', 'value', 'guard')

    def __init__(self, status, value, guard):
        self.status = status
        self.value = value
        self.guard = guard

    def __repr__(self):
        return '<pgqrs.StepResult {}>'.format(self.status.value)


class Run:
    """A workflow run: its lifecycle and its steps."""

    def __init__(self, store, run, current_time=None):
        self._store = store
        self._run = run
        self._current_time = current_time

    @property
    def gobject(self):
        """The Pgqrs.Workflow underneath, for the introspected API."""
        return self._run

    def id(self):
        return self._run.get_id()

    @property
    def name(self):
        return self._run.get_name()

    @property
    def current_time(self):
        """The time with_time() set (RFC 3339, in UTC), or None."""
        return None if self._current_time is None else self._current_time.isoformat()

    def with_time(self, time):
        """This run, with steps acquired as at @time (RFC 3339) unless
        acquire_step() is given a time itself; see acquire_step()."""
        return Run(self._store, self._run, parse_time(time))

    @property
    def input(self):
        return _payload.from_node(self._run.get_input())

    @property
    def output(self):
        return _payload.from_node(self._run.get_output())

    @property
    def error(self):
        return _payload.from_node(self._run.get_error())

    @property
    def status(self):
        """The status as last read (see refresh())."""
        return run_status(self._run.get_status())

    def set_retry_policy(self, policy):
        """How this run's transiently failed steps are retried (a
        StepRetryPolicy)."""
        self._run.set_retry_policy(policy.to_gobject())

    async def start(self):
        await _bridge.method(self._run, 'start')

    async def success(self, result):
        """Complete the run with output @result."""
        await self.complete(result)

    async def complete(self, result):
        await _bridge.method(self._run, 'complete', _payload.to_node(result))

    async def fail(self, error):
        """End the run ERROR with @error (any JSON value; usually text)."""
        await _bridge.method(self._run, 'fail', _payload.to_node(error))

    async def pause(self, message, resume_after_seconds):
        await _bridge.method(self._run, 'pause', message,
                             float(resume_after_seconds))

    async def cancel(self):
        """Ask for the run to be cancelled: CANCELLING, then CANCELLED at its
        next start or step."""
        await _bridge.method(self._run, 'cancel')

    async def refresh(self):
        await _bridge.method(self._run, 'refresh')
        return self

    async def _hold_back(self, step_name, when):
        """StepNotReadyError if the step @step_name waits for a retry
        later than @when."""
        for step in await _bridge.method(self._run, 'list_steps'):
            retry_at = step.get_retry_at()
            if step.get_name() == step_name and retry_at is not None and \
                    parse_time(retry_at.format_iso8601()) > when:
                raise StepNotReadyError(
                    'step {!r} is retried at {}, after the current time {}'.format(
                        step_name, retry_at.format_iso8601(), when.isoformat()))

    async def acquire_step(self, step_name, current_time=None):
        """Acquire the step @step_name: Skipped with its stored output if it
        completed before, else Execute with a guard to finish it.
        StepNotReadyError if its retry is not due yet.

        A @current_time (RFC 3339; else the one of with_time()) earlier than
        a pending retry's time keeps the step not ready. A retry's time is
        the database's clock's, and so is the last word: a current time
        past it does not make a retry the database has not reached due."""
        when = parse_time(current_time) if current_time is not None else self._current_time
        if when is not None:
            await self._hold_back(step_name, when)
        step = await _bridge.method(self._run, 'acquire_step', step_name)
        if step.is_cached():
            return StepResult(StepResultStatus.Skipped,
                              _payload.from_node(step.get_output()), None)
        return StepResult(StepResultStatus.Execute, None, StepGuard(self, step))

    async def complete_step(self, step_name, output):
        """Complete the step @step_name with @output, unless it completed
        before."""
        result = await self.acquire_step(step_name)
        if result.guard is not None:
            await result.guard.success(output)

    async def fail_step(self, step_name, error, current_time=None):
        """Fail the step @step_name for good (the run ends ERROR); the step
        is acquired as by acquire_step()."""
        result = await self.acquire_step(step_name, current_time)
        if result.guard is not None:
            await result.guard.fail(error)

    async def result(self, timeout=None):
        """Wait for the run to finish and return its output."""
        output = await _bridge.method(self._run, 'wait',
                                      float(timeout or 0))
        return _payload.from_node(output)

    def __repr__(self):
        return '<pgqrs.Run {!r} id={} {}>'.format(self.name, self.id(),
                                                  self.status.value)


async def finish_trigger(job, run, result=None, error=None):
    """Settle the trigger job of a run a handle_workflow() handler executed,
    by what the handler did and where that left the run."""
    await _bridge.method(run._run, 'refresh')
    status = run._run.get_status()

    if status == Pgqrs.RunStatus.RUNNING:
        if error is None:
            await _bridge.method(run._run, 'complete', _payload.to_node(result))
        elif isinstance(error, (StepNotReadyError, TransientStepError)):
            # the step's retry moved the trigger to its retry time
            job.fail_with_error(to_gerror(Pgqrs.Error.STEP_NOT_READY, str(error)))
            return
        else:
            await _bridge.method(run._run, 'fail',
                                 _payload.to_node({'message': str(error)}))
    elif status == Pgqrs.RunStatus.PAUSED:
        # kept until the run resumes
        job.fail_with_error(to_gerror(Pgqrs.Error.PAUSED, 'paused'))
        return
    elif status == Pgqrs.RunStatus.CANCELLING:
        try:
            await _bridge.method(run._run, 'start')   # finalises it
        except StateTransitionError:
            pass
    job.complete()


class WorkflowTriggerBuilder:
    def __init__(self, builder, value):
        self._builder = builder
        self._value = value

    async def execute(self, store=None):
        """Start a run: enqueue its trigger message on the workflow's
        queue. Returns the trigger message; its payload is the input."""
        store = store or self._builder._store
        if store is None:
            raise ValueError('store is required')
        name = await self._builder._resolve(store)
        run = await _bridge.method(store._store, 'trigger_workflow', name,
                                   _payload.to_node(self._value))
        queue = await store._queue(name)
        return TriggerMessage(run.get_message_id(), queue.get_id(),
                              _payload.from_node(run.get_input()), run.get_id())


class WorkflowBuilder:
    """pgqrs.workflow(): define a workflow, or trigger a run of it."""

    def __init__(self, name=None):
        self._name = name
        self._id = None
        self._store = None

    def name(self, name):
        self._name = name
        return self

    def id(self, id):  # noqa: A002 — the reference's name
        """The workflow whose WorkflowRecord.id is @id (instead of a
        name)."""
        self._id = id
        return self

    def store(self, store):
        self._store = store
        return self

    async def _resolve(self, store):
        """The workflow's name, given or found by its id."""
        if self._name:
            return self._name
        if self._id is None:
            raise ValueError('name is required')
        for queue in await _bridge.method(store._store, 'list_queues'):
            if queue.get_id() == self._id:
                return queue.get_name()
        raise QueueNotFoundError('no workflow with id {}'.format(self._id))

    async def create(self):
        """Define the workflow on a queue of its name (created if
        needed)."""
        if self._store is None:
            raise ValueError('store is required')
        name = await self._resolve(self._store)
        queue = await self._store._queue(name, create=True)
        await _bridge.method(self._store._store, 'define_workflow', name, name)
        return WorkflowRecord(name, queue.get_id())

    def trigger(self, input):  # noqa: A002 — the reference's name
        return WorkflowTriggerBuilder(self, input)

    def __call__(self, func):
        # @pgqrs.workflow(name="…") as a decorator
        from .decorators import workflow as decorate
        return decorate(func, name=self._name)


class RunBuilder:
    """pgqrs.run(): the run a trigger message starts."""

    def __init__(self):
        self._store = None
        self._message = None

    def message(self, message):
        self._message = message
        return self

    def store(self, store):
        self._store = store
        return self

    async def execute(self):
        if self._store is None or self._message is None:
            raise ValueError('store and message are required')
        run_id = getattr(self._message, 'run_id', None)
        if run_id is None:
            payload = self._message.payload
            if not isinstance(payload, dict) or 'run_id' not in payload:
                raise MessageNotFoundError('message {} is not a workflow '
                                           'trigger'.format(self._message.id))
            run_id = payload['run_id']
        run = await _bridge.method(self._store._store, 'get_workflow_run',
                                   run_id)
        return Run(self._store, run)

    async def result(self, timeout=None):
        """Wait for the run to finish and return its output."""
        return await (await self.execute()).result(timeout)

    async def get(self):
        """The run's output if it succeeded, else None."""
        run = await self.execute()
        if run.status == WorkflowStatus.Success:
            return run.output
        return None


class StepBuilder:
    """pgqrs.step(): acquire a step of a run."""

    def __init__(self):
        self._run = None
        self._name = None
        self._time = None

    def run(self, run):
        self._run = run
        return self

    def name(self, name):
        self._name = name
        return self

    def id(self, id):  # noqa: A002 — the reference's name
        return self.name(id)

    def with_time(self, time):
        """Acquire the step as at @time (see Run.acquire_step())."""
        parse_time(time)
        self._time = time
        return self

    async def execute(self):
        if self._run is None or not self._name:
            raise ValueError('run and name are required')
        return await self._run.acquire_step(self._name, self._time)


def workflow(name=None):
    return WorkflowBuilder(name)


def run():
    return RunBuilder()


def step():
    return StepBuilder()
