import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { appendLines, logPage, matchingLines, plainText, prependLines } from "@/lib/shared/log-page";
import { logTimeBound } from "@/lib/shared/logs";
import type { LogLine } from "@/lib/shared/logs";

const line = (n: number, time = `2026-12-04T00:00:${String(n % 60).padStart(2, "0")}Z`): LogLine => ({ stream: "stdout", time, text: `line-${n}` });
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => line(a + i));

describe("The Logs page's lines", () => {
  it("followed lines go at the end and the oldest leave past the cap", () => {
    const page = appendLines(logPage(range(0, 8), 10), range(8, 13), 10);
    assert.deepEqual(page.lines.map((l) => l.text), range(3, 13).map((l) => l.text));
    assert.equal(page.droppedOldest, true);
    assert.equal(new Set(page.lines.map((l) => l.key)).size, 10, "keys stay unique");
  });

  it("an older page goes before, without the lines at the first line's time held twice, the newest leaving past the cap", () => {
    const held = logPage(range(5, 10), 8);
    // The engine's until includes the first held line's own time.
    const page = prependLines(held, range(0, 6), 8);
    assert.deepEqual(page.lines.map((l) => l.text), range(0, 8).map((l) => l.text));
    assert.equal(page.droppedNewest, true);
    assert.equal(new Set(page.lines.map((l) => l.key)).size, 8);
  });

  it("a different line at the same time as the first held one is kept", () => {
    const held = logPage([line(5)]);
    const page = prependLines(held, [line(4), { ...line(5), text: "other" }]);
    assert.deepEqual(page.lines.map((l) => l.text), ["line-4", "other", "line-5"]);
  });

  it("Search finds lines case-insensitively in the text as shown, escapes aside", () => {
    const lines = [line(1), { ...line(2), text: "\u001b[31mMarker\u001b[0m here" }, line(3), { ...line(4), text: "a marker" }];
    assert.deepEqual(matchingLines(lines, "marker"), [1, 3]);
    assert.deepEqual(matchingLines(lines, "31m"), []);
    assert.deepEqual(matchingLines(lines, ""), []);
    assert.equal(plainText("\u001b]0;title\u0007x"), "x");
  });

  it("since/until: durations back from now, form times, RFC 3339 passed on, anything else refused in words", () => {
    const now = Date.parse("2026-12-04T12:00:00Z");
    assert.equal(logTimeBound("15m", now), String(now / 1000 - 900));
    assert.equal(logTimeBound("7d", now), String(now / 1000 - 7 * 86400));
    // A log line's own time, to the nanosecond, in the engine's seconds.nanoseconds.
    assert.equal(logTimeBound("2026-12-04T03:31:35.1234567Z"), `${Date.parse("2026-12-04T03:31:35Z") / 1000}.123456700`);
    assert.equal(logTimeBound("2000-01-01T00:00:00Z"), "946684800.000000000");
    assert.equal(logTimeBound("2026-12-04T03:00"), String(Math.floor(new Date(2026, 11, 4, 3, 0).getTime() / 1000)));
    assert.equal(logTimeBound(" "), undefined);
    for (const bad of ["yesterday", "15x", "2026-13-45T99:99", "1;rm"]) assert.match(String(logTimeBound(bad)), /is not a time/);
  });
});
