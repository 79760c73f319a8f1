#!/usr/bin/env -S gjs -m
// workflow.js — a durable data pipeline from gjs: three steps that each run
// once.
//
// Each step's output is stored when the step completes. If the process dies
// half-way, executing the run again replays the completed steps from the
// store — their bodies do not run again — and goes on from the first step
// not completed. This example "crashes" after the second step on purpose
// and executes the same run again to show the replay.
//
// Usage: gjs -m workflow.js [DSN]      (default: sqlite://workflow-example.db)
//
// SPDX-License-Identifier: MIT

import Json from 'gi://Json';
import Pgqrs from 'gi://Pgqrs?version=1';
import System from 'system';

const toJson = value => Json.from_string(JSON.stringify(value));
const fromJson = node => JSON.parse(Json.to_string(node, false));

let executed = 0;   // step bodies that really ran

function fetch(step) {
    executed++;
    const {url} = fromJson(step.get_workflow().get_input());
    print(`  fetch: downloading ${url}`);
    return toJson('id,amount\n1,10\n2,20\n3,30');
}

function transform(raw) {
    executed++;
    const rows = raw.split('\n').slice(1).map(line => {
        const [id, amount] = line.split(',').map(Number);
        return {id, amount};
    });
    print(`  transform: parsing ${rows.length} rows`);
    return toJson(rows);
}

function save(rows) {
    executed++;
    print(`  save: ${rows.length} rows written`);
    return toJson({saved: rows.length, total: rows.reduce((sum, row) => sum + row.amount, 0)});
}

// One execution of the run: run_step() returns the stored output of a step
// that completed before, without calling its function.
function execute(run, crashAfterTransform = false) {
    run.start(null);
    const raw = fromJson(run.run_step('fetch', fetch, null));
    const rows = fromJson(run.run_step('transform', () => transform(raw), null));
    if (crashAfterTransform) {
        print('  (the process "crashes" here)');
        return;
    }
    run.complete(run.run_step('save', () => save(rows), null), null);
}

const store = Pgqrs.Store.new(ARGV[0] ?? 'sqlite://workflow-example.db', null);
store.install(null);

const run = store.create_workflow('data_pipeline', toJson({url: 'https://example.com/data.csv'}), null);
print(`run ${run.get_id()}, first execution:`);
execute(run, true);

// After a crash, someone finds the run in the store and executes it again:
// fetch and transform replay, save runs.
const resumed = store.get_workflow_run(run.get_id(), null);
print(`second execution (status ${Pgqrs.run_status_to_string(resumed.get_status())}):`);
execute(resumed);

print(`run ${Pgqrs.run_status_to_string(resumed.get_status())} with output ` +
      `${JSON.stringify(fromJson(resumed.get_output()))}; ${executed} step bodies ran for 3 steps`);
System.exit(executed === 3 && resumed.get_status() === Pgqrs.RunStatus.SUCCESS ? 0 : 1);
