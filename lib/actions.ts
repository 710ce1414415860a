import "server-only";
import type { z } from "zod";
import { audit } from "@/lib/audit";
import { revalidatePath } from "next/cache";
import { requireActionSession } from "@/lib/auth/next";
import { commands, type CommandName } from "@/lib/commands";
import { AppError, toAppError } from "@/lib/errors";
import { firstIssue } from "@/lib/schemas";

export type ActionResult<T = undefined> = { ok: true; message: string; data?: T } | { ok: false; error: string; code: string };

/**
 * The shape of every server action: session first, then input validation, then the work, then
 * the audit log. AppErrors become `{ ok: false }` with a message for the user; nothing is thrown
 * to the client.
 */
export async function runAction<S extends z.ZodType, T = undefined>(
  action: string,
  schema: S,
  input: unknown,
  work: (value: z.infer<S>) => Promise<{ message: string; data?: T }>,
): Promise<ActionResult<T>> {
  let caller: string | undefined;
  const target = typeof input === "string" ? input : JSON.stringify(input ?? null);
  try {
    caller = await requireActionSession();
    const parsed = schema.safeParse(input);
    if (!parsed.success) throw new AppError("bad_request:input", firstIssue(parsed.error));
    const { message, data } = await work(parsed.data);
    audit({ session: caller, action, target, result: "ok" });
    return { ok: true, message, data };
  } catch (err) {
    const appError = toAppError(err);
    // Refused callers are not logged per attempt (the gate answered most of them already).
    if (caller) audit({ session: caller, action, target, result: "error", detail: appError.message });
    return { ok: false, error: appError.message, code: appError.code };
  }
}

/** A row button's server action: one of lib/commands.ts, then the Docker page is revalidated. */
export async function runCommand(command: CommandName, schema: z.ZodType<string>, target: unknown): Promise<ActionResult> {
  return runAction(command, schema, target, async (value: string) => {
    const message = await commands[command](value);
    revalidatePath("/docker");
    return { message };
  });
}
