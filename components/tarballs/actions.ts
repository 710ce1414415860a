"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { runAction } from "@/lib/actions";
import { commands, type CommandName } from "@/lib/commands";

const target = z.string().min(1).max(255);

async function run(command: CommandName, value: string) {
  return runAction(command, target, value, async (t) => {
    const message = await commands[command](t);
    revalidatePath("/docker");
    return { message };
  });
}

export async function createTarballAction(container: string) {
  return run("tarball.create", container);
}

export async function cancelTarballAction(env: string) {
  return run("tarball.cancel", env);
}

export async function deleteTarballAction(file: string) {
  return run("tarball.delete", file);
}
