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
    p.ack(210);
    assert.equal(p.unacked, 0);
  });

  it("credits only bytes it sent: an ack of more than is unacknowledged (10^15 from a client that reads nothing) or of a bogus number credits nothing", () => {
    const { p, events } = pump({ highWater: 1000, lowWater: 300, maxMessage: 100_000 });
    p.push(Buffer.alloc(1600));
    p.flush();
    assert.deepEqual(events, ["pause"]);
    for (const bogus of [1e15, 1601, Number.MAX_SAFE_INTEGER, 2 ** 60, 0.5, 100.25, -1, 0, Number.NaN, Infinity, -Infinity, "1600", [1600], { valueOf: () => 1600 }, undefined]) {
      p.ack(bogus);
      assert.equal(p.unacked, 1600, `ack(${String(bogus)}) credited bytes`);
    }
    assert.deepEqual(events, ["pause"], "still paused: nothing the client has not been sent was credited");
    p.ack(1000);
    p.ack(601);
    assert.equal(p.unacked, 600, "more than is left unacknowledged: nothing");
    p.ack(600);
    assert.equal(p.unacked, 0);
    assert.deepEqual(events, ["pause", "resume"]);
    p.ack(1);
    assert.equal(p.unacked, 0, "never below zero");
  });

  it("pauses the source while the socket's own buffer is past the high-water mark, whatever is acked, and resumes once it drains", async () => {
    let queued = 0;
    const { p, sent, events } = pump({ highWater: 1000, lowWater: 300, maxMessage: 100_000, backlog: () => queued, backlogPollMs: 5 });
    // The client acks everything it is sent at once, but the socket writes none of it.
    const send = (n: number) => {
      p.push(Buffer.alloc(n));
      p.flush();
      queued += n;
      p.ack(n);
    };
    send(800);
    assert.deepEqual(events, []);
    send(800);
    assert.equal(p.unacked, 0);
    p.push(Buffer.alloc(10));
    p.flush();
    assert.deepEqual(events, ["pause"], "1600 bytes in the socket's buffer");
    p.ack(10);
    assert.deepEqual(events, ["pause"], "acks do not resume it while the socket is behind");
    queued = 500;
    await tick(30);
    assert.deepEqual(events, ["pause"], "500 queued is still above the low-water mark");
    queued = 0;
    for (let i = 0; i < 50 && events.length < 2; i++) await tick(5);
    assert.deepEqual(events, ["pause", "resume"], "resumed once the buffer drained, with no ack to prompt it");
    assert.equal(sent.length, 3);
    for (const bad of [Number.NaN, -5, Infinity, "9999"]) {
      queued = bad as number;
      p.push(Buffer.alloc(10));
      p.flush();
    }
    assert.deepEqual(events, ["pause", "resume"], "a backlog that is not a number counts as none");
    p.stop();
  });

  it("holds output (to compact it) while the socket's own buffer is behind, whatever is acked", () => {
    let queued = 0;
    const sent: Buffer[] = [];
    const p = new OutputPump({ send: (c) => sent.push(c), pause: () => {}, resume: () => {}, highWater: 1000, lowWater: 300, maxMessage: 100_000, backlog: () => queued, terminal: () => ({ rows: 5, scrollback: 10 }) });
    p.ready(0);
    p.push(Buffer.alloc(1500, 0x61));
    p.flush();
    queued = 1500;
    p.ack(1500);
    p.push(Buffer.from("held\r\n"));
    p.flush();
    assert.equal(sent.length, 1, "held, not sent: the socket has not written the last message");
    p.stop();
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
