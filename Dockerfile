# One image for every app; the compose file picks the entry point per service.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Exactly the lockfile, as scripts/ensure-deps.mjs and .ci/run install it.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json nest-cli.json ./
COPY scripts ./scripts
COPY apps ./apps
COPY libs ./libs
RUN node scripts/build.mjs && npm prune --omit=dev

FROM node:20-bookworm-slim
# ffmpeg: segmenting (ingest), probing (stitcher), transcoding (livepeer-local).
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production BIND_HOST=0.0.0.0
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
CMD ["node", "--enable-source-maps", "dist/apps/stitcher/src/main.js"]
