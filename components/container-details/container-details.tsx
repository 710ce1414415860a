import Link from "next/link";
import { inspectContainer } from "@/lib/docker/inspect";
import { toAppError } from "@/lib/shared/errors";
import { CONTAINER_REF_PATTERN } from "@/lib/shared/validation";
import type { ContainerInspect } from "@/lib/shared/inspect";
import { DetailTabs, type DetailView } from "./detail-tabs";
import { InspectView } from "./inspect-view";
import { LogsView } from "./logs-view";
import { StatsView } from "./stats-view";

function BackLink() {
  return (
    <Link href="/docker?tab=containers" className="text-sm font-medium text-teal-800 underline-offset-2 hover:underline">
      ← Host Containers
    </Link>
  );
}

/** The engine's inspect of `name`, or the sentence to show instead (no such container, engine down). */
async function load(name: string): Promise<ContainerInspect | string> {
  if (!CONTAINER_REF_PATTERN.test(name)) return `"${name}" is not a container name or ID.`;
  try {
    return await inspectContainer(name);
  } catch (err) {
    const e = toAppError(err);
    if (e.code === "not_found:container") return `No container named ${name} on this Host. It may have been deleted.`;
    return e.message;
  }
}

/** One container's page: a back link, its state in a line, and the Logs, Inspect or Stats view. */
export interface LogRangeParams {
  tail?: string;
  since: string;
  until: string;
}

export async function ContainerDetails({ name, view, range }: { name: string; view: DetailView; range: LogRangeParams }) {
  const info = await load(name);
  if (typeof info === "string") {
    return (
      <div className="mx-auto max-w-6xl">
        <BackLink />
        <h1 className="mt-3 text-2xl font-semibold tracking-tight [overflow-wrap:anywhere]">{name}</h1>
        <p role="alert" className="mt-4 rounded-md border border-slate-300 bg-slate-50 px-3 py-2 text-sm text-slate-800">
          {info}
        </p>
      </div>
    );
  }
  return (
    <div className="mx-auto max-w-6xl">
      <BackLink />
      <h1 className="mt-3 text-2xl font-semibold tracking-tight [overflow-wrap:anywhere]">{info.name}</h1>
      <p className="mt-1 text-sm text-slate-600 [overflow-wrap:anywhere]">
        {info.image} · {info.state.status}
        {info.state.status === "exited" ? ` · exit ${info.state.exitCode}` : ""}
      </p>
      <DetailTabs container={info.name} active={view} />
      <div role="tabpanel" id={`panel-${view}`} aria-labelledby={`tab-${view}`} className="mt-4">
        {view === "logs" ? (
          <LogsView source={{ id: info.id, name: info.name, tty: info.tty, driver: info.logDriver }} {...range} />
        ) : view === "stats" ? (
          <StatsView name={info.name} running={info.state.status === "running"} />
        ) : (
          <InspectView info={info} />
        )}
      </div>
    </div>
  );
}
