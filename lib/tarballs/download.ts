import "server-only";
import { constants, type Stats } from "node:fs";
import fs from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { authorise, callerRequest } from "@/lib/auth/authorise";
import { permit } from "@/lib/auth/permit";
import { authToken } from "@/lib/auth/token";
import { AppError, errorBody, toAppError } from "@/lib/shared/errors";
import { versionFile } from "./store";
import { verificationOf } from "./verifications";

const CHUNK = 1024 * 1024;

/** A single `bytes=a-b` / `bytes=a-` / `bytes=-n` range of a `size`-byte file; "unsatisfiable", or undefined to send it all. */
export function parseRange(header: string | null, size: number): { start: number; end: number } | "unsatisfiable" | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges or another unit: answer with the whole file, as RFC 9110 allows.
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}

/** The request headers a download reads (a Request's `Headers`, or one made from a Node request). */
export interface RequestHeaders {
  get(name: string): string | null;
}

/**
 * A strong validator of one file's bytes: a version is replaced by renaming a new file over it (a
 * new inode) and never rewritten in place, so inode, size and mtime (in microseconds) change
 * whenever the bytes do.
 */
export function fileETag(st: Stats): string {
  return `"${st.ino.toString(16)}-${st.size.toString(16)}-${Math.round(st.mtimeMs * 1000).toString(16)}"`;
}

/** The entity-tags of an If-None-Match list, without their weakness prefix (it compares weakly). */
function listedTags(header: string): string[] {
  return [...header.matchAll(/(?:W\/)?("[^"]*")/g)].map((m) => m[1]);
}

/** The file's Last-Modified as a date compares: whole seconds. */
function lastModifiedSecond(st: Stats): number {
  return Math.floor(st.mtimeMs / 1000) * 1000;
}

/**
 * RFC 9110 13.2.2 for GET/HEAD: If-None-Match first (a `*` or a listed tag matches), else
 * If-Modified-Since (a valid date at or after Last-Modified); true to answer 304.
 */
export function notModified(headers: RequestHeaders, etag: string, st: Stats): boolean {
  const noneMatch = headers.get("if-none-match");
  if (noneMatch !== null) return noneMatch.trim() === "*" || listedTags(noneMatch).includes(etag);
  const since = Date.parse(headers.get("if-modified-since") ?? "");
  return !Number.isNaN(since) && lastModifiedSecond(st) <= since;
}

/**
 * RFC 9110 13.1.5: a Range applies only if If-Range (when sent) names this very file — its ETag
 * compared strongly (a weak tag never matches), or exactly its Last-Modified date when that date
 * stands for one version (the file is at least a second older than now; two writes within one
 * second share a date). Otherwise the whole file is sent, never a range of another one.
 */
export function rangeApplies(headers: RequestHeaders, etag: string, st: Stats, now = Date.now()): boolean {
  const ifRange = headers.get("if-range")?.trim();
  if (!ifRange) return true;
  if (ifRange.startsWith('"') || ifRange.startsWith("W/")) return ifRange === etag;
  return Date.parse(ifRange) === lastModifiedSecond(st) && now - st.mtimeMs >= 1000;
}

/** The file's bytes `start..end` by positional reads as the client takes them; `close` when done. */
function fileBody(handle: fs.FileHandle, file: string, start: number, end: number, close: () => void): ReadableStream<Uint8Array> {
  let pos = start;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const want = Math.min(CHUNK, end + 1 - pos);
        if (want <= 0) {
          close();
          controller.close();
          return;
        }
        const buf = Buffer.allocUnsafe(want);
        const { bytesRead } = await handle.read(buf, 0, want, pos);
        if (bytesRead === 0) throw new Error(`${file} became shorter while it was sent.`);
        pos += bytesRead;
        controller.enqueue(new Uint8Array(buf.buffer, buf.byteOffset, bytesRead));
      } catch (err) {
        close();
        controller.error(err);
      }
    },
    cancel: close,
  });
}

/** The headers every answer about this file carries (200, 206, 304, 416). */
function fileHeaders(file: string, st: Stats, etag: string): Headers {
  const headers = new Headers({
    "Content-Type": "application/x-tar",
    "Content-Disposition": `attachment; filename="${file}"`,
    "Accept-Ranges": "bytes",
    // no-transform: a compressing proxy (or Next's own compression) must not change the bytes or the length.
    "Cache-Control": "no-store, no-transform",
    ETag: etag,
    "Last-Modified": st.mtime.toUTCString(),
  });
  const verified = verificationOf(file, st);
  if (verified?.sha256) {
    headers.set("X-Checksum-Sha256", verified.sha256);
    headers.set("Repr-Digest", `sha-256=:${Buffer.from(verified.sha256, "hex").toString("base64")}:`);
  }
  return headers;
}

/**
 * `GET /api/tarballs/<file>/download`: the version as an attachment, streamed from disk with
 * positional reads as the client takes them (memory stays flat), with Content-Length, one Range
 * (206 / 416, so an interrupted download resumes) guarded by If-Range (a resume after the file
 * changed gets the whole new file), ETag / Last-Modified with If-None-Match / If-Modified-Since
 * (304) and, once a Verify has read this exact file, its sha256 (`Repr-Digest`, and
 * `X-Checksum-Sha256` in hex).
 */
export async function downloadResponse(file: string, request: RequestHeaders = new Headers(), method = "GET"): Promise<Response> {
  const { path: target, stat } = await versionFile(file);
  const handle = await fs.open(target, constants.O_RDONLY | constants.O_NOFOLLOW);
  let open = true;
  const close = () => {
    if (open) void handle.close().catch(() => {});
    open = false;
  };
  try {
    // Validators come from the open file itself: what is sent is what they name.
    const st = await handle.stat();
    if (!st.isFile() || st.ino !== stat.ino) throw new AppError("conflict:tarball", `${file} changed while it was opened; try again.`);
    const size = st.size;
    const etag = fileETag(st);
    const headers = fileHeaders(file, st, etag);
    if (notModified(request, etag, st)) {
      close();
      return new Response(null, { status: 304, headers });
    }
    const r = rangeApplies(request, etag, st) ? parseRange(request.get("range"), size) : undefined;
    if (r === "unsatisfiable") {
      close();
      headers.set("Content-Range", `bytes */${size}`);
      headers.set("Content-Length", "0");
      return new Response(null, { status: 416, headers });
    }
    const start = r?.start ?? 0;
    const end = r?.end ?? size - 1;
    headers.set("Content-Length", String(Math.max(0, end - start + 1)));
    if (r) headers.set("Content-Range", `bytes ${start}-${end}/${size}`);
    if (method === "HEAD") close();
    return new Response(method === "HEAD" ? null : fileBody(handle, file, start, end, close), { status: r ? 206 : 200, headers });
  } catch (err) {
    close();
    throw err;
  }
}

const DOWNLOAD_PATH = /^\/api\/tarballs\/([^/?#]+)\/download(?:\?.*)?$/;

/** Whether a Node request is a version download (`GET|HEAD /api/tarballs/<file>/download`). */
export function isDownloadRequest(req: IncomingMessage): boolean {
  return (req.method === "GET" || req.method === "HEAD") && DOWNLOAD_PATH.test(req.url ?? "");
}

/**
 * Serves `GET|HEAD /api/tarballs/<file>/download` from the custom server, before Next: Next's
 * route handlers drop `Content-Length` from every response (send-response.js), and a download
 * without it shows no size and no time left in a browser. The same authorisation as a route handler
 * (the door has already checked it too), the same Response as the route; true when it answered.
 */
export async function serveDownload(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const m = DOWNLOAD_PATH.exec(req.url ?? "");
  if (!m || !isDownloadRequest(req)) return false;
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  let response: Response;
  try {
    const who = authorise(authToken(), callerRequest(new Request("http://local/", { method: req.method, headers })));
    if (!who.ok) throw who.status === 401 ? new AppError("unauthorized:auth", "Log in first.") : new AppError("forbidden:origin", "Cross-origin request refused.");
    const denied = permit(who, "operator", "tarball.download", m[1], "Downloading a tarball");
    if (denied) throw new AppError(denied.code, denied.error);
    let file: string;
    try {
      file = decodeURIComponent(m[1]);
    } catch {
      throw new AppError("bad_request:tarball", "Not a tarball file name (expected <name>-<timestamp>.tar).");
    }
    response = await downloadResponse(file, headers, req.method);
  } catch (err) {
    const e = toAppError(err);
    response = Response.json(errorBody(e), { status: e.status, headers: { "Cache-Control": "no-store" } });
  }
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (!response.body) {
    res.end();
    return true;
  }
  const body = Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>);
  // A client that goes away ends the read (and closes the file).
  res.on("close", () => body.destroy());
  body.on("error", () => res.destroy());
  body.pipe(res);
  return true;
}
