# HakuRiver Docker Dashboard: one container with the Docker socket mounted (see README "Deploy").
# Needs BuildKit (the default since Docker 23; DOCKER_BUILDKIT=1 on Docker 20.10).
#
#   docker build -t hakuriver-dashboard .
#   docker run -d --name hakuriver-dashboard -p 127.0.0.1:3000:3000 \
#     -v /var/run/docker.sock:/var/run/docker.sock --group-add "$(stat -c %g /var/run/docker.sock)" \
#     -v /srv/hakuriver/shared:/srv/hakuriver/shared -e HAKURIVER_SHARED_DIR=/srv/hakuriver/shared \
#     -v hakuriver-data:/data hakuriver-dashboard

# Any image with Node.js 20.9+ at /usr/local/bin/node or on PATH, /bin/sh, and a user "node" (uid 1000).
ARG NODE_IMAGE=node:20-bookworm-slim
# "source": install and build here (needs the npm registry). "prebuilt": the build context already
# is the runtime tree (package.json, next.config.mjs, dist/, .next/, public/, production
# node_modules), as scripts/deploy-image.sh prepares it for the tests, which have no registry.
ARG APP_FROM=source

FROM ${NODE_IMAGE} AS app-source
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --omit=optional --no-audit --no-fund \
 && mkdir /app \
 && cp -a package.json next.config.mjs dist public node_modules /app/ \
 && mkdir /app/.next \
 && cp -a .next/. /app/.next/ \
 && rm -rf /app/.next/cache /app/.next/dev /app/.next/types /app/.next/diagnostics /app/.next/trace*

FROM scratch AS app-prebuilt
COPY . /app/

FROM app-${APP_FROM} AS app

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    HAKURIVER_DATA_DIR=/data \
    NEXT_TELEMETRY_DISABLED=1
# The app is root's and read-only to the server; only /data (a volume) is its own.
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
WORKDIR /app
COPY --from=app /app/ /app/
USER node
VOLUME ["/data"]
EXPOSE 3000
# No curl in slim images: Node's own fetch. Healthy means the server answers, even when the
# engine does not (the page then shows which endpoint it tried).
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node is PID 1 and handles SIGTERM itself: running Create Tar jobs are cancelled (no partial
# file; the journal in /data says "cancelled") and open shells are ended, within a few seconds.
STOPSIGNAL SIGTERM
CMD ["node", "dist/server.mjs"]
