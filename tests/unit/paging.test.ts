import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PAGE_SIZE, pageOf } from "@/lib/shared/paging";

const items = Array.from({ length: 2 * PAGE_SIZE + 7 }, (_, i) => ({ name: `env-${i}` }));

describe("pages of the Host Containers table", () => {
  it("cuts pages of PAGE_SIZE and clamps the page number", () => {
    const first = pageOf(items);
    assert.deepEqual([first.items.length, first.total, first.page, first.pages], [PAGE_SIZE, items.length, 1, 3]);
    const last = pageOf(items, { page: 3 });
    assert.deepEqual(last.items.map((i) => i.name), items.slice(2 * PAGE_SIZE).map((i) => i.name));
    assert.equal(pageOf(items, { page: 99 }).page, 3);
    assert.equal(pageOf(items, { page: -4 }).page, 1);
    assert.equal(pageOf(items, { page: Number.NaN }).page, 1);
  });

  it("filters by a case-insensitive name part before paging", () => {
    const found = pageOf(items, { q: " ENV-1 " });
    assert.ok(found.items.every((i) => i.name.startsWith("env-1")));
    assert.equal(found.total, items.filter((i) => i.name.includes("env-1")).length);
    assert.deepEqual(pageOf(items, { q: "nothing" }), { items: [], total: 0, page: 1, pages: 1 });
  });
});
