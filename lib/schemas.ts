import "server-only";
import { z } from "zod";
import { CONTAINER_REF_PATTERN, envNameProblem, imageRefProblem, tarballFileProblem } from "@/lib/shared/validation";

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

/** The first message of a failed parse, for showing in a form. */
export function firstIssue(error: z.ZodError): string {
  return error.issues[0]?.message ?? "Invalid input.";
}
