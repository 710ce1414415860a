"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { runAction } from "@/lib/actions";
import { cancelPackaging, startPackaging } from "@/lib/tarballs/jobs";
import { deleteVersion } from "@/lib/tarballs/store";
import { AppError } from "@/lib/errors";

const name = z.string().min(1).max(255);

export async function createTarballAction(container: string) {
  return runAction(name, container, async (ref) => {
    const job = await startPackaging(ref);
    return { message: `Packaging ${job.env}…` };
  });
}

export async function cancelTarballAction(env: string) {
  return runAction(name, env, async (ref) => {
    if (!cancelPackaging(ref)) throw new AppError("not_found:packaging", `No Create Tar job is running for ${ref}.`);
    return { message: `Cancelling Create Tar of ${ref}; no file will be kept.` };
  });
}

export async function deleteTarballAction(file: string) {
  return runAction(name, file, async (f) => {
    await deleteVersion(f);
    revalidatePath("/docker");
    return { message: `Deleted ${f}.` };
  });
}
