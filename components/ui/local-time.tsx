"use client";

import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/** A timestamp in the viewer's own time zone; the server render shows UTC until hydration. */
export function LocalTime({ iso }: { iso: string }) {
  const isClient = useSyncExternalStore(subscribe, () => true, () => false);
  const date = new Date(iso);
  const text = isClient
    ? date.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" })
    : `${iso.slice(0, 16).replace("T", " ")} UTC`;
  return <time dateTime={iso} title={iso}>{text}</time>;
}
