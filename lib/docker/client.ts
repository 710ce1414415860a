import "server-only";
import Docker from "dockerode";
import { getConfig } from "@/lib/config";

let client: Docker | undefined;

/**
 * The one Dockerode client. docker-modem reads DOCKER_HOST itself (unix://, tcp://, ssh://),
 * defaulting to /var/run/docker.sock, so it agrees with the endpoint named in getConfig().
 */
export function docker(): Docker {
  client ??= new Docker();
  return client;
}

/** The endpoint shown to users when the engine cannot be reached. */
export function dockerEndpoint(): string {
  return getConfig().dockerEndpoint;
}
