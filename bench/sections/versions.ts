import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BenchContext } from "../run";
import { dashboardGet, median, now } from "../lib";
import { benchGzipVersion } from "./versions-gzip";

/**
 * A `docker save`-shaped version of `bytes` random bytes in one layer (legacy layout, as Docker 20.10
 * writes it): built with tar(1), so the layer's sha256 and the config digest are real.
 */
function syntheticVersion(target: string, bytes: number): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-version-"));
  try {
    const rootfs = path.join(work, "rootfs");
    fs.mkdirSync(rootfs);
    execFileSync("head", ["-c", String(bytes), "/dev/urandom"], { stdio: ["ignore", fs.openSync(path.join(rootfs, "data"), "w"), "inherit"] });
    const out = path.join(work, "out");
    const layerId = "a".repeat(64);
    fs.mkdirSync(path.join(out, layerId), { recursive: true });
    execFileSync("tar", ["-cf", path.join(out, layerId, "layer.tar"), "-C", rootfs, "data"]);
    fs.rmSync(rootfs, { recursive: true });
    const diffId = createHash("sha256");
    const fd = fs.openSync(path.join(out, layerId, "layer.tar"), "r");
    const buf = Buffer.alloc(8 * 1024 * 1024);
    for (let n; (n = fs.readSync(fd, buf)) > 0; ) diffId.update(buf.subarray(0, n));
    fs.closeSync(fd);
    const config = JSON.stringify({
      architecture: "amd64",
      os: "linux",
      created: new Date().toISOString(),
      config: { Env: ["PATH=/usr/bin:/bin", "TOKEN=bench"], Cmd: ["sleep", "infinity"], Labels: { "hakuriver.note": "bench 1 GiB" } },
      rootfs: { type: "layers", diff_ids: [`sha256:${diffId.digest("hex")}`] },
    });
    const configName = `${createHash("sha256").update(config).digest("hex")}.json`;
    fs.writeFileSync(path.join(out, configName), config);
    fs.writeFileSync(path.join(out, "manifest.json"), JSON.stringify([{ Config: configName, RepoTags: ["hakuriver/bench-version:base"], Layers: [`${layerId}/layer.tar`] }]));
    execFileSync("tar", ["-cf", target, "-C", out, configName, layerId, "manifest.json"]);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The floor: a plain streamed sha256 of the same file (1 MiB reads, as sha256sum-like tools do). */
function plainSha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    fs.createReadStream(file, { highWaterMark: 1024 * 1024 })
      .on("data", (c) => hash.update(c))
      .on("end", () => resolve(hash.digest("hex")))
      .on("error", reject);
  });
}

/**
 * One Verify through the API, from the POST to the server's `finishedAt` (same machine, same clock):
 * polled every 50 ms, since a poll every few ms costs the server's main thread — the thread that
 * hashes the layers — a request each time, and would be measured as Verify's own slowness.
 */
export async function verifyOnce(ctx: BenchContext, file: string): Promise<{ ms: number; sha256?: string; phase: string }> {
  const url = `${ctx.server.url}/api/tarballs/${file}/verify`;
  const t = Date.now();
  const res = await fetch(url, { method: "POST", headers: ctx.server.bearer });
  if (res.status !== 202) throw new Error(`verify: ${res.status} ${await res.text()}`);
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    const v = (await (await fetch(url, { headers: ctx.server.bearer })).json()) as { verification?: { phase: string; sha256?: string; finishedAt?: string } };
    if (v.verification && v.verification.phase !== "running") return { ms: Date.parse(v.verification.finishedAt ?? "") - t, ...v.verification };
  }
}

/** One Details call through the API (the layer count checked); its wall time in ms. */
export async function detailsOnce(ctx: BenchContext, file: string): Promise<number> {
  const s = now();
  const body = JSON.parse((await dashboardGet(`${ctx.server.url}/api/tarballs/${file}`, ctx.server.bearer)).toString()) as { details: { layers: number } };
  if (body.details.layers !== 1) throw new Error(`details: ${JSON.stringify(body)}`);
  return now() - s;
}

/** Median of `runs` Details calls after `warmup`, every call on a new mtime, so the cache never answers. */
export async function detailsUncached(ctx: BenchContext, file: string, runs: number, warmup: number): Promise<number> {
  const target = path.join(ctx.containerDir, file);
  const times: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    fs.utimesSync(target, new Date(), new Date(Date.now() - i * 1000));
    const ms = await detailsOnce(ctx, file);
    if (i >= warmup) times.push(ms);
  }
  return median(times);
}

/** Issue 14: Verify throughput against a plain sha256 of the same file; details of a 1 GiB version without reading its layers. */
export async function benchVersions(ctx: BenchContext): Promise<void> {
  const bytes = ctx.quick ? 256 * 1024 * 1024 : 1024 * 1024 * 1024;
  const file = `bench-version-${1700000000 + Math.floor(Math.random() * 1e6)}.tar`;
  const target = path.join(ctx.containerDir, file);
  fs.mkdirSync(ctx.containerDir, { recursive: true });
  const t = now();
  syntheticVersion(target, bytes);
  const size = fs.statSync(target).size;
  const gib = `${(size / 1024 ** 3).toFixed(2)} GiB`;
  console.log(`  wrote a ${gib} version in ${Math.round(now() - t)} ms`);
  try {
    const details = await detailsUncached(ctx, file, 12, 2);
    ctx.add({ section: "tarballs", measure: `details of a ${gib} version (uncached: headers + 2 JSON files)`, value: details, unit: "ms", target: "≤ 50 ms", met: details <= 50 });

    await plainSha256(target); // warm the page cache
    const floors: number[] = [];
    const opensslFloors: number[] = [];
    const coreutilsFloors: number[] = [];
    const verifies: number[] = [];
    let floorHash = "";
    for (let i = 0; i < 3; i++) {
      const s = now();
      floorHash = await plainSha256(target);
      floors.push(now() - s);
      // The tightest floor here: OpenSSL's own assembly, one thread, no event loop.
      const o = now();
      execFileSync("openssl", ["dgst", "-sha256", target], { stdio: "ignore" });
      opensslFloors.push(now() - o);
      // What a user types to check a file: GNU coreutils' sha256sum.
      const c = now();
      execFileSync("sha256sum", [target], { stdio: "ignore" });
      coreutilsFloors.push(now() - c);
      const v = await verifyOnce(ctx, file);
      if (v.phase !== "ok" || v.sha256 !== floorHash) throw new Error(`verify: ${JSON.stringify(v)}`);
      verifies.push(v.ms);
    }
    const floorMBs = size / 1e6 / (median(floors) / 1000);
    const verifyMBs = size / 1e6 / (median(verifies) / 1000);
    ctx.add({ section: "tarballs", measure: `plain sha256 of the ${gib} version`, value: floorMBs, unit: "MB/s" });
    ctx.add({
      section: "tarballs",
      measure: `Verify of the ${gib} version (layers vs diff_ids + whole-file sha256), through the API`,
      value: verifyMBs,
      unit: "MB/s",
      floor: floorMBs,
      ratio: verifyMBs / floorMBs,
      target: "≥ 1.0×",
      met: verifyMBs / floorMBs >= 1.0,
    });
    for (const [tool, times] of [["sha256sum (coreutils)", coreutilsFloors], ["openssl dgst -sha256", opensslFloors]] as const) {
      const mbs = size / 1e6 / (median(times) / 1000);
      ctx.add({
        section: "tarballs",
        measure: `Verify of the ${gib} version against ${tool} of it`,
        value: verifyMBs,
        unit: "MB/s",
        floor: mbs,
        ratio: verifyMBs / mbs,
        target: "≥ 0.8×",
        met: verifyMBs / mbs >= 0.8,
      });
    }
    await benchGzipVersion(ctx, target, gib);
  } finally {
    fs.rmSync(target, { force: true });
  }
}
