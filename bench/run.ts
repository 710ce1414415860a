/**
 * `npm run bench [-- --quick] [-- --only list,tar,terminal,tarballs,weight,memory,runners,live,logs,registry]`
 *
 * First brings up what it measures against exactly as `npm test` does (scripts/test-env.sh: the
 * engine, the test images, the loopback registry, Chromium, the Runner engines), so it runs on a
 * fresh machine too; `HAKURIVER_BENCH_ENV=ready` skips that when the environment is already up.
 *
 * Every figure is a median after a warm-up, next to a floor measured in the same run on the same
 * engine, and their ratio. Creates and removes its own containers, images and files. Prints a
 * table and writes bench/results/<time>.json. Asserts nothing: it measures.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LOCAL_IMAGE, engine, removeContainer, removeImage } from "../tests/helpers/docker";
import { createViaApi, loginCookie, startServer, type TestServer } from "../tests/helpers/server";
import { printTable, type Row } from "./lib";
import { benchList } from "./sections/list";
import { benchTar } from "./sections/tar";
import { benchTerminal } from "./sections/terminal";
import { benchTarballs } from "./sections/tarballs";
import { benchWeight } from "./sections/weight";
import { benchMemory } from "./sections/memory";
import { benchRunnerEnv, benchRunners } from "./sections/runners";
import { benchLive } from "./sections/live";
import { benchLogs } from "./sections/logs";
import { benchRegistry } from "./sections/registry";

export interface BenchContext {
  quick: boolean;
  server: TestServer;
  cookie: string;
  /** A running dashboard-made container for sections that need one. */
  container: string;
  containerDir: string;
  rows: Row[];
  add: (row: Row) => void;
}

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const onlyArg = args.find((a) => a.startsWith("--only"));
const only = onlyArg ? (onlyArg.includes("=") ? onlyArg.split("=")[1] : args[args.indexOf(onlyArg) + 1]).split(",") : undefined;
const sections: [string, (ctx: BenchContext) => Promise<void>][] = [
  ["list", benchList],
  ["tar", benchTar],
  ["terminal", benchTerminal],
  ["tarballs", benchTarballs],
  ["weight", benchWeight],
  ["memory", benchMemory],
  ["runners", benchRunners],
  ["live", benchLive],
  ["logs", benchLogs],
  ["registry", benchRegistry],
];

/** Runs scripts/test-env.sh and takes the variables it exports (the test image, Chromium, the Runners). */
function prepareEnvironment(): void {
  if (process.env.HAKURIVER_BENCH_ENV === "ready") return;
  const env = execFileSync("bash", ["-c", "source scripts/test-env.sh >&2 && env -0"], { stdio: ["ignore", "pipe", "inherit"], maxBuffer: 16 * 1024 * 1024 });
  for (const entry of env.toString("utf8").split("\0")) {
    const at = entry.indexOf("=");
    const name = entry.slice(0, at);
    if (at > 0 && (name.startsWith("HAKURIVER_TEST_") || name === "CHROMIUM_PATH")) process.env[name] = entry.slice(at + 1);
  }
}

async function main() {
  prepareEnvironment();
  execFileSync(process.execPath, ["scripts/ensure-build.mjs"], { stdio: "inherit" });
  const server = await startServer(benchRunnerEnv());
  const cookie = await loginCookie(server);
  const container = `bench-env-${Date.now().toString(36)}`;
  await createViaApi(server, container, LOCAL_IMAGE);
  const rows: Row[] = [];
  const ctx: BenchContext = {
    quick,
    server,
    cookie,
    container,
    containerDir: path.join(server.dataDir, "shared", "hakuriver-containers"),
    rows,
    add: (row) => {
      rows.push(row);
      console.log(`  ${row.section} · ${row.measure}: ${row.value.toFixed(2)} ${row.unit}${row.ratio !== undefined ? ` (${row.ratio.toFixed(2)}× floor)` : ""}`);
    },
  };
  const started = Date.now();
  try {
    for (const [name, run] of sections) {
      if (only && !only.includes(name)) continue;
      console.log(`\n== ${name} ==`);
      await run(ctx);
    }
  } finally {
    await server.stop();
    await removeContainer(container);
    await removeImage(`hakuriver/${container}:base`);
    fs.rmSync(server.dataDir, { recursive: true, force: true });
  }
  console.log(`\nHakuRiver dashboard benchmark — ${new Date().toISOString()} — ${quick ? "quick" : "full"} — ${Math.round((Date.now() - started) / 1000)} s\n`);
  printTable(rows);
  const version = (await engine.version()).Version;
  const out = path.join("bench", "results", `${new Date().toISOString().replace(/[:.]/g, "-")}${quick ? "-quick" : ""}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    JSON.stringify({ date: new Date().toISOString(), quick, engine: version, node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, rows }, null, 2),
  );
  console.log(`\nwrote ${out}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

