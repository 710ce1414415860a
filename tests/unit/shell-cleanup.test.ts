import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { markerScript, parsePassOutput } from "@/lib/docker/exec";

describe("the clean-up script that runs inside containers", () => {
  const script = markerScript({ variable: "HAKURIVER_SHELL_SESSION", values: ["abc.def.0123"], signal: "HUP", sessions: [999_999_999], reportUnreadable: true }); // no such session: safe to run on this machine

  it("runs no program looked up through PATH under dash, bash as sh and busybox sh, even with every word planted", () => {
    assert.doesNotMatch(script, /\$\((?!\()|`/, "no command substitution");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hr-planted-"));
    const ran = path.join(dir, "ran");
    const words = new Set([...(script.match(/[A-Za-z_\[][A-Za-z0-9_]*/g) ?? []), "[", "tr", "grep", "sleep", "cat", "ps", "pkill", "sed", "awk", "id", "test"]);
    for (const w of words) {
      fs.writeFileSync(path.join(dir, w), `#!/bin/sh\necho ${w} >> ${ran}\n`, { mode: 0o755 });
    }
    const shells = [["/bin/dash"], ["/bin/busybox", "sh"], ["bash-as-sh"]].filter(([bin]) => bin === "bash-as-sh" || fs.existsSync(bin));
    fs.symlinkSync("/bin/bash", path.join(dir, "sh"), "file");
    const bashAsSh = path.join(dir, "sh");
    for (const shell of shells) {
      const [bin, ...args] = shell[0] === "bash-as-sh" ? [bashAsSh] : shell;
      const out = execFileSync(bin, [...args, "-c", script], { env: { PATH: dir } as unknown as NodeJS.ProcessEnv, encoding: "utf8" });
      assert.match(out, /^found \d+\nsessions [\d ]*\nunreadable/m, `${shell.join(" ")} ran the script`);
      assert.equal(fs.existsSync(ran) ? fs.readFileSync(ran, "utf8") : "", "", `${shell.join(" ")} ran planted programs`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("refuses marker text that could break out of the script", () => {
    assert.throws(() => markerScript({ variable: "V", values: ['x"; reboot; "'], signal: "KILL" }), /unsafe marker/);
    assert.throws(() => markerScript({ variable: "V", prefix: "a*", signal: "KILL" }), /unsafe marker/);
  });

  it("reads back only well-formed numbers from a pass's output", () => {
    assert.deepEqual(parsePassOutput("found 3\nsessions 12 0 1 x 12 99\nunreadable 1000:1000 0:0 ; 5\n"), {
      found: 3,
      sessions: [12, 99],
      unreadable: ["1000:1000", "0:0"],
    });
    assert.deepEqual(parsePassOutput("garbage"), { found: 0, sessions: [], unreadable: [] });
  });
});
