"use server";

import { runCommand } from "@/lib/actions";
import { containerRefSchema } from "@/lib/schemas";

export async function startContainerAction(name: string) {
  return runCommand("container.start", containerRefSchema, name);
}

export async function stopContainerAction(name: string) {
  return runCommand("container.stop", containerRefSchema, name);
}

export async function deleteContainerAction(name: string) {
  return runCommand("container.delete", containerRefSchema, name);
}

export async function adoptContainerAction(name: string) {
  return runCommand("container.adopt", containerRefSchema, name);
}
