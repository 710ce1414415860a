"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { DataTable, StackedLabel } from "@/components/ui/data-table";
import { ConfirmDialog } from "@/components/ui/modal";
import { ROLES, type Role } from "@/lib/shared/roles";
import { AddPersonForm, OneTimeLink } from "./add-person-form";
import { peopleApi, usePeople, usePeopleChange, type PersonRow } from "./use-people";

const cell = "px-4 py-2 text-left align-middle";

/** Everyone with an account: their role (changed in place), whether a password is set, and what an admin can do. */
export function PeoplePanel() {
  const { data, error } = usePeople();
  const [link, setLink] = useState<{ name: string; link: string } | null>(null);
  return (
    <section aria-labelledby="people-heading" className="space-y-4">
      <h2 id="people-heading" className="text-lg font-semibold">
        Accounts
      </h2>
      <AddPersonForm onLink={setLink} />
      {link && <OneTimeLink {...link} onDone={() => setLink(null)} />}
      {error && <p role="alert" className="text-sm text-red-800">{error.message}</p>}
      <DataTable
        label="People"
        columns={["Name", "Role", "Sign-in", "Tokens", "Actions"].map((label) => ({ label }))}
        empty={data?.length === 0 ? "Nobody yet: only the owner token gets in. Add a person above." : undefined}
        stackBelow="3xl"
      >
        {data?.map((p) => <PersonRowView key={p.name} person={p} onLink={setLink} />)}
      </DataTable>
    </section>
  );
}

function PersonRowView({ person, onLink }: { person: PersonRow; onLink: (l: { name: string; link: string }) => void }) {
  const role = usePeopleChange(peopleApi.role);
  const remove = usePeopleChange(peopleApi.remove);
  const end = usePeopleChange(peopleApi.endSessions);
  const link = usePeopleChange(async (name: string) => {
    const answer = await peopleApi.link(name);
    onLink(answer);
    return {};
  });
  const [confirming, setConfirming] = useState(false);
  return (
    <tr>
      <td className={`${cell} font-medium`}>{person.name}</td>
      <td className={cell}>
        <select
          aria-label={`Role of ${person.name}`}
          value={person.role}
          disabled={role.isPending || person.sso}
          title={person.sso ? "Set by the single sign-on provider's groups at each sign-in" : undefined}
          onChange={(e) => role.mutate({ name: person.name, role: e.target.value as Role })}
          className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm"
        >
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </td>
      <td className={cell}>
        <StackedLabel>Sign-in</StackedLabel>
        {person.sso ? "single sign-on" : person.passwordSet ? "password set" : "waiting for the link"}
      </td>
      <td className={cell}>
        <StackedLabel>Tokens</StackedLabel>
        {person.tokens}
      </td>
      <td className={`${cell} text-right`}>
        <div className="flex flex-wrap justify-end gap-1 @max-3xl:justify-start">
          {!person.sso && (
            <Button onClick={() => link.mutate(person.name)} pending={link.isPending} aria-label={`New set-password link for ${person.name}`}>
              New link
            </Button>
          )}
          <Button onClick={() => end.mutate(person.name)} pending={end.isPending} aria-label={`End the sessions of ${person.name}`}>
            End sessions
          </Button>
          <Button variant="danger" onClick={() => setConfirming(true)} pending={remove.isPending} aria-label={`Remove ${person.name}`}>
            Remove
          </Button>
        </div>
        <ConfirmDialog
          open={confirming}
          title={`Remove ${person.name}?`}
          confirmLabel="Remove"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            remove.mutate(person.name);
          }}
        >
          Their sessions, shells and personal tokens end now. The audit log keeps their lines.
        </ConfirmDialog>
      </td>
    </tr>
  );
}
