import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { parseConfig } from "@/lib/config";
import { isLoopbackHost } from "@/lib/registry/settings";

describe("HAKURIVER_REGISTRY settings", () => {
  it("is off by default, and reads host, credentials and loopback-only plain HTTP", () => {
    assert.equal(parseConfig({}).registry, undefined);
    assert.deepEqual(parseConfig({ HAKURIVER_REGISTRY: "Registry.Example.org" }).registry, { host: "registry.example.org", insecure: false });
    assert.deepEqual(
      parseConfig({ HAKURIVER_REGISTRY: "127.0.0.1:5055", HAKURIVER_REGISTRY_INSECURE: "1", HAKURIVER_REGISTRY_USER: "u", HAKURIVER_REGISTRY_PASSWORD: "p" }).registry,
      { host: "127.0.0.1:5055", user: "u", password: "p", insecure: true },
    );
  });

  it("reads the password from a file, without its final newline", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hr-reg-")), "password");
    fs.writeFileSync(file, "from-file\n");
    assert.equal(parseConfig({ HAKURIVER_REGISTRY: "r.example.org", HAKURIVER_REGISTRY_USER: "u", HAKURIVER_REGISTRY_PASSWORD_FILE: file }).registry?.password, "from-file");
    assert.throws(() => parseConfig({ HAKURIVER_REGISTRY: "r.example.org", HAKURIVER_REGISTRY_USER: "u", HAKURIVER_REGISTRY_PASSWORD_FILE: `${file}.missing` }), /HAKURIVER_REGISTRY_PASSWORD_FILE=.*cannot be read \(ENOENT\)/);
  });

  it("refuses what it cannot use, naming the variable", () => {
    const bad = (env: Record<string, string>, message: RegExp) => assert.throws(() => parseConfig(env), message);
    bad({ HAKURIVER_REGISTRY: "https://r.example.org" }, /HAKURIVER_REGISTRY="https:\/\/r.example.org": must be host\[:port\]/);
    bad({ HAKURIVER_REGISTRY: "r.example.org/path" }, /must be host\[:port\]/);
    bad({ HAKURIVER_REGISTRY: "r.example.org:70000" }, /must be host\[:port\]/);
    bad({ HAKURIVER_REGISTRY: "r.example.org", HAKURIVER_REGISTRY_INSECURE: "1" }, /plain HTTP is allowed only to a loopback registry/);
    bad({ HAKURIVER_REGISTRY: "10.0.0.5:5000", HAKURIVER_REGISTRY_INSECURE: "1" }, /only to a loopback registry/);
    bad({ HAKURIVER_REGISTRY: "127.0.0.1:5000", HAKURIVER_REGISTRY_INSECURE: "yes" }, /HAKURIVER_REGISTRY_INSECURE="yes": must be 1 or 0/);
    bad({ HAKURIVER_REGISTRY: "r.example.org", HAKURIVER_REGISTRY_USER: "u" }, /HAKURIVER_REGISTRY_USER is set without HAKURIVER_REGISTRY_PASSWORD/);
    bad({ HAKURIVER_REGISTRY: "r.example.org", HAKURIVER_REGISTRY_PASSWORD: "p" }, /password is set without HAKURIVER_REGISTRY_USER/);
    bad({ HAKURIVER_REGISTRY_USER: "u" }, /HAKURIVER_REGISTRY_USER set without HAKURIVER_REGISTRY/);
  });

  it("knows loopback hosts", () => {
    for (const h of ["localhost", "localhost:5000", "127.0.0.1", "127.1.2.3:80", "[::1]:5000"]) assert.ok(isLoopbackHost(h), h);
    for (const h of ["10.0.0.1", "registry.local", "128.0.0.1:5000", "localhost.example.org"]) assert.ok(!isLoopbackHost(h), h);
  });
});
