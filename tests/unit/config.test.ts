import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { ConfigError, parseConfig } from "@/lib/config";

describe("configuration", () => {
  it("has HakuRiver's defaults", () => {
    const c = parseConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.host, "127.0.0.1");
    assert.equal(c.dockerEndpoint, "unix:///var/run/docker.sock");
    assert.equal(c.dataDir, path.resolve("data"));
    assert.equal(c.sharedDir, path.resolve("data/shared"));
    assert.equal(c.containerDir, path.resolve("data/shared/hakuriver-containers"));
    assert.equal(c.authToken, undefined);
    assert.equal(c.tarKeep, 3);
    assert.equal(c.trustProxy, false);
  });

  it("reads the tarball retention and proxy trust", () => {
    const c = parseConfig({ HAKURIVER_TAR_KEEP: "1", HAKURIVER_TRUST_PROXY: "1" });
    assert.deepEqual([c.tarKeep, c.trustProxy], [1, true]);
    assert.throws(() => parseConfig({ HAKURIVER_TAR_KEEP: "0" }), /HAKURIVER_TAR_KEEP="0": must be at least 1/);
    assert.throws(() => parseConfig({ HAKURIVER_TRUST_PROXY: "yes" }), /HAKURIVER_TRUST_PROXY="yes": must be 1 or 0/);
  });

  it("reads the per-session shell limit (16 by default, at most the global 64)", () => {
    assert.equal(parseConfig({}).shellsPerSession, 16);
    assert.equal(parseConfig({ HAKURIVER_SHELLS_PER_SESSION: "4" }).shellsPerSession, 4);
    assert.throws(() => parseConfig({ HAKURIVER_SHELLS_PER_SESSION: "0" }), /HAKURIVER_SHELLS_PER_SESSION="0": must be at least 1/);
    assert.throws(() => parseConfig({ HAKURIVER_SHELLS_PER_SESSION: "65" }), /must be at most 64/);
  });

  it("reads the per-address shell limit (24 by default, at most 48: well under the global 64)", () => {
    assert.equal(parseConfig({}).shellsPerAddress, 24);
    assert.equal(parseConfig({ HAKURIVER_SHELLS_PER_ADDRESS: "8" }).shellsPerAddress, 8);
    assert.throws(() => parseConfig({ HAKURIVER_SHELLS_PER_ADDRESS: "0" }), /HAKURIVER_SHELLS_PER_ADDRESS="0": must be at least 1/);
    // One address must not be able to take the 64 shells of everyone together.
    assert.throws(() => parseConfig({ HAKURIVER_SHELLS_PER_ADDRESS: "64" }), /HAKURIVER_SHELLS_PER_ADDRESS="64": must be at most 48/);
  });

  it("reads the shell grace period, replay buffer and scrollback (60 s, 256 KiB, 5000 lines by default)", () => {
    const d = parseConfig({});
    assert.deepEqual([d.shellGraceSeconds, d.shellReplayBytes, d.shellScrollback], [60, 256 * 1024, 5000]);
    const c = parseConfig({ HAKURIVER_SHELL_GRACE_SECONDS: "0", HAKURIVER_SHELL_REPLAY_KIB: "64", HAKURIVER_SHELL_SCROLLBACK: "1000" });
    assert.deepEqual([c.shellGraceSeconds, c.shellReplayBytes, c.shellScrollback], [0, 64 * 1024, 1000]);
    assert.throws(() => parseConfig({ HAKURIVER_SHELL_GRACE_SECONDS: "-1" }), /HAKURIVER_SHELL_GRACE_SECONDS="-1": must be at least 0/);
    assert.throws(() => parseConfig({ HAKURIVER_SHELL_GRACE_SECONDS: "1.5" }), /whole number of seconds/);
    assert.throws(() => parseConfig({ HAKURIVER_SHELL_REPLAY_KIB: "100000" }), /at most 65536/);
  });

  it("resolves the container dir relative to the shared dir, as HakuRiver does", () => {
    const c = parseConfig({ HAKURIVER_SHARED_DIR: "/mnt/shared", HAKURIVER_CONTAINER_DIR: "envs" });
    assert.equal(c.containerDir, "/mnt/shared/envs");
    assert.equal(parseConfig({ HAKURIVER_CONTAINER_DIR: "/abs/dir" }).containerDir, "/abs/dir");
  });

  it("treats empty variables as unset", () => {
    assert.equal(parseConfig({ PORT: "", DOCKER_HOST: "" }).port, 3000);
  });

  it("names every bad variable in one clear message", () => {
    assert.throws(
      () => parseConfig({ PORT: "eighty", DOCKER_HOST: "/var/run/docker.sock", HAKURIVER_AUTH_TOKEN: "short" }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.problems.length, 3);
        assert.match(err.message, /PORT="eighty": must be a number/);
        assert.match(err.message, /DOCKER_HOST="\/var\/run\/docker.sock": must look like unix:\/\/\/path/);
        assert.match(err.message, /HAKURIVER_AUTH_TOKEN="short": must be at least 16 characters/);
        return true;
      },
    );
    assert.throws(() => parseConfig({ PORT: "70000" }), /between 1 and 65535/);
  });
});
