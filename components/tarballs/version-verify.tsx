"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { Button } from "@/components/ui/button";
import { useAction } from "@/components/ui/use-action";
import { CancelButton } from "@/components/ui/cancel-button";
import { formatBytes } from "@/components/ui/format";
import { ProgressBar } from "@/components/ui/progress-bar";
import type { Verification } from "@/lib/shared/tarballs";
import { cancelVerifyAction, verifyTarballAction } from "./actions";
import { tarballsKey } from "./use-package-jobs";
import { useNoteVerification, usePollVerification, useVerification } from "./use-verifications";

/** The Verify button of one version. */
export function VerifyButton({ file, kept }: { file: string; kept?: Verification }) {
  const v = useVerification(file, kept);
  const note = useNoteVerification();
  const { pending, run } = useAction();
  const running = v?.phase === "running";
  return (
    <Button
      needs="operator"
      onClick={() => run(() => verifyTarballAction(file), { success: "none", onSuccess: (result) => note(result.data!.verification as Verification) })}
      pending={pending || running}
      pendingLabel="Verifying…"
      aria-label={`Verify ${file}`}
      title="Read the whole file and check it as docker load would: tar structure, manifest, config digest, every layer's sha256"
    >
      Verify
    </Button>
  );
}

const outcome: Record<Exclude<Verification["phase"], "running">, { text: string; tone: string }> = {
  ok: { text: "Verified: intact", tone: "text-green-800" },
  damaged: { text: "Damaged", tone: "text-red-800" },
  failed: { text: "Verify failed", tone: "text-red-800" },
  cancelled: { text: "Verify cancelled", tone: "text-slate-600" },
};

/** A version's Verify state: progress with Cancel while it runs, then the result (kept). */
export function VerifyStatus({ file, kept }: { file: string; kept?: Verification }) {
  const v = useVerification(file, kept);
  usePollVerification(file, v?.phase === "running");
  const client = useQueryClient();
  // When a run ends, the listing and details (which carry the kept result and sha256) are read again.
  const was = useRef(v?.phase);
  useEffect(() => {
    if (was.current === "running" && v && v.phase !== "running") void client.invalidateQueries({ queryKey: tarballsKey });
    was.current = v?.phase;
  }, [v, client]);
  if (!v) return null;
  if (v.phase === "running") {
    const pct = v.size ? Math.min(99, Math.floor((v.bytesRead / v.size) * 100)) : 0;
    return (
      <div role="status" aria-label={`Verify of ${file}`} className="flex flex-wrap items-center gap-2 text-xs">
        <span className="text-slate-700">Verifying {pct}%</span>
        <span className="font-mono text-slate-600">
          {formatBytes(v.bytesRead)} / {formatBytes(v.size)}
        </span>
        <ProgressBar label={`Verifying ${file}`} percent={pct} className="w-32" />
        <CancelButton cancel={() => cancelVerifyAction(file)} />
      </div>
    );
  }
  const o = outcome[v.phase];
  return (
    <div role="status" aria-label={`Verify of ${file}`} className="text-xs" title={v.finishedAt ? `Checked ${new Date(v.finishedAt).toLocaleString()}` : undefined}>
      <span className={`font-medium ${o.tone}`}>{o.text}</span>
      {v.phase === "ok" && v.summary && <span className="ml-2 text-slate-600">{v.summary}</span>}
      {v.contract && !v.contract.ok && (
        <p className="mt-0.5 text-amber-900 [overflow-wrap:anywhere]">
          <span className="font-medium">Runners cannot use it as it is:</span> {v.contract.problems.join(" ")}
        </p>
      )}
      {v.contract?.ok && <p className="mt-0.5 text-slate-600">Runners: docker load gives it {v.contract.runnerTag}; its timestamp is not later than the image&apos;s Created.</p>}
      {v.problems && v.problems.length > 0 && (
        <ul className="mt-0.5 list-disc pl-4 text-red-800 [overflow-wrap:anywhere]">
          {v.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
