import type { ReactNode } from "react";

export interface Column {
  label: ReactNode;
  /** Classes of the header cell, in place of the default padding. */
  className?: string;
}

/**
 * Below this width of its frame a table is a list of stacked rows (see `stacked`): 48rem for a few
 * short columns, 56rem for rows with a line of buttons.
 */
export type StackBelow = "3xl" | "4xl";

/**
 * The narrow layout of a table, one piece for every table that has it: when its frame (the nearest
 * `@container`) is narrower than `below`, the header is kept for screen readers only and each row
 * is a grid whose cells lose their own padding: the row places them with classes of its own
 * (`@max-3xl:grid-cols-…`, `@max-3xl:col-start-…`) and the table pads the rows. Rows, cells and
 * their names stay the table's — `tr[data-…]`, role row and rowheader — whatever the width.
 */
export const stacked: Record<StackBelow, string> = {
  "3xl":
    "@max-3xl:block @max-3xl:[&>thead]:sr-only @max-3xl:[&>tbody]:block @max-3xl:[&>tbody>tr]:grid @max-3xl:[&>tbody>tr]:gap-x-3 @max-3xl:[&>tbody>tr]:gap-y-1.5 @max-3xl:[&>tbody>tr>*]:p-0",
  "4xl":
    "@max-4xl:block @max-4xl:[&>thead]:sr-only @max-4xl:[&>tbody]:block @max-4xl:[&>tbody>tr]:grid @max-4xl:[&>tbody>tr]:gap-x-3 @max-4xl:[&>tbody>tr]:gap-y-1.5 @max-4xl:[&>tbody>tr>*]:p-0",
};

/** A stacked row's padding inside the card. */
const cardRows: Record<StackBelow, string> = {
  "3xl": "@max-3xl:[&>tbody>tr]:px-4 @max-3xl:[&>tbody>tr]:py-3",
  "4xl": "@max-4xl:[&>tbody>tr]:px-4 @max-4xl:[&>tbody>tr]:py-3",
};

/**
 * The frame of the dashboard's main tables: a card, a header row from `columns`, the rows, and
 * `empty` in place of rows when there are none. Columns size to their content (cells wrap long
 * names, keep dates, sizes and button lines whole); below `stackBelow` the rows stack.
 */
export function DataTable({
  columns,
  children,
  empty,
  stackBelow,
  label,
}: {
  columns: Column[];
  children: ReactNode;
  empty?: ReactNode;
  stackBelow?: StackBelow;
  /** The table's accessible name, when no caption names it. */
  label?: string;
}) {
  return (
    <div className="@container mt-4 overflow-x-auto rounded-xl border border-slate-200 bg-white">
      <table aria-label={label} className={`w-full divide-y divide-slate-200 text-sm ${stackBelow ? `${stacked[stackBelow]} ${cardRows[stackBelow]}` : ""}`}>
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

/** A cell's column name, shown only while its table's rows are stacked below 48rem (the header is hidden then). */
export function StackedLabel({ children }: { children: ReactNode }) {
  return <span className="text-slate-500 @3xl:hidden">{children}: </span>;
}
