import { readLogLines, type LogSource } from "@/lib/docker/logs";
import { toAppError } from "@/lib/shared/errors";
import { LogsPanel } from "./logs-panel";

/** The last lines of a container's log (within `since`/`until`), read on the server within a line count and a byte cap. */
export async function LogsView({ source, tail, since, until }: { source: LogSource; tail?: string; since: string; until: string }) {
  const name = source.name;
  let result;
  try {
    result = await readLogLines(name, { tail, since, until, source });
  } catch (err) {
    return <p role="alert" className="text-sm text-red-800">Could not read the logs: {toAppError(err).message}</p>;
  }
  if (result.noLogs) {
    return (
      <p role="note" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
        {result.noLogs}
      </p>
    );
  }
  return <LogsPanel key={`${since}|${until}`} log={result} since={since} until={until} downloadHref={`/api/containers/${encodeURIComponent(name)}/logs`} />;
}
