"use client";

import { Button } from "@/components/ui/button";
import { DataTable, StackedLabel } from "@/components/ui/data-table";
import { LocalTime } from "@/components/ui/local-time";
import { peopleApi, usePeopleChange, useTokens } from "./use-people";

const cell = "px-4 py-2 text-left align-middle";

/** The personal API tokens the caller may see (their own; an admin everyone's), never a secret, with their last use; Revoke ends one at once. */
export function TokensPanel() {
  const { data, error } = useTokens();
  const revoke = usePeopleChange(peopleApi.revokeToken);
  return (
    <section aria-labelledby="tokens-heading" className="space-y-3">
      <h2 id="tokens-heading" className="text-lg font-semibold">
        Personal API tokens
      </h2>
      <p className="text-sm text-slate-600">
        Made above or with <code className="font-mono">POST /api/tokens</code> (never with more rights than their maker&apos;s). Revoking one refuses its next request and closes its open shells.
      </p>
      {error && <p role="alert" className="text-sm text-red-800">{error.message}</p>}
      <DataTable
        label="Personal API tokens"
        columns={["Name", "Person", "Role", "Expires", "Last used", "Actions"].map((label) => ({ label }))}
        empty={data?.length === 0 ? "No personal tokens." : undefined}
        stackBelow="3xl"
      >
        {data?.map((t) => (
          <tr key={t.id}>
            <td className={`${cell} font-medium`}>{t.name}</td>
            <td className={cell}>
              <StackedLabel>Person</StackedLabel>
              {t.person}
            </td>
            <td className={cell}>
              <StackedLabel>Role</StackedLabel>
              {t.role}
            </td>
            <td className={cell}>
              <StackedLabel>Expires</StackedLabel>
              {t.expires ? <LocalTime iso={t.expires} /> : "never"}
            </td>
            <td className={cell}>
              <StackedLabel>Last used</StackedLabel>
              {t.lastUsed ? <LocalTime iso={t.lastUsed} /> : "never"}
            </td>
            <td className={`${cell} text-right @max-3xl:text-left`}>
              <Button variant="danger" onClick={() => revoke.mutate(t.id)} pending={revoke.isPending && revoke.variables === t.id} aria-label={`Revoke ${t.name}`}>
                Revoke
              </Button>
            </td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}
