import "server-only";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { getConfig, type Config } from "@/lib/config";

export const TOKEN_FILE = "auth-token";

export interface AuthToken {
  token: string;
  /** Where it came from: HAKURIVER_AUTH_TOKEN, or the file in the data dir. */
  source: "env" | "file";
  file?: string;
  /** True when this call generated it (first start). */
  created: boolean;
}

/**
 * The dashboard's one access token: HAKURIVER_AUTH_TOKEN when set, else the token kept in
 * `<data dir>/auth-token` (mode 0600), generated on first use. Several processes may race to
 * create it; the exclusive create makes them all end up with the same token.
 */
export function ensureAuthToken(config: Config = getConfig()): AuthToken {
  if (config.authToken) return { token: config.authToken, source: "env", created: false };
  const file = path.join(/*turbopackIgnore: true*/ config.dataDir, TOKEN_FILE);
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const fresh = randomBytes(24).toString("base64url");
  try {
    fs.writeFileSync(file, `${fresh}\n`, { flag: "wx", mode: 0o600 });
    return { token: fresh, source: "file", file, created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const stat = fs.statSync(file);
  if ((stat.mode & 0o077) !== 0) {
    // A token anyone on the machine can read is no secret: tighten it rather than refuse to start.
    fs.chmodSync(file, 0o600);
    console.warn(`[hakuriver] ${file} was readable by other users; its mode is now 0600.`);
  }
  const token = fs.readFileSync(file, "utf8").trim();
  if (token.length < 16) {
    throw new Error(`${file} holds no usable token (under 16 characters); delete it to generate a new one.`);
  }
  return { token, source: "file", file, created: false };
}

let cached: string | undefined;

/** The token, read once per process. */
export function authToken(): string {
  cached ??= ensureAuthToken().token;
  return cached;
}
