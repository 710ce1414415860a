import "../helpers/isolated-env";
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { engineEvents, type EngineEvent } from "@/lib/docker/events";
import { LOCAL_IMAGE, engine, removeContainer, uniqueName } from "../helpers/docker";

const made: string[] = [];
after(async () => {
  for (const name of made) await removeContainer(name);
});

/** Collects events until `until` matches one (or times out). */
function collect(until: (e: EngineEvent) => boolean, timeoutMs = 10_000): { events: EngineEvent[]; done: Promise<EngineEvent>; stop: () => void } {
  const events: EngineEvent[] = [];
  let stop = () => {};
  const done = new Promise<EngineEvent>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching event; saw ${JSON.stringify(events)}`)), timeoutMs);
    stop = engineEvents().subscribe((e) => {
      events.push(e);
      if (until(e)) {
        clearTimeout(timer);
        resolve(e);
      }
    });
  });
  return { events, done, stop };
}

describe("the engine's event feed (one stream per server)", () => {
  it("announces a resync when it connects, then the container's own events as they happen", async () => {
    const first = collect((e) => e.type === "resync");
    await first.done;
    const name = uniqueName("events");
    made.push(name);
    let id = "";
    const seen = collect((e) => e.type === "container" && e.action === "destroy" && e.id === id);
    const c = await engine.createContainer({ name, Image: LOCAL_IMAGE, Cmd: ["sleep", "30"] });
    id = c.id;
    await c.start();
    // A shell-like exec must not count as a change.
    const exec = await c.exec({ Cmd: ["true"] });
    await exec.start({});
    await c.remove({ force: true });
    await seen.done;
    const mine = seen.events.filter((e) => e.type === "container" && e.id === id).map((e) => (e as { action: string }).action);
    assert.deepEqual(mine.slice(0, 2), ["create", "start"]);
    assert.ok(mine.includes("destroy"));
    assert.ok(!mine.some((a) => a.startsWith("exec_")), `exec events are quiet: ${mine.join(",")}`);
    first.stop();
    seen.stop();
  });

  it("reconnects after the stream drops, and says resync again (events missed meanwhile are not replayed)", async () => {
    const ready = collect((e) => e.type === "resync");
    await ready.done;
    const again = collect((e) => e.type === "resync");
    engineEvents().drop();
    await again.done;
    assert.ok(again.events.some((e) => e.type === "state" && !e.connected), "the drop was reported");
    assert.ok(again.events.some((e) => e.type === "state" && e.connected), "and the reconnection");
    ready.stop();
    again.stop();
  });
});
