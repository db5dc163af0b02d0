# syntax=docker/dockerfile:1
# Purse as a container: `docker build -t purse .` then see docs/deploy.md.

# Build: install everything (compilers for better-sqlite3 if no prebuilt binary fits), compile src/ to
# dist/ (npm ci runs `prepare`), then drop the development dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
COPY bin ./bin
COPY src ./src
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

# Run: only the compiled JavaScript and production dependencies, as the unprivileged `node` user.
FROM node:24-bookworm-slim
ENV NODE_ENV=production PURSE_ENV=production HOST=0.0.0.0 PORT=8080 PURSE_DATA_DIR=/app/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8080
VOLUME ["/app/data"]
# Readiness includes the database: an instance that cannot reach it is taken out of rotation.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and handles SIGTERM itself (close-with-grace): it stops accepting, drains requests,
# finishes the current group commit, stops jobs, closes pools and exits 0 within 10 s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/purse.js"]
CMD ["serve"]
