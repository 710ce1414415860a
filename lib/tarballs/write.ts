import "server-only";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { AppError } from "@/lib/errors";
import { TEMP_PREFIX, TEMP_SUFFIX, nextTimestamp, tarballFileName } from "./names";
import { containerDir, versionTimestamps } from "./store";

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

/** Gives the file its final name without ever replacing one (link fails if the name exists). */
async function publish(temp: string, final: string): Promise<void> {
  try {
    await fs.link(temp, final);
    await fs.unlink(temp);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw err;
    // Filesystems without hard links (some network shares): check, then rename.
    const exists = await fs.stat(final).then(() => true, () => false);
    if (exists) throw Object.assign(new Error(`${final} exists`), { code: "EEXIST" });
    await fs.rename(temp, final);
  }
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
 * Streams `source` into the container dir as a new version of `env`: first into a hidden
 * temporary file, then fsync, then the final `<env>-<ts>.tar` name, so a Runner never sees a
 * partial file. On any failure or abort the temporary file is removed and nothing else changes.
 */
export async function writeTarball(
  env: string,
  source: Readable,
  options: { signal?: AbortSignal; onBytes?: (total: number) => void } = {},
): Promise<{ file: string; size: number }> {
  const dir = await containerDir();
  const temp = path.join(dir, `${TEMP_PREFIX}${env}-${randomBytes(6).toString("hex")}${TEMP_SUFFIX}`);
  let written = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      written += chunk.length;
      options.onBytes?.(written);
      done(null, chunk);
    },
  });
  try {
    const handle = await fs.open(temp, "wx", 0o644);
    await pipeline(source, counter, handle.createWriteStream(), { signal: options.signal });
    await fsyncPath(temp);
    // A cancel that lands after the last byte still wins: nothing has been published yet.
    if (options.signal?.aborted) throw new AppError("failed:cancelled", "Cancelled.");
    for (let attempt = 0; ; attempt++) {
      const timestamp = nextTimestamp(Math.floor(Date.now() / 1000), await versionTimestamps(env));
      const final = path.join(dir, tarballFileName(env, timestamp));
      try {
        await publish(temp, final);
        await fsyncPath(dir, true);
        return { file: path.basename(final), size: written };
      } catch (err) {
        // Someone else (the Python host?) took that name meanwhile: pick the next second.
        if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 5) throw err;
      }
    }
  } catch (err) {
    // If the file could not even be opened, the export stream was never consumed: release it.
    source.destroy();
    await fs.rm(temp, { force: true }).catch(() => {});
    throw diskError(err, dir) ?? err;
  }
}
