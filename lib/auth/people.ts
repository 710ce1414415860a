import "server-only";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { getConfig } from "@/lib/config";
import { processWide } from "@/lib/runtime";
import { AppError } from "@/lib/shared/errors";
import { isRole, type Role } from "@/lib/shared/roles";
import { writeFileAtomic } from "./atomic-file";
import { newSecret, secretHash, type PasswordHash } from "./passwords";

/**
 * Local accounts, personal API tokens and one-time set-password links, in one JSON file
 * (`<data dir>/people.json`, mode 0600, replaced atomically). Secrets are kept only as hashes:
 * passwords as scrypt hashes (./passwords.ts), tokens and links as SHA-256 of 192 random bits.
 * The file is read again whenever it changes on disk, so `npm run users` works beside a running
 * server; every change calls the listeners (open sockets are checked again).
 */
export interface Person {
  name: string;
  role: Role;
  password?: PasswordHash;
  created: string;
  /** Sessions issued before this (ms) are ended ("End sessions", a removal, a new password). */
  sessionsNotBefore?: number;
  /** A person single sign-on made (lib/auth/oidc.ts): their provider and its subject. */
  sso?: { issuer: string; subject: string };
}

export interface ApiToken {
  id: string;
  name: string;
  /** The person who made it (`owner` for the owner token). */
  person: string;
  role: Role;
  hash: string;
  created: string;
  expires?: string;
  lastUsed?: string;
}

interface Invite {
  hash: string;
  name: string;
  expires: number;
}

interface Stored {
  people: Person[];
  tokens: ApiToken[];
  invites: Invite[];
}

export const PERSON_NAME = /^[a-z][a-z0-9._-]{0,31}$/;
const RESERVED = new Set(["owner", "server", "anonymous", "bearer"]);
export const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,47}$/;
export const LINK_HOURS = 24;
const LAST_USED_EVERY_MS = 60_000;

export function personNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string" || !PERSON_NAME.test(name)) return "A name is 1–32 characters: a lowercase letter first, then lowercase letters, digits, '.', '_' or '-'.";
  if (RESERVED.has(name)) return `"${name}" is reserved; choose another name.`;
}

export class PeopleStore {
  private data: Stored = { people: [], tokens: [], invites: [] };
  private stamp = "";
  private readonly listeners = new Set<() => void>();

  constructor(private readonly file: string) {}

  /** The data as on disk now (read again when the file changed). */
  private current(): Stored {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    const stamp = stat ? `${stat.mtimeMs}:${stat.size}:${stat.ino}` : "";
    if (stamp === this.stamp) return this.data;
    const before = this.stamp;
    this.stamp = stamp;
    this.data = stat ? parse(fs.readFileSync(this.file, "utf8"), this.file) : { people: [], tokens: [], invites: [] };
    if (before !== "") this.emit();
    return this.data;
  }

  private save(change: (d: Stored) => void): void {
    const d = structuredClone(this.current());
    change(d);
    const now = Date.now();
    d.invites = d.invites.filter((i) => i.expires > now);
    writeFileAtomic(this.file, `${JSON.stringify(d, null, 1)}\n`);
    this.data = d;
    const stat = fs.statSync(this.file);
    this.stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    this.emit();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private emit(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch (err) {
        console.error("[hakuriver] people listener failed:", err);
      }
    }
  }

  person(name: string): Person | undefined {
    return this.current().people.find((p) => p.name === name);
  }

  people(): Person[] {
    return this.current().people;
  }

  /** Adds a person without a password; answers the secret of their set-password link. */
  add(name: string, role: Role): string {
    const problem = personNameProblem(name);
    if (problem) throw new AppError("bad_request:person", problem);
    if (!isRole(role)) throw new AppError("bad_request:role", "A role is viewer, operator or admin.");
    if (this.person(name)) throw new AppError("conflict:person", `${name} already exists.`);
    const secret = newSecret("hrset");
    this.save((d) => {
      d.people.push({ name, role, created: new Date().toISOString() });
      d.invites.push({ hash: secretHash(secret), name, expires: Date.now() + LINK_HOURS * 3600_000 });
    });
    return secret;
  }

  /** A new set-password link for an existing person (a forgotten password); the old links stop working. */
  resetLink(name: string): string {
    if (this.must(name).sso) throw new AppError("conflict:person", `${name} signs in with single sign-on: there is no password to set.`);
    const secret = newSecret("hrset");
    this.save((d) => {
      d.invites = d.invites.filter((i) => i.name !== name);
      d.invites.push({ hash: secretHash(secret), name, expires: Date.now() + LINK_HOURS * 3600_000 });
    });
    return secret;
  }

  private must(name: string): Person {
    const p = this.person(name);
    if (!p) throw new AppError("not_found:person", `No person named ${name}.`);
    return p;
  }

  setRole(name: string, role: Role): void {
    if (!isRole(role)) throw new AppError("bad_request:role", "A role is viewer, operator or admin.");
    this.must(name);
    this.save((d) => {
      const p = d.people.find((x) => x.name === name)!;
      p.role = role;
    });
  }

  /** Removes a person with their tokens and links; their sessions end with them. */
  remove(name: string): void {
    this.must(name);
    this.save((d) => {
      d.people = d.people.filter((p) => p.name !== name);
      d.tokens = d.tokens.filter((t) => t.person !== name);
      d.invites = d.invites.filter((i) => i.name !== name);
    });
  }

  /** Ends every session of a person (cookies issued before now stop working). */
  endSessions(name: string): void {
    this.must(name);
    this.save((d) => {
      d.people.find((p) => p.name === name)!.sessionsNotBefore = Date.now();
    });
  }

  /**
   * The person a provider signed in (single sign-on): made on their first sign-in, their role set
   * from the provider's claims on every one. A local account, or another subject's, of the same
   * name is never taken over: that sign-in is refused.
   */
  signedInByProvider(name: string, sso: { issuer: string; subject: string }, role: Role): Person {
    const problem = personNameProblem(name);
    if (problem) throw new AppError("conflict:person", `Single sign-on cannot use the name ${name}: ${problem} Ask an admin.`);
    const existing = this.person(name);
    if (existing && (existing.sso?.issuer !== sso.issuer || existing.sso.subject !== sso.subject)) {
      throw new AppError("conflict:person", `The name ${name} belongs to another account on this dashboard, so single sign-on cannot use it. Ask an admin.`);
    }
    if (existing?.role === role) return existing;
    this.save((d) => {
      const p = d.people.find((x) => x.name === name);
      if (p) p.role = role;
      else d.people.push({ name, role, created: new Date().toISOString(), sso });
    });
    return this.person(name)!;
  }

  /** Who a set-password link is for, while it is valid. */
  linkPerson(secret: unknown): string | undefined {
    if (typeof secret !== "string" || secret.length > 200) return undefined;
    const hash = secretHash(secret);
    return this.current().invites.find((i) => i.hash === hash && i.expires > Date.now())?.name;
  }

  /** Sets a password through a link (used once); the person's older sessions end. */
  usePasswordLink(secret: string, password: PasswordHash): string {
    const name = this.linkPerson(secret);
    if (!name || !this.person(name)) throw new AppError("not_found:link", "This set-password link is not valid (used already, expired, or replaced). Ask an admin for a new one.");
    this.save((d) => {
      d.invites = d.invites.filter((i) => i.name !== name);
      const p = d.people.find((x) => x.name === name)!;
      p.password = password;
      p.sessionsNotBefore = Date.now();
    });
    return name;
  }

  tokens(): ApiToken[] {
    return this.current().tokens;
  }

  addToken(t: Omit<ApiToken, "id" | "hash" | "created">): { token: ApiToken; secret: string } {
    const secret = newSecret("hrt");
    const token: ApiToken = { ...t, id: randomUUID(), hash: secretHash(secret), created: new Date().toISOString() };
    this.save((d) => void d.tokens.push(token));
    return { token, secret };
  }

  revokeToken(id: string): void {
    this.save((d) => {
      d.tokens = d.tokens.filter((t) => t.id !== id);
    });
  }

  /** The unexpired token a secret stands for; notes its use (at most once a minute on disk). */
  findToken(secret: string): ApiToken | undefined {
    if (!secret.startsWith("hrt_")) return undefined;
    const hash = secretHash(secret);
    const token = this.current().tokens.find((t) => t.hash === hash);
    if (!token || (token.expires && Date.parse(token.expires) <= Date.now())) return undefined;
    if (!token.lastUsed || Date.now() - Date.parse(token.lastUsed) > LAST_USED_EVERY_MS) {
      const now = new Date().toISOString();
      try {
        this.save((d) => {
          const t = d.tokens.find((x) => x.id === token.id);
          if (t) t.lastUsed = now;
        });
      } catch (err) {
        console.error("[hakuriver] could not note a token's last use:", err);
      }
    }
    return token;
  }
}

function parse(text: string, file: string): Stored {
  try {
    const d = JSON.parse(text) as Partial<Stored>;
    if (!Array.isArray(d.people) || !Array.isArray(d.tokens)) throw new Error("bad shape");
    return { people: d.people.filter((p) => typeof p?.name === "string" && isRole(p.role)), tokens: d.tokens.filter((t) => typeof t?.hash === "string" && isRole(t.role)), invites: Array.isArray(d.invites) ? d.invites : [] };
  } catch {
    // Fail closed: nobody but the owner gets in until the file is mended.
    console.error(`[hakuriver] ${file} is unreadable; only the owner token works until it is mended or removed.`);
    return { people: [], tokens: [], invites: [] };
  }
}

export const PEOPLE_FILE = "people.json";

/** The process's one store. */
export function peopleStore(dataDir = getConfig().dataDir): PeopleStore {
  return processWide("people", () => new PeopleStore(path.join(/*turbopackIgnore: true*/ dataDir, PEOPLE_FILE)));
}
