import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { io as connect, type Socket } from "socket.io-client";
import { LOCAL_IMAGE, engine, removeContainer, uniqueName } from "../helpers/docker";
import { builtActions, builtRoutes, terminalEvents } from "../helpers/manifests";
import { writeVersionTar } from "../../e2e/fixtures/version-tar";
import { startServer, waitFor, type TestServer } from "../helpers/server";

/**
 * People, roles and personal tokens against the built server: every route, server action and
 * socket event of the build with a viewer's token and an operator's; token revocation; tokens
 * never above their maker; the audit log names the person and holds no secret.
 */
let server: TestServer;
/** Every secret this test makes: none may reach the audit log or the server's output. */
const secrets: string[] = [];

const json = { "Content-Type": "application/json" };

async function call(pathname: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${pathname}`, { redirect: "manual", ...init });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: res.status, body };
}

/** An admin adds a person; they set a password through the link and log in by name. Answers their cookie. */
async function person(name: string, role: string): Promise<string> {
  const added = await call("/api/people", { method: "POST", headers: { ...server.bearer, ...json }, body: JSON.stringify({ name, role }) });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  const link = new URL(added.body.link as string);
  const token = link.searchParams.get("token")!;
  const password = `pw-${name}-${Math.random().toString(36).slice(2)}`;
  secrets.push(token, password);
  const set = await call("/api/auth/set-password", { method: "POST", headers: json, body: JSON.stringify({ token, password }) });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.equal((await call("/api/auth/set-password", { method: "POST", headers: json, body: JSON.stringify({ token, password }) })).status, 404, "the link works once");
  const res = await fetch(`${server.url}/api/auth/login`, { method: "POST", headers: json, body: JSON.stringify({ name, password }) });
  assert.equal(res.status, 200);
  return res.headers.get("set-cookie")!.split(";")[0];
}

/** A person (by their cookie) makes a personal token of `role`. */
async function tokenOf(cookie: string, name: string, role: string): Promise<{ id: string; token: string; bearer: Record<string, string> }> {
  const made = await call("/api/tokens", { method: "POST", headers: { Cookie: cookie, Origin: server.origin, ...json }, body: JSON.stringify({ name, role, expiresInDays: 7 }) });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const token = made.body.token as string;
  secrets.push(token);
  return { id: made.body.id as string, token, bearer: { Authorization: `Bearer ${token}` } };
}

let viewer: { id: string; bearer: Record<string, string> };
let operator: { id: string; bearer: Record<string, string> };
let operatorCookie: string;

before(async () => {
  server = await startServer();
  const viewerCookie = await person("vera", "viewer");
  operatorCookie = await person("otto", "operator");
  viewer = await tokenOf(viewerCookie, "vera-ci", "viewer");
  operator = await tokenOf(operatorCookie, "otto-ci", "operator");
});
after(async () => {
  await server.stop();
});

const PUBLIC = new Set(["/login", "/set-password", "/api/health", "/api/auth/login", "/api/auth/logout", "/api/auth/set-password", "/api/auth/logout-everywhere", "/api/auth/oidc/start", "/api/auth/oidc/callback"]);

/** The rights of the issue, written out here (not read from the server's table). */
function needs(method: string, p: string): "viewer" | "operator" | "admin" {
  if (/^\/(api\/)?(people|audit)(\/|$)/.test(p)) return "admin";
  if (p.startsWith("/api/tokens")) return "viewer";
  if (/^\/api\/tarballs\/[^/]+\/download$/.test(p)) return "operator";
  if (method === "DELETE" && /^\/api\/tarballs\/[^/]+$/.test(p) && p !== "/api/tarballs/jobs") return "admin";
  return method === "GET" ? "viewer" : "operator";
}
const RANK = { viewer: 0, operator: 1, admin: 2 };

describe("every route, action and socket event, by role", () => {
  it("routes: a viewer's and an operator's token get exactly their rights (403 forbidden:role with a plain message otherwise)", async () => {
    const routes = builtRoutes().filter((r) => !PUBLIC.has(r.path));
    assert.ok(routes.some((r) => r.path.startsWith("/api/people")) && routes.some((r) => r.path === "/api/tokens"), "the new routes are built");
    let checked = 0;
    for (const [role, who] of [["viewer", viewer], ["operator", operator]] as const) {
      for (const route of routes) {
        // Sync now of every Runner is a real action for an operator: asked with a name that is not one.
        for (const method of ["GET", "POST", "DELETE", "PATCH"]) {
          const res = await call(route.path, { method, headers: { ...who.bearer, ...json }, body: method === "GET" ? undefined : "{}" });
          const where = `${role} ${method} ${route.path} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
          const allowed = RANK[role] >= RANK[needs(method, route.path)];
          if (allowed) assert.notEqual(res.body.code, "forbidden:role", where);
          else {
            assert.equal(res.status, 403, where);
            assert.equal(res.body.code, "forbidden:role", where);
            assert.match(res.body.error as string, /needs the (operator|admin) role/, where);
          }
          checked++;
        }
      }
    }
    assert.ok(checked > 100, `${checked} requests`);
    // Ending everyone's sessions is an admin's.
    const everywhere = await call("/api/auth/logout-everywhere", { method: "POST", headers: { ...operator.bearer, Accept: "application/json" } });
    assert.equal(everywhere.status, 403);
    assert.equal(everywhere.body.code, "forbidden:role");
  });

  it("server actions: a viewer is refused every one; an operator every one but Delete of a version", async () => {
    const actions = builtActions();
    assert.ok(actions.length >= 10, `found ${actions.length} actions`);
    for (const action of actions) {
      const send = (bearer: Record<string, string>) =>
        fetch(`${server.url}/docker`, { method: "POST", headers: { ...bearer, "Next-Action": action.id, "Content-Type": "text/plain;charset=UTF-8" }, body: JSON.stringify(["x-not-there"]) });
      const asViewer = await send(viewer.bearer);
      assert.equal(asViewer.status, 403, `viewer ${action.name}`);
      const asOperator = await (await send(operator.bearer)).text();
      const adminOnly = action.name.includes("deleteTarballAction");
      assert.equal(asOperator.includes("forbidden:role"), adminOnly, `operator ${action.name}: ${asOperator.slice(0, 200)}`);
    }
  });

  it("socket events: every /terminal event is refused to a viewer, none to an operator", async () => {
    const events = terminalEvents();
    assert.ok(events.includes("open") && events.includes("close-shell") && events.length >= 7, events.join());
    const ask = async (bearer: Record<string, string>, event: string) => {
      const socket = await open(bearer);
      try {
        return (await socket.timeout(3000).emitWithAck(event, { container: "x-not-there", cols: 80, rows: 24, id: "00000000-0000-4000-8000-000000000000" }).catch(() => "no answer")) as
          | { ok: boolean; code?: string }
          | string;
      } finally {
        socket.disconnect();
      }
    };
    for (const event of events) {
      const v = await ask(viewer.bearer, event);
      assert.equal(typeof v === "object" && v.code, "forbidden:role", `viewer ${event}: ${JSON.stringify(v)}`);
      const o = await ask(operator.bearer, event);
      assert.ok(typeof o !== "object" || o.code !== "forbidden:role", `operator ${event}: ${JSON.stringify(o)}`);
    }
  });
});

function open(headers: Record<string, string>): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(`${server.url}/terminal`, { transports: ["websocket"], extraHeaders: headers, reconnection: false, forceNew: true });
    socket.on("connect", () => resolve(socket));
    socket.on("connect_error", reject);
  });
}

describe("personal tokens", () => {
  it("a token cannot have more rights than its maker", async () => {
    const headers = { ...viewer.bearer, ...json };
    const up = await call("/api/tokens", { method: "POST", headers, body: JSON.stringify({ name: "sneaky", role: "operator" }) });
    assert.equal(up.status, 403);
    assert.equal(up.body.code, "forbidden:role");
    assert.match(up.body.error as string, /more rights than the person who makes it/);
    const admin = await call("/api/tokens", { method: "POST", headers: { Cookie: operatorCookie, Origin: server.origin, ...json }, body: JSON.stringify({ name: "sneaky", role: "admin" }) });
    assert.equal(admin.status, 403);
    // The owner token makes any.
    const owner = await call("/api/tokens", { method: "POST", headers: { ...server.bearer, ...json }, body: JSON.stringify({ name: "ci", role: "admin" }) });
    assert.equal(owner.status, 201);
    secrets.push(owner.body.token as string);
    const list = await call("/api/tokens", { headers: viewer.bearer });
    const names = (list.body.tokens as { name: string; lastUsed?: string }[]).map((t) => t.name);
    assert.deepEqual(names, ["vera-ci"], "a viewer lists only their own");
    assert.ok(!JSON.stringify(list.body).includes(viewer.bearer.Authorization.slice(7)), "never the secret");
  });

  it("a revoked token gets 401 on its next request, and its socket is closed at once", async () => {
    const made = await tokenOf(operatorCookie, "short-lived", "operator");
    assert.equal((await call("/api/containers", { headers: made.bearer })).status, 200);
    const socket = await open(made.bearer);
    const closed = new Promise<string>((resolve) => socket.on("disconnect", (reason) => resolve(reason)));
    const revoked = await call(`/api/tokens/${made.id}`, { method: "DELETE", headers: { Cookie: operatorCookie, Origin: server.origin } });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    const started = Date.now();
    await closed;
    assert.ok(Date.now() - started < 2000, "closed within 2 s");
    const next = await call("/api/containers", { headers: made.bearer });
    assert.equal(next.status, 401);
    assert.equal(next.body.code, "unauthorized:auth");
    // Someone else's token is not a viewer's to revoke.
    assert.equal((await call(`/api/tokens/${operator.id}`, { method: "DELETE", headers: viewer.bearer })).status, 404);
  });
});

describe("the audit log", () => {
  it("names the person and the token on every line, refusals too, and holds no password or token; nor does the server's output", async () => {
    const lines = await waitFor(async () => {
      const text = fs.readFileSync(path.join(server.dataDir, "audit.log"), "utf8");
      return text.includes('"token.revoke"') ? text : undefined;
    });
    const entries = lines.trim().split("\n").map((l) => JSON.parse(l) as Record<string, string>);
    for (const e of entries) assert.ok(e.person, `every line names a person: ${JSON.stringify(e)}`);
    const denied = entries.find((e) => e.result === "denied" && e.person === "vera" && e.token === "vera-ci");
    assert.ok(denied, "a viewer's refused attempt names them and their token");
    assert.ok(entries.some((e) => e.action === "login" && e.person === "otto" && e.result === "ok"));
    assert.ok(entries.some((e) => e.action === "person.add" && e.person === "owner" && e.target === "vera"));
    assert.ok(entries.some((e) => e.action === "token.revoke" && e.person === "otto"));
    // The admin's view of it, filtered.
    const view = await call("/api/audit?person=vera&action=login", { headers: server.bearer });
    assert.ok((view.body.entries as Record<string, string>[]).every((e) => e.person === "vera" && e.action.includes("login")));
    assert.equal((await call("/api/audit", { headers: operator.bearer })).status, 403);
    for (const secret of secrets) {
      assert.ok(!lines.includes(secret), "no secret in the audit log");
      assert.ok(!server.output().includes(secret), "no secret in the server's output");
    }
    assert.ok(secrets.length >= 8);
  });
});

describe("shells belong to a person", () => {
  it("another operator can neither resume nor end someone's shell; an admin can end it", async () => {
    const container = uniqueName("owned");
    const c = await engine.createContainer({ name: container, Image: LOCAL_IMAGE, Cmd: ["sleep", "infinity"], Labels: { "hakuriver.managed": "true", "hakuriver.env": container } });
    await c.start();
    const sockets: Socket[] = [];
    try {
      const mine = await open(operator.bearer);
      sockets.push(mine);
      const opened = (await mine.timeout(15_000).emitWithAck("open", { container, cols: 80, rows: 24 })) as { ok: boolean; id: string; error?: string };
      assert.equal(opened.ok, true, opened.error);
      let exited = false;
      const exit = new Promise<void>((resolve) => mine.on("exit", () => resolve(void (exited = true))));

      const olgaCookie = await person("olga", "operator");
      const other = await open({ Cookie: olgaCookie, Origin: server.origin });
      sockets.push(other);
      const resumed = (await other.timeout(5000).emitWithAck("resume", { id: opened.id, cols: 80, rows: 24 })) as { ok: boolean };
      assert.equal(resumed.ok, false, "not hers to resume");
      await other.timeout(5000).emitWithAck("close-shell", { id: opened.id, force: true });
      const admin = await open(server.bearer);
      sockets.push(admin);
      // An admin's plain Close of an id names their own shells only, as for anyone.
      await admin.timeout(5000).emitWithAck("close-shell", { id: opened.id });
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(exited, false, "not hers to end, and not the admin's without force");

      await admin.timeout(5000).emitWithAck("close-shell", { id: opened.id, force: true });
      await Promise.race([exit, new Promise((_, reject) => setTimeout(() => reject(new Error("the admin's close did not end it")), 10_000))]);
      const lines = fs.readFileSync(path.join(server.dataDir, "audit.log"), "utf8");
      assert.match(lines, /"person":"owner"[^\n]*"action":"shell.end.other"[^\n]*of otto/);
    } finally {
      for (const s of sockets) s.disconnect();
      await removeContainer(container);
    }
  });
});

describe("environment values", () => {
  it("a version's details reach a viewer with the names only, an operator with the values", async () => {
    const dir = path.join(server.dataDir, "shared", "hakuriver-containers");
    fs.mkdirSync(dir, { recursive: true });
    const file = "peopleenv-1700000000.tar";
    writeVersionTar(path.join(dir, file), { tag: "hakuriver/peopleenv:base", base: "busybox", created: "2023-11-14T22:13:20Z" });
    const env = async (bearer: Record<string, string>) => {
      const res = await call(`/api/tarballs/${file}`, { headers: bearer });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return (res.body.details as { env: { name: string; value: string }[] }).env;
    };
    const seen = await env(viewer.bearer);
    assert.ok(seen.some((e) => e.name === "HF_HOME"));
    assert.ok(seen.every((e) => e.value === ""), JSON.stringify(seen));
    assert.ok((await env(operator.bearer)).some((e) => e.name === "HF_HOME" && e.value === "/root/.cache/huggingface"));
  });
});
