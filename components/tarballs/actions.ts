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

export async function createTarballWithNoteAction(container: string, note: string) {
  return runCommand("tarball.create", { container, note });
}

export async function verifyTarballAction(file: string) {
  return runCommand("tarball.verify", file);
}

export async function cancelVerifyAction(file: string) {
  return runCommand("tarball.verify.cancel", file);
}

export async function versionContainerAction(file: string, name: string) {
  return runCommand("tarball.container", { file, name });
}

export async function pushTarballAction(file: string) {
  return runCommand("tarball.push", file);
}
