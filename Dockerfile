# regauth's container image. Three stages: `build` compiles TypeScript with every dependency, `deps`
# installs the production dependencies only, and the runtime stage holds just those, dist/ and the files
# regauth reads at run time. test/integration/deploy/dockerfile.test.ts checks its properties, and
# test/e2e/dockerfile-build.e2e.test.ts carries out its COPY and RUN steps outside Docker: every RUN but the
# runtime stage's (which only creates the user and its folders) must work in a plain folder.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied; the build is the next step.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    REGAUTH_KEYS_DIR=/var/lib/regauth/keys \
    REGAUTH_DATA_DIR=/var/lib/regauth/data \
    REGAUTH_LOG_FORMAT=json
WORKDIR /app
# A fixed numeric user, so Kubernetes' runAsNonRoot can verify it; the folders it writes belong to it.
RUN groupadd --system --gid 10001 regauth \
 && useradd --system --uid 10001 --gid regauth --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin regauth \
 && mkdir -p /var/lib/regauth/keys /var/lib/regauth/data /var/lib/regauth/registry \
 && chown -R regauth:regauth /var/lib/regauth \
 && ln -s /app/bin/regauth.js /usr/local/bin/regauth
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY migrations ./migrations
COPY config ./config
USER 10001:10001
VOLUME ["/var/lib/regauth/keys", "/var/lib/regauth/data"]
EXPOSE 5001
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.REGAUTH_PORT||5001)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]
