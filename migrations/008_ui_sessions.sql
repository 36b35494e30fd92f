-- Web UI sessions, server-side so any replica can serve the UI. Only a SHA-256 of the session id is kept.
-- A session belongs to an admin key (checked on every request, so revoking the key ends it) or, for single
-- sign-on, to an identity provider's subject.
CREATE TABLE ui_sessions (
  id_hash      text        PRIMARY KEY,
  role         text        NOT NULL CHECK (role IN ('admin', 'viewer')),
  admin_key_id bigint      REFERENCES admin_keys (id) ON DELETE CASCADE,
  subject      text,
  email        text,
  display_name text        NOT NULL,
  csrf_token   text        NOT NULL,
  created_at   timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  CHECK (admin_key_id IS NOT NULL OR subject IS NOT NULL)
);
CREATE INDEX ui_sessions_expires_at_idx ON ui_sessions (expires_at);

-- The create form's idempotency keys: a reload or a second click of the same form makes no second token.
CREATE TABLE ui_form_submissions (
  session_id_hash text        NOT NULL REFERENCES ui_sessions (id_hash) ON DELETE CASCADE,
  idempotency_key text        NOT NULL CHECK (char_length(idempotency_key) BETWEEN 1 AND 100),
  deploy_token_id bigint,
  created_at      timestamptz NOT NULL,
  PRIMARY KEY (session_id_hash, idempotency_key)
);
