import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseConfig } from "@/lib/config";
import type { Job } from "@/lib/shared/jobs";
import { judgeEnvironment, loadProblem, parseRunnerList, runnerEnvLabel, syncView } from "@/lib/shared/runners";

describe("HAKURIVER_RUNNERS", () => {
  it("reads name=endpoint entries separated by commas, spaces or new lines", () => {
    const { runners, problems } = parseRunnerList("a=unix:///run/a.sock, b=ssh://ops@10.0.0.5:2222\nc=tcp://10.0.0.6:2376 d=ssh://node4");
    assert.deepEqual(problems, []);
    assert.deepEqual(
      runners.map((r) => [r.name, r.transport, r.socketPath ?? r.host, r.port, r.user]),
      [
        ["a", "unix", "/run/a.sock", undefined, undefined],
        ["b", "ssh", "10.0.0.5", 2222, "ops"],
        ["c", "tcp", "10.0.0.6", 2376, undefined],
        ["d", "ssh", "node4", 22, "root"],
      ],
    );
  });

  it("names every problem: bad names, duplicates, passwords, plain schemes, missing ports", () => {
    const { problems } = parseRunnerList("Bad=unix:///x a=ssh://u:pw@h a=unix:///y b=http://h:2375 c=tcp://h d=unix://rel e");
    assert.equal(problems.length, 7, problems.join("\n"));
    assert.match(problems.join("\n"), /passwords do not belong/);
    assert.match(problems.join("\n"), /listed twice/);
    assert.match(problems.join("\n"), /tcp:\/\/ needs a port/);
  });

  it("is validated at start with the rest of the configuration, and is empty by default", () => {
    assert.deepEqual(parseConfig({}).runners, []);
    assert.equal(parseConfig({}).runnerSyncLimit, 2);
    assert.equal(parseConfig({ HAKURIVER_RUNNERS: "n1=ssh://root@h" }).runners[0].name, "n1");
    assert.throws(() => parseConfig({ HAKURIVER_RUNNERS: "n1=ftp://h" }), (err: unknown) => err instanceof ConfigError && /HAKURIVER_RUNNERS=.*unsupported scheme/.test(err.message));
  });
});

describe("the Runners' sync rule, per environment", () => {
  const versions = [
    { file: "env-300.tar", timestamp: 300 },
    { file: "env-200.tar", timestamp: 200 },
  ];
  it("is missing without a local image", () => assert.equal(judgeEnvironment("env", versions, undefined).state, "missing"));
  it("is up to date when Created is not before the newest timestamp", () => {
    assert.deepEqual(judgeEnvironment("env", versions, 300), { env: "env", state: "up_to_date", newest: versions[0], localCreated: 300, matches: "env-300.tar" });
    assert.equal(judgeEnvironment("env", versions, 301).state, "up_to_date");
  });
  it("is behind (and names what it holds) when Created is before the newest timestamp", () => {
    const s = judgeEnvironment("env", versions, 250);
    assert.deepEqual([s.state, s.matches], ["behind", "env-200.tar"]);
    assert.equal(runnerEnvLabel(s).label, "Behind: will load env-300.tar at its next task");
    assert.equal(judgeEnvironment("env", versions, 100).matches, undefined, "an image older than every version held");
  });
  it("is unknown for a mixed-case name, which Runners never find", () => assert.equal(judgeEnvironment("Env", versions, 400).state, "unknown"));
});

describe("Sync now's old shape, derived from the registry's job", () => {
  const versions = [
    { env: "app", file: "app-1733.tar", size: 300 },
    { env: "my-base", file: "my-base-1734.tar", size: 50 },
  ];
  const job = (over: Partial<Job<"sync">>): Job<"sync"> => ({ id: "j1", kind: "sync", target: "r1", phase: "loading", startedAt: "2025-01-01T00:00:00.000Z", ...planned, ...over });
  // As startSync starts it: the planned versions as pending parts, the total known.
  const planned: Partial<Job<"sync">> = {
    parts: versions.map((v) => ({ name: v.env, label: v.file, state: "pending", done: 0, total: v.size })),
    progress: { done: 0, total: 350, unit: "bytes" },
  };
  const loading: Partial<Job<"sync">> = {
    parts: [
      { name: "app", label: "app-1733.tar", state: "loaded", done: 300, total: 300 },
      { name: "my-base", label: "my-base-1734.tar", state: "loading", done: 10, total: 50 },
    ],
    progress: { done: 310, total: 350, unit: "bytes" },
  };

  it("shows a job waiting for its turn as queued, with the planned versions", () => {
    const v = syncView(job({ waiting: true }));
    assert.equal(v.phase, "queued");
    assert.deepEqual(
      v.items.map((i) => [i.env, i.file, i.size, i.state, i.bytesSent]),
      [
        ["app", "app-1733.tar", 300, "pending", 0],
        ["my-base", "my-base-1734.tar", 50, "pending", 0],
      ],
    );
    assert.deepEqual([v.bytesSent, v.bytesTotal, v.runner, v.error], [0, 350, "r1", undefined]);
  });

  it("shows a running job's parts and byte progress", () => {
    const v = syncView(job(loading));
    assert.equal(v.phase, "loading");
    assert.deepEqual(v.items.map((i) => [i.file, i.state, i.bytesSent, i.size]), [
      ["app-1733.tar", "loaded", 300, 300],
      ["my-base-1734.tar", "loading", 10, 50],
    ]);
    assert.deepEqual([v.bytesSent, v.bytesTotal], [310, 350]);
  });

  it("maps each outcome: succeeded is done, failed and interrupted are failed with the message, cancelled is cancelled", () => {
    const ended = (result: NonNullable<Job["outcome"]>["result"], message: string) => syncView(job({ ...loading, outcome: { result, message }, finishedAt: "2025-01-01T00:01:00.000Z" }));
    assert.deepEqual([ended("succeeded", "r1 loaded app-1733.tar.").phase, ended("succeeded", "x").error], ["done", undefined]);
    assert.deepEqual([ended("failed", "r1 could not load x.").phase, ended("failed", "r1 could not load x.").error], ["failed", "r1 could not load x."]);
    assert.deepEqual([ended("interrupted", "The dashboard stopped.").phase, ended("interrupted", "The dashboard stopped.").error], ["failed", "The dashboard stopped."]);
    const cancelled = ended("cancelled", "Cancelled.");
    assert.equal(cancelled.phase, "cancelled");
    assert.equal(cancelled.finishedAt, "2025-01-01T00:01:00.000Z");
    assert.deepEqual(cancelled.items.map((i) => i.state), ["loaded", "cancelled"], "a version still loading when the job ended did not load");
  });

  it("keeps a failed version's reason", () => {
    const v = syncView(job({ parts: [{ name: "app", label: "app-1733.tar", state: "failed", done: 5, total: 300, error: "The engine refused the file." }] }));
    assert.equal(v.items[0].error, "The engine refused the file.");
  });
});

describe("a Sync load judged by the Runners' rule, with the real cause named", () => {
  const ref = "hakuriver/x:base";
  it("is fine when the Runner's tag is there and not older than the name's timestamp", () => {
    assert.equal(loadProblem({ ref, timestamp: 100, created: 100, loaded: [ref] }), undefined);
    assert.equal(loadProblem({ ref, timestamp: 100, created: 150, loaded: undefined }), undefined);
    assert.equal(loadProblem({ ref, timestamp: 100, created: 150, loaded: [ref, "other/y:1"] }), undefined);
  });
  it("names the tag the file gave when it is not the Runners' one", () => {
    const p = loadProblem({ ref, timestamp: 100, created: undefined, loaded: ["other/y:1"] });
    assert.match(p!, /^the file holds other\/y:1, not hakuriver\/x:base: the Runners look for hakuriver\/x:base/);
  });
  it("says the image has no tag when the engine loaded only an ID", () => {
    const p = loadProblem({ ref, timestamp: 100, created: undefined, loaded: [`sha256:${"c".repeat(64)}`] });
    assert.match(p!, /^the file's image has no tag: the engine loaded it as sha256:cccc/);
  });
  it("names the timestamp rule when the image is older than the name, never another image", () => {
    const p = loadProblem({ ref, timestamp: 2_000_000_000, created: 1_900_000_000, loaded: [ref] });
    assert.match(p!, /created at 2030-03-17T17:46:40Z, before the 2033-05-18T03:33:20Z its name says/);
    assert.match(p!, /every Runner loads it again before every task/);
    assert.doesNotMatch(p!, /another image/);
  });
  it("says the tag is missing afterwards when the engine said nothing", () => {
    assert.match(loadProblem({ ref, timestamp: 1, created: undefined })!, /holds no hakuriver\/x:base afterwards/);
  });
});
