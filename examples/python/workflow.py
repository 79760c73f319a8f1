#!/usr/bin/env python3
# workflow.py — a durable data pipeline from Python: three steps that each
# run once.
#
# Each step's output is stored when the step completes. If the process dies
# half-way, executing the run again replays the completed steps from the
# store — their bodies do not run again — and goes on from the first step
# not completed. This example "crashes" after the second step on purpose
# and executes the same run again to show the replay.
#
# Usage: workflow.py [DSN]      (default: sqlite://workflow-example.db)
#
# SPDX-License-Identifier: MIT

import sys

import gi

gi.require_version('Pgqrs', '1')
from gi.repository import Pgqrs  # noqa: E402

executed = 0   # step bodies that really ran


def fetch(step):
    global executed
    executed += 1
    url = step.get_workflow().input_data['url']
    print(f'  fetch: downloading {url}')
    return 'id,amount\n1,10\n2,20\n3,30'


def transform(raw):
    global executed
    executed += 1
    rows = [dict(zip(('id', 'amount'), map(int, line.split(','))))
            for line in raw.splitlines()[1:]]
    print(f'  transform: parsing {len(rows)} rows')
    return rows


def save(rows):
    global executed
    executed += 1
    print(f'  save: {len(rows)} rows written')
    return {'saved': len(rows), 'total': sum(row['amount'] for row in rows)}


def execute(run, crash_after_transform=False):
    """One execution of the run: run_step() returns the stored output of a
    step that completed before, without calling its function."""
    run.start()
    raw = Pgqrs.from_json_node(run.run_step('fetch', fetch))
    rows = Pgqrs.from_json_node(run.run_step('transform', lambda step: transform(raw)))
    if crash_after_transform:
        print('  (the process "crashes" here)')
        return
    run.complete(run.run_step('save', lambda step: save(rows)))


dsn = sys.argv[1] if len(sys.argv) > 1 else 'sqlite://workflow-example.db'
store = Pgqrs.Store.new(dsn)
store.install()

run = store.create_workflow('data_pipeline', {'url': 'https://example.com/data.csv'})
print(f'run {run.get_id()}, first execution:')
execute(run, crash_after_transform=True)

# After a crash, someone finds the run in the store and executes it again:
# fetch and transform replay, save runs.
resumed = store.get_workflow_run(run.get_id())
print(f'second execution (status {Pgqrs.run_status_to_string(resumed.get_status())}):')
execute(resumed)

print(f'run {Pgqrs.run_status_to_string(resumed.get_status())} with output '
      f'{resumed.output_data}; {executed} step bodies ran for 3 steps')
sys.exit(0 if executed == 3 and resumed.get_status() == Pgqrs.RunStatus.SUCCESS else 1)
