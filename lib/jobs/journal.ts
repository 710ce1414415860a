import "server-only";
import fs from "node:fs";
import path from "node:path";
import type { Job } from "@/lib/shared/jobs";

/**
 * The jobs' journal: one JSON line per state change (a job started, changed step, ended or was
 * dismissed), appended, so that a `kill -9` mid-write loses at most that one line. Read back, the
 * last line of each job wins and a torn last line is skipped; the file is then compacted (one line
 * per job, written to a temporary file and renamed) before anything is appended again — so a torn
 * line is never glued to the next.
 *
 * Progress is never journaled (it changes per chunk); only steps and outcomes.
 */
export interface JournalLine {
  job: Job;
  /** The job was dismissed: forget it. */
  gone?: boolean;
}

export class Journal {
  private lines = 0;
  private live = 0;

  constructor(readonly file: string) {}

  /** The jobs as last written, and the file compacted to them. */
  load(): Job[] {
    const jobs = new Map<string, Job>();
    let text = "";
    try {
      text = fs.readFileSync(this.file, "utf8");
    } catch {
      // No journal yet.
    }
    for (const line of text.split("\n")) {
      const entry = parse(line);
      if (!entry) continue;
      if (entry.gone) jobs.delete(entry.job.id);
      else jobs.set(entry.job.id, entry.job);
    }
    const all = [...jobs.values()];
    this.compact(all);
    return all;
  }

  append(line: JournalLine, live: number): void {
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.appendFileSync(this.file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
      this.lines++;
      this.live = live;
    } catch (err) {
      console.error("[hakuriver] could not write the jobs journal:", err);
    }
  }

  /** Whether the file holds many more lines than jobs (then `compact` it). */
  get bloated(): boolean {
    return this.lines > 4 * this.live + 64;
  }

  compact(jobs: Job[]): void {
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.tmp`;
      fs.writeFileSync(tmp, jobs.map((job) => `${JSON.stringify({ job })}\n`).join(""), { mode: 0o600 });
      fs.renameSync(tmp, this.file);
      this.lines = jobs.length;
      this.live = jobs.length;
    } catch (err) {
      console.error("[hakuriver] could not compact the jobs journal:", err);
    }
  }
}

function parse(line: string): JournalLine | undefined {
  if (!line.trim()) return undefined;
  try {
    const entry = JSON.parse(line) as JournalLine;
    return typeof entry?.job?.id === "string" && typeof entry.job.kind === "string" ? entry : undefined;
  } catch {
    // A line torn by a crash mid-write.
    return undefined;
  }
}
