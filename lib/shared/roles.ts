/**
 * Roles, and the one table of what each route, command, socket event and download needs. The
 * server's single authorisation path (lib/auth/permit.ts) reads it; the pages read it too, to
 * disable what a role cannot use (the server refuses regardless). Pure: safe in the browser.
 */

export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, resolved once per request or socket. */
export interface Principal {
  /** `owner`: the owner token (or a session made with it); `person`: a local account's session; `token`: a personal API token. */
  kind: "owner" | "person" | "token";
  /** The person (`owner` for the owner token). */
  name: string;
  role: Role;
  /** For a personal API token: its name. */
  tokenName?: string;
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Whether `role` has every right of `need`. */
export function roleAllows(role: Role, need: Role): boolean {
  return RANK[role] >= RANK[need];
}

/** The lower of two roles (a token never has more rights than its maker). */
export function lowerRole(a: Role, b: Role): Role {
  return RANK[a] <= RANK[b] ? a : b;
}

const WHAT: Record<Role, string> = {
  viewer: "viewer (looking only)",
  operator: "operator (creating, starting, stopping, shells, Create Tar, Verify, Sync, downloads)",
  admin: "admin (deleting versions, people and tokens, ending others' sessions)",
};

/** The plain sentence of a 403 `forbidden:role`. */
export function roleMessage(need: Role, have: Role, what?: string): string {
  return `${what ? `${what} needs` : "This needs"} the ${need} role or higher; you are signed in as ${have}. Ask an admin (the ${WHAT[need]} role).`;
}

/** Every command of lib/commands.ts (server actions and REST routes alike), by name. */
export const COMMAND_ROLES = {
  "container.create": "operator",
  "container.create.cancel": "operator",
  "container.start": "operator",
  "container.stop": "operator",
  "container.unpause": "operator",
  "container.delete": "operator",
  "container.adopt": "operator",
  "container.env.reveal": "operator",
  "tarball.create": "operator",
  "tarball.cancel": "operator",
  "tarball.verify": "operator",
  "tarball.verify.cancel": "operator",
  "job.end": "operator",
  "tarball.container": "operator",
  "tarball.delete": "admin",
  "runner.sync": "operator",
  "runner.sync_all": "operator",
  "runner.cancel": "operator",
  "tarball.push": "operator",
} as const satisfies Record<string, Role>;

/** Socket.IO events of the /terminal namespace (the /live namespace only reads: viewer). */
export const SOCKET_EVENT_ROLES: Record<string, Role> = {
  open: "operator",
  resume: "operator",
  list: "operator",
  input: "operator",
  resize: "operator",
  ack: "operator",
  "close-shell": "operator",
};
/** Seeing environment values (a container's Reveal values is the command `container.env.reveal`; a version's come with its details). */
export const ENV_VALUES_ROLE: Role = "operator";
/** Ending another person's shell. */
export const END_OTHERS_SHELL_ROLE: Role = "admin";

/**
 * HTTP routes that need more than the default (GET and HEAD: viewer; anything else: operator, the
 * commands then check their own role). First match wins; `method` `*` is any.
 */
export const ROUTE_ROLES: { method: string; path: RegExp; role: Role; what: string }[] = [
  { method: "*", path: /^\/api\/people(\/|$)/, role: "admin", what: "Managing people" },
  // Ends every session of everyone.
  { method: "*", path: /^\/api\/auth\/logout-everywhere\/?$/, role: "admin", what: "Ending every session" },
  { method: "*", path: /^\/people\/?$/, role: "admin", what: "The People page" },
  { method: "*", path: /^\/api\/audit\/?$/, role: "admin", what: "Reading the audit log" },
  { method: "*", path: /^\/audit\/?$/, role: "admin", what: "The audit page" },
  // Everyone manages their own tokens (never above their own role); an admin anyone's.
  { method: "*", path: /^\/api\/tokens(\/|$)/, role: "viewer", what: "Personal tokens" },
  { method: "GET", path: /^\/api\/tarballs\/[^/]+\/download\/?$/, role: "operator", what: "Downloading a tarball" },
  { method: "HEAD", path: /^\/api\/tarballs\/[^/]+\/download\/?$/, role: "operator", what: "Downloading a tarball" },
];

/** The role an HTTP request needs, by method and path. */
export function routeRole(method: string, pathname: string): { role: Role; what?: string } {
  const m = method.toUpperCase();
  const rule = ROUTE_ROLES.find((r) => (r.method === "*" || r.method === m) && r.path.test(pathname));
  if (rule) return { role: rule.role, what: rule.what };
  return { role: m === "GET" || m === "HEAD" || m === "OPTIONS" ? "viewer" : "operator" };
}

/** A caller as commands see it: the credential's id (the audit log's `session`) and the principal. */
export interface Who {
  id: string;
  principal: Principal;
}

export const MIN_PASSWORD_LENGTH = 10;

/** One line of the audit log as the admin's view shows it (lib/audit.ts writes them). */
export interface AuditLine {
  time: string;
  person: string;
  role?: string;
  token?: string;
  session: string;
  action: string;
  target: string;
  result: "ok" | "error" | "denied";
  detail?: string;
}
