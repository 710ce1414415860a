import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { containerRefSchema } from "@/lib/schemas";

describe("container references", () => {
  it("accept any name Docker accepts, up to 255 characters", () => {
    for (const ok of ["a", "web-1", "A.b_c-d", `x${"y".repeat(199)}`, "z".repeat(255), "0123456789ab"]) {
      assert.equal(containerRefSchema.safeParse(ok).success, true, ok.slice(0, 20));
    }
  });

  it("refuse what Docker refuses, and longer than 255", () => {
    for (const bad of ["", "-a", ".a", "_a", "a/b", "a b", "a:b", "../x", "z".repeat(256)]) {
      assert.equal(containerRefSchema.safeParse(bad).success, false, bad.slice(0, 20));
    }
  });
});
