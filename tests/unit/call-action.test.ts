import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { callAction, SERVER_SILENT } from "@/components/ui/call-action";

describe("calling a server action", () => {
  it("passes the server's answer through, success or refusal", async () => {
    assert.deepEqual(await callAction(async () => ({ ok: true as const, message: "Started x." })), { ok: true, message: "Started x." });
    const refused = { ok: false as const, error: "No such container.", code: "not_found:container" as const };
    assert.deepEqual(await callAction(async () => refused), refused);
  });

  it("turns a call that throws (server gone, network down) into a failed result, never a throw", async () => {
    const quiet = console.error;
    console.error = () => {};
    try {
      const result = await callAction(() => Promise.reject(new TypeError("Failed to fetch")));
      assert.deepEqual(result, { ok: false, error: SERVER_SILENT, code: "unavailable:server" });
    } finally {
      console.error = quiet;
    }
  });
});
