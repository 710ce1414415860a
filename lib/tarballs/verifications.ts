import "server-only";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { getConfig } from "@/lib/config";
import { processSignal, processWide } from "@/lib/runtime";
import { AppError, toAppError } from "@/lib/shared/errors";
import type { Verification } from "@/lib/shared/tarballs";
import { versionFile } from "./store";
import { verifyArchive } from "./verify";

/**
 * Verify jobs, one per version file at a time, in the background of the server process like Create
 * Tar jobs (lib/tarballs/jobs.ts): progress is pushed over /live, Cancel aborts the read, and the
 * outcome is kept (in memory and in `<data dir>/verifications.json`) for the exact file it checked:
 * a result holds only while the file has the same size and mtime.
 */
interface Entry {
  v: Verification;
  abort: AbortController;
}

const KEEP_RESULTS = 2000;
/** Verify runs reading at once (each keeps up to 16 MiB of small members), and waiting for a turn at most. */
const AT_ONCE = 2;
const WAITING_MAX = 32;
const turns = () => processWide("verifications.turns", () => ({ running: 0, waiting: [] as Array<() => void> }));

/** Waits for one of the AT_ONCE turns; the returned function gives it back. */
async function turn(abort: AbortSignal): Promise<() => void> {
  const t = turns();
  if (t.running >= AT_ONCE) {
    await new Promise<void>((resolve, reject) => {
      const go = () => {
        abort.removeEventListener("abort", cancel);
        resolve();
      };
      const cancel = () => {
        t.waiting.splice(t.waiting.indexOf(go), 1);
        reject(new AppError("failed:cancelled", "Cancelled."));
      };
      t.waiting.push(go);
      abort.addEventListener("abort", cancel, { once: true });
    });
  } else t.running++;
  return () => {
    const next = t.waiting.shift();
    if (next) next();
    else t.running--;
  };
}
const registry = () => processWide("verifications", () => ({ loaded: false, map: new Map<string, Entry>() }));
const signal = processSignal("verifications");

/** Calls `listener` whenever a Verify starts, reads more or ends (callers throttle). */
export const onVerificationsChanged = (listener: () => void) => signal.on(listener);

const journal = () => path.join(/*turbopackIgnore: true*/ getConfig().dataDir, "verifications.json");

function entries(): Map<string, Entry> {
  const r = registry();
  if (!r.loaded) {
    r.loaded = true;
    try {
      for (const v of JSON.parse(fs.readFileSync(journal(), "utf8")) as Verification[]) {
        // One that was running when the process ended did not finish.
        if (v.phase === "running") Object.assign(v, { phase: "cancelled", finishedAt: v.startedAt });
        r.map.set(v.file, { v, abort: new AbortController() });
      }
    } catch {
      // No results yet (or an unreadable file): nothing to remember.
    }
  }
  return r.map;
}

function save(): void {
  try {
    const all = [...entries().values()].map((e) => e.v).slice(-KEEP_RESULTS);
    fs.mkdirSync(path.dirname(journal()), { recursive: true });
    fs.writeFileSync(`${journal()}.tmp`, JSON.stringify(all), { mode: 0o600 });
    fs.renameSync(`${journal()}.tmp`, journal());
  } catch (err) {
    console.error("[hakuriver] could not write the Verify results:", err);
  }
}

/** Running and kept Verify runs, newest first. */
export function listVerifications(): Verification[] {
  return [...entries().values()].map((e) => ({ ...e.v })).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** The latest Verify of `file` if it still describes the file as it is (same size and mtime). */
export function verificationOf(file: string, stat: { size: number; mtime: Date }): Verification | undefined {
  const v = entries().get(file)?.v;
  if (!v || v.size !== stat.size || v.mtime !== stat.mtime.toISOString()) return undefined;
  return { ...v };
}

/** Starts verifying one version and returns at once; refuses a second run of the same file. */
export async function startVerification(file: string): Promise<Verification> {
  const { path: target, stat } = await versionFile(file);
  const current = entries().get(file);
  if (current?.v.phase === "running") throw new AppError("conflict:tarball", `${file} is already being verified.`);
  if (turns().waiting.length >= WAITING_MAX) throw new AppError("conflict:tarball", `${WAITING_MAX} Verify runs are waiting already; start this one when some have finished.`);
  const entry: Entry = {
    v: { id: randomUUID(), file, phase: "running", startedAt: new Date().toISOString(), bytesRead: 0, size: stat.size, mtime: stat.mtime.toISOString() },
    abort: new AbortController(),
  };
  entries().delete(file);
  entries().set(file, entry);
  signal.emit();
  void run(entry, target);
  return { ...entry.v };
}

async function run(entry: Entry, target: string): Promise<void> {
  const { v, abort } = entry;
  let done: (() => void) | undefined;
  try {
    done = await turn(abort.signal);
    const outcome = await verifyArchive(target, {
      signal: abort.signal,
      onBytes: (n) => {
        v.bytesRead = n;
        signal.emit();
      },
    });
    Object.assign(v, { phase: outcome.ok ? "ok" : "damaged", sha256: outcome.sha256, summary: outcome.summary, problems: outcome.problems });
  } catch (err) {
    if (abort.signal.aborted) v.phase = "cancelled";
    else Object.assign(v, { phase: "failed", problems: [toAppError(err).message] });
  }
  done?.();
  v.finishedAt = new Date().toISOString();
  save();
  signal.emit();
}

/** Cancels a running Verify; false when none runs. */
export function cancelVerification(file: string): boolean {
  const entry = entries().get(file);
  if (!entry || entry.v.phase !== "running") return false;
  entry.abort.abort();
  return true;
}

/** Aborts every running Verify (server shutdown). */
export function cancelAllVerifications(): void {
  for (const e of entries().values()) if (e.v.phase === "running") e.abort.abort();
}
