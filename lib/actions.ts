import "server-only";
import { revalidatePath } from "next/cache";
import { requireActionSession } from "@/lib/auth/next";
import { execute, type CommandName } from "@/lib/commands";
import { toAppError } from "@/lib/shared/errors";
import type { ActionResult } from "@/lib/shared/results";

/**
 * A server action: session first, then one of lib/commands.ts, then the Docker page is
 * revalidated. AppErrors become `{ ok: false }` with a message for the user; nothing is thrown to
 * the client. Refused callers are not audited per attempt (the gate answered most of them already).
 */
export async function runCommand(name: CommandName, input: unknown): Promise<ActionResult> {
  try {
    const caller = await requireActionSession();
    const { message, data } = await execute(name, caller, input);
    revalidatePath("/docker");
    return { ok: true, message, data };
  } catch (err) {
    const appError = toAppError(err);
    return { ok: false, error: appError.message, code: appError.code };
  }
}
