import fs from "node:fs";
import path from "node:path";
import type { BenchContext } from "../run";
import { dashboardGet, now, timeMedian } from "../lib";
import { benchVersions } from "./versions";

const RULE = /^([a-zA-Z0-9._-]+)-(\d+)\.tar$/;

/** The bare floor: one directory read, the regex, a (synchronous) stat per file, group, sort, JSON. */
async function bareListing(dir: string): Promise<string> {
  const names = await fs.promises.readdir(dir);
  const groups = new Map<string, { file: string; timestamp: number; size: number }[]>();
  for (const file of names) {
    const m = RULE.exec(file);
    if (!m) continue;
    const st = fs.statSync(path.join(dir, file));
    const list = groups.get(m[1]) ?? [];
    list.push({ file, timestamp: Number(m[2]), size: st.size });
    groups.set(m[1], list);
  }
  const out = [...groups.entries()].map(([name, versions]) => ({ name, versions: versions.sort((a, b) => b.timestamp - a.timestamp) }));
  out.sort((a, b) => a.name.localeCompare(b.name));
  return JSON.stringify(out);
}

/** 10,000 tarball files (100 environments × 100 versions; 1,000 with --quick). */
export async function benchTarballs(ctx: BenchContext): Promise<void> {
  const envs = ctx.quick ? 20 : 100;
  const versions = ctx.quick ? 50 : 100;
  const runs = ctx.quick ? 7 : 15;
  const dir = ctx.containerDir;
  fs.mkdirSync(dir, { recursive: true });
  const made: string[] = [];
  const t = now();
  for (let e = 0; e < envs; e++) {
    for (let v = 0; v < versions; v++) {
      const file = path.join(dir, `bench-tar-${e}-${1700000000 + v}.tar`);
      fs.writeFileSync(file, "");
      made.push(file);
    }
  }
  console.log(`  wrote ${made.length} files in ${Math.round(now() - t)} ms`);
  try {
    const floor = await timeMedian(() => bareListing(dir), runs, 3);
    const api = await timeMedian(() => dashboardGet(`${ctx.server.url}/api/tarballs`, ctx.server.bearer), runs, 3);
    const page = await timeMedian(() => dashboardGet(`${ctx.server.url}/docker?tab=tarballs`, { Cookie: ctx.cookie }), runs, 3);
    const n = made.length.toLocaleString("en");
    ctx.add({ section: "tarballs", measure: `bare read + stat + group, ${n} files`, value: floor, unit: "ms" });
    ctx.add({ section: "tarballs", measure: `GET /api/tarballs, ${n} files`, value: api, unit: "ms", floor, ratio: api / floor, target: "≤ 2×", met: api / floor <= 2 });
    ctx.add({ section: "tarballs", measure: `page Shared Tarballs, ${n} files`, value: page, unit: "ms", floor, ratio: page / floor, target: "≤ 2×", met: page / floor <= 2 });
  } finally {
    for (const f of made) fs.rmSync(f, { force: true });
  }
  await benchVersions(ctx);
}
