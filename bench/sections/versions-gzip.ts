import { execFile } from "node:child_process";
import { promisify } from "node:util";
import fs from "node:fs";
import path from "node:path";
import type { BenchContext } from "../run";
import { median, now } from "../lib";
import { detailsOnce, detailsUncached, verifyOnce } from "./versions";

/**
 * Wall time (ms) of a shell pipeline (bash, pipefail). Not synchronous: a blocked event loop misses
 * the server closing the kept-alive socket, and the next Details call would hang up on it.
 */
async function timeShell(script: string): Promise<number> {
  const t = now();
  await promisify(execFile)("bash", ["-c", `set -o pipefail; ${script}`], { maxBuffer: 1024 * 1024 });
  return now() - t;
}

/**
 * Issue 26: the same version piped through `gzip -1`, under a Runner-conforming name. Verify against
 * `gzip -dc | sha256sum` (two processes, one per core), Details uncached against `gzip -dc >/dev/null`
 * (it must decompress up to the config), and a second Details call answered by the cache.
 */
export async function benchGzipVersion(ctx: BenchContext, plain: string, gib: string): Promise<void> {
  const file = `bench-gzversion-${1700000000 + Math.floor(Math.random() * 1e6)}.tar`;
  const target = path.join(ctx.containerDir, file);
  const t = now();
  const q = `'${target}'`;
  await timeShell(`gzip -1 -c '${plain}' > ${q}`);
  const size = fs.statSync(target).size;
  console.log(`  gzip -1 of the ${gib} version: ${(size / 1024 ** 3).toFixed(2)} GiB in ${Math.round(now() - t)} ms`);
  try {
    const fileHash = (await promisify(execFile)("sha256sum", [target])).stdout.split(" ")[0];
    const unzipFloors: number[] = [];
    const details: number[] = [];
    for (let i = 0; i < 3; i++) {
      unzipFloors.push(await timeShell(`gzip -dc ${q} >/dev/null`));
      details.push(await detailsUncached(ctx, file, 1, i === 0 ? 1 : 0));
    }
    const unzip = median(unzipFloors);
    const detailsMs = median(details);
    ctx.add({ section: "tarballs", measure: `details of the ${gib} version gzip'd, uncached (decompressed up to the config)`, value: detailsMs, unit: "ms", floor: unzip, ratio: detailsMs / unzip, target: "≤ 1.2×", met: detailsMs / unzip <= 1.2 });
    await detailsOnce(ctx, file);
    const cached = await detailsOnce(ctx, file);
    ctx.add({ section: "tarballs", measure: `details of the ${gib} version gzip'd, second call (cached)`, value: cached, unit: "ms", target: "≤ 50 ms", met: cached <= 50 });

    const floors: number[] = [];
    const verifies: number[] = [];
    for (let i = 0; i < 3; i++) {
      floors.push(await timeShell(`gzip -dc ${q} | sha256sum >/dev/null`));
      const v = await verifyOnce(ctx, file);
      if (v.phase !== "ok" || v.sha256 !== fileHash) throw new Error(`verify of the gzip'd version: ${JSON.stringify(v)}`);
      verifies.push(v.ms);
    }
    const floorMBs = size / 1e6 / (median(floors) / 1000);
    const verifyMBs = size / 1e6 / (median(verifies) / 1000);
    ctx.add({
      section: "tarballs",
      measure: `Verify of the ${gib} version gzip'd (MB/s of the file), through the API`,
      value: verifyMBs,
      unit: "MB/s",
      floor: floorMBs,
      ratio: verifyMBs / floorMBs,
      target: "≥ 0.8×",
      met: verifyMBs / floorMBs >= 0.8,
    });
  } finally {
    fs.rmSync(target, { force: true });
  }
}
