import { createServer } from "node:http";
import next from "next";
import { ensureAuthToken } from "@/lib/auth/token";
import { gate, normaliseProxyHeaders } from "@/lib/auth/gate";
import { holdBody } from "@/lib/auth/request-body";
import { sessionRevocations } from "@/lib/auth/revocation";
import { isEncrypted } from "@/lib/auth/sockets";
import { ConfigError, getConfig } from "@/lib/config";
import { engineStatus, engineStatusWords } from "@/lib/docker/engine";
import { applySecurityHeaders } from "@/lib/security-headers";
import { PATIENT_TIMEOUTS_MS } from "@/lib/shared/patience";
import { jobs } from "@/lib/jobs";
import { undoInterruptedJobs } from "@/lib/jobs/recovery";
import { removeUnusedVersionTags } from "@/lib/tarballs/version-tags";
import { isDownloadRequest, serveDownload } from "@/lib/tarballs/download";
import { sweepTemporaryFiles } from "@/lib/tarballs/store";
import { sweepLeftoverShells } from "@/lib/terminal/shell";
import { attachSockets, closeAllShells } from "@/lib/terminal/socket";
import { watchHub } from "@/lib/docker/watch";

/**
 * The one entry point: an HTTP server hosting Next.js (and, on the same port, Socket.IO for
 * shells). Every request passes the auth gate before Next sees it.
 */
// A stray rejection (a Docker call nobody awaited) must not take down every shell and job.
process.on("unhandledRejection", (reason) => {
  console.error("[hakuriver] unhandled rejection:", reason);
});

async function main() {
  let config;
  try {
    config = getConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const dev = process.env.NODE_ENV !== "production";
  const auth = ensureAuthToken(config);
  // Logged-out sessions stay logged out across restarts; a damaged store ends every session.
  sessionRevocations();

  await recoverAfterCrash(config.containerDir);

  const server = createServer();
  // Idle keep-alive connections live longer than a proxy's or client's own idle timeout (nginx's
  // upstream keepalive_timeout and undici's are 60 s or less): whoever reuses a connection must not
  // meet one this server is closing at that instant ("socket hang up" / "other side closed").
  server.keepAliveTimeout = 65_000;
  const app = next({ dev, hostname: config.host, port: config.port, httpServer: server });
  await app.prepare();
  const handle = app.getRequestHandler();

  server.on("request", (req, res) => {
    // Route handlers see the peer address and scheme only through these headers; never a client's copy.
    normaliseProxyHeaders(req.headers, req.socket.remoteAddress, config.trustProxy, isEncrypted(req.socket));
    applySecurityHeaders(res);
    // Authorisation (and the login limiter) first, then the body: nothing is read for a refused request.
    if (gate(req, res, auth.token, { dev })) return;
    // Version downloads bypass Next, which would drop their Content-Length (lib/tarballs/download.ts).
    if (isDownloadRequest(req)) {
      serveDownload(req, res).catch((err) => {
        console.error("[hakuriver] download failed:", err);
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
      return;
    }
    holdBody(req, res, () =>
      handle(req, res).catch((err) => {
        console.error("[hakuriver] request failed:", err);
        if (!res.headersSent) res.writeHead(500).end("Internal Server Error");
      }),
    );
  });

  // After Next's handler: Socket.IO wraps the request listeners present when it attaches.
  const io = attachSockets(server, auth.token, { trustProxy: config.trustProxy });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, resolve);
  });

  const shownHost = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  const base = `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${config.port}`;
  console.log(`HakuRiver Docker dashboard${dev ? " (development)" : ""} listening on ${base}`);
  // Patient: a busy engine (Podman's /version takes seconds) is slow, not absent.
  const engine = await engineStatus(PATIENT_TIMEOUTS_MS);
  console.log(`Docker engine: ${engineStatusWords(config.dockerEndpoint, engine)}; tarballs: ${config.containerDir}`);
  if (auth.source === "file") {
    console.log(`Access token ${auth.created ? "generated in" : "read from"} ${auth.file}. Open this to log in:`);
    console.log(`    ${base}/login?token=${auth.token}`);
  } else {
    console.log(`Access token from HAKURIVER_AUTH_TOKEN. Log in at ${base}/login`);
  }

  // Shells a crashed predecessor left running; in the background, the engine may be slow or away.
  void sweepLeftoverShells().catch(() => {});

  stopOnSignals(server, io);
}

/** Before any job can start: files and jobs a crash left behind. */
async function recoverAfterCrash(containerDir: string): Promise<void> {
  const swept = await sweepTemporaryFiles().catch((err) => {
    console.error(`[hakuriver] cannot use the tarball directory ${containerDir}:`, err);
    return [];
  });
  if (swept.length) console.log(`Removed ${swept.length} temporary file(s) left by an interrupted Create Tar.`);
  // The job registry recovers its journal now (jobs running at a crash come back interrupted), and
  // what those jobs had made is undone.
  jobs();
  await undoInterruptedJobs();
  // Temporary tags of New container from this version whose containers were removed outside the dashboard.
  void removeUnusedVersionTags("server", "start-up");
}

/** SIGTERM and SIGINT: running jobs are cancelled (they clean up), shells ended, then the server closes. */
function stopOnSignals(server: ReturnType<typeof createServer>, io: ReturnType<typeof attachSockets>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    setTimeout(() => process.exit(0), 5000).unref();
    // Running jobs remove their temporary files (their journal entries then say cancelled);
    // open shells are ended in their containers; followed logs and stats close their engine streams.
    watchHub().closeAll();
    void Promise.allSettled([closeAllShells(), jobs().cancelAll()]).finally(() => {
      // Closes the sockets and the HTTP server with them.
      void io.close(() => process.exit(0));
      server.closeAllConnections();
    });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((err) => {
  console.error("[hakuriver] failed to start:", err);
  process.exit(1);
});
