import "server-only";
import { docker } from "./client";

export interface EngineStatus {
  reachable: boolean;
  version?: string;
  apiVersion?: string;
}

/** Asks the engine for its version, giving up after `timeoutMs` so health checks stay fast. */
export async function engineStatus(timeoutMs = 3000): Promise<EngineStatus> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const version = await Promise.race([
      docker().version(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
      }),
    ]);
    return { reachable: true, version: version.Version, apiVersion: version.ApiVersion };
  } catch {
    return { reachable: false };
  } finally {
    clearTimeout(timer);
  }
}
