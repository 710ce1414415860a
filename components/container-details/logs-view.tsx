import { readLogTail } from "@/lib/docker/logs";
import { toAppError } from "@/lib/shared/errors";
import { LogLines } from "./log-lines";

/** The last lines of a container's log, read on the server within a line count and a byte cap. */
export async function LogsView({ name, tail }: { name: string; tail?: number }) {
  let result;
  try {
    result = await readLogTail(name, { tail });
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
  return <LogLines log={result} downloadHref={`/api/containers/${encodeURIComponent(name)}/logs`} />;
}
