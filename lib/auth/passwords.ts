import "server-only";
import { MIN_PASSWORD_LENGTH as MIN_PASSWORD } from "@/lib/shared/roles";
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/**
 * Password hashes with Node's scrypt: a random salt and the parameters are stored beside the hash,
 * so they can be raised later without breaking old hashes. Never the password itself.
 */
export interface PasswordHash {
  algorithm: "scrypt";
  salt: string;
  N: number;
  r: number;
  p: number;
  keylen: number;
  hash: string;
}

const PARAMS = { N: 16384, r: 8, p: 1, keylen: 32 };
export const MAX_PASSWORD = 512;

function derive(password: string, salt: Buffer, p: { N: number; r: number; p: number; keylen: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: p.N, r: p.r, p: p.p, maxmem: 128 * p.N * p.r * 2 + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password.normalize("NFC"), salt, p.keylen, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/** A problem with a new password, or undefined when it will do. */
export function passwordProblem(password: unknown): string | undefined {
  if (typeof password !== "string") return "Enter a password.";
  if (password.length < MIN_PASSWORD) return `A password needs at least ${MIN_PASSWORD} characters.`;
  if (password.length > MAX_PASSWORD) return `A password has at most ${MAX_PASSWORD} characters.`;
}

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return { algorithm: "scrypt", salt: salt.toString("base64"), ...PARAMS, hash: key.toString("base64") };
}

/** Constant-time check of a password against its stored hash. */
export async function verifyPassword(password: string, stored: PasswordHash | undefined): Promise<boolean> {
  if (typeof password !== "string" || password.length === 0 || password.length > MAX_PASSWORD) return false;
  // Without a stored hash, still spend the same time: whether a name exists is not to be measured.
  const p = stored ?? { ...PARAMS, salt: "AAAAAAAAAAAAAAAAAAAAAA==", hash: "" };
  const expected = Buffer.from(p.hash, "base64");
  const key = await derive(password, Buffer.from(p.salt, "base64"), p);
  return stored !== undefined && expected.length === key.length && timingSafeEqual(key, expected);
}

/** Random secrets (tokens, set-password links) are stored only as this hash. */
export function secretHash(secret: string): string {
  return createHash("sha256").update(secret).digest("base64url");
}

export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString("base64url")}`;
}
