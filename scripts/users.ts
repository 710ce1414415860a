/**
 * People of the dashboard, from the shell (the first set-up, or a lost admin password):
 *   npm run users -- add <name> --role viewer|operator|admin   prints a one-time set-password link
 *   npm run users -- list
 *   npm run users -- role <name> <role>
 *   npm run users -- remove <name>
 *   npm run users -- link <name>                               a new set-password link
 * It edits <data dir>/people.json (HAKURIVER_DATA_DIR), which a running server reads again at once.
 */
import { peopleStore } from "@/lib/auth/people";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/shared/errors";
import { isRole } from "@/lib/shared/roles";

function baseUrl(args: string[]): string {
  const i = args.indexOf("--url");
  if (i >= 0 && args[i + 1]) return args[i + 1].replace(/\/+$/, "");
  const { host, port } = getConfig();
  const shown = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  return `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function run(args: string[]): void {
  const [verb, name, third] = args;
  const store = peopleStore();
  const link = (secret: string) => `${baseUrl(args)}/set-password?token=${secret}`;
  switch (verb) {
    case "add": {
      const role = option(args, "--role") ?? "viewer";
      if (!isRole(role)) throw new AppError("bad_request:role", "--role is viewer, operator or admin.");
      console.log(`Added ${name} (${role}). Send them this link; it works once, for 24 hours:\n    ${link(store.add(name, role))}`);
      return;
    }
    case "link":
      console.log(`A new set-password link for ${name} (older links stop working):\n    ${link(store.resetLink(name))}`);
      return;
    case "list":
      for (const p of store.people()) console.log(`${p.name}\t${p.role}\t${p.password ? "password set" : "waiting for the set-password link"}\tsince ${p.created}`);
      if (store.people().length === 0) console.log("Nobody yet: add someone with `npm run users -- add <name> --role operator`.");
      return;
    case "role":
      if (!isRole(third)) throw new AppError("bad_request:role", "The role is viewer, operator or admin.");
      store.setRole(name, third);
      console.log(`${name} is now ${third}.`);
      return;
    case "remove":
      store.remove(name);
      console.log(`Removed ${name}, their tokens and sessions.`);
      return;
    default:
      console.log("Usage: npm run users -- add <name> --role viewer|operator|admin | list | role <name> <role> | remove <name> | link <name>");
      process.exitCode = 2;
  }
}

try {
  run(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}
