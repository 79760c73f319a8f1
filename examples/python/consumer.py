#!/usr/bin/env python3
# consumer.py — a pgqrs consumer as a service runs one, from Python.
#
# The consumer leases messages from "tasks", calls the handler for each and
# archives the ones it handled. It runs until SIGINT (Ctrl-C) or SIGTERM:
# then it finishes the jobs in hand and the program ends.
#
# The signal handlers are GLib sources on the default main context, so the
# consumer runs with run_async() on a GLib.MainLoop of that context. The
# blocking consumer.run() iterates a private context instead: while it
# blocks, no source of the program's context runs, signal sources included.
#
# Usage: consumer.py [DSN]      (default: sqlite://consumer-example.db)
#
# SPDX-License-Identifier: MIT

import signal
import sys

import gi

gi.require_version('Pgqrs', '1')
from gi.repository import GLib, Pgqrs  # noqa: E402

N_TASKS = 5
dsn = sys.argv[1] if len(sys.argv) > 1 else 'sqlite://consumer-example.db'

store = Pgqrs.Store.new(dsn)
store.install()
try:
    queue = store.get_queue('tasks')
except GLib.Error as error:
    if not error.matches(Pgqrs.error_quark(), Pgqrs.Error.QUEUE_NOT_FOUND):
        raise
    queue = store.create_queue('tasks')

for i in range(1, N_TASKS + 1):
    queue.enqueue({'task': 'send_email', 'to': f'user{i}@example.com'})

consumer = Pgqrs.Consumer.new(queue, 'email-sender')
loop = GLib.MainLoop()
handled = 0


def send_email(job):
    global handled
    handled += 1
    print(f'sending email #{handled} to {job.data["to"]}', flush=True)
    if handled == N_TASKS:
        print(f'all {N_TASKS} sent; waiting for more until SIGINT or SIGTERM', flush=True)
    return True


def stop_on_signal():
    print('stopping on a signal', flush=True)
    consumer.stop()                 # graceful: jobs in hand finish
    return GLib.SOURCE_CONTINUE


def stopped(consumer, result):
    try:
        consumer.run_finish(result)
    finally:
        loop.quit()


consumer.set_handler(send_email)
for signum in (signal.SIGINT, signal.SIGTERM):
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, stop_on_signal)
consumer.run_async(None, stopped)
loop.run()

print(f'handled {handled}')
sys.exit(0 if handled == N_TASKS else 1)
