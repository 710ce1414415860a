import "server-only";
import fs from "node:fs";

/**
 * HAKURIVER_REGISTRY and its companions, read once at start (lib/config.ts): where versions are
 * pushed besides the tarball, and how to log in. Pure but for reading the password file.
 */
export interface RegistrySettings {
  /** `host[:port]`, as image references name it (`127.0.0.1:5055`, `registry.example.org`). */
  host: string;
  user?: string;
  password?: string;
  /** Plain HTTP instead of HTTPS: refused for anything but a loopback address. */
  insecure: boolean;
}

const HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:]+\])(?::(\d{1,5}))?$/i;

/** Loopback: `localhost`, 127.0.0.0/8, `[::1]`. The only hosts plain HTTP is allowed to. */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/:\d+$/, "").toLowerCase();
  return name === "localhost" || name === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** The settings (undefined when HAKURIVER_REGISTRY is unset) and every problem, each naming its variable. */
export function parseRegistrySettings(env: Record<string, string | undefined>): { settings?: RegistrySettings; problems: string[] } {
  const value = (name: string) => (env[name] ?? "").trim() || undefined;
  const problems: string[] = [];
  const host = value("HAKURIVER_REGISTRY");
  const user = value("HAKURIVER_REGISTRY_USER");
  const file = value("HAKURIVER_REGISTRY_PASSWORD_FILE");
  let password = value("HAKURIVER_REGISTRY_PASSWORD");
  const insecureRaw = value("HAKURIVER_REGISTRY_INSECURE") ?? "0";
  if (!host) {
    const stray = ["HAKURIVER_REGISTRY_USER", "HAKURIVER_REGISTRY_PASSWORD", "HAKURIVER_REGISTRY_PASSWORD_FILE", "HAKURIVER_REGISTRY_INSECURE"].filter((n) => value(n));
    if (stray.length) problems.push(`${stray.join(", ")} set without HAKURIVER_REGISTRY: set HAKURIVER_REGISTRY=host[:port] too, or unset them`);
    return { problems };
  }
  const m = HOST.exec(host);
  if (!m || (m[1] !== undefined && (Number(m[1]) < 1 || Number(m[1]) > 65535))) {
    problems.push(`HAKURIVER_REGISTRY=${JSON.stringify(host)}: must be host[:port] (no scheme, no path), e.g. registry.example.org or 127.0.0.1:5000`);
  }
  if (!["0", "1", "true", "false"].includes(insecureRaw)) problems.push(`HAKURIVER_REGISTRY_INSECURE=${JSON.stringify(insecureRaw)}: must be 1 or 0`);
  const insecure = insecureRaw === "1" || insecureRaw === "true";
  if (insecure && !isLoopbackHost(host)) {
    problems.push(`HAKURIVER_REGISTRY_INSECURE=1 with HAKURIVER_REGISTRY=${host}: plain HTTP is allowed only to a loopback registry (127.0.0.1, localhost, [::1]); give ${host} TLS`);
  }
  if (password && file) problems.push("HAKURIVER_REGISTRY_PASSWORD and HAKURIVER_REGISTRY_PASSWORD_FILE are both set: keep one");
  else if (file) {
    try {
      password = fs.readFileSync(file, "utf8").replace(/\r?\n$/, "");
      if (!password) problems.push(`HAKURIVER_REGISTRY_PASSWORD_FILE=${file}: the file is empty`);
    } catch (err) {
      problems.push(`HAKURIVER_REGISTRY_PASSWORD_FILE=${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
  if (user && !password) problems.push("HAKURIVER_REGISTRY_USER is set without HAKURIVER_REGISTRY_PASSWORD or HAKURIVER_REGISTRY_PASSWORD_FILE");
  if (password && !user) problems.push("a registry password is set without HAKURIVER_REGISTRY_USER");
  if (problems.length) return { problems };
  return { settings: { host: host.toLowerCase(), ...(user ? { user, password } : {}), insecure }, problems };
}
