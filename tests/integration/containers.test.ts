import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { deleteContainer, getHostContainer, listContainers, startContainer, stopContainer } from "@/lib/docker/containers";
import { createEnvironmentContainer } from "@/lib/docker/create-container";
import { AppError } from "@/lib/shared/errors";
import type { CreateEvent } from "@/lib/shared/containers";
import { LOCAL_IMAGE, PULL_IMAGE, engine, importImageWithoutSleep, removeContainer, removeImage, uniqueName } from "../helpers/docker";

const made: string[] = [];
const named = (prefix: string) => {
  const name = uniqueName(prefix);
  made.push(name);
  return name;
};

after(async () => {
  for (const name of made) await removeContainer(name);
});

async function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof AppError, `expected AppError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe("Host containers on the real engine", () => {
  it("Create pulls a missing image with per-layer byte progress, labels the container and starts it under an init", async () => {
    await removeImage(PULL_IMAGE);
    const name = named("pull");
    const events: CreateEvent[] = [];
    const created = await createEnvironmentContainer({ image: PULL_IMAGE, name }, (e) => events.push(e));

    const pulls = events.filter((e): e is Extract<CreateEvent, { type: "pull" }> => e.type === "pull");
    assert.ok(pulls.length >= 1, "pull progress events arrive");
    const layers = pulls.at(-1)!.layers;
    assert.ok(layers.length >= 1);
    assert.ok(layers.some((l) => (l.total ?? 0) > 90 * 1024 * 1024), "the big layer reports its byte total");
    assert.ok(pulls.flatMap((p) => p.layers).some((l) => /^(Downloading|Extracting)/.test(l.status) && (l.current ?? 0) > 0), "bytes are counted while the layer is fetched");

    assert.equal(created.name, name);
    assert.equal(created.state, "running");
    assert.equal(created.managed, true);
    assert.equal(created.envName, name);
    const inspect = await engine.getContainer(name).inspect();
    assert.equal(inspect.Config.Labels["hakuriver.managed"], "true");
    assert.equal(inspect.Config.Labels["hakuriver.env"], name);
    assert.equal(inspect.HostConfig.Init, true);
    assert.deepEqual(inspect.Config.Cmd, ["sleep", "infinity"]);
  });

  it("Stop of a dashboard-made container takes well under Docker's 10 s, then Start and Delete work", async () => {
    const name = named("stop");
    await createEnvironmentContainer({ image: LOCAL_IMAGE, name });

    const began = Date.now();
    await stopContainer(name);
    const took = Date.now() - began;
    assert.ok(took < 5000, `stop took ${took} ms`);
    assert.equal((await getHostContainer(name)).state, "exited");
    await stopContainer(name); // already stopped: not an error

    await startContainer(name);
    assert.equal((await getHostContainer(name)).state, "running");
    await startContainer(name); // already running: not an error

    await deleteContainer(name);
    await rejectsWith(getHostContainer(name), "not_found:container");
    await rejectsWith(deleteContainer(name), "not_found:container", new RegExp(`Container ${name} was not found`));
  });

  it("lists managed containers by default and every container with all", async () => {
    const managed = named("listed");
    const foreign = named("foreign");
    await createEnvironmentContainer({ image: LOCAL_IMAGE, name: managed });
    await engine.createContainer({ name: foreign, Image: LOCAL_IMAGE, Cmd: ["true"] });

    const mine = await listContainers();
    assert.ok(mine.some((c) => c.name === managed));
    assert.ok(!mine.some((c) => c.name === foreign));
    const all = await listContainers({ all: true });
    const other = all.find((c) => c.name === foreign);
    assert.ok(other, "all lists containers the dashboard did not make");
    assert.equal(other.managed, false);
    assert.equal(other.state, "created");
    assert.ok(all.find((c) => c.name === managed)?.managed);
  });

  it("refuses an existing name before pulling anything", async () => {
    const name = named("dup");
    await createEnvironmentContainer({ image: LOCAL_IMAGE, name });
    const events: CreateEvent[] = [];
    await rejectsWith(
      createEnvironmentContainer({ image: "127.0.0.1:5055/does-not/exist:1", name }, (e) => events.push(e)),
      "conflict:container",
      /already exists/,
    );
    assert.equal(events.length, 0, "no pull was started");
  });

  it("an image that cannot be pulled leaves nothing behind", async () => {
    const name = named("nopull");
    await rejectsWith(createEnvironmentContainer({ image: "127.0.0.1:5055/hakuriver-test/missing:1", name }), "failed:pull", /Could not pull/);
    await rejectsWith(getHostContainer(name), "not_found:container");
  });

  it("a container that fails to start is removed", async () => {
    const image = `hakuriver-test/nosleep:${Date.now()}`;
    await importImageWithoutSleep(image);
    const name = named("nostart");
    try {
      await rejectsWith(createEnvironmentContainer({ image, name }), "failed:start", /exited at once \(code 127\).*sleep/);
      await rejectsWith(getHostContainer(name), "not_found:container");
    } finally {
      await removeImage(image);
    }
  });
});
