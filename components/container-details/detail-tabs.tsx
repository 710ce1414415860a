import { LinkTabs } from "@/components/ui/link-tabs";

export type DetailView = "logs" | "inspect" | "stats";

const views: { id: DetailView; label: string }[] = [
  { id: "logs", label: "Logs" },
  { id: "inspect", label: "Inspect" },
  { id: "stats", label: "Stats" },
];

export const detailHref = (container: string, view: DetailView) => `/docker/containers/${encodeURIComponent(container)}?view=${view}`;

/** Logs / Inspect / Stats of one container, as tabs whose view lives in the URL. */
export function DetailTabs({ container, active }: { container: string; active: DetailView }) {
  const tabs = views.map((v) => ({ ...v, href: detailHref(container, v.id) }));
  return <LinkTabs tabs={tabs} active={active} label={`Views of ${container}`} className="mt-4" />;
}
