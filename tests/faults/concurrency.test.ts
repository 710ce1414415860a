import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { PackageJob } from "@/lib/shared/tarballs";
import { LOCAL_IMAGE, engine, removeContainer, removeImage, uniqueName } from "../helpers/docker";
import { createViaApi, loginCookie, startServer, waitFor, type TestServer } from "../helpers/server";

let server: TestServer;
const made: string[] = [];
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
  for (const name of made) {
    await removeContainer(name);
    await removeImage(`hakuriver/${name}:base`);
  }
});

async function create(prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  made.push(name);
  await createViaApi(server, name, LOCAL_IMAGE);
  return name;
}

describe("concurrency", () => {
  it("parallel start / stop / delete of one container from two sessions: clear answers and a consistent end", async () => {
    const sessions = [await loginCookie(server), await loginCookie(server)].map((cookie) => ({ Cookie: cookie, Origin: server.origin }));
    for (let round = 0; round < 3; round++) {
      const name = await create(`race${round}`);
      const calls = ["stop", "start", "stop", "delete", "start", "stop", "delete", "start"].map((command, i) => {
        const headers = sessions[i % 2];
        return command === "delete"
          ? fetch(`${server.url}/api/containers/${name}`, { method: "DELETE", headers })
          : fetch(`${server.url}/api/containers/${name}/${command}`, { method: "POST", headers });
      });
      const answers = await Promise.all(
        calls.map(async (call) => {
          const res = await call;
          return { status: res.status, body: (await res.json()) as { message?: string; error?: string } };
        }),
      );
      for (const a of answers) {
        assert.ok([200, 404, 409].includes(a.status), JSON.stringify(a));
        const text = a.body.message ?? a.body.error ?? "";
        assert.ok(text.length > 0 && !/Something went wrong/.test(text), JSON.stringify(a));
        if (a.status === 404) assert.equal(a.body.error, `Container ${name} was not found.`);
      }
      assert.ok(answers.some((a) => a.status === 200 && /Deleted/.test(a.body.message ?? "")), "one delete succeeded");
      // Every delete ran, so the end state is: gone, and the dashboard agrees with the engine.
      assert.equal((await fetch(`${server.url}/api/containers/${name}`, { headers: server.bearer })).status, 404);
      await assert.rejects(engine.getContainer(name).inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
      const listed = (await (await fetch(`${server.url}/api/containers?all=1`, { headers: server.bearer })).json()) as { containers: { name: string }[] };
      assert.ok(!listed.containers.some((c) => c.name === name));
    }
  });

  it("Create Tar on three environments in parallel: all complete, each with its own new version", async () => {
    const envs = [await create("par-a"), await create("par-b"), await create("par-c")];
    const started = await Promise.all(envs.map((env) => fetch(`${server.url}/api/containers/${env}/tar`, { method: "POST", headers: server.bearer })));
    assert.deepEqual(started.map((r) => r.status), [202, 202, 202]);
    const jobs = await waitFor(async () => {
      const { jobs } = (await (await fetch(`${server.url}/api/tarballs/jobs`, { headers: server.bearer })).json()) as { jobs: PackageJob[] };
      const mine = envs.map((env) => jobs.find((j) => j.env === env));
      return mine.every((j) => j && !["committing", "saving", "finishing"].includes(j.phase)) ? (mine as PackageJob[]) : undefined;
    }, 120_000);
    for (const j of jobs) assert.equal(j.phase, "done", j.error);
    const dir = path.join(server.dataDir, "shared", "hakuriver-containers");
    for (const env of envs) {
      const files = fs.readdirSync(dir).filter((f) => f.startsWith(`${env}-`));
      assert.equal(files.length, 1, env);
      assert.ok(fs.statSync(path.join(dir, files[0])).size > 1024 * 1024);
    }
  });
});
