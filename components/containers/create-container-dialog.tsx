"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { getJson } from "@/components/query/api";
import { toast } from "sonner";
import { useEngineDown } from "@/components/query/live";
import { Button } from "@/components/ui/button";
import { Modal } from "@/components/ui/modal";
import type { CreateEvent, LayerProgress } from "@/lib/shared/containers";
import { envNameProblem, imageRefProblem } from "@/lib/shared/validation";
import { PullProgress } from "./pull-progress";
import { useRefreshContainers } from "./use-containers";

type FieldErrors = { image?: string; name?: string };

/** Reads the NDJSON event stream of POST /api/containers, calling onEvent per line. */
async function readEvents(res: Response, onEvent: (e: CreateEvent) => void) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line) onEvent(JSON.parse(line) as CreateEvent);
    }
  }
}

export function CreateContainerButton() {
  const [open, setOpen] = useState(false);
  const engineDown = useEngineDown();
  return (
    <>
      <Button needs="operator" variant="primary" size="md" onClick={() => setOpen(true)} unavailable={!!engineDown} title={engineDown}>
        Create New Container
      </Button>
      <Modal open={open} onClose={() => setOpen(false)} title="Create New Container" size="wide">
        <CreateContainerForm onDone={() => setOpen(false)} />
      </Modal>
    </>
  );
}

/**
 * One creation as the dialog follows it: POST /api/containers and its NDJSON events (the step, the
 * layers' progress), ending in an error line or `onDone`; never busy after the stream ends.
 */
function useCreateStream(onDone: () => void) {
  const refresh = useRefreshContainers();
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string>();
  const [layers, setLayers] = useState<LayerProgress[]>([]);
  const follow = async (res: Response) => {
    let finished = false;
    await readEvents(res, (event) => {
      if (event.type === "status") setStatus(event.message);
      else if (event.type === "pull") setLayers(event.layers);
      else if (event.type === "error") {
        finished = true;
        setFormError(event.error);
      } else if (event.type === "done") {
        finished = true;
        toast.success(`Created and started ${event.container.name}.`);
        onDone();
      }
    });
    if (!finished) setFormError("The server stopped answering before the container was created; check the list.");
  };
  const create = async (input: { image: string; name: string }) => {
    setBusy(true);
    setLayers([]);
    setStatus("Contacting the Docker engine…");
    try {
      const res = await fetch("/api/containers", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(input) });
      if (res.ok) await follow(res);
      else setFormError(((await res.json().catch(() => ({}))) as { error?: string }).error ?? `The server answered ${res.status}.`);
    } catch {
      setFormError("Lost the connection to the dashboard server; check the list before trying again.");
    } finally {
      setBusy(false);
      setStatus(undefined);
      void refresh();
    }
  };
  return { busy, status, layers, formError, setFormError, create };
}

function CreateContainerForm({ onDone }: { onDone: () => void }) {
  const { busy, status, layers, formError, setFormError, create } = useCreateStream(onDone);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  // Images already on the Host, offered as the user types (a native datalist: a combobox to assistive tech).
  const { data: localImages = [] } = useQuery({
    queryKey: ["local-images"],
    queryFn: async () => (await getJson<{ images: string[] }>("/api/images")).images,
    staleTime: 10_000,
  });

  const check = (field: keyof FieldErrors, value: string) => {
    const problem = (field === "image" ? imageRefProblem : envNameProblem)(value);
    setFieldErrors((e) => ({ ...e, [field]: value === "" ? undefined : problem }));
  };

  // onSubmit, not <form action>: React resets an action form after it runs, and a failed create
  // must leave what the user typed in place.
  const submit = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy) return;
    const form = new FormData(event.currentTarget);
    setFormError(undefined);
    const input = { image: String(form.get("image") ?? "").trim(), name: String(form.get("name") ?? "").trim() };
    const errors: FieldErrors = { image: imageRefProblem(input.image), name: envNameProblem(input.name) };
    setFieldErrors(errors);
    if (!errors.image && !errors.name) void create(input);
  };

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <Field
        label="Docker Image Name"
        name="image"
        placeholder="ubuntu:24.04"
        hint={`Pulled if it is not on this host yet, e.g. python:3.12-slim or registry:5000/team/image:tag.${
          localImages.length > 0 ? ` Suggestions: the ${localImages.length} ${localImages.length === 1 ? "image" : "images"} already on this host.` : ""
        }`}
        suggestions={localImages}
        error={fieldErrors.image}
        disabled={busy}
        onBlur={(v) => check("image", v)}
      />
      <Field
        label="HakuRiver Container Name"
        name="name"
        placeholder="my-dev-env"
        hint="Lowercase letters, digits, '_', '.', '-'. Used for tarballs and for tasks' --container NAME."
        error={fieldErrors.name}
        disabled={busy}
        onBlur={(v) => check("name", v)}
      />
      {formError && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {formError}
        </p>
      )}
      {busy && <CreateProgress status={status} layers={layers} />}
      <div className="flex justify-end gap-2">
        <Button size="md" onClick={onDone}>
          {busy ? "Close" : "Cancel"}
        </Button>
        <Button variant="primary" size="md" type="submit" pending={busy} pendingLabel="Creating…">
          Create
        </Button>
      </div>
    </form>
  );
}

function CreateProgress({ status, layers }: { status?: string; layers: LayerProgress[] }) {
  return (
    <div className="rounded-md border border-slate-200 bg-slate-50 p-3">
      {/* Announced: the step ("Pulling …", "Creating container …"); the layers' byte counts tick and are not. */}
      <p role="status" className="text-sm text-slate-700">
        {status}
      </p>
      <PullProgress layers={layers} />
    </div>
  );
}

function Field(props: {
  label: string;
  name: string;
  placeholder: string;
  hint: string;
  error?: string;
  disabled: boolean;
  onBlur: (value: string) => void;
  suggestions?: string[];
}) {
  const id = `create-${props.name}`;
  const listId = props.suggestions?.length ? `${id}-suggestions` : undefined;
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium">
        {props.label}
      </label>
      <input
        id={id}
        name={props.name}
        placeholder={props.placeholder}
        required
        list={listId}
        autoComplete="off"
        spellCheck={false}
        readOnly={props.disabled}
        aria-invalid={!!props.error || undefined}
        aria-describedby={`${id}-hint${props.error ? ` ${id}-error` : ""}`}
        onBlur={(e) => props.onBlur(e.target.value.trim())}
        className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-sm focus:border-teal-600 focus:outline-none focus:ring-2 focus:ring-teal-600/30 aria-[invalid]:border-red-500"
      />
      {listId && (
        <datalist id={listId}>
          {props.suggestions!.map((ref) => (
            <option key={ref} value={ref} />
          ))}
        </datalist>
      )}
      <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
        {props.hint}
      </p>
      {props.error && (
        <p id={`${id}-error`} className="mt-1 text-xs text-red-700">
          {props.error}
        </p>
      )}
    </div>
  );
}
