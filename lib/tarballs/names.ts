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

/** The image a Runner loads from an environment's tarball. */
export function baseImageTag(env: string): string {
  return `hakuriver/${env.toLowerCase()}:base`;
}

/**
 * The timestamp for a new version: now, but always after the newest existing one, so two tars in
 * the same second never share (or overwrite) a name and the newest name holds the newest content.
 */
export function nextTimestamp(nowSeconds: number, existing: number[]): number {
  return Math.max(nowSeconds, ...existing.map((t) => t + 1));
}
