import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { VersionDetails } from "@/lib/shared/tarballs";
import { LOCAL_IMAGE, engine, removeContainer, removeImage, uniqueName } from "../helpers/docker";
import { startServer, waitFor, type TestServer } from "../helpers/server";

/**
 * Someone who can write to shared storage plants a version whose archive carries a harmless
 * manifest.json and, after it, a second one in disguise that names another image's tag (issue 23,
 * finding 1). docker load cleans member names and a later member wins, so loading the file as-is
 * re-points the victim's tag. "New container from this version" must never change any tag but the
 * version's own; Details and Verify must see the second manifest too (and refuse the file).
 */
let server: TestServer;
let dir: string;
let attacker: string;
let victimId: string;
const victim = `hakuriver/${uniqueName("victim")}:base`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "retag-"));
const made: string[] = [];

before(async () => {
  server = await startServer();
  dir = path.join(server.dataDir, "shared", "hakuriver-containers");
  fs.mkdirSync(dir, { recursive: true });
  // The victim: a tag on the Host that has nothing to do with the planted file.
  victimId = (await engine.getImage(LOCAL_IMAGE).inspect()).Id;
  await engine.getImage(LOCAL_IMAGE).tag({ repo: victim.split(":")[0], tag: "base" });
  // The attacker's image: the test image plus a layer of its own.
  const name = uniqueName("attacker");
  made.push(name);
  const c = await engine.createContainer({ name, Image: LOCAL_IMAGE, Cmd: ["sh", "-c", "echo planted > /planted"] });
  await c.start();
  await c.wait();
  attacker = `hakuriver-test/attacker-${name}:1`;
  const image = await c.commit({ repo: attacker.split(":")[0], tag: "1" });
  assert.notEqual(image.Id, victimId);
  const saved = await engine.getImage(attacker).get();
  await new Promise<void>((resolve, reject) => saved.pipe(fs.createWriteStream(path.join(tmp, "attacker.tar"))).on("finish", resolve).on("error", reject));
});

after(async () => {
  await server?.stop();
  for (const name of made) await removeContainer(name);
  await removeImage(victim);
  await removeImage(attacker);
  fs.rmSync(tmp, { recursive: true, force: true });
});

/**
 * The attacker's save with manifest.json naming `hakuriver/<env>:base`, then a second manifest.json
 * naming the victim, written by Python's tarfile under `disguise`.
 */
function plant(env: string, disguise: "dot-slash" | "dot-dot" | "pax-path" | "gnu-long-name"): string {
  const file = `${env}-${Math.floor(Date.now() / 1000)}.tar`;
  const script = `
import io, json, sys, tarfile
src, out, harmless, victim, disguise = sys.argv[1:6]
fmt = tarfile.GNU_FORMAT if disguise == "gnu-long-name" else tarfile.PAX_FORMAT
with tarfile.open(src) as t, tarfile.open(out, "w", format=fmt) as o:
    manifest = None
    for m in t.getmembers():
        if m.name == "manifest.json":
            manifest = json.load(t.extractfile(m))
            continue
        if m.name == "repositories":
            continue
        o.addfile(m, t.extractfile(m) if m.isfile() else None)
    def add(name, tags, pax=None):
        body = json.dumps([dict(manifest[0], RepoTags=tags)]).encode()
        info = tarfile.TarInfo(name)
        info.size = len(body)
        if pax:
            info.pax_headers = pax
        o.addfile(info, io.BytesIO(body))
    add("manifest.json", [harmless])
    if disguise == "dot-slash":
        add("././manifest.json", [victim])
    elif disguise == "dot-dot":
        add("x/../manifest.json", [victim])
    elif disguise == "pax-path":
        add("decoy.json", [victim], {"path": "manifest.json"})
    else:
        add("a/" * 60 + "../" * 60 + "manifest.json", [victim])
`;
  execFileSync("python3", ["-c", script, path.join(tmp, "attacker.tar"), path.join(dir, file), `hakuriver/${env}:base`, victim, disguise]);
  return file;
}

const api = (p: string, init: RequestInit = {}) => fetch(`${server.url}${p}`, { ...init, headers: { ...server.bearer, "Content-Type": "application/json", ...init.headers } });

describe("a version with a disguised second manifest.json", () => {
  for (const disguise of ["dot-slash", "dot-dot", "pax-path", "gnu-long-name"] as const) {
    it(`(${disguise}) cannot re-tag another image, and Details and Verify say what is wrong`, async () => {
      // Each disguise starts from an untouched victim (on a build that fails, the one before moved it).
      await engine.getImage(victimId).tag({ repo: victim.split(":")[0], tag: "base" });
      const env = uniqueName("rt");
      const file = plant(env, disguise);
      const newName = uniqueName("rtc");
      made.push(newName);

      const restore = await api(`/api/tarballs/${file}/container`, { method: "POST", body: JSON.stringify({ name: newName }) });
      if (restore.status === 202) {
        // Accepted: the creation job loads it; wait for it to end whichever way.
        await waitFor(async () => {
          const { creations } = (await (await api("/api/creations")).json()) as { creations: { env: string; phase: string }[] };
          const job = creations.find((c) => c.env === newName);
          return job && !["pulling", "creating", "starting", "loading"].includes(job.phase) ? job : undefined;
        }, 60_000, "the creation to end");
      } else {
        assert.equal(restore.status, 400, await restore.text());
      }
      assert.equal((await engine.getImage(victim).inspect()).Id, victimId, `${victim} still names the image it named`);

      const { details } = (await (await api(`/api/tarballs/${file}`)).json()) as { details: VersionDetails };
      assert.match(details.problem ?? "", /Two members of the archive are both manifest\.json/, `Details: ${JSON.stringify(details).slice(0, 300)}`);

      const verify = await api(`/api/tarballs/${file}/verify`, { method: "POST" });
      assert.ok(verify.status < 300, `Verify starts: ${verify.status}`);
      const outcome = await waitFor(async () => {
        const v = (await (await api(`/api/tarballs/${file}/verify`)).json()) as { verification?: { phase: string; problems?: string[] } };
        return v.verification && v.verification.phase !== "running" ? v.verification : undefined;
      }, 60_000, "Verify to end");
      assert.equal(outcome.phase, "damaged");
      assert.match(outcome.problems?.join("\n") ?? "", /both manifest\.json/);
    });
  }
});
