"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ROLES, type Role } from "@/lib/shared/roles";
import { peopleApi, usePeopleChange } from "./use-people";

/** A text field or select of the People and Tokens forms. */
export const field = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm focus:border-teal-600 focus:outline-none focus:ring-2 focus:ring-teal-600/30";

/** Adds a person; their one-time set-password link is shown once (OneTimeLink). */
export function AddPersonForm({ onLink }: { onLink: (l: { name: string; link: string }) => void }) {
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("operator");
  const add = usePeopleChange(async (p: { name: string; role: Role }) => {
    const answer = await peopleApi.add(p);
    onLink(answer);
    setName("");
    return { message: `Added ${answer.name} (${answer.role}).` };
  });
  return (
    <form
      aria-label="Add a person"
      className="flex flex-wrap items-end gap-2 rounded-xl border border-slate-200 bg-white p-4"
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate({ name: name.trim(), role });
      }}
    >
      <label className="text-sm font-medium">
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={32} autoCapitalize="none" className={`mt-1 block ${field}`} />
      </label>
      <label className="text-sm font-medium">
        Role
        <select value={role} onChange={(e) => setRole(e.target.value as Role)} className={`mt-1 block ${field}`}>
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </label>
      <Button type="submit" variant="primary" size="md" pending={add.isPending} pendingLabel="Adding…">
        Add person
      </Button>
    </form>
  );
}

/** A set-password link, shown this once: the server keeps only its hash. */
export function OneTimeLink({ name, link, onDone }: { name: string; link: string; onDone: () => void }) {
  return (
    <OneTimeSecret label={`Set-password link for ${name}`} field="Set-password link" value={link} copy="Copy link" onDone={onDone}>
      Send this link to <strong>{name}</strong>. It works once, for 24 hours, and is not shown again:
    </OneTimeSecret>
  );
}

/** A secret the server answered once and keeps only as a hash: shown here, with Copy and Hide. */
export function OneTimeSecret({ label, field, value, copy, onDone, children }: { label: string; field: string; value: string; copy: string; onDone: () => void; children: React.ReactNode }) {
  return (
    <div role="status" aria-label={label} className="space-y-2 rounded-xl border border-teal-200 bg-teal-50 p-4 text-sm">
      <p>{children}</p>
      <input readOnly value={value} aria-label={field} onFocus={(e) => e.target.select()} className="block w-full rounded-md border border-teal-300 bg-white px-2 py-1 font-mono text-xs" />
      <div className="flex gap-2">
        <Button onClick={() => void navigator.clipboard?.writeText(value)}>{copy}</Button>
        <Button variant="ghost" onClick={onDone}>
          Hide
        </Button>
      </div>
    </div>
  );
}
