import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { io as connect } from "socket.io-client";
import { LOCAL_IMAGE, execIn, removeContainer, uniqueName } from "../helpers/docker";
import { createViaApi, startServer, type TestServer } from "../helpers/server";

/**
 * A shell whose output floods from its first moment, on the production server in its own process
 * (as a browser sees it): every byte acknowledged as it arrives, the flood must run to its end.
 * The bench found such shells freezing now and then: acknowledgements that arrived while Docker
 * was still finishing the open were dropped, and the flow-control window never reopened. The race
 * is timing-dependent, so this runs the flood many times.
 */
let server: TestServer;
let container: string;
before(async () => {
  server = await startServer();
  container = uniqueName("flood");
  await createViaApi(server, container, LOCAL_IMAGE);
  // 64 MiB of 80-byte lines, as in the bench.
  await execIn(container, ["sh", "-c", "yes 'the quick brown fox jumps over the lazy dog, 0123456789, installing package-0.1' | head -n 838861 > /tmp/flood.txt && echo flood-end >> /tmp/flood.txt"]);
});
after(async () => {
  await removeContainer(container);
  await server.stop();
});

describe("a shell that floods from its first byte", () => {
  it("runs to its end every time (16 rounds of `cat` of 64 MiB as the shell's command)", async () => {
    for (let round = 0; round < 16; round++) {
      const socket = connect(`${server.url}/terminal`, { transports: ["websocket"], extraHeaders: server.bearer, reconnection: false, forceNew: true });
      await new Promise<void>((resolve, reject) => {
        socket.on("connect", () => resolve());
        socket.on("connect_error", reject);
      });
      let got = 0;
      let tail = "";
      socket.on("output", (chunk: ArrayBuffer) => {
        got += chunk.byteLength;
        tail = (tail + Buffer.from(chunk).toString("latin1")).slice(-64);
        socket.emit("ack", chunk.byteLength);
      });
      const exited = new Promise<boolean>((resolve) => socket.on("exit", () => resolve(true)));
      const ack = await socket.timeout(10_000).emitWithAck("open", { container, cols: 120, rows: 40, command: "cat /tmp/flood.txt" });
      assert.equal(ack.ok, true, JSON.stringify(ack));
      const ended = await Promise.race([exited, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 30_000))]);
      socket.disconnect();
      assert.ok(ended, `round ${round}: stalled after ${got} bytes`);
      assert.match(tail, /flood-end/);
    }
  });
});
