import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { io as connect, type Socket } from "socket.io-client";
import { applyContainerChanges, compareContainers, type ContainerChanges, type HostContainer } from "@/lib/shared/containers";
import { LOCAL_IMAGE, dockerdOwned, engine, removeContainer, uniqueName } from "../helpers/docker";
import { startServer, waitFor, type TestServer } from "../helpers/server";

/**
 * Live updates as a page gets them: a Socket.IO client on /live of the production server, against
 * the real engine — containers changed outside the dashboard are pushed, and after dockerd is
 * stopped and started again the page converges without a reload.
 */
const owned = dockerdOwned();

let server: TestServer;
const made: string[] = [];
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
  for (const name of made) await removeContainer(name);
});

function liveClient(headers: Record<string, string>): { socket: Socket; lists: HostContainer[][]; changed: ContainerChanges[]; engineStates: { reachable: boolean }[] } {
  const socket = connect(`${server.url}/live`, { transports: ["websocket"], extraHeaders: headers, forceNew: true, reconnectionDelayMax: 1000 });
  const lists: HostContainer[][] = [];
  const changed: ContainerChanges[] = [];
  const engineStates: { reachable: boolean }[] = [];
  // As a page holds it: the full list on connect, then the pushed changes applied to it.
  const byId = new Map<string, HostContainer>();
  socket.on("containers", ({ containers }: { containers: HostContainer[] }) => {
    byId.clear();
    lists.push(applyContainerChanges(byId, { upsert: containers, remove: [] }));
  });
  socket.on("containers:changed", (changes: ContainerChanges) => {
    changed.push(changes);
    lists.push(applyContainerChanges(byId, changes));
  });
  socket.on("engine", (e: { reachable: boolean }) => engineStates.push(e));
  return { socket, lists, changed, engineStates };
}

const shows = (lists: HostContainer[][], name: string, state?: string) =>
  lists.length > 0 && lists.at(-1)!.some((c) => c.name === name && (!state || c.state === state));

describe("live updates over /live", () => {
  it("refuses a connection without credentials or from a foreign origin", async () => {
    for (const headers of [{}, { ...server.bearer, Origin: "http://evil.example" }]) {
      const socket = connect(`${server.url}/live`, { transports: ["websocket"], extraHeaders: headers, forceNew: true, reconnection: false });
      const outcome = await new Promise<string>((resolve) => {
        socket.on("connect", () => resolve("connected"));
        socket.on("connect_error", () => resolve("refused"));
      });
      socket.close();
      assert.equal(outcome, "refused", JSON.stringify(headers));
    }
  });

  it("pushes the container list on connect and after changes made outside the dashboard, one list per burst", async () => {
    const live = liveClient(server.bearer);
    try {
      await waitFor(async () => (live.lists.length > 0 ? true : undefined), 10_000, "the first list");
      const name = uniqueName("live");
      made.push(name);
      const c = await engine.createContainer({ name, Image: LOCAL_IMAGE, Cmd: ["sleep", "60"], HostConfig: { Init: true } });
      await waitFor(async () => (shows(live.lists, name, "created") ? true : undefined), 5_000, "the created container");
      await c.start();
      await waitFor(async () => (shows(live.lists, name, "running") ? true : undefined), 5_000, "the started container");
      // A burst of 10 changes is pushed as a few lists, not ten.
      const before = live.lists.length;
      const burst = await Promise.all(
        Array.from({ length: 10 }, (_, i) => {
          const n = `${name}-b${i}`;
          made.push(n);
          return engine.createContainer({ name: n, Image: LOCAL_IMAGE, Cmd: ["sleep", "60"] });
        }),
      );
      await waitFor(async () => (burst.every((b, i) => shows(live.lists, `${name}-b${i}`)) ? true : undefined), 5_000, "the burst");
      assert.ok(live.lists.length - before <= 6, `${live.lists.length - before} pushes for a burst of 10`);
      // Each push carries what changed, not the list: together, the 10 new rows, and nothing that stayed as it was.
      const pushed = live.changed.slice(-(live.lists.length - before)).flatMap((c) => c.upsert.map((u) => u.name));
      assert.ok(pushed.length < 20, `${pushed.length} rows pushed for 10 new containers`);
      for (let i = 0; i < 10; i++) assert.ok(pushed.includes(`${name}-b${i}`), `${name}-b${i} was pushed`);
      // The list a page holds equals the engine's, in the table's order.
      const truth = await engine.listContainers({ all: true, filters: { name: [name] } });
      const held = live.lists.at(-1)!;
      assert.deepEqual(new Set(held.filter((c) => c.name.startsWith(name)).map((c) => c.id)), new Set(truth.map((c) => c.Id)));
      assert.deepEqual(held, [...held].sort(compareContainers));
      // A removal is pushed as an ID.
      await removeContainer(`${name}-b0`);
      await waitFor(async () => (live.changed.some((c) => c.remove.includes(burst[0].id)) ? true : undefined), 5_000, "the removal");
      assert.equal(shows(live.lists, `${name}-b0`), false);
    } finally {
      live.socket.close();
    }
  });

  it("a container killed or stopped outside the dashboard is pushed as exited (Docker announces `die` before its list says so)", async () => {
    const live = liveClient(server.bearer);
    try {
      await waitFor(async () => (live.lists.length > 0 ? true : undefined), 10_000, "the first list");
      for (const how of ["kill", "stop"] as const) {
        const name = uniqueName(`live-${how}`);
        made.push(name);
        const c = await engine.createContainer({ name, Image: LOCAL_IMAGE, Cmd: ["sleep", "600"], HostConfig: { Init: true } });
        await c.start();
        await waitFor(async () => (shows(live.lists, name, "running") ? true : undefined), 5_000, `${name} running`);
        if (how === "kill") await c.kill();
        else await c.stop({ t: 1 });
        await waitFor(async () => (shows(live.lists, name, "exited") ? true : undefined), 5_000, `${name} exited after ${how}`);
      }
    } finally {
      live.socket.close();
    }
  });

  it("with dockerd stopped and started again, the engine state is pushed and the list converges without a reconnect of the page", { skip: owned ? false : "dockerd was not started by scripts/test-env.sh" }, async () => {
    const live = liveClient(server.bearer);
    try {
      await waitFor(async () => (live.lists.length > 0 ? true : undefined), 10_000, "the first list");
      execFileSync("bash", ["scripts/dockerd.sh", "stop"], { stdio: "ignore" });
      await waitFor(async () => (live.engineStates.at(-1)?.reachable === false ? true : undefined), 10_000, "engine down");
      execFileSync("bash", ["scripts/dockerd.sh", "start"], { stdio: "ignore" });
      await waitFor(async () => (live.engineStates.at(-1)?.reachable === true ? true : undefined), 30_000, "engine back");
      const name = uniqueName("after");
      made.push(name);
      await engine.createContainer({ name, Image: LOCAL_IMAGE, Cmd: ["sleep", "60"] });
      await waitFor(async () => (shows(live.lists, name) ? true : undefined), 10_000, "a container made after the restart");
      assert.equal(live.socket.connected, true, "the page's connection stayed up");
    } finally {
      live.socket.close();
      execFileSync("bash", ["scripts/dockerd.sh", "start"], { stdio: "ignore" });
    }
  });
});
