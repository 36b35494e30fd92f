-- Single sign-on for the web UI: a sign-in sent to the identity provider and not back yet. The browser holds
-- the flow id in a short-lived cookie; only its SHA-256 is kept. A row is deleted when the callback takes it,
-- so a replayed callback finds nothing. The code verifier and nonce never leave the server.
CREATE TABLE ui_sso_sign_ins (
  id_hash       text        PRIMARY KEY,
  state         text        NOT NULL,
  nonce         text        NOT NULL,
  code_verifier text        NOT NULL,
  expires_at    timestamptz NOT NULL
);
CREATE INDEX ui_sso_sign_ins_expires_at_idx ON ui_sso_sign_ins (expires_at);
