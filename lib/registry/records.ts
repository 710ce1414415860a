import "server-only";
import fs from "node:fs";
import path from "node:path";
import { getConfig } from "@/lib/config";
import { processWide } from "@/lib/runtime";

/**
 * What the dashboard last did with each version and the registry, in `<data dir>/registry-pushes.json`:
 * the digest it pushed, or why the push failed. The registry itself stays the judge of whether a
 * tag is there (state.ts asks it), so a registry wiped since says so; the record keeps what the
 * registry cannot tell — the reason a push failed.
 */
export interface PushRecord {
  ref: string;
  at: string;
  digest?: string;
  error?: string;
}

const file = () => path.join(getConfig().dataDir, "registry-pushes.json");

function records(): Map<string, PushRecord> {
  return processWide("registry.records", () => {
    try {
      return new Map(Object.entries(JSON.parse(fs.readFileSync(file(), "utf8")) as Record<string, PushRecord>));
    } catch {
      return new Map<string, PushRecord>();
    }
  });
}

function save(): void {
  const target = file();
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(Object.fromEntries(records())), { mode: 0o600 });
  fs.renameSync(tmp, target);
}

export function pushRecord(version: string): PushRecord | undefined {
  return records().get(version);
}

export function recordPush(version: string, record: Omit<PushRecord, "at">): void {
  records().set(version, { ...record, at: new Date().toISOString() });
  save();
}

export function forgetPush(version: string): void {
  if (records().delete(version)) save();
}
