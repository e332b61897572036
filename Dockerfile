# syntax=docker/dockerfile:1
# One image for the whole fleet: every service, and the one-shot `topics` task, are this image
# with a different command (see docker-compose.yml). No build step: Node 24 strips the types of
# the workspace's .ts files itself. That works because workspace packages are symlinked into
# node_modules and Node resolves them to their real path (packages/…, services/…), outside
# node_modules, where type stripping is allowed; no dependency under node_modules ships .ts
# that Node loads (zod and vitest list .ts only under custom export conditions).

# The major must match .node-version (a unit test checks it).
FROM node:24-slim AS base
# The pnpm of package.json's "packageManager" (a unit test checks the two agree). Installed with
# npm rather than corepack, so the runtime user finds it without downloading anything.
RUN npm install --global --no-audit --no-fund --loglevel=error pnpm@10.34.9 && npm cache clean --force
# No "new pnpm available" notice in every one-shot's log.
ENV npm_config_update_notifier=false
WORKDIR /app

FROM base AS deps
# `pnpm fetch` needs only the lockfile (and the workspace settings and patches it names), so this
# layer, the download, is reused until the lockfile changes, whatever else changed.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
COPY patches ./patches
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm fetch --store-dir /pnpm/store
COPY . .
# Dev dependencies included on purpose: a service may import at run time a package it lists only
# under devDependencies (order-intake imports kafkajs), which a --prod install would leave out.
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --offline --store-dir /pnpm/store

FROM base AS runtime
ENV NODE_ENV=production
# Owned by root and read-only to the service user: nothing at run time writes to the workspace.
COPY --from=deps /app /app
USER node
# The services stop gracefully on SIGTERM (drain, commit offsets); compose allows them time for it.
STOPSIGNAL SIGTERM
CMD ["node", "-e", "console.log('kafka-fleet image. Run a service: node services/<name>/src/main.ts (order-intake, inventory, payments, order-lifecycle, order-view, sales-analytics)\\nApply the topics: pnpm --filter @fleet/contracts apply-topics\\nSee docker-compose.yml.')"]
