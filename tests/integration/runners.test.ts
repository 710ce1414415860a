import { containerDir, testRoot } from "../helpers/isolated-env";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import Docker from "dockerode";
import { createEnvironmentContainer } from "@/lib/docker/create-container";
import type { SyncJob } from "@/lib/shared/runners";
import { LOCAL_IMAGE, engine, execIn, removeContainer, removeImage, uniqueName } from "../helpers/docker";
import { Runner, runnerEngineHost } from "../helpers/runner";
import { createTarAndWait, crossCheck, envOf, settledWithin } from "../helpers/runner-steps";

/**
 * The Runners tab's status and Sync now against real engines: runner1 over its Unix socket,
 * runner2 over SSH (Debian's sshd on loopback, forced to `docker system dial-stdio`; see
 * scripts/runner-engines.sh), and `slow`, a port that accepts and never answers. Every status
 * is cross-checked with a Runner played by the tests with the Runner's own rule (tests/helpers/runner.ts).
 */
const RUNNER2_SOCKET = process.env.HAKURIVER_TEST_RUNNER2 ?? "unix:///run/hakuriver-test/runner2.sock";
const RUNNER2_SSH = process.env.HAKURIVER_TEST_RUNNER2_SSH ?? "ssh://root@127.0.0.1:2232";
const SSH_KEY = process.env.HAKURIVER_TEST_RUNNER2_SSH_KEY ?? "/var/lib/hakuriver-test/runner2/ssh/client_ed25519";
const KNOWN_HOSTS = process.env.HAKURIVER_TEST_RUNNER2_KNOWN_HOSTS ?? "/var/lib/hakuriver-test/runner2/ssh/known_hosts";
const SCRIPT = path.resolve("scripts/runner-engines.sh");

// A port that accepts connections and never says a word: a Runner that hangs.
const silent = net.createServer(() => {});
const silentPort = await new Promise<number>((resolve) => silent.listen(0, "127.0.0.1", () => resolve((silent.address() as net.AddressInfo).port)));

// A port that answers in plain HTTP, as an engine's unencrypted 2375 would.
const plain = net.createServer((c) => c.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"));
const plainPort = await new Promise<number>((resolve) => plain.listen(0, "127.0.0.1", () => resolve((plain.address() as net.AddressInfo).port)));

// runner3 also listens on a loopback TCP port with TLS and client certificates (`dockerd --tlsverify`).
const RUNNER3_TLS = process.env.HAKURIVER_TEST_RUNNER3_TLS ?? "tcp://127.0.0.1:2377";
const TLS_DIR = process.env.HAKURIVER_TEST_RUNNER3_TLS_DIR ?? "/var/lib/hakuriver-test/runner3/tls";
const RUNNER3_SOCKET = "unix:///run/hakuriver-test/runner3.sock";

process.env.HAKURIVER_RUNNERS = [
  `r1=${runnerEngineHost()}, r2=${RUNNER2_SSH}, slow=ssh://root@127.0.0.1:${silentPort}`,
  // The same TLS engine with: the right files; a CA that did not sign its certificate; a client
  // certificate it does not trust; no files at all.
  `r3=${RUNNER3_TLS}, tlsca=${RUNNER3_TLS}, tlsclient=${RUNNER3_TLS}, tlsnone=${RUNNER3_TLS}, plain=tcp://127.0.0.1:${plainPort}`,
].join(", ");
const dataDir = path.join(testRoot, "data");
fs.mkdirSync(path.join(dataDir, "runners", "r2"), { recursive: true });
fs.copyFileSync(SSH_KEY, path.join(dataDir, "runners", "r2", "id_ed25519"));
fs.chmodSync(path.join(dataDir, "runners", "r2", "id_ed25519"), 0o600);
fs.copyFileSync(SSH_KEY, path.join(dataDir, "runners", "slow-key"));
fs.copyFileSync(KNOWN_HOSTS, path.join(dataDir, "runners", "known_hosts"));
fs.mkdirSync(path.join(dataDir, "runners", "slow"));
fs.copyFileSync(SSH_KEY, path.join(dataDir, "runners", "slow", "id_ed25519"));
fs.chmodSync(path.join(dataDir, "runners", "slow", "id_ed25519"), 0o600);

// Another CA and a client certificate it signed: trusted by nobody here.
const rogue = path.join(testRoot, "rogue-ca");
fs.mkdirSync(rogue, { recursive: true });
const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: rogue, stdio: "ignore" });
openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=rogue-ca", "-keyout", "ca-key.pem", "-out", "ca.pem");
openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=rogue-client", "-keyout", "key.pem", "-out", "client.csr");
openssl("x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-days", "2", "-out", "cert.pem");
const tlsFiles = (runner: string, from: { ca: string; cert: string; key: string }) => {
  const dir = path.join(dataDir, "runners", runner);
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, file] of Object.entries(from)) {
    fs.copyFileSync(file, path.join(dir, `${name}.pem`));
    fs.chmodSync(path.join(dir, `${name}.pem`), 0o600);
  }
};
const good = { ca: path.join(TLS_DIR, "ca.pem"), cert: path.join(TLS_DIR, "cert.pem"), key: path.join(TLS_DIR, "key.pem") };
tlsFiles("r3", good);
tlsFiles("tlsca", { ...good, ca: path.join(rogue, "ca.pem") });
tlsFiles("tlsclient", { ...good, cert: path.join(rogue, "cert.pem"), key: path.join(rogue, "key.pem") });
tlsFiles("plain", good);

const { allRunnerStatuses, findRunner, runnerStatus } = await import("@/lib/runners/status");
const { cancelSync, listSyncJobs, startSync } = await import("@/lib/runners/sync");
const { jobs } = await import("@/lib/jobs");

const runner1 = new Runner({ engineHost: runnerEngineHost(), containerDir });
const runner2 = new Runner({ engineHost: RUNNER2_SOCKET, containerDir });
const runner3 = new Runner({ engineHost: RUNNER3_SOCKET, containerDir });
const made: string[] = [];
/** Image IDs of every version packaged here, removed from all three engines at the end. */
const imageIds = new Set<string>();

async function environment(prefix: string, payloadMiB = 0): Promise<string> {
  const env = uniqueName(prefix);
  made.push(env);
  await createEnvironmentContainer({ image: LOCAL_IMAGE, name: env });
  if (payloadMiB) {
    const r = await execIn(env, ["sh", "-c", `head -c ${payloadMiB * 1024 * 1024} /dev/urandom > /root/big`]);
    assert.equal(r.exitCode, 0);
  }
  return env;
}

/** Create Tar through the dashboard (tests/helpers/runner-steps.ts); the image is removed from every engine at the end. */
async function createTar(env: string, marker: string): Promise<string> {
  const file = await createTarAndWait(env, marker, made);
  imageIds.add((await engine.getImage(`hakuriver/${env}:base`).inspect()).Id);
  return file;
}

const status = (name: string) => runnerStatus(findRunner(name));
async function waitForSync(runner: string, until: (job: SyncJob) => boolean, timeoutMs = 180_000): Promise<SyncJob> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = listSyncJobs().find((j) => j.runner === runner);
    if (job && until(job)) return job;
    if (Date.now() > deadline) throw new Error(`sync of ${runner} did not reach the state: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const imageIdOn = async (docker: Docker, ref: string) => (await docker.getImage(ref).inspect().catch(() => undefined))?.Id;

before(() => execFileSync("bash", [SCRIPT, "start", "runner2"], { stdio: "ignore" }));

after(async () => {
  silent.close();
  plain.close();
  execFileSync("bash", [SCRIPT, "start", "runner2"], { stdio: "ignore" });
  for (const env of made.filter((m) => !m.endsWith(".tar"))) {
    await removeContainer(env);
    await removeImage(`hakuriver/${env}:base`);
    await runner1.forget(env);
    await runner2.forget(env);
    await runner3.forget(env);
  }
  for (const id of imageIds) {
    for (const docker of [engine, runner1.engine, runner2.engine, runner3.engine]) {
      await docker.getImage(id).remove({ force: true }).catch(() => {});
    }
  }
});

describe("Runners: status by the Runners' own rule, over a Unix socket and over SSH", () => {
  it("shows missing, then up to date once a Runner loads the version, then behind when a new one appears", async () => {
    const env = await environment("status");
    const v1 = await createTar(env, "v1");
    let [s1, s2] = await Promise.all([status("r1"), status("r2")]);
    assert.ok(s1.reachable && s2.reachable, `${s1.reason} / ${s2.reason}`);
    assert.match(s2.version!, /^\d+\./, "the SSH Runner reports its engine version");
    assert.equal(envOf(s1, env).state, "missing");
    assert.equal(envOf(s2, env).state, "missing");
    await crossCheck(s1, runner1, env);
    await crossCheck(s2, runner2, env);

    assert.equal(await runner1.prepare(env), v1, "the Runner's own rule loads v1");
    [s1, s2] = await Promise.all([status("r1"), status("r2")]);
    assert.deepEqual([envOf(s1, env).state, envOf(s1, env).matches], ["up_to_date", v1]);
    assert.equal(envOf(s2, env).state, "missing");
    await crossCheck(s1, runner1, env);

    const v2 = await createTar(env, "v2");
    [s1, s2] = await Promise.all([status("r1"), status("r2")]);
    const e1 = envOf(s1, env);
    assert.deepEqual([e1.state, e1.newest.file, e1.matches], ["behind", v2, v1], "behind: will load v2, holds v1");
    await crossCheck(s1, runner1, env);
    await crossCheck(s2, runner2, env);
    assert.equal(await runner2.prepare(env), v2);
    s2 = await status("r2");
    assert.equal(envOf(s2, env).state, "up_to_date", "over SSH too");
    await crossCheck(s2, runner2, env);
  });

  it("Sync now loads the newest version with progress, and a Runner that has it is not loaded again", async () => {
    const env = await environment("sync", 48);
    await createTar(env, "v1");
    await runner1.prepare(env);
    const v2 = await createTar(env, "v2");
    assert.equal(envOf(await status("r1"), env).state, "behind");

    const planned = await startSync("r1");
    assert.ok(planned, "a job is started");
    assert.deepEqual(planned.items.filter((i) => i.env === env).map((i) => i.file), [v2], "the version the Runner's rule names");
    const registered = jobs()
      .list("sync")
      .find((j) => j.id === planned.id);
    assert.ok(registered, "the Sync is a job of the one registry");
    assert.deepEqual([registered.kind, registered.target, registered.phase, registered.outcome], ["sync", "r1", "loading", undefined]);
    const seen = new Set<number>();
    const done = await waitForSync("r1", (j) => {
      seen.add(j.bytesSent);
      return !["queued", "loading"].includes(j.phase);
    });
    assert.equal(done.phase, "done", done.error);
    assert.equal(done.items[0].state, "loaded");
    assert.equal(done.bytesSent, done.bytesTotal);
    assert.ok([...seen].some((b) => b > 0 && b < done.bytesTotal), `progress was reported between 0 and ${done.bytesTotal}: ${[...seen].join(",")}`);
    const ended = await settledWithin(planned.id);
    assert.equal(ended.outcome?.result, "succeeded", ended.outcome?.message);
    assert.match(ended.outcome.message, new RegExp(`^r1 loaded .*${v2}.*\\.$`));
    assert.deepEqual(ended.outcome.details?.failed, []);
    assert.ok((ended.outcome.details?.loaded as string[]).includes(v2), JSON.stringify(ended.outcome.details));
    assert.deepEqual(ended.progress, { done: done.bytesTotal, total: done.bytesTotal, unit: "bytes" });
    assert.deepEqual(
      ended.parts?.map((p) => p.label),
      planned.items.map((i) => i.file),
      "one part per version",
    );
    const part = ended.parts.find((p) => p.name === env);
    assert.deepEqual([part?.label, part?.state, part?.done], [v2, "loaded", part?.total]);
    assert.equal(part?.total, planned.items.find((i) => i.env === env)!.size);

    const s1 = await status("r1");
    assert.deepEqual([envOf(s1, env).state, envOf(s1, env).matches], ["up_to_date", v2]);
    await crossCheck(s1, runner1, env);
    const loadsBefore = runner1.loads.length;
    assert.match(await runner1.runTask(env, ["cat", "/root/marker"]), /v2/, "a task runs the synced version");
    assert.equal(runner1.loads.length, loadsBefore, "the Runner's own rule loads nothing before that task");
    const id = await imageIdOn(runner1.engine, `hakuriver/${env}:base`);
    assert.equal(await startSync("r1", env), undefined, "Sync now again has nothing to load");
    assert.equal(await startSync("r1"), undefined);
    assert.equal(await imageIdOn(runner1.engine, `hakuriver/${env}:base`), id);
  });

  it("a version the engine refuses ends the job as a failure that names the file and why", async () => {
    const env = uniqueName("refused");
    const file = `${env}-${Math.floor(Date.now() / 1000)}.tar`;
    fs.mkdirSync(containerDir, { recursive: true });
    fs.writeFileSync(path.join(containerDir, file), Buffer.alloc(64 * 1024, 7));
    try {
      const planned = await startSync("r1", env);
      assert.deepEqual(planned?.items.map((i) => i.file), [file]);
      const ended = await settledWithin(planned.id, 60_000);
      assert.equal(ended.outcome?.result, "failed", ended.outcome?.message);
      console.log(`[runners] a refused load, as reported: ${ended.outcome.message}`);
      assert.match(ended.outcome.message, new RegExp(`^r1 could not load ${file} \\(.+\\)\\.$`));
      assert.deepEqual(ended.outcome.details, { loaded: [], skipped: [], failed: [file] });
      assert.equal(ended.parts?.[0].state, "failed");
      assert.ok(ended.parts[0].error, "the part says why");
      const view = listSyncJobs().find((j) => j.runner === "r1")!;
      assert.deepEqual([view.id, view.phase, view.error], [planned.id, "failed", ended.outcome.message]);
      assert.equal(await imageIdOn(runner1.engine, `hakuriver/${env}:base`), undefined, "nothing was tagged");
    } finally {
      fs.rmSync(path.join(containerDir, file), { force: true });
    }
  });

  it("Cancel mid-load (over SSH) leaves the Runner's previous image working", async () => {
    const env = await environment("cancel", 160);
    await createTar(env, "v1");
    await runner2.prepare(env);
    const previous = await imageIdOn(runner2.engine, `hakuriver/${env}:base`);
    const v2 = await createTar(env, "v2");
    // Two clicks at once: both pass the check before planning; the check after it refuses the second.
    // Either may plan first (two status calls race): one starts, the other is refused.
    const clicks = await Promise.allSettled([startSync("r2"), startSync("r2")]);
    const ok = clicks.filter((c): c is PromiseFulfilledResult<SyncJob | undefined> => c.status === "fulfilled");
    const no = clicks.filter((c): c is PromiseRejectedResult => c.status === "rejected");
    assert.deepEqual([ok.length, no.length], [1, 1], JSON.stringify(clicks));
    const started = ok[0].value;
    assert.ok(started);
    const refused = no[0].reason as { code?: string; message?: string };
    assert.deepEqual([refused.code, refused.message], ["conflict:sync", "r2 is already syncing."]);
    assert.equal(jobs().list("sync").filter((j) => j.target === "r2" && !j.outcome).length, 1, "one Sync of r2 runs");
    await waitForSync("r2", (j) => j.bytesSent > 8 * 1024 * 1024);
    assert.equal(cancelSync("r2"), true);
    const ended = await settledWithin(started.id);
    assert.equal(ended.outcome?.result, "cancelled", ended.outcome?.message);
    const part = ended.parts?.find((p) => p.label === v2);
    assert.equal(part?.state, "cancelled");
    assert.ok(part.done! > 0 && part.done! < part.total!, `cut off mid-load: ${part.done} of ${part.total}`);
    const job = await waitForSync("r2", (j) => j.phase !== "loading" && j.phase !== "queued", 1_000);
    assert.equal(job.phase, "cancelled");
    assert.ok(job.bytesSent < job.bytesTotal, "it was cut off mid-load");
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await imageIdOn(runner2.engine, `hakuriver/${env}:base`), previous, "the previous image keeps its tag");
    const c = await runner2.engine.createContainer({ Image: `hakuriver/${env}:base`, Cmd: ["cat", "/root/marker"], Tty: true, HostConfig: { NetworkMode: "none" } });
    try {
      await c.start();
      await c.wait();
      assert.match(((await c.logs({ stdout: true })) as unknown as Buffer).toString(), /v1/);
    } finally {
      await c.remove({ force: true });
    }
    assert.equal(envOf(await status("r2"), env).state, "behind", "still behind after the cancel");
    assert.equal(cancelSync("r2"), false, "nothing left to cancel");
  });

  it("one Runner stopped mid-refresh shows unreachable while the others answer, and a hung one does not delay them", async () => {
    const env = await environment("down");
    await createTar(env, "v1");
    const answers: { name: string; at: number; reachable: boolean }[] = [];
    const t0 = Date.now();
    const refresh = allRunnerStatuses((s) => answers.push({ name: s.name, at: Date.now() - t0, reachable: s.reachable }));
    // Stopped while the refresh runs (asynchronously: the event loop keeps serving the refresh).
    await promisify(execFile)("bash", [SCRIPT, "stop", "runner2"]);
    const first = await refresh;
    const slow = first.find((s) => s.name === "slow")!;
    assert.equal(slow.reachable, false);
    assert.match(slow.reason!, /No answer within 5 s/);
    const r1At = answers.find((a) => a.name === "r1")!.at;
    assert.ok(r1At < 2_000, `r1 answered after ${r1At} ms, not held up by the hung Runner`);

    const [s1, s2] = await Promise.all([status("r1"), status("r2")]);
    assert.equal(s1.reachable, true);
    assert.equal(envOf(s1, env).state, "missing");
    assert.equal(s2.reachable, false);
    assert.ok(s2.reason && s2.reason.length > 0, "a reason is given");
    assert.equal(envOf(s2, env).state, "unknown");
    console.log(`[runners] runner2 down, as reported: ${s2.reason}`);
    await assert.rejects(startSync("r2"), /cannot be reached/);

    execFileSync("bash", [SCRIPT, "start", "runner2"], { stdio: "ignore" });
    const back = await status("r2");
    assert.equal(back.reachable, true, back.reason);
  });

  it("refuses a key readable by others, with a reason that says so", async () => {
    const key = path.join(dataDir, "runners", "r2", "id_ed25519");
    fs.chmodSync(key, 0o644);
    try {
      const s = await status("r2");
      assert.equal(s.reachable, false);
      assert.match(s.reason!, /chmod 600/);
    } finally {
      fs.chmodSync(key, 0o600);
    }
  });
});

describe("Runners over TLS: tcp:// with client certificates, as `dockerd --tlsverify` serves it", () => {
  it("status and Sync now over TLS agree with the Runner's own rule", async () => {
    const env = await environment("tls");
    const v1 = await createTar(env, "v1");
    let s3 = await status("r3");
    assert.equal(s3.reachable, true, s3.reason);
    assert.match(s3.version!, /^\d+\./, "the TLS Runner reports its engine version");
    assert.equal(envOf(s3, env).state, "missing");
    await crossCheck(s3, runner3, env);

    assert.ok(await startSync("r3", env), "a job is started");
    const done = await waitForSync("r3", (j) => !["queued", "loading"].includes(j.phase));
    assert.equal(done.phase, "done", done.error);
    s3 = await status("r3");
    assert.deepEqual([envOf(s3, env).state, envOf(s3, env).matches], ["up_to_date", v1]);
    await crossCheck(s3, runner3, env);
    const loadsBefore = runner3.loads.length;
    assert.match(await runner3.runTask(env, ["cat", "/root/marker"]), /v1/, "a task on that Runner runs the synced version");
    assert.equal(runner3.loads.length, loadsBefore, "and its own rule loads nothing first");
  });

  it("refuses an engine certificate no trusted CA signed, a client certificate the engine does not trust, no certificate, and a port without TLS, each with its reason", async () => {
    const [ca, client, none] = await Promise.all([status("tlsca"), status("tlsclient"), status("tlsnone")]);
    for (const s of [ca, client, none]) assert.equal(s.reachable, false, `${s.name} must not be reachable`);
    console.log(`[runners] TLS refusals, as reported:\n  ${ca.reason}\n  ${client.reason}\n  ${none.reason}`);
    assert.match(ca.reason!, /^The engine's TLS certificate at 127\.0\.0\.1:\d+ is not signed by the ca\.pem in <data dir>\/runners\/tlsca\//);
    assert.match(client.reason!, /^The engine at 127\.0\.0\.1:\d+ refused the client certificate \(cert\.pem in <data dir>\/runners\/tlsclient\/\)/);
    assert.match(none.reason!, /No TLS client certificate for tlsnone: put ca.pem, cert.pem and key.pem in /);
    await assert.rejects(startSync("tlsca"), /cannot be reached/);
    const p = await status("plain");
    assert.equal(p.reachable, false);
    assert.match(p.reason!, /^127\.0\.0\.1:\d+ does not speak TLS/);
  });
});
