#!/usr/bin/env python3
# quickstart.py — the pgqrs job queue from Python, in one page.
#
# Connect to a database, install the pgqrs tables, create a queue, enqueue
# a job, lease it back as a consumer would, handle it, archive it, and look
# at the queue's metrics. Payloads are plain Python values: the Pgqrs.py
# override turns them into JSON and back.
#
# Usage: quickstart.py [DSN]      (default: sqlite://quickstart.db)
#
# SPDX-License-Identifier: MIT

import sys

import gi

gi.require_version('Pgqrs', '1')
from gi.repository import GLib, Pgqrs  # noqa: E402

dsn = sys.argv[1] if len(sys.argv) > 1 else 'sqlite://quickstart.db'

# Connect, and create or update the tables: install is idempotent, so
# applications call it at start-up. Failures raise GLib.Error.
store = Pgqrs.Store.new(dsn)
store.install()

# A queue is created once; later runs find it.
try:
    queue = store.get_queue('tasks')
except GLib.Error as error:
    if not error.matches(Pgqrs.error_quark(), Pgqrs.Error.QUEUE_NOT_FOUND):
        raise
    queue = store.create_queue('tasks')

# Produce: any JSON value is a payload.
message_id = queue.enqueue({'task': 'send_email', 'to': 'user@example.com'})
print(f'enqueued message {message_id}')

# Consume: lease up to 10 messages for 30 seconds. If this process died
# now, they would come back to the queue when the 30 seconds are up.
for message in queue.dequeue(10, 30):
    # ... do the work here ...
    print(f'handling message {message.get_id()} '
          f'(read {message.get_read_count()} time(s)): {message.data}')

    # Done: archive it. False means the lease ran out and another consumer
    # has the message now.
    if not queue.archive(message):
        print(f'lease of message {message.get_id()} lost; someone else has it')

metrics = store.get_metrics('tasks')
print(f'queue "{metrics.get_queue_name()}": {metrics.get_total()} message(s): '
      f'{metrics.get_pending()} pending, {metrics.get_leased()} leased, '
      f'{metrics.get_archived()} archived')
