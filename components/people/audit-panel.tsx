"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { getJson } from "@/components/query/api";
import { DataTable, StackedLabel } from "@/components/ui/data-table";
import { LocalTime } from "@/components/ui/local-time";
import type { AuditLine } from "@/lib/shared/roles";

const cell = "px-4 py-1.5 text-left align-top";
const field = "mt-1 block rounded-md border border-slate-300 bg-white px-2 py-1 text-sm";

/** The audit log for admins, newest first, filtered by person, action and target. */
export function AuditPanel() {
  const [filter, setFilter] = useState({ person: "", action: "", target: "" });
  const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v)).toString();
  const { data, error } = useQuery({
    queryKey: ["audit", query],
    queryFn: async () => (await getJson<{ entries: AuditLine[] }>(`/api/audit?${query}`)).entries,
  });
  return (
    <div className="mt-4 space-y-3">
      <form aria-label="Filter the audit log" className="flex flex-wrap gap-3" onSubmit={(e) => e.preventDefault()}>
        {(["person", "action", "target"] as const).map((k) => (
          <label key={k} className="text-sm font-medium capitalize">
            {k}
            <input type="search" value={filter[k]} onChange={(e) => setFilter({ ...filter, [k]: e.target.value })} className={field} />
          </label>
        ))}
      </form>
      {error && <p role="alert" className="text-sm text-red-800">{error.message}</p>}
      <DataTable
        label="Audit log"
        columns={["Time", "Person", "Action", "Target", "Result", "Detail"].map((label) => ({ label }))}
        empty={data?.length === 0 ? "No matching lines." : undefined}
        stackBelow="3xl"
      >
        {data?.map((e, i) => (
          <tr key={`${e.time}-${i}`} className="text-xs">
            <td className={`${cell} whitespace-nowrap`}>
              <LocalTime iso={e.time} />
            </td>
            <td className={cell}>
              <StackedLabel>Person</StackedLabel>
              {e.person}
              {e.token && <span className="text-slate-500"> (token {e.token})</span>}
            </td>
            <td className={`${cell} font-mono`}>
              <StackedLabel>Action</StackedLabel>
              {e.action}
            </td>
            <td className={`${cell} font-mono [overflow-wrap:anywhere]`}>
              <StackedLabel>Target</StackedLabel>
              {e.target}
            </td>
            <td className={`${cell} ${e.result === "ok" ? "text-teal-800" : "font-medium text-red-800"}`}>
              <StackedLabel>Result</StackedLabel>
              {e.result}
            </td>
            <td className={`${cell} [overflow-wrap:anywhere] text-slate-600`}>{e.detail}</td>
          </tr>
        ))}
      </DataTable>
    </div>
  );
}
