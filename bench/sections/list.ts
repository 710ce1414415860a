import type { BenchContext } from "../run";
import { dashboardGet, engineGet, timeMedian } from "../lib";
import { LOCAL_IMAGE, engine } from "../../tests/helpers/docker";

/** Host Containers at 10 / 100 / 1,000 containers: API and server render against the raw Engine API call. */
export async function benchList(ctx: BenchContext): Promise<void> {
  const sizes = ctx.quick ? [10, 50] : [10, 100, 1000];
  const runs = ctx.quick ? 7 : 15;
  const made: string[] = [];
  const stamp = Date.now().toString(36);
  const existing = (await engine.listContainers({ all: true })).length;
  try {
    for (const size of sizes) {
      // Grow the host to `size` containers in all (4 creations at a time).
      const missing = Math.max(0, size - existing - made.length);
      const names = Array.from({ length: missing }, (_, i) => `bench-list-${stamp}-${made.length + i}`);
      for (let i = 0; i < names.length; i += 4) {
        await Promise.all(
          names.slice(i, i + 4).map((name) =>
            engine.createContainer({ name, Image: LOCAL_IMAGE, Cmd: ["sleep", "infinity"], Labels: { "hakuriver.managed": "true", "hakuriver.env": name } }),
          ),
        );
      }
      made.push(...names);
      const total = (await engine.listContainers({ all: true })).length;
      const raw = await timeMedian(() => engineGet("/containers/json?all=1"), runs);
      const api = await timeMedian(() => dashboardGet(`${ctx.server.url}/api/containers?all=1`, ctx.server.bearer), runs);
      const page = await timeMedian(() => dashboardGet(`${ctx.server.url}/docker?all=1`, { Cookie: ctx.cookie }), runs);
      const target = size >= 1000 ? "≤ 1.2×" : undefined;
      ctx.add({ section: "list", measure: `raw GET /containers/json?all=1 @${total}`, value: raw, unit: "ms" });
      ctx.add({ section: "list", measure: `GET /api/containers?all=1 @${total}`, value: api, unit: "ms", floor: raw, ratio: api / raw, target, met: target ? api / raw <= 1.2 : undefined });
      ctx.add({ section: "list", measure: `page /docker?all=1 @${total}`, value: page, unit: "ms", floor: raw, ratio: page / raw, target, met: target ? page / raw <= 1.2 : undefined });
    }
  } finally {
    for (let i = 0; i < made.length; i += 8) {
      await Promise.all(made.slice(i, i + 8).map((name) => engine.getContainer(name).remove({ force: true }).catch(() => {})));
    }
  }
}
