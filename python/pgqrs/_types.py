# _types.py — enums, the configuration, and the records calls return
#
# SPDX-License-Identifier: MIT

import datetime
import enum

from ._gi import GLib, Pgqrs
from . import _payload
from ._errors import from_gerror


class WorkerStatus(str, enum.Enum):
    """A worker's lifecycle status; compares equal to its name in capitals."""
    Ready = 'READY'
    Polling = 'POLLING'
    Interrupted = 'INTERRUPTED'
    Suspended = 'SUSPENDED'
    Stopped = 'STOPPED'

    def __str__(self):
        return self.value


class WorkflowStatus(str, enum.Enum):
    """A workflow run's (or a step's) status; compares equal to the
    library's name of it ("SUCCESS"…)."""
    Queued = 'QUEUED'
    Running = 'RUNNING'
    Paused = 'PAUSED'
    Cancelling = 'CANCELLING'
    Cancelled = 'CANCELLED'
    Success = 'SUCCESS'
    Error = 'ERROR'

    def __str__(self):
        return self.value


class StepResultStatus(str, enum.Enum):
    """What Run.acquire_step() found: run the body, or the step is done and
    its stored output is the value."""
    Execute = 'EXECUTE'
    Skipped = 'SKIPPED'

    def __str__(self):
        return self.value


_WORKER_STATUS = {
    Pgqrs.WorkerStatus.READY: WorkerStatus.Ready,
    Pgqrs.WorkerStatus.POLLING: WorkerStatus.Polling,
    Pgqrs.WorkerStatus.INTERRUPTED: WorkerStatus.Interrupted,
    Pgqrs.WorkerStatus.SUSPENDED: WorkerStatus.Suspended,
    Pgqrs.WorkerStatus.STOPPED: WorkerStatus.Stopped,
}


def worker_status(status):
    return _WORKER_STATUS[status]


def run_status(status):
    return WorkflowStatus(Pgqrs.run_status_to_string(status))


_STEP_STATUS = {
    # the reference gives a step a WorkflowStatus: a step known but not
    # started is Queued there
    Pgqrs.StepStatus.PENDING: WorkflowStatus.Queued,
    Pgqrs.StepStatus.RUNNING: WorkflowStatus.Running,
    Pgqrs.StepStatus.SUCCESS: WorkflowStatus.Success,
    Pgqrs.StepStatus.ERROR: WorkflowStatus.Error,
}


def step_status(status):
    return _STEP_STATUS[status]


def iso(date_time):
    """A GDateTime as RFC 3339 text, None for none."""
    return None if date_time is None else date_time.format_iso8601()


def parse_time(time):
    """RFC 3339 text (with its offset) as an aware datetime in UTC."""
    try:
        when = datetime.datetime.fromisoformat(time)
    except (TypeError, ValueError):
        when = None
    if when is None or when.tzinfo is None:
        raise ValueError('not an RFC 3339 time with an offset: {!r}'.format(time))
    return when.astimezone(datetime.timezone.utc)


class BackoffStrategy:
    """How long a failed step waits before its retry."""

    def __init__(self, kind, base_seconds, max_seconds):
        self.kind = kind
        self.base_seconds = base_seconds
        self.max_seconds = max_seconds

    @staticmethod
    def fixed(delay_seconds):
        return BackoffStrategy('fixed', delay_seconds, delay_seconds)

    @staticmethod
    def exponential(base_seconds, max_seconds):
        return BackoffStrategy('exponential', base_seconds, max_seconds)

    @staticmethod
    def exponential_with_jitter(base_seconds, max_seconds):
        return BackoffStrategy('exponential_with_jitter', base_seconds,
                               max_seconds)

    def __repr__(self):
        return 'BackoffStrategy.{}({}, {})'.format(self.kind, self.base_seconds,
                                                    self.max_seconds)


class StepRetryPolicy:
    """How often and when a run's transiently failed steps are retried."""

    def __init__(self, max_attempts=3, backoff=None):
        self._max_attempts = max_attempts
        self.backoff = backoff or BackoffStrategy.exponential_with_jitter(1, 60)

    @property
    def max_attempts(self):
        return self._max_attempts

    def to_gobject(self):
        if self.backoff.kind == 'fixed':
            return Pgqrs.RetryPolicy.new_fixed(self._max_attempts,
                                               float(self.backoff.base_seconds))
        return Pgqrs.RetryPolicy.new_exponential(
            self._max_attempts, float(self.backoff.base_seconds),
            float(self.backoff.max_seconds),
            self.backoff.kind == 'exponential_with_jitter')

    def __repr__(self):
        return 'StepRetryPolicy(max_attempts={}, backoff={!r})'.format(
            self._max_attempts, self.backoff)


def _option(name, prop, to_text=str, from_value=None, doc=None):
    def get(self):
        value = self._config.get_property(prop)
        return from_value(value) if from_value else value

    def set(self, value):
        self._set(name, to_text(value))

    return property(get, set, doc=doc)


def _keys_text(keys):
    return ','.join(keys)


def _none_for_zero(value):
    return value or None


class Config:
    """A store's configuration: a DSN and the options that go with it.

    Each property is also an option of the DSN's query string."""

    def __init__(self, dsn, schema=None, max_connections=None):
        try:
            self._config = Pgqrs.Config.new_from_dsn(dsn)
        except GLib.Error as error:
            raise from_gerror(error) from None
        if schema is not None:
            self.schema = schema
        if max_connections is not None:
            self.max_connections = max_connections

    @staticmethod
    def from_dsn(dsn):
        return Config(dsn)

    def _set(self, key, text):
        try:
            self._config.set_option(key, text)
        except GLib.Error as error:
            raise from_gerror(error) from None

    @property
    def dsn(self):
        return self._config.get_dsn()

    schema = _option('schema', 'schema')
    max_connections = _option('max_connections', 'max-connections')
    default_lock_time_seconds = _option(
        'visibility_timeout', 'visibility-timeout',
        doc='Seconds a dequeued message stays leased (visibility timeout).')
    max_read_ct = _option('max_read_count', 'max-read-count')
    heartbeat_interval_seconds = _option('heartbeat_interval',
                                         'heartbeat-interval')
    poll_interval_seconds = _option('poll_interval', 'poll-interval')
    max_payload_size_bytes = _option('max_payload_bytes', 'max-payload-bytes')
    max_string_length = _option('max_string_bytes', 'max-string-bytes')
    max_object_depth = _option('max_depth', 'max-depth')
    forbidden_keys = _option('forbidden_keys', 'forbidden-keys', _keys_text,
                             lambda keys: list(keys or []))
    required_keys = _option('required_keys', 'required-keys', _keys_text,
                            lambda keys: list(keys or []))
    max_enqueue_per_second = _option('enqueue_rate_limit', 'enqueue-rate-limit',
                                     lambda v: str(v or 0), _none_for_zero)
    max_enqueue_burst = _option('enqueue_burst', 'enqueue-burst',
                                lambda v: str(v or 0), _none_for_zero)

    def copy(self):
        config = Config.__new__(Config)
        config._config = self._config.copy()
        return config

    def __repr__(self):
        return '<pgqrs.Config {}>'.format(self._config.get_backend_kind().value_nick)


class QueueMessage:
    """A message, as dequeued or listed. payload is a Python value."""

    __slots__ = ('_message', '_payload', '_payload_read', 'queue_name')

    def __init__(self, message, queue_name=None):
        self._message = message
        self._payload = None
        self._payload_read = False
        self.queue_name = queue_name

    @property
    def id(self):
        return self._message.get_id()

    @property
    def queue_id(self):
        return self._message.get_queue_id()

    @property
    def payload(self):
        # parsed once: a handler may read it often
        if not self._payload_read:
            self._payload = _payload.message_value(self._message)
            self._payload_read = True
        return self._payload

    @property
    def vt(self):
        return iso(self._message.get_visible_at())

    @property
    def enqueued_at(self):
        return iso(self._message.get_enqueued_at())

    @property
    def read_ct(self):
        return self._message.get_read_count()

    @property
    def dequeued_at(self):
        return iso(self._message.get_dequeued_at())

    @property
    def archived_at(self):
        return iso(self._message.get_archived_at())

    @property
    def producer_worker_id(self):
        return self._message.get_producer_worker_id() or None

    @property
    def consumer_worker_id(self):
        return self._message.get_consumer_worker_id() or None

    @property
    def dead_letter(self):
        """Whether it was archived as a dead letter (read too often)."""
        return self._message.get_archive_reason() == Pgqrs.ArchiveReason.DEAD_LETTER

    def __repr__(self):
        return '<pgqrs.QueueMessage id={} queue_id={} read_ct={}>'.format(
            self.id, self.queue_id, self.read_ct)


class TriggerMessage:
    """The trigger message of a workflow run that WorkflowTriggerBuilder
    enqueued: its id, and the run's input as payload."""

    __slots__ = ('id', 'queue_id', 'payload', 'run_id')

    def __init__(self, message_id, queue_id, payload, run_id):
        self.id = message_id
        self.queue_id = queue_id
        self.payload = payload
        self.run_id = run_id

    def __repr__(self):
        return '<pgqrs.TriggerMessage id={} run_id={}>'.format(self.id,
                                                                self.run_id)


class QueueInfo:
    __slots__ = ('id', 'queue_name', 'created_at')

    def __init__(self, queue):
        self.id = queue.get_id()
        self.queue_name = queue.get_name()
        self.created_at = iso(queue.get_created_at())

    def __repr__(self):
        return '<pgqrs.QueueInfo {!r} id={}>'.format(self.queue_name, self.id)


class WorkerInfo:
    __slots__ = ('id', 'name', 'status', 'queue_id', 'heartbeat_at',
                 'started_at')

    def __init__(self, worker):
        self.id = worker.get_id()
        self.name = worker.get_name()
        self.status = worker_status(worker.get_status())
        self.queue_id = worker.get_queue_id() or None
        self.heartbeat_at = iso(worker.get_heartbeat_at())
        self.started_at = iso(worker.get_started_at())

    @property
    def hostname(self):
        return self.name

    def __repr__(self):
        return '<pgqrs.WorkerInfo {!r} id={} {}>'.format(self.name, self.id,
                                                         self.status.value)


class WorkflowRecord:
    """A workflow definition: its name and the queue its triggers go to.
    The library keeps no id for a definition apart from its name: id is
    the queue's id."""

    __slots__ = ('id', 'name', 'queue_id')

    def __init__(self, name, queue_id):
        self.id = queue_id
        self.name = name
        self.queue_id = queue_id

    def __repr__(self):
        return '<pgqrs.WorkflowRecord {!r} queue_id={}>'.format(self.name,
                                                                self.queue_id)


class RunRecord:
    """A workflow run as stored (see Store.get_workflow_runs()).

    workflow_id is the id of the workflow's WorkflowRecord (its queue's),
    None for a run of a workflow never defined with pgqrs.workflow()…
    create(); workflow_name is the workflow's name either way."""

    __slots__ = ('id', 'workflow_id', 'workflow_name', 'status', 'input',
                 'output', 'error', 'created_at', 'updated_at')

    def __init__(self, run, workflow_id):
        self.id = run.get_id()
        self.workflow_id = workflow_id
        self.workflow_name = run.get_name()
        self.status = run_status(run.get_status())
        self.input = _payload.from_node(run.get_input())
        self.output = _payload.from_node(run.get_output())
        self.error = _payload.from_node(run.get_error())
        self.created_at = iso(run.get_created_at())
        self.updated_at = iso(run.get_updated_at())

    def __repr__(self):
        return '<pgqrs.RunRecord {!r} id={} {}>'.format(
            self.workflow_name, self.id, self.status.value)


class StepRecord:
    """A step of a run as stored (see Store.get_workflow_steps()). A step
    has no input of its own here (its run has): input is None. retry_at
    is when a transiently failed step is retried, retry_count how often it
    was; the library keeps no creation or update time for a step."""

    __slots__ = ('id', 'run_id', 'step_name', 'status', 'input', 'output',
                 'error', 'retry_at', 'retry_count')

    def __init__(self, step, run_id):
        self.id = step.get_id()
        self.run_id = run_id
        self.step_name = step.get_name()
        self.status = step_status(step.get_status())
        self.input = None
        self.output = _payload.from_node(step.get_output())
        self.error = _payload.from_node(step.get_error())
        self.retry_at = iso(step.get_retry_at())
        self.retry_count = step.get_retry_count()

    def __repr__(self):
        return '<pgqrs.StepRecord {!r} id={} run_id={} {}>'.format(
            self.step_name, self.id, self.run_id, self.status.value)


def metrics_dict(metrics):
    """Queue metrics as the reference's dict."""
    return {
        'name': metrics.get_queue_name(),
        'total_messages': metrics.get_total(),
        'pending_messages': metrics.get_pending(),
        'delayed_messages': metrics.get_delayed(),
        'locked_messages': metrics.get_leased(),
        'archived_messages': metrics.get_archived(),
        'dead_lettered_messages': metrics.get_dead_lettered(),
        'oldest_pending_age_seconds': metrics.get_oldest_pending_age(),
    }


def worker_stats_dict(stats):
    return {
        'queue_name': stats.get_queue_name(),
        'total_workers': stats.get_total(),
        'ready_workers': stats.get_count(Pgqrs.WorkerStatus.READY),
        'polling_workers': stats.get_count(Pgqrs.WorkerStatus.POLLING),
        'interrupted_workers': stats.get_count(Pgqrs.WorkerStatus.INTERRUPTED),
        'suspended_workers': stats.get_count(Pgqrs.WorkerStatus.SUSPENDED),
        'stopped_workers': stats.get_count(Pgqrs.WorkerStatus.STOPPED),
        'stale_workers': stats.get_stale(),
        'held_messages': stats.get_held_messages(),
        'oldest_heartbeat_age_seconds': stats.get_oldest_heartbeat_age(),
    }
