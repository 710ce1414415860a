import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";

/**
 * Small rooms: no function of the product is longer than 80 lines (issue 22 began it with the
 * shell's code). A long function is where the last shell regression hid; this keeps the next one
 * from growing back anywhere.
 */
const LIMIT = 80;
const ROOTS = ["app", "components", "lib"];

/** Every .ts/.tsx file under the product's roots, and server.ts. */
function productFiles(): string[] {
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : []));
  return [...ROOTS.flatMap(walk), "server.ts"];
}

/** Every function, method, arrow and accessor in `file` longer than LIMIT lines. */
function longFunctions(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      if (end - start + 1 > LIMIT) {
        const name = (node as ts.FunctionLikeDeclaration).name?.getText() ?? "(anonymous)";
        found.push(`${file}:${start + 1} ${name}: ${end - start + 1} lines`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe("the product's code in small rooms", () => {
  it(`has no function longer than ${LIMIT} lines in ${ROOTS.join(", ")} or server.ts`, () => {
    const files = productFiles();
    assert.ok(files.length >= 100, `found the files (${files.length})`);
    assert.deepEqual(files.flatMap(longFunctions), []);
  });

  it("would see a long one", () => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", "fn-length-"));
    const file = path.join(dir, "long.ts");
    fs.writeFileSync(file, `export function long() {\n${"  void 0;\n".repeat(LIMIT)}}\n`);
    assert.equal(longFunctions(file).length, 1);
    fs.rmSync(dir, { recursive: true });
  });
});
