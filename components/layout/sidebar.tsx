import { NavLinks } from "@/components/layout/nav-links";
import type { Principal } from "@/lib/shared/roles";

/**
 * The dashboard's navigation: a column on wide screens, a bar across the top below 64rem, so
 * a phone keeps its whole width for the tables.
 */
export function Sidebar({ principal }: { principal: Principal }) {
  const item = "rounded-md px-3 py-2 text-sm whitespace-nowrap";
  return (
    <aside className="flex shrink-0 flex-wrap items-center gap-1 border-b border-slate-200 bg-white px-2 lg:w-48 lg:flex-col lg:flex-nowrap lg:items-stretch lg:border-r lg:border-b-0 lg:px-0">
      <div className="flex items-center gap-2 px-2 py-2.5 lg:px-4 lg:py-4">
        {/* eslint-disable-next-line @next/next/no-img-element */}
        <img src="/icon.svg" alt="" width={24} height={24} />
        <span className="hidden font-semibold tracking-tight sm:inline">HakuRiver</span>
      </div>
      <nav aria-label="Sections" className="min-w-0 lg:flex-1 lg:px-2">
        <NavLinks admin={principal.role === "admin"} />
      </nav>
      <div className="ml-auto flex items-center gap-1 lg:ml-0 lg:block lg:border-t lg:border-slate-200 lg:p-2">
        <p data-testid="signed-in-as" className="hidden px-3 py-2 text-xs text-slate-600 sm:block">
          Signed in as <span className="font-medium text-slate-900">{principal.tokenName ? `${principal.name} (token ${principal.tokenName})` : principal.name}</span> ({principal.role})
        </p>
        <form method="post" action="/api/auth/logout">
          <button type="submit" className={`w-full text-left text-slate-700 hover:bg-slate-100 ${item}`}>
            Log out
          </button>
        </form>
        {principal.role === "admin" && (
          <form method="post" action="/api/auth/logout-everywhere">
            <button
              type="submit"
              title="End every login session of everyone, in every browser (tokens keep working)"
              className={`w-full text-left text-slate-700 hover:bg-slate-100 ${item}`}
            >
              {/* Not "Log out …": scripts find the Log out button by that name, and role names match by substring. */}
              End all sessions
            </button>
          </form>
        )}
      </div>
    </aside>
  );
}
