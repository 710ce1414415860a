"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/lib/actions";
import { deleteContainer, startContainer, stopContainer } from "@/lib/docker/containers";
import { containerRefSchema } from "@/lib/validation";

export async function startContainerAction(name: string) {
  return runAction(containerRefSchema, name, async (ref) => {
    await startContainer(ref);
    revalidatePath("/docker");
    return { message: `Started ${ref}.` };
  });
}

export async function stopContainerAction(name: string) {
  return runAction(containerRefSchema, name, async (ref) => {
    await stopContainer(ref);
    revalidatePath("/docker");
    return { message: `Stopped ${ref}.` };
  });
}

export async function deleteContainerAction(name: string) {
  return runAction(containerRefSchema, name, async (ref) => {
    await deleteContainer(ref);
    revalidatePath("/docker");
    return { message: `Deleted ${ref}. Its tarballs in shared storage are kept.` };
  });
}
