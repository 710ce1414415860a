/** What the Inspect view shows of a container; environment values are never in it (see revealEnvironment). */
export interface ContainerInspect {
  id: string;
  name: string;
  image: string;
  imageId: string;
  command: string[];
  entrypoint: string[];
  workingDir: string;
  user: string;
  /** Variable names only, in the container's order. */
  envNames: string[];
  mounts: { type: string; source: string; destination: string; mode: string; readOnly: boolean }[];
  /** "8080/tcp → 0.0.0.0:18080", or the exposed port alone when it is not published. */
  ports: string[];
  labels: { key: string; value: string; ours: boolean }[];
  restartPolicy: string;
  state: {
    status: string;
    exitCode: number;
    oomKilled: boolean;
    error: string;
    created: string;
    started: string;
    finished: string;
    health?: { status: string; lastOutput: string; lastExitCode?: number; lastAt?: string };
  };
  logDriver: string;
  tty: boolean;
  /** The engine's whole answer, pretty-printed, with every environment value replaced. */
  raw: string;
}

/** What stands for a hidden environment value in the raw JSON. */
export const HIDDEN_VALUE = "<hidden: use Reveal values>";
