import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { getHostContainer, startContainer, stopContainer } from "@/lib/docker/containers";
import { listLocalImageRefs } from "@/lib/docker/images";
import { execute } from "@/lib/commands";
import { OWNER } from "@/lib/auth/authorise";
import { describeStatus } from "@/lib/shared/status";
import { LOCAL_IMAGE, engine, removeContainer, runEnvironmentContainer, uniqueName } from "../helpers/docker";

const made: string[] = [];
after(async () => {
  for (const name of made) await removeContainer(name);
});

async function environment(prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  made.push(name);
  await runEnvironmentContainer(name);
  return name;
}

describe("status words against the engine", () => {
  it("a Stop made here reads as a clean stop; the same exit from outside is a warning; Start forgets it", async () => {
    const name = await environment("words");
    await stopContainer(name);
    const stopped = await getHostContainer(name);
    assert.equal(stopped.stoppedHere, true);
    assert.match(stopped.statusText, /^Exited \(143\)/);
    assert.deepEqual([describeStatus(stopped).label, describeStatus(stopped).warning], ["Stopped", false]);

    await startContainer(name);
    assert.equal((await getHostContainer(name)).stoppedHere, undefined);
    await engine.getContainer(name).stop();
    const outside = await getHostContainer(name);
    assert.match(outside.statusText, /^Exited \(143\)/);
    assert.deepEqual([describeStatus(outside).label, describeStatus(outside).warning], ["Stopped", true]);
  });

  it("container.unpause resumes a paused container", async () => {
    const name = await environment("resume");
    await engine.getContainer(name).pause();
    assert.equal((await getHostContainer(name)).state, "paused");
    const result = await execute("container.unpause", { id: "test", principal: OWNER }, name);
    assert.equal(result.message, `Resumed ${name}.`);
    assert.equal((await getHostContainer(name)).state, "running");
  });

  it("lists the Host's image references for the Create modal, without the environment images", async () => {
    const refs = await listLocalImageRefs("hakuriver/");
    assert.ok(refs.includes(LOCAL_IMAGE), refs.join(", "));
    assert.ok(!refs.some((r) => r.startsWith("hakuriver/") || r === "<none>:<none>"));
  });
});
