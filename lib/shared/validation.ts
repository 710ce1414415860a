/**
 * Input rules, as plain functions: the forms use them for instant feedback (without shipping a
 * schema library to the browser) and lib/schemas.ts wraps them for the server, the authority.
 * Each `…Problem` function returns the message to show, or undefined when the input is fine.
 */

import { parseTarballName } from "./tarball-names";

/**
 * A HakuRiver environment name becomes the container name, the tarball prefix and the image tag
 * `hakuriver/<name>:base`. Runners lowercase the tag and the file-name regex, so mixed case would
 * break their lookup: names are lowercase by rule.
 */
export const ENV_NAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,62}$/;

export function envNameProblem(name: string): string | undefined {
  if (name.length === 0) return "HakuRiver Container Name is required.";
  if (name.length > 63) return "HakuRiver Container Name must be at most 63 characters.";
  if (/[A-Z]/.test(name)) return "HakuRiver Container Name must be lowercase (Runners look environments up in lowercase).";
  if (!ENV_NAME_PATTERN.test(name)) {
    return "HakuRiver Container Name may use a–z, 0–9, '_', '.' and '-', and must start with a letter or digit.";
  }
  return undefined;
}

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

export function imageRefProblem(ref: string): string | undefined {
  if (ref.length === 0) return "Docker Image Name is required.";
  if (ref.length > 255) return "Docker Image Name must be at most 255 characters.";
  if (!parseImageReference(ref)) {
    return "Docker Image Name is not a valid image reference (expected e.g. ubuntu:24.04 or registry:5000/team/image:tag).";
  }
  return undefined;
}

/**
 * Docker container IDs or names, as the row actions and URLs carry them: Docker's own name rule
 * (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`, no length limit of its own), bounded at 255 characters. Containers
 * made outside the dashboard can have names far over 128 and must still be actionable.
 */
export const CONTAINER_REF_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;

/** A version file name as the Runners' rule reads it, directly in the container dir (no path). */
export function tarballFileProblem(file: string): string | undefined {
  // The pattern admits no path separators: the name is always directly in the container dir.
  if (!parseTarballName(file)) {
    return "Not a tarball file name (expected <name>-<timestamp>.tar).";
  }
  return undefined;
}

/** The longest note Create Tar takes (it goes into the image's commit message and a label). */
export const NOTE_MAX_LENGTH = 200;

/** Why a Create Tar note is refused, or undefined: one line, printable, at most NOTE_MAX_LENGTH characters. */
export function noteProblem(note: string): string | undefined {
  if ([...note].length > NOTE_MAX_LENGTH) return `The note is longer than ${NOTE_MAX_LENGTH} characters.`;
  // Control characters (newlines included) would break the one-line label and the log lines that show it.
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(note)) return "The note must be one line without control characters.";
  // Invisible direction controls reorder what is shown (U+202E makes "txt.exe" read "exe.txt"), in
  // the note and in whatever a page or log shows after it.
  const bidi = BIDI_CONTROL.exec(note)?.[0];
  if (bidi) {
    const code = `U+${bidi.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
    return `The note contains ${code}, an invisible Unicode direction control that changes how the text is shown; remove it.`;
  }
  return undefined;
}

/** Unicode's explicit direction marks, embeddings, overrides and isolates (UAX #9). */
const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
