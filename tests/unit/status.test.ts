import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canResume, canShell, canStart, canStop, describeStatus, plainDuration, statusView, toContainerState } from "@/lib/shared/status";
import { envNameProblem } from "@/lib/shared/validation";

describe("status tags", () => {
  it("colours Running green and Stopped/Created blue-grey, as the seed says", () => {
    assert.deepEqual(statusView("running"), { label: "Running", tone: "green" });
    assert.deepEqual(statusView("exited"), { label: "Stopped", tone: "slate" });
    assert.deepEqual(statusView("created"), { label: "Created", tone: "blue" });
  });

  it("names every other state truthfully", () => {
    assert.equal(statusView("paused").label, "Paused");
    assert.equal(statusView("restarting").label, "Restarting");
    assert.equal(statusView("removing").label, "Removing");
    assert.equal(statusView("dead").label, "Dead");
  });

  it("maps Docker's State strings, never hiding an unknown one as healthy", () => {
    assert.equal(toContainerState("running"), "running");
    assert.equal(toContainerState("Exited"), "exited");
    assert.equal(toContainerState("something-new"), "dead");
    assert.equal(toContainerState(undefined), "dead");
  });

  it("offers Start on stopped and created, Stop and Shell on running", () => {
    assert.deepEqual(
      (["created", "exited", "running", "paused", "dead"] as const).map((s) => [canStart(s), canStop(s), canShell(s)]),
      [
        [true, false, false],
        [true, false, false],
        [false, true, true],
        [false, true, false],
        [false, false, false],
      ],
    );
  });
});

describe("status words", () => {
  it("rewrites Docker's durations into plain words", () => {
    assert.equal(plainDuration("Less than a second"), "under a second");
    assert.equal(plainDuration("About a minute"), "1 minute");
    assert.equal(plainDuration("About an hour"), "1 hour");
    assert.equal(plainDuration("5 minutes"), "5 minutes");
    assert.equal(describeStatus({ state: "running", statusText: "Up Less than a second" }).detail, "up under a second");
    assert.equal(describeStatus({ state: "paused", statusText: "Up 3 minutes (Paused)" }).detail, "up 3 minutes");
    // Create Tar's commit holds the pause: the row says so (no Resume offered then).
    const held = describeStatus({ state: "paused", statusText: "Up 3 minutes (Paused)" }, "committing");
    assert.deepEqual([held.label, held.detail], ["Packaging", "paused for the commit"]);
    assert.equal(describeStatus({ state: "paused", statusText: "Up 3 minutes (Paused)" }, "saving").label, "Paused", "paused by someone else");
  });

  it("reads a clean Stop (143 or 137 after the dashboard's Stop) as Stopped, with the code on hover only", () => {
    for (const code of [143, 137]) {
      const s = describeStatus({ state: "exited", statusText: `Exited (${code}) 2 hours ago`, stoppedHere: true });
      assert.equal(s.label, "Stopped");
      assert.equal(s.warning, false);
      assert.equal(s.tone, "slate");
      assert.equal(s.detail, "2 hours ago");
      assert.match(s.title!, new RegExp(`Exit code ${code}: .*dashboard's Stop`));
    }
    assert.equal(describeStatus({ state: "exited", statusText: "Exited (0) Less than a second ago" }).detail, "just now");
  });

  it("warns about a non-zero exit that was not our Stop, still reading Stopped", () => {
    const failed = describeStatus({ state: "exited", statusText: "Exited (1) 5 minutes ago", stoppedHere: true });
    assert.deepEqual([failed.label, failed.tone, failed.warning, failed.detail], ["Stopped", "amber", true, "exit code 1, 5 minutes ago"]);
    const killedOutside = describeStatus({ state: "exited", statusText: "Exited (137) 1 hour ago" });
    assert.equal(killedOutside.warning, true);
    assert.match(killedOutside.title!, /outside the dashboard/);
  });

  it("offers Resume only on paused", () => {
    assert.deepEqual((["paused", "running", "exited"] as const).map(canResume), [true, false, false]);
  });

  it("says a 64-character name is too long, not that it is not lowercase", () => {
    assert.match(envNameProblem("a".repeat(64))!, /at most 63 characters/);
    assert.match(envNameProblem("A".repeat(64))!, /at most 63 characters/);
  });
});
