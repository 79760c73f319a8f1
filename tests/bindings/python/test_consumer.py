# test_consumer.py — a Pgqrs.Consumer running handlers written in Python
#
# SPDX-License-Identifier: MIT

import threading
import warnings

from gi.repository import GLib, Pgqrs

from conftest import call_async

TIMEOUT_SECONDS = 30


def new_consumer(queue, name='py-consumer'):
    consumer = Pgqrs.Consumer.new(queue, name)
    # The handlers below stop the consumer; the poll interval is only the
    # fallback if a wakeup were lost, and short so a lost one shows as a
    # slow test, not a hung one.
    consumer.props.poll_interval = 0.2
    return consumer


def test_handler_archives_on_success(store, queue):
    ids = queue.enqueue_batch([{'n': n} for n in range(5)], 0)
    consumer = new_consumer(queue)
    seen = []

    def handler(job):
        assert isinstance(job, Pgqrs.Job)
        assert threading.current_thread() is threading.main_thread()
        assert len(job) == 1
        [message] = job
        seen.append((message.get_id(), job.data, job.get_attempt()))
        if len(seen) == len(ids):
            consumer.stop()
        return True

    consumer.set_handler(handler)
    assert call_async(consumer, 'run') is True

    assert seen == [(i, {'n': n}, 1) for n, i in enumerate(ids)]
    assert consumer.get_processed_count() == 5
    assert consumer.get_failed_count() == 0
    assert not consumer.is_running()
    assert consumer.get_worker().get_status() == Pgqrs.WorkerStatus.STOPPED

    metrics = store.get_metrics('tasks')
    assert (metrics.get_archived(), metrics.get_pending(), metrics.get_leased()) == (5, 0, 0)


def test_handler_failure_is_retried(store, queue):
    queue.enqueue({'flaky': True})
    consumer = new_consumer(queue)
    policy = Pgqrs.RetryPolicy.new_fixed(3, 0.1)
    consumer.props.retry_policy = policy
    attempts = []

    def handler(job, expected_user_data):
        assert expected_user_data == 'user data'
        attempts.append(job.get_attempt())
        if job.get_attempt() == 1:
            return False                      # a failure: retried
        if job.get_attempt() == 2:
            raise RuntimeError('boom')        # a failure too, with a reason
        consumer.stop()
        return True

    consumer.set_handler(handler, 'user data')
    assert call_async(consumer, 'run') is True

    assert attempts == [1, 2, 3]
    assert consumer.get_failed_count() == 2
    assert consumer.get_processed_count() == 1
    assert store.get_metrics('tasks').get_archived() == 1


def test_blocking_run_and_deferred_jobs(store, queue):
    queue.enqueue_batch([1, 2, 3], 0)
    consumer = new_consumer(queue)
    consumer.props.batch_size = 3
    batches = []

    def handler(job):
        # A batch job, finished later from an idle callback on the
        # consumer's context (run() makes one its thread default).
        batches.append([m.data for m in job])
        job.defer()

        def finish(*user_data):
            job.complete()
            consumer.stop()
            return GLib.SOURCE_REMOVE

        idle = GLib.idle_source_new()
        idle.set_callback(finish)
        idle.attach(GLib.MainContext.ref_thread_default())
        return True

    consumer.set_handler(handler)
    timer = threading.Timer(TIMEOUT_SECONDS, consumer.stop)
    timer.start()
    try:
        assert consumer.run(None) is True
    finally:
        timer.cancel()

    assert sorted(sum(batches, [])) == [1, 2, 3]
    assert store.get_metrics('tasks').get_archived() == 3


def test_run_without_handler_fails(queue):
    consumer = new_consumer(queue)
    try:
        consumer.run(None)
    except GLib.Error as error:
        assert error.domain == 'pgqrs-error-quark'
    else:
        raise AssertionError('a consumer without a handler ran')


def test_set_object_property_without_warning(queue):
    # PyGObject 3.42 warns (and leaks a reference) for a GObject only a
    # temporary holds; the override's props pass it on as a held one.
    consumer = Pgqrs.Consumer.new(queue, 'policy-worker')
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        consumer.props.retry_policy = Pgqrs.RetryPolicy.new_fixed(3, 0.5)
        consumer.props.poll_interval = 0.25
    assert consumer.props.retry_policy.get_max_retries() == 3
    assert consumer.props.poll_interval == 0.25
    assert 'retry_policy' in dir(consumer.props)
