import Link from "next/link";

export function Sidebar() {
  return (
    <aside className="flex w-52 shrink-0 flex-col border-r border-slate-200 bg-white">
      <div className="flex items-center gap-2 px-4 py-4">
        {/* eslint-disable-next-line @next/next/no-img-element */}
        <img src="/icon.svg" alt="" width={24} height={24} />
        <span className="font-semibold tracking-tight">HakuRiver</span>
      </div>
      <nav aria-label="Sections" className="flex-1 px-2">
        <ul>
          <li>
            <Link
              href="/docker"
              aria-current="page"
              className="block rounded-md bg-teal-50 px-3 py-2 text-sm font-medium text-teal-900"
            >
              Docker
            </Link>
          </li>
        </ul>
      </nav>
      <div className="border-t border-slate-200 p-2">
        <form method="post" action="/api/auth/logout">
          <button type="submit" className="w-full rounded-md px-3 py-2 text-left text-sm text-slate-600 hover:bg-slate-100">
            Log out
          </button>
        </form>
        <form method="post" action="/api/auth/logout-everywhere">
          <button
            type="submit"
            title="End every session logged in with the access token, in every browser (automation using the token itself keeps working)"
            className="w-full rounded-md px-3 py-2 text-left text-sm text-slate-600 hover:bg-slate-100"
          >
            {/* Not "Log out …": scripts find the Log out button by that name, and role names match by substring. */}
            End all sessions
          </button>
        </form>
      </div>
    </aside>
  );
}
