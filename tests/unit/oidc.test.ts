import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { parseConfig } from "@/lib/config";
import { openFlow, sealFlow, type Flow } from "@/lib/auth/oidc-flow";
import { nameFromClaims, parseRoleMapping, roleFromClaims } from "@/lib/auth/oidc-settings";
import { PeopleStore } from "@/lib/auth/people";

const BASE = { HAKURIVER_OIDC_ISSUER: "https://login.example.org/realms/lab", HAKURIVER_OIDC_CLIENT_ID: "dashboard", HAKURIVER_OIDC_ROLES: "lab-admins=admin,lab=operator" };

describe("HAKURIVER_OIDC settings", () => {
  it("are off by default, and read issuer, client, mapping and defaults", () => {
    assert.equal(parseConfig({}).oidc, undefined);
    assert.deepEqual(parseConfig({ ...BASE, HAKURIVER_OIDC_CLIENT_SECRET: "s3cret" }).oidc, {
      issuer: BASE.HAKURIVER_OIDC_ISSUER,
      clientId: "dashboard",
      clientSecret: "s3cret",
      roleClaim: "groups",
      roles: [
        { value: "lab-admins", role: "admin" },
        { value: "lab", role: "operator" },
      ],
      nameClaim: "preferred_username",
      label: "Sign in with single sign-on",
    });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hr-oidc-")), "secret");
    fs.writeFileSync(file, "from-file\n");
    assert.equal(parseConfig({ ...BASE, HAKURIVER_OIDC_CLIENT_SECRET_FILE: file }).oidc?.clientSecret, "from-file");
    assert.equal(parseConfig({ ...BASE, HAKURIVER_OIDC_ISSUER: "http://127.0.0.1:9000" }).oidc?.issuer, "http://127.0.0.1:9000");
  });

  it("refuse what cannot work, naming the variable", () => {
    const bad = (env: Record<string, string>, message: RegExp) => assert.throws(() => parseConfig(env), message);
    bad({ ...BASE, HAKURIVER_OIDC_ISSUER: "http://login.example.org" }, /HAKURIVER_OIDC_ISSUER=.*must be https/);
    bad({ ...BASE, HAKURIVER_OIDC_ISSUER: "not a url" }, /HAKURIVER_OIDC_ISSUER=.*must be a URL/);
    bad({ ...BASE, HAKURIVER_OIDC_CLIENT_ID: "" }, /HAKURIVER_OIDC_CLIENT_ID is not set/);
    bad({ ...BASE, HAKURIVER_OIDC_ROLES: "" }, /HAKURIVER_OIDC_ROLES is empty/);
    bad({ ...BASE, HAKURIVER_OIDC_ROLES: "lab=root" }, /"lab=root": the role must be viewer, operator or admin/);
    bad({ ...BASE, HAKURIVER_OIDC_ROLES: "operator" }, /"operator" is not <claim value>=<role>/);
    bad({ ...BASE, HAKURIVER_OIDC_CLIENT_SECRET: "a", HAKURIVER_OIDC_CLIENT_SECRET_FILE: "/x" }, /both set/);
    bad({ HAKURIVER_OIDC_CLIENT_ID: "dashboard" }, /HAKURIVER_OIDC_CLIENT_ID set without HAKURIVER_OIDC_ISSUER/);
  });
});

describe("claims to a person", () => {
  const settings = { roleClaim: "groups", roles: parseRoleMapping("students=viewer,lab=operator,lab-admins=admin").roles };

  it("takes the highest role the claim's values earn, and none when nothing matches", () => {
    assert.equal(roleFromClaims({ groups: ["lab", "lab-admins"] }, settings), "admin");
    assert.equal(roleFromClaims({ groups: ["students", "lab"] }, settings), "operator");
    assert.equal(roleFromClaims({ groups: "students" }, settings), "viewer");
    assert.equal(roleFromClaims({ groups: ["chemistry"] }, settings), undefined);
    assert.equal(roleFromClaims({}, settings), undefined);
    // Values are matched whole: a prefix or a different case earns nothing.
    assert.equal(roleFromClaims({ groups: ["lab-admins-old", "LAB"] }, settings), undefined);
    const anyone = { roleClaim: "groups", roles: parseRoleMapping("*=viewer,lab=operator").roles };
    assert.equal(roleFromClaims({ groups: [] }, anyone), "viewer");
    assert.equal(roleFromClaims({ groups: ["lab"] }, anyone), "operator");
  });

  it("makes a dashboard name from the name claim, else the email, else sub", () => {
    assert.equal(nameFromClaims({ preferred_username: "Ada.Lovelace", sub: "1" }, "preferred_username"), "ada.lovelace");
    assert.equal(nameFromClaims({ email: "Grace Hopper@navy.example", sub: "1" }, "preferred_username"), "grace-hopper");
    assert.equal(nameFromClaims({ sub: "user-42" }, "preferred_username"), "user-42");
    assert.equal(nameFromClaims({ preferred_username: "42世界", sub: "x" }, "preferred_username"), undefined);
    assert.equal(nameFromClaims({ preferred_username: "a".repeat(40) }, "preferred_username"), "a".repeat(32));
    assert.equal(nameFromClaims({}, "preferred_username"), undefined);
  });

  it("never takes over a local account or another subject's person, and follows the provider's role", () => {
    const store = new PeopleStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hr-oidc-people-")), "people.json"));
    store.add("alice", "viewer");
    const sso = { issuer: "https://login.example.org", subject: "s-1" };
    assert.throws(() => store.signedInByProvider("alice", sso, "admin"), /belongs to another account/);
    assert.equal(store.person("alice")?.role, "viewer");
    assert.throws(() => store.signedInByProvider("owner", sso, "admin"), /reserved/);
    assert.equal(store.signedInByProvider("bob", sso, "operator").role, "operator");
    assert.deepEqual(store.person("bob")?.sso, sso);
    assert.equal(store.signedInByProvider("bob", sso, "viewer").role, "viewer");
    assert.throws(() => store.signedInByProvider("bob", { ...sso, subject: "s-2" }, "admin"), /belongs to another account/);
  });
});

describe("the sign-in flow cookie", () => {
  const flow: Flow = { state: "st", nonce: "no", verifier: "ve", next: "/docker", expires: Date.now() + 60_000 };

  it("opens what it sealed, and nothing altered, expired or sealed with another token", () => {
    const sealed = sealFlow("token-one-0123456789", flow);
    assert.deepEqual(openFlow("token-one-0123456789", sealed), flow);
    assert.equal(openFlow("token-two-0123456789", sealed), undefined);
    const [body, mac] = sealed.split(".");
    const forged = Buffer.from(JSON.stringify({ ...flow, next: "/people" })).toString("base64url");
    assert.equal(openFlow("token-one-0123456789", `${forged}.${mac}`), undefined);
    assert.equal(openFlow("token-one-0123456789", `${body}.${mac}.x`), undefined);
    assert.equal(openFlow("token-one-0123456789", sealed, flow.expires + 1), undefined);
    assert.equal(openFlow("token-one-0123456789", undefined), undefined);
  });
});
