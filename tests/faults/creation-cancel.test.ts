import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, describe, it } from "node:test";
import type { CreateEvent, CreationJob } from "@/lib/shared/containers";
import type { PackageJob } from "@/lib/shared/tarballs";
import { LOCAL_IMAGE, engine, removeContainer, removeImage, uniqueName } from "../helpers/docker";
import { createViaApi, startServer, waitFor, type TestServer } from "../helpers/server";
import { startSlowRegistry } from "../helpers/slow-registry";

/**
 * Cancel of Create New Container (and of New container from this version) is sent at every moment
 * of the job — at once, after the image is there, after the container is created, after it is
 * started — 8 times each. Whatever DELETE /api/creations/<env> answers must be what the engine
 * shows afterwards: 200 → no container of that name and the image tag as it was before; 409 (too
 * late) → the container is there and running. Never "nothing will be left behind" and a container.
 */
let server: TestServer;
let slow: Awaited<ReturnType<typeof startSlowRegistry>>;
const made: string[] = [];
const images: string[] = [];
const TRIES = 8;

before(async () => {
  server = await startServer();
  slow = await startSlowRegistry(32 * 1024 * 1024);
});

after(async () => {
  await server.stop();
  await slow.close();
  for (const name of made) await removeContainer(name);
  for (const ref of images) await removeImage(ref);
  for (const name of made) await removeImage(`hakuriver/${name}:base`);
  fs.rmSync(server.dataDir, { recursive: true, force: true });
});

interface Cancel {
  status: number;
  text: string;
}

const containerState = async (name: string): Promise<"absent" | "running" | string> => {
  try {
    const { State } = await engine.getContainer(name).inspect();
    return State.Running ? "running" : State.Status;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return "absent";
    throw err;
  }
};
const imagePresent = (ref: string) => engine.getImage(ref).inspect().then(() => true, (err: { statusCode?: number }) => (err.statusCode === 404 ? false : Promise.reject(err)));

async function cancel(env: string): Promise<Cancel> {
  const res = await fetch(`${server.url}/api/creations/${env}`, { method: "DELETE", headers: server.bearer });
  const body = (await res.json()) as { message?: string; error?: string };
  return { status: res.status, text: body.message ?? body.error ?? "" };
}

/**
 * What the engine shows must match the answer: a success leaves no container (and, when given,
 * the image tag as it was); "too late" leaves the container running. Then the container goes.
 */
async function checkOutcome(env: string, answer: Cancel, moment: string, imageBefore?: { ref: string; present: boolean }) {
  const what = `${moment}: DELETE answered ${answer.status} ${answer.text}`;
  assert.ok([200, 409].includes(answer.status), what);
  const state = await containerState(env);
  if (answer.status === 200) {
    assert.equal(state, "absent", `${what} — yet the container is ${state}`);
    assert.doesNotMatch(answer.text, /too late/i, what);
    if (imageBefore) assert.equal(await imagePresent(imageBefore.ref), imageBefore.present, `${what} — the image tag ${imageBefore.ref} changed`);
  } else {
    assert.match(answer.text, /Too late to cancel: the container is made; delete it instead\./, what);
    assert.equal(state, "running", what);
    const del = await fetch(`${server.url}/api/containers/${env}`, { method: "DELETE", headers: server.bearer });
    assert.equal(del.status, 200, await del.text());
  }
}

/**
 * Starts Create New Container and sends DELETE when `when` first holds for an event (`null`: as
 * soon as the job answers); reads the job's events to its end and returns the DELETE's answer.
 */
async function createAndCancel(env: string, image: string, when: ((e: CreateEvent) => boolean) | null): Promise<Cancel> {
  made.push(env);
  const res = await fetch(`${server.url}/api/containers`, {
    method: "POST",
    headers: { ...server.bearer, "Content-Type": "application/json" },
    body: JSON.stringify({ image, name: env }),
  });
  assert.equal(res.status, 200);
  let sent: Promise<Cancel> | undefined = when === null ? cancel(env) : undefined;
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  let last: CreateEvent | undefined;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += value;
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    for (const line of lines.filter(Boolean)) {
      last = JSON.parse(line) as CreateEvent;
      if (!sent && when?.(last)) sent = cancel(env);
    }
  }
  assert.ok(last && (last.type === "done" || last.type === "error"), `the job ended: ${JSON.stringify(last)}`);
  // The moment may come only with the last event (or never, when the job failed early).
  return sent ?? cancel(env);
}

const status = (pattern: RegExp) => (e: CreateEvent) => e.type === "status" && pattern.test(e.message);
const moments: [string, ((e: CreateEvent) => boolean) | null][] = [
  ["at once", null],
  ["once the image is there", status(/present locally|^Pulling/)],
  ["once the container is being created", status(/^Creating container/)],
  ["once it is being started", status(/^Starting container/)],
];

describe("Cancel of a creation means what it says", () => {
  it(`a local image, Cancel at each moment, ${TRIES} times: success means no container, too late means a running one`, async () => {
    const answered = new Map<string, number[]>();
    for (let i = 0; i < TRIES; i++) {
      for (const [moment, when] of [...moments, ["once it is made", (e: CreateEvent) => e.type === "done"] as const]) {
        const env = uniqueName(`cxl${i}`);
        const answer = await createAndCancel(env, LOCAL_IMAGE, when);
        await checkOutcome(env, answer, `try ${i + 1} ${moment}`);
        answered.set(moment, [...(answered.get(moment) ?? []), answer.status]);
      }
    }
    // Both sides were reached: a container already created was removed, and a made one was refused.
    assert.ok(answered.get("once it is being started")!.includes(200), JSON.stringify([...answered]));
    assert.deepEqual(answered.get("once it is made"), Array(TRIES).fill(409));
  });

  it(`an image that is pulled, Cancel at each moment (and mid-pull), ${TRIES} times: success also leaves no image tag`, async () => {
    const ref = slow.image();
    images.push(ref);
    const pullMoments: typeof moments = [...moments, ["mid-pull", (e) => e.type === "pull"]];
    for (let i = 0; i < TRIES; i++) {
      const [moment, when] = pullMoments[i % pullMoments.length];
      await removeImage(ref);
      const env = uniqueName(`cxlp${i}`);
      const answer = await createAndCancel(env, ref, when);
      await checkOutcome(env, answer, `try ${i + 1} ${moment}`, { ref, present: false });
    }
  });

  it(`New container from this version, Cancel at each moment, ${TRIES} times: success leaves no container and no version tag`, async () => {
    const source = uniqueName("cxlsrc");
    made.push(source);
    await createViaApi(server, source, LOCAL_IMAGE);
    assert.equal((await fetch(`${server.url}/api/containers/${source}/tar`, { method: "POST", headers: server.bearer })).status, 202);
    const packaged = await waitFor(async () => {
      const { jobs } = (await (await fetch(`${server.url}/api/tarballs/jobs`, { headers: server.bearer })).json()) as { jobs: PackageJob[] };
      const j = jobs.find((x) => x.env === source);
      return j && !["committing", "saving", "finishing"].includes(j.phase) ? j : undefined;
    }, 120_000, "Create Tar");
    assert.equal(packaged.phase, "done", packaged.error);
    const tag = `hakuriver/${source}:v${/-(\d+)\.tar$/.exec(packaged.file!)![1]}`;
    images.push(tag);
    const job = async (env: string) => {
      const { creations } = (await (await fetch(`${server.url}/api/creations`, { headers: server.bearer })).json()) as { creations: CreationJob[] };
      return creations.find((c) => c.env === env);
    };
    const versionMoments: [string, RegExp | null][] = [
      ["at once", null],
      ["while loading", /^Loading|present locally/],
      ["once the container is being created", /^Creating container/],
      ["once it is being started", /^Starting container/],
    ];
    for (let i = 0; i < TRIES; i++) {
      const [moment, pattern] = versionMoments[i % versionMoments.length];
      const env = uniqueName(`cxlv${i}`);
      made.push(env);
      const res = await fetch(`${server.url}/api/tarballs/${packaged.file}/container`, {
        method: "POST",
        headers: { ...server.bearer, "Content-Type": "application/json" },
        body: JSON.stringify({ name: env }),
      });
      assert.equal(res.status, 202, await res.clone().text());
      let answer: Cancel | undefined;
      if (pattern === null) answer = await cancel(env);
      // Polled tightly: the steps after loading take a few hundred milliseconds.
      let ended: CreationJob | undefined;
      for (const deadline = Date.now() + 60_000; !ended; await new Promise((r) => setTimeout(r, 5))) {
        assert.ok(Date.now() < deadline, `the creation of ${env} did not end`);
        const j = await job(env);
        const over = j !== undefined && !["pulling", "creating"].includes(j.phase);
        if (!answer && j && (pattern!.test(j.status) || over)) answer = await cancel(env);
        if (over) ended = j;
      }
      assert.ok(["done", "cancelled"].includes(ended.phase), JSON.stringify(ended));
      await checkOutcome(env, answer!, `try ${i + 1} ${moment}`);
      // Cancelled or deleted: the version tag this creation loaded is gone again.
      await waitFor(async () => ((await imagePresent(tag)) ? undefined : true), 10_000, `${tag} to be removed`);
    }
  });
});
