import { io as connect, type Socket } from "socket.io-client";
import type { BenchContext } from "../run";
import { rssMiB } from "../lib";
import { startServer } from "../../tests/helpers/server";

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Server RSS idle, with 20 open shells, after closing them, and after more open/close cycles — on
 * a fresh server process. V8 keeps heap it has grown into, so "no growth that stays" is judged
 * across cycles: RSS after the last cycle against RSS after the first. Then 20 shells whose
 * browsers went away, each printing more than its replay buffer while it waits for a resume.
 */
export async function benchMemory(ctx: BenchContext): Promise<void> {
  // 20 shells from one client: above the default per-session limit (16), which is not what is measured here.
  const server = await startServer({ HAKURIVER_SHELLS_PER_SESSION: "64", HAKURIVER_SHELL_GRACE_SECONDS: "600" });
  const replayKiB = 256;
  const cycles = ctx.quick ? 3 : 5;
  const openShells = async (): Promise<Socket[]> => {
    const sockets: Socket[] = [];
    for (let i = 0; i < 20; i++) {
      const socket = connect(`${server.url}/terminal`, { transports: ["websocket"], extraHeaders: server.bearer, reconnection: false, forceNew: true });
      socket.on("output", (c: ArrayBuffer) => socket.emit("ack", c.byteLength));
      const ack = await socket.timeout(10_000).emitWithAck("open", { container: ctx.container, cols: 120, rows: 40 });
      if (!ack.ok) {
        const audit = (await import("node:fs")).readFileSync(`${server.dataDir}/audit.log`, "utf8");
        const count = (what: string) => audit.split("\n").filter((l) => l.includes(`"action":"${what}"`)).length;
        throw new Error(`${ack.error} (audit: ${count("shell.open")} opened, ${count("shell.close")} closed, ${count("shell.detach")} detached)`);
      }
      sockets.push(socket);
    }
    return sockets;
  };
  // Close shell, as the modal does; a socket that only drops leaves its shell waiting for a resume.
  const closeShells = async (sockets: Socket[]) => {
    await Promise.all(sockets.map((s) => s.timeout(5000).emitWithAck("close-shell", null).catch(() => {})));
    for (const s of sockets) s.disconnect();
  };
  try {
    await fetch(`${server.url}/api/containers`, { headers: server.bearer }); // first request warms Next up
    await settle(2000);
    const idle = rssMiB(server.process.pid!);
    let sockets = await openShells();
    await settle(2000);
    const open = rssMiB(server.process.pid!);
    await closeShells(sockets);
    await settle(4000);
    const afterFirst = rssMiB(server.process.pid!);
    for (let c = 1; c < cycles; c++) {
      sockets = await openShells();
      await settle(1000);
      await closeShells(sockets);
      await settle(3000);
    }
    const afterAll = rssMiB(server.process.pid!);

    // 20 shells that lose their browser, each printing 1 MiB (4× its replay buffer) while detached.
    sockets = await openShells();
    await settle(1000);
    const attached = rssMiB(server.process.pid!);
    for (const s of sockets) {
      s.emit("input", "sleep 0.5; yes 0123456789abcdef | head -c 1048576; echo\n");
      // Once this answers, the input is in (an event sent together with a disconnect can be dropped).
      await s.timeout(5000).emitWithAck("list", { container: ctx.container });
      s.disconnect();
    }
    await settle(ctx.quick ? 6000 : 10000);
    const detached = rssMiB(server.process.pid!);
    const bound = (20 * replayKiB) / 1024;
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
    ctx.add({
      section: "memory",
      measure: `server RSS with 20 detached shells in their grace period, each having printed 1 MiB (replay ${replayKiB} KiB each)`,
      value: detached,
      unit: "MiB",
      floor: attached,
      ratio: detached / attached,
      target: `≤ attached + ${bound} MiB of replay + 8 MiB`,
      met: detached <= attached + bound + 8,
    });
  } finally {
    await server.stop();
  }
}
