import "server-only";
import type { z } from "zod";
import { audited } from "@/lib/audit";
import { getFlavor } from "@/lib/config";
import { adoptContainer, containerExists, deleteContainer, startContainer, stopContainer, unpauseContainer } from "@/lib/docker/containers";
import { cancelCreation, startCreation } from "@/lib/docker/creations";
import { revealEnvironment } from "@/lib/docker/inspect";
import { containerRefSchema, createContainerSchema, envNameSchema, firstIssue, jobIdSchema, tarballCreateSchema, tarballFileSchema, versionContainerSchema } from "@/lib/schemas";
import { checkLoadable, loadVersion, versionImage } from "@/lib/tarballs/load";
import { holdVersionTag, releaseVersionTag, removeUnusedVersionTags } from "@/lib/tarballs/version-tags";
import { cancelVerification, startVerification } from "@/lib/tarballs/verifications";
import { jobs } from "@/lib/jobs";
import { JOB_LABELS } from "@/lib/shared/jobs";
import { AppError } from "@/lib/shared/errors";
import { COMMAND_ROLES, type Who } from "@/lib/shared/roles";
import { permit } from "@/lib/auth/permit";
import { cancelPackage, startPackage } from "@/lib/tarballs/package";
import { deleteVersion } from "@/lib/tarballs/store";
import { startPush } from "@/lib/registry/push";
import { removeFromRegistry } from "@/lib/registry/remove";
import { noInputSchema, runnerNameSchema, runnerSyncSchema } from "@/lib/runners/schemas";
import { cancelSync, startSync, startSyncAll } from "@/lib/runners/sync";

/**
 * Every command of the dashboard, once: its input schema, its work, and the HTTP status of its
 * success. Server actions (lib/actions.ts) and REST routes (lib/http.ts) are derived from this
 * table through `execute`, so a click and an API call validate, behave, read and are audited the
 * same. Keys are the audit log's action names.
 */
export interface Command<I> {
  input: z.ZodType<I>;
  /** HTTP status of a success (202 for work that goes on in the background). */
  status: 200 | 202;
  run: (input: I, context: CommandContext) => Promise<CommandResult>;
  /** What the audit log names as the target. */
  target?: (input: I) => string;
}

/** What a command knows of its caller: the audit log's id for them. */
export interface CommandContext {
  caller: string;
}

export interface CommandResult {
  /** What the user is told. */
  message: string;
  /** Extra fields of the REST answer and the action's `data`. */
  data?: Record<string, unknown>;
}

const command = <I>(c: Command<I>): Command<I> => c;

export const commands = {
  "container.create": command({
    input: createContainerSchema,
    status: 202,
    target: ({ name, image }) => `${name} from ${image}`,
    run: async (input, { caller }) => {
      if (await containerExists(getFlavor().containerName(input.name))) {
        throw new AppError("conflict:container", `A container named ${getFlavor().containerName(input.name)} already exists.`);
      }
      const job = startCreation(input, caller);
      return { message: `Creating ${job.container} from ${job.image}…`, data: { job } };
    },
  }),
  "container.create.cancel": command({
    input: envNameSchema,
    status: 200,
    run: async (env) => ({ message: await cancelCreation(env) }),
  }),
  "container.start": command({
    input: containerRefSchema,
    status: 200,
    run: async (name) => {
      await startContainer(name);
      return { message: `Started ${name}.` };
    },
  }),
  "container.stop": command({
    input: containerRefSchema,
    status: 200,
    run: async (name) => {
      await stopContainer(name);
      return { message: `Stopped ${name}.` };
    },
  }),
  "container.unpause": command({
    input: containerRefSchema,
    status: 200,
    run: async (name) => {
      await unpauseContainer(name);
      return { message: `Resumed ${name}.` };
    },
  }),
  "container.delete": command({
    input: containerRefSchema,
    status: 200,
    run: async (name, { caller }) => {
      await deleteContainer(name);
      // A container made from an older version was the last user of its temporary tag, maybe.
      await removeUnusedVersionTags(caller, `${name} was deleted`);
      return { message: `Deleted ${name}. Its tarballs in shared storage are kept.` };
    },
  }),
  "container.adopt": command({
    input: containerRefSchema,
    status: 200,
    run: async (name) => {
      const c = await adoptContainer(name);
      return { message: `Adopted ${c.name} as environment ${c.envName}; it is listed with the environment containers from now on.` };
    },
  }),
  "container.env.reveal": command({
    input: containerRefSchema,
    status: 200,
    run: async (name) => {
      const env = await revealEnvironment(name);
      return { message: `Showing the ${env.length} environment values of ${name}.`, data: { env } };
    },
  }),
  "tarball.create": command({
    input: tarballCreateSchema,
    status: 202,
    target: ({ container, note }) => (note ? `${container} (note: ${note})` : container),
    run: async ({ container, note }) => {
      const job = await startPackage(container, note);
      return { message: `Packaging ${job.env}…`, data: { job } };
    },
  }),
  "tarball.cancel": command({
    input: envNameSchema,
    status: 200,
    run: async (env) => {
      if (!cancelPackage(env)) throw new AppError("not_found:packaging", `No Create Tar job is running for ${env}.`);
      return { message: `Cancelling Create Tar of ${env}; no file will be kept.` };
    },
  }),
  "tarball.verify": command({
    input: tarballFileSchema,
    status: 202,
    run: async (file) => {
      const verification = await startVerification(file);
      return { message: `Verifying ${file}…`, data: { verification } };
    },
  }),
  "tarball.verify.cancel": command({
    input: tarballFileSchema,
    status: 200,
    run: async (file) => {
      if (!cancelVerification(file)) throw new AppError("not_found:tarball", `${file} is not being verified.`);
      return { message: `Cancelled Verify of ${file}.` };
    },
  }),
  "job.end": command({
    input: jobIdSchema,
    status: 200,
    run: async (id) => {
      const job = jobs().get(id);
      const done = jobs().cancelOrDismiss(id);
      if (!job || !done) throw new AppError("not_found:job", "No such job (it may have been dismissed already).");
      const what = `${JOB_LABELS[job.kind]} of ${job.target}`;
      return { message: done === "cancelling" ? `Cancelling ${what}.` : `Dismissed ${what}.`, data: { job: jobs().get(id) ?? { ...job, dismissed: true } } };
    },
  }),
  "tarball.container": command({
    input: versionContainerSchema,
    status: 202,
    target: ({ file, name }) => `${name} from ${file}`,
    run: async ({ file, name }, { caller }) => {
      if (await containerExists(getFlavor().containerName(name))) {
        throw new AppError("conflict:container", `A container named ${getFlavor().containerName(name)} already exists.`);
      }
      // Up front: a name that is not a listed version, or a file that is not a loadable archive, is a 4xx now, not a failed job later.
      await checkLoadable(file);
      const { ref } = versionImage(file);
      holdVersionTag(ref);
      let job;
      try {
        job = startCreation({ image: ref, name }, caller, {
          file,
          prepare: (emit, signal) => loadVersion(file, emit, signal),
          // Made: the container now holds the tag. Not made: the tag goes unless another container uses it.
          finished: async (made) => {
            releaseVersionTag(ref);
            if (!made) await removeUnusedVersionTags(caller, `${name} was not made from ${file}`);
          },
        });
      } catch (err) {
        releaseVersionTag(ref);
        throw err;
      }
      return { message: `Loading ${file} as ${ref}, then creating ${job.container}…`, data: { job } };
    },
  }),
  "tarball.delete": command({
    input: tarballFileSchema,
    status: 200,
    run: async (file) => {
      await deleteVersion(file);
      return { message: `Deleted ${file}.${await removeFromRegistry(file)}` };
    },
  }),
  "tarball.push": command({
    input: tarballFileSchema,
    status: 202,
    run: async (file) => {
      const job = await startPush(file);
      return { message: `Pushing ${file} to ${job.about?.ref ?? "the registry"}…`, data: { job } };
    },
  }),
  "runner.sync": command({
    input: runnerSyncSchema,
    status: 202,
    target: ({ runner, env }) => (env ? `${env} on ${runner}` : runner),
    run: async ({ runner, env }) => {
      const job = await startSync(runner, env);
      if (!job) return { message: `${runner} already has the newest version${env ? ` of ${env}` : " of every environment it uses"}; nothing to load.`, data: { job: null } };
      return { message: `Syncing ${runner}: loading ${job.items.map((i) => i.file).join(", ")}…`, data: { job } };
    },
  }),
  "runner.sync_all": command({
    input: noInputSchema,
    status: 202,
    target: () => "all Runners",
    run: async () => {
      const results = await startSyncAll();
      const started = results.filter((r) => r.job).length;
      // The names here; each Runner's reason is in `results` and on its card.
      const failed = results.filter((r) => r.error).map((r) => r.runner);
      if (started === 0 && failed.length === results.length && failed.length > 0) {
        throw new AppError("unavailable:runner", `No Runner could be synced: ${failed.join(", ")} cannot be reached or refused; each Runner's card says why.`);
      }
      return {
        message: `Syncing ${started} of ${results.length} Runners${failed.length ? `; not started: ${failed.join(", ")} (each Runner's card says why)` : "; the others are up to date"}.`,
        data: { results },
      };
    },
  }),
  "runner.cancel": command({
    input: runnerNameSchema,
    status: 200,
    run: async (runner) => {
      if (!cancelSync(runner)) throw new AppError("not_found:sync", `${runner} is not syncing.`);
      return { message: `Cancelling Sync now of ${runner}; it keeps the image it had.` };
    },
  }),
};

export type CommandName = keyof typeof commands;

/**
 * Role → validate → run → audit: the one path of every command, whichever surface it came from.
 * Throws an AppError (bad input is `bad_request:input`); the outcome is in the audit log under
 * the caller's id either way.
 */
export async function execute(name: CommandName, who: Who, input: unknown): Promise<CommandResult> {
  const cmd = commands[name] as Command<unknown>;
  const parsed = cmd.input.safeParse(input);
  const target = parsed.success && cmd.target ? cmd.target(parsed.data) : typeof input === "string" ? input : JSON.stringify(input ?? null);
  // The role first (lib/shared/roles.ts): a refusal changes nothing and is audited as denied.
  const denied = permit(who, COMMAND_ROLES[name], name, target);
  if (denied) throw new AppError(denied.code, denied.error);
  return audited(who.id, name, target, async () => {
    if (!parsed.success) throw new AppError("bad_request:input", firstIssue(parsed.error));
    return cmd.run(parsed.data, { caller: who.id });
  });
}
