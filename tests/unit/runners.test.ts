import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseConfig } from "@/lib/config";
import { judgeEnvironment, parseRunnerList, runnerEnvLabel } from "@/lib/shared/runners";

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
