"use server";

import { runCommand } from "@/lib/actions";

export async function createTarballAction(container: string) {
  return runCommand("tarball.create", container);
}

export async function cancelTarballAction(env: string) {
  return runCommand("tarball.cancel", env);
}

export async function deleteTarballAction(file: string) {
  return runCommand("tarball.delete", file);
}
