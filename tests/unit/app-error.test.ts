import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { JobFailure } from "@/lib/jobs/registry";
import { AppError, toAppError } from "@/lib/shared/errors";

describe("AppError across bundles", () => {
  it("is recognised whichever copy of the class made it, so a foreign bundle's conflict is not a 500", () => {
    // What another bundle's AppError looks like from here: another class with the same brand.
    class ForeignAppError extends Error {
      readonly code = "conflict:job";
      readonly status = 409;
      constructor(message: string) {
        super(message);
        Object.defineProperty(this, Symbol.for("hakuriver.AppError"), { value: true });
      }
    }
    const foreign = new ForeignAppError("Verify of x.tar is running already.");
    assert.ok(foreign instanceof AppError);
    assert.equal(toAppError(foreign), foreign);
    assert.ok(!(new Error("plain") instanceof AppError));
    assert.ok(!((null as unknown as object) instanceof AppError));
  });

  it("keeps the ordinary check for subclasses", () => {
    const failure = new JobFailure("failed:tarball", "damaged", { problems: ["x"] });
    assert.ok(failure instanceof AppError);
    assert.ok(failure instanceof JobFailure);
    assert.ok(!(new AppError("failed:tarball", "x") instanceof JobFailure));
  });
});
