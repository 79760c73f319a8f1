# Pgqrs.py — PyGObject override for pgqrs
#
# SPDX-License-Identifier: MIT
#
# Sugar only: every function keeps the name, the arguments and the return
# value of the introspected API. What this adds:
#
#  - payloads, workflow inputs and outputs may be plain Python values (dict,
#    list, str, int, float, bool, None) wherever the C API takes a Json.Node,
#    and a step function may return one;
#  - message payloads, job payloads and workflow inputs and outputs can be
#    read back as Python values (the .data, .input_data and .output_data
#    properties);
#  - a job iterates over its messages;
#  - an exception raised by a consumer handler fails the job with the
#    exception's text as the reason, one raised by a step function fails
#    the step (transient: it is retried per the run's retry policy), and one
#    raised by a workflow function fails the run with the exception's text
#    as its error, instead of being printed and lost.
#
# Payloads travel as JSON text between Python's json module and pgqrs's own
# JSON reader and writer (Pgqrs.json_from_string(), Pgqrs.json_to_string(),
# the _text forms of enqueue and get_payload): json-glib 1.6 would turn
# 1e18 into text that is not JSON and wrap 2**64 into -1.

import json
import traceback

from gi.module import get_introspection_module
from gi.overrides import override
from gi.repository import Json

Pgqrs = get_introspection_module('Pgqrs')

__all__ = ['to_json_node', 'from_json_node']


def _to_text(value):
    """@value as JSON text: a Json.Node as pgqrs writes it, anything else as
    the json module does, refusing NaN and infinities."""
    if isinstance(value, Json.Node):
        return Pgqrs.json_to_string(value)
    text = json.dumps(value, allow_nan=False, ensure_ascii=False)
    if _holds_nul(value):
        raise ValueError('a payload string holds U+0000, which a Json.Node '
                         'cannot keep (its strings end there)')
    return text


def to_json_node(value):
    """Return @value as a Json.Node.

    A Json.Node is returned as it is. Anything else must be what the json
    module can encode: dict (with str keys), list, tuple, str, int, float,
    bool or None. NaN and infinities are refused, as JSON has no spelling for
    them. An int beyond 64 bits becomes the nearest float, as a Json.Node
    holds no larger integer.

    Raises TypeError or ValueError for a value that is not JSON, and
    ValueError for a string holding U+0000, which json-glib would silently
    cut short there.
    """
    if isinstance(value, Json.Node):
        return value
    return Pgqrs.json_from_string(_to_text(value))


def _holds_nul(value):
    if isinstance(value, str):
        return '\0' in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_holds_nul(v) for v in value)
    return False


def from_json_node(node):
    """Return the Json.Node @node as a Python value (None for None).

    Objects become dicts, arrays lists, and the scalars str, int, float, bool
    or None. Every call builds a new value: changing it changes no message.
    """
    if node is None:
        return None
    return json.loads(Pgqrs.json_to_string(node))


class Queue(Pgqrs.Queue):
    # *args and **kwargs pass the remaining arguments through unchanged, so
    # the cancellable, callback and user data work exactly as without this
    # override.

    # Every enqueue goes through the JSON text forms, so a Python value
    # never passes through a Json.Node; a single delayed message is a batch
    # of one.

    def enqueue(self, payload, *args, **kwargs):
        return super().enqueue_text(_to_text(payload), *args, **kwargs)

    def enqueue_async(self, payload, *args, **kwargs):
        return super().enqueue_text_async(_to_text(payload), *args, **kwargs)

    def enqueue_finish(self, result):
        return super().enqueue_text_finish(result)

    def enqueue_delayed(self, payload, delay_seconds, *args, **kwargs):
        return super().enqueue_batch_text([_to_text(payload)], delay_seconds,
                                          *args, **kwargs)[0]

    def enqueue_delayed_async(self, payload, delay_seconds, *args, **kwargs):
        return super().enqueue_batch_text_async([_to_text(payload)],
                                                delay_seconds, *args, **kwargs)

    def enqueue_delayed_finish(self, result):
        return super().enqueue_batch_text_finish(result)[0]

    def enqueue_batch(self, payloads, *args, **kwargs):
        return super().enqueue_batch_text([_to_text(p) for p in payloads],
                                          *args, **kwargs)

    def enqueue_batch_async(self, payloads, *args, **kwargs):
        return super().enqueue_batch_text_async([_to_text(p) for p in payloads],
                                                *args, **kwargs)

    def enqueue_batch_finish(self, result):
        return super().enqueue_batch_text_finish(result)

    def __repr__(self):
        return '<Pgqrs.Queue {!r} id={}>'.format(self.get_name(),
                                                 self.get_id())


Queue = override(Queue)
__all__.append('Queue')


class Message(Pgqrs.Message):

    def get_data(self):
        """Return the payload as a Python value, read from its JSON text
        by the json module: an integer keeps every digit."""
        return json.loads(self.get_payload_text())

    data = property(get_data,
                    doc='The payload as a Python value; see from_json_node().')

    def __repr__(self):
        return '<Pgqrs.Message id={} queue_id={} read_count={}>'.format(
            self.get_id(), self.get_queue_id(), self.get_read_count())


Message = override(Message)
__all__.append('Message')


class QueueMetrics(Pgqrs.QueueMetrics):

    def __repr__(self):
        return ('<Pgqrs.QueueMetrics {!r} total={} pending={} delayed={} '
                'leased={} archived={} dead_lettered={}>').format(
                    self.get_queue_name(), self.get_total(),
                    self.get_pending(), self.get_delayed(), self.get_leased(),
                    self.get_archived(), self.get_dead_lettered())


QueueMetrics = override(QueueMetrics)
__all__.append('QueueMetrics')


class Job(Pgqrs.Job):

    def get_data(self):
        """Return the payload of a one-message job as a Python value."""
        return json.loads(self.get_payload_text())

    data = property(get_data,
                    doc='The payload of a one-message job as a Python value.')

    def __iter__(self):
        """Iterate over the job's messages: one, or a batch."""
        return iter(self.get_messages())

    def __len__(self):
        return len(self.get_messages())

    def __repr__(self):
        return '<Pgqrs.Job messages={} attempt={}>'.format(
            [m.get_id() for m in self.get_messages()], self.get_attempt())


Job = override(Job)
__all__.append('Job')


def _reason(exception):
    return ''.join(traceback.format_exception_only(type(exception),
                                                   exception)).strip()


class _Props:
    """The props of an object, forwarded, holding the value being set.

    PyGObject 3.42 takes a GObject that only a temporary Python value holds
    (`consumer.props.retry_policy = Pgqrs.RetryPolicy.new_fixed(3, 1)`) for
    one about to be freed: it adds a reference the object never loses and
    prints a RuntimeWarning (bug 687522). Passing it on from here, where a
    local name holds it too, is the plain case.
    """

    __slots__ = ('_props',)

    def __init__(self, props):
        object.__setattr__(self, '_props', props)

    def __getattr__(self, name):
        return getattr(self._props, name)

    def __setattr__(self, name, value):
        setattr(self._props, name, value)

    def __dir__(self):
        return dir(self._props)

    def __iter__(self):
        return iter(self._props)


class Consumer(Pgqrs.Consumer):

    @property
    def props(self):
        return _Props(super().props)

    def set_handler(self, handler, *user_data):
        def call_handler(job, *args):
            try:
                return handler(job, *args)
            except Exception as exception:  # noqa: BLE001 — it is reported
                job.fail(_reason(exception))
                return False

        return super().set_handler(call_handler, *user_data)

    def set_workflow(self, func, *user_data):
        def call_workflow(run, *args):
            try:
                result = func(run, *args)
            except Exception as exception:  # noqa: BLE001 — it is reported
                # The run's error keeps the exception's text; the consumer
                # sees the run failed and settles its trigger.
                run.fail({'message': _reason(exception)})
                return None
            return None if result is None else to_json_node(result)

        return super().set_workflow(call_workflow, *user_data)


Consumer = override(Consumer)
__all__.append('Consumer')


class Store(Pgqrs.Store):

    def create_workflow(self, name, input, *args, **kwargs):
        return super().create_workflow(name, to_json_node(input),
                                       *args, **kwargs)

    def create_workflow_async(self, name, input, *args, **kwargs):
        return super().create_workflow_async(name, to_json_node(input),
                                             *args, **kwargs)

    def trigger_workflow(self, name, input, *args, **kwargs):
        return super().trigger_workflow(name, to_json_node(input),
                                        *args, **kwargs)

    def trigger_workflow_async(self, name, input, *args, **kwargs):
        return super().trigger_workflow_async(name, to_json_node(input),
                                              *args, **kwargs)


Store = override(Store)
__all__.append('Store')


def _step_body(func, with_data):
    """Wrap a step function: its Python result becomes a Json.Node, and an
    exception fails the step as transient with the exception's text. None
    keeps its C meaning, the step failed (see Step.set_error())."""
    def body(step, func_data=None):
        try:
            result = func(step, func_data) if with_data else func(step)
        except Exception as exception:  # noqa: BLE001 — it is reported
            step.set_error(_reason(exception), True)
            return None
        return None if result is None else to_json_node(result)

    return body


class Workflow(Pgqrs.Workflow):

    def run_step(self, name, func, *args, **kwargs):
        # PyGObject hands func_data to the function even when none was
        # given, as it is not the last argument; like the handler of a
        # consumer, a step function gets it only when there is one.
        with_data = bool(args) or 'func_data' in kwargs
        return super().run_step(name, _step_body(func, with_data),
                                *args, **kwargs)

    def run_step_async(self, name, func, cancellable=None, callback=None,
                       *user_data, **kwargs):
        # As run_step(), with the usual (cancellable, callback, user_data)
        # of an async call; func_data only by keyword. A body that finishes
        # later calls step.defer() and then step.resolve(value).
        # (PyGObject 3.42 takes the closures' data reliably only by keyword.)
        with_data = 'func_data' in kwargs
        if with_data:
            kwargs['func_data'] = (kwargs['func_data'],)
        if user_data:
            kwargs['user_data'] = user_data[0] if len(user_data) == 1 else user_data
        return super().run_step_async(name, _step_body(func, with_data),
                                      cancellable=cancellable,
                                      callback=callback, **kwargs)

    def complete(self, output, *args, **kwargs):
        return super().complete(to_json_node(output), *args, **kwargs)

    def complete_async(self, output, *args, **kwargs):
        return super().complete_async(to_json_node(output), *args, **kwargs)

    def fail(self, error_value, *args, **kwargs):
        return super().fail(to_json_node(error_value), *args, **kwargs)

    def fail_async(self, error_value, *args, **kwargs):
        return super().fail_async(to_json_node(error_value), *args, **kwargs)

    def get_input_data(self):
        """Return the run's input as a Python value."""
        return from_json_node(self.get_input())

    def get_output_data(self):
        """Return the run's output as a Python value (None before it
        completed)."""
        return from_json_node(self.get_output())

    input_data = property(get_input_data,
                          doc="The run's input as a Python value.")
    output_data = property(get_output_data,
                           doc="The run's output as a Python value.")

    def __repr__(self):
        return '<Pgqrs.Workflow {!r} id={} status={}>'.format(
            self.get_name(), self.get_id(),
            Pgqrs.run_status_to_string(self.get_status()))


Workflow = override(Workflow)
__all__.append('Workflow')


class Step(Pgqrs.Step):

    def resolve(self, output):
        return super().resolve(None if output is None else to_json_node(output))

    def complete(self, output, *args, **kwargs):
        return super().complete(to_json_node(output), *args, **kwargs)

    def complete_async(self, output, *args, **kwargs):
        return super().complete_async(to_json_node(output), *args, **kwargs)

    def get_output_data(self):
        """Return the step's stored output as a Python value."""
        return from_json_node(self.get_output())

    output_data = property(get_output_data,
                           doc="The step's output as a Python value.")


Step = override(Step)
__all__.append('Step')
