# test_workflow.py — durable workflows whose steps are written in Python
#
# SPDX-License-Identifier: MIT

import collections

import pytest

from gi.repository import Gio, GLib, Json, Pgqrs

from conftest import assert_pgqrs_error, call_async


class Pipeline:
    """The three steps of the data pipeline; counts the bodies that ran."""

    def __init__(self):
        self.ran = collections.Counter()

    def fetch(self, step):
        self.ran['fetch'] += 1
        assert step.get_name() == 'fetch'
        return 'id,amount\n1,10\n2,20\n3,30'

    def transform(self, step, raw):
        self.ran['transform'] += 1
        lines = raw.splitlines()[1:]
        return [{'id': int(i), 'amount': int(a)}
                for i, a in (line.split(',') for line in lines)]

    def save(self, step, rows):
        self.ran['save'] += 1
        return {'saved': len(rows), 'total': sum(r['amount'] for r in rows)}

    def execute(self, run, crash_after_transform=False):
        run.start()
        raw = Pgqrs.from_json_node(run.run_step('fetch', self.fetch))
        rows = Pgqrs.from_json_node(
            run.run_step('transform', lambda step: self.transform(step, raw)))
        if crash_after_transform:
            return None
        result = run.run_step('save', lambda step: self.save(step, rows))
        run.complete(result)
        return Pgqrs.from_json_node(result)


def test_completed_steps_do_not_run_twice(store):
    pipeline = Pipeline()
    run = store.create_workflow('data_pipeline', {'url': 'https://example.com/data.csv'})
    assert isinstance(run, Pgqrs.Workflow)
    assert run.input_data == {'url': 'https://example.com/data.csv'}
    assert run.get_status() == Pgqrs.RunStatus.QUEUED

    assert pipeline.execute(run, crash_after_transform=True) is None
    assert pipeline.ran == {'fetch': 1, 'transform': 1}

    # As after a crash: the run is found in the store and executed again.
    again = store.get_workflow_run(run.get_id())
    assert again.get_status() == Pgqrs.RunStatus.RUNNING
    assert pipeline.execute(again) == {'saved': 3, 'total': 60}
    assert pipeline.ran == {'fetch': 1, 'transform': 1, 'save': 1}

    done = store.get_workflow_run(run.get_id())
    assert done.get_status() == Pgqrs.RunStatus.SUCCESS
    assert done.output_data == {'saved': 3, 'total': 60}


def test_step_function_data(store):
    run = store.create_workflow('with_data', None)
    run.start()
    out = run.run_step('one', lambda step, data: data * 2, 21)
    assert Pgqrs.from_json_node(out) == 42
    out = run.run_step('two', lambda step, data: data, func_data='x',
                       cancellable=None)
    assert Pgqrs.from_json_node(out) == 'x'


def test_step_outputs_are_any_json(store):
    run = store.create_workflow('outputs', None)
    run.start()
    values = [{'a': [1, {'b': None}]}, [1, 'two', 3.5, True], 'text é', 42,
              -7, 2.5, True, False, {}, []]
    for i, value in enumerate(values):
        for replay in range(2):
            out = run.run_step('step-{}'.format(i), lambda step, v=value: v)
            assert Pgqrs.from_json_node(out) == value
    # A Json.Node works as well as a Python value.
    out = run.run_step('node', lambda step: Json.from_string('{"n": 1}'))
    assert Pgqrs.from_json_node(out) == {'n': 1}


def test_failing_step_is_retried(store):
    run = store.create_workflow('flaky', {})
    policy = Pgqrs.RetryPolicy.new_fixed(1, 0.05)
    run.set_retry_policy(policy)
    run.start()
    calls = []

    def flaky(step):
        calls.append(step.get_retry_count())
        raise ConnectionError('the service is down')

    with pytest.raises(GLib.Error) as excinfo:
        run.run_step('fetch', flaky)
    assert_pgqrs_error(excinfo, Pgqrs.Error.STEP_NOT_READY)

    GLib.usleep(100 * 1000)
    with pytest.raises(GLib.Error) as excinfo:
        run.run_step('fetch', flaky)
    assert_pgqrs_error(excinfo, Pgqrs.Error.RETRIES_EXHAUSTED)
    assert len(calls) == 2
    assert run.get_status() == Pgqrs.RunStatus.ERROR

    error = Pgqrs.from_json_node(run.get_error())
    assert error['step'] == 'fetch'
    assert 'the service is down' in error['message']


def test_permanent_failure(store):
    run = store.create_workflow('doomed', {})
    run.start()

    def broken(step):
        step.set_error('bad input', False)
        return None

    with pytest.raises(GLib.Error) as excinfo:
        run.run_step('parse', broken)
    assert_pgqrs_error(excinfo, Pgqrs.Error.FAILED)
    assert run.get_status() == Pgqrs.RunStatus.ERROR


def test_async_steps(store):
    run = call_async(store, 'create_workflow', 'async_pipeline', {'n': 2})
    assert call_async(run, 'start') is True

    bodies = 0
    for execution in range(2):
        step = call_async(run, 'acquire_step', 'double')
        assert isinstance(step, Pgqrs.Step)
        if step.is_cached():
            assert execution == 1
        else:
            bodies += 1
            assert call_async(step, 'complete', {'n': run.input_data['n'] * 2}) is True
        assert step.output_data == {'n': 4} or not step.is_cached()

    assert bodies == 1
    step = run.acquire_step('double')
    assert step.is_cached() and step.output_data == {'n': 4}
    assert step.get_status() == Pgqrs.StepStatus.SUCCESS

    assert call_async(run, 'complete', {'n': 4}) is True
    assert call_async(run, 'refresh') is True
    assert run.get_status() == Pgqrs.RunStatus.SUCCESS
    assert run.output_data == {'n': 4}


def test_run_step_async_with_deferred_bodies(store):
    run = store.create_workflow('awaiting', {'n': 3})
    run.start()
    ran = collections.Counter()

    def triple(step):
        # finishes later, from the main loop, as an awaited call would
        ran[step.get_name()] += 1
        step.defer()

        def later():
            step.resolve({'tripled': run.input_data['n'] * 3})
            return GLib.SOURCE_REMOVE

        GLib.timeout_add(10, later)

    def at_once(step):
        ran[step.get_name()] += 1
        return [1, 'two']

    for execution in range(2):
        again = store.get_workflow_run(run.get_id())
        if execution:
            again.start()
        out = call_async(again, 'run_step', 'triple', triple)
        assert Json.to_string(out, False) == '{"tripled":9}'
        out = call_async(again, 'run_step', 'echo', at_once)
        assert Json.to_string(out, False) == '[1,"two"]'

    assert ran == {'triple': 1, 'echo': 1}

    def refuse(step):
        step.defer()
        step.set_error('the remote end said no', False)
        GLib.idle_add(lambda: step.resolve(None))

    with pytest.raises(GLib.Error) as raised:
        call_async(run, 'run_step', 'ask', refuse)
    assert_pgqrs_error(raised, Pgqrs.Error.FAILED)
    assert 'the remote end said no' in raised.value.message
    run.refresh()
    assert run.get_status() == Pgqrs.RunStatus.ERROR


def run_until_waited(consumer, run, waited, results):
    """Run @consumer on a main loop until @run ends and waited(source,
    result) has seen it, or 30 seconds have passed ('timed out' is then
    appended to @results)."""
    loop = GLib.MainLoop()

    def on_waited(source, result):
        waited(source, result)
        consumer.stop()

    def run_done(source, result):
        source.run_finish(result)
        loop.quit()

    def timed_out():
        results.append('timed out')
        consumer.stop()
        return GLib.SOURCE_REMOVE

    run.wait_async(20, None, on_waited)
    consumer.run_async(None, run_done)
    timeout = GLib.timeout_add_seconds(30, timed_out)
    loop.run()
    GLib.source_remove(timeout)


def test_consumer_runs_python_workflow(store):
    queue = store.create_queue('pipelines')
    assert store.define_workflow('pipeline', 'pipelines') is True
    pipeline = Pipeline()
    run = store.trigger_workflow('pipeline', {'url': 'file:///data.csv'})
    assert run.get_message_id() > 0

    consumer = Pgqrs.Consumer.new(queue, 'pipeline-runner')
    consumer.props.poll_interval = 0.2

    def workflow(run, data):
        assert data == 'user data'
        assert run.input_data == {'url': 'file:///data.csv'}
        return pipeline.execute_steps(run)

    # A consumer starts and completes the run itself: the function only runs
    # the steps and returns the output.
    def execute_steps(run):
        raw = Pgqrs.from_json_node(run.run_step('fetch', pipeline.fetch))
        rows = Pgqrs.from_json_node(
            run.run_step('transform', lambda step: pipeline.transform(step, raw)))
        return run.run_step('save', lambda step: pipeline.save(step, rows))

    pipeline.execute_steps = execute_steps
    consumer.set_workflow(workflow, 'user data')

    outputs = []
    run_until_waited(consumer, run,
                     lambda source, result: outputs.append(source.wait_finish(result)),
                     outputs)

    assert [Pgqrs.from_json_node(o) for o in outputs] == [{'saved': 3, 'total': 60}]
    assert pipeline.ran == {'fetch': 1, 'transform': 1, 'save': 1}
    assert store.get_workflow_run(run.get_id()).get_status() == Pgqrs.RunStatus.SUCCESS


def test_wait_times_out(store):
    store.create_queue('pipelines')
    store.define_workflow('pipeline', 'pipelines')
    run = store.trigger_workflow('pipeline', None)
    with pytest.raises(GLib.Error) as excinfo:
        call_async(run, 'wait', 0.2)
    assert excinfo.value.matches(Gio.io_error_quark(), Gio.IOErrorEnum.TIMED_OUT)



def test_workflow_exception_text_is_the_run_error(store):
    queue = store.create_queue('pipelines')
    store.define_workflow('pipeline', 'pipelines')
    run = store.trigger_workflow('pipeline', {'n': 1})
    consumer = Pgqrs.Consumer.new(queue, 'failing-runner')
    consumer.props.poll_interval = 0.2

    def workflow(run):
        raise ValueError('the input has no rows (n=1)')

    consumer.set_workflow(workflow)
    errors = []

    def waited(source, result):
        try:
            source.wait_finish(result)
        except GLib.Error as error:
            errors.append(error.message)

    run_until_waited(consumer, run, waited, errors)

    final = store.get_workflow_run(run.get_id())
    assert final.get_status() == Pgqrs.RunStatus.ERROR
    assert 'ValueError: the input has no rows (n=1)' in \
        Pgqrs.from_json_node(final.get_error())['message']
    assert 'ValueError: the input has no rows (n=1)' in errors[0]
