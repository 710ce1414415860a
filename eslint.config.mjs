import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

/** Next.js's own rules (React, hooks, accessibility basics, Core Web Vitals) and its TypeScript rules. */
export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([".next/**", "dist/**", "node_modules/**", "test-results/**", "playwright-report/**", "data/**", "next-env.d.ts"]),
]);
