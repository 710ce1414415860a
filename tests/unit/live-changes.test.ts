import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyContainerChanges, type HostContainer } from "@/lib/shared/containers";

const row = (id: string, name: string, createdAt: string, state: HostContainer["state"] = "running"): HostContainer => ({
  id,
  name,
  image: "busybox",
  state,
  statusText: "",
  createdAt,
  managed: true,
  adopted: false,
  adoptable: false,
});

describe("pushed container changes", () => {
  it("keep the table's order (newest first, ties by name) whatever order changes arrive in", () => {
    const byId = new Map<string, HostContainer>();
    applyContainerChanges(byId, { upsert: [row("1", "old", "2026-01-01T00:00:00.000Z")], remove: [] });
    const list = applyContainerChanges(byId, {
      upsert: [row("3", "b-new", "2026-01-02T00:00:00.000Z"), row("2", "a-new", "2026-01-02T00:00:00.000Z")],
      remove: [],
    });
    assert.deepEqual(list.map((c) => c.name), ["a-new", "b-new", "old"]);
  });

  it("replace a changed row in place and drop removed IDs", () => {
    const byId = new Map<string, HostContainer>();
    applyContainerChanges(byId, { upsert: [row("1", "x", "2026-01-01T00:00:00.000Z"), row("2", "y", "2026-01-01T00:00:01.000Z")], remove: [] });
    const list = applyContainerChanges(byId, { upsert: [row("1", "x", "2026-01-01T00:00:00.000Z", "exited")], remove: ["2", "not-there"] });
    assert.deepEqual(list.map((c) => [c.name, c.state]), [["x", "exited"]]);
  });
});
