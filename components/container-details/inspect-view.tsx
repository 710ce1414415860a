import type { ReactNode } from "react";
import type { ContainerInspect } from "@/lib/shared/inspect";
import { CopyButton } from "./copy-button";
import { EnvironmentList } from "./environment-list";

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 py-1.5 sm:grid-cols-[11rem_1fr] sm:gap-3">
      <dt className="text-sm font-medium text-slate-600">{label}</dt>
      <dd className="min-w-0 font-mono text-sm [overflow-wrap:anywhere]">{children}</dd>
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="min-w-0 rounded-lg border border-slate-200 bg-white p-4">
      <h2 className="mb-2 text-base font-semibold">{title}</h2>
      {children}
    </section>
  );
}

const none = <span className="font-sans text-slate-500">none</span>;
const words = (list: string[]) => (list.length ? list.join(" ") : none);

function StateSection({ state }: { state: ContainerInspect["state"] }) {
  return (
    <Section title="State">
      <dl>
        <Row label="Status">{state.status}</Row>
        <Row label="Exit code">{state.exitCode}</Row>
        <Row label="OOMKilled">{state.oomKilled ? "yes: the kernel killed it for memory" : "no"}</Row>
        {state.error && <Row label="Error">{state.error}</Row>}
        <Row label="Created">{state.created || "—"}</Row>
        <Row label="Started">{state.started || "never"}</Row>
        <Row label="Finished">{state.finished || "not yet"}</Row>
        <Row label="Health">
          {state.health ? `${state.health.status}${state.health.lastExitCode !== undefined ? ` (last check exit ${state.health.lastExitCode})` : ""}` : "no health check"}
        </Row>
        {state.health?.lastOutput && (
          <Row label="Last check output">
            <pre className="whitespace-pre-wrap">{state.health.lastOutput}</pre>
          </Row>
        )}
      </dl>
    </Section>
  );
}

function ConfigSection({ info }: { info: ContainerInspect }) {
  return (
    <Section title="Configuration">
      <dl>
        <Row label="Image">{info.image}</Row>
        <Row label="Image ID">{info.imageId}</Row>
        <Row label="Command">{words(info.command)}</Row>
        <Row label="Entrypoint">{words(info.entrypoint)}</Row>
        <Row label="Working dir">{info.workingDir || none}</Row>
        <Row label="User">{info.user || <span className="font-sans text-slate-500">image default (root unless the image says)</span>}</Row>
        <Row label="Restart policy">{info.restartPolicy}</Row>
        <Row label="Logging driver">{info.logDriver}</Row>
        <Row label="TTY">{info.tty ? "yes" : "no"}</Row>
        <Row label="Ports">{info.ports.length ? info.ports.map((p) => <div key={p}>{p}</div>) : none}</Row>
        <Row label="Mounts">
          {info.mounts.length
            ? info.mounts.map((m) => (
                <div key={m.destination}>
                  {m.source} → {m.destination} ({m.type}, {m.readOnly ? "read-only" : "read-write"})
                </div>
              ))
            : none}
        </Row>
      </dl>
    </Section>
  );
}

function LabelsSection({ labels }: { labels: ContainerInspect["labels"] }) {
  return (
    <Section title="Labels">
      {labels.length === 0 ? (
        <p className="text-sm text-slate-600">No labels.</p>
      ) : (
        <dl>
          {labels.map((l) => (
            <Row key={l.key} label={l.key}>
              {l.value}
              {l.ours && <span className="ml-2 rounded bg-teal-50 px-1.5 py-0.5 font-sans text-xs font-medium text-teal-900">HakuRiver</span>}
            </Row>
          ))}
        </dl>
      )}
    </Section>
  );
}

/** How the container is configured and how it last ran; environment values wait for Reveal values. */
export function InspectView({ info }: { info: ContainerInspect }) {
  return (
    <div className="grid min-w-0 grid-cols-1 gap-4">
      <StateSection state={info.state} />
      <ConfigSection info={info} />
      <Section title="Environment">
        <EnvironmentList container={info.name} names={info.envNames} />
      </Section>
      <LabelsSection labels={info.labels} />
      <Section title="Raw JSON">
        <div className="mb-2 flex items-center gap-3">
          <CopyButton text={info.raw} label="Copy JSON" />
          <span className="text-sm text-slate-600">Environment values are replaced here too.</span>
        </div>
        <pre className="max-h-[60vh] overflow-auto rounded-md bg-slate-50 p-3 text-xs">{info.raw}</pre>
      </Section>
    </div>
  );
}
