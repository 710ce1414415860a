import "server-only";
import fs from "node:fs";
import path from "node:path";

/**
 * Replaces `file` with `text` atomically and durably (mode 0600): written to a temporary file,
 * flushed to disk, then renamed over the old one. A crash leaves the old or the new, never half.
 */
export function writeFileAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(temp, "w", 0o600);
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
}
