import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compressionSentence, engineText, ociLayoutSentence } from "@/lib/tarballs/format-words";

describe("archive sentences name the engine that is really there", () => {
  const docker20 = { product: "Docker", version: "20.10.24" };
  const docker25 = { product: "Docker", version: "25.0.3" };
  const podman = { product: "Podman", version: "4.3.1" };

  it("names Docker, Podman, or an engine that did not say its version", () => {
    assert.equal(engineText(docker20), "Docker 20.10.24");
    assert.equal(engineText(podman), "Podman 4.3.1");
    assert.equal(engineText({ version: "20.10.24" }), "Docker 20.10.24");
    assert.equal(engineText({ product: "Podman" }), "this engine (it did not say its version)");
  });

  it("an OCI archive: Docker 20.10 cannot read it; Podman and Docker 25 may load it, Runners on 20.10 cannot", () => {
    assert.equal(
      ociLayoutSentence(docker20),
      "OCI archive, no manifest.json: `docker load` on Docker 20.10.24 cannot read it. Make it with docker save (or podman save --format docker-archive, or skopeo copy to docker-archive:FILE:<repo>:<tag>).",
    );
    assert.match(ociLayoutSentence(podman), /^OCI archive, no manifest\.json: Podman 4\.3\.1 may load it, but Runners on Docker 20\.10 cannot/);
    assert.doesNotMatch(ociLayoutSentence(podman), /Docker 4\.3/);
    assert.match(ociLayoutSentence(docker25), /^OCI archive, no manifest\.json: Docker 25\.0\.3 may load it/);
    // Podman 4.3 is not "Docker 4", which could not load it.
    assert.doesNotMatch(ociLayoutSentence({ product: "Podman", version: "26.0.0" }), /cannot read it/);
  });

  it("zstd: Docker before 23 cannot read it; Podman and Docker 23+ may", () => {
    assert.match(compressionSentence("zstd", docker20), /`docker load` on Docker 20\.10\.24 cannot read zstd/);
    assert.match(compressionSentence("zstd", podman), /^The file is zstd-compressed: Podman 4\.3\.1 may load it, but Runners on Docker 20\.10 cannot/);
    assert.match(compressionSentence("zstd", { product: "Docker", version: "24.0.7" }), /Docker 24\.0\.7 may load it/);
  });

  it("xz and bzip2: the engine would decompress them, Details cannot", () => {
    for (const engine of [docker20, podman]) {
      assert.match(compressionSentence("xz", engine), /xz-compressed: `docker load` would decompress it, .* \(xz -d\)/);
      assert.match(compressionSentence("bzip2", engine), /\(bzip2 -d\)/);
    }
  });
});
