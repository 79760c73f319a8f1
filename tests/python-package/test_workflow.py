# test_workflow.py — runs, steps, guards, builders and the decorators
#
# SPDX-License-Identifier: MIT

import asyncio
import datetime

import pytest

import pgqrs
from pgqrs.decorators import step, workflow


calls = {}


def counted(name):
    calls[name] = calls.get(name, 0) + 1


@step
async def fetch_data(ctx, url: str) -> dict:
    counted('fetch_data')
    return {'url': url, 'rows': [1, 2, 3]}


@step
def add_up(ctx, data):               # a plain step function
    counted('add_up')
    return sum(data['rows'])


@workflow
async def data_pipeline(ctx, url: str):
    data = await fetch_data(ctx, url)
    return {'url': data['url'], 'total': await add_up(ctx, data)}


async def test_issue_example(store):
    calls.clear()
    admin = pgqrs.admin(store)
    ctx = await admin.create_workflow('data_pipeline', 'https://example.com')
    assert ctx.input == 'https://example.com'
    assert ctx.status == pgqrs.WorkflowStatus.Queued
    result = await data_pipeline(ctx, 'https://example.com')
    assert result == {'url': 'https://example.com', 'total': 6}
    await ctx.refresh()
    assert ctx.status == pgqrs.WorkflowStatus.Success == 'SUCCESS'
    assert ctx.output == result
    assert await ctx.result() == result
    # executing a finished run again gives its output, running nothing
    assert await data_pipeline(ctx, 'https://example.com') == result
    assert calls == {'fetch_data': 1, 'add_up': 1}
    assert data_pipeline.name == 'data_pipeline'


async def test_replay_after_crash(store):
    admin = pgqrs.admin(store)
    ctx = await admin.create_workflow('recovery_wf', 'crash_test')
    ran = []

    @step
    async def step_a(ctx, arg):
        ran.append('a')
        return 'a_' + arg

    @step
    async def step_b(ctx, arg):
        ran.append('b')
        return 'b_' + arg

    await ctx.start()
    await step_a(ctx, 'crash_test')         # the process "dies" here

    async def run_wf_complete(ctx):
        res1 = await step_a(ctx, 'crash_test')     # skipped: stored
        return await step_b(ctx, res1)

    assert await run_wf_complete(ctx) == 'b_a_crash_test'
    assert ran == ['a', 'b']


async def test_named_workflow_and_failure(store):
    @workflow(name='failing')
    async def failing(ctx, arg):
        raise ValueError('bad input {}'.format(arg))

    assert failing.name == 'failing'
    ctx = await pgqrs.admin(store).create_workflow('failing', 7)
    with pytest.raises(ValueError):
        await failing(ctx, 7)
    await ctx.refresh()
    assert ctx.status == pgqrs.WorkflowStatus.Error
    assert ctx.error == 'bad input 7'
    with pytest.raises(pgqrs.PgqrsError):
        await ctx.result()

    with pytest.raises(ValueError):
        workflow(name='')
    with pytest.raises(TypeError):
        await failing('not a run', 1)


async def test_step_failing_for_good(store):
    @step
    async def explode(ctx):
        raise RuntimeError('boom')

    @workflow
    async def exploding(ctx):
        await explode(ctx)

    ctx = await pgqrs.admin(store).create_workflow('exploding', None)
    with pytest.raises(RuntimeError):
        await exploding(ctx)
    await ctx.refresh()
    assert ctx.status == pgqrs.WorkflowStatus.Error


async def test_run_by_hand(store):
    run = await pgqrs.admin(store).create_workflow('manual', {'n': 2})
    assert run.id() > 0 and run.current_time is None
    await run.start()
    assert (await run.refresh()).status == pgqrs.WorkflowStatus.Running

    first = await run.acquire_step('double')
    assert first.status == pgqrs.StepResultStatus.Execute == 'EXECUTE'
    assert first.value is None and first.guard.name == 'double'
    await first.guard.success({'n': 4})
    again = await pgqrs.step().run(run).name('double').execute()
    assert again.status == pgqrs.StepResultStatus.Skipped
    assert again.value == {'n': 4} and again.guard is None

    await run.complete_step('noted', [1, 2])
    assert (await run.acquire_step('noted')).value == [1, 2]
    await run.complete_step('noted', 'ignored: done before')
    assert (await run.acquire_step('noted')).value == [1, 2]

    with pytest.raises(ValueError):
        await run.acquire_step('x', current_time='not a time')

    await run.success({'result': 8})
    await run.refresh()
    assert run.status == pgqrs.WorkflowStatus.Success and run.output == {'result': 8}
    with pytest.raises(pgqrs.StateTransitionError):
        await run.start()


async def test_run_fail_pause_cancel(store):
    admin = pgqrs.admin(store)
    failed = await admin.create_workflow('lifecycle', 1)
    await failed.start()
    await failed.fail('gave up')
    await failed.refresh()
    assert failed.status == pgqrs.WorkflowStatus.Error and failed.error == 'gave up'

    paused = await admin.create_workflow('lifecycle', 2)
    await paused.start()
    await paused.pause('waiting for approval', 3600)
    await paused.refresh()
    assert paused.status == pgqrs.WorkflowStatus.Paused
    with pytest.raises(pgqrs.PgqrsError):
        await paused.start()              # not before its resume time

    cancelled = await admin.create_workflow('lifecycle', 3)
    await cancelled.start()
    await cancelled.cancel()
    await cancelled.refresh()
    assert cancelled.status in (pgqrs.WorkflowStatus.Cancelling,
                                pgqrs.WorkflowStatus.Cancelled)

    by_step = await admin.create_workflow('lifecycle', 4)
    await by_step.start()
    await by_step.fail_step('check', 'invalid')
    await by_step.refresh()
    assert by_step.status == pgqrs.WorkflowStatus.Error


async def test_step_guards_transient(store):
    admin = pgqrs.admin(store)
    run = await admin.create_workflow('retrying', None)
    run.set_retry_policy(pgqrs.StepRetryPolicy(
        max_attempts=2, backoff=pgqrs.BackoffStrategy.fixed(3600)))
    await run.start()
    guard = (await run.acquire_step('flaky')).guard
    await guard.fail_transient('TIMEOUT', 'connection timeout')
    with pytest.raises(pgqrs.StepNotReadyError):
        await run.acquire_step('flaky')          # its retry is an hour away
    await run.refresh()
    assert run.status == pgqrs.WorkflowStatus.Running

    exhausted = await admin.create_workflow('retrying', None)
    exhausted.set_retry_policy(pgqrs.StepRetryPolicy(max_attempts=0))
    await exhausted.start()
    guard = (await exhausted.acquire_step('flaky')).guard
    await guard.fail_transient('TIMEOUT', 'no retries left')
    await exhausted.refresh()
    assert exhausted.status == pgqrs.WorkflowStatus.Error

    later = await admin.create_workflow('retrying', None)
    later.set_retry_policy(pgqrs.StepRetryPolicy(
        max_attempts=3, backoff=pgqrs.BackoffStrategy.exponential(1, 2)))
    await later.start()
    guard = (await later.acquire_step('rate_limited')).guard
    with pytest.raises(ValueError):
        await guard.fail_transient('RATE_LIMITED', 'slow down', retry_after=-1)
    await guard.fail_transient('RATE_LIMITED', 'slow down', retry_after=600)
    await later.refresh()
    assert later.status == pgqrs.WorkflowStatus.Paused      # until the retry_after


async def test_triggered_workflow_on_a_consumer(store):
    attempts = []

    @step
    async def flaky(ctx, n):
        attempts.append(n)
        if len(attempts) == 1:
            raise pgqrs.TransientStepError('try again', code='BUSY')
        return n * 2

    @workflow(name='process_task')
    async def process_task(ctx, input_data):
        ctx.set_retry_policy(pgqrs.StepRetryPolicy(
            max_attempts=3, backoff=pgqrs.BackoffStrategy.fixed(1)))
        doubled = await flaky(ctx, input_data['n'])
        return {'processed': doubled}

    record = await pgqrs.workflow().name('process_task').store(store).create()
    assert record.name == 'process_task' and record.queue_id > 0

    msg = await pgqrs.workflow().name('process_task').store(store).trigger(
        {'n': 21}).execute()
    assert msg.id > 0 and msg.payload == {'n': 21}

    consumer = await store.consumer('process_task')
    task = asyncio.create_task(
        pgqrs.dequeue().worker(consumer).handle_workflow(process_task).poll(store))
    result = await asyncio.wait_for(
        pgqrs.run().message(msg).store(store).result(), 30)
    assert result == {'processed': 42}
    assert attempts == [21, 21]               # retried once, after its delay
    assert await pgqrs.run().message(msg).store(store).get() == {'processed': 42}
    run = await pgqrs.run().message(msg).store(store).execute()
    assert run.status == pgqrs.WorkflowStatus.Success

    # a second run, of a failing body, ends ERROR and its trigger is done
    msg2 = await pgqrs.workflow('process_task').trigger({'n': None}).execute(store)
    run2 = await pgqrs.run().message(msg2).store(store).execute()
    with pytest.raises(pgqrs.PgqrsError):
        await asyncio.wait_for(run2.result(), 30)

    await consumer.interrupt()
    with pytest.raises(pgqrs.StateTransitionError):
        await asyncio.wait_for(task, 10)
    assert await (await store.get_messages()).count() == 0


async def test_pgqrs_namespace_decorators(store):
    @pgqrs.step
    async def one(ctx):
        return 1

    @pgqrs.workflow(name='namespaced')
    async def namespaced(ctx, arg):
        return await one(ctx) + arg

    ctx = await pgqrs.admin(store).create_workflow('namespaced', 1)
    assert await namespaced(ctx, 1) == 2
    with pytest.raises(ValueError):
        await pgqrs.step().execute()
    with pytest.raises(ValueError):
        await pgqrs.run().execute()


def test_enums():
    assert [s.name for s in pgqrs.WorkflowStatus] == [
        'Queued', 'Running', 'Paused', 'Cancelling', 'Cancelled', 'Success', 'Error']
    assert [s.name for s in pgqrs.WorkerStatus] == [
        'Ready', 'Polling', 'Interrupted', 'Suspended', 'Stopped']
    assert [s.name for s in pgqrs.StepResultStatus] == ['Execute', 'Skipped']


class Crash(BaseException):
    """Stands for the process dying in the middle of a run."""


async def test_crashed_run_goes_on_from_its_first_step_not_done(store):
    crashed = []
    ran = []

    @step
    async def step1(ctx):
        ran.append('step1')
        return {'data': 'from step 1'}

    @step
    async def step2(ctx):
        ran.append('step2')
        return 'step2_done'

    @workflow(name='crash_recovery_wf')
    async def crash_recovery_wf(ctx, input_data):
        await step1(ctx)
        if not crashed:
            crashed.append(True)
            raise Crash('the process dies here')
        await step2(ctx)
        return {'done': True}

    await pgqrs.workflow().name('crash_recovery_wf').store(store).create()
    consumer = await store.consumer('crash_recovery_wf')
    task = asyncio.create_task(
        pgqrs.dequeue().worker(consumer).handle_workflow(crash_recovery_wf).poll(store))
    msg = await pgqrs.workflow().name('crash_recovery_wf').store(store).trigger(
        {'test': True}).execute()
    result = await asyncio.wait_for(pgqrs.run().message(msg).store(store).result(), 30)
    assert result == {'done': True}
    assert crashed and ran == ['step1', 'step2']
    await consumer.interrupt()
    with pytest.raises(pgqrs.StateTransitionError):
        await asyncio.wait_for(task, 10)


async def test_workflow_tables(store):
    admin = pgqrs.admin(store)
    defined = await pgqrs.workflow().name('tabled').store(store).create()
    record = await (await store.get_workflows()).get_by_name('tabled')
    assert (record.id, record.name, record.queue_id) == (
        defined.id, 'tabled', defined.queue_id)
    with pytest.raises(pgqrs.QueueNotFoundError):
        await (await admin.get_workflows()).get_by_name('never_defined')

    done = await admin.create_workflow('tabled', {'n': 1})
    await done.start()
    await done.complete_step('first', [1, 2])
    guard = (await done.acquire_step('second')).guard
    await guard.fail('broken')
    other = await admin.create_workflow('untabled', 'x')

    runs = await (await store.get_workflow_runs()).list()
    assert [r.id for r in runs] == [other.id(), done.id()]          # newest first
    assert [r.workflow_name for r in runs] == ['untabled', 'tabled']
    assert [r.workflow_id for r in runs] == [None, record.id]
    assert runs[0].status == pgqrs.WorkflowStatus.Queued
    assert runs[1].status == pgqrs.WorkflowStatus.Error
    assert (runs[0].input, runs[1].input) == ('x', {'n': 1})
    assert runs[1].output is None and runs[1].error is not None
    assert runs[1].created_at and runs[1].updated_at
    assert [r.id for r in await (await admin.get_workflow_runs()).list('tabled')] == [done.id()]

    steps = await (await store.get_workflow_steps()).list()
    assert [(s.run_id, s.step_name, s.status) for s in steps] == [
        (done.id(), 'first', pgqrs.WorkflowStatus.Success),
        (done.id(), 'second', pgqrs.WorkflowStatus.Error)]
    assert steps[0].output == [1, 2] and steps[0].error is None
    assert steps[1].error is not None and steps[1].retry_at is None
    assert len({s.id for s in steps}) == 2
    assert await (await admin.get_workflow_steps()).list(other.id()) == []
    assert [s.step_name for s in
            await (await admin.get_workflow_steps()).list(done.id())] == ['first', 'second']


async def test_current_time(store):
    admin = pgqrs.admin(store)
    run = await admin.create_workflow('timed', None)
    assert run.current_time is None
    at = run.with_time('2024-01-15T12:30:00+02:00')
    assert at.current_time == '2024-01-15T10:30:00+00:00' and run.current_time is None
    assert at.id() == run.id()
    for bad in ('2024-01-15T10:30:00', 'yesterday', None):
        with pytest.raises(ValueError):
            run.with_time(bad)
    with pytest.raises(ValueError):
        pgqrs.step().with_time('soon')

    run.set_retry_policy(pgqrs.StepRetryPolicy(
        max_attempts=3, backoff=pgqrs.BackoffStrategy.fixed(1)))
    await run.start()
    guard = (await run.acquire_step('flaky')).guard
    await guard.fail_transient('TIMEOUT', 'try again in a second')
    [pending] = await (await store.get_workflow_steps()).list(run.id())
    retry_at = datetime.datetime.fromisoformat(pending.retry_at)
    await asyncio.sleep(1.5)                  # the retry is due by the database's clock

    # a time before the retry's holds it back, as the reference's clock would
    before = (retry_at - datetime.timedelta(seconds=0.5)).isoformat()
    with pytest.raises(pgqrs.StepNotReadyError):
        await run.acquire_step('flaky', current_time=before)
    with pytest.raises(pgqrs.StepNotReadyError):
        await run.with_time(before).acquire_step('flaky')
    with pytest.raises(pgqrs.StepNotReadyError):
        await pgqrs.step().run(run).name('flaky').with_time(before).execute()

    # a time past it lets the step run, through the decorator too
    after = run.with_time((retry_at + datetime.timedelta(hours=1)).isoformat())

    @step
    async def flaky(ctx):
        return 'second try'
    assert await flaky(after) == 'second try'
    assert (await run.acquire_step('flaky')).value == 'second try'


async def test_builders_by_id(store):
    record = await pgqrs.workflow().name('by_id').store(store).create()
    assert (await pgqrs.workflow().id(record.id).store(store).create()).name == 'by_id'
    msg = await pgqrs.workflow().id(record.id).store(store).trigger(input={'k': 1}).execute()
    run = await pgqrs.run().message(msg).store(store).execute()
    assert run.name == 'by_id' and run.input == {'k': 1}
    await run.start()
    step_result = await pgqrs.step().run(run).id(id='only').execute()
    assert step_result.guard.name == 'only'
    with pytest.raises(pgqrs.QueueNotFoundError):
        await pgqrs.workflow().id(record.id + 1000).store(store).create()
    with pytest.raises(ValueError):
        await pgqrs.workflow().store(store).create()
