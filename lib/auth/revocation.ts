import "server-only";
import { processWide } from "@/lib/runtime";
import fs from "node:fs";
import path from "node:path";
import { getConfig } from "@/lib/config";
import { writeFileAtomic } from "./atomic-file";
import type { SessionInfo } from "./session";

/** What was revoked: one session (logout) or, with `everywhere`, every session issued so far. */
export type Revocation = { nonce: string; generation: number } | { everywhere: true; generation: number };

const FILE = "sessions.json";
/** Past this many revoked sessions at once, "log out everywhere" replaces them (bounded file). */
const MAX_REVOKED = 10_000;

interface Stored {
  generation: number;
  /** nonce → expiry (unix seconds); kept only until the cookie would have expired anyway. */
  revoked: Record<string, number>;
}

/**
 * Server-side state for stateless session cookies: sessions ended by logout (by nonce, until they
 * expire) and a generation that "log out everywhere" raises above every cookie issued before.
 * Kept in `<data dir>/sessions.json` (mode 0600, replaced atomically) so a restart keeps it.
 */
export class SessionRevocations {
  private generationValue = 0;
  private readonly revoked = new Map<string, number>();
  private readonly listeners = new Set<(r: Revocation) => void>();

  /** Without a file, in memory only (unit tests). */
  constructor(private readonly file?: string) {
    if (!file) return;
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw err;
    }
    try {
      const stored = JSON.parse(text) as Stored;
      if (!Number.isSafeInteger(stored.generation) || typeof stored.revoked !== "object" || stored.revoked === null) throw new Error("bad shape");
      this.generationValue = stored.generation;
      for (const [nonce, expires] of Object.entries(stored.revoked)) if (Number.isSafeInteger(expires)) this.revoked.set(nonce, expires);
    } catch {
      // Fail closed: without the list we cannot tell which cookies were revoked, so none survive.
      console.warn(`[hakuriver] ${file} is unreadable; every session has been ended.`);
      this.generationValue = Date.now() + 1;
      this.save();
    }
  }

  /** The generation new sessions are issued with. */
  get generation(): number {
    return this.generationValue;
  }

  isRevoked(session: SessionInfo): boolean {
    return session.generation < this.generationValue || this.revoked.has(session.nonce);
  }

  /** Ends one session (logout). */
  revoke(session: SessionInfo): void {
    this.prune();
    if (this.revoked.size >= MAX_REVOKED) return this.revokeAll();
    this.revoked.set(session.nonce, session.expires);
    this.save();
    this.emit({ nonce: session.nonce, generation: session.generation });
  }

  /** Ends every session issued so far ("log out everywhere"). The bearer token is not a session. */
  revokeAll(): void {
    // Never below the clock (ms): a store rebuilt after a loss then outranks every older cookie.
    this.generationValue = Math.max(this.generationValue + 1, Date.now());
    this.revoked.clear();
    this.save();
    this.emit({ everywhere: true, generation: this.generationValue });
  }

  /** Called after each revocation (open sockets of the session are closed this way). */
  onRevoke(listener: (r: Revocation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(r: Revocation): void {
    for (const listener of this.listeners) {
      try {
        listener(r);
      } catch (err) {
        console.error("[hakuriver] revocation listener failed:", err);
      }
    }
  }

  private prune(now = Date.now()): void {
    for (const [nonce, expires] of this.revoked) if (expires * 1000 <= now) this.revoked.delete(nonce);
  }

  private save(): void {
    if (!this.file) return;
    const stored: Stored = { generation: this.generationValue, revoked: Object.fromEntries(this.revoked) };
    // Durable before it replaces the old list: a logout must not be undone by a power cut.
    writeFileAtomic(this.file, JSON.stringify(stored));
  }
}

/**
 * The process's one store (lib/runtime.ts): server.ts's bundle and Next's bundles must see the same
 * revocations (a logout handled by a route ends the session for the socket layer too).
 */
export function sessionRevocations(): SessionRevocations {
  return processWide("sessionRevocations", () => new SessionRevocations(path.join(/*turbopackIgnore: true*/ getConfig().dataDir, FILE)));
}
