import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

/**
 * Every repository path the README and docs/ name exists: in backticks (named from the repository's
 * root), and as a link or an image (relative to the page, as a reader's browser follows it). A reader
 * who opens one finds it (two named files had been gone for a while before this test).
 */
const ROOTS = ["app/", "bench/", "components/", "deploy/", "docs/", "e2e/", "e2e-deploy/", "lib/", "public/", "scripts/", "tests/", ".ci/"];
/** Files at the top of the repository that the docs name by themselves. */
const TOP_FILES = ["server.ts", "package.json", "compose.yaml", "Dockerfile", "next.config.mjs", "playwright.config.ts", "tsconfig.json", "README.md"];

/** README.md and every Markdown page under docs/, however deep. */
function docs(): string[] {
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      return e.isDirectory() ? walk(p) : e.name.endsWith(".md") ? [p] : [];
    });
  return ["README.md", ...(fs.existsSync("docs") ? walk("docs") : [])];
}

/** Backticked paths under the repository's top folders, without placeholders (a bare `x.ts` is named relative to a folder just said). */
function namedPaths(text: string): string[] {
  const found = new Set<string>();
  for (const [, raw] of text.matchAll(/`([^`\s]+)`/g)) {
    const p = raw.replace(/[.,;:)]+$/, "").replace(/:\d+(-\d+)?$/, "");
    if (/[<>*{}$]|\.\.\./.test(p)) continue;
    if (ROOTS.some((r) => p.startsWith(r)) || TOP_FILES.includes(p)) found.add(p);
  }
  return [...found];
}

/** Relative link and image targets (`[text](target)`, `src="target"`), without their #anchor; web links left out. */
function linkedPaths(text: string): string[] {
  const found = new Set<string>();
  const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g), ...text.matchAll(/\bsrc="([^"]+)"/g)].map((m) => m[1]);
  for (const target of targets) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("#")) continue;
    const p = target.split("#")[0];
    if (p) found.add(p);
  }
  return [...found];
}

/** The anchors GitHub gives a page's headings: lowercased, punctuation dropped, spaces as hyphens. */
function headingAnchors(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  return [...fs.readFileSync(file, "utf8").matchAll(/^#{1,6} (.+)$/gm)].map(([, title]) =>
    title
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, "")
      .replace(/ /g, "-"),
  );
}

describe("the docs name real paths", () => {
  it("covers the README and every page in docs/", () => {
    const pages = docs();
    assert.ok(pages.length > 1, "docs/ has pages");
    for (const f of fs.readdirSync("docs")) if (f.endsWith(".md")) assert.ok(pages.includes(path.join("docs", f)), f);
  });

  it("every path named in README.md and docs/ exists", () => {
    const missing = docs().flatMap((doc) => namedPaths(fs.readFileSync(doc, "utf8")).filter((p) => !fs.existsSync(p)).map((p) => `${doc}: ${p}`));
    assert.deepEqual(missing, []);
  });

  it("every page and image they link to exists", () => {
    const missing = docs().flatMap((doc) =>
      linkedPaths(fs.readFileSync(doc, "utf8"))
        .filter((p) => !fs.existsSync(path.join(path.dirname(doc), p)))
        .map((p) => `${doc}: ${p}`),
    );
    assert.deepEqual(missing, []);
  });

  it("every #anchor they link to is a heading of that page", () => {
    const missing = docs().flatMap((doc) =>
      [...fs.readFileSync(doc, "utf8").matchAll(/\]\(([^)\s#:]*)#([^)\s]+)\)/g)]
        .filter(([, page, anchor]) => !headingAnchors(page ? path.join(path.dirname(doc), page) : doc).includes(anchor))
        .map(([, page, anchor]) => `${doc}: ${page}#${anchor}`),
    );
    assert.deepEqual(missing, []);
  });

  it("would see a missing one", () => {
    assert.deepEqual(namedPaths("see `lib/nowhere.ts`, `<data dir>/x.json`, `server.ts` and `lib/config.ts`."), ["lib/nowhere.ts", "server.ts", "lib/config.ts"]);
    assert.ok(headingAnchors("docs/api.md").includes("api-for-automation"));
    assert.deepEqual(linkedPaths('[a](api.md#jobs), [b](https://x.org/y.md), [c](#here), <img src="screenshots/x.png">'), ["api.md", "screenshots/x.png"]);
  });
});
