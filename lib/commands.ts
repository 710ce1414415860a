import "server-only";
import { adoptContainer, deleteContainer, startContainer, stopContainer } from "@/lib/docker/containers";
import { AppError } from "@/lib/errors";
import { cancelPackaging, startPackaging } from "@/lib/tarballs/jobs";
import { deleteVersion } from "@/lib/tarballs/store";

/**
 * What the dashboard's buttons do, once: server actions (the UI) and route handlers (automation)
 * both call these, so a click and an API call behave and read the same. Each returns the message
 * shown to the user. Names are the audit log's action names.
 */
export const commands = {
  "container.start": async (name: string) => {
    await startContainer(name);
    return `Started ${name}.`;
  },
  "container.stop": async (name: string) => {
    await stopContainer(name);
    return `Stopped ${name}.`;
  },
  "container.delete": async (name: string) => {
    await deleteContainer(name);
    return `Deleted ${name}. Its tarballs in shared storage are kept.`;
  },
  "container.adopt": async (name: string) => {
    const c = await adoptContainer(name);
    return `Adopted ${c.name} as environment ${c.envName}; it is listed with the environment containers from now on.`;
  },
  "tarball.create": async (container: string) => {
    const job = await startPackaging(container);
    return `Packaging ${job.env}…`;
  },
  "tarball.cancel": async (env: string) => {
    if (!cancelPackaging(env)) throw new AppError("not_found:packaging", `No Create Tar job is running for ${env}.`);
    return `Cancelling Create Tar of ${env}; no file will be kept.`;
  },
  "tarball.delete": async (file: string) => {
    await deleteVersion(file);
    return `Deleted ${file}.`;
  },
} satisfies Record<string, (target: string) => Promise<string>>;

export type CommandName = keyof typeof commands;
