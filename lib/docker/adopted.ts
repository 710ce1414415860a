import "server-only";
import fs from "node:fs";
import path from "node:path";
import { getConfig } from "@/lib/config";
import { processSignal } from "@/lib/runtime";

/**
 * Containers adopted as environments: ones the Python host made (`docker run -d --name <name>
 * <image> sleep infinity`, no labels), which Docker cannot label after the fact. Kept in
 * `<data dir>/adopted.json` by container ID (IDs are never reused; names are), so adoption
 * survives restarts and ends with the container.
 */
export interface Adoption {
  id: string;
  env: string;
  adoptedAt: string;
}

function file(): string {
  return path.join(/*turbopackIgnore: true*/ getConfig().dataDir, "adopted.json");
}

export function readAdoptions(): Map<string, Adoption> {
  try {
    const list = JSON.parse(fs.readFileSync(file(), "utf8")) as Adoption[];
    return new Map(list.filter((a) => typeof a?.id === "string" && typeof a.env === "string").map((a) => [a.id, a]));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") console.error("[hakuriver] could not read the adoption list:", err);
    return new Map();
  }
}

const adoptionsChanged = processSignal("adoptions");

/** Calls `listener` when adoptions change: Docker sends no event for them, but the lists change. */
export const onAdoptionsChanged = (listener: () => void) => adoptionsChanged.on(listener);

function write(adoptions: Map<string, Adoption>): void {
  fs.mkdirSync(path.dirname(file()), { recursive: true, mode: 0o700 });
  const tmp = `${file()}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify([...adoptions.values()], null, 1), { mode: 0o600 });
  fs.renameSync(tmp, file());
  adoptionsChanged.emit();
}

export function addAdoption(id: string, env: string): void {
  const adoptions = readAdoptions();
  adoptions.set(id, { id, env, adoptedAt: new Date().toISOString() });
  write(adoptions);
}

/** Forgets adoptions by container ID; returns how many were removed. */
export function removeAdoptions(ids: Iterable<string>): number {
  const adoptions = readAdoptions();
  let removed = 0;
  for (const id of ids) if (adoptions.delete(id)) removed++;
  if (removed > 0) write(adoptions);
  return removed;
}
