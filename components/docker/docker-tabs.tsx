import Link from "next/link";

export type DockerTab = "containers" | "tarballs" | "runners";

const tabs: { id: DockerTab; label: string; href: string }[] = [
  { id: "containers", label: "Host Containers", href: "/docker?tab=containers" },
  { id: "tarballs", label: "Shared Tarballs", href: "/docker?tab=tarballs" },
  { id: "runners", label: "Runners", href: "/docker?tab=runners" },
];

/** The seed's two tabs and Runners; the active one lives in the URL so a reload keeps it. */
export function DockerTabs({ active }: { active: DockerTab }) {
  return (
    <div role="tablist" aria-label="Docker views" className="mt-6 flex gap-1 border-b border-slate-200">
      {tabs.map((t) => {
        const selected = t.id === active;
        return (
          <Link
            key={t.id}
            id={`tab-${t.id}`}
            role="tab"
            href={t.href}
            aria-selected={selected}
            aria-controls={selected ? `panel-${t.id}` : undefined}
            className={`-mb-px border-b-2 px-4 py-2 text-sm font-medium ${
              selected ? "border-teal-700 text-teal-900" : "border-transparent text-slate-600 hover:text-slate-900"
            }`}
          >
            {t.label}
          </Link>
        );
      })}
    </div>
  );
}
