import type { Metadata } from "next";
import { AuditPanel } from "@/components/people/audit-panel";

export const metadata: Metadata = { title: "Audit" };
export const dynamic = "force-dynamic";

/** Admin only (the gate refuses others: lib/shared/roles.ts). */
export default function AuditPage() {
  return (
    <div className="mx-auto max-w-6xl">
      <h1 className="text-2xl font-semibold tracking-tight">Audit</h1>
      <p className="mt-1 text-sm text-slate-600">Who did what, newest first, refusals included.</p>
      <AuditPanel />
    </div>
  );
}
