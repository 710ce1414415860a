import "server-only";
import fs from "node:fs";
import path from "node:path";
import { getConfig } from "@/lib/config";
import { processWide } from "@/lib/runtime";
import type { AuditLine, Principal } from "@/lib/shared/roles";

/**
 * The audit log: one JSON line per mutating action, login, refusal and shell session, in
 * `<data dir>/audit.log` (mode 0600). Appends are synchronous and small, so lines never interleave.
 * Each line names the person (and the personal token's name when one was used). Secrets never go
 * in: callers pass names, ids and messages, never a password or token.
 */
/** One line: who (the person, their role, the personal token's name), the credential (`session:<id>`, `bearer`, `token:<id>`), what, on what, and how it went. */
export type AuditEntry = AuditLine;

export function auditPath(): string {
  return path.join(/*turbopackIgnore: true*/ getConfig().dataDir, "audit.log");
}

/** Credential id → the principal behind it, noted by lib/auth/authorise.ts (bounded). */
const principals = processWide("audit.principals", () => new Map<string, Principal>());
const MAX_REMEMBERED = 10_000;

export function rememberCaller(id: string, principal: Principal): void {
  principals.delete(id);
  principals.set(id, principal);
  if (principals.size > MAX_REMEMBERED) principals.delete(principals.keys().next().value!);
}

function personOf(session: string): Pick<AuditEntry, "person" | "role" | "token"> {
  const p = principals.get(session);
  if (p) return { person: p.name, role: p.role, ...(p.tokenName ? { token: p.tokenName } : {}) };
  if (session === "bearer") return { person: "owner", role: "admin" };
  return { person: session === "server" ? "server" : "anonymous" };
}

export function audit(entry: Omit<AuditEntry, "time" | "person"> & { person?: string }): void {
  const line = JSON.stringify({ time: new Date().toISOString(), ...personOf(entry.session), ...entry, target: entry.target.slice(0, 300) });
  try {
    fs.mkdirSync(getConfig().dataDir, { recursive: true, mode: 0o700 });
    fs.appendFileSync(auditPath(), `${line}\n`, { mode: 0o600 });
  } catch (err) {
    // Never fail the user's action because the log could not be written; say so loudly instead.
    console.error("[hakuriver] could not write the audit log:", err, line);
  }
}

/** Runs `work`, recording its outcome; rethrows what it throws. */
export async function audited<T>(session: string, action: string, target: string, work: () => Promise<T>): Promise<T> {
  try {
    const result = await work();
    audit({ session, action, target, result: "ok" });
    return result;
  } catch (err) {
    audit({ session, action, target, result: "error", detail: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}
