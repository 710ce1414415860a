import "server-only";

/** Longest line kept while waiting for its newline: an engine message is a few KB. */
const MAX_LINE = 1024 * 1024;

/**
 * Calls `onValue` with each JSON object of an engine NDJSON stream (events, stats) as its lines
 * arrive; a line that is not a JSON object is skipped, a line longer than MAX_LINE dropped.
 */
export function onNdjson(stream: NodeJS.ReadableStream, onValue: (value: object) => void): void {
  let rest = "";
  stream.on("data", (chunk: Buffer) => {
    rest += chunk.toString("utf8");
    let nl: number;
    while ((nl = rest.indexOf("\n")) >= 0) {
      const line = rest.slice(0, nl).trim();
      rest = rest.slice(nl + 1);
      if (!line) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue;
      }
      if (value !== null && typeof value === "object") onValue(value as object);
    }
    if (rest.length > MAX_LINE) rest = "";
  });
}
