/* workflow.vala — a durable data pipeline from Vala: three steps that each
 * run once.
 *
 * Each step's output is stored when the step completes. If the process
 * dies half-way, executing the run again replays the completed steps from
 * the store — their bodies do not run again — and goes on from the first
 * step not completed. This example "crashes" after the second step on
 * purpose and executes the same run again to show the replay.
 *
 * Usage: workflow [DSN]      (default: sqlite://workflow-example.db)
 *
 * SPDX-License-Identifier: MIT
 */

class Pipeline : Object {
    public int executed = 0;    /* step bodies that really ran */

    Json.Node fetch (Pgqrs.Step step) {
        executed++;
        var input = step.get_workflow ().get_input ().get_object ();
        print ("  fetch: downloading %s\n", input.get_string_member ("url"));
        return json ("\"id,amount\\n1,10\\n2,20\\n3,30\"");
    }

    Json.Node transform (string raw) {
        executed++;
        var rows = new Json.Builder ().begin_array ();
        var lines = raw.split ("\n");
        foreach (var line in lines[1:lines.length]) {
            var fields = line.split (",");
            rows.begin_object ()
                .set_member_name ("id").add_int_value (int64.parse (fields[0]))
                .set_member_name ("amount").add_int_value (int64.parse (fields[1]))
                .end_object ();
        }
        print ("  transform: parsing %d rows\n", lines.length - 1);
        return rows.end_array ().get_root ();
    }

    Json.Node save (Json.Array rows) {
        executed++;
        int64 total = 0;
        rows.foreach_element ((array, index, row) => total += row.get_object ().get_int_member ("amount"));
        print ("  save: %u rows written\n", rows.get_length ());
        return json ("{\"saved\": %u, \"total\": %lld}".printf (rows.get_length (), total));
    }

    /* One execution of the run: run_step() returns the stored output of a
     * step that completed before, without calling its function. */
    public void execute (Pgqrs.Workflow run, bool crash_after_transform) throws Error {
        run.start ();
        var raw = run.run_step ("fetch", fetch);
        var rows = run.run_step ("transform", (step) => transform (raw.get_string ()));
        if (crash_after_transform) {
            print ("  (the process \"crashes\" here)\n");
            return;
        }
        run.complete (run.run_step ("save", (step) => save (rows.get_array ())));
    }

    static Json.Node json (string text) {
        try {
            return Json.from_string (text);
        } catch (Error e) {
            assert_not_reached ();
        }
    }
}

int main (string[] args) {
    var dsn = args.length > 1 ? args[1] : "sqlite://workflow-example.db";
    var pipeline = new Pipeline ();

    try {
        var store = new Pgqrs.Store (dsn);
        store.install ();

        var run = store.create_workflow ("data_pipeline",
                                         Json.from_string ("{\"url\": \"https://example.com/data.csv\"}"));
        print ("run %lld, first execution:\n", run.get_id ());
        pipeline.execute (run, true);

        /* After a crash, someone finds the run in the store and executes it
         * again: fetch and transform replay, save runs. */
        var resumed = store.get_workflow_run (run.get_id ());
        print ("second execution (status %s):\n", resumed.get_status ().to_string ());
        pipeline.execute (resumed, false);

        print ("run %s with output %s; %d step bodies ran for 3 steps\n",
               resumed.get_status ().to_string (), Json.to_string (resumed.get_output (), false),
               pipeline.executed);
        return pipeline.executed == 3 && resumed.get_status () == Pgqrs.RunStatus.SUCCESS ? 0 : 1;
    } catch (Error e) {
        printerr ("workflow: %s\n", e.message);
        return 1;
    }
}
