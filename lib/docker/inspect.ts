import "server-only";
import type Docker from "dockerode";
import { getFlavor } from "@/lib/config";
import { HIDDEN_VALUE, type ContainerInspect } from "@/lib/shared/inspect";
import { docker } from "./client";
import { fromDockerError } from "./errors";

/** Docker's "" for a time that never happened is "0001-01-01T00:00:00Z". */
const when = (t: string | undefined) => (!t || t.startsWith("0001-") ? "" : t);

function splitEnv(entry: string): { name: string; value: string } {
  const eq = entry.indexOf("=");
  return eq < 0 ? { name: entry, value: "" } : { name: entry.slice(0, eq), value: entry.slice(eq + 1) };
}

async function rawInspect(name: string): Promise<Docker.ContainerInspectInfo> {
  try {
    return await docker().getContainer(name).inspect();
  } catch (err) {
    throw fromDockerError(err, { kind: "container", name });
  }
}

function portsOf(info: Docker.ContainerInspectInfo): string[] {
  const published = info.NetworkSettings?.Ports ?? {};
  const exposed = Object.keys(info.Config.ExposedPorts ?? {});
  const all = [...new Set([...exposed, ...Object.keys(published)])].sort();
  return all.map((port) => {
    const bindings = published[port] ?? [];
    return bindings.length ? `${port} → ${bindings.map((b) => `${b.HostIp || "0.0.0.0"}:${b.HostPort}`).join(", ")}` : `${port} (not published)`;
  });
}

function healthOf(state: Docker.ContainerInspectInfo["State"]): ContainerInspect["state"]["health"] {
  const health = state.Health;
  if (!health) return undefined;
  const last = health.Log?.at(-1);
  return { status: health.Status, lastOutput: last?.Output?.trim() ?? "", lastExitCode: last?.ExitCode, lastAt: last?.End };
}

/** The engine's answer as JSON text, with each environment value replaced by a placeholder. */
function redactedJson(info: Docker.ContainerInspectInfo): string {
  const env = (info.Config.Env ?? []).map((e) => `${splitEnv(e).name}=${HIDDEN_VALUE}`);
  return JSON.stringify({ ...info, Config: { ...info.Config, Env: env } }, null, 2);
}

/** How a container is configured and how it last ran, without its environment values. */
export async function inspectContainer(name: string): Promise<ContainerInspect> {
  const info = await rawInspect(name);
  const ours = new Set(Object.values(getFlavor().labels));
  const restart = info.HostConfig.RestartPolicy;
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ""),
    image: info.Config.Image,
    imageId: info.Image,
    command: info.Config.Cmd ?? [],
    entrypoint: typeof info.Config.Entrypoint === "string" ? [info.Config.Entrypoint] : (info.Config.Entrypoint ?? []),
    workingDir: info.Config.WorkingDir ?? "",
    user: info.Config.User ?? "",
    envNames: (info.Config.Env ?? []).map((e) => splitEnv(e).name),
    mounts: (info.Mounts ?? []).map((m) => ({ type: m.Type ?? "", source: m.Name ?? m.Source, destination: m.Destination, mode: m.Mode, readOnly: !m.RW })),
    ports: portsOf(info),
    labels: Object.entries(info.Config.Labels ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => ({ key, value, ours: ours.has(key) })),
    restartPolicy: !restart?.Name || restart.Name === "no" ? "no" : `${restart.Name}${restart.MaximumRetryCount ? ` (at most ${restart.MaximumRetryCount} retries)` : ""}`,
    state: {
      status: info.State.Status,
      exitCode: info.State.ExitCode,
      oomKilled: info.State.OOMKilled,
      error: info.State.Error ?? "",
      created: when(info.Created),
      started: when(info.State.StartedAt),
      finished: when(info.State.FinishedAt),
      health: healthOf(info.State),
    },
    logDriver: info.HostConfig.LogConfig?.Type ?? "json-file",
    tty: info.Config.Tty === true,
    raw: redactedJson(info),
  };
}

/** The container's environment with its values: only through the audited `container.env.reveal` command. */
export async function revealEnvironment(name: string): Promise<{ name: string; value: string }[]> {
  const info = await rawInspect(name);
  return (info.Config.Env ?? []).map(splitEnv);
}
