"use client";

import { toast } from "sonner";
import { Button } from "@/components/ui/button";

export function CopyButton({ text, label }: { text: string; label: string }) {
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      toast.success("Copied.");
    } catch {
      toast.error("The browser refused the clipboard (it needs https or localhost); select the text instead.");
    }
  };
  return <Button onClick={copy}>{label}</Button>;
}
