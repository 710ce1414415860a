import "server-only";
import fs from "node:fs";
import { auditPath, type AuditEntry } from "@/lib/audit";

/** What the audit view filters on (each a case-insensitive substring), and how many lines at most. */
export interface AuditFilter {
  person?: string;
  action?: string;
  target?: string;
  limit?: number;
}

/** The log's last bytes are what an admin looks at: older lines stay in the file. */
const TAIL_BYTES = 8 * 1024 * 1024;

function tail(file: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw err;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const start = Math.max(0, size - TAIL_BYTES);
    const buffer = Buffer.alloc(size - start);
    fs.readSync(fd, buffer, 0, buffer.length, start);
    const text = buffer.toString("utf8");
    return start > 0 ? text.slice(text.indexOf("\n") + 1) : text;
  } finally {
    fs.closeSync(fd);
  }
}

/** The newest lines of the audit log that match, newest first. */
export function readAudit(filter: AuditFilter = {}): AuditEntry[] {
  const limit = Math.min(Math.max(filter.limit ?? 200, 1), 2000);
  const has = (value: string | undefined, want: string | undefined) => !want || (value ?? "").toLowerCase().includes(want.toLowerCase());
  const out: AuditEntry[] = [];
  const lines = tail(auditPath()).split("\n");
  for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
    if (!lines[i]) continue;
    let e: AuditEntry;
    try {
      e = JSON.parse(lines[i]) as AuditEntry;
    } catch {
      continue;
    }
    // Lines written before people existed name only the credential.
    e.person ??= e.session === "bearer" ? "owner" : e.session;
    if (has(e.person, filter.person) && has(e.action, filter.action) && has(e.target, filter.target)) out.push(e);
  }
  return out;
}
