import type { ReactNode } from "react";

export interface Column {
  label: ReactNode;
  /** Classes of the header cell, in place of the default padding. */
  className?: string;
}

/**
 * The frame of the dashboard's main tables: a scrolling card, a header row from `columns`, the
 * rows, and `empty` in place of rows when there are none.
 */
export function DataTable({
  columns,
  children,
  empty,
  fixed = false,
}: {
  columns: Column[];
  children: ReactNode;
  empty?: ReactNode;
  /** Fixed layout: the columns' classes set their widths and cells cut long text, so the table never outgrows the screen. */
  fixed?: boolean;
}) {
  return (
    <div className="mt-4 overflow-x-auto rounded-xl border border-slate-200 bg-white">
      <table className={`divide-y divide-slate-200 text-sm ${fixed ? "w-full table-fixed" : "min-w-full"}`}>
        <thead className="bg-slate-50 text-left text-xs font-medium uppercase tracking-wide text-slate-600">
          <tr>
            {columns.map((c, i) => (
              <th key={i} scope="col" className={c.className ?? "px-4 py-2.5"}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
      {empty && <div className="px-6 py-10 text-center text-sm text-slate-600">{empty}</div>}
    </div>
  );
}
