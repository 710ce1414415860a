import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

/**
 * Every repository path the README and docs/ name in backticks exists: a reader who opens one finds
 * it (two named files had been gone for a while before this test).
 */
const ROOTS = ["app/", "bench/", "components/", "deploy/", "docs/", "e2e/", "lib/", "public/", "scripts/", "tests/", ".ci/"];

function docs(): string[] {
  const pages = fs.existsSync("docs") ? fs.readdirSync("docs").filter((f) => f.endsWith(".md")).map((f) => path.join("docs", f)) : [];
  return ["README.md", ...pages];
}

/** Backticked paths under the repository's top folders, without placeholders (a bare `x.ts` is named relative to a folder just said). */
function namedPaths(text: string): string[] {
  const found = new Set<string>();
  for (const [, raw] of text.matchAll(/`([^`\s]+)`/g)) {
    const p = raw.replace(/[.,;:)]+$/, "").replace(/:\d+(-\d+)?$/, "");
    if (/[<>*{}$]|\.\.\./.test(p)) continue;
    if (ROOTS.some((r) => p.startsWith(r))) found.add(p);
  }
  return [...found];
}

describe("the docs name real paths", () => {
  it("every path named in README.md and docs/*.md exists", () => {
    const missing = docs().flatMap((doc) => namedPaths(fs.readFileSync(doc, "utf8")).filter((p) => !fs.existsSync(p)).map((p) => `${doc}: ${p}`));
    assert.deepEqual(missing, []);
  });

  it("would see a missing one", () => {
    assert.deepEqual(namedPaths("see `lib/nowhere.ts`, `<data dir>/x.json` and `lib/config.ts`."), ["lib/nowhere.ts", "lib/config.ts"]);
  });
});
