import "server-only";
import { z } from "zod";
import { RUNNER_NAME_PATTERN } from "@/lib/shared/runners";
import { envNameSchema } from "@/lib/schemas";

export const runnerNameSchema = z.string({ error: "Runner name is required." }).regex(RUNNER_NAME_PATTERN, "Not a Runner name.");

/** Sync now of one Runner; with `env`, only that environment (even one the Runner does not have yet). */
export const runnerSyncSchema = z.object({ runner: runnerNameSchema, env: envNameSchema.optional() });

/** Sync all takes no input. */
export const noInputSchema = z.unknown().transform(() => undefined);
