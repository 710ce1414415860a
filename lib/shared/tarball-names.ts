/**
 * HakuRiver's tarball naming, shared with Runners and the Python host: `<name>-<unix seconds>.tar`
 * directly in the container dir. Pure, so it is unit-tested and usable anywhere.
 */
export const TARBALL_PATTERN = /^([a-zA-Z0-9._-]+)-(\d+)\.tar$/;

/** Our temporary files: hidden, and never matching TARBALL_PATTERN (they do not end in .tar). */
export const TEMP_PREFIX = ".hakuriver-";
export const TEMP_SUFFIX = ".tar.partial";

export interface TarballName {
  env: string;
  timestamp: number;
}

/** Splits a file name by the Runners' rule; undefined for anything else (other files are ignored). */
export function parseTarballName(file: string): TarballName | undefined {
  if (file.length > 255) return undefined;
  const m = TARBALL_PATTERN.exec(file);
  if (!m) return undefined;
  const timestamp = Number(m[2]);
  if (!Number.isSafeInteger(timestamp)) return undefined;
  return { env: m[1], timestamp };
}

export function tarballFileName(env: string, timestamp: number): string {
  return `${env}-${timestamp}.tar`;
}

export function isTempFile(file: string): boolean {
  return file.startsWith(TEMP_PREFIX) && file.endsWith(TEMP_SUFFIX);
}

/**
 * The timestamp for a new version: now, but always after the newest existing one, so two tars in
 * the same second never share (or overwrite) a name and the newest name holds the newest content.
 */
export function nextTimestamp(nowSeconds: number, existing: number[]): number {
  return Math.max(nowSeconds, ...existing.map((t) => t + 1));
}

/** How long Create Tar waits for the clock to pass an existing version's second, at most. */
export const MAX_TIMESTAMP_WAIT_MS = 10_000;

/**
 * The Runners' sync rule: load the newest file when its timestamp is later than the local image's
 * `Created` (whole seconds). So a version's timestamp must be taken BEFORE the commit that sets
 * `Created` (as the Python host does): a timestamp taken after it — at publish time, say — is
 * later than the content, and every Runner would load the same file again before every task.
 * And it must be later than every existing version, or Runners holding the previous one would
 * never load it. When that second is not yet here (two tars in one second, or a version written by
 * a host whose clock runs ahead), Create Tar waits for it before committing: `waitMs`.
 */
export function planTimestamp(nowMs: number, existing: number[]): { timestamp: number; waitMs: number } {
  const timestamp = nextTimestamp(Math.floor(nowMs / 1000), existing);
  return { timestamp, waitMs: Math.max(0, timestamp * 1000 - nowMs) };
}

/**
 * Checks the planned timestamp against the committed image's `Created` second. They agree when the
 * engine and this process share a clock; an engine whose clock is behind (a remote DOCKER_HOST)
 * gives an earlier `Created`, and then that second is used — if it is still after every existing
 * version. Never a timestamp later than the content: undefined when no second fits.
 */
export function timestampForImage(planned: number, createdSeconds: number, existing: number[]): number | undefined {
  const stamp = Math.min(planned, createdSeconds);
  return existing.every((t) => t < stamp) ? stamp : undefined;
}

/** Whole seconds of a Docker `Created` time (what a Runner compares). */
export function createdSeconds(created: string): number {
  return Math.floor(Date.parse(created) / 1000);
}

/**
 * A version's timestamp as an ISO date, or undefined when no date can hold it (anyone who can
 * write to shared storage can name a file `x-9000000000000.tar`): such a version is still listed,
 * marked, and can be deleted.
 */
export function timestampIso(timestamp: number): string | undefined {
  const date = new Date(timestamp * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

const RESTORED = "-restored";
/**
 * The name New container from this version suggests: `<env>-restored`, the environment's part cut
 * (and any separator it then ends with) so that the whole stays within Docker's 63 characters.
 */
export const restoredName = (env: string): string => `${env.slice(0, 63 - RESTORED.length).replace(/[-_.]+$/, "")}${RESTORED}`;
