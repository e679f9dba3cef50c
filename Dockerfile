# syntax=docker/dockerfile:1
# One image per Duemap service, built from this one file:
#
#   docker build --build-arg SERVICE=payments -t duemap/payments:0.1.0 .
#   docker build --build-arg SERVICE=gateway  -t duemap/gateway:0.1.0 .   # also serves the console
#
# (`podman build` / `buildah bud` take the same arguments.) The container runs as the unprivileged
# `node` user with production dependencies only, listens on 0.0.0.0:$HTTP_PORT and answers
# /health (readiness) and /health/live (liveness). Migrations run from the same image:
#   node -r @swc-node/register deploy/local/migrate-service.ts /app/services/$SERVICE/src/database/data-source.ts
# Services run their TypeScript through @swc-node/register, as `npm start` does (ADR 0001).

ARG NODE_IMAGE=node:20.20-bookworm-slim

# 1. Every dependency, to build what needs dev tools (the console's Vite build).
FROM ${NODE_IMAGE} AS build
ARG SERVICE
WORKDIR /src
COPY . .
RUN test -n "$SERVICE" && test -f "services/$SERVICE/src/main.ts" \
    || { echo "--build-arg SERVICE=<one of services/*> is required (got '$SERVICE')" >&2; exit 1; }
RUN npm ci --no-audit --no-fund --ignore-scripts
RUN if [ "$SERVICE" = gateway ]; then npm run build -w services/console; else mkdir -p services/console/dist; fi

# 2. Production dependencies only (no jest, eslint, vite, buf...).
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /src
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/libs ./libs
COPY --from=build /src/services ./services
COPY --from=build /src/deploy/local/package.json ./deploy/local/package.json
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

# 3. The runtime: node, production node_modules, the libs and this one service.
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production \
    SERVICE=${SERVICE} \
    SERVICE_NAME=${SERVICE} \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080 \
    CONSOLE_DIR=/app/services/console/dist
WORKDIR /app
COPY --from=prod-deps --chown=root:root /src/node_modules ./node_modules
COPY --from=build --chown=root:root /src/package.json /src/tsconfig.json /src/tsconfig.base.json ./
COPY --from=build --chown=root:root /src/libs ./libs
COPY --from=build --chown=root:root /src/proto ./proto
COPY --from=build --chown=root:root /src/services/${SERVICE} ./services/${SERVICE}
COPY --from=build --chown=root:root /src/services/console/dist ./services/console/dist
COPY --from=build --chown=root:root /src/deploy/local/migrate-service.ts ./deploy/local/migrate-service.ts
# The code is root's and read-only to the service; swc-node's cache and tmp files go to /tmp.
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.HTTP_PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["sh", "-c", "exec node -r @swc-node/register services/$SERVICE/src/main.ts"]
