import "server-only";
import type { Compression } from "./archive";

/**
 * The sentences for archives Details cannot read, naming the engine that is really there (the Host
 * engine's `/version`: Docker, or Podman's Docker-compatible API). Pure: the caller asks the engine.
 * Podman (containers/image) loads OCI archives and undoes zstd; Docker loads OCI archives from 25
 * and zstd from 23. The Runners of the contract are Docker 20.10, which does neither.
 */
export interface EngineIdentity {
  /** "Docker" or "Podman"; Docker when the engine does not say. */
  product?: string;
  version?: string;
}

/** "Docker 20.10.24", "Podman 4.3.1", or a phrase for an engine that did not say its version. */
export function engineText(engine: EngineIdentity): string {
  return engine.version ? `${engine.product ?? "Docker"} ${engine.version}` : "this engine (it did not say its version)";
}

const isPodman = (engine: EngineIdentity) => engine.product === "Podman";
const dockerMajor = (engine: EngineIdentity) => (isPodman(engine) ? 0 : Number(/^(\d+)\./.exec(engine.version ?? "")?.[1] ?? 0));

/** The sentence for an OCI image layout with no manifest.json (podman/skopeo `oci-archive`). */
export function ociLayoutSentence(engine: EngineIdentity): string {
  const name = engineText(engine);
  const loads = isPodman(engine) || dockerMajor(engine) >= 25;
  return loads
    ? `OCI archive, no manifest.json: ${name} may load it, but Runners on Docker 20.10 cannot, and Details reads only docker save archives. Make it with docker save (or podman save --format docker-archive).`
    : `OCI archive, no manifest.json: \`docker load\` on ${name} cannot read it. Make it with docker save (or podman save --format docker-archive, or skopeo copy to docker-archive:FILE:<repo>:<tag>).`;
}

/** The sentence for a compression Details and Verify cannot undo. */
export function compressionSentence(c: Compression, engine: EngineIdentity): string {
  if (c === "zstd") {
    const name = engineText(engine);
    return isPodman(engine) || dockerMajor(engine) >= 23
      ? `The file is zstd-compressed: ${name} may load it, but Runners on Docker 20.10 cannot (only Docker 23 and later can), nor can Details. Decompress it (zstd -d) and keep the plain tar.`
      : `The file is zstd-compressed: \`docker load\` on ${name} cannot read zstd (only Docker 23 and later can), nor can Details. Decompress it (zstd -d) and keep the plain tar.`;
  }
  return `The file is ${c}-compressed: \`docker load\` would decompress it, but Details and Verify read only plain and gzip'd archives. To check it here, decompress it (${c === "xz" ? "xz -d" : "bzip2 -d"}) or recompress it with gzip.`;
}
