import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ReplayBuffer } from "@/lib/terminal/replay";

describe("a shell's replay buffer", () => {
  it("keeps everything while under its capacity, in order", () => {
    const r = new ReplayBuffer(1024);
    r.write(Buffer.from("one\n"));
    r.write(Buffer.from("two\n"));
    assert.equal(r.contents().toString(), "one\ntwo\n");
  });

  it("keeps only the last `capacity` bytes, starting after a line break once it dropped some", () => {
    const r = new ReplayBuffer(64);
    for (let i = 0; i < 100; i++) r.write(Buffer.from(`line ${i}\n`));
    assert.equal(r.size, 64);
    const text = r.contents().toString();
    assert.ok(text.endsWith("line 99\n"));
    assert.match(text, /^line \d+\n/, "starts at a whole line");
  });

  it("holds at most its capacity whatever the writes, and always the newest bytes (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70_000 }), fc.array(fc.uint8Array({ maxLength: 90_000 }), { maxLength: 12 }), (capacity, chunks) => {
        const r = new ReplayBuffer(capacity);
        let all = Buffer.alloc(0);
        for (const c of chunks) {
          r.write(Buffer.from(c));
          all = Buffer.concat([all, Buffer.from(c)]);
          assert.ok(r.size <= capacity);
        }
        const kept = r.contents();
        assert.ok(all.subarray(all.length - r.size).subarray(r.size - kept.length).equals(kept));
        assert.equal(r.size, Math.min(capacity, all.length));
      }),
      { numRuns: 200 },
    );
  });

  it("keeps nothing with a capacity of 0", () => {
    const r = new ReplayBuffer(0);
    r.write(Buffer.from("x"));
    assert.equal(r.contents().length, 0);
  });
});
