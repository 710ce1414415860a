import type { Metadata } from "next";
import { ContainerDetails } from "@/components/container-details/container-details";
import { requirePageSession } from "@/lib/auth/next";

export const dynamic = "force-dynamic";

type Params = Promise<{ name: string }>;
type Search = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: decodeURIComponent((await params).name) };
}

/** /docker/containers/<name>?view=logs|inspect|stats[&tail=N][&since=15m|<time>][&from=<time>][&until=<time>] */
export default async function ContainerPage({ params, searchParams }: { params: Params; searchParams: Search }) {
  // The layout checks too, but a page renders alongside its layout: this one reads container details.
  await requirePageSession();
  const [{ name }, search] = await Promise.all([params, searchParams]);
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";
  const asked = one(search.view);
  const view = asked === "inspect" || asked === "stats" ? asked : "logs";
  // "Or from" (a time) wins over the Since preset when both are given.
  const range = { tail: one(search.tail) || undefined, since: one(search.from) || one(search.since), until: one(search.until) };
  return <ContainerDetails name={decodeURIComponent(name)} view={view} range={range} />;
}
