import type { ContainersView } from "@/lib/shared/containers";

/** TanStack Query keys, in one place: the hooks read them and the live connection writes them. */
export const queryKeys = {
  containers: ["containers"] as const,
  containersView: (view: ContainersView) => ["containers", view] as const,
  /** Every job of lib/jobs (GET /api/jobs, pushed as `jobs`). */
  jobs: ["jobs"] as const,
  tarballs: ["tarballs"] as const,
  verifications: ["verifications"] as const,
};
