/**
 * Image names as engines report them, brought to one form. Docker shows `hakuriver/x:base`;
 * Podman shows the same image as `localhost/hakuriver/x:base` (loaded from a `docker save`) or
 * `docker.io/hakuriver/x:base` (tagged through its Docker API), and both list Docker Hub's
 * official images as `docker.io/library/busybox:latest`. A HakuRiver Runner on either engine finds
 * the image by its short name, so the dashboard compares names only in this form: Runner status,
 * Sync's before/after check, the `v<ts>` clean-up and the Host's image lists. Pure.
 */
import { parseImageReference } from "./validation";

/** Registry hosts that stand for Docker Hub, whose names Docker shows without them. */
const DOCKER_HUB = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);
/** Podman's name space for images that came from no registry (loaded, committed, tagged locally). */
const PODMAN_LOCAL = "localhost";

/**
 * The canonical form of an image reference: Docker's short ("familiar") name — no `docker.io/`,
 * `docker.io/library/` or Podman's `localhost/` — with its tag (`:latest` when it has neither tag
 * nor digest) and its digest, if any. `localhost:5000/x` is a registry and keeps its host.
 * Undefined for what is not a reference (`<none>:<none>`, `<none>@<none>`, empty).
 */
export function canonicalImageRef(ref: string): string | undefined {
  const parsed = parseImageReference(ref.trim());
  if (!parsed) return undefined;
  let { domain, path } = parsed;
  if (domain !== undefined && (DOCKER_HUB.has(domain.toLowerCase()) || domain === PODMAN_LOCAL)) {
    if (domain !== PODMAN_LOCAL && path.startsWith("library/") && path.split("/").length === 2) path = path.slice("library/".length);
    domain = undefined;
  }
  const name = domain ? `${domain}/${path}` : path;
  if (parsed.digest) return `${name}${parsed.tag ? `:${parsed.tag}` : ""}@${parsed.digest}`;
  return `${name}:${parsed.tag ?? "latest"}`;
}

/** Whether two references name the same image name and tag, however each engine spelled them. */
export function sameImageRef(a: string, b: string): boolean {
  const ca = canonicalImageRef(a);
  return ca !== undefined && ca === canonicalImageRef(b);
}

/**
 * An image's tags as an engine lists them (`RepoTags`), canonical, without duplicates (Podman may
 * list one image as both `localhost/x:1` and `docker.io/x:1`) and without `<none>` placeholders.
 * Digest references (`RepoDigests`) are not tags and are left out.
 */
export function canonicalTags(tags: readonly string[] | null | undefined): string[] {
  const out = new Set<string>();
  for (const tag of tags ?? []) {
    const ref = canonicalImageRef(tag);
    if (ref && !ref.includes("@")) out.add(ref);
  }
  return [...out];
}

/**
 * An image name for display, as Docker would show it: the same prefixes dropped, nothing added
 * (`localhost/x:1` → `x:1`, but an image ID or an untagged name is shown as given).
 */
export function shownImageRef(raw: string): string {
  const ref = canonicalImageRef(raw);
  if (!ref) return raw;
  const tagged = raw.includes("@") || raw.lastIndexOf(":") > raw.lastIndexOf("/");
  return tagged ? ref : ref.replace(/:latest$/, "");
}
