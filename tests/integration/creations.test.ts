import "../helpers/isolated-env";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cancelCreation, followCreation, listCreations, startCreation, undoInterruptedCreation } from "@/lib/docker/creations";
import { jobs } from "@/lib/jobs";
import type { Job } from "@/lib/shared/jobs";
import { AppError } from "@/lib/shared/errors";
import type { CreateEvent } from "@/lib/shared/containers";
import { LOCAL_IMAGE, PULL_IMAGE, engine, removeContainer, removeImage, uniqueName } from "../helpers/docker";
import { freePort } from "../helpers/server";
import { startSlowRegistry } from "../helpers/slow-registry";

let slow: Awaited<ReturnType<typeof startSlowRegistry>>;
const made: string[] = [];
before(async () => {
  slow = await startSlowRegistry(4 * 1024 * 1024);
});
after(async () => {
  await slow.close();
  for (const name of made) await removeContainer(name);
  await removeImage(slow.image());
});

const exists = async (ref: string, kind: "container" | "image"): Promise<boolean> => {
  try {
    await (kind === "container" ? engine.getContainer(ref).inspect() : engine.getImage(ref).inspect());
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
};

describe("Create New Container as a job", () => {
  it("Cancel mid-pull aborts it: no container and no image tag are left", async () => {
    // Neither name may hold the layer locally, or the pull downloads nothing.
    await removeImage(slow.image());
    await removeImage(PULL_IMAGE);
    const name = uniqueName("cancel");
    made.push(name);
    const job = startCreation({ image: slow.image(), name }, "session:test");
    assert.equal(job.phase, "pulling");
    const events: CreateEvent[] = [];
    const ended = followCreation(name, (e) => events.push(e));
    // Wait for real byte progress, then cancel.
    for (let i = 0; ; i++) {
      const bytes = listCreations().find((c) => c.env === name)?.layers.reduce((n, l) => n + (l.current ?? 0), 0) ?? 0;
      if (bytes > 2 * 1024 * 1024) break;
      assert.ok(i < 400, "the pull never showed byte progress");
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.throws(() => startCreation({ image: slow.image(), name }, "session:test"), (err: unknown) => err instanceof AppError && err.code === "conflict:container");
    assert.equal(await cancelCreation(name), `Cancelled the creation of ${name}; nothing was left behind.`);
    assert.equal(await ended, undefined);
    const final = listCreations().find((c) => c.env === name)!;
    assert.equal(final.phase, "cancelled");
    assert.match(JSON.stringify(events.at(-1)), /cancelled; nothing was left behind/);
    assert.equal(await exists(name, "container"), false);
    assert.equal(await exists(slow.image(), "image"), false, "no partial image tag");
    await assert.rejects(cancelCreation(name), (err: unknown) => err instanceof AppError && err.code === "not_found:container", "nothing left to cancel");
  });

  it("a registry that refuses the connection: Docker's own reason reaches the job and the events", async () => {
    const port = await freePort(); // nothing listens there
    const name = uniqueName("refused");
    made.push(name);
    startCreation({ image: `127.0.0.1:${port}/nothing/here:1`, name }, "session:test");
    const events: CreateEvent[] = [];
    await followCreation(name, (e) => events.push(e));
    const job = listCreations().find((c) => c.env === name)!;
    assert.equal(job.phase, "failed");
    assert.match(job.error ?? "", /connection refused/);
    const last = events.at(-1)!;
    assert.equal(last.type, "error");
    assert.match((last as { error: string }).error, /connection refused/);
    assert.equal(await exists(name, "container"), false);
  });

  it("a registry that has no such image: 'manifest unknown' or 'not found' in Docker's words", async () => {
    const name = uniqueName("unknown");
    made.push(name);
    startCreation({ image: slow.image("hakuriver-test/absent:1"), name }, "session:test");
    await followCreation(name, () => {});
    const job = listCreations().find((c) => c.env === name)!;
    assert.equal(job.phase, "failed");
    assert.match(job.error ?? "", /manifest unknown|not found/i);
    assert.doesNotMatch(job.error ?? "", /manifest unknown: manifest unknown/, "Docker's words once");
    assert.match(job.error ?? "", /has no such image or tag/, "with what it means");
  });

  it("is a job of the one registry: typed phases, the container in its outcome, Cancel refused once it is made", async () => {
    const name = uniqueName("typed");
    made.push(name);
    const phases: string[] = [];
    const off = jobs().onChange(() => {
      const phase = jobs().latest("create", name)?.phase;
      if (phase && phases.at(-1) !== phase) phases.push(phase);
    });
    const view = startCreation({ image: LOCAL_IMAGE, name }, "session:test");
    const container = await followCreation(name, () => {});
    off();
    assert.ok(container, "made");
    const job = jobs().get(view.id)!;
    assert.equal(job.kind, "create");
    assert.equal(job.target, name);
    assert.deepEqual(phases, ["pulling", "creating", "starting"]);
    assert.equal(job.outcome?.result, "succeeded");
    assert.equal(job.outcome?.details?.container, container.name);
    assert.equal(job.final, true);
    assert.equal(job.about?.containerId, container.id, "the container's ID was journaled before it was kept");
    assert.equal(listCreations().find((c) => c.id === view.id)?.phase, "done");
    // Finished: Cancel dismisses it, and it is gone from the list.
    assert.equal(jobs().cancelOrDismiss(view.id), "dismissed");
    assert.equal(listCreations().find((c) => c.id === view.id), undefined);
  });

  it("after a crash, an interrupted creation's container (by its recorded ID) is removed; a kept one is not", async () => {
    const name = uniqueName("crashed");
    made.push(name);
    const c = await engine.createContainer({ name, Image: LOCAL_IMAGE, Cmd: ["sleep", "infinity"] });
    const job = (final: boolean): Job => ({ id: "x", kind: "create", target: name, phase: "starting", startedAt: new Date().toISOString(), about: { container: name, containerId: c.id }, ...(final ? { final } : {}) });
    await undoInterruptedCreation(job(true));
    assert.equal(await exists(c.id, "container"), true, "a kept container stays");
    await undoInterruptedCreation(job(false));
    assert.equal(await exists(c.id, "container"), false);
  });
});
