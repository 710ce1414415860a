"use client";

import Form from "next/form";
import { TIME_PRESETS } from "@/lib/shared/logs";

/**
 * Since / until, passed to the engine through the page's URL (so a link keeps the range): a preset
 * ("Last 15 minutes" is since=15m) or a time from; and a time until.
 */
export function LogRange({ since, until }: { since: string; until: string }) {
  const preset = TIME_PRESETS.some((p) => p.value === since) ? since : "";
  const from = preset ? "" : since;
  const input = "rounded-md border border-slate-300 bg-white px-2 py-1 text-sm";
  return (
    <Form action="" aria-label="Time range" className="flex flex-wrap items-end gap-2 text-sm">
      <input type="hidden" name="view" value="logs" />
      <label className="flex flex-col gap-0.5">
        <span className="text-slate-600">Since</span>
        <select name="since" defaultValue={preset} className={input}>
          <option value="">Any time</option>
          {TIME_PRESETS.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-0.5">
        <span className="text-slate-600">Or from</span>
        <input type="datetime-local" name="from" step={1} defaultValue={from} className={input} />
      </label>
      <label className="flex flex-col gap-0.5">
        <span className="text-slate-600">Until</span>
        <input type="datetime-local" name="until" step={1} defaultValue={until} className={input} />
      </label>
      <button type="submit" className="rounded-md border border-slate-300 bg-white px-2.5 py-1 font-medium text-slate-800 hover:bg-slate-50">
        Show range
      </button>
    </Form>
  );
}
