import type { Metadata } from "next";
import { DockerTabs, type DockerTab } from "@/components/docker/docker-tabs";
import { LiveStatus } from "@/components/query/live";
import { JobNotices } from "@/components/jobs/job-notices";
import { HostContainers } from "@/components/containers/host-containers";
import { SharedTarballs } from "@/components/tarballs/shared-tarballs";
import { RunnersTab } from "@/components/runners/runners-tab";

export const metadata: Metadata = { title: "Docker" };
export const dynamic = "force-dynamic";

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function DockerPage({ searchParams }: { searchParams: Search }) {
  const params = await searchParams;
  const tab: DockerTab = params.tab === "tarballs" || params.tab === "runners" ? params.tab : "containers";
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";
  const view = { all: one(params.all) === "1", q: one(params.q).slice(0, 128), page: Number(one(params.page)) || 1 };
  return (
    <div className="mx-auto max-w-7xl">
      <h1 className="text-2xl font-semibold tracking-tight">Docker</h1>
      <p className="mt-1 text-sm text-slate-600">
        Prepare environments in Host containers, then package them as tarballs that every Runner loads.
      </p>
      <DockerTabs active={tab} />
      <LiveStatus />
      <JobNotices />
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="mt-4">
        {tab === "containers" ? <HostContainers view={view} /> : tab === "runners" ? <RunnersTab /> : <SharedTarballs />}
      </div>
    </div>
  );
}
