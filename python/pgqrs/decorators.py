# decorators.py — durable workflows and steps as decorated functions
#
# SPDX-License-Identifier: MIT
#
#   @step
#   async def fetch(ctx, url): ...          # runs once per run, ever
#
#   @workflow(name="pipeline")              # or a bare @workflow
#   async def pipeline(ctx, url):
#       page = await fetch(ctx, url)
#       ...
#
# A step is found again by its function's name: executing a run again
# returns the stored output of the steps that completed and goes on from the
# first that did not. Bodies may be plain or async functions.

import functools
import inspect

from ._errors import (PausedError, RetriesExhaustedError, StateTransitionError,
                      StepNotReadyError, TransientStepError)
from ._types import StepResultStatus, WorkflowStatus
from ._workflow import Run


async def _call(func, *args, **kwargs):
    result = func(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result


def _takes_input(func):
    """Whether @func takes an argument after the run."""
    try:
        parameters = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return True
    positional = [p for p in parameters
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD,
                                p.VAR_POSITIONAL)]
    return len(positional) > 1 or any(p.kind == p.VAR_POSITIONAL
                                      for p in positional)


# The run's own control flow: it leaves the run as it is.
_CONTROL = (TransientStepError, StepNotReadyError, RetriesExhaustedError,
            PausedError)


class WorkflowDef:
    """A workflow function made by @workflow: call it with a Run (and the
    input) to execute the run, or give it to
    pgqrs.dequeue()…handle_workflow()."""

    def __init__(self, name, run, func):
        self.name = name
        self.run = run
        self._func = func
        self.__wrapped__ = func
        self.__doc__ = func.__doc__

    def __call__(self, *args, **kwargs):
        return self.run(*args, **kwargs)

    def __repr__(self):
        return '<pgqrs workflow {!r}>'.format(self.name)


def _make_workflow(func, name):
    @functools.wraps(func)
    async def runner(ctx, *args, **kwargs):
        if not isinstance(ctx, Run):
            raise TypeError('the first argument of a workflow must be a Run, '
                            'not {}'.format(type(ctx).__name__))
        try:
            await ctx.start()
        except StateTransitionError:
            # finished before: its output is the answer
            await ctx.refresh()
            if ctx.status == WorkflowStatus.Success:
                return ctx.output
            raise

        if not args and not kwargs and _takes_input(func):
            args = (ctx.input,)       # executed by a consumer
        try:
            result = await _call(func, ctx, *args, **kwargs)
        except _CONTROL:
            raise
        except Exception as exception:
            try:
                await ctx.fail(str(exception))
            except StateTransitionError:
                pass                  # a step's permanent failure ended it
            raise
        await ctx.success(result)
        return result

    return WorkflowDef(name, runner, func)


def workflow(func=None, *, name=None):
    """Make a function a durable workflow's entry point: @workflow or
    @workflow(name="…") (the name defaults to the function's)."""
    if func is not None:
        if not callable(func):
            raise TypeError('@workflow decorates a function')
        return _make_workflow(func, name or func.__name__)
    if name is not None and not isinstance(name, str):
        raise TypeError('the workflow name must be a string')
    if name == '':
        raise ValueError('the workflow name cannot be empty')

    def decorator(f):
        return _make_workflow(f, name or f.__name__)

    return decorator


def step(func):
    """Make a function a durable step of the run given as its first
    argument, named after the function: its result is stored, and it never
    runs again in that run once it succeeded.

    Raise TransientStepError in it to have it retried by the run's retry
    policy; any other exception fails it (and the run) for good."""

    @functools.wraps(func)
    async def wrapper(ctx, *args, **kwargs):
        if not isinstance(ctx, Run):
            raise TypeError('the first argument of a step must be a Run, '
                            'not {}'.format(type(ctx).__name__))
        result = await ctx.acquire_step(func.__name__)
        if result.status == StepResultStatus.Skipped:
            return result.value

        guard = result.guard
        try:
            value = await _call(func, ctx, *args, **kwargs)
        except TransientStepError as error:
            await guard.fail_transient(error.code, str(error), error.retry_after)
            raise
        except _CONTROL:
            raise
        except Exception as error:
            await guard.fail(str(error))
            raise
        await guard.success(value)
        return value

    return wrapper


__all__ = ['workflow', 'step', 'WorkflowDef']
