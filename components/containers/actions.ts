"use server";

import { runCommand } from "@/lib/actions";

export async function startContainerAction(name: string) {
  return runCommand("container.start", name);
}

export async function stopContainerAction(name: string) {
  return runCommand("container.stop", name);
}

export async function resumeContainerAction(name: string) {
  return runCommand("container.unpause", name);
}

export async function deleteContainerAction(name: string) {
  return runCommand("container.delete", name);
}

export async function adoptContainerAction(name: string) {
  return runCommand("container.adopt", name);
}

export async function cancelCreationAction(env: string) {
  return runCommand("container.create.cancel", env);
}
