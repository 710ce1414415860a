import { io as connect, type Socket } from "socket.io-client";
import type { BenchContext } from "../run";
import { rssMiB } from "../lib";
import { startServer } from "../../tests/helpers/server";

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Server RSS idle, with 20 open shells, and after closing them — on a fresh server process. */
export async function benchMemory(ctx: BenchContext): Promise<void> {
  const server = await startServer();
  try {
    await fetch(`${server.url}/api/containers`, { headers: server.bearer }); // first request warms Next up
    await settle(2000);
    const idle = rssMiB(server.process.pid!);
    const sockets: Socket[] = [];
    for (let i = 0; i < 20; i++) {
      const socket = connect(`${server.url}/terminal`, { transports: ["websocket"], extraHeaders: server.bearer, reconnection: false, forceNew: true });
      socket.on("output", (c: ArrayBuffer) => socket.emit("ack", c.byteLength));
      const ack = await socket.timeout(10_000).emitWithAck("open", { container: ctx.container, cols: 120, rows: 40 });
      if (!ack.ok) throw new Error(ack.error);
      sockets.push(socket);
    }
    await settle(2000);
    const open = rssMiB(server.process.pid!);
    for (const s of sockets) s.disconnect();
    await settle(5000);
    const after = rssMiB(server.process.pid!);
    ctx.add({ section: "memory", measure: "server RSS idle", value: idle, unit: "MiB" });
    ctx.add({ section: "memory", measure: "server RSS with 20 open shells", value: open, unit: "MiB", floor: idle, ratio: open / idle });
    ctx.add({ section: "memory", measure: "server RSS after closing them", value: after, unit: "MiB", floor: idle, ratio: after / idle, target: "no growth that stays (≤ idle + 16 MiB)", met: after <= idle + 16 });
  } finally {
    await server.stop();
  }
}
