"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { useAction } from "@/components/ui/use-action";
import { revealEnvironmentAction } from "./actions";

type Pair = { name: string; value: string };

/** The environment's names; their values come from the server only on Reveal values (audited). */
export function EnvironmentList({ container, names }: { container: string; names: string[] }) {
  const [values, setValues] = useState<Pair[] | null>(null);
  const { pending, run } = useAction();
  const reveal = () => run(() => revealEnvironmentAction(container), { success: "none", onSuccess: (result) => setValues((result.data?.env as Pair[]) ?? []) });
  if (names.length === 0) return <p className="text-sm text-slate-600">No environment variables.</p>;
  const rows: Pair[] = values ?? names.map((name) => ({ name, value: "" }));
  return (
    <div>
      <div className="mb-2">
        {values ? (
          <Button onClick={() => setValues(null)}>Hide values</Button>
        ) : (
          <Button needs="operator" onClick={reveal} pending={pending} pendingLabel="Revealing…">
            Reveal values
          </Button>
        )}
      </div>
      <dl className="font-mono text-sm">
        {rows.map((r, i) => (
          <div key={`${r.name}-${i}`} className="grid gap-1 py-1 sm:grid-cols-[16rem_1fr] sm:gap-3">
            <dt className="font-medium [overflow-wrap:anywhere]">{r.name}</dt>
            <dd className="min-w-0 [overflow-wrap:anywhere]">{values ? r.value : <span className="text-slate-400">••••••</span>}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
