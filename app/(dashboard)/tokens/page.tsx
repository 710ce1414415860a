import type { Metadata } from "next";
import { MakeTokenForm } from "@/components/people/make-token-form";
import { TokensPanel } from "@/components/people/tokens-panel";

export const metadata: Metadata = { title: "Tokens" };
export const dynamic = "force-dynamic";

/** Everyone's own personal API tokens (an admin sees everyone's). */
export default function TokensPage() {
  return (
    <div className="mx-auto max-w-5xl space-y-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Tokens</h1>
        <p className="mt-1 text-sm text-slate-600">Personal API tokens for scripts and CI jobs: never more rights than yours, revocable at once.</p>
      </div>
      <MakeTokenForm />
      <TokensPanel />
    </div>
  );
}
