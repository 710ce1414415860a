import type { Metadata } from "next";
import { ContainerDetails } from "@/components/container-details/container-details";
import { requirePageSession } from "@/lib/auth/next";

export const dynamic = "force-dynamic";

type Params = Promise<{ name: string }>;
type Search = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: decodeURIComponent((await params).name) };
}

/** /docker/containers/<name>?view=logs|inspect[&tail=N] */
export default async function ContainerPage({ params, searchParams }: { params: Params; searchParams: Search }) {
  // The layout checks too, but a page renders alongside its layout: this one reads container details.
  await requirePageSession();
  const [{ name }, search] = await Promise.all([params, searchParams]);
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";
  const view = one(search.view) === "inspect" ? "inspect" : "logs";
  return <ContainerDetails name={decodeURIComponent(name)} view={view} tail={Number(one(search.tail)) || undefined} />;
}
