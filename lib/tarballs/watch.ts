import "server-only";
import fs from "node:fs";
import { containerDir } from "./store";

/**
 * Calls `onChange` when the container dir may have changed: inotify (fs.watch) for what this
 * machine writes, and a slow rescan timer for what other nodes write to shared storage (NFS
 * delivers no events for those). Returns a stop function.
 */
export function watchContainerDir(onChange: () => void, rescanMs = 30_000): () => void {
  let watcher: fs.FSWatcher | undefined;
  let stopped = false;
  const timer = setInterval(onChange, rescanMs);
  timer.unref();
  void containerDir()
    .then((dir) => {
      if (stopped) return;
      try {
        watcher = fs.watch(dir, { persistent: false }, () => onChange());
        watcher.on("error", () => watcher?.close());
      } catch (err) {
        console.error(`[hakuriver] cannot watch ${dir}; relying on the ${rescanMs / 1000} s rescan:`, err);
      }
    })
    .catch(() => {});
  return () => {
    stopped = true;
    clearInterval(timer);
    watcher?.close();
  };
}
