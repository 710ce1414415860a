"use server";

import { z } from "zod";
import { runCommand } from "@/lib/actions";

const target = z.string().min(1).max(255);

export async function createTarballAction(container: string) {
  return runCommand("tarball.create", target, container);
}

export async function cancelTarballAction(env: string) {
  return runCommand("tarball.cancel", target, env);
}

export async function deleteTarballAction(file: string) {
  return runCommand("tarball.delete", target, file);
}
