import fs from "node:fs";

/** Every page and route handler of the build (`npm run build` first), with dynamic segments filled in. */
export function builtRoutes(): { path: string; kind: "page" | "route" }[] {
  const manifest = JSON.parse(fs.readFileSync(".next/server/app-paths-manifest.json", "utf8")) as Record<string, string>;
  return Object.keys(manifest)
    .filter((k) => !k.startsWith("/_"))
    .map((k) => {
      const kind = k.endsWith("/route") ? ("route" as const) : ("page" as const);
      const p = k
        .replace(/\/(page|route)$/, "")
        .replace(/\/\([^)]+\)/g, "")
        .replace(/\[([^\]]+)\]/g, "x-$1");
      return { path: p || "/", kind };
    });
}

/** Every server action of the build, by id. */
export function builtActions(): { id: string; name: string }[] {
  const manifest = JSON.parse(fs.readFileSync(".next/server/server-reference-manifest.json", "utf8")) as {
    node: Record<string, { exportedName: string; filename: string }>;
  };
  return Object.entries(manifest.node).map(([id, a]) => ({ id, name: `${a.filename}#${a.exportedName}` }));
}

/** Every event the /terminal namespace listens for, read from its source (a new one is found too). */
export function terminalEvents(): string[] {
  const source = fs.readFileSync("lib/terminal/socket.ts", "utf8");
  return [...source.matchAll(/socket\.on\("([^"]+)"/g)].map((m) => m[1]).filter((e) => e !== "disconnect");
}
