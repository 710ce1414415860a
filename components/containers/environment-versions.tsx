import Link from "next/link";
import { LocalTime } from "@/components/ui/local-time";
import { timestampIso } from "@/lib/shared/tarball-names";
import type { EnvironmentSummary } from "@/lib/shared/tarballs";

/** Where Shared Tarballs shows an environment: its tab, scrolled to (and expanding) its row. */
export const environmentHref = (env: string) => `/docker?tab=tarballs&env=${encodeURIComponent(env)}#env-${env}`;

/**
 * Under a Host container's name: its environment's newest version (by age) and how many there are,
 * linking to them in Shared Tarballs; or that it has none yet.
 */
export function EnvironmentVersions({ env, summary, known }: { env: string; summary?: EnvironmentSummary; known: boolean }) {
  if (!known) return null;
  if (!summary) {
    return <span className="mt-0.5 block text-xs font-normal text-slate-600">No tarball yet</span>;
  }
  const iso = timestampIso(summary.latest.timestamp);
  return (
    <Link
      href={environmentHref(env)}
      data-testid="environment-versions"
      title={`${summary.versionCount} ${summary.versionCount === 1 ? "version" : "versions"} of ${env} in Shared Tarballs; latest ${summary.latest.file}`}
      className="mt-0.5 block w-fit max-w-full truncate text-xs font-normal text-teal-800 underline decoration-teal-700/40 underline-offset-2 hover:decoration-teal-700"
    >
      {summary.versionCount} {summary.versionCount === 1 ? "version" : "versions"}
      {iso && (
        <>
          {" · latest "}
          <LocalTime iso={iso} ageOnly />
        </>
      )}
    </Link>
  );
}
