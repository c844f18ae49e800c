# syntax=docker/dockerfile:1
# The credits API: `docker build -t credit-rules .`, then
#   docker run -p 3000:3000 -v credits-data:/data credit-rules
# (SQLite in the /data volume), or `docker compose up` for PostgreSQL (compose.yaml).

# ---- build: every dependency, the esbuild bundle, then the dev dependencies pruned away ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 downloads a prebuilt binary; these compile it where there is none.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Without scripts first (the `prepare` build needs the sources), so this layer stays cached
# until the lockfile changes; `npm rebuild` then runs the dependencies' install scripts.
RUN npm ci --ignore-scripts
COPY . .
RUN npm rebuild \
  && npm run build \
  && npm prune --omit=dev --ignore-scripts

# ---- runtime: the bundle, the rule packs and the production dependencies, as a non-root user ----
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    SQLITE_PATH=/data/credits.db \
    RULES_DIR=/app/rules
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/rules ./rules
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
# Ready means the store answers too (/readyz), not only that the process is up (/healthz).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and handles SIGTERM itself: a graceful shutdown within SHUTDOWN_TIMEOUT_SECONDS
# (keep `docker stop -t` / stop_grace_period above it).
CMD ["node", "dist/server.js"]
