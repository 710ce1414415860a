import "server-only";
import fsSync from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { getConfig } from "@/lib/config";
import { processWide } from "@/lib/runtime";
import { AppError } from "@/lib/shared/errors";
import { isTempFile, parseTarballName } from "@/lib/shared/tarball-names";
import type { DirectorySpace, EnvironmentSummary, TarballEnvironment, TarballVersion } from "@/lib/shared/tarballs";


/**
 * The container dir, created on first need (the Python host does the same), as its real path.
 * The real path is pinned at first use: if the directory (or a folder above it) is later swapped
 * for a symlink to somewhere else, every operation is refused instead of acting in the new
 * target, and files are always named by the pinned real path, so a swap in the middle of a job
 * cannot redirect its clean-up.
 */
export async function containerDir(): Promise<string> {
  const dir = getConfig().containerDir;
  await fs.mkdir(dir, { recursive: true });
  const real = await fs.realpath(dir);
  const pinned = processWide("containerDir.real", () => ({ path: real })).path;
  if (real !== pinned) {
    throw new AppError(
      "conflict:container_dir",
      `The container dir ${dir} now leads to ${real} instead of ${pinned}; nothing was changed. Restart the dashboard if this move was intended.`,
    );
  }
  return real;
}

const STAT_BATCH = 512;

/**
 * Every tarball in the container dir, by the Runners' rule; other files, directories and
 * symlinks are ignored. One directory read, then one lstat per matching file. The stats are
 * synchronous (10,000 of them take ~10 ms locally, against ~300 ms through libuv's thread pool)
 * in batches that yield to the event loop, so a slow network share cannot stall shells.
 */
export async function listVersions(): Promise<TarballVersion[]> {
  const dir = await containerDir();
  const names = await fs.readdir(dir);
  const versions: TarballVersion[] = [];
  for (let i = 0; i < names.length; i += STAT_BATCH) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    for (const file of names.slice(i, i + STAT_BATCH)) {
      const parsed = parseTarballName(file);
      if (!parsed) continue;
      const st = fsSync.lstatSync(path.join(dir, file), { throwIfNoEntry: false });
      if (st?.isFile()) versions.push({ file, env: parsed.env, timestamp: parsed.timestamp, size: st.size });
    }
  }
  return versions;
}

/** Versions grouped by environment, newest first within each, environments by name. */
export function groupEnvironments(versions: TarballVersion[]): TarballEnvironment[] {
  const byEnv = new Map<string, TarballVersion[]>();
  for (const v of versions) {
    const list = byEnv.get(v.env);
    if (list) list.push(v);
    else byEnv.set(v.env, [v]);
  }
  return [...byEnv.entries()]
    .map(([name, list]) => {
      list.sort((a, b) => b.timestamp - a.timestamp);
      return { name, latest: list[0], versions: list, totalSize: list.reduce((n, v) => n + v.size, 0) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function listEnvironments(): Promise<TarballEnvironment[]> {
  return groupEnvironments(await listVersions());
}

/**
 * Timestamps of one environment's versions as a Runner sees them: every entry named `<env>-<ts>.tar`
 * (lowercased, as Runners look it up), whatever it is — a Runner does not check for a regular file,
 * so a symlink planted at a version name counts as taken and a new version goes after it.
 */
export async function versionTimestamps(env: string): Promise<number[]> {
  const wanted = env.toLowerCase();
  const timestamps: number[] = [];
  for (const file of await fs.readdir(await containerDir())) {
    const parsed = parseTarballName(file);
    if (parsed && parsed.env.toLowerCase() === wanted) timestamps.push(parsed.timestamp);
  }
  return timestamps;
}

/**
 * The path and stat of one listed version: a regular file named by the Runners' rule directly in
 * the pinned container dir — no path separators, no symlinks, nothing else. Callers open it with
 * O_NOFOLLOW, so a swap after this check cannot redirect them either.
 */
export async function versionFile(file: string): Promise<{ path: string; stat: fsSync.Stats }> {
  if (typeof file !== "string" || file !== path.basename(file) || !parseTarballName(file)) {
    throw new AppError("bad_request:tarball", "Not a tarball file name (expected <name>-<timestamp>.tar).");
  }
  const target = path.join(await containerDir(), file);
  const stat = await fs.lstat(target).catch(() => undefined);
  if (!stat) throw new AppError("not_found:tarball", `Tarball ${file} was not found.`);
  if (!stat.isFile()) throw new AppError("bad_request:tarball", `${file} is not a regular file; it was left alone.`);
  return { path: target, stat };
}

/** Size and free space of the file system holding the container dir, and what the tarballs take. */
export async function directorySpace(envs?: TarballEnvironment[]): Promise<DirectorySpace> {
  const s = await fs.statfs(await containerDir());
  const total = s.blocks * s.bsize;
  const free = s.bavail * s.bsize;
  const tarballs = (envs ?? (await listEnvironments())).reduce((n, e) => n + e.totalSize, 0);
  return { total, free, used: total - s.bfree * s.bsize, tarballs };
}

/**
 * Deletes one version. Only a regular file whose name matches the Runners' rule, directly in the
 * container dir, can be deleted: no path separators, no symlinks, nothing else.
 */
export async function deleteVersion(file: string): Promise<void> {
  if (typeof file !== "string" || file !== path.basename(file) || !parseTarballName(file)) {
    throw new AppError("bad_request:tarball", "Not a tarball file name (expected <name>-<timestamp>.tar).");
  }
  const target = path.join(await containerDir(), file);
  let st;
  try {
    st = await fs.lstat(target);
  } catch {
    throw new AppError("not_found:tarball", `Tarball ${file} was not found.`);
  }
  if (!st.isFile()) throw new AppError("bad_request:tarball", `${file} is not a regular file; it was left alone.`);
  await fs.unlink(target);
}

/**
 * Keeps the newest `keep` complete versions of `env` (regular files; temporary files never count)
 * and removes the rest; returns the files removed. With `published`, the version just written is
 * always kept and only versions older than it are candidates.
 */
export async function pruneVersions(env: string, keep: number, published?: string): Promise<string[]> {
  const newest = published ? parseTarballName(published)?.timestamp : undefined;
  const old = (await listVersions())
    .filter((v) => v.env === env && v.file !== published && (newest === undefined || v.timestamp < newest))
    .sort((a, b) => b.timestamp - a.timestamp)
    .slice(published ? keep - 1 : keep);
  const dir = await containerDir();
  const removed: string[] = [];
  for (const v of old) {
    await fs.unlink(path.join(dir, v.file)).then(
      () => removed.push(v.file),
      (err) => console.error(`[hakuriver] could not prune ${v.file}:`, err),
    );
  }
  return removed;
}

/** Removes temporary files a crash left behind. Runs at start-up, before any job can exist. */
export async function sweepTemporaryFiles(): Promise<string[]> {
  const dir = await containerDir();
  const removed: string[] = [];
  for (const name of await fs.readdir(dir)) {
    if (!isTempFile(name)) continue;
    await fs.rm(path.join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}


export function summarize(envs: TarballEnvironment[]): EnvironmentSummary[] {
  return envs.map(({ versions, ...rest }) => ({ ...rest, versionCount: versions.length }));
}
