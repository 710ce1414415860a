"use client";

import { useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Modal } from "@/components/ui/modal";
import { ShellPanel } from "./shell-panel";
import { forgetShell, shellBeforeReload } from "./shell-storage";

/**
 * The row's Shell button and its terminal modal. A reload with the modal open opens it again and
 * resumes the same shell; when the modal closes, focus goes back to this button.
 */
export function ShellButton({ container, unavailable }: { container: string; unavailable?: string }) {
  const [open, setOpen] = useState<{ resumeId?: string } | null>(null);
  const wrapper = useRef<HTMLSpanElement>(null);
  const wasOpen = useRef(false);

  useEffect(() => {
    const id = shellBeforeReload(container);
    // sessionStorage exists only in the browser, after hydration.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    if (id) setOpen({ resumeId: id });
  }, [container]);

  useEffect(() => {
    if (open) wasOpen.current = true;
    else if (wasOpen.current) {
      wasOpen.current = false;
      wrapper.current?.querySelector("button")?.focus();
    }
  }, [open]);

  const close = () => {
    forgetShell();
    setOpen(null);
  };

  return (
    <>
      <span ref={wrapper} className="contents">
        <Button needs="operator" onClick={() => setOpen({})} title={`Open a shell in ${container}`} unavailable={!!unavailable} reason={unavailable}>
          Shell
        </Button>
      </span>
      <Modal open={!!open} onClose={close} title={`Shell: ${container}`} size="terminal">
        <ShellPanel container={container} resumeId={open?.resumeId} onClose={close} />
      </Modal>
    </>
  );
}
