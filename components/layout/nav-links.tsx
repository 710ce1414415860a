"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const item = "rounded-md px-3 py-2 text-sm whitespace-nowrap";

/** The sections; People and Audit only for admins (the server refuses others regardless). */
export function NavLinks({ admin }: { admin: boolean }) {
  const pathname = usePathname();
  const links = [
    { href: "/docker", label: "Docker" },
    { href: "/tokens", label: "Tokens" },
    ...(admin ? [{ href: "/people", label: "People" }, { href: "/audit", label: "Audit" }] : []),
  ];
  return (
    <ul className="flex lg:block">
      {links.map((l) => {
        const current = pathname === l.href || pathname.startsWith(`${l.href}/`);
        return (
          <li key={l.href}>
            <Link
              href={l.href}
              aria-current={current ? "page" : undefined}
              className={`block ${item} ${current ? "bg-teal-50 font-medium text-teal-900" : "text-slate-700 hover:bg-slate-100"}`}
            >
              {l.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
