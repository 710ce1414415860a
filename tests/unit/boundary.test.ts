import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

/**
 * The client/server boundary, checked on the sources: `lib/shared/` is safe on both sides and
 * imports nothing outside itself; everything else in `lib/` is `server-only`; client components
 * import from `lib/` only what is shared.
 */
const root = path.resolve(import.meta.dirname, "../..");
const files = (dir: string): string[] =>
  fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    return e.isDirectory() ? files(rel) : /\.(ts|tsx)$/.test(e.name) ? [rel] : [];
  });
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");
const imports = (source: string) => [...source.matchAll(/^\s*import[^"']*["']([^"']+)["']/gm)].map((m) => m[1]);

describe("client/server boundary", () => {
  it("lib/shared imports nothing outside itself", () => {
    for (const file of files("lib/shared")) {
      for (const spec of imports(read(file))) {
        assert.ok(spec.startsWith("./"), `${file} imports ${spec}`);
      }
    }
  });

  it("every other lib module is server-only", () => {
    for (const file of files("lib").filter((f) => !f.startsWith(`lib${path.sep}shared`))) {
      assert.match(read(file), /^import "server-only";/m, `${file} lacks import "server-only"`);
    }
  });

  it("client components import only lib/shared from lib (server actions come from their own 'use server' modules)", () => {
    for (const file of files("components")) {
      const source = read(file);
      if (!/^["']use client["'];/m.test(source)) continue;
      for (const spec of imports(source).filter((s) => s.startsWith("@/lib/"))) {
        assert.ok(spec.startsWith("@/lib/shared/"), `${file} (a client component) imports ${spec}`);
      }
    }
  });
});
