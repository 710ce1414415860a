/** Pages of a list, filtered by a name substring. Pure: used by the API and the server render. */
export const PAGE_SIZE = 50;

export interface Page<T> {
  items: T[];
  total: number;
  /** 1-based. */
  page: number;
  pages: number;
}

export function pageOf<T extends { name: string }>(all: T[], options: { q?: string; page?: number; size?: number } = {}): Page<T> {
  const q = (options.q ?? "").trim().toLowerCase();
  const matching = q ? all.filter((item) => item.name.toLowerCase().includes(q)) : all;
  const size = options.size ?? PAGE_SIZE;
  const pages = Math.max(1, Math.ceil(matching.length / size));
  const page = Math.min(Math.max(1, Math.floor(options.page ?? 1) || 1), pages);
  return { items: matching.slice((page - 1) * size, page * size), total: matching.length, page, pages };
}
