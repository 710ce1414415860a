import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { io as connect, type Socket } from "socket.io-client";
import { LOCAL_IMAGE, engine, removeContainer, removeImage, uniqueName } from "../helpers/docker";
import { createViaApi, startServer, waitFor, type TestServer } from "../helpers/server";

/**
 * A client that does not play by the page's rules, on the production server and the real engine
 * (issue 23, finding 3): requests sent together on one socket.
 */

let server: TestServer;
let container: string;
const sockets: Socket[] = [];

before(async () => {
  server = await startServer({ HAKURIVER_SHELL_GRACE_SECONDS: "1" });
  container = uniqueName("sock");
  await createViaApi(server, container, LOCAL_IMAGE);
});

after(async () => {
  for (const s of sockets) s.disconnect();
  await server?.stop().catch(() => {});
  if (container) {
    await removeContainer(container);
    await removeImage(`hakuriver/${container}:base`);
  }
});

function socket(): Socket {
  const s = connect(`${server.url}/terminal`, { transports: ["websocket"], extraHeaders: server.bearer, reconnection: false, forceNew: true });
  sockets.push(s);
  return s;
}

/** Shell processes in the container (`sh` as a command of its own), from `docker top`. */
async function shellProcesses(): Promise<number> {
  const rows = (await engine.getContainer(container).top({ ps_args: "-eo pid,args" })).Processes ?? [];
  return rows.filter((r: string[]) => /^(\/bin\/)?(sh|bash)$/.test(r[1].trim())).length;
}

describe("requests sent together on one socket", () => {
  it("8 opens at once start one shell; the other 7 are refused, and the disconnect ends it after the grace period", async () => {
    const baseline = await shellProcesses();
    const s = socket();
    await new Promise<void>((resolve) => s.on("connect", () => resolve()));
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => s.timeout(20_000).emitWithAck("open", { container, cols: 80, rows: 24 }) as Promise<{ ok: boolean; error?: string }>),
    );
    assert.equal(answers.filter((a) => a.ok).length, 1, JSON.stringify(answers));
    for (const a of answers.filter((a) => !a.ok)) assert.equal(a.error, "This connection already has a shell.");
    await waitFor(async () => ((await shellProcesses()) === baseline + 1 ? true : undefined), 10_000, "exactly one shell process");

    s.disconnect();
    // Every shell of the socket got the grace period (1 s) and then ended: none is left running.
    await waitFor(async () => ((await shellProcesses()) === baseline ? true : undefined), 15_000, `no shell left (baseline ${baseline})`);
  });
});
