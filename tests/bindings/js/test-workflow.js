// test-workflow.js — durable workflows whose steps are written in JavaScript
//
// SPDX-License-Identifier: MIT

import GLib from 'gi://GLib';
import Json from 'gi://Json';
import Pgqrs from 'gi://Pgqrs?version=1';

import {
    assert, assertEqual, assertThrowsPgqrs, jsonOf, openStore, run,
} from './testutil.js';

const valueOf = node => node === null ? null : JSON.parse(Json.to_string(node, false));

// The three steps of the data pipeline; counts the bodies that ran.
class Pipeline {
    constructor() {
        this.ran = {};
    }

    count(name) {
        this.ran[name] = (this.ran[name] ?? 0) + 1;
    }

    execute(workflow, crashAfterTransform = false) {
        workflow.start(null);
        const raw = valueOf(workflow.run_step('fetch', step => {
            this.count('fetch');
            assertEqual(step.get_name(), 'fetch');
            return jsonOf('id,amount\n1,10\n2,20\n3,30');
        }, null));
        const rows = valueOf(workflow.run_step('transform', () => {
            this.count('transform');
            return jsonOf(raw.split('\n').slice(1).map(line => {
                const [id, amount] = line.split(',').map(Number);
                return {id, amount};
            }));
        }, null));
        if (crashAfterTransform)
            return null;
        const result = workflow.run_step('save', () => {
            this.count('save');
            return jsonOf({saved: rows.length, total: rows.reduce((t, r) => t + r.amount, 0)});
        }, null);
        workflow.complete(result, null);
        return valueOf(result);
    }
}

run({
    'completed steps do not run twice'() {
        const store = openStore();
        const pipeline = new Pipeline();
        const workflow = store.create_workflow('data_pipeline',
            jsonOf({url: 'https://example.com/data.csv'}), null);
        assert(workflow instanceof Pgqrs.Workflow);
        assertEqual(valueOf(workflow.get_input()), {url: 'https://example.com/data.csv'});
        assertEqual(workflow.get_status(), Pgqrs.RunStatus.QUEUED);

        assertEqual(pipeline.execute(workflow, true), null);
        assertEqual(pipeline.ran, {fetch: 1, transform: 1});

        // As after a crash: the run is found in the store and executed again.
        const again = store.get_workflow_run(workflow.get_id(), null);
        assertEqual(again.get_status(), Pgqrs.RunStatus.RUNNING);
        assertEqual(pipeline.execute(again), {saved: 3, total: 60});
        assertEqual(pipeline.ran, {fetch: 1, transform: 1, save: 1});

        const done = store.get_workflow_run(workflow.get_id(), null);
        assertEqual(done.get_status(), Pgqrs.RunStatus.SUCCESS);
        assertEqual(valueOf(done.get_output()), {saved: 3, total: 60});
    },

    'step outputs are any JSON, replayed as stored'() {
        const store = openStore();
        const workflow = store.create_workflow('outputs', jsonOf(null), null);
        workflow.start(null);
        const values = [{a: [1, {b: null}]}, [1, 'two', 3.5, true], 'text é', 42, -7, 2.5,
            true, false, {}, []];
        let bodies = 0;
        values.forEach((value, i) => {
            for (let replay = 0; replay < 2; replay++) {
                const out = workflow.run_step(`step-${i}`, () => {
                    bodies++;
                    return jsonOf(value);
                }, null);
                assertEqual(valueOf(out), value);
            }
        });
        assertEqual(bodies, values.length);
    },

    'a failing step is retried, then the run fails'() {
        const store = openStore();
        const workflow = store.create_workflow('flaky', jsonOf({}), null);
        workflow.set_retry_policy(Pgqrs.RetryPolicy.new_fixed(1, 0.05));
        workflow.start(null);
        let calls = 0;
        const flaky = step => {
            calls++;
            step.set_error('the service is down', true);
            return null;
        };

        assertThrowsPgqrs(Pgqrs.Error.STEP_NOT_READY,
            () => workflow.run_step('fetch', flaky, null));
        GLib.usleep(100 * 1000);
        assertThrowsPgqrs(Pgqrs.Error.RETRIES_EXHAUSTED,
            () => workflow.run_step('fetch', flaky, null));
        assertEqual(calls, 2);
        assertEqual(workflow.get_status(), Pgqrs.RunStatus.ERROR);
        const error = valueOf(workflow.get_error());
        assertEqual([error.step, error.message], ['fetch', 'the service is down']);
    },

    'a permanent failure fails the run'() {
        const store = openStore();
        const workflow = store.create_workflow('doomed', jsonOf({}), null);
        workflow.start(null);
        assertThrowsPgqrs(Pgqrs.Error.FAILED, () => workflow.run_step('parse', step => {
            step.set_error('bad input', false);
            return null;
        }, null));
        assertEqual(workflow.get_status(), Pgqrs.RunStatus.ERROR);
    },

    async 'steps with async calls'() {
        const store = openStore();
        const workflow = await store.create_workflow_async('async_pipeline', jsonOf({n: 2}), null);
        assertEqual(await workflow.start_async(null), true);

        let bodies = 0;
        for (let execution = 0; execution < 2; execution++) {
            // eslint-disable-next-line no-await-in-loop
            const step = await workflow.acquire_step_async('double', null);
            assert(step instanceof Pgqrs.Step, 'acquire gives a step');
            if (step.is_cached()) {
                assertEqual(execution, 1);
                assertEqual(valueOf(step.get_output()), {n: 4});
            } else {
                bodies++;
                const {n} = valueOf(workflow.get_input());
                // eslint-disable-next-line no-await-in-loop
                assertEqual(await step.complete_async(jsonOf({n: n * 2}), null), true);
            }
        }
        assertEqual(bodies, 1);

        assertEqual(await workflow.complete_async(jsonOf({n: 4}), null), true);
        assertEqual(await workflow.refresh_async(null), true);
        assertEqual(workflow.get_status(), Pgqrs.RunStatus.SUCCESS);
        assertEqual(valueOf(await workflow.wait_async(5, null)), {n: 4});
    },

    async 'a step body that awaits a promise'() {
        const store = openStore();
        const workflow = store.create_workflow('awaiting', jsonOf({n: 3}), null);
        workflow.start(null);
        const sleep = ms => new Promise(resolve => GLib.timeout_add(GLib.PRIORITY_DEFAULT, ms, () => {
            resolve();
            return GLib.SOURCE_REMOVE;
        }));

        let bodies = 0;
        const triple = step => {
            bodies++;
            step.defer();
            sleep(10).then(() => step.resolve(jsonOf({tripled: 9})));
            return null;
        };
        for (let execution = 0; execution < 2; execution++) {
            const again = store.get_workflow_run(workflow.get_id(), null);
            if (execution > 0)
                again.start(null);
            // eslint-disable-next-line no-await-in-loop
            assertEqual(valueOf(await again.run_step_async('triple', triple, null)), {tripled: 9});
        }
        assertEqual(bodies, 1);

        // a permanent failure, resolved later, fails the run
        const refuse = step => {
            step.defer();
            sleep(5).then(() => {
                step.set_error('the remote end said no', false);
                step.resolve(null);
            });
            return null;
        };
        try {
            await workflow.run_step_async('ask', refuse, null);
            assert(false, 'the failed step returned');
        } catch (e) {
            assert(e.matches(Pgqrs.Error, Pgqrs.Error.FAILED), `${e}`);
            assert(e.message.includes('the remote end said no'), e.message);
        }
        workflow.refresh(null);
        assertEqual(workflow.get_status(), Pgqrs.RunStatus.ERROR);
    },

    async 'a consumer runs a JavaScript workflow in its main context'() {
        const store = openStore();
        const queue = store.create_queue('pipelines', null);
        store.define_workflow('js_pipeline', 'pipelines', null);
        const run = store.trigger_workflow('js_pipeline', jsonOf({n: 5}), null);
        const sleep = ms => new Promise(resolve => GLib.timeout_add(GLib.PRIORITY_DEFAULT, ms, () => {
            resolve();
            return GLib.SOURCE_REMOVE;
        }));

        const consumer = Pgqrs.Consumer.new(queue, 'js-runner');
        consumer.poll_interval = 0.2;
        // gjs runs JavaScript on its own thread only
        consumer.workflow_in_thread = false;
        const ran = {double: 0, plusOne: 0};
        consumer.set_workflow(workflow => {
            workflow.defer();
            (async () => {
                const {n} = valueOf(workflow.get_input());
                const doubled = valueOf(await workflow.run_step_async('double', () => {
                    ran.double++;
                    return jsonOf(n * 2);
                }, null));
                const plusOne = valueOf(await workflow.run_step_async('plus-one', step => {
                    ran.plusOne++;
                    step.defer();
                    sleep(5).then(() => step.resolve(jsonOf(doubled + 1)));
                    return null;
                }, null));
                workflow.resolve(jsonOf({result: plusOne}));
            })().catch(e => {
                logError(e);
                workflow.resolve(null);
            });
            return null;
        });

        const running = consumer.run_async(null);
        const output = valueOf(await run.wait_async(10, null));
        consumer.stop();
        assertEqual(await running, true);

        assertEqual(output, {result: 11});
        assertEqual(ran, {double: 1, plusOne: 1});
        assertEqual(store.get_metrics('pipelines', null).get_archived(), 1);
    },
});
