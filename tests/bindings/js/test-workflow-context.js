// test-workflow-context.js — the workflows guide's pattern for gjs
// (workflow-in-thread off, a deferred run resolved from promise jobs) loses
// no run. Like the guide's scripts, this is a module with top-level await
// and no GLib.MainLoop: gjs then iterates the main context itself, one
// iteration at a time, and between two iterations no thread owns it. A
// workflow function called on another thread then would be refused
// ("Attempting to call back into JSAPI on a different thread") and its run
// end in ERROR. tests/test-workflow-context.c shows the race every time.
//
// SPDX-License-Identifier: MIT

import Gio from 'gi://Gio';
import Pgqrs from 'gi://Pgqrs?version=1';

import System from 'system';

import {assertEqual, openStore, removeSqliteDir} from './testutil.js';

Gio._promisify(Pgqrs.Workflow.prototype, 'run_step_async', 'run_step_finish');

const ROUNDS = 10;
const RUNS = 20;

async function guidePattern() {
    const store = openStore();
    const queue = store.create_queue('pipelines', null);
    store.define_workflow('doubler', 'pipelines', null);
    const lost = [];

    for (let round = 0; round < ROUNDS; round++) {
        const runs = [];
        for (let n = 0; n < RUNS; n++)
            runs.push(store.trigger_workflow('doubler', Pgqrs.json_from_string(`{"n": ${n}}`), null));

        const consumer = Pgqrs.Consumer.new(queue, `doubler-${round}`);
        consumer.poll_interval = 0.2;
        // as docs/workflows.md shows it
        consumer.workflow_in_thread = false;
        consumer.set_workflow(workflow => {
            workflow.defer();
            (async () => {
                const {n} = JSON.parse(Pgqrs.json_to_string(workflow.get_input()));
                const doubled = await workflow.run_step_async('double',
                    () => Pgqrs.json_from_string(String(n * 2)), null);
                workflow.resolve(Pgqrs.json_from_string(`{"result": ${doubled.get_int()}}`));
            })().catch(e => {
                logError(e);
                workflow.resolve(null);
            });
            return null;
        });

        const running = consumer.run_async(null);
        // eslint-disable-next-line no-await-in-loop
        const outputs = await Promise.all(runs.map(r => r.wait_async(20, null).then(
            output => JSON.parse(Pgqrs.json_to_string(output)).result,
            error => `round ${round}, run ${r.get_id()}: ${error.message}`)));
        consumer.stop();
        // eslint-disable-next-line no-await-in-loop
        await running;
        outputs.forEach((output, n) => {
            if (output !== n * 2)
                lost.push(output);
        });
    }
    assertEqual(lost, []);
}

print('1..1');
try {
    await guidePattern();
    removeSqliteDir();
    print(`ok 1 - the guide's pattern, ${RUNS} runs × ${ROUNDS} rounds, loses no run`);
} catch (error) {
    print('not ok 1 - the guide\'s pattern loses runs');
    for (const line of `${error}\n${error.stack ?? ''}`.trim().split('\n'))
        print(`# ${line}`);
    System.exit(1);
}
