import "server-only";
import { randomBytes } from "node:crypto";
import fsCb from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { AppError } from "@/lib/shared/errors";
import { TEMP_PREFIX, TEMP_SUFFIX, tarballFileName } from "@/lib/shared/tarball-names";
import { containerDir } from "./store";

/** Flushes a file or directory to disk. Some filesystems cannot fsync a directory; that is not fatal. */
async function fsyncPath(p: string, directory = false): Promise<void> {
  const handle = await fs.open(p, directory ? "r" : "r+");
  try {
    await handle.sync();
  } catch (err) {
    if (!directory) throw err;
  } finally {
    await handle.close();
  }
}

/**
 * Gives the file its final name without ever replacing a version (link fails if the name exists).
 * A symlink at that name is not a version but a trap (a Runner would load whatever it points to):
 * it is replaced. Anything else there (a real file another host wrote meanwhile) makes this fail
 * with EEXIST, and the caller picks another name.
 */
async function publish(temp: string, final: string): Promise<void> {
  try {
    await fs.link(temp, final);
    await fs.unlink(temp);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EEXIST") {
      // Filesystems without hard links (some network shares): check, then rename.
      const exists = await fs.lstat(final).then(() => true, () => false);
      if (exists) throw Object.assign(new Error(`${final} exists`), { code: "EEXIST" });
      await fs.rename(temp, final);
      return;
    }
  }
  const st = await fs.lstat(final).catch(() => undefined);
  if (!st?.isSymbolicLink()) throw Object.assign(new Error(`${final} exists`), { code: "EEXIST" });
  console.warn(`[hakuriver] replacing the symlink ${final} (not a version) with a real version`);
  // rename replaces the link itself, never its target.
  await fs.rename(temp, final);
}

export function diskError(err: unknown, dir: string): AppError | undefined {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === "ENOSPC" || code === "EDQUOT") {
    return new AppError("failed:disk_full", `No space left on the device holding ${dir}; older versions were kept.`, { cause: err });
  }
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
    return new AppError("failed:disk", `Cannot write to ${dir} (${code}).`, { cause: err });
  }
  return undefined;
}

/**
 * Streams `source` into the container dir as the version `<env>-<timestamp>.tar`: first into a
 * hidden temporary file, then fsync, then the final name, so a Runner never sees a partial file.
 * The timestamp comes from the caller (see planTimestamp: it must not be later than the image's
 * `Created`). If another writer took that exact name meanwhile, the next seconds up to `latest`
 * are tried — never a later one. On any failure or abort the temporary file is removed and
 * nothing else changes.
 */
export async function writeTarball(
  env: string,
  source: Readable,
  options: { timestamp: number; latest?: number; signal?: AbortSignal; onBytes?: (total: number) => void },
): Promise<{ file: string; size: number }> {
  const dir = await containerDir().catch((err: unknown) => {
    source.destroy();
    throw err;
  });
  const temp = path.join(dir, `${TEMP_PREFIX}${env}-${randomBytes(6).toString("hex")}${TEMP_SUFFIX}`);
  let written = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      written += chunk.length;
      options.onBytes?.(written);
      done(null, chunk);
    },
  });
  // "wx" is O_CREAT|O_EXCL: it never follows a symlink planted at the temporary name. A plain
  // descriptor (not a FileHandle, whose close waits for its streams) that the stream leaves open,
  // so the clean-up can still ask where the file is now.
  let fd: number;
  try {
    fd = await promisify(fsCb.open)(temp, "wx", 0o644);
  } catch (err) {
    // The export stream was never consumed: release it.
    source.destroy();
    throw diskError(err, dir) ?? err;
  }
  try {
    await pipeline(source, counter, fsCb.createWriteStream(temp, { fd, autoClose: false }), { signal: options.signal });
    await promisify(fsCb.fsync)(fd);
    // A cancel that lands after the last byte still wins: nothing has been published yet.
    if (options.signal?.aborted) throw new AppError("failed:cancelled", "Cancelled.");
    // The directory must still be the one the file was written in (containerDir checks its real path).
    await containerDir();
    const latest = options.latest ?? options.timestamp;
    for (let timestamp = options.timestamp; ; timestamp++) {
      const final = path.join(dir, tarballFileName(env, timestamp));
      try {
        await publish(temp, final);
        await fsyncPath(dir, true);
        return { file: path.basename(final), size: written };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        if (timestamp >= latest) {
          throw new AppError(
            "conflict:version",
            `Another host wrote ${path.basename(final)} while this version was being saved; nothing was published. Run Create Tar again.`,
          );
        }
      }
    }
  } catch (err) {
    source.destroy();
    await removeOwnFile(fd, temp);
    throw diskError(err, dir) ?? err;
  } finally {
    await promisify(fsCb.close)(fd).catch(() => {});
  }
}

/**
 * Removes the temporary file wherever it is now: if the directory was renamed or swapped while
 * the file was written, its old path leads elsewhere, but the open descriptor still knows the
 * file's current path (Linux /proc). Only a file with our own temporary name is removed.
 */
async function removeOwnFile(fd: number, temp: string): Promise<void> {
  const now = await fs.readlink(`/proc/self/fd/${fd}`).catch(() => temp);
  const target = path.basename(now) === path.basename(temp) ? now : temp;
  await fs.rm(target, { force: true }).catch(() => {});
}
