# syntax=docker/dockerfile:1
# Build stage: a full install (its postinstall generates the Prisma client, converts the npm-shipped
# face weights to ONNX, compiles dist/ and builds the web console into dist/console), then drop the
# build-only dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY prisma ./prisma
COPY prisma.config.ts tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
# The web console (built into dist/console by postinstall) and the typed client it calls the API with.
COPY client ./client
COPY console ./console
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: compiled code, production dependencies and the converted models; nothing is
# fetched at run time. Runs as the unprivileged `node` user; the embedded database (when no
# DATABASE_URL is set) lives in the /app/data volume, which that user owns.
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production PORT=3000 DATA_DIR=/app/data LOG_FORMAT=json
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/models ./models
COPY --from=build /app/prisma ./prisma
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=6 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The one-time admin key of a first start is printed on stderr: `docker compose logs api | grep -A3 'admin key'`.
CMD ["node", "dist/main.js"]
