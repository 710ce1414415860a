// Compiles server.ts (and the lib/ modules it imports) to dist/server.mjs, so production runs
// plain node, not a TypeScript loader. Packages stay external, loaded from node_modules.
import { build } from "esbuild";

// lib/ modules start with `import "server-only"`, which throws unless resolved under the
// react-server condition. Outside Next the whole process is server code, so make it a no-op.
const serverOnly = {
  name: "server-only",
  setup(b) {
    b.onResolve({ filter: /^server-only$/ }, () => ({ path: "server-only", namespace: "server-only" }));
    b.onLoad({ filter: /.*/, namespace: "server-only" }, () => ({ contents: "", loader: "js" }));
  },
};

await build({
  entryPoints: ["server.ts"],
  outfile: "dist/server.mjs",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  packages: "external",
  sourcemap: true,
  plugins: [serverOnly],
  logLevel: "warning",
});
console.log("built dist/server.mjs");
