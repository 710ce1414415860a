import { z } from "zod";

/**
 * Input rules shared by the forms (instant feedback) and the server (the authority).
 * Pure: no Node or Docker imports, so client components may use it too.
 */

/**
 * A HakuRiver environment name becomes the container name, the tarball prefix and the image tag
 * `hakuriver/<name>:base`. Runners lowercase the tag and the file-name regex, so mixed case would
 * break their lookup: names are lowercase by rule.
 */
export const ENV_NAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,62}$/;

export const envNameSchema = z
  .string({ error: "HakuRiver Container Name is required." })
  .trim()
  .min(1, "HakuRiver Container Name is required.")
  .max(63, "HakuRiver Container Name must be at most 63 characters.")
  .refine((s) => !/[A-Z]/.test(s), {
    message: "HakuRiver Container Name must be lowercase (Runners look environments up in lowercase).",
    abort: true,
  })
  .refine(
    (s) => ENV_NAME_PATTERN.test(s),
    "HakuRiver Container Name may use a–z, 0–9, '_', '.' and '-', and must start with a letter or digit.",
  );

// Docker's reference grammar (distribution/reference): [domain/]path[:tag][@digest].
const domainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const domain = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]{1,5})?`;
const pathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const tag = "[\\w][\\w.-]{0,127}";
const digest = "[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}";
const referencePattern = new RegExp(
  `^(?:(${domain})/)?(${pathComponent}(?:/${pathComponent})*)(?::(${tag}))?(?:@(${digest}))?$`,
);

export interface ImageReference {
  /** Registry host, when the reference names one (`127.0.0.1:5000`, `ghcr.io`). */
  domain?: string;
  path: string;
  tag?: string;
  digest?: string;
  /** The reference to pull and run: `:latest` is added when neither tag nor digest is given. */
  normalized: string;
}

/** Parses an image reference; undefined when it is not one Docker would accept. */
export function parseImageReference(input: string): ImageReference | undefined {
  if (input.length === 0 || input.length > 255) return undefined;
  const m = referencePattern.exec(input);
  if (!m) return undefined;
  const [, domainPart, pathPart, tagPart, digestPart] = m;
  let dom: string | undefined = domainPart;
  let path = pathPart;
  // Without '.', ':' or "localhost" the first component is a path, not a registry (docker.io rule);
  // it must then be lowercase like any path component.
  if (dom && !/[.:]/.test(dom) && dom !== "localhost" && !dom.startsWith("[")) {
    if (dom !== dom.toLowerCase()) return undefined;
    path = `${dom}/${path}`;
    dom = undefined;
  }
  const name = dom ? `${dom}/${path}` : path;
  const normalized = digestPart
    ? `${name}${tagPart ? `:${tagPart}` : ""}@${digestPart}`
    : `${name}:${tagPart ?? "latest"}`;
  return { domain: dom, path, tag: tagPart, digest: digestPart, normalized };
}

export const imageRefSchema = z
  .string({ error: "Docker Image Name is required." })
  .trim()
  .min(1, "Docker Image Name is required.")
  .max(255, "Docker Image Name must be at most 255 characters.")
  .refine(
    (s) => parseImageReference(s) !== undefined,
    "Docker Image Name is not a valid image reference (expected e.g. ubuntu:24.04 or registry:5000/team/image:tag).",
  );

export const createContainerSchema = z.object({
  image: imageRefSchema,
  name: envNameSchema,
});

export type CreateContainerInput = z.infer<typeof createContainerSchema>;

/** Docker container IDs or names, as the row actions send them. */
export const containerRefSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, "Not a container name or ID.");

/** The first message of a failed zod parse, for showing in a form. */
export function firstIssue(error: z.ZodError): string {
  return error.issues[0]?.message ?? "Invalid input.";
}
