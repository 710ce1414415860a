import "server-only";
import { constants } from "node:fs";
import fs from "node:fs/promises";

/**
 * Reads what a `docker save` archive says about its image without reading the layers: tar headers
 * are visited with positional reads, skipping every file body, until `manifest.json` and the image
 * config it names are found. Version files are opened without following symlinks.
 */
const BLOCK = 512;
const MAX_ENTRIES = 100_000;
const MAX_JSON = 4 * 1024 * 1024;

interface Entry {
  name: string;
  offset: number;
  size: number;
}

function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? raw.length : end).toString("utf8");
}

/** The archive's regular files: name, body offset and size. Stops at the end marker or a malformed header. */
async function* entries(handle: fs.FileHandle, fileSize: number): AsyncGenerator<Entry> {
  const header = Buffer.alloc(BLOCK);
  let pos = 0;
  let longName: string | undefined;
  for (let n = 0; n < MAX_ENTRIES && pos + BLOCK <= fileSize; n++) {
    const { bytesRead } = await handle.read(header, 0, BLOCK, pos);
    if (bytesRead < BLOCK || header.every((b) => b === 0)) return;
    const size = parseInt(field(header, 124, 12).trim() || "0", 8);
    if (!Number.isFinite(size) || size < 0) return;
    const type = String.fromCharCode(header[156] || 48);
    const prefix = field(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = undefined;
    const body = pos + BLOCK;
    if (type === "L" && size < 64 * 1024) {
      // GNU long name: the next entry's name is this entry's body.
      const buf = Buffer.alloc(size);
      await handle.read(buf, 0, size, body);
      longName = buf.toString("utf8").replace(/\0+$/, "");
    } else if (type === "0" || type === "\0") {
      yield { name: name.replace(/^\.\//, ""), offset: body, size };
    }
    pos = body + Math.ceil(size / BLOCK) * BLOCK;
  }
}

async function readJson(handle: fs.FileHandle, entry: Entry): Promise<unknown> {
  if (entry.size > MAX_JSON) throw new Error(`${entry.name} is too large`);
  const buf = Buffer.alloc(entry.size);
  await handle.read(buf, 0, entry.size, entry.offset);
  return JSON.parse(buf.toString("utf8"));
}

/** The image config's `created` time (ISO) of a `docker save` archive; undefined when it cannot be read. */
export async function readImageCreated(file: string): Promise<string | undefined> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    const { size } = await handle.stat();
    const index = new Map<string, Entry>();
    for await (const e of entries(handle, size)) index.set(e.name, e);
    const manifestEntry = index.get("manifest.json");
    if (!manifestEntry) return undefined;
    const manifest = (await readJson(handle, manifestEntry)) as { Config?: string }[];
    const configEntry = manifest?.[0]?.Config ? index.get(manifest[0].Config) : undefined;
    if (!configEntry) return undefined;
    const created = ((await readJson(handle, configEntry)) as { created?: unknown }).created;
    return typeof created === "string" && !Number.isNaN(Date.parse(created)) ? created : undefined;
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}
