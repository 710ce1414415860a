import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { inspectContainer } from "@/lib/docker/inspect";
import { execute } from "@/lib/commands";
import { OWNER } from "@/lib/auth/authorise";
import { logDownloadStream, readLogLines, readLogTail } from "@/lib/docker/logs";
import { prependLines, logPage } from "@/lib/shared/log-page";
import { HIDDEN_VALUE } from "@/lib/shared/inspect";
import { LOCAL_IMAGE, engine, removeContainer, uniqueName } from "../helpers/docker";

const made: string[] = [];

after(async () => {
  for (const name of made) await removeContainer(name);
});

/** Runs `script` under sh in a new container and waits for it to exit. */
async function ran(prefix: string, script: string, options: { tty?: boolean; env?: string[]; driver?: string } = {}): Promise<string> {
  const name = uniqueName(prefix);
  made.push(name);
  const c = await engine.createContainer({
    name,
    Image: LOCAL_IMAGE,
    Cmd: ["sh", "-c", script],
    Tty: options.tty ?? false,
    Env: options.env,
    HostConfig: options.driver ? { LogConfig: { Type: options.driver, Config: {} } } : {},
  });
  await c.start();
  await c.wait();
  return name;
}

const PRINT_BOTH = "echo out-marker; echo err-marker >&2; printf '\\033[31mred\\033[0m\\n'";

describe("Container logs and inspect on the real engine", () => {
  it("a non-TTY container's stdout and stderr come back told apart, with timestamps", async () => {
    const name = await ran("logs-plain", PRINT_BOTH);
    const log = await readLogTail(name);
    assert.equal(log.tty, false);
    const out = log.lines.find((l) => l.text === "out-marker");
    const err = log.lines.find((l) => l.text === "err-marker");
    assert.equal(out?.stream, "stdout");
    assert.equal(err?.stream, "stderr");
    assert.match(out!.time, /^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    assert.ok(log.lines.some((l) => l.text === "\u001b[31mred\u001b[0m"), "ANSI escapes are kept for the view to render");
    assert.equal(log.truncated, false);
  });

  it("a TTY container's one raw stream is read as such, lines without the terminal's \\r", async () => {
    const name = await ran("logs-tty", PRINT_BOTH, { tty: true });
    const log = await readLogTail(name);
    assert.equal(log.tty, true);
    assert.deepEqual(
      log.lines.map((l) => [l.stream, l.text]).slice(0, 2),
      [
        ["tty", "out-marker"],
        ["tty", "err-marker"],
      ],
    );
  });

  it("only the last N lines are read", async () => {
    const name = await ran("logs-tail", "i=0; while [ $i -lt 3000 ]; do echo line-$i; i=$((i+1)); done");
    const log = await readLogTail(name, { tail: 1000 });
    assert.equal(log.lines.length, 1000);
    assert.equal(log.lines[0].text, "line-2000");
    assert.equal(log.lines.at(-1)!.text, "line-2999");
  });

  it("Load older: the page before the first line held, read with until = its time, joins without a gap or a repeat", async () => {
    const name = await ran("logs-older", "i=0; while [ $i -lt 3000 ]; do echo line-$i; i=$((i+1)); done");
    const newest = await readLogLines(name, { tail: "1000" });
    const older = await readLogLines(name, { tail: "1000", until: newest.lines[0].time, older: true });
    const page = prependLines(logPage(newest.lines), older.lines);
    assert.equal(page.lines.length, 2000);
    const oldest = await readLogLines(name, { tail: "1000", until: page.lines[0].time, older: true });
    assert.deepEqual([oldest.lines.length, oldest.lines[0].text], [1001, "line-0"], "the start: the 1000 before and the line at until");
    assert.deepEqual(page.lines.map((l) => l.text), Array.from({ length: 2000 }, (_, i) => `line-${1000 + i}`));
    // A range before the container existed holds nothing; a bad bound is refused in words.
    assert.deepEqual((await readLogLines(name, { until: "2000-01-01T00:00:00Z" })).lines, []);
    assert.equal((await readLogLines(name, { since: "15m" })).lines.length, 1000);
    await assert.rejects(readLogLines(name, { since: "yesterday" }), /"yesterday" is not a time/);
  });

  it("a container that printed many MB is read within the byte cap, and says it was cut", async () => {
    // 1000 lines of 8 KiB each (8 MiB in the tail alone, more before it).
    const name = await ran("logs-big", "head -c 24000000 /dev/zero | tr '\\0' x | fold -w 8192");
    const started = Date.now();
    const log = await readLogTail(name, { tail: 1000, byteCap: 1024 * 1024 });
    const bytes = log.lines.reduce((n, l) => n + l.text.length + l.time.length, 0);
    assert.equal(log.truncated, true);
    assert.ok(bytes <= 1024 * 1024, `read ${bytes} bytes`);
    assert.ok(log.lines.length > 50 && log.lines.length < 1000, `${log.lines.length} lines`);
    assert.ok(Date.now() - started < 5000, "the read stops at the cap");
  });

  it("the none logging driver is reported plainly, and Download refuses it in words", async () => {
    const name = await ran("logs-none", "echo hidden", { driver: "none" });
    const log = await readLogTail(name);
    assert.deepEqual(log.lines, []);
    assert.match(log.noLogs ?? "", /"none" logging driver: the engine keeps no logs/);
    await assert.rejects(logDownloadStream(name), /keeps no logs/);
  });

  it("Download streams stdout and stderr as docker logs prints them", async () => {
    const name = await ran("logs-dl", PRINT_BOTH);
    const { body } = await logDownloadStream(name);
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    // The engine copies stdout and stderr apart: their order within one moment is its own.
    const text = Buffer.concat(chunks).toString("utf8");
    assert.ok(text.endsWith("\n"));
    assert.deepEqual(text.split("\n").sort(), ["", "\u001b[31mred\u001b[0m", "err-marker", "out-marker"]);
  });

  it("Inspect names the environment without its values; Reveal (an audited command) returns them", async () => {
    const name = await ran("inspect-env", "true", { env: ["SECRET_TOKEN=s3cr3t-value"] });
    const info = await inspectContainer(name);
    assert.ok(info.envNames.includes("SECRET_TOKEN"));
    assert.ok(!JSON.stringify(info).includes("s3cr3t-value"), "no value anywhere in what the page gets");
    assert.ok(info.raw.includes(`SECRET_TOKEN=${HIDDEN_VALUE}`));
    assert.equal(info.state.exitCode, 0);
    assert.deepEqual(info.command, ["sh", "-c", "true"]);
    const { data } = await execute("container.env.reveal", { id: "test", principal: OWNER }, name);
    assert.deepEqual((data?.env as { name: string; value: string }[]).find((e) => e.name === "SECRET_TOKEN")?.value, "s3cr3t-value");
  });
});
