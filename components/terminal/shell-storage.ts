import { SHELL_STORAGE_KEY } from "@/lib/shared/shells";

/**
 * The shell this tab has open, kept in sessionStorage (this tab only) so that a reload resumes it.
 * Storage may be off: then only the automatic resume after a reload is lost.
 */
export function rememberShell(container: string, id: string | null): void {
  try {
    if (id) sessionStorage.setItem(SHELL_STORAGE_KEY, JSON.stringify({ container, id }));
    else sessionStorage.removeItem(SHELL_STORAGE_KEY);
  } catch {
    // Storage is off.
  }
}

/** The shell this tab had open in `container` before a reload, if any. */
export function shellBeforeReload(container: string): string | undefined {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SHELL_STORAGE_KEY) ?? "null") as { container?: unknown; id?: unknown } | null;
    return saved?.container === container && typeof saved.id === "string" ? saved.id : undefined;
  } catch {
    return undefined;
  }
}

/** Forgets the tab's shell, whatever container it was in (the modal was closed). */
export function forgetShell(): void {
  try {
    sessionStorage.removeItem(SHELL_STORAGE_KEY);
  } catch {
    // Storage is off.
  }
}
