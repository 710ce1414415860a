import fs from "node:fs";
import path from "node:path";
import Docker from "dockerode";
import { runOnce } from "./docker";

/**
 * A HakuRiver (or KohakuRiver) Runner, played by the tests with the Runner's own rule and not the
 * dashboard's code: before each task it lists `^<name>-(\d+)\.tar$` in the shared container dir,
 * newest first, compares the newest file's timestamp with the whole-second `Created` of its local
 * `<flavor>/<name>:base`, and `docker load`s the file when the image is missing or older. It runs
 * against an engine of its own (a second dockerd, see scripts/runner-engines.sh), so what it loads
 * is never confused with the Host's images.
 */
export type Flavor = "hakuriver" | "kohakuriver";

export class Runner {
  /** Every file this Runner loaded, in order. */
  readonly loads: string[] = [];
  /** Image IDs it loaded, per environment, so `forget` leaves no untagged image behind. */
  private readonly loadedIds = new Map<string, Set<string>>();
  readonly engine: Docker;

  constructor(
    readonly options: { engineHost: string; containerDir: string; flavor?: Flavor },
  ) {
    this.engine = new Docker({ socketPath: options.engineHost.replace(/^unix:\/\//, "") });
  }

  get flavor(): Flavor {
    return this.options.flavor ?? "hakuriver";
  }

  imageTag(env: string): string {
    return `${this.flavor}/${env.toLowerCase()}:base`;
  }

  /** The Runner's listing: newest first, by the timestamp in the file name. */
  tarballs(env: string): { file: string; timestamp: number }[] {
    const name = env.toLowerCase().replace(/[.]/g, "\\.");
    const pattern = new RegExp(`^${name}-(\\d+)\\.tar$`);
    return fs
      .readdirSync(this.options.containerDir)
      .flatMap((file) => {
        const m = pattern.exec(file);
        return m ? [{ file, timestamp: Number(m[1]) }] : [];
      })
      .sort((a, b) => b.timestamp - a.timestamp);
  }

  /** The local image's creation time in whole seconds, as the Runner reads it; undefined if missing. */
  async localCreated(env: string): Promise<number | undefined> {
    try {
      const info = await this.engine.getImage(this.imageTag(env)).inspect();
      return Math.floor(Date.parse(info.Created) / 1000);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }

  /** The Runner's `needs_sync`: the file to load, or undefined when the local image is current. */
  async needsSync(env: string): Promise<string | undefined> {
    const newest = this.tarballs(env)[0];
    if (!newest) return undefined;
    const local = await this.localCreated(env);
    if (local === undefined || newest.timestamp > local) return newest.file;
    return undefined;
  }

  /** `docker load` of one file from the shared dir. */
  async load(file: string): Promise<void> {
    const stream = await this.engine.loadImage(path.join(this.options.containerDir, file), { quiet: true });
    await new Promise<void>((resolve, reject) =>
      this.engine.modem.followProgress(stream, (err: unknown, events: { error?: string }[]) => {
        const failed = err ?? events?.find((e) => e.error)?.error;
        if (failed) reject(failed instanceof Error ? failed : new Error(String(failed)));
        else resolve();
      }),
    );
    this.loads.push(file);
  }

  /** What a Runner does before each task: sync if needed. Returns the file loaded, if any. */
  async prepare(env: string): Promise<string | undefined> {
    const file = await this.needsSync(env);
    if (file) {
      await this.load(file);
      const { Id } = await this.engine.getImage(this.imageTag(env)).inspect();
      this.loadedIds.set(env, (this.loadedIds.get(env) ?? new Set()).add(Id));
    }
    return file;
  }

  /** Runs one task in the environment (after `prepare`), without network, and returns its output. */
  async runTask(env: string, cmd: string[]): Promise<string> {
    await this.prepare(env);
    return runOnce(this.imageTag(env), cmd, { engine: this.engine, network: "none" });
  }

  /** Removes this Runner's copy of an environment's image (and any task leftovers). */
  async forget(env: string): Promise<void> {
    for (const ref of [this.imageTag(env), ...(this.loadedIds.get(env) ?? [])]) {
      await this.engine
        .getImage(ref)
        .remove({ force: true })
        .catch((err: { statusCode?: number }) => {
          if (err.statusCode !== 404) throw err;
        });
    }
    this.loadedIds.delete(env);
  }
}

/** The Runner engine scripts/test-env.sh started (HAKURIVER_TEST_RUNNER1). */
export function runnerEngineHost(): string {
  const host = process.env.HAKURIVER_TEST_RUNNER1;
  if (!host) throw new Error("HAKURIVER_TEST_RUNNER1 is not set: run the tests through `npm test` (scripts/test-env.sh starts the Runner engine)");
  return host;
}
