// `npm start`: builds when needed (scripts/ensure-build.mjs), then runs the production server
// with plain node. Signals are forwarded so the server can end shells and jobs cleanly.
// package.json runs this as `exec node scripts/start.mjs`: npm starts scripts through `sh -c` and
// sends SIGTERM/SIGINT only to that shell, which died (SIGTERM) or ignored it (SIGINT) without passing
// it on, leaving this process and the server running; with `exec` the shell becomes this process.
import { spawn } from "node:child_process";
import path from "node:path";
import { ensureBuild } from "./ensure-build.mjs";

const root = path.resolve(import.meta.dirname, "..");
ensureBuild();

const child = spawn(process.execPath, [path.join(root, "dist/server.mjs")], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, NODE_ENV: "production" },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
