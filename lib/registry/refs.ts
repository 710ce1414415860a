import "server-only";
import { getFlavor } from "@/lib/config";
import { AppError } from "@/lib/shared/errors";
import { parseTarballName } from "@/lib/shared/tarball-names";
import { registrySettings } from "./client";

/** Where a version lives in the registry: `<registry>/<flavour>/<env>:<timestamp>`. */
export interface RegistryRef {
  /** The repository inside the registry: `hakuriver/<env>`. */
  repo: string;
  /** The version's timestamp. */
  tag: string;
  /** The full reference an engine pulls: `<registry>/<repo>:<tag>`. */
  ref: string;
  /** The repository with the registry's host, without the tag (what the push API names). */
  name: string;
}

export function registryRef(file: string): RegistryRef {
  const parsed = parseTarballName(file);
  if (!parsed) throw new AppError("bad_request:tarball", "Not a tarball file name (expected <name>-<timestamp>.tar).");
  const { repo } = getFlavor().baseImage(parsed.env.toLowerCase());
  const name = `${registrySettings().host}/${repo}`;
  const tag = String(parsed.timestamp);
  return { repo, tag, name, ref: `${name}:${tag}` };
}
