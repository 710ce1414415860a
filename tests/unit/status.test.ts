import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canShell, canStart, canStop, statusView, toContainerState } from "@/lib/shared/status";

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
