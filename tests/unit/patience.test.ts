import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { askPatiently, seconds, TimedOut } from "@/lib/shared/patience";
import { engineStatusOf, engineStatusWords } from "@/lib/docker/engine";

const after = <T>(ms: number, value: T, signal?: AbortSignal) =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => resolve(value), ms);
    signal?.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });

describe("asking a slow engine patiently", () => {
  it("tries again with the next, longer timeout when a try runs out of time, and reports how long the answer took", async () => {
    const seen: number[] = [];
    const r = await askPatiently((timeoutMs, signal) => (seen.push(timeoutMs), after(70, "v", signal)), [40, 120, 240]);
    assert.equal(r.ok, true);
    assert.deepEqual(seen, [40, 120], "the first try timed out, the second answered");
    assert.equal(r.ok && r.tries, 2);
    assert.ok(r.ok && r.tookMs >= 65 && r.tookMs < 115, `the answering try's own time: ${r.ok && r.tookMs}`);
  });

  it("does not ask again after a failure that is not a timeout", async () => {
    let tries = 0;
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const r = await askPatiently(async () => (tries++, Promise.reject(refused)), [40, 80]);
    assert.deepEqual([r.ok, tries, !r.ok && r.error, !r.ok && r.timedOut], [false, 1, refused, undefined]);
  });

  it("gives up after the last timeout, saying every timeout tried; an ask that ignores the signal still times out", async () => {
    const r = await askPatiently(() => new Promise(() => {}), [20, 40]);
    assert.equal(r.ok, false);
    assert.deepEqual(!r.ok && r.timedOut, [20, 40]);
    assert.ok(!r.ok && r.error instanceof TimedOut);
  });

  it("says slow, with the time, when the engine answers slowly; does NOT answer only when it does not", () => {
    const v = { Version: "4.3.1", ApiVersion: "1.41", Components: [{ Name: "Podman Engine" }] };
    assert.equal(engineStatusWords("unix:///p.sock", engineStatusOf({ ok: true, value: v, tookMs: 3_412, tries: 2 })), "unix:///p.sock is slow to answer (3.4 s; Podman 4.3.1, API 1.41)");
    assert.equal(engineStatusWords("unix:///d.sock", engineStatusOf({ ok: true, value: { Version: "20.10.24", ApiVersion: "1.41" }, tookMs: 12, tries: 1 })), "unix:///d.sock answers (Docker 20.10.24, API 1.41)");
    const none = engineStatusOf({ ok: false, error: new TimedOut(12_000), tries: 3, timedOut: [3_000, 6_000, 12_000] });
    assert.match(engineStatusWords("unix:///h.sock", none), /^unix:\/\/\/h\.sock does NOT answer \(no answer within 3 s, 6 s, 12 s\)/);
    assert.match(engineStatusWords("x", engineStatusOf({ ok: false, error: { code: "ENOENT" }, tries: 1 })), /does NOT answer \(no engine socket there\)/);
    assert.equal(seconds(850), "850 ms");
  });
});
