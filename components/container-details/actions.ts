"use server";

import { runCommand } from "@/lib/actions";

/** The container's environment values, for Reveal values: authorised and audited as every command. */
export async function revealEnvironmentAction(name: string) {
  return runCommand("container.env.reveal", name);
}
