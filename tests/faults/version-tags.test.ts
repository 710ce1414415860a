import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { AuditEntry } from "@/lib/audit";
import type { CreationJob } from "@/lib/shared/containers";
import type { PackageJob } from "@/lib/shared/tarballs";
import { LOCAL_IMAGE, engine, removeContainer, removeImage, uniqueName } from "../helpers/docker";
import { createViaApi, startServer, waitFor, type TestServer } from "../helpers/server";

/**
 * The clean-up of `hakuriver/<env>:v<ts>` tags removes only the tags the dashboard itself loaded
 * (New container from this version), never one someone made by hand, and says so in the audit log.
 */
let server: TestServer;
const made: string[] = [];
const images: string[] = [];

before(async () => {
  server = await startServer();
});

after(async () => {
  await server.stop();
  for (const name of made) await removeContainer(name);
  for (const ref of images) await removeImage(ref);
  for (const name of made) await removeImage(`hakuriver/${name}:base`);
  fs.rmSync(server.dataDir, { recursive: true, force: true });
});

const present = (ref: string) => engine.getImage(ref).inspect().then(() => true, (err: { statusCode?: number }) => (err.statusCode === 404 ? false : Promise.reject(err)));
const auditLog = (): AuditEntry[] =>
  fs.existsSync(path.join(server.dataDir, "audit.log"))
    ? fs.readFileSync(path.join(server.dataDir, "audit.log"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as AuditEntry)
    : [];
const deleteContainer = async (name: string) => {
  const res = await fetch(`${server.url}/api/containers/${name}`, { method: "DELETE", headers: server.bearer });
  assert.equal(res.status, 200, await res.text());
};

async function packaged(env: string): Promise<string> {
  assert.equal((await fetch(`${server.url}/api/containers/${env}/tar`, { method: "POST", headers: server.bearer })).status, 202);
  const job = await waitFor(async () => {
    const { jobs } = (await (await fetch(`${server.url}/api/tarballs/jobs`, { headers: server.bearer })).json()) as { jobs: PackageJob[] };
    const j = jobs.find((x) => x.env === env);
    return j && !["committing", "saving", "finishing"].includes(j.phase) ? j : undefined;
  }, 120_000, `Create Tar of ${env}`);
  assert.equal(job.phase, "done", job.error);
  return job.file!;
}

describe("version tag clean-up", () => {
  it("a hand-made hakuriver/<name>:v123 tag with no container survives a start-up and a container delete", async () => {
    const repo = `hakuriver/${uniqueName("byhand")}`;
    const tag = `${repo}:v123`;
    images.push(tag);
    // An image of its own (LOCAL_IMAGE plus a label): no container anywhere uses it, whatever else runs
    // on this engine — a plain `docker tag` of LOCAL_IMAGE would share its ID with every busybox container.
    const c = await engine.createContainer({ Image: LOCAL_IMAGE, Cmd: ["true"] });
    await c.commit({ repo, tag: "v123", changes: [`LABEL made.by.hand=${repo}`] });
    await c.remove();
    await server.stop();
    server = await server.restart();
    // The start-up clean-up runs in the background; give it time to finish.
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(await present(tag), true, "kept across a start-up");

    const env = uniqueName("other");
    made.push(env);
    await createViaApi(server, env, LOCAL_IMAGE);
    await deleteContainer(env);
    assert.equal(await present(tag), true, "kept across a container delete");
    assert.ok(!auditLog().some((e) => e.target === tag), "and nothing in the audit log claims it");
  });

  it("a tag made by New container from this version goes once its container is deleted, and the audit log says so", async () => {
    const source = uniqueName("vsrc");
    made.push(source);
    await createViaApi(server, source, LOCAL_IMAGE);
    const file = await packaged(source);
    const tag = `hakuriver/${source}:v${/-(\d+)\.tar$/.exec(file)![1]}`;
    images.push(tag);
    const env = uniqueName("vback");
    made.push(env);
    const res = await fetch(`${server.url}/api/tarballs/${file}/container`, {
      method: "POST",
      headers: { ...server.bearer, "Content-Type": "application/json" },
      body: JSON.stringify({ name: env }),
    });
    assert.equal(res.status, 202, await res.clone().text());
    const job = await waitFor(async () => {
      const { creations } = (await (await fetch(`${server.url}/api/creations`, { headers: server.bearer })).json()) as { creations: CreationJob[] };
      const c = creations.find((x) => x.env === env);
      return c && !["pulling", "creating"].includes(c.phase) ? c : undefined;
    }, 60_000, `the creation of ${env}`);
    assert.equal(job.phase, "done", job.error);
    assert.equal(await present(tag), true, "loaded as the version tag");

    await deleteContainer(env);
    assert.equal(await present(tag), false, "removed with its last container");
    const untag = auditLog().find((e) => e.action === "image.untag" && e.target === tag);
    assert.ok(untag, `the audit log names the removal: ${JSON.stringify(auditLog().slice(-5))}`);
    assert.equal(untag.result, "ok");
    assert.match(untag.detail ?? "", /no container/i);
  });
});
