# syntax=docker/dockerfile:1
# Multi-stage build: compile in a full image, run in a slim one as a non-root user.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY scripts ./scripts
COPY proto ./proto
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    KYOCHI_HOME=/home/kyochi/.kyochi
RUN groupadd --system kyochi && useradd --system --gid kyochi --create-home --home-dir /home/kyochi kyochi
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
USER kyochi
VOLUME ["/home/kyochi/.kyochi"]
# p2p, JSON-RPC (HTTP and WebSocket), gRPC, metrics
EXPOSE 26656 26657 9090 26660
# Inside a container the RPC, gRPC and metrics servers must listen on all interfaces to be
# reachable through -p.
ENV KYOCHI_RPC_LADDR=0.0.0.0:26657 \
    KYOCHI_GRPC_LADDR=0.0.0.0:9090 \
    KYOCHI_METRICS_LADDR=0.0.0.0:26660
# --max-semi-space-size: see node/runtime-flags.ts
ENTRYPOINT ["node", "--max-semi-space-size=64", "dist/node/cli/main.js"]
CMD ["start"]
