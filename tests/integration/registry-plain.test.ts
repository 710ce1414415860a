import { testRoot } from "../helpers/isolated-env";
import assert from "node:assert/strict";
import path from "node:path";
import { after, describe, it } from "node:test";
import { createEnvironmentContainer } from "@/lib/docker/create-container";
import type { Job } from "@/lib/shared/jobs";
import { LOCAL_IMAGE, engine, execIn, removeContainer, removeImage, uniqueName } from "../helpers/docker";
import { startOwnRegistry } from "../helpers/own-registry";

/**
 * A registry without auth that refuses deletes (Debian's docker-registry, `storage.delete` off):
 * Create Tar pushes without credentials, and deleting a version says the tag stays there, and why.
 * (tests/integration/registry.test.ts has basic auth, deletes, the Runners' pulls and the registry going down.)
 */
const registry = await startOwnRegistry(path.join(testRoot, "registry"), { deletes: false });
process.env.HAKURIVER_REGISTRY = registry.address;
process.env.HAKURIVER_REGISTRY_INSECURE = "1";

const { jobs } = await import("@/lib/jobs");
const { listPackageJobs, startPackage } = await import("@/lib/tarballs/package");
const { versionRegistry } = await import("@/lib/registry/state");
const { execute } = await import("@/lib/commands");
const { OWNER } = await import("@/lib/auth/authorise");
const CALLER = { id: "test", principal: OWNER };

const env = uniqueName("regplain");
let imageId: string | undefined;

after(async () => {
  await removeContainer(env);
  await removeImage(`hakuriver/${env}:base`);
  if (imageId) await engine.getImage(imageId).remove({ force: true }).catch(() => {});
  await registry.stop();
});

describe("Versions through a registry without auth that refuses deletes", () => {
  it("Create Tar pushes; deleting the version keeps the tag and says so", async () => {
    await createEnvironmentContainer({ image: LOCAL_IMAGE, name: env });
    assert.equal((await execIn(env, ["sh", "-c", "echo v1 > /root/marker"])).exitCode, 0);
    await startPackage(env);
    const pkg = listPackageJobs().find((j) => j.env === env)!;
    const ended = await jobs().settled(pkg.id);
    assert.equal(ended?.outcome?.result, "succeeded", ended?.outcome?.message);
    const file = String(ended!.outcome!.details!.file);
    assert.match(ended!.outcome!.message, new RegExp(`Pushing it to ${registry.address}\\.$`));
    imageId = (await engine.getImage(`hakuriver/${env}:base`).inspect()).Id;
    const push = (await jobs().settled(jobs().latest("push", file)!.id)) as Job<"push">;
    assert.equal(push.outcome?.result, "succeeded", push.outcome?.message);
    assert.ok((push.progress?.total ?? 0) > 0, "the push reported its bytes");
    const state = await versionRegistry(file);
    assert.equal(state?.state, "in_registry");
    const tag = file.match(/-(\d+)\.tar$/)![1];
    const said = await execute("tarball.delete", CALLER, file);
    assert.match(said.message, new RegExp(`^Deleted ${file}\\. ${registry.address} does not allow deletes: ${registry.address}/hakuriver/${env}:${tag} stays there`));
    const still = await fetch(`http://${registry.address}/v2/hakuriver/${env}/manifests/${tag}`, { method: "HEAD", headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json" } });
    assert.equal(still.status, 200, "the registry still has the tag");
  });
});
