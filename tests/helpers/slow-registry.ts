import { startRegistryProxy } from "./registry-proxy";

/**
 * A registry that answers slowly: a loopback proxy in front of the test registry
 * (scripts/test-env.sh, 127.0.0.1:5055) that passes every answer through at `bytesPerSecond`, so a
 * pull takes long enough to reload a page or press Cancel in the middle of it. The engine trusts
 * loopback registries without TLS.
 */
export async function startSlowRegistry(bytesPerSecond = 4 * 1024 * 1024, upstream = process.env.HAKURIVER_TEST_REGISTRY ?? "127.0.0.1:5055") {
  const proxy = await startRegistryProxy(upstream, { bytesPerSecond });
  return {
    address: proxy.address,
    /** The test registry's pullable image, through the slow door. */
    image: (path = "hakuriver-test/pullable:3") => `${proxy.address}/${path}`,
    close: proxy.close,
  };
}
