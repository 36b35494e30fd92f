-- Brute-force protection: counters of failed logins and of lockouts, shared by every replica. The layout is
-- rate-limiter-flexible's (RateLimiterPostgres inserts key, points, expire in this order); `expire` is epoch
-- milliseconds. Keys look like `user_ip:<address>/<sha256 of the username>`, `ip:<address>`.
CREATE TABLE login_failures (
  key    text    PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);
-- The library deletes expired rows every few minutes.
CREATE INDEX login_failures_expire_idx ON login_failures (expire);
