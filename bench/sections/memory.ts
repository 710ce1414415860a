import { io as connect, type Socket } from "socket.io-client";
import type { BenchContext } from "../run";
import { rssMiB } from "../lib";
import { startServer } from "../../tests/helpers/server";

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Server RSS idle, with 20 open shells, after closing them, and after more open/close cycles — on
 * a fresh server process. V8 keeps heap it has grown into, so "no growth that stays" is judged
 * across cycles: RSS after the last cycle against RSS after the first.
 */
export async function benchMemory(ctx: BenchContext): Promise<void> {
  // 20 shells from one client: above the default per-session limit (16), which is not what is measured here.
  const server = await startServer({ HAKURIVER_SHELLS_PER_SESSION: "64" });
  const cycles = ctx.quick ? 3 : 5;
  const openShells = async (): Promise<Socket[]> => {
    const sockets: Socket[] = [];
    for (let i = 0; i < 20; i++) {
      const socket = connect(`${server.url}/terminal`, { transports: ["websocket"], extraHeaders: server.bearer, reconnection: false, forceNew: true });
      socket.on("output", (c: ArrayBuffer) => socket.emit("ack", c.byteLength));
      const ack = await socket.timeout(10_000).emitWithAck("open", { container: ctx.container, cols: 120, rows: 40 });
      if (!ack.ok) throw new Error(ack.error);
      sockets.push(socket);
    }
    return sockets;
  };
  try {
    await fetch(`${server.url}/api/containers`, { headers: server.bearer }); // first request warms Next up
    await settle(2000);
    const idle = rssMiB(server.process.pid!);
    let sockets = await openShells();
    await settle(2000);
    const open = rssMiB(server.process.pid!);
    for (const s of sockets) s.disconnect();
    await settle(4000);
    const afterFirst = rssMiB(server.process.pid!);
    for (let c = 1; c < cycles; c++) {
      sockets = await openShells();
      await settle(1000);
      for (const s of sockets) s.disconnect();
      await settle(3000);
    }
    const afterAll = rssMiB(server.process.pid!);
    ctx.add({ section: "memory", measure: "server RSS idle", value: idle, unit: "MiB" });
    ctx.add({ section: "memory", measure: "server RSS with 20 open shells", value: open, unit: "MiB", floor: idle, ratio: open / idle });
    ctx.add({ section: "memory", measure: "server RSS after closing them", value: afterFirst, unit: "MiB", floor: idle, ratio: afterFirst / idle });
    ctx.add({
      section: "memory",
      measure: `server RSS after ${cycles} open/close cycles of 20 shells`,
      value: afterAll,
      unit: "MiB",
      floor: afterFirst,
      ratio: afterAll / afterFirst,
      target: "no growth that stays (≤ first cycle + 8 MiB)",
      met: afterAll <= afterFirst + 8,
    });
  } finally {
    await server.stop();
  }
}
