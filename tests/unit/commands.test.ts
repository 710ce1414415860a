import { testRoot } from "../helpers/isolated-env";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { OWNER } from "@/lib/auth/authorise";
import { commands, execute, type CommandName } from "@/lib/commands";
import { AppError } from "@/lib/shared/errors";

const auditLines = () =>
  fs
    .readFileSync(path.join(testRoot, "data", "audit.log"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { session: string; action: string; target: string; result: string; detail?: string });

const rejectsWith = (name: CommandName, input: unknown, code: string) =>
  assert.rejects(execute(name, { id: "session:test", principal: OWNER }, input), (err: unknown) => err instanceof AppError && err.code === code, `${name}(${JSON.stringify(input)})`);

describe("the command catalogue", () => {
  it("gives every command an input schema, a success status and work", () => {
    for (const [name, cmd] of Object.entries(commands)) {
      assert.ok(cmd.input && typeof cmd.input.safeParse === "function", name);
      assert.ok([200, 202].includes(cmd.status), name);
      assert.equal(typeof cmd.run, "function", name);
    }
    assert.equal(commands["tarball.create"].status, 202, "Create Tar runs in the background");
  });

  it("validates before any work, with the schema's message, and audits the refusal", async () => {
    await rejectsWith("tarball.delete", "../outside-1.tar", "bad_request:input");
    await rejectsWith("tarball.cancel", "Not-Lower", "bad_request:input");
    await rejectsWith("container.start", "bad name!", "bad_request:input");
    await rejectsWith("container.create", { image: "ubuntu", name: "" }, "bad_request:input");
    const last = auditLines().at(-1)!;
    assert.deepEqual([last.action, last.result, last.session], ["container.create", "error", "session:test"]);
  });

  it("runs the work and audits its outcome under the command's name", async () => {
    await rejectsWith("tarball.cancel", "some-env", "not_found:packaging");
    await rejectsWith("tarball.delete", "absent-1700000000.tar", "not_found:tarball");
    const dir = path.join(testRoot, "shared", "hakuriver-containers");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "victim-1700000000.tar"), "v");
    const result = await execute("tarball.delete", { id: "bearer", principal: OWNER }, "victim-1700000000.tar");
    assert.equal(result.message, "Deleted victim-1700000000.tar.");
    assert.equal(fs.existsSync(path.join(dir, "victim-1700000000.tar")), false);
    const last = auditLines().at(-1)!;
    assert.deepEqual([last.session, last.action, last.target, last.result], ["bearer", "tarball.delete", "victim-1700000000.tar", "ok"]);
  });
});
