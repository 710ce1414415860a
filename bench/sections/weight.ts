import { gzipSync } from "node:zlib";
import type { BenchContext } from "../run";

/**
 * First-load JavaScript of /docker, gzip: every script the page's HTML makes a modern browser
 * load (`nomodule` polyfills are skipped by browsers that support modules, Chromium included).
 * xterm must not be among them.
 */
export async function benchWeight(ctx: BenchContext): Promise<void> {
  const html = await (await fetch(`${ctx.server.url}/docker`, { headers: { Cookie: ctx.cookie } })).text();
  const tags = [...html.matchAll(/<script[^>]+src="([^"]+)"[^>]*>/g)].filter((m) => !/nomodule/i.test(m[0]));
  const srcs = [...new Set(tags.map((m) => m[1]))];
  let total = 0;
  let xterm = false;
  for (const src of srcs) {
    const body = Buffer.from(await (await fetch(new URL(src, ctx.server.url))).arrayBuffer());
    total += gzipSync(body).length;
    if (body.includes("xterm-helper-textarea")) xterm = true;
  }
  const kb = total / 1000;
  ctx.add({ section: "weight", measure: `first-load JS of /docker (${srcs.length} scripts, gzip)`, value: kb, unit: "kB", target: "≤ 200 kB", met: kb <= 200 });
  ctx.add({ section: "weight", measure: "xterm in the first load (1 = yes)", value: xterm ? 1 : 0, unit: "", target: "0", met: !xterm });
}
