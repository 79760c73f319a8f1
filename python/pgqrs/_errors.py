# _errors.py — the exception classes, and the GError codes they stand for
#
# SPDX-License-Identifier: MIT

import asyncio

from ._gi import Gio, GLib, Pgqrs


class PgqrsError(Exception):
    """Base class of every pgqrs error.

    An error that came from the library has error_code, its Pgqrs.Error
    code (None otherwise)."""

    def __init__(self, *args, error_code=None):
        super().__init__(*args)
        self.error_code = error_code


class PgqrsConnectionError(PgqrsError):
    """The database could not be reached, or a statement failed in it."""


class QueueNotFoundError(PgqrsError):
    """No queue of that name."""


class WorkerNotFoundError(PgqrsError):
    """No worker with that id."""


class QueueAlreadyExistsError(PgqrsError):
    """A queue of that name exists already."""


class MessageNotFoundError(PgqrsError):
    """No such message (or workflow run), or not one this consumer leased."""


class SerializationError(PgqrsError):
    """A value is not JSON."""


class ConfigError(PgqrsError):
    """A DSN or a configuration value is wrong."""


class RateLimitedError(PgqrsError):
    """The queue's enqueue rate limit was hit."""


class ValidationError(PgqrsError):
    """A payload or a name broke the store's rules."""


class TimeoutError(PgqrsError):  # noqa: A001 — the reference's name
    """A call took longer than it may."""


class InternalError(PgqrsError):
    """The library failed in a way it does not classify."""


class StateTransitionError(PgqrsError):
    """A worker or a workflow run is not in a state that allows this."""


class TransientStepError(PgqrsError):
    """Raised by a step body to fail the step with a transient error, which
    the run's retry policy retries; code classifies it and retry_after (in
    seconds) asks for a later retry."""

    def __init__(self, message='', code='TRANSIENT_ERROR', retry_after=None,
                 error_code=None):
        super().__init__(message, error_code=error_code)
        self.code = code
        self.retry_after = retry_after


class RetriesExhaustedError(PgqrsError):
    """A step failed transiently more often than the retry policy allows;
    the run has failed."""


class StepNotReadyError(PgqrsError):
    """A step's retry is not due yet: stop executing the run, it comes back
    at the retry time."""


class PausedError(PgqrsError):
    """The run is paused."""


_BY_CODE = {
    Pgqrs.Error.FAILED: PgqrsError,
    Pgqrs.Error.INVALID_CONFIG: ConfigError,
    Pgqrs.Error.VALIDATION: ValidationError,
    Pgqrs.Error.PAYLOAD_TOO_LARGE: ValidationError,
    Pgqrs.Error.QUEUE_NOT_FOUND: QueueNotFoundError,
    Pgqrs.Error.QUEUE_EXISTS: QueueAlreadyExistsError,
    Pgqrs.Error.QUEUE_IN_USE: StateTransitionError,
    Pgqrs.Error.NOT_FOUND: MessageNotFoundError,
    Pgqrs.Error.RATE_LIMITED: RateLimitedError,
    Pgqrs.Error.CONNECTION: PgqrsConnectionError,
    Pgqrs.Error.DATABASE: PgqrsConnectionError,
    Pgqrs.Error.SCHEMA_MISSING: PgqrsError,
    Pgqrs.Error.BACKEND_UNAVAILABLE: ConfigError,
    Pgqrs.Error.INVALID_STATE: StateTransitionError,
    Pgqrs.Error.WORKER_EXISTS: StateTransitionError,
    Pgqrs.Error.STEP_NOT_READY: StepNotReadyError,
    Pgqrs.Error.RETRIES_EXHAUSTED: RetriesExhaustedError,
    Pgqrs.Error.PAUSED: PausedError,
    Pgqrs.Error.CANCELLED: StateTransitionError,
    Pgqrs.Error.CONFLICT: StateTransitionError,
}


def from_gerror(error):
    """The exception that stands for the GLib.Error @error."""
    if error.matches(Pgqrs.error_quark(), error.code):
        cls = _BY_CODE.get(Pgqrs.Error(error.code), PgqrsError)
        return cls(error.message, error_code=Pgqrs.Error(error.code))
    if error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
        return asyncio.CancelledError(error.message)
    if error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.TIMED_OUT):
        return TimeoutError(error.message)
    return InternalError(error.message)


def to_gerror(code, message):
    """A GLib.Error of the library's domain, to hand back to it."""
    return GLib.Error.new_literal(Pgqrs.error_quark(), message, int(code))


__all__ = [
    'PgqrsError', 'PgqrsConnectionError', 'QueueNotFoundError',
    'WorkerNotFoundError', 'QueueAlreadyExistsError', 'MessageNotFoundError',
    'SerializationError', 'ConfigError', 'RateLimitedError', 'ValidationError',
    'TimeoutError', 'InternalError', 'StateTransitionError',
    'TransientStepError', 'RetriesExhaustedError', 'StepNotReadyError',
    'PausedError',
]
