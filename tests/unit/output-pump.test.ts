import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OutputPump } from "@/lib/terminal/pump";

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

function pump(options: Partial<ConstructorParameters<typeof OutputPump>[0]> = {}) {
  const sent: Buffer[] = [];
  const events: string[] = [];
  const p = new OutputPump({ send: (c) => sent.push(c), pause: () => events.push("pause"), resume: () => events.push("resume"), ...options });
  return { p, sent, events };
}

describe("terminal output pump", () => {
  it("sends a lone chunk (a key echo) on the next turn, on its own", async () => {
    const { p, sent } = pump();
    p.push(Buffer.from("a"));
    assert.equal(sent.length, 0, "not synchronously");
    await tick();
    assert.deepEqual(sent.map(String), ["a"]);
  });

  it("coalesces streaming output into fewer messages, bytes intact and in order", async () => {
    const { p, sent } = pump({ gatherMs: 5 });
    const chunks: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      const c = Buffer.from(`${String(i).padStart(4, "0")}:${"x".repeat(2000)}\n`);
      chunks.push(c);
      p.push(c);
      if (i % 10 === 9) await tick(1);
    }
    await tick(20);
    assert.equal(Buffer.concat(sent).toString(), Buffer.concat(chunks).toString());
    assert.ok(sent.length < chunks.length / 3, `${sent.length} messages for ${chunks.length} chunks`);
  });

  it("never sends a message larger than maxMessage plus one chunk, flushing at once when it is reached", () => {
    const { p, sent } = pump({ maxMessage: 1000 });
    p.push(Buffer.alloc(600));
    p.push(Buffer.alloc(600));
    assert.equal(sent.length, 1, "flushed synchronously at the limit");
    assert.equal(sent[0].length, 1200);
  });

  it("pauses the source past the high-water mark and resumes once acks bring it under the low one", async () => {
    const { p, events } = pump({ highWater: 1000, lowWater: 300, maxMessage: 100_000 });
    p.push(Buffer.alloc(800));
    p.flush();
    assert.deepEqual(events, []);
    p.push(Buffer.alloc(800));
    p.flush();
    assert.deepEqual(events, ["pause"]);
    p.push(Buffer.alloc(10));
    p.flush();
    assert.deepEqual(events, ["pause"], "paused once");
    p.ack(1000);
    assert.deepEqual(events, ["pause"], "610 unacked is still above the low-water mark");
    for (const bad of [-5, Number.NaN, Infinity, "100", null]) p.ack(bad);
    assert.equal(p.unacked, 610, "bad acks are ignored");
    p.ack(400);
    assert.deepEqual(events, ["pause", "resume"]);
    p.ack(10_000);
    assert.equal(p.unacked, 0, "never negative");
  });

  it("stop (the browser went away) drops what was not sent, resumes a paused source and sends nothing more", async () => {
    const { p, sent, events } = pump({ highWater: 1000, lowWater: 300, maxMessage: 100_000 });
    p.push(Buffer.alloc(1500));
    p.flush();
    assert.deepEqual(events, ["pause"]);
    p.push(Buffer.from("pending"));
    p.stop();
    assert.deepEqual(events, ["pause", "resume"]);
    p.push(Buffer.from("later"));
    await tick(10);
    assert.equal(sent.length, 1, "only the message sent before stop");
  });
});
