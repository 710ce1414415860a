import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Docker from "dockerode";

/** A Docker client for test set-up and checks, independent of the code under test. */
export const engine = new Docker();

/** The images scripts/test-env.sh provides. */
export const LOCAL_IMAGE = process.env.HAKURIVER_TEST_IMAGE ?? "hakuriver-test/busybox:latest";
export const PULL_IMAGE = process.env.HAKURIVER_TEST_PULL_IMAGE ?? "127.0.0.1:5055/hakuriver-test/pullable:3";

export function uniqueName(prefix: string): string {
  return `t-${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
}

export async function removeContainer(name: string): Promise<void> {
  await engine
    .getContainer(name)
    .remove({ force: true })
    .catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) throw err;
    });
}

/** Makes `ref` present, pulling it (from the loopback test registry it names) when another test removed it. */
export async function ensurePulled(ref: string): Promise<void> {
  const present = await engine
    .getImage(ref)
    .inspect()
    .then(() => true, () => false);
  if (present) return;
  const stream = await engine.pull(ref);
  await new Promise<void>((resolve, reject) => engine.modem.followProgress(stream, (err: unknown) => (err ? reject(err) : resolve())));
}

export async function removeImage(ref: string): Promise<void> {
  await engine
    .getImage(ref)
    .remove({ force: true })
    .catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) throw err;
    });
}

export async function containerNamesWith(prefix: string): Promise<string[]> {
  const all = await engine.listContainers({ all: true });
  return all.map((c) => c.Names[0].replace(/^\//, "")).filter((n) => n.startsWith(prefix));
}

/** An image whose file system holds one file and no `sleep`: containers made from it cannot start. */
export async function importImageWithoutSleep(ref: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hr-nosleep-"));
  fs.writeFileSync(path.join(dir, "README"), "no binaries here\n");
  const tar = path.join(dir, "rootfs.tar");
  execFileSync("tar", ["-C", dir, "-cf", tar, "README"]);
  const [repo, tag] = ref.split(":");
  const stream = await engine.importImage(tar, { repo, tag });
  await new Promise((resolve, reject) => engine.modem.followProgress(stream, (err: unknown) => (err ? reject(err) : resolve(null))));
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Runs a command in a running container and returns its output (stdout and stderr, demuxed). */
export async function execIn(container: string, cmd: string[], options: { user?: string } = {}): Promise<{ exitCode: number; output: string }> {
  const exec = await engine.getContainer(container).exec({ Cmd: cmd, User: options.user, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  const sink = new (await import("node:stream")).PassThrough();
  sink.on("data", (c: Buffer) => chunks.push(c));
  engine.modem.demuxStream(stream, sink, sink);
  await new Promise((resolve) => stream.on("end", resolve));
  const { ExitCode } = await exec.inspect();
  return { exitCode: ExitCode ?? -1, output: Buffer.concat(chunks).toString("utf8") };
}

/**
 * Runs a throwaway container from `image` and returns what `cmd` printed (on another engine, and
 * without network, when asked).
 */
export async function runOnce(image: string, cmd: string[], on: { engine?: Docker; network?: "none" } = {}): Promise<string> {
  const c = await (on.engine ?? engine).createContainer({ Image: image, Cmd: cmd, Tty: true, HostConfig: on.network ? { NetworkMode: on.network } : {} });
  try {
    await c.start();
    await c.wait();
    return ((await c.logs({ stdout: true, stderr: true })) as unknown as Buffer).toString("utf8");
  } finally {
    await c.remove({ force: true });
  }
}

/** Whether scripts/test-env.sh started the main dockerd (only then may a test stop it: scripts/dockerd.sh). */
export function dockerdOwned(): boolean {
  try {
    execFileSync("bash", ["scripts/dockerd.sh", "owned"]);
    return true;
  } catch {
    return false;
  }
}

/**
 * A running environment container made outside the dashboard, as the dashboard labels its own
 * (`sleep infinity` under an init), for tests that need one without going through the UI.
 */
export async function runEnvironmentContainer(name: string): Promise<void> {
  const c = await engine.createContainer({
    name,
    Image: LOCAL_IMAGE,
    Cmd: ["sleep", "infinity"],
    Labels: { "hakuriver.managed": "true", "hakuriver.env": name },
    HostConfig: { Init: true },
  });
  await c.start();
}
