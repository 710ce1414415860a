import { LinkTabs, type LinkTab } from "@/components/ui/link-tabs";

export type DockerTab = "containers" | "tarballs" | "runners";

const tabs: (LinkTab & { id: DockerTab })[] = [
  { id: "containers", label: "Host Containers", href: "/docker?tab=containers" },
  { id: "tarballs", label: "Shared Tarballs", href: "/docker?tab=tarballs" },
  { id: "runners", label: "Runners", href: "/docker?tab=runners" },
];

/** The seed's two tabs and Runners; the active one lives in the URL so a reload keeps it. */
export function DockerTabs({ active }: { active: DockerTab }) {
  return <LinkTabs tabs={tabs} active={active} label="Docker views" className="mt-6" />;
}
