-- When the current secret of a deploy token was issued and by whom (created, or last rotated), so an operator
-- can tell how old the secret is that clients hold. Tokens from before this migration take the time from
-- created_at / secret_rotated_at and the actor from their latest created or rotated audit event, if kept.
ALTER TABLE deploy_tokens
  ADD COLUMN secret_issued_at timestamptz,
  ADD COLUMN secret_issued_by text;

UPDATE deploy_tokens AS t
SET secret_issued_at = COALESCE(t.secret_rotated_at, t.created_at),
    secret_issued_by = (
      SELECT e.actor FROM audit_events AS e
      WHERE e.deploy_token_id = t.id AND e.event IN ('token.created', 'token.rotated')
      ORDER BY e.id DESC
      LIMIT 1
    );

-- A row written by hand (plain SQL) gets the time of writing, as created_at does.
ALTER TABLE deploy_tokens ALTER COLUMN secret_issued_at SET DEFAULT now(), ALTER COLUMN secret_issued_at SET NOT NULL;
