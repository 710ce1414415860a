import "server-only";
import fs from "node:fs";
import path from "node:path";
import { getConfig } from "@/lib/config";

/**
 * The audit log: one JSON line per mutating action, login and shell session, in
 * `<data dir>/audit.log` (mode 0600). Appends are synchronous and small, so lines never interleave.
 */
export interface AuditEntry {
  time: string;
  /** Who: `session:<id>` for a browser session, `bearer` for the token, `anonymous` for failed logins, `server` for its own clean-up. */
  session: string;
  action: string;
  target: string;
  result: "ok" | "error";
  detail?: string;
}

export function auditPath(): string {
  return path.join(/*turbopackIgnore: true*/ getConfig().dataDir, "audit.log");
}

export function audit(entry: Omit<AuditEntry, "time">): void {
  const line = JSON.stringify({ time: new Date().toISOString(), ...entry, target: entry.target.slice(0, 300) });
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
