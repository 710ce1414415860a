"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/lib/actions";
import { commands, type CommandName } from "@/lib/commands";
import { containerRefSchema } from "@/lib/schemas";

async function run(command: CommandName, name: string) {
  return runAction(command, containerRefSchema, name, async (ref) => {
    const message = await commands[command](ref);
    revalidatePath("/docker");
    return { message };
  });
}

export async function startContainerAction(name: string) {
  return run("container.start", name);
}

export async function stopContainerAction(name: string) {
  return run("container.stop", name);
}

export async function deleteContainerAction(name: string) {
  return run("container.delete", name);
}
