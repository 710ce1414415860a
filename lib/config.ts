import "server-only";
import path from "node:path";
import { z } from "zod";
import { FLAVORS, flavorOf, type Flavor, type FlavorName } from "@/lib/shared/flavor";
import { parseRunnerList, type RunnerEndpoint } from "@/lib/shared/runners";
import { parseRegistrySettings, type RegistrySettings } from "@/lib/registry/settings";
import { parseOidcSettings, type OidcSettings } from "@/lib/auth/oidc-settings";

/** Settings read from the environment; see the README's configuration table. */
export interface Config {
  port: number;
  host: string;
  /** What the dashboard tells the user it tried, e.g. `unix:///var/run/docker.sock`. */
  dockerEndpoint: string;
  dataDir: string;
  sharedDir: string;
  /** Absolute path of `shared_dir/container_dir`, where tarballs live. */
  containerDir: string;
  /** Set when the operator fixed the token; otherwise it lives in the data dir. */
  authToken: string | undefined;
  /** Tarball versions kept per environment after a new one is complete. */
  tarKeep: number;
  /** Behind a reverse proxy: take the client address and host from X-Forwarded-For / -Host. */
  trustProxy: boolean;
  /** Whose conventions environments follow: HakuRiver's (default) or KohakuRiver's. */
  flavor: FlavorName;
  /** Shells one session (or all bearer-token clients together) may have open at once. */
  shellsPerSession: number;
  /**
   * Shells one client address may have open at once, over all its sessions and the bearer token,
   * attached or waiting for a resume: logins cost nothing, so without it one client could take
   * every shell of the server.
   */
  shellsPerAddress: number;
  /** How long a shell whose browser went away (reload, network loss) waits to be resumed, in seconds. */
  shellGraceSeconds: number;
  /** The last output kept per shell for a browser that resumes it, in bytes. */
  shellReplayBytes: number;
  /** Lines a shell's terminal keeps above the screen. */
  shellScrollback: number;
  /** Runner engines shown in the Runners tab (HAKURIVER_RUNNERS); none by default. */
  runners: RunnerEndpoint[];
  /** How many Runners load a version at once during Sync now. */
  runnerSyncLimit: number;
  /** How long a finished job that did not fail stays listed (failures stay until dismissed), in minutes. */
  jobKeepMinutes: number;
  /** The OCI registry versions are pushed to besides the tarball (HAKURIVER_REGISTRY); none by default. */
  registry?: RegistrySettings;
  /** Single sign-on with OpenID Connect (HAKURIVER_OIDC_ISSUER); off by default. */
  oidc?: OidcSettings;
}

const portSchema = z.coerce
  .number({ error: "must be a number" })
  .int("must be a whole number")
  .min(1, "must be between 1 and 65535")
  .max(65535, "must be between 1 and 65535");

const nonEmpty = z.string().trim().min(1, "must not be empty");

const envSchema = z.object({
  PORT: portSchema.default(3000),
  HOST: nonEmpty.default("127.0.0.1"),
  DOCKER_HOST: z
    .string()
    .trim()
    .regex(/^(unix|tcp|npipe|ssh|http|https):\/\/.+/, "must look like unix:///path or tcp://host:port")
    .optional(),
  HAKURIVER_DATA_DIR: nonEmpty.default("./data"),
  HAKURIVER_SHARED_DIR: nonEmpty.optional(),
  HAKURIVER_CONTAINER_DIR: nonEmpty.default("hakuriver-containers"),
  HAKURIVER_TAR_KEEP: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be at least 1 (1 keeps only the newest, as HakuRiver does)")
    .max(1000, "must be at most 1000")
    .default(3),
  HAKURIVER_JOB_KEEP_MINUTES: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(7 * 24 * 60, "must be at most a week (10080)")
    .default(30),
  HAKURIVER_TRUST_PROXY: z.enum(["0", "1", "true", "false"], { error: "must be 1 or 0" }).default("0"),
  HAKURIVER_SHELLS_PER_SESSION: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(64, "must be at most 64 (the limit for all sessions together)")
    .default(16),
  HAKURIVER_SHELLS_PER_ADDRESS: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    // Under the 64 for everyone together, so that one address never takes them all.
    .max(48, "must be at most 48 (one address must leave some of the 64 shells to others)")
    .default(24),
  HAKURIVER_SHELL_GRACE_SECONDS: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number of seconds")
    .min(0, "must be at least 0 (0 ends a shell as soon as its browser goes away)")
    .max(86_400, "must be at most 86400 (a day)")
    .default(60),
  HAKURIVER_SHELL_REPLAY_KIB: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number of KiB")
    .min(0, "must be at least 0")
    .max(65_536, "must be at most 65536 (64 MiB per shell)")
    .default(256),
  HAKURIVER_SHELL_SCROLLBACK: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number of lines")
    .min(0, "must be at least 0")
    .max(100_000, "must be at most 100000")
    .default(5000),
  HAKURIVER_FLAVOR: z.enum(FLAVORS as [FlavorName, ...FlavorName[]], { error: `must be one of ${FLAVORS.join(", ")}` }).default("hakuriver"),
  HAKURIVER_RUNNERS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const { runners, problems } = parseRunnerList(value ?? "");
      for (const message of problems) ctx.addIssue({ code: "custom", message });
      return runners;
    }),
  HAKURIVER_RUNNER_SYNC_LIMIT: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(64, "must be at most 64")
    .default(2),
  HAKURIVER_AUTH_TOKEN: z
    .string()
    .min(16, "must be at least 16 characters")
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")
    .optional(),
});

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses and validates the environment. Throws ConfigError naming every bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  // Empty strings mean "unset", as shells often export them that way.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(cleaned);
  const registry = parseRegistrySettings(env);
  const oidc = parseOidcSettings(env);
  if (!result.success || registry.problems.length || oidc.problems.length) {
    throw new ConfigError([
      ...(result.error?.issues ?? []).map((issue) => {
        const name = String(issue.path[0]);
        return `${name}=${JSON.stringify(env[name] ?? "")}: ${issue.message}`;
      }),
      ...registry.problems,
      ...oidc.problems,
    ]);
  }
  const e = result.data;
  const dataDir = path.resolve(/*turbopackIgnore: true*/ e.HAKURIVER_DATA_DIR);
  const sharedDir = path.resolve(/*turbopackIgnore: true*/ e.HAKURIVER_SHARED_DIR ?? path.join(dataDir, "shared"));
  return {
    port: e.PORT,
    host: e.HOST,
    dockerEndpoint: e.DOCKER_HOST ?? "unix:///var/run/docker.sock",
    dataDir,
    sharedDir,
    containerDir: path.resolve(/*turbopackIgnore: true*/ sharedDir, e.HAKURIVER_CONTAINER_DIR),
    authToken: e.HAKURIVER_AUTH_TOKEN,
    tarKeep: e.HAKURIVER_TAR_KEEP,
    trustProxy: e.HAKURIVER_TRUST_PROXY === "1" || e.HAKURIVER_TRUST_PROXY === "true",
    flavor: e.HAKURIVER_FLAVOR,
    shellsPerSession: e.HAKURIVER_SHELLS_PER_SESSION,
    shellsPerAddress: e.HAKURIVER_SHELLS_PER_ADDRESS,
    shellGraceSeconds: e.HAKURIVER_SHELL_GRACE_SECONDS,
    shellReplayBytes: e.HAKURIVER_SHELL_REPLAY_KIB * 1024,
    shellScrollback: e.HAKURIVER_SHELL_SCROLLBACK,
    runners: e.HAKURIVER_RUNNERS,
    runnerSyncLimit: e.HAKURIVER_RUNNER_SYNC_LIMIT,
    jobKeepMinutes: e.HAKURIVER_JOB_KEEP_MINUTES,
    ...(registry.settings ? { registry: registry.settings } : {}),
    ...(oidc.settings ? { oidc: oidc.settings } : {}),
  };
}

let cached: Config | undefined;

/** The process's configuration, parsed once. */
export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** The naming conventions of the configured flavour (image namespace, labels, container names). */
export function getFlavor(): Flavor {
  return flavorOf(getConfig().flavor);
}
