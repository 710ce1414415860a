import "server-only";
import { z } from "zod";
import { RUNNER_NAME_PATTERN } from "@/lib/shared/runners";
import { envNameSchema } from "@/lib/schemas";

export const runnerNameSchema = z.string({ error: "Runner name is required." }).regex(RUNNER_NAME_PATTERN, "Not a Runner name.");

/** Sync now of one Runner; with `env`, only that environment (even one the Runner does not have yet). */
export const runnerSyncSchema = z.object({ runner: runnerNameSchema, env: envNameSchema.optional() });

/** Sync all takes no input. */
export const noInputSchema = z.unknown().transform(() => undefined);

/**
 * What the status reads of a Runner engine's answers (`GET /info`, `GET /images/json`). Anything
 * else answering on the engine's address is not a Docker engine, and must not look like one.
 */
export const engineInfoSchema = z.looseObject({
  ServerVersion: z.string().min(1).max(100),
  Name: z.string().max(255).optional(),
  DriverStatus: z.unknown().optional(),
});

export const engineImagesSchema = z.array(
  z.looseObject({
    // Older engines answer null for an image without tags.
    RepoTags: z.array(z.string()).nullish(),
    Created: z.number().int().nonnegative(),
    Size: z.number().nonnegative(),
  }),
);
