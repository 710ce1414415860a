import "server-only";
import { z } from "zod";
import { CONTAINER_REF_PATTERN, envNameProblem, imageRefProblem, noteProblem, tarballFileProblem } from "@/lib/shared/validation";

/** Server-side schemas over the rules in lib/shared/validation.ts (one rule, two uses). */
const checked = (label: string, problem: (s: string) => string | undefined) =>
  z
    .string({ error: `${label} is required.` })
    .trim()
    .superRefine((value, ctx) => {
      const message = problem(value);
      if (message) ctx.addIssue({ code: "custom", message });
    });

export const envNameSchema = checked("HakuRiver Container Name", envNameProblem);
export const imageRefSchema = checked("Docker Image Name", imageRefProblem);

export const createContainerSchema = z.object({ image: imageRefSchema, name: envNameSchema });

export const tarballFileSchema = checked("Tarball file name", tarballFileProblem);

export const containerRefSchema = z.string().regex(CONTAINER_REF_PATTERN, "Not a container name or ID.");

export const noteSchema = checked("Note", noteProblem);

/** Create Tar: a container name, or the name with an optional note (`{ container, note }`). */
export const tarballCreateSchema = z.union([
  containerRefSchema.transform((container) => ({ container, note: undefined as string | undefined })),
  z.object({ container: containerRefSchema, note: noteSchema.optional() }),
]);

/** New container from this version: the version's file and the new environment's name. */
export const versionContainerSchema = z.object({ file: tarballFileSchema, name: envNameSchema });

/** The first message of a failed parse, for showing in a form. */
export function firstIssue(error: z.ZodError): string {
  return error.issues[0]?.message ?? "Invalid input.";
}

/** A job's id (GET /api/jobs lists them). */
export const jobIdSchema = z.uuid("Not a job id.");
