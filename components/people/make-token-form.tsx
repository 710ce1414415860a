"use client";

import { useState } from "react";
import { usePrincipal } from "@/components/auth/principal";
import { Button } from "@/components/ui/button";
import { ROLES, roleAllows, type Role } from "@/lib/shared/roles";
import { OneTimeSecret, field } from "./add-person-form";
import { peopleApi, usePeopleChange } from "./use-people";

const EXPIRY = [
  { days: 7, label: "7 days" },
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 365, label: "a year" },
  { days: 0, label: "never" },
];

/** Makes a personal API token for the signed-in person: at most their own role; the secret is shown once. */
export function MakeTokenForm() {
  const principal = usePrincipal();
  const roles = ROLES.filter((r) => !principal || roleAllows(principal.role, r));
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [days, setDays] = useState(30);
  const [made, setMade] = useState<{ name: string; token: string } | null>(null);
  const make = usePeopleChange(async (t: { name: string; role: Role; expiresInDays?: number }) => {
    const answer = await peopleApi.makeToken(t);
    setMade({ name: answer.name, token: answer.token });
    setName("");
    return { message: `Made the token ${answer.name} (${answer.role}).` };
  });
  return (
    <div className="space-y-3">
      <form
        aria-label="Make a token"
        className="flex flex-wrap items-end gap-2 rounded-xl border border-slate-200 bg-white p-4"
        onSubmit={(e) => {
          e.preventDefault();
          make.mutate({ name: name.trim(), role, ...(days ? { expiresInDays: days } : {}) });
        }}
      >
        <label className="text-sm font-medium">
          Token name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={48} placeholder="ci-nightly" className={`mt-1 block ${field}`} />
        </label>
        <label className="text-sm font-medium">
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as Role)} className={`mt-1 block ${field}`}>
            {roles.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label className="text-sm font-medium">
          Expires after
          <select value={days} onChange={(e) => setDays(Number(e.target.value))} className={`mt-1 block ${field}`}>
            {EXPIRY.map((x) => (
              <option key={x.days} value={x.days}>
                {x.label}
              </option>
            ))}
          </select>
        </label>
        <Button type="submit" variant="primary" size="md" pending={make.isPending} pendingLabel="Making…">
          Make token
        </Button>
      </form>
      {made && (
        <OneTimeSecret label={`Token ${made.name}`} field="New token" value={made.token} copy="Copy token" onDone={() => setMade(null)}>
          Your token <strong>{made.name}</strong>. Use it as <code className="font-mono">Authorization: Bearer …</code>; it is not shown again:
        </OneTimeSecret>
      )}
    </div>
  );
}
