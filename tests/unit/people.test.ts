import { testRoot } from "../helpers/isolated-env";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { authorise } from "@/lib/auth/authorise";
import { hashPassword, verifyPassword } from "@/lib/auth/passwords";
import { PeopleStore } from "@/lib/auth/people";
import { SessionRevocations } from "@/lib/auth/revocation";
import { SESSION_COOKIE, createSessionValue, readSession } from "@/lib/auth/session";
import { commands } from "@/lib/commands";
import { COMMAND_ROLES, lowerRole, roleAllows, routeRole } from "@/lib/shared/roles";

const TOKEN = "unit-owner-token-0123456789";

describe("passwords", () => {
  it("are scrypt hashes with a random salt and their parameters; only the right one verifies", async () => {
    const a = await hashPassword("a long enough password");
    const b = await hashPassword("a long enough password");
    assert.notEqual(a.salt, b.salt);
    assert.notEqual(a.hash, b.hash);
    assert.deepEqual([a.algorithm, a.N, a.r, a.p], ["scrypt", 16384, 8, 1]);
    assert.ok(!JSON.stringify(a).includes("a long enough password"));
    assert.equal(await verifyPassword("a long enough password", a), true);
    assert.equal(await verifyPassword("a long enough passwore", a), false);
    assert.equal(await verifyPassword("a long enough password", undefined), false);
  });
});

describe("the people store", () => {
  const file = path.join(testRoot, "people-unit", "people.json");
  const store = new PeopleStore(file);

  it("adds a person with a link that works once, keeps only hashes, and the file is 0600", async () => {
    const secret = store.add("alice", "operator");
    assert.equal(store.linkPerson(secret), "alice");
    store.usePasswordLink(secret, await hashPassword("alice's password"));
    assert.equal(store.linkPerson(secret), undefined, "used once");
    assert.throws(() => store.usePasswordLink(secret, { algorithm: "scrypt", salt: "", N: 1, r: 1, p: 1, keylen: 1, hash: "" }), /not valid/);
    const text = fs.readFileSync(file, "utf8");
    assert.ok(!text.includes(secret) && !text.includes("alice's password"));
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.throws(() => store.add("alice", "viewer"), /already exists/);
    assert.throws(() => store.add("owner", "viewer"), /reserved/);
    assert.throws(() => store.add("Bad Name", "viewer"), /lowercase/);
  });

  it("reads the file again when another process changes it (npm run users beside the server)", () => {
    const other = new PeopleStore(file);
    other.setRole("alice", "viewer");
    assert.equal(store.person("alice")?.role, "viewer");
  });

  it("a person's token acts with the lower of its role and the maker's; revoked or removed, it is refused", () => {
    const sessions = new SessionRevocations();
    const { token, secret } = store.addToken({ name: "ci", person: "alice", role: "operator" });
    const who = () => authorise(TOKEN, { method: "GET", headers: { authorization: `Bearer ${secret}` } }, { people: store, sessions });
    const first = who();
    assert.ok(first.ok);
    assert.deepEqual(first.principal, { kind: "token", name: "alice", role: "viewer", tokenName: "ci" }, "alice is a viewer now");
    store.revokeToken(token.id);
    assert.equal(who().ok, false);
    const again = store.addToken({ name: "ci2", person: "alice", role: "viewer" });
    store.remove("alice");
    assert.equal(authorise(TOKEN, { method: "GET", headers: { authorization: `Bearer ${again.secret}` } }, { people: store, sessions }).ok, false);
  });

  it("a person's session names them, ends with End sessions, and its name cannot be changed", () => {
    store.add("bob", "admin");
    const sessions = new SessionRevocations();
    const value = createSessionValue(TOKEN, Date.now(), 60, 0, "bob");
    const who = (v: string) => authorise(TOKEN, { method: "GET", headers: { cookie: `${SESSION_COOKIE}=${v}` } }, { people: store, sessions });
    const ok = who(value);
    assert.ok(ok.ok && ok.principal.name === "bob" && ok.principal.role === "admin");
    assert.equal(readSession(TOKEN, value.replace(".bob.", ".eve."))?.subject, undefined, "the name is signed");
    store.endSessions("bob");
    assert.equal(who(value).ok, false);
    assert.ok(who(createSessionValue(TOKEN, Date.now() + 5, 60, 0, "bob")).ok, "a new login works");
  });
});

describe("the role table", () => {
  it("names a role for every command, and the rights of the issue", () => {
    assert.deepEqual(Object.keys(COMMAND_ROLES).sort(), Object.keys(commands).sort());
    assert.equal(COMMAND_ROLES["tarball.delete"], "admin");
    assert.equal(routeRole("GET", "/api/containers").role, "viewer");
    assert.equal(routeRole("GET", "/api/tarballs/a-1.tar/download").role, "operator");
    assert.equal(routeRole("POST", "/api/people").role, "admin");
    assert.equal(routeRole("GET", "/audit").role, "admin");
    assert.equal(routeRole("POST", "/api/tokens").role, "viewer");
    assert.equal(lowerRole("admin", "viewer"), "viewer");
    assert.ok(roleAllows("admin", "operator") && !roleAllows("viewer", "operator"));
  });
});
