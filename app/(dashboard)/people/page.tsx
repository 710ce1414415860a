import type { Metadata } from "next";
import { PeoplePanel } from "@/components/people/people-panel";

export const metadata: Metadata = { title: "People" };
export const dynamic = "force-dynamic";

/** Admin only (the gate refuses others: lib/shared/roles.ts). */
export default function PeoplePage() {
  return (
    <div className="mx-auto max-w-5xl space-y-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">People</h1>
        <p className="mt-1 text-sm text-slate-600">Who may use the dashboard, and with which role. Everyone&apos;s personal API tokens are under Tokens.</p>
      </div>
      <PeoplePanel />
    </div>
  );
}
