import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ArchiveError, HeaderSequence, MAX_NAME, MemberTable, cleanMemberName, type ArchiveMember } from "@/lib/tarballs/archive";
import { BLOCK, fileHeader, parseHeader, type TarHeader } from "@/lib/tarballs/tar";

/** One PAX record: `<length> key=value\n`, the length counting itself. */
function pax(record: string): string {
  for (let n = record.length + 3; ; n++) if (`${n} ${record}\n`.length === n) return `${n} ${record}\n`;
}

const member = (name: string, kind: ArchiveMember["kind"] = "file", linkName?: string): ArchiveMember => ({ name, kind, offset: 0, size: 1, linkName });

describe("the archive reader reads names as docker load does", () => {
  it("cleans names the way Go's filepath.Clean does, from the archive root", () => {
    for (const raw of ["manifest.json", "./manifest.json", "././manifest.json", "x/../manifest.json", "/manifest.json", "manifest.json/", "a//b/../../manifest.json", "../manifest.json"]) {
      assert.equal(cleanMemberName(raw), "manifest.json", raw);
    }
    assert.equal(cleanMemberName("blobs/sha256/./abc"), "blobs/sha256/abc");
  });

  it("refuses a second member of a name (but lets a directory repeat), and says which", () => {
    const table = new MemberTable();
    table.add(member("abc", "dir"));
    table.add(member("abc", "dir"));
    table.add(member("manifest.json"));
    assert.throws(() => table.add(member("manifest.json")), (err: unknown) => err instanceof ArchiveError && /both manifest\.json, which names the image's tags/.test(err.message));
    table.add(member("layer.tar"));
    assert.throws(() => table.add(member("layer.tar", "symlink", "x")), /both layer\.tar/);
  });

  it("follows symlinks from their own directory and hard links from the root, never round in circles", () => {
    const table = new MemberTable();
    table.add(member("a/layer.tar"));
    table.add(member("b/layer.tar", "symlink", "../a/layer.tar"));
    table.add(member("manifest.json", "hardlink", "./evil/m.json"));
    table.add(member("evil/m.json"));
    table.add(member("loop1", "symlink", "loop2"));
    table.add(member("loop2", "symlink", "loop1"));
    assert.equal(table.file("b/layer.tar")?.name, "a/layer.tar");
    assert.equal(table.file("./b/layer.tar")?.name, "a/layer.tar");
    assert.equal(table.file("manifest.json")?.name, "evil/m.json");
    assert.equal(table.file("loop1"), undefined);
    assert.equal(table.file("nothing"), undefined);
  });

  it("applies PAX path and size records and GNU long names to the next member only; ignores global headers", () => {
    const seq = new HeaderSequence();
    const header = (name: string, type: string, size = 0): TarHeader => ({ name, type, size, linkName: "" });
    const records = (...kv: string[]) => Buffer.from(kv.map((r) => pax(r)).join(""));
    seq.meta(header("PaxHeader", "x", 40), records("path=x/../manifest.json", "size=7"));
    seq.meta(header("global", "g", 20), records("path=ignored.json"));
    const first = seq.member(header("decoy.json", "0", 3), 512);
    assert.deepEqual({ name: first.name, size: first.size }, { name: "manifest.json", size: 7 });
    assert.equal(seq.member(header("next.json", "0", 3), 1024).name, "next.json", "the records applied once");
    seq.meta(header("././@LongLink", "L", 10), Buffer.from("long/name\0"));
    assert.equal(seq.member(header("short", "0"), 0).name, "long/name");
    seq.meta(header("././@LongLink", "L", MAX_NAME + 10), Buffer.alloc(MAX_NAME + 10, 0x61));
    assert.throws(() => seq.member(header("short", "0"), 0), /longer than a path can be/);
  });

  it("reads the ustar prefix only in POSIX headers: a GNU header keeps times there", () => {
    const posix = fileHeader("manifest.json", 1);
    posix.write("evil", 345);
    const gnu = Buffer.from(posix);
    gnu.write("ustar  \0", 257, "binary");
    for (const h of [posix, gnu]) {
      let sum = 0;
      h.fill(0x20, 148, 156);
      for (let i = 0; i < BLOCK; i++) sum += h[i];
      h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    }
    assert.equal(parseHeader(posix)?.name, "evil/manifest.json");
    assert.equal(parseHeader(gnu)?.name, "manifest.json");
  });
});
