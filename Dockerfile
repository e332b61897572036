# syntax=docker/dockerfile:1
# One image for the whole fleet: every service, the one-shot `topics` task and the compatibility gate
# are this image with a different command (see docker-compose.yml and deploy/k8s). The only build step
# compiles the workspace once (below); Node 24 can also strip the types of the workspace's .ts files itself. That works because workspace packages
# are symlinked into node_modules and Node resolves them to their real path (packages/…, services/…),
# outside node_modules, where type stripping is allowed; no dependency under node_modules ships .ts
# that Node loads (zod and vitest list .ts only under custom export conditions).
#
# Small: only what runs is in the build context (.dockerignore leaves out tests, the test kits, the
# traffic generator, bench/chaos/e2e, docs and deploy) and only production dependencies are installed
# (≈ 96 MB of node_modules instead of ≈ 340 MB with the dev tools). Checked without Docker by copying
# the context's files and running the same install and compile: every compiled main loads
# (deploy/src/bin/check-image.ts, docs/deployment.md).

# The major must match .node-version (a unit test checks it).
FROM node:24-slim AS base
# The pnpm of package.json's "packageManager" (a unit test checks the two agree). Installed with
# npm rather than corepack, so the runtime user finds it without downloading anything (the
# workspace's scripts, e.g. `pnpm --filter @fleet/order-intake mint-api-key`).
RUN npm install --global --no-audit --no-fund --loglevel=error pnpm@10.34.9 && npm cache clean --force
# No "new pnpm available" notice in every one-shot's log.
ENV npm_config_update_notifier=false
WORKDIR /app

FROM base AS deps
# `pnpm fetch` needs only the lockfile (and the workspace settings and patches it names), so this
# layer, the download, is reused until the lockfile changes, whatever else changed.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
COPY patches ./patches
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm fetch --prod --store-dir /pnpm/store
COPY . .
# Production dependencies only: every service lists what it imports at run time under
# "dependencies" (the workspace packages left out by .dockerignore are dev-only test kits).
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --offline --prod --store-dir /pnpm/store
# Every package and service and the console compiled to <package>/dist/ (Node's own type stripping,
# done once here): `node --conditions=compiled services/<name>/dist/main.js` starts a service without
# loading the TypeScript stripper at run time (≈ 15 MB less resident per process on average, 7–28 MB,
# bench/results/fleet-memory-idle.md). docker-compose.yml and deploy/k8s start every service, the
# console and the one-shot scripts this way; `node services/<name>/src/main.ts` keeps working.
RUN node --disable-warning=ExperimentalWarning packages/service-kit/src/bin/compile-workspace.ts

FROM base AS runtime
ENV NODE_ENV=production
# The memory budget: V8's old space in MiB. Sized for a container of ≥ 512 MiB; the Kubernetes
# manifests set it per service below its memory limit (deploy/src/fleet-manifests.ts).
ENV NODE_OPTIONS=--max-old-space-size=384
# Owned by root and read-only to the service user: nothing at run time writes to the workspace.
COPY --from=deps /app /app
# The image's `node` user by number, so that Kubernetes can verify runAsNonRoot.
USER 1000:1000
# The services stop gracefully on SIGTERM (drain, commit offsets); compose and Kubernetes allow them time for it.
STOPSIGNAL SIGTERM
CMD ["node", "-e", "console.log('kafka-fleet image. Run a service: node --conditions=compiled services/<name>/dist/main.js (order-intake, inventory, payments, order-lifecycle, order-view, sales-analytics)\\nThe console: node --conditions=compiled console/dist/main.js\\nApply the topics: node --conditions=compiled packages/contracts/dist/bin/apply-topics.js\\nCompatibility gate: node --conditions=compiled packages/contracts/dist/bin/check-compatibility.js\\nThe CLI: node --conditions=compiled packages/cli/dist/main.js\\nSee docker-compose.yml and deploy/k8s.')"]
