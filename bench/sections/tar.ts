import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { PackageJob } from "@/lib/shared/tarballs";
import type { BenchContext } from "../run";
import { median, now, rssMiB, sampleRss } from "../lib";
import { engine, execIn, removeImage } from "../../tests/helpers/docker";
import { waitFor } from "../../tests/helpers/server";

/**
 * Create Tar of a container holding 1 GiB of random data (64 MiB with --quick): the dashboard's
 * job, start to final rename, against `docker commit` + image export to a file of the same
 * container, in the same directory; and the server's peak RSS growth during the job.
 */
export async function benchTar(ctx: BenchContext): Promise<void> {
  const bytes = ctx.quick ? 64 * 1024 * 1024 : 1024 * 1024 * 1024;
  const rounds = ctx.quick ? 1 : 2;
  const { container, server } = ctx;
  await execIn(container, ["sh", "-c", `head -c ${bytes} /dev/urandom > /root/bench-data`]);
  fs.mkdirSync(ctx.containerDir, { recursive: true });

  const floors: number[] = [];
  const jobs: number[] = [];
  const growths: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // Floor: the engine's own commit and export, written to a file beside the tarballs.
    const floorRef = `hakuriver-bench/floor:${Date.now()}`;
    const file = path.join(ctx.containerDir, ".bench-floor.tar");
    let t = now();
    await engine.getContainer(container).commit({ repo: floorRef.split(":")[0], tag: floorRef.split(":")[1], pause: true });
    const stream = (await engine.getImage(floorRef).get()) as NodeJS.ReadableStream;
    await pipeline(stream, fs.createWriteStream(file));
    const fd = fs.openSync(file, "r+");
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    floors.push(now() - t);
    fs.rmSync(file);
    await removeImage(floorRef);

    // The dashboard: POST, then poll the job until it is done.
    const baseline = rssMiB(server.process.pid!);
    const sampler = sampleRss(server.process.pid!);
    t = now();
    const res = await fetch(`${server.url}/api/containers/${container}/tar`, { method: "POST", headers: server.bearer });
    if (res.status !== 202) throw new Error(`Create Tar: ${res.status} ${await res.text()}`);
    const job = await waitFor(async () => {
      const { jobs: list } = (await (await fetch(`${server.url}/api/tarballs/jobs`, { headers: server.bearer })).json()) as { jobs: PackageJob[] };
      const j = list.find((x) => x.env === container);
      return j && !["committing", "saving", "finishing"].includes(j.phase) ? j : undefined;
    }, 30 * 60_000, "the job");
    const wall = now() - t;
    const peak = sampler.stop();
    if (job.phase !== "done") throw new Error(`Create Tar ${job.phase}: ${job.error}`);
    // The job's own clock (start to final rename) excludes the 50 ms polling granularity.
    jobs.push(Math.min(wall, Date.parse(job.finishedAt!) - Date.parse(job.startedAt)));
    growths.push(peak - baseline);
  }
  const floor = median(floors) / 1000;
  const job = median(jobs) / 1000;
  const label = ctx.quick ? "64 MiB" : "1 GiB";
  ctx.add({ section: "tar", measure: `docker commit + export to file, ${label}`, value: floor, unit: "s" });
  ctx.add({ section: "tar", measure: `Create Tar job, ${label}`, value: job, unit: "s", floor, ratio: job / floor, target: "≤ 1.05×", met: job / floor <= 1.05 });
  const growth = Math.max(...growths);
  ctx.add({ section: "tar", measure: "server peak RSS growth during the job", value: growth, unit: "MiB", target: "≤ 64 MiB", met: growth <= 64 });
  await execIn(container, ["rm", "-f", "/root/bench-data"]);
}
